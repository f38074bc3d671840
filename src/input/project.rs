//! Records from lines, reading only what the query needs (the
//! [`Projection`]): the wanted keys of a JSON line are picked out by the
//! scanner ([`scan`](super::scan)) and built into values only when asked;
//! `_raw` is copied only when read and `_messageTime` derived only when
//! read. Every other line (invalid UTF-8, a line the scanner leaves alone,
//! malformed JSON) is read the plain way, with its warnings, by the same
//! code as the sequential reader ([`lines::line_record`]).
//!
//! With a projection of everything, every line is read the plain way.

use super::build::Builder;
use super::line_reader::is_blank;
use super::lines::line_record;
use super::scan::{scan, Found, Wanted};
use super::InputOptions;
use crate::diag::Diagnostics;
use crate::plan::projection::Projection;
use crate::record::{Name, Record};

/// One line, read.
pub(crate) enum Line<'a> {
    /// A blank line: not a record.
    Blank,
    /// Scanned on the fast path: the wanted fields are held by the maker,
    /// to be put into a record with [`LineMaker::fill`]. The line's text.
    Fast(&'a str),
    /// Read the plain way.
    Record(Record),
}

/// Makes records from the lines of one input.
pub(crate) struct LineMaker {
    builder: Builder,
    /// `None` when every field is needed.
    wanted: Option<Wanted>,
    raw: bool,
    message_time: bool,
    /// The wanted fields of the last fast line.
    found: Vec<Found>,
    /// Per wanted slot, the name last built for it (keys are nearly
    /// always spelt the same way, so this saves the name cache lookup).
    names: Vec<Option<Name>>,
}

impl LineMaker {
    /// A maker for the input called `name`.
    pub(crate) fn new(name: &str, opts: &InputOptions, projection: &Projection) -> LineMaker {
        let wanted = projection
            .keys
            .as_ref()
            .map(|k| Wanted::new(k.iter().map(|n| &**n)));
        let names = vec![None; wanted.as_ref().map_or(0, Wanted::len)];
        LineMaker {
            builder: Builder::new(name, opts),
            wanted,
            raw: projection.raw,
            message_time: projection.message_time,
            found: Vec::new(),
            names,
        }
    }

    /// The slot of a wanted name (ignoring ASCII case), if projecting.
    pub(crate) fn slot(&self, name: &str) -> Option<usize> {
        self.wanted.as_ref().and_then(|w| w.slot(name.as_bytes()))
    }

    /// A record of this input with nothing in it yet.
    pub(crate) fn shell(&self, line: u64) -> Record {
        self.builder.shell(line)
    }

    /// Reads one line (without its line end). Warnings of the plain way go
    /// to `diag`.
    pub(crate) fn read<'a>(
        &mut self,
        bytes: &'a [u8],
        line: u64,
        diag: &mut Diagnostics,
    ) -> Line<'a> {
        if is_blank(bytes) {
            return Line::Blank;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                let text = self.builder.decode(bytes, line, diag);
                return Line::Record(line_record(&mut self.builder, &text, line, diag));
            }
        };
        let Some(wanted) = &self.wanted else {
            return Line::Record(line_record(&mut self.builder, text, line, diag));
        };
        if text.trim_start_matches([' ', '\t']).starts_with('{') {
            if scan(text, wanted, &mut self.found).is_err() {
                return Line::Record(line_record(&mut self.builder, text, line, diag));
            }
        } else {
            // A text line: no fields, silently (SPEC §2).
            self.found.clear();
        }
        Line::Fast(text)
    }

    /// Puts the last fast line's fields into `rec`, replacing what it
    /// held: only the slots marked in `only` (for a filter tried before the
    /// whole record is built), or every wanted field plus `_raw` and
    /// `_messageTime` when the query reads them. False when a value would
    /// not build (then read the line the plain way).
    pub(crate) fn fill(
        &mut self,
        rec: &mut Record,
        text: &str,
        line: u64,
        only: Option<&[bool]>,
    ) -> bool {
        rec.fields.clear();
        rec.hidden.clear();
        rec.raw = None;
        rec.message_time = None;
        rec.origin.line = line;
        for f in &self.found {
            if let Some(only) = only {
                if !only.get(f.slot).copied().unwrap_or(false) {
                    continue;
                }
            }
            let Ok(value) = f.value.to_value(text) else {
                return false;
            };
            let key = f.key.as_str(text);
            let name = match self.names.get_mut(f.slot) {
                Some(Some(n)) if **n == *key => n.clone(),
                Some(slot) => {
                    let n = self.builder.name(key);
                    *slot = Some(n.clone());
                    n
                }
                None => self.builder.name(key),
            };
            rec.fields.push((name, value));
        }
        if only.is_none() {
            if self.raw {
                rec.raw = Some(text.into());
            }
            if self.message_time {
                rec.message_time = self.builder.derive_time(rec);
            }
        }
        true
    }

    /// Reads a line the plain way (after [`fill`](Self::fill) failed).
    pub(crate) fn plain(&mut self, text: &str, line: u64, diag: &mut Diagnostics) -> Record {
        line_record(&mut self.builder, text, line, diag)
    }
}
