//! The REPL's state and what a query does: the records in memory, the
//! load-time settings (FERs, metadata, parameters), the display settings,
//! and the last query for `:explain` and `:save`. Both the terminal loop and
//! the script loop drive a [`Session`]; it writes to the writers it was given,
//! so tests can read what it printed.

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::diag::Diagnostics;
use crate::engine::{self, Source};
use crate::exec::Fer;
use crate::input::InputOptions;
use crate::output::Format;
use crate::plan::Plan;

use super::data::{self, Dataset, Loaded};
use super::fields_summary::{field_names, FieldsSummary};
use super::progress::{thousands, Progress};
use super::results::{self, Head};

/// How many records `engine::run_records` scans between two polls of its
/// cancel callback (only used to move the progress bar).
const RECORDS_PER_POLL: u64 = 4096;

/// Rows shown per result on a terminal unless `:set rows` says otherwise.
pub const DEFAULT_ROWS: usize = 50;

/// What to do after a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Read the next line.
    Continue,
    /// Leave the REPL.
    Quit,
}

/// Display settings (`:set rows`, `:set format`, `:time`).
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Rows shown per result; 0 shows all.
    pub rows: usize,
    /// The output format.
    pub format: Format,
    /// Print the elapsed time and records scanned after each query.
    pub time: bool,
}

/// The last query that planned.
#[derive(Debug)]
pub struct LastQuery {
    /// Its text and origin.
    pub source: Source,
    /// Its plan.
    pub plan: Plan,
}

/// Asks the user a question and returns the answer (`None`: no answer,
/// such as Ctrl-C or the end of input).
pub type Ask<'a> = &'a mut dyn FnMut(&str) -> Option<String>;

/// The REPL's state.
pub struct Session {
    /// The records in memory.
    pub data: Dataset,
    /// Reader options (`--set`, `--time-field`, `:set FIELD=VALUE`).
    pub opts: InputOptions,
    /// FERs with the name they were given by, in the order they apply.
    pub fers: Vec<(String, Fer)>,
    /// Template parameters (`--param`, `:param`).
    pub params: Vec<(String, String)>,
    /// Display settings.
    pub settings: Settings,
    /// The last query that planned.
    pub last: Option<LastQuery>,
    /// The terminal's width, to fit tables to.
    pub width: Option<u16>,
    /// Draw a progress bar while loading (stderr is a terminal).
    pub show_progress: bool,
    /// Set by Ctrl-C; polled by running queries and loads.
    pub cancel: Arc<AtomicBool>,
    out: Box<dyn Write>,
    err: Box<dyn Write>,
    summary: Option<FieldsSummary>,
    names: Vec<String>,
    names_changed: bool,
    broken: bool,
}

impl Session {
    /// A session with nothing loaded, writing results to `out` and
    /// messages to `err`.
    pub fn new(out: Box<dyn Write>, err: Box<dyn Write>) -> Session {
        Session {
            data: Dataset::default(),
            opts: InputOptions::default(),
            fers: Vec::new(),
            params: Vec::new(),
            settings: Settings {
                rows: DEFAULT_ROWS,
                format: Format::Table,
                time: false,
            },
            last: None,
            width: None,
            show_progress: false,
            cancel: Arc::new(AtomicBool::new(false)),
            out,
            err,
            summary: None,
            names: Vec::new(),
            names_changed: false,
            broken: false,
        }
    }

    /// Writes to the result stream. A failed write (a closed pipe) is
    /// remembered so the loop can stop.
    pub fn say(&mut self, s: &str) {
        if self.out.write_all(s.as_bytes()).is_err() || self.out.flush().is_err() {
            self.broken = true;
        }
    }

    /// Writes a line to the message stream.
    pub fn note(&mut self, s: &str) {
        let _ = self.out.flush();
        // Notes echo what was typed and what the data holds: control
        // characters in them print escaped, line by line (the line breaks
        // and tabs of a note's own layout stay).
        for line in s.split('\n') {
            let shown: String = line
                .split('\t')
                .map(crate::output::escape_controls)
                .collect::<Vec<_>>()
                .join("\t");
            let _ = writeln!(self.err, "{shown}");
        }
        let _ = self.err.flush();
    }

    /// True once stdout could not be written (the loop then ends).
    pub fn broken(&self) -> bool {
        self.broken
    }

    /// The field names of the loaded data, for completion.
    pub fn field_names(&self) -> &[String] {
        &self.names
    }

    /// True (once) after the field names changed.
    pub fn take_names_changed(&mut self) -> bool {
        std::mem::take(&mut self.names_changed)
    }

    /// Forgets what was derived from the records.
    pub fn data_changed(&mut self) {
        self.summary = None;
        let names = field_names(self.data.records());
        if names != self.names {
            self.names = names;
            self.names_changed = true;
        }
    }

