//! JSON for the `json` stage: finding the JSON in a text, the JSONPath
//! subset Sumo's `json` takes (`a.b`, `a[0]`, `['key with.dots']`, `[*]`,
//! `..key`, `[?(@.k == v)]`, a leading `$`), and flattening for `json auto`.
//!
//! Values are walked as raw JSON text (`serde_json::value::RawValue`) so a
//! number comes out exactly as written (`1.50` stays `1.50`), as Sumo's
//! extracted values are text.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::value::Value;

/// How many `{` positions are tried when the JSON does not span the text.
const MAX_EMBEDDED_TRIES: usize = 64;

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// An object key (exact, case-sensitive).
    Key(String),
    /// An array index.
    Index(usize),
    /// `*` / `[*]`: every child.
    Wild,
    /// `..key`: every descendant (or the node itself) with that key.
    Descend(String),
    /// `[?(@.path OP literal)]`: the array elements that pass.
    Filter(Filter),
}

/// A filter `[?(@.path OP literal)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    path: Vec<Step>,
    op: FilterOp,
    literal: FilterLit,
}

/// Filter comparison operators.
#[derive(Clone, Copy, Debug, PartialEq)]
enum FilterOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A filter's literal, compared by the shared value rules.
#[derive(Clone, Debug, PartialEq)]
enum FilterLit {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
}

impl FilterLit {
    fn value(&self) -> Value {
        match self {
            FilterLit::Null => Value::Null,
            FilterLit::Bool(b) => Value::Bool(*b),
            FilterLit::Num(n) => crate::value::parse_numeric(n)
                .map(|n| n.into_value())
                .unwrap_or(Value::Null),
            FilterLit::Str(s) => Value::str(s),
        }
    }
}

/// A parsed path: its steps, and whether it can select several values
/// (then the result is a JSON array of them).
#[derive(Clone, Debug)]
pub struct Path {
    /// The steps from the root.
    pub steps: Vec<Step>,
    /// The path as one literal key, tried when the steps find nothing
    /// (`json "id.orig_h"` on Zeek's JSON, whose keys contain dots).
    pub literal: Option<String>,
}

impl Path {
    /// True when the path may select more than one value.
    pub fn is_multi(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s, Step::Wild | Step::Descend(_) | Step::Filter(_)))
    }
}

/// Parses a path; the error says what is wrong.
pub fn parse_path(src: &str) -> Result<Path, String> {
    let steps = parse_steps(src, true)?;
    let literal =
        (src.contains('.') && !src.starts_with('$') && !src.contains('[') && !src.contains(".."))
            .then(|| src.to_string());
    Ok(Path { steps, literal })
}

fn parse_steps(src: &str, top: bool) -> Result<Vec<Step>, String> {
    let s: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut steps = Vec::new();
    if s.first() == Some(&'$') || (!top && s.first() == Some(&'@')) {
        i = 1;
    }
    let mut first = true;
    while i < s.len() {
        match s[i] {
            '.' if s.get(i + 1) == Some(&'.') => {
                i += 2;
                let (name, next) = read_name(&s, i);
                if name.is_empty() {
                    return Err("`..` must be followed by a key name".into());
                }
                steps.push(Step::Descend(name));
                i = next;
            }
            // `a.[0]` and `a.[*]`, as Sumo accepts them.
            '.' if s.get(i + 1) == Some(&'[') => i += 1,
            // A bare `*` anywhere is a wildcard step (`$['a']*['b']`).
            '*' => {
                steps.push(Step::Wild);
                i += 1;
            }
            '.' => {
                i += 1;
                if s.get(i) == Some(&'*') && matches!(s.get(i + 1), None | Some('.') | Some('[')) {
                    steps.push(Step::Wild);
                    i += 1;
                } else {
                    let (name, next) = read_name(&s, i);
                    if name.is_empty() {
                        return Err(format!(
                            "a key name is missing after `.` at character {}",
                            i
                        ));
                    }
                    steps.push(Step::Key(name));
                    i = next;
                }
            }
            '[' => {
                let (step, next) = read_bracket(&s, i)?;
                steps.push(step);
                i = next;
            }
            _ if first => {
                let (name, next) = read_name(&s, i);
                steps.push(if name == "*" {
                    Step::Wild
                } else {
                    Step::Key(name)
                });
                i = next;
            }
            c => return Err(format!("unexpected `{c}` at character {}", i + 1)),
        }
        first = false;
    }
    if steps.is_empty() && top {
        return Err("the path is empty".into());
    }
    Ok(steps)
}

