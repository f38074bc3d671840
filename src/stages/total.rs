//! `total f [as name] [by k, ...]`: adds to every row the sum of `f` over
//! all rows (of the row's group with `by`), `_total` by default. The rows
//! are held until the end, then go on in input order. Values that are not
//! numeric add nothing (the row itself is kept); a group with nothing to
//! sum gets null. Sums follow `sum` (ints stay exact ints).

use std::collections::HashMap;
use std::sync::Arc;

use super::args::Args;
use super::keys::{alias, by_clause, field_or_paren, key_of, Key};
use super::{HoldStage, Operator, StagePlan};
use crate::ast::GenericStage;
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::plan::expr::FieldRef;
use crate::record::{Name, Record};
use crate::value::{arith, ArithOp, Value};

/// The arguments `total` and `accum` share: `f [as name] [by k, ...]`
/// (also `(f)`, and `by` before `as`).
pub struct SumArgs {
    /// The summed field.
    pub field: FieldRef,
    /// The output field.
    pub out: Name,
    /// The group keys.
    pub by: Vec<FieldRef>,
}

/// Reads [`SumArgs`]; `default` names the output without `as`.
pub fn sum_args(g: &GenericStage, text: &str, default: &str) -> Result<SumArgs, QueryError> {
    let mut a = Args::new(g, text);
    let field = field_or_paren(&mut a, "a field name")?;
    let mut out = alias(&mut a)?;
    let by = by_clause(&mut a)?;
    if out.is_none() {
        out = alias(&mut a)?;
    }
    a.finish()?;
    Ok(SumArgs {
        field,
        out: Arc::from(out.as_deref().unwrap_or(default)),
        by,
    })
}

/// Adds a value to a running sum; `None` when the value is not a number
/// (null included), so it adds nothing.
pub fn add_to(acc: &Option<Value>, v: &Value) -> Option<Value> {
    let n = v.as_num()?.into_value();
    Some(match acc {
        None => n,
        Some(a) => arith(ArithOp::Add, a, &n),
    })
}

/// A checked `total`.
#[derive(Debug)]
pub struct TotalStage {
    args: Arc<SumArgs>,
}

impl std::fmt::Debug for SumArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} as {}", self.field.name, self.out)
    }
}

/// Builds `total`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let args = Arc::new(sum_args(g, text, "_total")?);
    Ok(vec![StagePlan::Hold(Arc::new(TotalStage { args }))])
}

impl HoldStage for TotalStage {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(TotalOp {
            args: self.args.clone(),
            rows: Vec::new(),
            sums: HashMap::new(),
        })
    }

    fn describe(&self) -> String {
        describe("total", &self.args)
    }
}

/// `NAME f as out [by ...]` for `:explain`.
pub fn describe(stage: &str, a: &SumArgs) -> String {
    let by: Vec<String> = a.by.iter().map(|f| f.name.to_string()).collect();
    if by.is_empty() {
        format!("{stage} {} as {}", a.field.name, a.out)
    } else {
        format!("{stage} {} as {} by {}", a.field.name, a.out, by.join(", "))
    }
}

struct TotalOp {
    args: Arc<SumArgs>,
    rows: Vec<(Key, Record)>,
    sums: HashMap<Key, Option<Value>>,
}

impl Operator for TotalOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let key = key_of(&self.args.by, &rec);
        let v = self.args.field.get(&rec);
        let slot = self.sums.entry(key.clone()).or_insert(None);
        if let Some(s) = add_to(slot, &v) {
            *slot = Some(s);
        }
        self.rows.push((key, rec));
    }

    fn finish(&mut self, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        for (key, mut rec) in self.rows.drain(..) {
            let t = self
                .sums
                .get(&key)
                .cloned()
                .flatten()
                .unwrap_or(Value::Null);
            rec.set(&self.args.out, t);
            out.push(rec);
        }
        self.sums.clear();
    }
}
