//! What a worker hands back for one chunk, in input order: rows for the
//! rest of the pipeline and warnings, interleaved exactly as a sequential
//! run would have produced them. The main thread replays the chunks in
//! order, so stderr and stdout are the same at any thread count.

use crate::diag::{Diagnostics, Warning, WARN_CAP};
use crate::record::Record;
use crate::stages::aggregate::Skip;

/// One thing that happened, in input order.
pub(crate) enum Event {
    /// A record that went through the per-record start of the pipeline.
    Row(Record),
    /// A warning, printed when replayed (if still under the cap). `reader`
    /// tells the reader's warnings from the stages'.
    Warn { reader: bool, w: Warning },
    /// Warnings of one kind past the cap within this chunk: past the cap
    /// overall too, so they are only counted.
    More {
        reader: bool,
        kind: &'static str,
        n: usize,
    },
    /// The first value an aggregate of this chunk skipped; reported unless
    /// an earlier chunk reported one for the same aggregate.
    Skip(Skip),
}

/// The events of one chunk.
#[derive(Default)]
pub(crate) struct Events {
    pub(crate) list: Vec<Event>,
    /// Warnings per kind so far in this chunk.
    seen: Vec<(&'static str, usize)>,
}

impl Events {
    /// Moves the warnings captured by `diag` into the list, in order.
    pub(crate) fn take_warnings(&mut self, diag: &mut Diagnostics, reader: bool) {
        let Some(captured) = diag.captured.as_mut() else {
            return;
        };
        if captured.is_empty() {
            return;
        }
        for w in captured.drain(..) {
            let n = match self.seen.iter_mut().find(|(k, _)| *k == w.kind) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    self.seen.push((w.kind, 1));
                    1
                }
            };
            if n <= WARN_CAP {
                self.list.push(Event::Warn { reader, w });
                continue;
            }
            match self.list.last_mut() {
                Some(Event::More { reader: r, kind, n }) if *r == reader && *kind == w.kind => {
                    *n += 1
                }
                _ => self.list.push(Event::More {
                    reader,
                    kind: w.kind,
                    n: 1,
                }),
            }
        }
    }
}

/// Replays a warning event into the run's collectors; gives back any
/// other event.
pub(crate) fn replay_warning(
    ev: Event,
    reader_diag: &mut Diagnostics,
    stage_diag: &mut Diagnostics,
) -> Option<Event> {
    match ev {
        Event::Warn { reader, w } => {
            let d = if reader { reader_diag } else { stage_diag };
            d.warn(w);
            None
        }
        Event::More { reader, kind, n } => {
            let d = if reader { reader_diag } else { stage_diag };
            d.count_unshown(kind, n);
            None
        }
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(kind: &'static str, line: u64) -> Warning {
        Warning {
            kind,
            source: "t".into(),
            line,
            message: "m".into(),
        }
    }

    #[test]
    fn replay_prints_and_counts_like_one_collector() {
        // Two chunks of warnings replayed into one collector give what one
        // sequential collector gives.
        let mut seq = Diagnostics::default();
        let mut par = Diagnostics::default();
        let mut other = Diagnostics::default();
        for chunk in [0..3u64, 3..12] {
            let mut cap = Diagnostics::capturing();
            let mut ev = Events::default();
            for i in chunk {
                let k = if i % 4 == 0 { "b" } else { "a" };
                seq.warn(w(k, i));
                cap.warn(w(k, i));
                ev.take_warnings(&mut cap, true);
            }
            for e in ev.list {
                assert!(replay_warning(e, &mut par, &mut other).is_none());
            }
        }
        assert_eq!(seq.count("a"), par.count("a"));
        assert_eq!(seq.count("b"), par.count("b"));
        let lines = |d: &Diagnostics| d.kept.iter().map(|w| (w.kind, w.line)).collect::<Vec<_>>();
        assert_eq!(lines(&seq), lines(&par));
        assert_eq!(other.total(), 0);
    }
}
