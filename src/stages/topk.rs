//! `topk(N, f[, g ...]) [by k, ...]`: keeps, for each group of the `by`
//! keys, the N rows with the largest values of f (then g, ...), and adds
//! `_rank` (1 for the largest). Values order as `sort` orders them
//! descending (numbers by value, null last); ties keep input order and get
//! consecutive ranks. Groups come out in order of their first row, each
//! group's rows by rank.

use std::collections::HashMap;
use std::sync::Arc;

use super::args::{is_field_name, Args};
use super::keys::{by_clause, key_of, paren_items, Key};
use super::sort::cmp_dir;
use super::{HoldStage, Operator, StagePlan};
use crate::ast::{GenericStage, Tok};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::plan::expr::FieldRef;
use crate::record::{Name, Record};
use crate::value::Value;

/// A checked `topk`.
#[derive(Debug)]
pub struct TopkStage {
    n: usize,
    fields: Vec<FieldRef>,
    by: Vec<FieldRef>,
}

/// Builds `topk`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let Some(
        t @ crate::ast::Token {
            kind: Tok::Paren(raw),
            ..
        },
    ) = a.next_token()
    else {
        return Err(QueryError::new(
            "`topk`: expected `(N, field, ...)`",
            g.name_span,
        ));
    };
    let items = paren_items(t, raw);
    let (first, rest) = items
        .split_first()
        .ok_or_else(|| QueryError::new("`topk`: expected `(N, field, ...)`", t.span))?;
    let n = match first.text.parse::<usize>() {
        Ok(n) if n >= 1 => n,
        _ => {
            return Err(QueryError::new(
                "`topk`: the count must be a whole number of at least 1",
                first.span,
            ))
        }
    };
    if rest.is_empty() {
        return Err(QueryError::new(
            "`topk`: expected a field after the count",
            t.span,
        ));
    }
    let mut fields = Vec::new();
    for it in rest {
        if !(it.quoted || is_field_name(&it.text)) {
            return Err(QueryError::new("`topk`: expected a field name", it.span));
        }
        fields.push(FieldRef::new(&it.text, it.quoted));
    }
    let by = by_clause(&mut a)?;
    a.finish()?;
    Ok(vec![StagePlan::Hold(Arc::new(TopkStage { n, fields, by }))])
}

impl HoldStage for TopkStage {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(TopkOp {
            n: self.n,
            fields: self.fields.clone(),
            by: self.by.clone(),
            index: HashMap::new(),
            groups: Vec::new(),
        })
    }

    fn describe(&self) -> String {
        let f: Vec<String> = self.fields.iter().map(|f| f.name.to_string()).collect();
        format!("topk({}, {})", self.n, f.join(", "))
    }
}

struct TopkOp {
    n: usize,
    fields: Vec<FieldRef>,
    by: Vec<FieldRef>,
    index: HashMap<Key, usize>,
    groups: Vec<Vec<(Vec<Value>, Record)>>,
}

impl Operator for TopkOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let key = key_of(&self.by, &rec);
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.groups.push(Vec::new());
                self.index.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let vals = self.fields.iter().map(|f| f.get(&rec)).collect();
        if let Some(g) = self.groups.get_mut(i) {
            g.push((vals, rec));
        }
    }

    fn finish(&mut self, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let rank: Name = Arc::from("_rank");
        for mut g in self.groups.drain(..) {
            // Stable: ties keep input order.
            g.sort_by(|(a, _), (b, _)| {
                a.iter()
                    .zip(b)
                    .map(|(x, y)| cmp_dir(x, y, false))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            for (i, (_, mut rec)) in g.into_iter().take(self.n).enumerate() {
                rec.set(&rank, Value::Int(i as i64 + 1));
                out.push(rec);
            }
        }
        self.index.clear();
    }
}