/// A key name up to the next `.` or `[`.
fn read_name(s: &[char], mut i: usize) -> (String, usize) {
    let mut name = String::new();
    while let Some(&c) = s.get(i) {
        if c == '.' || c == '[' {
            break;
        }
        name.push(c);
        i += 1;
    }
    (name, i)
}

/// `[N]`, `[*]`, `['key']`, `["key"]` or `[?(...)]` starting at `s[i] == '['`.
fn read_bracket(s: &[char], i: usize) -> Result<(Step, usize), String> {
    let mut j = i + 1;
    match s.get(j) {
        Some(&q) if q == '\'' || q == '"' => {
            j += 1;
            let mut key = String::new();
            loop {
                match s.get(j) {
                    None => return Err("a quoted key in `[...]` is not closed".into()),
                    Some('\\') => {
                        if let Some(&c) = s.get(j + 1) {
                            key.push(c);
                        }
                        j += 2;
                    }
                    Some(&c) if c == q => {
                        j += 1;
                        break;
                    }
                    Some(&c) => {
                        key.push(c);
                        j += 1;
                    }
                }
            }
            if s.get(j) != Some(&']') {
                return Err("expected `]` after the quoted key".into());
            }
            Ok((Step::Key(key), j + 1))
        }
        Some('*') if s.get(j + 1) == Some(&']') => Ok((Step::Wild, j + 2)),
        Some('?') => {
            // Find the `)]` that closes the filter, outside quotes.
            let mut k = j + 1;
            let mut quote: Option<char> = None;
            while k + 1 < s.len() {
                match (quote, s[k]) {
                    (Some(q), c) if c == q => quote = None,
                    (None, '\'' | '"') => quote = Some(s[k]),
                    (None, ')') if s[k + 1] == ']' => break,
                    _ => {}
                }
                k += 1;
            }
            if k + 1 >= s.len() {
                return Err("a filter `[?(...)]` is not closed".into());
            }
            let inner: String = s[j + 1..k + 1].iter().collect();
            let inner = inner.trim();
            let body = inner
                .strip_prefix('(')
                .and_then(|b| b.strip_suffix(')'))
                .ok_or("a filter is written `[?(@.key == value)]`")?;
            Ok((Step::Filter(parse_filter(body)?), k + 2))
        }
        _ => {
            let mut k = j;
            let mut digits = String::new();
            while let Some(c) = s.get(k).filter(|c| c.is_ascii_digit() || **c == ' ') {
                if *c != ' ' {
                    digits.push(*c);
                }
                k += 1;
            }
            if s.get(k) != Some(&']') || digits.is_empty() {
                return Err(
                    "`[...]` takes an index (`[0]`), `*`, a quoted key (`['a b']`) or a filter `[?(...)]`"
                        .into(),
                );
            }
            let n = digits
                .parse::<usize>()
                .map_err(|_| "the array index is too large".to_string())?;
            Ok((Step::Index(n), k + 1))
        }
    }
}