    /// The field summary, computed once per change of the data; `None`
    /// when Ctrl-C stopped the computing.
    pub fn summary(&mut self) -> Option<&FieldsSummary> {
        if self.summary.is_none() {
            self.cancel.store(false, Ordering::Relaxed);
            let total = self.data.len() as u64;
            let mut progress = Progress::new("fields (Ctrl-C cancels)", total, self.show_progress);
            let flag = self.cancel.clone();
            let mut stopped = false;
            let records = self.data.records().enumerate().take_while(|(i, _)| {
                if i % RECORDS_PER_POLL as usize == 0 {
                    progress.update(*i as u64, *i as u64);
                    stopped = flag.load(Ordering::Relaxed);
                }
                !stopped
            });
            let summary = FieldsSummary::build(records.map(|(_, r)| r));
            progress.finish();
            if stopped {
                self.cancel.store(false, Ordering::Relaxed);
                return None;
            }
            self.summary = Some(summary);
        }
        self.summary.as_ref()
    }

    /// Reads inputs into memory (again, for a path loaded before) and says
    /// what each gave. Returns how many loaded.
    pub fn load_paths(&mut self, paths: &[String]) -> usize {
        self.cancel.store(false, Ordering::Relaxed);
        let fers: Vec<Fer> = self.fers.iter().map(|(_, f)| f.clone()).collect();
        let mut ok = 0;
        for p in paths {
            let flag = self.cancel.clone();
            let cancelled = move || flag.load(Ordering::Relaxed);
            match data::load(p, &fers, &self.opts, &cancelled, self.show_progress) {
                Loaded::Done(src) => {
                    self.note(&data::describe(&src));
                    for w in src.examples.iter().chain(&src.fer_examples) {
                        self.note(&format!("  {}", w.render()));
                    }
                    self.data.put(src);
                    ok += 1;
                }
                Loaded::Failed(e) => self.note(&format!("sumoq: {e}")),
                Loaded::Cancelled => {
                    self.note(&format!("loading {p} cancelled; it is not loaded"));
                    break;
                }
            }
        }
        self.cancel.store(false, Ordering::Relaxed);
        self.data_changed();
        ok
    }

    /// Handles one entry: a meta-command or a query.
    pub fn handle(&mut self, text: &str, ask: Ask) -> Control {
        // Comments before a meta-command (a script's notes) are dropped; a
        // query keeps its text as typed, so error columns stay right.
        let t = super::lexer::skip_comments(text).trim();
        if t.is_empty() {
            return Control::Continue;
        }
        if t.starts_with(':') {
            return super::commands::run(self, t, ask);
        }
        self.run_source(Source {
            origin: "query".into(),
            text: text.to_string(),
        });
        Control::Continue
    }

