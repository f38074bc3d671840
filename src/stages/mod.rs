//! Stages, one file each. A stage's plan (checked, compiled, cloneable) is
//! separate from its operator (the per-run state), so one plan can run on
//! several threads and in the REPL again and again.

pub mod accum;
mod agg_state;
pub mod aggregate;
pub mod args;
pub mod compare;
pub mod count_frequent;
pub mod dedup;
pub mod durations;
pub mod eval;
pub mod exact_sum;
pub mod external;
pub mod extract;
pub mod fields;
pub mod fillmissing;
pub mod java_regex;
pub mod join;
pub mod json;
pub mod json_path;
pub mod keys;
pub mod keyvalue;
pub mod limit;
pub mod lookup;
pub mod merge;
pub mod outlier;
pub mod parse_anchor;
pub mod parse_regex;
pub mod regex_gate;
pub mod registry;
pub mod sort;
pub mod split;
pub mod subquery;
pub mod table;
pub mod timeslice;
pub mod topk;
pub mod total;
pub mod transactionize;
pub mod transpose;
pub mod where_;
pub mod withtime;

use std::fmt::Debug;
use std::sync::Arc;

use crate::diag::Diagnostics;
use crate::record::{Name, Record};

/// A stage that looks at one record at a time: it may change the record,
/// drop it, or turn it into several (`parse regex multi`). Such stages run
/// in FERs too.
pub trait RecordStage: Debug + Send + Sync {
    /// Processes one record, pushing what comes out to `out`.
    fn apply(&self, rec: Record, out: &mut Vec<Record>, diag: &mut Diagnostics);
    /// Processes one record the way a FER runs the stage: where
    /// [`apply`](Self::apply) would push nothing, the record goes on as it
    /// was. The default keeps a copy to fall back on; parsing stages whose
    /// `nodrop` means exactly that override it to skip the copy, which a
    /// FER would otherwise make for every record and every stage.
    fn apply_kept(&self, rec: Record, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        let before = out.len();
        let keep = rec.clone();
        self.apply(rec, out, diag);
        if out.len() == before {
            out.push(keep);
        }
    }
    /// A one-line description for `:explain`.
    fn describe(&self) -> String;
    /// What the stage needs from outside the input (lookup tables).
    fn externals(&self) -> Vec<Arc<dyn external::External>> {
        Vec::new()
    }
    /// The field names the stage reads (as written: `a.b` reads the key
    /// `a` and the literal key `a.b`), so a run can read only the fields a
    /// query needs. `None`, the default, means it may read any field,
    /// `_raw` and `_messageTime` included.
    fn reads(&self) -> Option<Vec<Name>> {
        None
    }
}

/// A stage that holds records or state across records (transpose, dedup,
/// accum, ...): each run gets a fresh operator.
pub trait HoldStage: Debug + Send + Sync {
    /// A fresh operator for one run.
    fn operator(&self) -> Box<dyn Operator>;
    /// A one-line description for `:explain`.
    fn describe(&self) -> String;
    /// The columns the stage fixes for everything after it, if it does.
    fn columns(&self) -> Option<Vec<Name>> {
        None
    }
    /// What the stage needs from outside the input (lookup tables).
    fn externals(&self) -> Vec<Arc<dyn external::External>> {
        Vec::new()
    }
    /// True for a stage that re-runs the stages before it (`compare`): the
    /// planner then hands them over with [`HoldStage::with_previous`].
    fn wants_previous(&self) -> bool {
        false
    }
    /// The stage with the stages before it inside.
    fn with_previous(
        &self,
        _previous: Vec<StagePlan>,
    ) -> Result<Arc<dyn HoldStage>, crate::error::QueryError> {
        Err(crate::error::QueryError::new(
            format!("{} cannot take the stages before it", self.describe()),
            crate::ast::Span::default(),
        ))
    }

