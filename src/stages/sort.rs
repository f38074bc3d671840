//! `sort by K, ...`: a stable sort on the Value order of SPEC §5, with null
//! last in both directions.

use std::cmp::Ordering;

use super::Operator;
use crate::diag::Diagnostics;
use crate::plan::expr::FieldRef;
use crate::record::Record;
use crate::value::Value;

/// One resolved sort key.
#[derive(Clone, Debug)]
pub struct SortKeyPlan {
    /// The field.
    pub field: FieldRef,
    /// Ascending or not, after SPEC §5's default-direction rule.
    pub ascending: bool,
}

/// A checked `sort`.
#[derive(Clone, Debug)]
pub struct SortPlan {
    /// The keys, most significant first.
    pub keys: Vec<SortKeyPlan>,
}

impl SortPlan {
    /// A one-line description.
    pub fn describe(&self) -> String {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| {
                format!(
                    "{} {}",
                    k.field.name,
                    if k.ascending { "asc" } else { "desc" }
                )
            })
            .collect();
        format!("sort {}", keys.join(", "))
    }
}

/// Compares two key values in a direction, null last either way.
pub fn cmp_dir(a: &Value, b: &Value, ascending: bool) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => {
            let o = a.sort_cmp(b);
            if ascending {
                o
            } else {
                o.reverse()
            }
        }
    }
}

/// The running sort: holds what reaches it, sorts at the end.
pub struct SortOp {
    plan: SortPlan,
    rows: Vec<(Vec<Value>, Record)>,
}

impl SortOp {
    /// A sort for a plan.
    pub fn new(plan: SortPlan) -> SortOp {
        SortOp {
            plan,
            rows: Vec::new(),
        }
    }
}

impl Operator for SortOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let keys = self.plan.keys.iter().map(|k| k.field.get(&rec)).collect();
        self.rows.push((keys, rec));
    }

    fn finish(&mut self, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let keys = &self.plan.keys;
        // `sort_by` is stable: ties keep input order in both directions.
        self.rows.sort_by(|(a, _), (b, _)| {
            for (i, k) in keys.iter().enumerate() {
                let o = cmp_dir(&a[i], &b[i], k.ascending);
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
        out.extend(self.rows.drain(..).map(|(_, r)| r));
    }
}
