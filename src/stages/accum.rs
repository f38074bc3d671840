//! `accum f [as name] [by k, ...]`: the running sum of `f` in input order
//! (per group with `by`), `_accum` by default. Nothing is held. A row whose
//! value is not numeric (or null) is kept and shows the running sum so far
//! (null before anything was summed).

use std::collections::HashMap;
use std::sync::Arc;

use super::keys::{key_of, Key};
use super::total::{add_to, describe, sum_args, SumArgs};
use super::{HoldStage, Operator, StagePlan};
use crate::ast::GenericStage;
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::record::Record;
use crate::value::Value;

/// A checked `accum`.
#[derive(Debug)]
pub struct AccumStage {
    args: Arc<SumArgs>,
}

/// Builds `accum`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let args = Arc::new(sum_args(g, text, "_accum")?);
    Ok(vec![StagePlan::Hold(Arc::new(AccumStage { args }))])
}

impl HoldStage for AccumStage {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(AccumOp {
            args: self.args.clone(),
            sums: HashMap::new(),
        })
    }

    fn describe(&self) -> String {
        describe("accum", &self.args)
    }
}

struct AccumOp {
    args: Arc<SumArgs>,
    sums: HashMap<Key, Option<Value>>,
}

impl Operator for AccumOp {
    fn push(&mut self, mut rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let key = key_of(&self.args.by, &rec);
        let v = self.args.field.get(&rec);
        let slot = self.sums.entry(key).or_insert(None);
        if let Some(s) = add_to(slot, &v) {
            *slot = Some(s);
        }
        rec.set(&self.args.out, slot.clone().unwrap_or(Value::Null));
        out.push(rec);
    }
}
