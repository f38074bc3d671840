//! The progress bar of a load or a long query: drawn on stderr, and only
//! when stderr is a terminal and the work has taken more than a moment, so
//! quick work and scripts see no bar at all.

use std::io::Write;
use std::time::{Duration, Instant};

/// A load shorter than this shows no bar.
const SHOW_AFTER: Duration = Duration::from_millis(400);
/// Redraw at most this often.
const REDRAW_EVERY: Duration = Duration::from_millis(100);
const BAR_WIDTH: usize = 24;

/// The bar for one load or query.
pub struct Progress {
    enabled: bool,
    label: String,
    total: u64,
    started: Instant,
    last_draw: Option<Instant>,
}

impl Progress {
    /// A bar saying `label`, for work `total` units long (bytes of input,
    /// or records; 0 when unknown); `enabled` is false when stderr is not
    /// a terminal.
    pub fn new(label: &str, total: u64, enabled: bool) -> Progress {
        Progress {
            enabled,
            label: label.to_string(),
            total,
            started: Instant::now(),
            last_draw: None,
        }
    }

    /// Called now and then: `done` units of the total, `records` so far.
    pub fn update(&mut self, done: u64, records: u64) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.started) < SHOW_AFTER {
            return;
        }
        if self
            .last_draw
            .is_some_and(|t| now.duration_since(t) < REDRAW_EVERY)
        {
            return;
        }
        self.last_draw = Some(now);
        let line = render(&self.label, done, self.total, records);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{line}");
        let _ = err.flush();
    }

    /// Erases the bar, if one was drawn.
    pub fn finish(&mut self) {
        if self.last_draw.take().is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// One line of the bar: `loading NAME [#####.....]  45%  1,234 records`.
pub fn render(label: &str, done: u64, total: u64, records: u64) -> String {
    let bar = if total > 0 {
        let frac = (done as f64 / total as f64).clamp(0.0, 1.0);
        let filled = (frac * BAR_WIDTH as f64).round() as usize;
        format!(
            "[{}{}] {:>3}%",
            "#".repeat(filled),
            ".".repeat(BAR_WIDTH - filled),
            (frac * 100.0).floor() as u64
        )
    } else {
        String::new()
    };
    format!("{label} {bar}  {} records", thousands(records))
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_text() {
        assert_eq!(
            render("loading a.log", 50, 100, 1234),
            "loading a.log [############............]  50%  1,234 records"
        );
        assert_eq!(render("loading -", 5, 0, 7), "loading -   7 records");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }
}
