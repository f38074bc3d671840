//! Running a plan over inputs on every core, with the same output as one
//! sequential pass, byte for byte, at any thread count.
//!
//! A line input is cut into fixed-size chunks of whole lines
//! ([`chunks`]); worker threads take chunks in order, make their records
//! (reading only the fields the query needs) and run the per-record start
//! of the pipeline ([`prefix`]) on them, collecting rows and warnings in
//! input order ([`events`]), or a partial aggregation when the pipeline
//! aggregates next. The main thread takes the chunks' results back in chunk
//! order, replays warnings, feeds rows to the rest of the pipeline and
//! merges aggregations (sums are exact, so merging is order-proof; groups
//! keep their first-appearance order). At most a few chunks per thread are
//! in flight, so memory stays flat however large the input; a reached
//! `limit` or a closed pipe stops the reading.
//!
//! Inputs read sequentially (JSON arrays, Zeek logs) go through the same
//! prefix on the main thread.

mod chunks;
mod events;
mod prefix;
mod shape;
mod worker;

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::{mpsc, Condvar, Mutex};

use crate::diag::Diagnostics;
use crate::exec::{Fer, Pipeline, Sink};
use crate::input::detect::{Format, Input};
use crate::input::{self, Flow, InputOptions};
use crate::memory;
use crate::plan::Plan;
use crate::progress::Progress;
use crate::stages::aggregate::{AggOp, Skip};

use chunks::{ChunkReader, CHUNK_SIZE};
use events::{replay_warning, Event, Events};
use prefix::Prefix;
use shape::Shape;
use worker::{ChunkOut, Worker};

/// How a run uses the machine.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Show a progress line on stderr (the caller checks it is a terminal).
    pub progress: bool,
    /// Bytes per chunk of a line input. Results do not depend on it; tests
    /// make it small to cut small inputs into many chunks.
    pub chunk_size: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            threads: default_threads(),
            progress: false,
            chunk_size: CHUNK_SIZE,
        }
    }
}

/// The number of cores available.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Chunks in flight (being read, processed or waiting to be consumed) per
/// worker thread: enough to keep every thread busy while the main thread
/// catches up, few enough that memory does not grow with the input.
const IN_FLIGHT_PER_THREAD: usize = 2;

/// One run of a plan over any number of inputs.
pub(crate) struct Runner<'p> {
    shape: Shape<'p>,
    main: MainSide,
    opts: &'p InputOptions,
    run: RunOptions,
}

/// The main thread's side: the rest of the pipeline.
struct MainSide {
    /// The index of the first stage the main thread runs.
    rest: usize,
    pipe: Pipeline,
    /// The whole run's aggregation, when the prefix is followed by one.
    agg: Option<AggOp>,
    skips: Vec<Skip>,
    records: u64,
    progress: Option<Progress>,
    /// Set when the run went over the memory budget: it stops, and no
    /// partial aggregate is printed.
    exceeded: Option<memory::Exceeded>,
}

impl<'p> Runner<'p> {
    /// A run of `plan` after `fers`.
    pub(crate) fn new(
        plan: &'p Plan,
        fers: &'p [Fer],
        opts: &'p InputOptions,
        run: &RunOptions,
    ) -> Self {
        let shape = Shape::new(plan, fers, opts);
        let agg = shape.agg.map(|a| AggOp::new(a.clone()));
        let main = MainSide {
            rest: shape.rest,
            pipe: Pipeline::new(plan),
            agg,
            skips: Vec::new(),
            records: 0,
            progress: run.progress.then(Progress::new),
            exceeded: None,
        };
        let mut run = run.clone();
        run.threads = run.threads.max(1);
        Runner {
            shape,
            main,
            opts,
            run,
        }
    }

    /// Records read so far.
    pub(crate) fn records(&self) -> u64 {
        self.main.records
    }

    /// Reads one input (already opened; `name` is its display name).
    /// Returns `Stop` when no more input is wanted. An I/O error ends this
    /// input after the records before it were used.
    pub(crate) fn input(
        &mut self,
        name: &str,
        reader: Box<dyn Read + Send>,
        reader_diag: &mut Diagnostics,
        stage_diag: &mut Diagnostics,
        sink: &mut dyn Sink,
    ) -> io::Result<Flow> {
        let (format, input) = input::detect::sniff(reader)?;
        match format {
            Format::Lines => self.lines(name, input, reader_diag, stage_diag, sink),
            other => self.sequential(name, other, input, reader_diag, stage_diag, sink),
        }
    }

