//! A progress line on stderr for long runs: bytes read, records and
//! records per second, redrawn at most ten times a second, shown only after
//! the first second (short runs stay silent) and cleared before anything
//! else is printed. The caller decides whether stderr is a terminal.
//!
//! Hand-written rather than a crate: it is one line of text, and the
//! parallel runner already knows when to clear it (warnings and rows are
//! printed on the main thread only).

use std::io::Write;
use std::time::{Duration, Instant};

/// Runs shorter than this never show a progress line.
const QUIET_FOR: Duration = Duration::from_secs(1);
/// Time between redraws.
const EVERY: Duration = Duration::from_millis(100);

/// The progress line of one run.
pub struct Progress {
    start: Instant,
    last: Instant,
    bytes: u64,
    shown: bool,
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

impl Progress {
    /// A progress line, not shown yet.
    pub fn new() -> Progress {
        let now = Instant::now();
        Progress {
            start: now,
            last: now,
            bytes: 0,
            shown: false,
        }
    }

    /// Counts `bytes` more read and `records` read in all; redraws when due.
    pub fn advance(&mut self, bytes: u64, records: u64) {
        self.bytes += bytes;
        let now = Instant::now();
        if now.duration_since(self.start) < QUIET_FOR || now.duration_since(self.last) < EVERY {
            return;
        }
        self.last = now;
        let secs = now.duration_since(self.start).as_secs_f64().max(1e-9);
        let line = format!(
            "{} read, {} records, {}/s",
            human_bytes(self.bytes),
            records,
            human_count(records as f64 / secs)
        );
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.shown = true;
    }

    /// Erases the line, if shown (it is drawn again on the next advance).
    pub fn clear(&mut self) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}

/// `1.5 GB`, `300 MB`, `12 kB`, `999 B`.
pub fn human_bytes(n: u64) -> String {
    let units = [(1e9, "GB"), (1e6, "MB"), (1e3, "kB")];
    for (size, unit) in units {
        if n as f64 >= size {
            return format!("{:.1} {unit}", n as f64 / size);
        }
    }
    format!("{n} B")
}

/// `1.2M`, `350k`, `12`.
fn human_count(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.0}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000_000), "1.5 GB");
        assert_eq!(human_count(1_234_567.0), "1.2M");
        assert_eq!(human_count(350_400.0), "350k");
    }
}
