//! Showing a result: the first rows as a table fitted to the terminal (or
//! as JSON lines or CSV), and how many more rows there were.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use crate::exec::Sink;
use crate::input::Flow;
use crate::output::{self, Format};
use crate::record::Record;

/// Keeps the first `limit` rows (all when `None`) and counts every row.
#[derive(Debug, Default)]
pub struct Head {
    /// The rows kept.
    pub rows: Vec<Record>,
    /// Every row the query produced.
    pub total: u64,
    limit: Option<usize>,
}

impl Head {
    /// A sink keeping at most `limit` rows.
    pub fn new(limit: Option<usize>) -> Head {
        Head {
            rows: Vec::new(),
            total: 0,
            limit,
        }
    }
}

impl Sink for Head {
    fn row(&mut self, rec: Record) -> Flow {
        self.total += 1;
        if self.limit.is_none_or(|l| self.rows.len() < l) {
            self.rows.push(rec);
        }
        // Keep going: the count of the rows not shown is worth having.
        Flow::Continue
    }
}

/// A writer into a shared buffer: the output sinks want to own a
/// `Write + Send`, and the REPL wants the bytes back.
#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.0.lock() {
            Ok(mut v) => {
                v.extend_from_slice(buf);
                Ok(buf.len())
            }
            Err(_) => Err(io::Error::other("output buffer poisoned")),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The text of a result in a format: the rows, then (for a table) a line
/// saying how many rows were not shown. `note` gets that line for the other
/// formats, where it must not mix with the data.
pub fn render(head: &Head, format: Format, width: Option<u16>) -> (String, Option<String>) {
    let more = head.total.saturating_sub(head.rows.len() as u64);
    let note = (more > 0).then(|| {
        format!(
            "… {} more row{} ({} in all; `:set rows N` shows more, `:set rows 0` all)",
            super::progress::thousands(more),
            if more == 1 { "" } else { "s" },
            super::progress::thousands(head.total)
        )
    });
    match format {
        Format::Table => {
            if head.rows.is_empty() {
                return ("no rows\n".into(), None);
            }
            let mut s = output::render_table(&head.rows, width);
            s.push('\n');
            if let Some(n) = note {
                s.push_str(&n);
                s.push('\n');
            }
            (s, None)
        }
        Format::Json | Format::Csv => {
            let buf = SharedBuf::default();
            let mut sink = output::sink_for(format, Box::new(buf.clone()), None);
            for r in &head.rows {
                sink.row(r.clone());
            }
            // Writing into memory cannot fail short of poisoning.
            let _ = sink.close();
            drop(sink);
            let bytes = buf.0.lock().map(|v| v.clone()).unwrap_or_default();
            (String::from_utf8_lossy(&bytes).into_owned(), note)
        }
    }
}

/// Escapes control characters, so log text shown in a table cannot move
/// the cursor or retitle the terminal (the same rule as `sumoq run`).
pub use crate::output::escape_controls as clean;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn rows(n: usize) -> Head {
        let mut h = Head::new(Some(2));
        for i in 0..n {
            let mut r = Record::default();
            r.fields.push((Arc::from("n"), Value::Int(i as i64)));
            h.row(r);
        }
        h
    }

    #[test]
    fn table_with_more_rows() {
        let h = rows(5);
        assert_eq!(h.rows.len(), 2);
        assert_eq!(h.total, 5);
        let (t, note) = render(&h, Format::Table, None);
        assert!(t.contains("│ 1 │"), "{t}");
        assert!(!t.contains("│ 2 │"), "{t}");
        assert!(
            t.ends_with("… 3 more rows (5 in all; `:set rows N` shows more, `:set rows 0` all)\n"),
            "{t}"
        );
        assert!(note.is_none());
        let (t, _) = render(&rows(0), Format::Table, None);
        assert_eq!(t, "no rows\n");
    }

    #[test]
    fn json_and_csv_keep_the_note_apart() {
        let h = rows(3);
        let (j, note) = render(&h, Format::Json, None);
        assert_eq!(j, "{\"n\":0}\n{\"n\":1}\n");
        assert!(note.unwrap_or_default().starts_with("… 1 more row ("));
        let (c, _) = render(&h, Format::Csv, None);
        assert_eq!(c, "n\n0\n1\n");
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(clean("a\x1b]0;x\x07b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(clean("plain"), "plain");
    }
}
