//! `:fields`: every field of the loaded records, with the share of records
//! that have it, the types seen and the most common values; and the bare
//! list of field names that completion offers.
//!
//! Nested JSON objects contribute their paths (`alert.signature`), since
//! those are the names a query uses. Value counts are bounded per field so a
//! field with millions of distinct values cannot exhaust memory; past the
//! bound the counts are a lower limit and the summary says so.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::record::{Name, Record};
use crate::value::Value;

/// Distinct values counted per field; later new values are not counted.
pub const DISTINCT_CAP: usize = 10_000;
/// Longest value text kept for counting; longer text is cut.
const VALUE_CHARS: usize = 120;
/// How deep nested objects are walked for paths.
const MAX_DEPTH: usize = 4;
/// How many distinct field names are tracked at most.
const MAX_FIELDS: usize = 2_000;

/// What was seen of one field.
#[derive(Debug, Default)]
pub struct FieldStat {
    /// The name as a query writes it (`a.b` for nested keys).
    pub name: String,
    /// Records that have it (null included, as for a JSON `null`).
    pub present: u64,
    /// Types seen, with how often.
    pub types: Vec<(&'static str, u64)>,
    /// Value text → count, at most [`DISTINCT_CAP`] entries.
    values: HashMap<String, u64>,
    /// True when more distinct values were seen than were counted.
    pub overflow: bool,
    /// True for fields whose values are not worth counting (`_raw`).
    skip_values: bool,
}

impl FieldStat {
    /// The number of distinct values, and whether that is a lower bound.
    pub fn distinct(&self) -> (usize, bool) {
        (self.values.len(), self.overflow)
    }

