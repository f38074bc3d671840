//! Data warnings (SPEC §8): bad input is reported with file:line, capped at a
//! few per kind plus a total, and the run goes on.

use std::collections::BTreeMap;
use std::io::Write;

/// How many warnings of one kind are printed before the rest are counted.
pub const WARN_CAP: usize = 5;

/// One data problem.
#[derive(Clone, Debug)]
pub struct Warning {
    /// A short kind, used for capping and the summary ("malformed JSON").
    pub kind: &'static str,
    /// The input's name, or empty when the warning is not about one place.
    pub source: String,
    /// 1-based line, or 0 when unknown.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl Warning {
    /// Renders `sumoq: warning: file:line: message`.
    pub fn render(&self) -> String {
        let place = match (self.source.is_empty(), self.line) {
            (true, _) => String::new(),
            (false, 0) => format!("{}: ", self.source),
            (false, l) => format!("{}:{}: ", self.source, l),
        };
        format!("sumoq: warning: {}{}: {}", place, self.kind, self.message)
    }
}

/// Collects warnings, prints the first few of each kind to stderr (when
/// asked to) and counts the rest.
#[derive(Debug, Default)]
pub struct Diagnostics {
    counts: BTreeMap<&'static str, usize>,
    /// Print warnings to stderr as they come (off in library use and tests
    /// that inspect `kept`).
    pub echo: bool,
    /// The first few warnings of each kind, kept for callers such as the REPL.
    pub kept: Vec<Warning>,
    /// When set, warnings are only appended here, in order, neither
    /// counted nor printed: the collector of a worker thread, whose
    /// warnings are replayed later in input order.
    pub captured: Option<Vec<Warning>>,
}

impl Diagnostics {
    /// A collector that prints to stderr.
    pub fn printing() -> Self {
        Diagnostics {
            echo: true,
            ..Default::default()
        }
    }

    /// A collector that only captures (see [`Diagnostics::captured`]).
    pub fn capturing() -> Self {
        Diagnostics {
            captured: Some(Vec::new()),
            ..Default::default()
        }
    }

    /// Records one warning.
    pub fn warn(&mut self, w: Warning) {
        if let Some(c) = &mut self.captured {
            c.push(w);
            return;
        }
        let n = self.counts.entry(w.kind).or_insert(0);
        *n += 1;
        if *n <= WARN_CAP {
            if self.echo {
                let _ = writeln!(std::io::stderr(), "{}", w.render());
            }
            self.kept.push(w);
        }
    }

    /// Adds another collector's counts and kept warnings (from a worker).
    pub fn absorb(&mut self, other: Diagnostics) {
        for w in other.kept {
            self.warn(w);
        }
        for (k, n) in other.counts {
            let kept = n.min(WARN_CAP);
            *self.counts.entry(k).or_insert(0) += n - kept;
        }
    }

    /// Adds another collector's counts and kept warnings without printing
    /// them again (they were printed when they happened).
    pub fn merge_printed(&mut self, other: Diagnostics) {
        for (k, n) in other.counts {
            *self.counts.entry(k).or_insert(0) += n;
        }
        for w in other.kept {
            if self.kept.iter().filter(|x| x.kind == w.kind).count() < WARN_CAP {
                self.kept.push(w);
            }
        }
    }

    /// Counts `n` warnings of a kind that were neither printed nor kept
    /// (past the cap when they happened).
    pub fn count_unshown(&mut self, kind: &'static str, n: usize) {
        *self.counts.entry(kind).or_insert(0) += n;
    }

    /// Total number of warnings.
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }

    /// Count per kind.
    pub fn count(&self, kind: &str) -> usize {
        self.counts.get(kind).copied().unwrap_or(0)
    }

    /// The closing summary lines for kinds that went past the cap.
    pub fn summary(&self) -> Vec<String> {
        self.counts
            .iter()
            .filter(|(_, n)| **n > WARN_CAP)
            .map(|(k, n)| {
                format!(
                    "sumoq: warning: {} {} warnings in all ({} not shown)",
                    n,
                    k,
                    n - WARN_CAP
                )
            })
            .collect()
    }
}
