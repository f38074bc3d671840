//! A record: the visible fields in order, plus the fields the tool adds
//! itself (`_raw`, the derived `_messageTime`, source metadata), which are
//! read like any field but shown only when named (SPEC §2, §7).

use std::sync::Arc;

use crate::value::Value;

/// A field name, shared between records.
pub type Name = Arc<str>;

/// The names of source metadata fields (SPEC §2).
pub const META_FIELDS: [&str; 5] = [
    "_sourceCategory",
    "_sourceHost",
    "_sourceName",
    "_collector",
    "_source",
];

/// Where a record came from, for warnings.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// The input's display name (path or `<stdin>`).
    pub source: Arc<str>,
    /// 1-based line number of the record's first line.
    pub line: u64,
}

/// One record flowing through a query.
#[derive(Clone, Debug, Default)]
pub struct Record {
    /// Visible fields in display order: the record's own keys in input
    /// order, then fields made by stages in the order they were made.
    pub fields: Vec<(Name, Value)>,
    /// The record's text.
    pub raw: Option<Arc<str>>,
    /// `_messageTime` derived from a time field, epoch milliseconds.
    pub message_time: Option<i64>,
    /// Metadata from the command line and defaults, shared per source.
    pub meta: Arc<Vec<(Name, Value)>>,
    /// Tool fields assigned by stages (`eval _messageTime = ...` in a FER);
    /// these win over `message_time` and `meta`.
    pub hidden: Vec<(Name, Value)>,
    /// Where the record came from.
    pub origin: Origin,
}

/// True for names the tool fills itself and hides unless asked for.
pub fn is_tool_field(name: &str) -> bool {
    name == "_raw" || name == "_messageTime" || META_FIELDS.contains(&name)
}

/// The tool field a name stands for, ignoring ASCII case: Sumo's own
/// content writes `_messagetime`, `_sourcecategory` and `_sourcehost`.
pub fn tool_field_name(name: &str) -> Option<&'static str> {
    if !name.starts_with('_') {
        return None;
    }
    ["_raw", "_messageTime"]
        .into_iter()
        .chain(META_FIELDS)
        .find(|t| t.eq_ignore_ascii_case(name))
}

/// One step of a nested path: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Splits `a.b[0].c` into segments; `None` when the name is a plain name.
pub fn split_path(name: &str) -> Option<Vec<Seg>> {
    if !name.contains('.') && !name.contains('[') {
        return None;
    }
    let mut segs = Vec::new();
    for part in name.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(p) => (&part[..p], &part[p..]),
            None => (part, ""),
        };
        if key.is_empty() && segs.is_empty() {
            return None;
        }
        if !key.is_empty() {
            segs.push(Seg::Key(key.to_string()));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']')?;
            let idx: usize = stripped[..end].trim().parse().ok()?;
            segs.push(Seg::Index(idx));
            rest = &stripped[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    if segs.len() < 2 {
        return None;
    }
    Some(segs)
}