    /// The `n` most common values, most common first (ties by text).
    pub fn top(&self, n: usize) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self.values.iter().map(|(k, c)| (k.as_str(), *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v.truncate(n);
        v
    }

    /// The types, most frequent first: `int, string`.
    pub fn type_list(&self) -> String {
        let mut t = self.types.clone();
        t.sort_by_key(|x| std::cmp::Reverse(x.1));
        t.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    }

    fn see(&mut self, v: &Value) {
        match self.types.iter_mut().find(|(n, _)| *n == v.type_name()) {
            Some(slot) => slot.1 += 1,
            None => self.types.push((v.type_name(), 1)),
        }
        if self.skip_values || matches!(v, Value::Json(_)) {
            return;
        }
        // Look up without allocating: most values were seen before.
        let text: Cow<str> = match v {
            Value::Null => Cow::Borrowed("null"),
            other => other.display_text(),
        };
        let text = if text.len() > VALUE_CHARS {
            Cow::Owned(cut(&text))
        } else {
            text
        };
        if let Some(c) = self.values.get_mut(text.as_ref()) {
            *c += 1;
        } else if self.values.len() < DISTINCT_CAP {
            self.values.insert(text.into_owned(), 1);
        } else {
            self.overflow = true;
        }
    }
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(VALUE_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The summary of every field.
#[derive(Debug, Default)]
pub struct FieldsSummary {
    /// Records looked at.
    pub total: u64,
    /// Fields in order of first appearance: the records' own fields first,
    /// then the tool fields (`_messageTime`, metadata, `_raw`).
    pub fields: Vec<FieldStat>,
}

impl FieldsSummary {
    /// Looks at every record.
    pub fn build<'a>(records: impl Iterator<Item = &'a Record>) -> FieldsSummary {
        let mut own = Collector::default();
        let mut tool = Collector::default();
        let mut total = 0u64;
        for (i, r) in records.enumerate() {
            total += 1;
            let rec_no = i as u64 + 1;
            for (k, v) in &r.fields {
                own.see(k, v, rec_no, 0);
            }
            if let Some(t) = r.message_time {
                if r.get("_messageTime").is_none() {
                    tool.see("_messageTime", &Value::Int(t), rec_no, 0);
                }
            }
            for (k, v) in r.hidden.iter().chain(r.meta.iter()) {
                if !r.fields.iter().any(|(f, _)| f == k) {
                    tool.see(k, v, rec_no, 0);
                }
            }
            if r.raw.is_some() && !r.fields.iter().any(|(f, _)| &**f == "_raw") {
                tool.see("_raw", &r.raw_value(), rec_no, 0);
            }
        }
        let mut fields = own.stats;
        for t in tool.stats {
            match fields.iter_mut().find(|f| f.name == t.name) {
                // A tool field some records carry as their own key.
                Some(f) => {
                    f.present += t.present;
                    for (ty, n) in t.types {
                        match f.types.iter_mut().find(|(x, _)| *x == ty) {
                            Some(slot) => slot.1 += n,
                            None => f.types.push((ty, n)),
                        }
                    }
                    for (val, n) in t.values {
                        *f.values.entry(val).or_insert(0) += n;
                    }
                }
                None => fields.push(t),
            }
        }
        FieldsSummary { total, fields }
    }

    /// Finds a field by name (exact, then ignoring ASCII case).
    pub fn get(&self, name: &str) -> Option<&FieldStat> {
        self.fields.iter().find(|f| f.name == name).or_else(|| {
            self.fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(name))
        })
    }
}

#[derive(Default)]
struct Collector {
    stats: Vec<FieldStat>,
    index: HashMap<String, usize>,
    /// The last record each field was counted for, so a record counts once.
    last: Vec<u64>,
}

impl Collector {
    fn see(&mut self, name: &str, v: &Value, rec_no: u64, depth: usize) {
        let i = match self.index.get(name) {
            Some(i) => *i,
            None if self.stats.len() >= MAX_FIELDS => return,
            None => {
                self.index.insert(name.to_string(), self.stats.len());
                self.stats.push(FieldStat {
                    name: name.to_string(),
                    skip_values: name == "_raw",
                    ..FieldStat::default()
                });
                self.last.push(0);
                self.stats.len() - 1
            }
        };
        if self.last[i] != rec_no {
            self.last[i] = rec_no;
            self.stats[i].present += 1;
            self.stats[i].see(v);
        }
        if let Value::Json(j) = v {
            if let serde_json::Value::Object(m) = &**j {
                if depth < MAX_DEPTH {
                    for (k, child) in m {
                        let path = format!("{name}.{k}");
                        self.see(&path, &Value::from_json_ref(child), rec_no, depth + 1);
                    }
                }
            }
        }
    }
}

/// The field names of the records, for completion: the same names as
/// [`FieldsSummary`] without counting values. Consecutive records with the
/// same shape (the common case: one writer per file) are skipped cheaply.
pub fn field_names<'a>(records: impl Iterator<Item = &'a Record>) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut order: Vec<String> = Vec::new();
    let mut tool: Vec<String> = Vec::new();
    let mut prev: Vec<Name> = Vec::new();
    let mut metas: Vec<*const Vec<(Name, Value)>> = Vec::new();
    let add = |n: &str, list: &mut Vec<String>, seen: &mut HashSet<String>| {
        if seen.len() < MAX_FIELDS && !seen.contains(n) {
            seen.insert(n.to_string());
            list.push(n.to_string());
        }
    };
    for r in records {
        let same_shape = r.fields.len() == prev.len()
            && r.fields
                .iter()
                .zip(&prev)
                .all(|((k, _), p)| Arc::ptr_eq(k, p));
        if !same_shape {
            prev = r.fields.iter().map(|(k, _)| k.clone()).collect();
            for (k, _) in &r.fields {
                add(k, &mut order, &mut seen);
            }
        }
        for (k, v) in &r.fields {
            if let Value::Json(j) = v {
                walk_names(k, j, 0, &mut |n| add(n, &mut order, &mut seen));
            }
        }
        if r.message_time.is_some() {
            add("_messageTime", &mut tool, &mut seen);
        }
        for (k, _) in &r.hidden {
            add(k, &mut tool, &mut seen);
        }
        let m = Arc::as_ptr(&r.meta);
        if !metas.contains(&m) {
            metas.push(m);
            for (k, _) in r.meta.iter() {
                add(k, &mut tool, &mut seen);
            }
        }
        if r.raw.is_some() {
            add("_raw", &mut tool, &mut seen);
        }
    }
    order.extend(tool);
    order
}

fn walk_names(prefix: &str, j: &serde_json::Value, depth: usize, add: &mut dyn FnMut(&str)) {
    if depth >= MAX_DEPTH {
        return;
    }
    if let serde_json::Value::Object(m) = j {
        for (k, child) in m {
            let path = format!("{prefix}.{k}");
            add(&path);
            walk_names(&path, child, depth + 1, add);
        }
    }
}

