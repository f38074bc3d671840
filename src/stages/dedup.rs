//! `dedup [consecutive] [N] [by] f, ...`: keeps the first N records
//! (default 1) of each key, in input order; without fields the key is
//! `_raw`, as in Sumo. `consecutive` only removes repeats that follow each
//! other. Keys compare by text, null being its own key (as in aggregation).

use std::collections::HashMap;
use std::sync::Arc;

use super::args::Args;
use super::keys::{field_list, key_of, Key};
use super::{HoldStage, Operator, StagePlan};
use crate::ast::{GenericStage, Tok};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::plan::expr::FieldRef;
use crate::record::Record;

/// A checked `dedup`.
#[derive(Debug)]
pub struct DedupStage {
    n: u64,
    consecutive: bool,
    by: Vec<FieldRef>,
}

/// Builds `dedup`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let consecutive = a.eat_word("consecutive");
    let n = match a.peek().map(|t| &t.kind) {
        Some(Tok::Num(_)) => {
            let (n, span) = a.expect_count("a whole number")?;
            if n == 0 {
                return Err(QueryError::new("`dedup` keeps at least 1 record", span));
            }
            n
        }
        _ => 1,
    };
    // Real queries write `dedup id` as well as `dedup by id`.
    let by_word = a.eat_word("by");
    let by = if by_word || !a.is_done() {
        field_list(&mut a)?
    } else {
        vec![FieldRef::new("_raw", false)]
    };
    a.finish()?;
    Ok(vec![StagePlan::Hold(Arc::new(DedupStage {
        n,
        consecutive,
        by,
    }))])
}

impl HoldStage for DedupStage {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(DedupOp {
            n: self.n,
            consecutive: self.consecutive,
            by: self.by.clone(),
            seen: HashMap::new(),
            run: None,
        })
    }

    fn describe(&self) -> String {
        let by: Vec<String> = self.by.iter().map(|f| f.name.to_string()).collect();
        format!(
            "dedup {}{} by {}",
            if self.consecutive { "consecutive " } else { "" },
            self.n,
            by.join(", ")
        )
    }
}

struct DedupOp {
    n: u64,
    consecutive: bool,
    by: Vec<FieldRef>,
    seen: HashMap<Key, u64>,
    /// For `consecutive`: the current run's key and length.
    run: Option<(Key, u64)>,
}

impl Operator for DedupOp {
    fn push(&mut self, rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let key = key_of(&self.by, &rec);
        // Nothing is held: a record either goes on at once or never.
        let count = if self.consecutive {
            match &mut self.run {
                Some((k, n)) if *k == key => {
                    *n += 1;
                    *n
                }
                _ => {
                    self.run = Some((key, 1));
                    1
                }
            }
        } else {
            let n = self.seen.entry(key).or_insert(0);
            *n = n.saturating_add(1);
            *n
        };
        if count <= self.n {
            out.push(rec);
        }
    }
}
