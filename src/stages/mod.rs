//! Stages, one file each. A stage's plan (checked, compiled, cloneable) is
//! separate from its operator (the per-run state), so one plan can run on
//! several threads and in the REPL again and again.

pub mod aggregate;
pub mod eval;
pub mod fields;
pub mod limit;
pub mod sort;
pub mod where_;

use crate::diag::Diagnostics;
use crate::record::{Name, Record};

/// A running stage. Records are pushed in input order; outputs go to `out`.
pub trait Operator: Send {
    /// Takes one record.
    fn push(&mut self, rec: Record, out: &mut Vec<Record>, diag: &mut Diagnostics);
    /// End of input: emit what was held back.
    fn finish(&mut self, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {}
    /// True when no further input can change the output (a reached limit).
    fn done(&self) -> bool {
        false
    }
}

/// A checked stage.
#[derive(Clone, Debug)]
pub enum StagePlan {
    /// `where`.
    Where(where_::WherePlan),
    /// `eval`, `as`, and bare function stages.
    Eval(eval::EvalPlan),
    /// `fields`.
    Fields(fields::FieldsPlan),
    /// Aggregation (also `top` and `count a, b`).
    Aggregate(aggregate::AggPlan),
    /// `sort`.
    Sort(sort::SortPlan),
    /// `limit`.
    Limit(limit::LimitPlan),
}

impl StagePlan {
    /// A fresh operator for one run.
    pub fn operator(&self) -> Box<dyn Operator> {
        match self {
            StagePlan::Where(p) => Box::new(p.clone()),
            StagePlan::Eval(p) => Box::new(p.clone()),
            StagePlan::Fields(p) => Box::new(p.clone()),
            StagePlan::Aggregate(p) => Box::new(aggregate::AggOp::new(p.clone())),
            StagePlan::Sort(p) => Box::new(sort::SortOp::new(p.clone())),
            StagePlan::Limit(p) => Box::new(limit::LimitOp::new(p.n)),
        }
    }

    /// True for stages that look at one record at a time (allowed in FERs,
    /// and safe to run on any thread in any chunk).
    pub fn is_per_record(&self) -> bool {
        matches!(
            self,
            StagePlan::Where(_) | StagePlan::Eval(_) | StagePlan::Fields(_)
        )
    }

    /// The columns a stage fixes for everything after it, if it does.
    pub fn columns(&self) -> Option<Vec<Name>> {
        match self {
            StagePlan::Fields(f) if !f.drop => {
                Some(f.names.iter().map(|n| n.name.clone()).collect())
            }
            StagePlan::Aggregate(a) => Some(a.columns()),
            _ => None,
        }
    }

    /// A one-line description for `:explain`.
    pub fn describe(&self) -> String {
        match self {
            StagePlan::Where(p) => format!("where (reads {})", names(&p.reads())),
            StagePlan::Eval(p) => format!(
                "eval {} (reads {})",
                p.assigns
                    .iter()
                    .map(|(n, _)| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                names(&p.reads())
            ),
            StagePlan::Fields(p) => format!(
                "fields {}{}",
                if p.drop { "- " } else { "" },
                p.names
                    .iter()
                    .map(|n| n.name.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            StagePlan::Aggregate(p) => p.describe(),
            StagePlan::Sort(p) => p.describe(),
            StagePlan::Limit(p) => format!("limit {}", p.n),
        }
    }
}

fn names(v: &[Name]) -> String {
    if v.is_empty() {
        "nothing".into()
    } else {
        v.iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
