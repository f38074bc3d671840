//! `where COND`: keeps records whose condition is true (SPEC §3 truthiness).

use super::Operator;
use crate::diag::Diagnostics;
use crate::plan::expr::CExpr;
use crate::record::{Name, Record};

/// A checked `where`.
#[derive(Clone, Debug)]
pub struct WherePlan {
    /// The condition.
    pub cond: CExpr,
}

impl WherePlan {
    /// Fields the condition reads.
    pub fn reads(&self) -> Vec<Name> {
        let mut v = Vec::new();
        self.cond.fields_read(&mut v);
        v
    }
}

impl Operator for WherePlan {
    fn push(&mut self, rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        if self.cond.eval(&rec).truthy() {
            out.push(rec);
        }
    }
}