/// Walks a JSON value along a path.
fn walk<'a>(mut j: &'a serde_json::Value, segs: &[Seg]) -> Option<&'a serde_json::Value> {
    for s in segs {
        j = match (s, j) {
            (Seg::Key(k), serde_json::Value::Object(m)) => match m.get(k.as_str()) {
                Some(v) => v,
                None => m
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v)?,
            },
            (Seg::Index(i), serde_json::Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(j)
}

impl Record {
    /// A text record.
    pub fn from_raw(raw: &str) -> Record {
        Record {
            raw: Some(Arc::from(raw)),
            ..Record::default()
        }
    }

    /// Looks a plain name up: exact visible name, then tool fields, then the
    /// first visible name equal ignoring ASCII case (SPEC §2).
    pub fn get(&self, name: &str) -> Option<&Value> {
        if let Some((_, v)) = self.fields.iter().find(|(k, _)| &**k == name) {
            return Some(v);
        }
        if let Some(v) = self.tool_field(name) {
            return Some(v);
        }
        if let Some((_, v)) = self
            .fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            return Some(v);
        }
        // A tool field written in another case (`_sourcecategory`).
        match tool_field_name(name) {
            Some(canonical) if canonical != name => self.tool_field(canonical),
            _ => None,
        }
    }

    fn tool_field(&self, name: &str) -> Option<&Value> {
        if !name.starts_with('_') {
            return None;
        }
        if let Some((_, v)) = self.hidden.iter().find(|(k, _)| &**k == name) {
            return Some(v);
        }
        if let Some((_, v)) = self.meta.iter().find(|(k, _)| &**k == name) {
            return Some(v);
        }
        // Sumo's names are case-insensitive: `_sourcecategory` and
        // `_messagetime` are how many real queries write them.
        self.hidden
            .iter()
            .chain(self.meta.iter())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Reads a field by name, with `_raw`, `_messageTime` and nested paths.
    /// Returns an owned value because `_raw`, times and path leaves are made
    /// on demand.
    pub fn lookup(&self, name: &str, path: Option<&[Seg]>) -> Value {
        if let Some(segs) = path {
            if let Some(Seg::Key(first)) = segs.first() {
                if let Some(Value::Json(j)) = self.get(first) {
                    if let Some(leaf) = walk(j, &segs[1..]) {
                        return Value::from_json_ref(leaf);
                    }
                }
            }
        }
        if let Some(v) = self.get(name) {
            return v.clone();
        }
        match tool_field_name(name) {
            Some("_raw") => self.raw_value(),
            Some("_messageTime") => self.message_time.map(Value::Int).unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// The record's text as a value: `_raw`, or the compact JSON of its
    /// fields when it was built without text.
    pub fn raw_value(&self) -> Value {
        match &self.raw {
            Some(r) => Value::Str(r.clone()),
            None => Value::Null,
        }
    }

    /// Assigns a field (SPEC §2): an exact visible name is replaced in
    /// place; a tool field name is stored as a tool field; anything else is
    /// appended, beside any key that differs only in case.
    pub fn set(&mut self, name: &Name, value: Value) {
        if let Some(slot) = self.fields.iter_mut().find(|(k, _)| **k == **name) {
            slot.1 = value;
            return;
        }
        // A tool field in any case (`_messagetime`) is that tool field.
        let canonical: Option<Name> = match tool_field_name(name) {
            Some(c) if c != &**name => Some(Arc::from(c)),
            _ => None,
        };
        let name = canonical.as_ref().unwrap_or(name);
        if is_tool_field(name) {
            if &**name == "_raw" {
                self.raw = value.text().map(|t| Arc::from(t.as_ref()));
                return;
            }
            if let Some(slot) = self.hidden.iter_mut().find(|(k, _)| **k == **name) {
                slot.1 = value;
            } else {
                self.hidden.push((name.clone(), value));
            }
            return;
        }
        self.fields.push((name.clone(), value));
    }

    /// Removes a visible field by exact name.
    pub fn remove(&mut self, name: &str) {
        self.fields.retain(|(k, _)| &**k != name);
    }

    /// The record's `_messageTime` as epoch milliseconds, if any.
    pub fn time_ms(&self) -> Option<i64> {
        let ms = match self.lookup("_messageTime", None) {
            Value::Int(i) => Some(i),
            // Saturating, then checked below: 1e30 is no time.
            Value::Float(f) if f.is_finite() => Some(f as i64),
            Value::Str(s) => crate::time::parse_time_text(&s),
            _ => None,
        };
        // A time no date can show (as formatDate would say) is no time at
        // all: clamped, it would make a slice or a `compare` window of
        // millions of years.
        ms.filter(|ms| chrono::DateTime::from_timestamp_millis(*ms).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(split_path("plain"), None);
        assert_eq!(
            split_path("a.b[2].c"),
            Some(vec![
                Seg::Key("a".into()),
                Seg::Key("b".into()),
                Seg::Index(2),
                Seg::Key("c".into())
            ])
        );
        assert_eq!(split_path("a[x]"), None);
    }

    #[test]
    fn case_fallback_and_exact_assignment() {
        let mut r = Record::default();
        r.fields.push((Arc::from("protocol"), Value::str("tcp")));
        assert_eq!(r.lookup("Protocol", None).display_text(), "tcp");
        r.set(&Arc::from("Protocol"), Value::str("MQTT"));
        assert_eq!(r.lookup("Protocol", None).display_text(), "MQTT");
        assert_eq!(r.lookup("protocol", None).display_text(), "tcp");
        assert_eq!(r.fields.len(), 2);
    }

    #[test]
    fn tool_fields_in_any_case() {
        let mut r = Record::from_raw("text");
        r.message_time = Some(5);
        r.meta = Arc::new(vec![(Arc::from("_sourceCategory"), Value::str("fw"))]);
        assert!(matches!(r.lookup("_messagetime", None), Value::Int(5)));
        assert_eq!(r.lookup("_RAW", None).display_text(), "text");
        assert_eq!(r.lookup("_sourcecategory", None).display_text(), "fw");
        r.set(&Arc::from("_messagetime"), Value::Int(7));
        assert!(matches!(r.lookup("_messageTime", None), Value::Int(7)));
        assert!(r.fields.is_empty());
    }

    #[test]
    fn nested_then_literal() {
        let mut r = Record::default();
        let j: serde_json::Value = serde_json::json!({"b": {"c": 5}, "arr": [1, 2]});
        r.fields.push((Arc::from("a"), Value::Json(Arc::new(j))));
        r.fields
            .push((Arc::from("id.orig_h"), Value::str("1.2.3.4")));
        let p = split_path("a.b.c");
        assert!(matches!(r.lookup("a.b.c", p.as_deref()), Value::Int(5)));
        let p = split_path("a.arr[1]");
        assert!(matches!(r.lookup("a.arr[1]", p.as_deref()), Value::Int(2)));
        let p = split_path("id.orig_h");
        assert_eq!(
            r.lookup("id.orig_h", p.as_deref()).display_text(),
            "1.2.3.4"
        );
    }
}
