//! `fields a, b` keeps exactly those fields in that order (a missing one is
//! null); `fields - a, b` drops them.

use super::Operator;
use crate::diag::Diagnostics;
use crate::plan::expr::FieldRef;
use crate::record::Record;

/// A checked `fields`.
#[derive(Clone, Debug)]
pub struct FieldsPlan {
    /// True for the dropping form.
    pub drop: bool,
    /// The fields, in order.
    pub names: Vec<FieldRef>,
}

impl FieldsPlan {
    /// Applies the stage to one record.
    pub fn apply(&self, rec: &mut Record) {
        if self.drop {
            for n in &self.names {
                if rec.fields.iter().any(|(k, _)| **k == *n.name) {
                    rec.remove(&n.name);
                } else {
                    rec.fields.retain(|(k, _)| !k.eq_ignore_ascii_case(&n.name));
                }
            }
        } else {
            let kept = self
                .names
                .iter()
                .map(|n| (n.name.clone(), n.get(rec)))
                .collect();
            rec.fields = kept;
        }
    }
}

impl Operator for FieldsPlan {
    fn push(&mut self, mut rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        self.apply(&mut rec);
        out.push(rec);
    }
}