    /// Plans and runs a query over the records in memory and shows the
    /// result. A query error is shown with a caret; nothing ends the REPL.
    pub fn run_source(&mut self, source: Source) {
        let plan = match engine::compile(&source, &self.params) {
            Ok(p) => p,
            Err(e) => {
                self.note(&e.render());
                return;
            }
        };
        let limit = (self.settings.rows > 0).then_some(self.settings.rows);
        let mut head = Head::new(limit);
        let mut diag = Diagnostics::default();
        self.cancel.store(false, Ordering::Relaxed);
        let flag = self.cancel.clone();
        let total = self.data.len();
        // The executor polls `cancelled` every few thousand records, which
        // is also a fine moment to move the progress bar.
        let progress = RefCell::new(Progress::new(
            "query (Ctrl-C cancels)",
            total as u64,
            self.show_progress,
        ));
        let polls = Cell::new(0u64);
        let poll = || {
            let n = (polls.get() * RECORDS_PER_POLL).min(total as u64);
            polls.set(polls.get() + 1);
            if let Ok(mut p) = progress.try_borrow_mut() {
                p.update(n, n);
            }
            flag.load(Ordering::Relaxed)
        };
        let started = Instant::now();
        crate::memory::reset();
        let scanned = engine::run_records(&plan, self.data.records(), &mut head, &mut diag, &poll);
        let elapsed = started.elapsed();
        // Dropping the bar erases it before the result is shown.
        drop(progress);
        if let Some(e) = crate::memory::tripped() {
            // The rows held are dropped before the REPL goes on.
            drop(head);
            crate::memory::reset();
            self.last = Some(LastQuery { source, plan });
            self.note(&format!("sumoq: error: {e}"));
            return;
        }
        self.last = Some(LastQuery { source, plan });
        if diag.count("cancelled") > 0 {
            self.cancel.store(false, Ordering::Relaxed);
            self.note(&format!(
                "query cancelled after scanning {} of {} records",
                thousands(scanned),
                thousands(total as u64)
            ));
            return;
        }
        for w in diag.kept.iter().map(|w| w.render()).collect::<Vec<_>>() {
            self.note(&w);
        }
        for line in diag.summary() {
            self.note(&line);
        }
        let (text, note) = results::render(&head, self.settings.format, self.width);
        self.say(&text);
        if let Some(n) = note {
            self.note(&n);
        }
        if crate::hints::looks_empty(head.total, head.rows.first()) {
            let sample: Vec<_> = self
                .data
                .records()
                .take(crate::hints::SAMPLE)
                .cloned()
                .collect();
            let notes = match &self.last {
                Some(last) => crate::hints::notes_for(&last.plan, !self.fers.is_empty(), &sample),
                None => Vec::new(),
            };
            for n in notes {
                self.note(&format!("note: {n}"));
            }
        }
        if total == 0 {
            self.note("no records are loaded: :load FILE...");
        }
        if self.settings.time {
            self.note(&format!(
                "{} row{}, {} of {} records scanned in {:.1} ms",
                thousands(head.total),
                if head.total == 1 { "" } else { "s" },
                thousands(scanned),
                thousands(total as u64),
                elapsed.as_secs_f64() * 1000.0
            ));
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A writer tests can read back.
    #[derive(Clone, Default)]
    pub(crate) struct Buf(pub Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut v) = self.0.lock() {
                v.extend_from_slice(b);
            }
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Buf {
        /// Everything written so far, and clears it.
        pub(crate) fn take(&self) -> String {
            let v = self
                .0
                .lock()
                .map(|mut v| std::mem::take(&mut *v))
                .unwrap_or_default();
            String::from_utf8_lossy(&v).into_owned()
        }
    }

    /// A session over the example data, with its output buffers.
    pub(crate) fn session() -> (Session, Buf, Buf) {
        let out = Buf::default();
        let err = Buf::default();
        let mut s = Session::new(Box::new(out.clone()), Box::new(err.clone()));
        let ex = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/network.ndjson");
        assert_eq!(s.load_paths(&[ex.to_string()]), 1);
        (s, out, err)
    }

    fn no(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn notes_escape_control_characters() {
        // Found by the attack run: `:set` echoed typed control bytes raw.
        let (mut s, _, err) = session();
        let _ = err.take();
        s.note("a\u{1b}[2J\tb\nc\u{7}");
        assert_eq!(err.take(), "a\\u{1b}[2J\tb\nc\\u{7}\n");
    }

    #[test]
    fn loads_and_says_so() {
        let (_, _, err) = session();
        let e = err.take();
        assert!(e.contains("91 records from "), "{e}");
        assert!(e.contains("network.ndjson, no malformed lines"), "{e}");
    }

    #[test]
    fn query_result_as_table() {
        let (mut s, out, err) = session();
        err.take();
        let q = "_sourceCategory=firewall | count by dest_port | sort by _count";
        assert_eq!(s.handle(q, &mut no), Control::Continue);
        let o = out.take();
        assert!(o.contains("dest_port"), "{o}");
        assert!(o.contains("_count"), "{o}");
        assert_eq!(err.take(), "");
        // The same as `sumoq run` gives: the most common port first.
        let first = o.lines().nth(3).unwrap_or_default();
        assert!(first.contains("│ 1883      ┆ 6      │"), "{o}");
    }

    #[test]
    fn errors_have_a_caret_on_the_right_line_and_the_repl_goes_on() {
        let (mut s, out, err) = session();
        err.take();
        let q = "_sourceCategory=firewall\n| count by dest_port\n| sortt by _count";
        assert_eq!(s.handle(q, &mut no), Control::Continue);
        let e = err.take();
        assert!(e.contains("unknown stage `sortt`"), "{e}");
        assert!(e.contains("query:3:3"), "{e}");
        assert!(e.contains("3 | | sortt by _count\n  |   ^^^^^"), "{e}");
        assert!(e.contains("did you mean `sort`?"), "{e}");
        assert_eq!(out.take(), "");
        s.handle("* | count", &mut no);
        assert!(out.take().contains("91"));
    }

    #[test]
    fn rows_limit_and_time() {
        let (mut s, out, err) = session();
        err.take();
        s.settings.rows = 3;
        s.settings.time = true;
        s.handle("* | fields dest_port", &mut no);
        let o = out.take();
        assert_eq!(o.matches('│').count(), 4 * 2, "{o}");
        assert!(o.contains("… 88 more rows (91 in all;"), "{o}");
        let e = err.take();
        assert!(e.contains("91 rows, 91 of 91 records scanned in "), "{e}");
    }

    #[test]
    fn cancelled_query() {
        let (mut s, out, err) = session();
        err.take();
        // A Ctrl-C that arrives while the query runs: the flag is set from
        // inside the query, as the signal handler would.
        let flag = s.cancel.clone();
        let src = Source {
            origin: "query".into(),
            text: "* | count".into(),
        };
        let plan = engine::compile(&src, &[]).expect("plan");
        let mut head = Head::new(None);
        let mut diag = Diagnostics::default();
        flag.store(true, Ordering::Relaxed);
        let n = engine::run_records(&plan, s.data.records(), &mut head, &mut diag, &|| {
            flag.load(Ordering::Relaxed)
        });
        assert_eq!(n, 0);
        assert_eq!(diag.count("cancelled"), 1);
        // A query started later does not see an old Ctrl-C.
        s.handle("* | count", &mut no);
        assert!(out.take().contains("91"));
        assert_eq!(err.take(), "");
    }
}
