//! `count_frequent f[, g ...]`: Sumo's count of the most common value
//! combinations, as `_approxcount`, sorted most to least frequent, at most
//! 10,000 rows. sumoq counts exactly, so `_approxcount` is the true count
//! (Sumo's is an estimate that may be too high). Ties keep first-appearance
//! order. Built from the aggregation, sort and limit stages.

use std::sync::Arc;

use super::aggregate::{AggFunc, AggPlan, AggSpec};
use super::args::Args;
use super::keys::field_list;
use super::limit::LimitPlan;
use super::sort::{SortKeyPlan, SortPlan};
use super::StagePlan;
use crate::ast::GenericStage;
use crate::error::QueryError;
use crate::plan::expr::FieldRef;

/// Sumo returns the 10,000 most frequent combinations.
const MAX_ROWS: u64 = 10_000;

/// Builds `count_frequent`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let by = field_list(&mut a)?;
    a.finish()?;
    Ok(vec![
        StagePlan::Aggregate(AggPlan {
            aggs: vec![AggSpec {
                func: AggFunc::Count,
                arg: None,
                out: Arc::from("_approxcount"),
            }],
            by,
        }),
        StagePlan::Sort(SortPlan {
            keys: vec![SortKeyPlan {
                field: FieldRef::new("_approxcount", true),
                ascending: false,
            }],
        }),
        StagePlan::Limit(LimitPlan { n: MAX_ROWS }),
    ])
}
