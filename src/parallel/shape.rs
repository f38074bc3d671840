//! How a plan splits for a parallel run: the per-record prefix that runs
//! where records are made, the aggregation (if it comes right after) that
//! runs per chunk and merges, the projection, and the filters worth trying
//! before a whole record is built.

use crate::exec::Fer;
use crate::input::InputOptions;
use crate::plan::expr::CExpr;
use crate::plan::projection::Projection;
use crate::plan::Plan;
use crate::record::{Name, Record};
use crate::search::CSearch;
use crate::stages::aggregate::AggPlan;
use crate::stages::StagePlan;

/// A filter that can be decided from the fields it reads alone.
pub(crate) enum EarlyTest<'p> {
    /// A leading `where`, and its place among the stages.
    Where(&'p CExpr, usize),
    /// The search expression; true when it has keywords (which read the
    /// line's text).
    Search(&'p CSearch, bool),
}

impl EarlyTest<'_> {
    /// True when the record, whose text is `raw` (UTF-8; `text` when
    /// already checked), passes.
    pub(crate) fn passes(&self, rec: &Record, raw: &[u8], text: Option<&str>) -> bool {
        match self {
            EarlyTest::Where(c, _) => c.eval(rec).truthy(),
            EarlyTest::Search(s, false) => s.matches(rec),
            EarlyTest::Search(s, true) => match text {
                Some(t) => s.matches_with_raw(rec, t),
                // Not UTF-8 cannot happen; then the whole record decides.
                None => std::str::from_utf8(raw).map_or(true, |t| s.matches_with_raw(rec, t)),
            },
        }
    }

    /// Which filter a record that passed need not be tried with again:
    /// `Some(true)` the search expression, `Some(false)` the first stage.
    pub(crate) fn passed(&self) -> Option<bool> {
        match self {
            EarlyTest::Search(..) => Some(true),
            EarlyTest::Where(_, 0) => Some(false),
            EarlyTest::Where(..) => None,
        }
    }

    /// The names it reads.
    pub(crate) fn reads(&self) -> Vec<Name> {
        let mut v = Vec::new();
        match self {
            EarlyTest::Where(c, _) => c.fields_read(&mut v),
            EarlyTest::Search(s, _) => s.fields_read(&mut v),
        }
        v
    }
}

/// A plan, split for a parallel run.
pub(crate) struct Shape<'p> {
    pub(crate) fers: &'p [Fer],
    pub(crate) search: &'p CSearch,
    /// The per-record stages before the first stage that holds records.
    pub(crate) prefix: &'p [StagePlan],
    /// The aggregation right after the prefix, if any.
    pub(crate) agg: Option<&'p AggPlan>,
    /// The index of the first stage after the prefix.
    pub(crate) rest: usize,
    pub(crate) projection: Projection,
    /// A filter tried on only the fields it reads before the rest of a
    /// record is picked out (the first leading `where`, else the search
    /// expression). Filters are pure, so trying one early and again in its
    /// place changes nothing but the time taken.
    pub(crate) first: Option<EarlyTest<'p>>,
    /// The names `first` reads.
    pub(crate) first_reads: Vec<Name>,
}

impl<'p> Shape<'p> {
    /// Splits `plan` (run after `fers`).
    pub(crate) fn new(plan: &'p Plan, fers: &'p [Fer], opts: &InputOptions) -> Self {
        let rest = plan
            .stages
            .iter()
            .position(|s| !s.is_per_record())
            .unwrap_or(plan.stages.len());
        let prefix = plan.stages.get(..rest).unwrap_or_default();
        let agg = match plan.stages.get(rest) {
            Some(StagePlan::Aggregate(a)) => Some(a),
            _ => None,
        };
        let projection = Projection::of(&plan.search, &plan.stages, fers, &opts.time_fields);
        let mut early: Vec<EarlyTest<'p>> = Vec::new();
        // With FERs the search sees what they made, so nothing is tried
        // before the record is whole.
        if fers.is_empty() {
            for (i, s) in prefix.iter().enumerate() {
                match s {
                    StagePlan::Where(w) => early.push(EarlyTest::Where(&w.cond, i)),
                    _ => break,
                }
            }
            if !matches!(plan.search, CSearch::All) {
                early.push(EarlyTest::Search(&plan.search, plan.search.reads_raw()));
            }
            // `_raw` and `_messageTime` as fields are only filled into
            // whole records (keywords get the line's text directly).
            early.retain(|t| {
                let reads = t.reads();
                !reads.iter().any(|n| {
                    matches!(
                        crate::record::tool_field_name(n),
                        Some("_raw" | "_messageTime")
                    )
                })
            });
        }
        let first = early.into_iter().next();
        let first_reads = first.as_ref().map(EarlyTest::reads).unwrap_or_default();
        Shape {
            fers,
            search: &plan.search,
            prefix,
            agg,
            rest,
            projection,
            first,
            first_reads,
        }
    }
}
