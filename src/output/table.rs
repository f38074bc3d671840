//! Tables with comfy-table, fitted to the terminal. Control characters from
//! logs are shown escaped, so a hostile log line cannot move the cursor or
//! retitle the terminal.

use std::io::{self, Write};

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use super::{cell_value, columns, OutputSink};
use crate::exec::Sink;
use crate::input::Flow;
use crate::record::Record;

/// Collects rows, then prints one table.
pub struct TableSink {
    out: Box<dyn Write + Send>,
    rows: Vec<Record>,
    width: Option<u16>,
}

impl TableSink {
    /// A sink writing to `out`, fitted to `width` columns when given.
    pub fn new(out: Box<dyn Write + Send>, width: Option<u16>) -> TableSink {
        TableSink {
            out,
            rows: Vec::new(),
            width,
        }
    }
}

/// Escapes C0 and C1 control characters, DEL and bidi overrides
/// (`\x1b` → `\u{1b}`).
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Control characters (C0, DEL and C1, which includes the one-byte CSI
/// U+009B); the bidirectional overrides, isolates and marks, which make a
/// terminal show text in an order other than its own ("Trojan Source");
/// the line and paragraph separators, which some terminals break lines
/// at; and the invisible zero-width space and byte order mark.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{061c}'
                | '\u{feff}'
        )
}

/// An empty table in sumoq's style, fitted to `width` columns when given
/// (shared with the REPL's own tables).
pub fn new_table(width: Option<u16>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    match width {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(w);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t
}

/// Renders rows as a table string (shared with the REPL).
pub fn render_table(rows: &[Record], width: Option<u16>) -> String {
    let cols = columns(rows);
    let mut t = new_table(width);
    t.set_header(cols.iter().map(|c| escape_controls(c)));
    for r in rows {
        t.add_row(
            cols.iter()
                .map(|c| escape_controls(&cell_value(r, c).display_text())),
        );
    }
    t.to_string()
}

impl Sink for TableSink {
    fn row(&mut self, rec: Record) -> Flow {
        self.rows.push(rec);
        Flow::Continue
    }
}

impl OutputSink for TableSink {
    fn close(&mut self) -> io::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let s = render_table(&self.rows, self.width);
        self.out.write_all(s.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }

    fn rows(&self) -> u64 {
        self.rows.len() as u64
    }
}
