//! `limit N`: the first N records, then the run may stop reading.

use super::Operator;
use crate::diag::Diagnostics;
use crate::record::Record;

/// A checked `limit`.
#[derive(Clone, Debug)]
pub struct LimitPlan {
    /// How many records pass.
    pub n: u64,
}

/// The running `limit`.
pub struct LimitOp {
    left: u64,
}

impl LimitOp {
    /// A limit of `n`.
    pub fn new(n: u64) -> LimitOp {
        LimitOp { left: n }
    }
}

impl Operator for LimitOp {
    fn push(&mut self, rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        if self.left > 0 {
            self.left -= 1;
            out.push(rec);
        }
    }

    fn done(&self) -> bool {
        self.left == 0
    }
}