    /// Why the run stopped early for memory, if it did.
    pub(crate) fn exceeded(&self) -> Option<memory::Exceeded> {
        self.main.exceeded.or_else(memory::tripped)
    }

    /// End of input: flushes the rest of the pipeline (nothing after the
    /// memory budget stopped the run: a partial aggregate is a wrong one).
    pub(crate) fn finish(mut self, sink: &mut dyn Sink, stage_diag: &mut Diagnostics) {
        if let Some(p) = &mut self.main.progress {
            p.clear();
        }
        if self.exceeded().is_some() {
            return;
        }
        let m = &mut self.main;
        match m.agg.take() {
            Some(agg) => m
                .pipe
                .finish_with(m.rest, agg.into_rows(), sink, stage_diag),
            None => m.pipe.finish_from(m.rest, sink, stage_diag),
        }
    }

    /// A line input, on the worker threads.
    fn lines(
        &mut self,
        name: &str,
        input: Input,
        reader_diag: &mut Diagnostics,
        stage_diag: &mut Diagnostics,
        sink: &mut dyn Sink,
    ) -> io::Result<Flow> {
        let threads = self.run.threads;
        let cap = threads * IN_FLIGHT_PER_THREAD + 1;
        let source = Mutex::new(Source {
            reader: ChunkReader::new(input, self.run.chunk_size),
            in_flight: 0,
            stop: false,
            done: false,
        });
        let cv = Condvar::new();
        let (tx, rx) = mpsc::channel::<ChunkOut>();
        let shape = &self.shape;
        let opts = self.opts;
        let main = &mut self.main;
        std::thread::scope(|s| {
            for _ in 0..threads {
                let tx = tx.clone();
                let (source, cv) = (&source, &cv);
                let job = move || work(shape, name, opts, source, cv, cap, tx);
                // Deep (but bounded) expressions recurse while evaluated;
                // the default 2 MiB of a spawned thread is too tight.
                std::thread::Builder::new()
                    .name("sumoq-worker".into())
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(s, job)
                    .expect("spawn a worker thread");
            }
            drop(tx);
            let mut pending: BTreeMap<u64, ChunkOut> = BTreeMap::new();
            let mut next = 0u64;
            let mut outcome = Ok(Flow::Continue);
            'recv: for out in rx.iter() {
                pending.insert(out.index, out);
                while let Some(out) = pending.remove(&next) {
                    next += 1;
                    release(&source, &cv);
                    if let Some(e) = out.error {
                        outcome = Err(e);
                        stop(&source, &cv);
                        break 'recv;
                    }
                    if main.chunk(out, reader_diag, stage_diag, sink) == Flow::Stop {
                        outcome = Ok(Flow::Stop);
                        stop(&source, &cv);
                        break 'recv;
                    }
                }
            }
            outcome
        })
    }

    /// An input read sequentially, through the same prefix on this thread.
    fn sequential(
        &mut self,
        name: &str,
        format: Format,
        input: Input,
        reader_diag: &mut Diagnostics,
        stage_diag: &mut Diagnostics,
        sink: &mut dyn Sink,
    ) -> io::Result<Flow> {
        let shape = &self.shape;
        let main = &mut self.main;
        let mut prefix = Prefix::new(shape.fers, shape.search, shape.prefix);
        let mut ev = Events::default();
        // Reader warnings go straight to `reader_diag`; this one is unused.
        let mut unused = Diagnostics::default();
        let mut flow = Flow::Continue;
        let res = input::read_format(name, format, input, self.opts, reader_diag, &mut |rec| {
            main.records += 1;
            if main.records % MEMORY_CHECK_EVERY == 0 {
                if let Err(e) = memory::check() {
                    main.exceeded = Some(e);
                    flow = Flow::Stop;
                    return Flow::Stop;
                }
            }
            prefix.push(rec, &mut ev);
            for e in ev.list.drain(..) {
                if main.event(e, &mut unused, stage_diag, sink) == Flow::Stop {
                    flow = Flow::Stop;
                    return Flow::Stop;
                }
            }
            Flow::Continue
        });
        res.map(|_| flow)
    }
}

