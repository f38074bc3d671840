//! Records from lines, reading only what the query needs (the
//! [`Projection`]): the wanted keys of a JSON line are picked out by the
//! scanner ([`scan`](super::scan)) and built into values only when asked;
//! `_raw` is copied only when read and `_messageTime` derived only when
//! read. Every other line (invalid UTF-8, a line the scanner leaves alone,
//! malformed JSON) is read the plain way, with its warnings, by the same
//! code as the sequential reader ([`lines::line_record`]).
//!
//! A maker can also be given the keys of a first filter: each line is then
//! scanned for just those keys, the filter tried on them, and only a line
//! that passes is scanned again for the whole projection (most lines of a
//! selective query never get their other fields picked out).
//!
//! With a projection of everything, every line is read the plain way.

use super::build::Builder;
use super::line_reader::is_blank;
use super::lines::line_record;
use super::scan::{scan, Found, Wanted};
use super::InputOptions;
use crate::diag::Diagnostics;
use crate::plan::projection::Projection;
use crate::record::{split_path, Name, Record, Seg};

/// One line, read.
pub(crate) enum Line<'a> {
    /// A blank line: not a record.
    Blank,
    /// Scanned on the fast path: the wanted fields are held by the maker,
    /// to be put into a record with [`LineMaker::fill_first`] or
    /// [`LineMaker::fill`]. The line, known to be UTF-8, and as text when
    /// that was checked apart (text lines; the scanner checks JSON lines
    /// as it goes).
    Fast(&'a [u8], Option<&'a str>),
    /// Read the plain way.
    Record(Record),
}

/// A set of wanted keys with the names last built for each slot (keys are
/// nearly always spelt the same way, so this saves the name cache lookup).
struct KeySet {
    wanted: Wanted,
    names: Vec<Option<Name>>,
}

impl KeySet {
    fn new<'a>(keys: impl IntoIterator<Item = &'a str>) -> KeySet {
        let wanted = Wanted::new(keys);
        let names = vec![None; wanted.len()];
        KeySet { wanted, names }
    }
}

/// Makes records from the lines of one input.
pub(crate) struct LineMaker {
    builder: Builder,
    /// The projection's keys; `None` when every field is needed.
    full: Option<KeySet>,
    /// The keys of the first filter, when lines are scanned in two steps.
    first: Option<KeySet>,
    raw: bool,
    message_time: bool,
    /// The wanted fields of the last fast line.
    found: Vec<Found>,
    /// True when `found` holds the first filter's keys only.
    found_first: bool,
}

impl LineMaker {
    /// A maker for the input called `name`. `first` are the names a first
    /// filter reads, if lines should be scanned in two steps.
    pub(crate) fn new(
        name: &str,
        opts: &InputOptions,
        projection: &Projection,
        first: Option<&[Name]>,
    ) -> LineMaker {
        let full = projection
            .keys
            .as_ref()
            .map(|k| KeySet::new(k.iter().map(|n| &**n)));
        // Two steps only pay when the second wants more than the first.
        let first = match (first, &projection.keys) {
            (Some(f), Some(all)) => {
                let f = with_first_keys(f);
                let covers = all
                    .iter()
                    .all(|k| f.iter().any(|n| n.eq_ignore_ascii_case(k)));
                (!covers || projection.raw || projection.message_time)
                    .then(|| KeySet::new(f.iter().map(String::as_str)))
            }
            // Whole records: a line that passes is parsed whole.
            (Some(f), None) => Some(KeySet::new(with_first_keys(f).iter().map(String::as_str))),
            (None, _) => None,
        };
        LineMaker {
            builder: Builder::new(name, opts),
            full,
            first,
            raw: projection.raw,
            message_time: projection.message_time,
            found: Vec::new(),
            found_first: false,
        }
    }