    /// The field names the stage reads; `None`, the default, means any
    /// field (see [`RecordStage::reads`]).
    fn reads(&self) -> Option<Vec<Name>> {
        None
    }
}

/// Runs a [`RecordStage`] as an operator.
struct RecordOp(Arc<dyn RecordStage>);

impl Operator for RecordOp {
    fn push(&mut self, rec: Record, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        self.0.apply(rec, out, diag);
    }
}

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
    /// A per-record stage from the registry (parse, json, ...).
    Record(Arc<dyn RecordStage>),
    /// A holding stage from the registry (transpose, dedup, ...).
    Hold(Arc<dyn HoldStage>),
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
            StagePlan::Record(s) => Box::new(RecordOp(s.clone())),
            StagePlan::Hold(s) => s.operator(),
        }
    }

    /// True for stages that look at one record at a time (allowed in FERs,
    /// and safe to run on any thread in any chunk).
    pub fn is_per_record(&self) -> bool {
        matches!(
            self,
            StagePlan::Where(_) | StagePlan::Eval(_) | StagePlan::Fields(_) | StagePlan::Record(_)
        )
    }

    /// The columns a stage fixes for everything after it, if it does.
    pub fn columns(&self) -> Option<Vec<Name>> {
        match self {
            StagePlan::Fields(f) if !f.drop => {
                Some(f.names.iter().map(|n| n.name.clone()).collect())
            }
            StagePlan::Aggregate(a) => Some(a.columns()),
            StagePlan::Hold(h) => h.columns(),
            _ => None,
        }
    }

    /// What the stage needs from outside the input (lookup tables).
    pub fn externals(&self) -> Vec<Arc<dyn external::External>> {
        match self {
            StagePlan::Record(s) => s.externals(),
            StagePlan::Hold(s) => s.externals(),
            _ => Vec::new(),
        }
    }
    /// The field names the stage reads, or `None` when it may read any
    /// field (generic stages unless they say otherwise). Used to read only
    /// the fields a query needs from each record.
    pub fn reads(&self) -> Option<Vec<Name>> {
        let mut v: Vec<Name> = Vec::new();
        match self {
            StagePlan::Where(p) => v = p.reads(),
            StagePlan::Eval(p) => v = p.reads(),
            StagePlan::Fields(p) => v.extend(p.names.iter().map(|n| n.name.clone())),
            StagePlan::Aggregate(p) => {
                v.extend(p.by.iter().map(|k| k.name.clone()));
                for a in &p.aggs {
                    if let Some(e) = &a.arg {
                        e.fields_read(&mut v);
                    }
                    // most_recent/least_recent rank by the record's time.
                    if let aggregate::AggFunc::MostRecent | aggregate::AggFunc::LeastRecent = a.func
                    {
                        v.push(Arc::from("_messageTime"));
                    }
                }
            }
            StagePlan::Sort(p) => v.extend(p.keys.iter().map(|k| k.field.name.clone())),
            StagePlan::Limit(_) => {}
            StagePlan::Record(s) => return s.reads(),
            StagePlan::Hold(s) => return s.reads(),
        }
        Some(v)
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
            StagePlan::Record(s) => s.describe(),
            StagePlan::Hold(s) => s.describe(),
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

impl StagePlan {
    /// Applies a per-record stage to one record (FERs): pushes what comes
    /// out. Holding stages never reach here (the planner keeps them out of
    /// FERs).
    pub fn apply_record(&self, rec: Record, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        match self {
            StagePlan::Eval(e) => {
                let mut rec = rec;
                e.apply(&mut rec);
                out.push(rec);
            }
            StagePlan::Fields(f) => {
                let mut rec = rec;
                f.apply(&mut rec);
                out.push(rec);
            }
            StagePlan::Where(w) => {
                if w.cond.eval(&rec).truthy() {
                    out.push(rec);
                }
            }
            StagePlan::Record(s) => s.apply(rec, out, diag),
            _ => out.push(rec),
        }
    }
}
