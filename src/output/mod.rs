//! Output (SPEC §7): JSON lines streamed as rows come, tables and CSV once
//! the columns are known. Columns are the rows' visible fields in order of
//! first appearance; a row with no field shows its `_raw`.

mod csv_out;
mod json;
mod table;

use std::io::{self, Write};
use std::sync::Arc;

use crate::exec::Sink;
use crate::input::Flow;
use crate::record::{Name, Record};
use crate::value::Value;

pub use csv_out::CsvSink;
pub use json::{row_line, JsonSink};
pub use table::{escape_controls, new_table, render_table, TableSink};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A comfy-table table.
    Table,
    /// One JSON object per line.
    Json,
    /// Comma-separated values with a header.
    Csv,
}

/// The visible fields of a row, or `_raw` when it has none.
pub fn row_fields(rec: &Record) -> Vec<(Name, Value)> {
    if rec.fields.is_empty() {
        vec![(Arc::from("_raw"), rec.raw_value())]
    } else {
        rec.fields.clone()
    }
}

/// Columns in order of first appearance across rows.
pub fn columns(rows: &[Record]) -> Vec<Name> {
    let mut cols: Vec<Name> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in rows {
        if r.fields.is_empty() {
            if seen.insert(Arc::<str>::from("_raw")) {
                cols.push(Arc::from("_raw"));
            }
            continue;
        }
        for (k, _) in &r.fields {
            if !seen.contains(k) {
                seen.insert(k.clone());
                cols.push(k.clone());
            }
        }
    }
    cols
}

/// A row's value for a column (exact name; `_raw` for text-only rows).
pub fn cell<'a>(rec: &'a Record, col: &str) -> Option<&'a Value> {
    rec.fields.iter().find(|(k, _)| &**k == col).map(|(_, v)| v)
}

/// The value in a column, including `_raw` of a row without fields.
pub fn cell_value(rec: &Record, col: &str) -> Value {
    match cell(rec, col) {
        Some(v) => v.clone(),
        None if col == "_raw" && rec.fields.is_empty() => rec.raw_value(),
        None => Value::Null,
    }
}

/// Makes a sink for a format writing to `out`.
pub fn sink_for(
    format: Format,
    out: Box<dyn Write + Send>,
    width: Option<u16>,
) -> Box<dyn OutputSink> {
    match format {
        Format::Json => Box::new(JsonSink::new(out)),
        Format::Csv => Box::new(CsvSink::new(out)),
        Format::Table => Box::new(TableSink::new(out, width)),
    }
}

/// A sink that also has an end: tables and CSV print there.
pub trait OutputSink: Sink {
    /// Writes what was held back; an error is reported by the caller (a
    /// closed pipe is not an error).
    fn close(&mut self) -> io::Result<()>;
    /// Rows written (or collected) so far.
    fn rows(&self) -> u64;
}

/// True for the error a closed pipe gives.
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Shared by the sinks: turns a write error into a flow decision.
fn flow_of(r: io::Result<()>, err: &mut Option<io::Error>) -> Flow {
    match r {
        Ok(()) => Flow::Continue,
        Err(e) => {
            *err = Some(e);
            Flow::Stop
        }
    }
}