impl MainSide {
    /// Consumes one chunk's results, in input order.
    fn chunk(
        &mut self,
        out: ChunkOut,
        reader_diag: &mut Diagnostics,
        stage_diag: &mut Diagnostics,
        sink: &mut dyn Sink,
    ) -> Flow {
        self.records += out.records;
        for e in out.events.list {
            if self.event(e, reader_diag, stage_diag, sink) == Flow::Stop {
                return Flow::Stop;
            }
        }
        if let (Some(all), Some(part)) = (&mut self.agg, out.agg) {
            all.merge(part);
        }
        if let Err(e) = memory::check() {
            self.exceeded = Some(e);
            return Flow::Stop;
        }
        if let Some(p) = &mut self.progress {
            p.advance(out.bytes, self.records);
        }
        Flow::Continue
    }

    fn event(
        &mut self,
        e: Event,
        reader_diag: &mut Diagnostics,
        stage_diag: &mut Diagnostics,
        sink: &mut dyn Sink,
    ) -> Flow {
        let is_warning = matches!(e, Event::Warn { .. } | Event::More { .. });
        if is_warning {
            if let Some(p) = &mut self.progress {
                p.clear();
            }
        }
        let Some(e) = replay_warning(e, reader_diag, stage_diag) else {
            return Flow::Continue;
        };
        match (e, &mut self.agg) {
            (Event::Row(r), Some(agg)) => {
                agg.add(&r, &mut self.skips);
                for s in self.skips.drain(..) {
                    agg.report_skip(s, stage_diag);
                }
            }
            (Event::Row(r), None) => {
                if let Some(p) = &mut self.progress {
                    p.clear();
                }
                return self.pipe.push_at(self.rest, r, sink, stage_diag);
            }
            (Event::Skip(s), Some(agg)) => agg.report_skip(s, stage_diag),
            _ => {}
        }
        Flow::Continue
    }
}

/// The stack of a worker thread (reserved, not used, until needed).
const WORKER_STACK: usize = 64 << 20;

/// How many records an input read on the main thread goes between two
/// checks of the memory budget (line inputs are checked once a chunk).
const MEMORY_CHECK_EVERY: u64 = 4096;

/// The shared reading state of one line input.
struct Source<R> {
    reader: ChunkReader<R>,
    in_flight: usize,
    stop: bool,
    done: bool,
}

/// A worker thread: takes the next chunk while fewer than `cap` are in
/// flight, processes it and sends the result, until the input ends or the
/// run stops.
fn work<R: Read>(
    shape: &Shape<'_>,
    name: &str,
    opts: &InputOptions,
    source: &Mutex<Source<R>>,
    cv: &Condvar,
    cap: usize,
    tx: mpsc::Sender<ChunkOut>,
) {
    let mut worker = Worker::new(shape, name, opts);
    loop {
        let next = {
            let Ok(mut g) = source.lock() else {
                return;
            };
            while g.in_flight >= cap && !g.stop {
                g = match cv.wait(g) {
                    Ok(g) => g,
                    Err(_) => return,
                };
            }
            if g.stop || g.done {
                return;
            }
            match g.reader.next_chunk() {
                Ok(Some(c)) => {
                    g.in_flight += 1;
                    Ok(c)
                }
                Ok(None) => {
                    g.done = true;
                    cv.notify_all();
                    return;
                }
                Err(e) => {
                    g.done = true;
                    g.in_flight += 1;
                    cv.notify_all();
                    Err(ChunkOut::failed(g.reader.next_index(), e))
                }
            }
        };
        let out = match next {
            Ok(chunk) => worker.chunk(chunk),
            Err(failed) => failed,
        };
        if tx.send(out).is_err() {
            return;
        }
    }
}

/// A chunk was consumed: one more may be read.
fn release<R>(source: &Mutex<Source<R>>, cv: &Condvar) {
    if let Ok(mut g) = source.lock() {
        g.in_flight = g.in_flight.saturating_sub(1);
    }
    cv.notify_all();
}

/// No more chunks are wanted.
fn stop<R>(source: &Mutex<Source<R>>, cv: &Condvar) {
    if let Ok(mut g) = source.lock() {
        g.stop = true;
    }
    cv.notify_all();
}
