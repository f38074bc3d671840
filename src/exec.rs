//! The streaming executor: each record goes through the FERs, the search
//! expression and the stages in turn; stages that hold records (sort,
//! aggregation) emit them at the end. The batch CLI feeds it from readers,
//! the REPL from records held in memory.

use crate::diag::Diagnostics;
use crate::input::Flow;
use crate::plan::Plan;
use crate::record::Record;
use crate::search::CSearch;
use crate::stages::{Operator, StagePlan};

/// Where finished rows go.
pub trait Sink {
    /// Takes one output row; `Flow::Stop` ends the run (a closed pipe).
    fn row(&mut self, rec: Record) -> Flow;
}

/// A field extraction rule: a scope (its search expression) and the
/// per-record stages applied to records in scope, before the query.
#[derive(Clone, Debug)]
pub struct Fer {
    /// Records outside the scope pass through unchanged.
    pub scope: CSearch,
    /// The per-record stages.
    pub stages: Vec<StagePlan>,
}

impl Fer {
    /// Applies the rule to one record, pushing the result(s) to `out`. A
    /// FER never drops a record: where a parsing stage would drop it, the
    /// record goes on as it was (as Sumo's FERs do).
    pub fn apply(&self, rec: Record, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        self.apply_with(rec, out, &mut Vec::new(), diag);
    }

    /// [`apply`](Self::apply) with a buffer for the stages' outputs that
    /// the caller keeps between records, so a record costs no allocation
    /// here.
    pub fn apply_with(
        &self,
        rec: Record,
        out: &mut Vec<Record>,
        tmp: &mut Vec<Record>,
        diag: &mut Diagnostics,
    ) {
        if !self.scope.matches(&rec) {
            out.push(rec);
            return;
        }
        // One record in, one out is the rule's usual course: it is changed
        // in place. Once a stage makes several records (or none), the rest
        // runs stage by stage over all of them, as it always did, so
        // warnings keep their order.
        let mut rec = rec;
        for (i, s) in self.stages.iter().enumerate() {
            match s {
                StagePlan::Eval(e) => e.apply(&mut rec),
                StagePlan::Fields(f) => f.apply(&mut rec),
                _ => {
                    tmp.clear();
                    Self::stage(s, rec, tmp, diag);
                    match tmp.pop() {
                        Some(one) if tmp.is_empty() => rec = one,
                        last => {
                            tmp.extend(last);
                            let cur = std::mem::take(tmp);
                            return self.each_stage(i + 1, cur, out, diag);
                        }
                    }
                }
            }
        }
        out.push(rec);
    }

    /// Runs the stages from `from` on over several records, one stage at a
    /// time.
    fn each_stage(
        &self,
        from: usize,
        mut cur: Vec<Record>,
        out: &mut Vec<Record>,
        diag: &mut Diagnostics,
    ) {
        for s in &self.stages[from..] {
            let mut next = Vec::with_capacity(cur.len());
            for r in cur {
                Self::stage(s, r, &mut next, diag);
            }
            cur = next;
        }
        out.extend(cur);
    }

    /// One stage on one record: a per-record stage keeps what it would
    /// drop.
    fn stage(s: &StagePlan, rec: Record, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        match s {
            StagePlan::Record(r) => r.apply_kept(rec, out, diag),
            _ => s.apply_record(rec, out, diag),
        }
    }
}

/// Applies every FER, in order, to a record; returns what comes out
/// (usually the one record).
pub fn apply_fers(fers: &[Fer], rec: Record, diag: &mut Diagnostics) -> Vec<Record> {
    let mut out = Vec::with_capacity(1);
    apply_fers_into(fers, rec, &mut out, &mut Vec::new(), diag);
    out
}

/// [`apply_fers`] pushing to `out`, with a buffer `tmp` the caller keeps
/// between records (see [`Fer::apply_with`]).
pub fn apply_fers_into(
    fers: &[Fer],
    rec: Record,
    out: &mut Vec<Record>,
    tmp: &mut Vec<Record>,
    diag: &mut Diagnostics,
) {
    match fers {
        [] => out.push(rec),
        [one] => one.apply_with(rec, out, tmp, diag),
        _ => {
            let mut cur = vec![rec];
            for f in fers {
                let mut next = Vec::with_capacity(cur.len());
                for r in cur {
                    f.apply_with(r, &mut next, tmp, diag);
                }
                cur = next;
            }
            out.extend(cur);
        }
    }
}

/// One run of a plan.
pub struct Pipeline {
    search: CSearch,
    ops: Vec<Box<dyn Operator>>,
    per_record: Vec<bool>,
    bufs: Vec<Vec<Record>>,
    stopped: bool,
    /// Records that passed the search expression.
    pub matched: u64,
    /// Records handed to stages, for checking the memory budget now and
    /// then.
    handed: u64,
}

