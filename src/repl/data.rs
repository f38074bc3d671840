//! The records the REPL holds in memory, per source, and how they are read:
//! each input once, FERs applied, with a progress bar and a way to cancel.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::diag::{Diagnostics, Warning};
use crate::exec::{apply_fers, Fer};
use crate::input::{self, Flow, InputOptions};
use crate::record::Record;

use super::progress::Progress;

/// One loaded input.
#[derive(Debug, Default)]
pub struct LoadedSource {
    /// The path as given.
    pub path: String,
    /// Its records, FERs applied.
    pub records: Vec<Record>,
    /// Lines that could not be read as records, per kind of problem.
    pub problems: Vec<(&'static str, usize)>,
    /// The first few of those problems, with their line numbers.
    pub examples: Vec<Warning>,
    /// Warnings the FERs gave (a parsing stage that did not match), per
    /// kind, and the first few of them.
    pub fer_problems: Vec<(&'static str, usize)>,
    /// The first few FER warnings.
    pub fer_examples: Vec<Warning>,
}

impl LoadedSource {
    /// Lines with a problem, all kinds together.
    pub fn malformed(&self) -> usize {
        self.problems.iter().map(|(_, n)| n).sum()
    }
}

/// Everything loaded, in load order.
#[derive(Debug, Default)]
pub struct Dataset {
    /// The sources.
    pub sources: Vec<LoadedSource>,
}

impl Dataset {
    /// All records, source by source.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.sources.iter().flat_map(|s| s.records.iter())
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.sources.iter().map(|s| s.records.len()).sum()
    }

    /// True when nothing is loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a source, replacing one read from the same path before.
    pub fn put(&mut self, src: LoadedSource) {
        match self.sources.iter_mut().find(|s| s.path == src.path) {
            Some(slot) => *slot = src,
            None => self.sources.push(src),
        }
    }
}

/// How a load ended.
#[derive(Debug)]
pub enum Loaded {
    /// Read to the end.
    Done(LoadedSource),
    /// The input could not be opened or read (the message names it).
    Failed(String),
    /// Ctrl-C: nothing of it is kept.
    Cancelled,
}

/// Counts the bytes read through it, for the progress bar.
struct Counting {
    inner: Box<dyn Read + Send>,
    count: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads one input into memory, FERs applied. `cancelled` is polled while
/// reading; `show_progress` allows the bar (stderr is a terminal).
pub fn load(
    path: &str,
    fers: &[Fer],
    opts: &InputOptions,
    cancelled: &dyn Fn() -> bool,
    show_progress: bool,
) -> Loaded {
    if path == "-" {
        // The REPL reads its own commands from stdin.
        return Loaded::Failed(
            "-: the REPL reads its commands from stdin; give log files by path".into(),
        );
    }
    let reader = match input::open(path) {
        Ok(r) => r,
        Err(e) => return Loaded::Failed(e.to_string()),
    };
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let count = Arc::new(AtomicU64::new(0));
    let reader = Box::new(Counting {
        inner: reader,
        count: count.clone(),
    });
    let mut progress = Progress::new(&format!("loading {path}"), total, show_progress);
    let mut diag = Diagnostics::default();
    // The reader holds `diag` while it calls back, so FER warnings are
    // collected apart (and are not malformed lines anyway).
    let mut fer_diag = Diagnostics::default();
    let mut records = Vec::new();
    let mut stopped = false;
    let mut exceeded = None;
    let res = input::read_input(path, reader, opts, &mut diag, &mut |rec| {
        // Polling every record would cost more than the reading itself.
        if records.len() % 1024 == 0 {
            if cancelled() {
                stopped = true;
                return Flow::Stop;
            }
            if let Err(e) = crate::memory::check() {
                exceeded = Some(e);
                return Flow::Stop;
            }
            progress.update(count.load(Ordering::Relaxed), records.len() as u64);
        }
        if fers.is_empty() {
            records.push(rec);
        } else {
            records.extend(apply_fers(fers, rec, &mut fer_diag));
        }
        Flow::Continue
    });
    progress.finish();
    if stopped {
        return Loaded::Cancelled;
    }
    if let Some(e) = exceeded {
        return Loaded::Failed(format!("{path}: loading stopped: {e}"));
    }
    if let Err(e) = res {
        return Loaded::Failed(format!("{path}: {e}"));
    }
    Loaded::Done(LoadedSource {
        path: path.to_string(),
        records,
        problems: kinds(&diag),
        examples: diag.kept.clone(),
        fer_problems: kinds(&fer_diag),
        fer_examples: fer_diag.kept.clone(),
    })
}

/// The kinds of warning a collector holds, with their counts.
pub fn kinds(diag: &Diagnostics) -> Vec<(&'static str, usize)> {
    let mut v: Vec<(&'static str, usize)> = Vec::new();
    for w in &diag.kept {
        if !v.iter().any(|(k, _)| *k == w.kind) {
            v.push((w.kind, diag.count(w.kind)));
        }
    }
    v
}

/// One line about a loaded source: `91 records from a.ndjson, no malformed
/// lines`.
pub fn describe(src: &LoadedSource) -> String {
    let bad = src.malformed();
    let problems = match bad {
        0 => "no malformed lines".to_string(),
        _ => {
            let kinds: Vec<String> = src
                .problems
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect();
            format!(
                "{bad} malformed line{} ({})",
                if bad == 1 { "" } else { "s" },
                kinds.join(", ")
            )
        }
    };
    let fer: usize = src.fer_problems.iter().map(|(_, n)| n).sum();
    let fer = if fer == 0 {
        String::new()
    } else {
        format!(", {fer} FER warning{}", if fer == 1 { "" } else { "s" })
    };
    format!(
        "{} record{} from {}, {problems}{fer}",
        super::progress::thousands(src.records.len() as u64),
        if src.records.len() == 1 { "" } else { "s" },
        src.path
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file in a folder of its own (tests run in parallel), removed by
    /// [`done`].
    fn temp(name: &str, body: &[u8]) -> String {
        let dir =
            std::env::temp_dir().join(format!("sumoq-repl-data-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let p = dir.join(name);
        std::fs::write(&p, body).expect("write temp file");
        p.display().to_string()
    }

    fn done(path: &str) {
        if let Some(dir) = std::path::Path::new(path).parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    #[test]
    fn loads_counts_and_reports_malformed_lines() {
        let p = temp("a.ndjson", b"{\"a\":1}\n{\"a\":\n{\"a\":3}\n");
        let never = || false;
        let Loaded::Done(src) = load(&p, &[], &InputOptions::default(), &never, false) else {
            panic!("load failed");
        };
        // The malformed line is kept as a text record (SPEC: nothing dropped).
        assert_eq!(src.records.len(), 3);
        assert_eq!(src.malformed(), 1);
        assert_eq!(src.examples[0].line, 2);
        let d = describe(&src);
        assert!(d.starts_with("3 records from "), "{d}");
        assert!(d.ends_with("1 malformed line (malformed JSON: 1)"), "{d}");
        done(&p);
    }

    #[test]
    fn cancel_and_failures() {
        let p = temp("b.ndjson", "{\"a\":1}\n".repeat(5000).as_bytes());
        let always = || true;
        assert!(matches!(
            load(&p, &[], &InputOptions::default(), &always, false),
            Loaded::Cancelled
        ));
        let never = || false;
        match load(
            "/nonexistent/x.log",
            &[],
            &InputOptions::default(),
            &never,
            false,
        ) {
            Loaded::Failed(m) => assert!(m.contains("/nonexistent/x.log"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            load("-", &[], &InputOptions::default(), &never, false),
            Loaded::Failed(_)
        ));
        done(&p);
    }

    #[test]
    fn put_replaces_a_reloaded_path() {
        let mut d = Dataset::default();
        d.put(LoadedSource {
            path: "a".into(),
            records: vec![Record::from_raw("x")],
            ..Default::default()
        });
        d.put(LoadedSource {
            path: "a".into(),
            records: vec![Record::from_raw("x"), Record::from_raw("y")],
            ..Default::default()
        });
        assert_eq!(d.sources.len(), 1);
        assert_eq!(d.len(), 2);
    }
}
