//! CSV with a header of every column seen; null is an empty cell.

use std::io::{self, Write};

use super::{cell_value, columns, OutputSink};
use crate::exec::Sink;
use crate::input::Flow;
use crate::record::Record;

/// Collects rows, then writes CSV with the `csv` crate's quoting.
pub struct CsvSink {
    out: Box<dyn Write + Send>,
    rows: Vec<Record>,
}

impl CsvSink {
    /// A sink writing to `out`.
    pub fn new(out: Box<dyn Write + Send>) -> CsvSink {
        CsvSink {
            out,
            rows: Vec::new(),
        }
    }
}

impl Sink for CsvSink {
    fn row(&mut self, rec: Record) -> Flow {
        self.rows.push(rec);
        Flow::Continue
    }
}

impl OutputSink for CsvSink {
    fn close(&mut self) -> io::Result<()> {
        let cols = columns(&self.rows);
        let mut w = csv::Writer::from_writer(&mut self.out);
        // Keep an I/O error's kind, so a closed pipe stays quiet.
        let to_io = |e: csv::Error| match e.into_kind() {
            csv::ErrorKind::Io(io) => io,
            other => io::Error::other(format!("{other:?}")),
        };
        if !cols.is_empty() {
            w.write_record(cols.iter().map(|c| c.as_bytes()))
                .map_err(to_io)?;
        }
        for r in &self.rows {
            let cells: Vec<String> = cols
                .iter()
                .map(|c| cell_value(r, c).display_text().into_owned())
                .collect();
            w.write_record(&cells).map_err(to_io)?;
        }
        w.flush()
    }

    fn rows(&self) -> u64 {
        self.rows.len() as u64
    }
}