impl Pipeline {
    /// A fresh run of a plan.
    pub fn new(plan: &Plan) -> Pipeline {
        Pipeline {
            search: plan.search.clone(),
            ops: plan.stages.iter().map(|s| s.operator()).collect(),
            per_record: plan.stages.iter().map(|s| s.is_per_record()).collect(),
            bufs: plan.stages.iter().map(|_| Vec::new()).collect(),
            stopped: false,
            matched: 0,
            handed: 0,
        }
    }

    /// Every few thousand records, whether the run is over the memory
    /// budget (stages that multiply records, such as `join`, grow here).
    fn over_budget(&mut self) -> bool {
        self.handed += 1;
        self.handed % MEMORY_CHECK_EVERY == 0 && crate::memory::check().is_err()
    }

    /// Pushes one record (after FERs). Returns `Stop` when no more input can
    /// change the result or the sink is closed.
    pub fn push(&mut self, rec: Record, sink: &mut dyn Sink, diag: &mut Diagnostics) -> Flow {
        if self.stopped {
            return Flow::Stop;
        }
        if !self.search.matches(&rec) {
            return Flow::Continue;
        }
        self.matched += 1;
        self.push_at(0, rec, sink, diag)
    }

    /// Pushes a record that has already been through the search
    /// expression and the first `i` stages (a parallel run does those on
    /// worker threads). Returns `Stop` as [`push`](Self::push) does.
    pub fn push_at(
        &mut self,
        i: usize,
        rec: Record,
        sink: &mut dyn Sink,
        diag: &mut Diagnostics,
    ) -> Flow {
        if self.stopped {
            return Flow::Stop;
        }
        if let Flow::Stop = self.run_from(i, rec, sink, diag) {
            self.stopped = true;
            return Flow::Stop;
        }
        if self.input_done() {
            return Flow::Stop;
        }
        Flow::Continue
    }

    /// True when a reached `limit` has only per-record stages before it, so
    /// reading more input cannot change the output.
    fn input_done(&self) -> bool {
        for (op, per) in self.ops.iter().zip(&self.per_record) {
            if op.done() {
                return true;
            }
            if !per {
                return false;
            }
        }
        false
    }

    fn run_from(
        &mut self,
        i: usize,
        rec: Record,
        sink: &mut dyn Sink,
        diag: &mut Diagnostics,
    ) -> Flow {
        if i == self.ops.len() {
            return sink.row(rec);
        }
        if self.ops[i].done() {
            return Flow::Continue;
        }
        if self.over_budget() {
            return Flow::Stop;
        }
        let mut buf = std::mem::take(&mut self.bufs[i]);
        self.ops[i].push(rec, &mut buf, diag);
        let mut flow = Flow::Continue;
        let mut rest = buf.drain(..);
        for r in rest.by_ref() {
            if let Flow::Stop = self.run_from(i + 1, r, sink, diag) {
                flow = Flow::Stop;
                break;
            }
        }
        drop(rest);
        self.bufs[i] = buf;
        flow
    }

    /// End of input: flushes every holding stage in order.
    pub fn finish(&mut self, sink: &mut dyn Sink, diag: &mut Diagnostics) {
        self.finish_from(0, sink, diag);
    }

    /// End of input for a run whose stages up to `i` ran elsewhere and
    /// gave `rows` (a parallel aggregation): the rows go on through the
    /// stages after `i`, which are then flushed, as [`finish`](Self::finish)
    /// does with what stage `i` holds.
    pub fn finish_with(
        &mut self,
        i: usize,
        rows: impl IntoIterator<Item = Record>,
        sink: &mut dyn Sink,
        diag: &mut Diagnostics,
    ) {
        if self.stopped {
            return;
        }
        for r in rows {
            if let Flow::Stop = self.run_from(i + 1, r, sink, diag) {
                self.stopped = true;
                return;
            }
        }
        self.finish_from(i + 1, sink, diag);
    }

    /// End of input for a run whose stages before `start` ran elsewhere:
    /// flushes the holding stages from `start` on.
    pub fn finish_from(&mut self, start: usize, sink: &mut dyn Sink, diag: &mut Diagnostics) {
        if self.stopped {
            return;
        }
        for i in start..self.ops.len() {
            let mut out = Vec::new();
            self.ops[i].finish(&mut out, diag);
            for r in out {
                if let Flow::Stop = self.run_from(i + 1, r, sink, diag) {
                    self.stopped = true;
                    return;
                }
            }
        }
    }
}

/// How many records the stages take between two checks of the memory
/// budget.
const MEMORY_CHECK_EVERY: u64 = 1024;

/// A sink that collects rows in memory (tests, the REPL).
#[derive(Default)]
pub struct Collect {
    /// The rows.
    pub rows: Vec<Record>,
}

impl Sink for Collect {
    fn row(&mut self, rec: Record) -> Flow {
        self.rows.push(rec);
        Flow::Continue
    }
}