fn parse_filter(body: &str) -> Result<Filter, String> {
    let ops = [
        ("==", FilterOp::Eq),
        ("!=", FilterOp::Ne),
        ("<=", FilterOp::Le),
        (">=", FilterOp::Ge),
        ("<", FilterOp::Lt),
        (">", FilterOp::Gt),
    ];
    let unsupported = || {
        "sumoq's JSONPath filters compare one key with a literal: `[?(@.key == value)]`".to_string()
    };
    let (pos, text, op) = ops
        .iter()
        .filter_map(|(t, op)| body.find(t).map(|p| (p, *t, *op)))
        .min_by_key(|(p, t, _)| (*p, usize::MAX - t.len()))
        .ok_or_else(unsupported)?;
    let left = body[..pos].trim();
    let right = body[pos + text.len()..].trim();
    if !left.starts_with('@') {
        return Err(unsupported());
    }
    let path = parse_steps(left, false)?;
    let literal = match right {
        "null" => FilterLit::Null,
        "true" => FilterLit::Bool(true),
        "false" => FilterLit::Bool(false),
        r if (r.starts_with('\'') && r.ends_with('\'')
            || r.starts_with('"') && r.ends_with('"'))
            && r.len() >= 2 =>
        {
            FilterLit::Str(r[1..r.len() - 1].to_string())
        }
        r if crate::value::parse_numeric(r).is_some() => FilterLit::Num(r.to_string()),
        _ => return Err(unsupported()),
    };
    Ok(Filter { path, op, literal })
}

/// The JSON in a text: the whole (trimmed) text when it is a JSON object or
/// array, else the first `{...}` object inside it (text may come before and
/// after, as in `2024-01-01 INFO {"a":1} done`).
pub fn find_json(text: &str) -> Option<&RawValue> {
    let t = text.trim();
    if t.starts_with('{') || t.starts_with('[') {
        if let Ok(r) = serde_json::from_str::<&RawValue>(t) {
            return shallow(r);
        }
    }
    for (i, _) in text.match_indices('{').take(MAX_EMBEDDED_TRIES) {
        let rest = &text[i..];
        let mut it = serde_json::Deserializer::from_str(rest).into_iter::<&RawValue>();
        if let Some(Ok(r)) = it.next() {
            return shallow(r);
        }
    }
    None
}

/// Deepest JSON the parsing stages take apart, as for whole JSON lines
/// (serde_json's limit there). A raw value is checked whole, but walking it
/// re-reads each level, and `json auto` names each leaf by its whole path:
/// a value 20,000 deep would cost time and memory quadratic in its size.
const MAX_JSON_DEPTH: usize = 128;

/// The value, when it nests no deeper than [`MAX_JSON_DEPTH`].
fn shallow(r: &RawValue) -> Option<&RawValue> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for b in r.get().bytes() {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return None;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Some(r)
}

/// The kind of a raw JSON value, from its first byte.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
    /// `"..."`
    Str,
    /// `null`
    Null,
    /// A number or a boolean.
    Scalar,
}

/// The kind of a raw JSON value.
pub fn kind(r: &RawValue) -> Kind {
    match r.get().trim_start().as_bytes().first() {
        Some(b'{') => Kind::Object,
        Some(b'[') => Kind::Array,
        Some(b'"') => Kind::Str,
        Some(b'n') => Kind::Null,
        _ => Kind::Scalar,
    }
}