/// Renders the summary as a table fitted to `width`.
pub fn render(s: &FieldsSummary, width: Option<u16>) -> String {
    if s.total == 0 {
        return "no records loaded (:load FILE...)\n".into();
    }
    let mut t = crate::output::new_table(width);
    t.set_header([
        "field",
        "present",
        "types",
        "distinct",
        "most common values",
    ]);
    for f in &s.fields {
        let (distinct, more) = f.distinct();
        let top = if f.skip_values {
            "-".to_string()
        } else {
            f.top(3)
                .iter()
                .map(|(v, n)| format!("{} ({n})", show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        t.add_row([
            super::results::clean(&f.name),
            share(f.present, s.total),
            f.type_list(),
            if f.skip_values {
                "-".into()
            } else if more {
                format!("≥{distinct}")
            } else {
                distinct.to_string()
            },
            top,
        ]);
    }
    format!(
        "{} records, {} fields\n{t}\n",
        super::progress::thousands(s.total),
        s.fields.len()
    )
}

/// More of one field's values, for `:fields NAME`.
pub fn render_one(s: &FieldsSummary, name: &str, width: Option<u16>) -> Result<String, String> {
    use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
    let Some(f) = s.get(name) else {
        let mut msg = format!("no field `{name}` in the loaded records");
        if let Some(h) = crate::error::did_you_mean(name, s.fields.iter().map(|f| f.name.as_str()))
        {
            msg.push_str("; ");
            msg.push_str(&h);
        }
        return Err(msg);
    };
    let (distinct, more) = f.distinct();
    let mut out = format!(
        "{}: in {} of {} records ({}), types {}, {}{} distinct values\n",
        f.name,
        super::progress::thousands(f.present),
        super::progress::thousands(s.total),
        share(f.present, s.total),
        f.type_list(),
        if more { "at least " } else { "" },
        distinct
    );
    if f.skip_values {
        return Ok(out);
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    if let Some(w) = width {
        t.set_content_arrangement(ContentArrangement::Dynamic);
        t.set_width(w);
    }
    t.set_header(["value", "records", "share"]);
    for (v, n) in f.top(20) {
        t.add_row([show(v), n.to_string(), share(n, f.present)]);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    Ok(out)
}

fn show(v: &str) -> String {
    let v = super::results::clean(v);
    if v.chars().count() > 30 {
        let head: String = v.chars().take(29).collect();
        format!("{head}…")
    } else {
        v
    }
}

/// `97.8%`, `100%`, `<0.1%`.
fn share(n: u64, total: u64) -> String {
    if total == 0 {
        return "-".into();
    }
    let p = n as f64 * 100.0 / total as f64;
    if n == total {
        "100%".into()
    } else if p < 0.1 {
        "<0.1%".into()
    } else {
        format!("{p:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(json: &str) -> Record {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(json).expect("test JSON");
        let mut r = Record::from_raw(json);
        r.fields = map
            .into_iter()
            .map(|(k, v)| (Arc::from(k.as_str()), Value::from_json(v)))
            .collect();
        r
    }

    #[test]
    fn shares_types_and_top_values() {
        let recs = [
            rec(r#"{"port":53,"proto":"udp","alert":{"sig":"x"}}"#),
            rec(r#"{"port":53,"proto":"tcp"}"#),
            rec(r#"{"port":"443","proto":"tcp"}"#),
            rec(r#"{"proto":null}"#),
        ];
        let s = FieldsSummary::build(recs.iter());
        assert_eq!(s.total, 4);
        let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["port", "proto", "alert", "alert.sig", "_raw"]);
        let port = s.get("port").expect("port");
        assert_eq!(port.present, 3);
        assert_eq!(port.type_list(), "int, string");
        assert_eq!(port.top(5), [("53", 2), ("443", 1)]);
        let proto = s.get("PROTO").expect("case-insensitive");
        assert_eq!(proto.top(1), [("tcp", 2)]);
        assert_eq!(s.get("alert.sig").map(|f| f.present), Some(1));
        let out = render(&s, None);
        assert!(out.contains("4 records, 5 fields"), "{out}");
        assert!(out.contains("75.0%"), "{out}");
        assert!(out.contains("53 (2), 443 (1)"), "{out}");
        let one = render_one(&s, "port", None).expect("port");
        assert!(
            one.starts_with("port: in 3 of 4 records (75.0%), types int, string, 2 distinct"),
            "{one}"
        );
        let e = render_one(&s, "prot", None).err().unwrap_or_default();
        assert!(e.contains("did you mean `proto`?"), "{e}");
    }

    #[test]
    fn distinct_values_are_bounded() {
        let recs: Vec<Record> = (0..DISTINCT_CAP + 10)
            .map(|i| rec(&format!(r#"{{"id":{i}}}"#)))
            .collect();
        let s = FieldsSummary::build(recs.iter());
        let id = s.get("id").expect("id");
        assert_eq!(id.distinct(), (DISTINCT_CAP, true));
        assert_eq!(id.present as usize, DISTINCT_CAP + 10);
    }

    #[test]
    fn names_for_completion() {
        let mut a = rec(r#"{"src_ip":"10.0.0.1","alert":{"signature":"s"}}"#);
        a.meta = Arc::new(vec![(Arc::from("_sourceName"), Value::str("f"))]);
        a.message_time = Some(1);
        let b = rec(r#"{"dest_port":1}"#);
        let names = field_names([a, b].iter());
        assert_eq!(
            names,
            [
                "src_ip",
                "alert",
                "alert.signature",
                "dest_port",
                "_messageTime",
                "_sourceName",
                "_raw"
            ]
        );
    }
}
