//! The per-record start of a pipeline, run where the records are made (on
//! a worker thread, or inline for inputs read sequentially): the FERs, the
//! search expression and the stages up to the first one that holds
//! records, with the same semantics as [`Pipeline`](crate::exec::Pipeline)
//! gives them. What comes out is either rows for the rest of the pipeline
//! or, when that rest starts with an aggregation, this chunk's partial
//! aggregation.

use super::events::{Event, Events};
use crate::diag::Diagnostics;
use crate::exec::{apply_fers_into, Fer};
use crate::record::Record;
use crate::search::CSearch;
use crate::stages::aggregate::AggOp;
use crate::stages::StagePlan;

/// The per-record start of one run, for one thread.
pub(crate) struct Prefix<'p> {
    fers: &'p [Fer],
    search: &'p CSearch,
    stages: &'p [StagePlan],
    /// The partial aggregation of the current chunk, when the pipeline
    /// aggregates right after the prefix.
    pub(crate) agg: Option<AggOp>,
    /// The stages' warnings, captured.
    pub(crate) diag: Diagnostics,
    skips: Vec<crate::stages::aggregate::Skip>,
    /// What the FERs made of the current record, and their scratch
    /// buffer: kept between records to save allocations.
    fer_out: Vec<Record>,
    fer_tmp: Vec<Record>,
}

impl<'p> Prefix<'p> {
    /// The prefix `stages` (all per-record) after `fers` and `search`.
    pub(crate) fn new(fers: &'p [Fer], search: &'p CSearch, stages: &'p [StagePlan]) -> Self {
        Prefix {
            fers,
            search,
            stages,
            agg: None,
            diag: Diagnostics::capturing(),
            skips: Vec::new(),
            fer_out: Vec::new(),
            fer_tmp: Vec::new(),
        }
    }

    /// Takes one record as read. Gives the record back when it is not
    /// kept anywhere (filtered out, or counted into the aggregation), so
    /// the caller can reuse its allocation.
    pub(crate) fn push(&mut self, rec: Record, ev: &mut Events) -> Option<Record> {
        if !self.fers.is_empty() {
            let mut recs = std::mem::take(&mut self.fer_out);
            apply_fers_into(self.fers, rec, &mut recs, &mut self.fer_tmp, &mut self.diag);
            ev.take_warnings(&mut self.diag, false);
            let mut back = None;
            for r in recs.drain(..) {
                back = self.searched(r, ev);
            }
            self.fer_out = recs;
            // A record not kept is handed back for reuse, as without FERs.
            return back;
        }
        self.searched(rec, ev)
    }

    /// Takes a record that already passed one filter, which is not tried
    /// again: the search expression (`search_passed`), or else the first
    /// stage, a `where`. Only without FERs (they run before the search).
    pub(crate) fn push_passed(
        &mut self,
        rec: Record,
        search_passed: bool,
        ev: &mut Events,
    ) -> Option<Record> {
        if search_passed {
            return self.run(rec, 0, ev);
        }
        if !self.search.matches(&rec) {
            return Some(rec);
        }
        self.run(rec, 1, ev)
    }

    fn searched(&mut self, rec: Record, ev: &mut Events) -> Option<Record> {
        if !self.search.matches(&rec) {
            return Some(rec);
        }
        self.run(rec, 0, ev)
    }

    /// Runs `rec` through the stages from `from` on.
    fn run(&mut self, mut rec: Record, from: usize, ev: &mut Events) -> Option<Record> {
        let stages = self.stages;
        for (i, s) in stages.iter().enumerate().skip(from) {
            match s {
                StagePlan::Where(w) => {
                    if !w.cond.eval(&rec).truthy() {
                        return Some(rec);
                    }
                }
                StagePlan::Eval(e) => e.apply(&mut rec),
                StagePlan::Fields(f) => f.apply(&mut rec),
                other => {
                    let mut out = Vec::new();
                    other.apply_record(rec, &mut out, &mut self.diag);
                    ev.take_warnings(&mut self.diag, false);
                    for r in out {
                        self.run(r, i + 1, ev);
                    }
                    return None;
                }
            }
        }
        match &mut self.agg {
            Some(agg) => {
                agg.add(&rec, &mut self.skips);
                ev.list.extend(self.skips.drain(..).map(Event::Skip));
                Some(rec)
            }
            None => {
                ev.list.push(Event::Row(rec));
                None
            }
        }
    }
}