/// An object's entries in order (a duplicate key appears twice).
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Entries<'de>, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<String, &'de RawValue>()? {
                    v.push((k, val));
                }
                Ok(Entries(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// An object's entries, in order; `None` when it is not an object.
pub fn entries(r: &RawValue) -> Option<Vec<(String, &RawValue)>> {
    if kind(r) != Kind::Object {
        return None;
    }
    serde_json::from_str::<Entries>(r.get()).ok().map(|e| e.0)
}

/// An array's elements; `None` when it is not an array.
pub fn elements(r: &RawValue) -> Option<Vec<&RawValue>> {
    if kind(r) != Kind::Array {
        return None;
    }
    serde_json::from_str::<Vec<&RawValue>>(r.get()).ok()
}

/// The value of a key (the last one when the key is repeated, as for JSON
/// records).
fn get_key<'a>(r: &'a RawValue, key: &str) -> Option<&'a RawValue> {
    entries(r)?
        .into_iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Every value the steps select, in document order.
pub fn select<'a>(r: &'a RawValue, steps: &[Step], out: &mut Vec<&'a RawValue>) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(r);
        return;
    };
    match step {
        Step::Key(k) => {
            if let Some(v) = get_key(r, k) {
                select(v, rest, out);
            }
        }
        Step::Index(i) => {
            if let Some(v) = elements(r).and_then(|e| e.get(*i).copied()) {
                select(v, rest, out);
            }
        }
        Step::Wild => {
            for v in children(r) {
                select(v, rest, out);
            }
        }
        Step::Descend(k) => {
            if let Some(v) = get_key(r, k) {
                select(v, rest, out);
            }
            for v in children(r) {
                select(v, steps, out);
            }
        }
        Step::Filter(f) => {
            for v in elements(r).unwrap_or_default() {
                if f.passes(v) {
                    select(v, rest, out);
                }
            }
        }
    }
}