    /// True when lines are scanned for a first filter's keys first.
    pub(crate) fn two_step(&self) -> bool {
        self.first.is_some()
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
        let (set, first) = match (&mut self.first, &mut self.full) {
            (Some(f), _) => (f, true),
            (None, Some(f)) => (f, false),
            (None, None) => return Line::Record(self.plain(bytes, line, diag)),
        };
        self.found_first = first;
        if starts_object(bytes) {
            // The scanner checks UTF-8 where it may be broken.
            if scan(bytes, &mut set.wanted, &mut self.found).is_ok() {
                return Line::Fast(bytes, None);
            }
        } else if let Ok(text) = std::str::from_utf8(bytes) {
            // A text line: no fields, silently (SPEC §2).
            self.found.clear();
            return Line::Fast(bytes, Some(text));
        }
        Line::Record(self.plain(bytes, line, diag))
    }

    /// Puts the first filter's fields of the last fast line into `rec`,
    /// replacing what it held. False when a value would not build (then
    /// read the line the plain way).
    pub(crate) fn fill_first(&mut self, rec: &mut Record, bytes: &[u8], line: u64) -> bool {
        reset(rec, line);
        match &mut self.first {
            Some(set) => put(&mut self.builder, set, &self.found, rec, bytes),
            None => true,
        }
    }

    /// Puts the last fast line's projected fields into `rec`, replacing
    /// what it held, plus `_raw` and `_messageTime` when the query reads
    /// them. False when a value would not build, or when every field is
    /// needed: then read the line the plain way.
    pub(crate) fn fill(
        &mut self,
        rec: &mut Record,
        bytes: &[u8],
        text: Option<&str>,
        line: u64,
    ) -> bool {
        reset(rec, line);
        let Some(set) = &mut self.full else {
            return false;
        };
        if self.found_first {
            self.found_first = false;
            if starts_object(bytes) && scan(bytes, &mut set.wanted, &mut self.found).is_err() {
                return false;
            }
        }
        if !put(&mut self.builder, set, &self.found, rec, bytes) {
            return false;
        }
        if self.raw {
            match text.map_or_else(|| std::str::from_utf8(bytes), Ok) {
                Ok(t) => rec.raw = Some(t.into()),
                Err(_) => return false,
            }
        }
        if self.message_time {
            rec.message_time = self.builder.derive_time(rec);
        }
        true
    }

    /// Reads a line the plain way (also after a fill failed), with the
    /// plain way's warnings.
    pub(crate) fn plain(&mut self, bytes: &[u8], line: u64, diag: &mut Diagnostics) -> Record {
        let text = self.builder.decode(bytes, line, diag);
        line_record(&mut self.builder, &text, line, diag)
    }
}

/// True when the line, past spaces and tabs, starts with `{`: the lines
/// the plain way parses as JSON.
fn starts_object(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !matches!(b, b' ' | b'\t')) == Some(&b'{')
}

/// The keys a lookup of `names` can see: each name and, for a path, its
/// first key.
fn with_first_keys(names: &[Name]) -> Vec<String> {
    let mut out = Vec::new();
    for n in names {
        out.push(n.to_string());
        if let Some(Seg::Key(k)) = split_path(n).as_ref().and_then(|p| p.first()) {
            out.push(k.clone());
        }
    }
    out
}

/// Empties a record for the next line.
fn reset(rec: &mut Record, line: u64) {
    rec.fields.clear();
    rec.hidden.clear();
    rec.raw = None;
    rec.message_time = None;
    rec.origin.line = line;
}

/// Builds the found fields into `rec`.
fn put(b: &mut Builder, set: &mut KeySet, found: &[Found], rec: &mut Record, text: &[u8]) -> bool {
    for f in found {
        let Ok(value) = f.value.to_value(text) else {
            return false;
        };
        let key = f.key.bytes(text);
        let name = match set.names.get_mut(f.slot) {
            Some(Some(n)) if n.as_bytes() == key => n.clone(),
            Some(slot) => {
                let n = b.name(f.key.as_str(text));
                *slot = Some(n.clone());
                n
            }
            None => b.name(f.key.as_str(text)),
        };
        rec.fields.push((name, value));
    }
    true
}
