//! A worker: turns a chunk of lines into its events (and its partial
//! aggregation), reading each line with the projected reader and trying the
//! cheap filters (the search expression and leading `where` stages) on just
//! the fields they read before the whole record is built.

use std::io;

use super::chunks::Chunk;
use super::events::Events;
use super::prefix::Prefix;
use super::shape::Shape;
use crate::diag::Diagnostics;
use crate::input::project::{Line, LineMaker};
use crate::input::InputOptions;
use crate::record::Record;
use crate::stages::aggregate::AggOp;

/// What a worker hands back for one chunk.
pub(crate) struct ChunkOut {
    /// The chunk's place in the input.
    pub(crate) index: u64,
    /// Rows and warnings in input order.
    pub(crate) events: Events,
    /// The chunk's partial aggregation, when the run aggregates.
    pub(crate) agg: Option<AggOp>,
    /// Records read (non-blank lines).
    pub(crate) records: u64,
    /// Bytes of input in the chunk.
    pub(crate) bytes: u64,
    /// The read error that ended the input at this chunk.
    pub(crate) error: Option<io::Error>,
}

impl ChunkOut {
    /// The chunk where reading failed.
    pub(crate) fn failed(index: u64, e: io::Error) -> ChunkOut {
        ChunkOut {
            index,
            events: Events::default(),
            agg: None,
            records: 0,
            bytes: 0,
            error: Some(e),
        }
    }
}

/// One thread's reader and pipeline start.
pub(crate) struct Worker<'p> {
    shape: &'p Shape<'p>,
    maker: LineMaker,
    prefix: Prefix<'p>,
    reader_diag: Diagnostics,
    /// A record kept for reuse between lines.
    scratch: Option<Record>,
}

impl<'p> Worker<'p> {
    /// A worker for the input called `name`.
    pub(crate) fn new(shape: &'p Shape<'p>, name: &str, opts: &InputOptions) -> Self {
        let first = shape.first.as_ref().map(|_| &shape.first_reads[..]);
        let maker = LineMaker::new(name, opts, &shape.projection, first);
        Worker {
            shape,
            maker,
            prefix: Prefix::new(shape.fers, shape.search, shape.prefix),
            reader_diag: Diagnostics::capturing(),
            scratch: None,
        }
    }

    /// Processes one chunk.
    pub(crate) fn chunk(&mut self, chunk: Chunk) -> ChunkOut {
        let mut ev = Events::default();
        self.prefix.agg = self.shape.agg.map(|p| AggOp::new(p.clone()));
        let mut records = 0;
        for (line, bytes) in chunk.lines() {
            // Over the memory budget, the run is ending: stop making
            // records (each may make many, as `kv` or `parse multi` do).
            if records % 256 == 0 && crate::memory::check().is_err() {
                break;
            }
            match self.maker.read(bytes, line, &mut self.reader_diag) {
                Line::Blank => {}
                Line::Record(rec) => {
                    records += 1;
                    ev.take_warnings(&mut self.reader_diag, true);
                    self.prefix.push(rec, &mut ev);
                }
                Line::Fast(bytes, text) => {
                    records += 1;
                    self.fast(bytes, text, line, &mut ev);
                }
            }
        }
        ChunkOut {
            index: chunk.index,
            events: ev,
            agg: self.prefix.agg.take(),
            records,
            bytes: chunk.bytes.len() as u64,
            error: None,
        }
    }

    /// A line the scanner read: the first filter on its own fields, then
    /// the whole record.
    fn fast(&mut self, bytes: &[u8], text: Option<&str>, line: u64, ev: &mut Events) {
        let mut rec = match self.scratch.take() {
            Some(r) => r,
            None => self.maker.shell(line),
        };
        let mut passed = None;
        if let (Some(test), true) = (&self.shape.first, self.maker.two_step()) {
            if !self.maker.fill_first(&mut rec, bytes, line) {
                return self.plain(rec, bytes, line, ev);
            }
            if !test.passes(&rec, bytes, text) {
                self.scratch = Some(rec);
                return;
            }
            passed = test.passed();
        }
        if !self.maker.fill(&mut rec, bytes, text, line) {
            return self.plain(rec, bytes, line, ev);
        }
        self.scratch = match passed {
            // The filter that passed is not tried again.
            Some(search) => self.prefix.push_passed(rec, search, ev),
            None => self.prefix.push(rec, ev),
        };
    }

    /// Reads a line the plain way after a value would not build.
    fn plain(&mut self, scratch: Record, text: &[u8], line: u64, ev: &mut Events) {
        self.scratch = Some(scratch);
        let rec = self.maker.plain(text, line, &mut self.reader_diag);
        ev.take_warnings(&mut self.reader_diag, true);
        self.prefix.push(rec, ev);
    }
}
