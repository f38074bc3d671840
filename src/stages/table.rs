//! A lookup table read from a local CSV file: a header row naming the
//! columns, then one row per entry. Cells are text (as Sumo's extracted
//! values are); an empty cell is null, since CSV cannot tell the two apart.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostics, Warning};

/// One table.
#[derive(Debug)]
pub struct Table {
    /// Where it was read from, for messages.
    pub source: String,
    /// Column names, trimmed, in file order.
    pub columns: Vec<String>,
    /// The rows; a short row is padded with nulls.
    pub rows: Vec<Vec<Option<Arc<str>>>>,
    /// The 1-based file line of each row, for warnings.
    pub lines: Vec<u64>,
}

/// The text a key is matched by: Sumo's lookup matches case-insensitively.
pub fn key_text(s: &str) -> String {
    s.to_lowercase()
}

impl Table {
    /// Reads a CSV file with a header row. Invalid UTF-8 is read lossily;
    /// a row of the wrong width is warned about and kept (padded or cut).
    pub fn read(path: &Path, diag: &mut Diagnostics) -> Result<Table, String> {
        let source = path.display().to_string();
        // A lookup table is a file: not a device (/dev/zero would be read
        // forever), a FIFO or a folder.
        match std::fs::metadata(path) {
            Ok(m) if !m.is_file() => {
                return Err(format!(
                    "cannot read lookup file {source}: not a regular file"
                ))
            }
            _ => {}
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .map_err(|e| format!("cannot read lookup file {source}: {}", io_reason(&e)))?;
        let mut records = rdr.byte_records();
        let header = match records.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(format!("cannot read lookup file {source}: {e}")),
            None => {
                return Err(format!(
                    "lookup file {source} is empty: it needs a header row naming its columns"
                ))
            }
        };
        let columns: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let t = String::from_utf8_lossy(c);
                let t = if i == 0 {
                    t.trim_start_matches('\u{feff}')
                } else {
                    &t
                };
                t.trim().to_string()
            })
            .collect();
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        for rec in records {
            let rec = rec.map_err(|e| format!("cannot read lookup file {source}: {e}"))?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if rec.len() == 1 && rec.get(0).is_some_and(|c| c.is_empty()) {
                continue; // a blank line
            }
            if rec.len() != columns.len() {
                diag.warn(Warning {
                    kind: "lookup row width",
                    source: source.clone(),
                    line,
                    message: format!(
                        "row has {} cells, the header {} columns",
                        rec.len(),
                        columns.len()
                    ),
                });
            }
            let row = (0..columns.len())
                .map(|i| match rec.get(i) {
                    Some(c) if !c.is_empty() => {
                        Some(Arc::from(String::from_utf8_lossy(c).as_ref()))
                    }
                    _ => None,
                })
                .collect();
            rows.push(row);
            lines.push(line);
            if rows.len() % 4096 == 0 {
                crate::memory::check()
                    .map_err(|e| format!("cannot read lookup file {source}: {e}"))?;
            }
        }
        Ok(Table {
            source,
            columns,
            rows,
            lines,
        })
    }

    /// The index of a column, by name ignoring ASCII case.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name).or_else(|| {
            self.columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
        })
    }

    /// The rows by their key (the key columns' texts, matched ignoring
    /// case), in file order. Rows with an empty key cell are left out.
    pub fn index(&self, key_cols: &[usize]) -> HashMap<Vec<String>, Vec<usize>> {
        let mut idx: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        for (r, row) in self.rows.iter().enumerate() {
            let key: Option<Vec<String>> = key_cols
                .iter()
                .map(|&c| row.get(c).and_then(|v| v.as_deref()).map(key_text))
                .collect();
            if let Some(k) = key {
                idx.entry(k).or_default().push(r);
            }
        }
        idx
    }
}

fn io_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_header_rows_and_nulls() {
        let dir = std::env::temp_dir().join(format!("sumoq-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let p = dir.join("t.csv");
        std::fs::write(
            &p,
            "\u{feff} ip ,\"name\"\n10.0.0.1,\"a, b\"\n\n10.0.0.2,\n10.0.0.3\n",
        )
        .expect("write");
        let mut d = Diagnostics::default();
        let t = Table::read(&p, &mut d).expect("read");
        assert_eq!(t.columns, ["ip", "name"]);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0][1].as_deref(), Some("a, b"));
        assert_eq!(t.rows[1][1], None);
        assert_eq!(t.rows[2][1], None);
        assert_eq!(d.total(), 1);
        assert_eq!(t.column("IP"), Some(0));
        let idx = t.index(&[0]);
        assert_eq!(idx.get(&vec!["10.0.0.2".to_string()]), Some(&vec![1]));
        let missing = Table::read(&dir.join("nope.csv"), &mut d);
        assert!(missing.is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
