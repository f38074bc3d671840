//! Building records: every format hands its fields and text to a
//! [`Builder`], which adds origin, metadata and the derived `_messageTime`
//! the same way for all of them, and words the data warnings.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use super::InputOptions;
use crate::diag::{Diagnostics, Warning};
use crate::record::{split_path, Name, Origin, Record, Seg};
use crate::time::{parse_time_text, time_from_value};
use crate::value::Value;

/// Warning kind for a line or array that does not parse as JSON.
pub(crate) const MALFORMED_JSON: &str = "malformed JSON";
/// Warning kind for bytes that are not UTF-8 (read lossily).
pub(crate) const INVALID_UTF8: &str = "invalid UTF-8";
/// Warning kind for a Zeek data row that does not fit its header.
pub(crate) const ZEEK_ROW: &str = "Zeek row";

/// How many distinct field names are shared between records; past this
/// (inputs with ever-new keys) names are simply allocated per record.
const NAME_CACHE_CAP: usize = 4096;

/// Makes records for one input.
pub(crate) struct Builder {
    /// The input's display name.
    source: Arc<str>,
    /// `--set` metadata plus the default `_sourceName`, shared by all records.
    meta: Arc<Vec<(Name, Value)>>,
    /// The time field names with their nested paths split once.
    time_fields: Vec<(String, Option<Vec<Seg>>)>,
    /// Field names seen so far, so that records share one `Arc` per name.
    names: HashSet<Name>,
}

impl Builder {
    /// A builder for the input called `name`.
    pub(crate) fn new(name: &str, opts: &InputOptions) -> Builder {
        let mut meta = opts.set.clone();
        if !meta.iter().any(|(k, _)| &**k == "_sourceName") {
            meta.push((Arc::from("_sourceName"), Value::str(name)));
        }
        Builder {
            source: Arc::from(name),
            meta: Arc::new(meta),
            time_fields: opts
                .time_fields
                .iter()
                .map(|f| (f.clone(), split_path(f)))
                .collect(),
            names: HashSet::new(),
        }
    }

    /// A shared field name.
    pub(crate) fn name(&mut self, key: &str) -> Name {
        if let Some(n) = self.names.get(key) {
            return n.clone();
        }
        let n: Name = Arc::from(key);
        if self.names.len() < NAME_CACHE_CAP {
            self.names.insert(n.clone());
        }
        n
    }

    /// The fields of a JSON object, in its key order; nested objects and
    /// arrays stay whole.
    pub(crate) fn fields_of(
        &mut self,
        map: serde_json::Map<String, serde_json::Value>,
    ) -> Vec<(Name, Value)> {
        map.into_iter()
            .map(|(k, v)| (self.name(&k), Value::from_json(v)))
            .collect()
    }

    /// A record with these fields and text, starting on `line`.
    ///
    /// `exact_times` pairs field names with the text they were read from,
    /// for fields whose value lost precision on the way (a Zeek `time`
    /// column becomes a float): the time is parsed from that text instead.
    pub(crate) fn record(
        &self,
        fields: Vec<(Name, Value)>,
        raw: &str,
        line: u64,
        exact_times: &[(&str, &str)],
    ) -> Record {
        let mut rec = self.shell(line);
        rec.fields = fields;
        rec.raw = Some(Arc::from(raw));
        rec.message_time = self.message_time(&rec, exact_times);
        rec
    }

    /// A record of this input with no fields, text or time yet (the
    /// projected reader fills it in).
    pub(crate) fn shell(&self, line: u64) -> Record {
        Record {
            fields: Vec::new(),
            raw: None,
            message_time: None,
            meta: self.meta.clone(),
            hidden: Vec::new(),
            origin: Origin {
                source: self.source.clone(),
                line,
            },
        }
    }

    /// The derived `_messageTime` of a record read from text.
    pub(crate) fn derive_time(&self, rec: &Record) -> Option<i64> {
        self.message_time(rec, &[])
    }

    /// The derived `_messageTime` (SPEC §2): none when the record has its
    /// own (it wins on lookup), else the first time field that is present
    /// and converts.
    fn message_time(&self, rec: &Record, exact_times: &[(&str, &str)]) -> Option<i64> {
        if rec.get("_messageTime").is_some() {
            return None;
        }
        for (name, path) in &self.time_fields {
            if let Some((_, text)) = exact_times.iter().find(|(n, _)| *n == name) {
                match parse_time_text(text) {
                    Some(ms) => return Some(ms),
                    None => continue,
                }
            }
            let v = rec.lookup(name, path.as_deref());
            if v.is_null() {
                continue;
            }
            if let Some(ms) = time_from_value(&v) {
                return Some(ms);
            }
        }
        None
    }

    /// Reports a data problem at `line` of this input.
    pub(crate) fn warn(
        &self,
        diag: &mut Diagnostics,
        kind: &'static str,
        line: u64,
        message: String,
    ) {
        diag.warn(Warning {
            kind,
            source: self.source.to_string(),
            line,
            message,
        });
    }

    /// The bytes of a record as text; invalid UTF-8 is replaced and warned
    /// about (the record is kept).
    pub(crate) fn decode<'a>(
        &self,
        bytes: &'a [u8],
        line: u64,
        diag: &mut Diagnostics,
    ) -> Cow<'a, str> {
        match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(e) => {
                self.warn_utf8(diag, line, e.valid_up_to());
                String::from_utf8_lossy(bytes)
            }
        }
    }

    /// Warns that a record's text has invalid UTF-8 after `valid` good bytes.
    pub(crate) fn warn_utf8(&self, diag: &mut Diagnostics, line: u64, valid: usize) {
        self.warn(
            diag,
            INVALID_UTF8,
            line,
            format!(
                "byte {} of the record is not valid UTF-8; read lossily (as U+FFFD)",
                valid.saturating_add(1)
            ),
        );
    }
}

/// serde_json's reason for an error, without its "at line L column C"
/// suffix (callers give the place in terms of the input).
pub(crate) fn json_reason(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match full.strip_suffix(&suffix) {
        Some(reason) => reason.to_string(),
        None => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shared_between_records() {
        let mut b = Builder::new("t", &InputOptions::default());
        let a = b.name("src_ip");
        let c = b.name("src_ip");
        assert!(Arc::ptr_eq(&a, &c));
    }

    #[test]
    fn reason_drops_the_position() {
        let e = serde_json::from_str::<serde_json::Value>("{\"a\":}").err();
        let r = e.as_ref().map(json_reason);
        assert_eq!(r.as_deref(), Some("expected value"));
    }

    #[test]
    fn decode_warns_and_keeps() {
        let b = Builder::new("t", &InputOptions::default());
        let mut d = Diagnostics::default();
        let s = b.decode(b"ab\xffc", 7, &mut d);
        assert_eq!(s, "ab\u{fffd}c");
        assert_eq!(d.count(INVALID_UTF8), 1);
        assert_eq!(d.kept[0].line, 7);
        assert!(d.kept[0].message.contains("byte 3"));
    }
}
