//! JSON lines, streamed: keys in column order, non-finite floats as strings.

use std::io::{self, BufWriter, Write};

use super::{flow_of, row_fields, OutputSink};
use crate::exec::Sink;
use crate::input::Flow;
use crate::record::Record;
use crate::value::{format_float, Value};

/// Writes one JSON object per row.
pub struct JsonSink {
    out: BufWriter<Box<dyn Write + Send>>,
    err: Option<io::Error>,
    n: u64,
}

impl JsonSink {
    /// A sink writing to `out`.
    pub fn new(out: Box<dyn Write + Send>) -> JsonSink {
        JsonSink {
            out: BufWriter::with_capacity(1 << 16, out),
            err: None,
            n: 0,
        }
    }
}

/// One row as a JSON line. Written by hand rather than through
/// `serde_json::Value` so floats keep sumoq's text (`1e30`, not `1e+30`)
/// and non-finite floats become strings.
pub fn row_line(rec: &Record) -> String {
    let mut out = String::with_capacity(128);
    out.push('{');
    for (i, (k, v)) in row_fields(rec).iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::Value::String(k.to_string()).to_string());
        out.push(':');
        match v {
            Value::Float(f) if f.is_finite() => out.push_str(&format_float(*f)),
            other => out.push_str(&other.to_json().to_string()),
        }
    }
    out.push('}');
    out
}

impl Sink for JsonSink {
    fn row(&mut self, rec: Record) -> Flow {
        self.n += 1;
        let line = row_line(&rec);
        let r = self
            .out
            .write_all(line.as_bytes())
            .and_then(|_| self.out.write_all(b"\n"));
        flow_of(r, &mut self.err)
    }
}

impl OutputSink for JsonSink {
    fn close(&mut self) -> io::Result<()> {
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        self.out.flush()
    }

    fn rows(&self) -> u64 {
        self.n
    }
}