fn children(r: &RawValue) -> Vec<&RawValue> {
    match kind(r) {
        Kind::Object => entries(r)
            .unwrap_or_default()
            .into_iter()
            .map(|(_, v)| v)
            .collect(),
        Kind::Array => elements(r).unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl Filter {
    fn passes(&self, r: &RawValue) -> bool {
        let mut found = Vec::new();
        select(r, &self.path, &mut found);
        let Some(v) = found.first() else {
            return false;
        };
        let got = typed_value(v);
        let want = self.literal.value();
        match self.op {
            FilterOp::Eq => got.equals(&want),
            FilterOp::Ne => !got.equals(&want),
            FilterOp::Lt => got.compare(&want) == Some(std::cmp::Ordering::Less),
            FilterOp::Le => matches!(
                got.compare(&want),
                Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
            ),
            FilterOp::Gt => got.compare(&want) == Some(std::cmp::Ordering::Greater),
            FilterOp::Ge => matches!(
                got.compare(&want),
                Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
            ),
        }
    }
}

/// A raw value with its JSON type (for filters, which compare `true` with
/// `true`, not with the text "true").
fn typed_value(r: &RawValue) -> Value {
    serde_json::from_str::<serde_json::Value>(r.get())
        .map(Value::from_json)
        .unwrap_or(Value::Null)
}

/// A selected value as an extracted field (SPEC §5: text): strings
/// unquoted, numbers and booleans as written, objects and arrays as compact
/// JSON, null as null.
pub fn leaf_value(r: &RawValue) -> Value {
    match kind(r) {
        Kind::Null => Value::Null,
        Kind::Str => serde_json::from_str::<String>(r.get())
            .map(|s| Value::str(&s))
            .unwrap_or(Value::Null),
        Kind::Scalar => Value::str(r.get().trim()),
        Kind::Object | Kind::Array => Value::str(&compact(r.get())),
    }
}

/// Several selected values as one field: a compact JSON array.
pub fn array_value(vals: &[&RawValue]) -> Value {
    let parts: Vec<String> = vals.iter().map(|v| compact(v.get())).collect();
    Value::str(&format!("[{}]", parts.join(",")))
}

/// JSON text without the white space between tokens (strings untouched).
pub fn compact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_str = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// Options of `json auto`'s flattening.
#[derive(Clone, Copy, Debug)]
pub struct Flatten {
    /// Levels of keys to expand (1: only the top-level keys).
    pub maxdepth: u32,
    /// Expand arrays of plain values too (`extractarrays`).
    pub extract_arrays: bool,
}

/// Flattens an object into `a.b[0].c` names (spaces in keys become `_`),
/// as `json auto` does: objects are expanded, arrays that hold objects or
/// arrays too (plain-value arrays only with `extractarrays`), down to
/// `maxdepth` levels; what is not expanded is one value.
pub fn flatten(r: &RawValue, opts: Flatten, out: &mut Vec<(String, Value)>) {
    expand(r, "", 1, opts, out);
}

fn expand(r: &RawValue, name: &str, level: u32, opts: Flatten, out: &mut Vec<(String, Value)>) {
    let kids: Vec<(String, &RawValue)> = match kind(r) {
        Kind::Object => entries(r)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let k = k.replace(' ', "_");
                let n = if name.is_empty() {
                    k
                } else {
                    format!("{name}.{k}")
                };
                (n, v)
            })
            .collect(),
        Kind::Array => elements(r)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("{name}[{i}]"), v))
            .collect(),
        _ => return,
    };
    for (n, v) in kids {
        let expandable = match kind(v) {
            Kind::Object => entries(v).is_some_and(|e| !e.is_empty()),
            Kind::Array => elements(v).is_some_and(|e| {
                !e.is_empty()
                    && (opts.extract_arrays
                        || e.iter()
                            .any(|x| matches!(kind(x), Kind::Object | Kind::Array)))
            }),
            _ => false,
        };
        if expandable && level < opts.maxdepth {
            expand(v, &n, level + 1, opts, out);
        } else {
            out.push((n, leaf_value(v)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(json: &str, path: &str) -> Vec<String> {
        let r = find_json(json).unwrap();
        let p = parse_path(path).unwrap();
        let mut out = Vec::new();
        select(r, &p.steps, &mut out);
        out.iter()
            .map(|v| leaf_value(v).display_text().into_owned())
            .collect()
    }

    #[test]
    fn paths() {
        let j = r#"{"a":{"b":[{"c":1.50},{"c":2}]},"k l":"x","d.e":"lit","arr":[{"ok":true,"v":"y"},{"ok":false,"v":"n"}]}"#;
        assert_eq!(sel(j, "a.b[0].c"), vec!["1.50"]);
        assert_eq!(sel(j, "$.a.b[1].c"), vec!["2"]);
        assert_eq!(sel(j, "a.b[*].c"), vec!["1.50", "2"]);
        assert_eq!(sel(j, "['k l']"), vec!["x"]);
        assert_eq!(sel(j, "$['d.e']"), vec!["lit"]);
        assert_eq!(sel(j, "..c"), vec!["1.50", "2"]);
        assert_eq!(sel(j, "arr[?(@.ok == true)].v"), vec!["y"]);
        assert_eq!(sel(j, "a"), vec![r#"{"b":[{"c":1.50},{"c":2}]}"#]);
        assert!(sel(j, "a.x").is_empty());
    }

    #[test]
    fn bad_paths() {
        assert!(parse_path("").is_err());
        assert!(parse_path("a[x]").is_err());
        assert!(parse_path("a['b").is_err());
        assert!(parse_path("a[?(@.b =~ 1)]").is_err());
    }

    #[test]
    fn embedded_json() {
        let r = find_json("2024 INFO {\"a\": {\"b\": 1}} trailing").unwrap();
        assert_eq!(compact(r.get()), r#"{"a":{"b":1}}"#);
        assert!(find_json("no json here {oops").is_none());
    }

    #[test]
    fn flatten_depths() {
        let r = find_json(r#"{"foo":{"bar":[{"k1":"v1"},{"k2":"v2"}],"baz":"qux"},"n":[1,2]}"#)
            .unwrap();
        let mut out = Vec::new();
        flatten(
            r,
            Flatten {
                maxdepth: 2,
                extract_arrays: false,
            },
            &mut out,
        );
        let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["foo.bar", "foo.baz", "n"]);
        out.clear();
        flatten(
            r,
            Flatten {
                maxdepth: u32::MAX,
                extract_arrays: true,
            },
            &mut out,
        );
        let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            vec!["foo.bar[0].k1", "foo.bar[1].k2", "foo.baz", "n[0]", "n[1]"]
        );
    }
}
