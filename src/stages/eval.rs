//! `eval F = E, ...`, `E as F` and bare function stages (`| num(x)`): each
//! assignment sees the ones before it.

use super::Operator;
use crate::diag::Diagnostics;
use crate::plan::expr::CExpr;
use crate::record::{Name, Record};

/// A checked assignment list.
#[derive(Clone, Debug)]
pub struct EvalPlan {
    /// Target names (written exactly) and their expressions, in order.
    pub assigns: Vec<(Name, CExpr)>,
}

impl EvalPlan {
    /// Fields the expressions read.
    pub fn reads(&self) -> Vec<Name> {
        let mut v = Vec::new();
        for (_, e) in &self.assigns {
            e.fields_read(&mut v);
        }
        v
    }

    /// Applies the assignments to one record.
    pub fn apply(&self, rec: &mut Record) {
        for (name, e) in &self.assigns {
            let v = e.eval(rec);
            rec.set(name, v);
        }
    }
}

impl Operator for EvalPlan {
    fn push(&mut self, mut rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        self.apply(&mut rec);
        out.push(rec);
    }
}
