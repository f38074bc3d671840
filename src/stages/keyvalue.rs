//! `keyvalue` (also `kv`): values of `key=value`, `key: value` and
//! `key -> value` pairs. Three modes, as in Sumo:
//!
//! - infer (the default): `kv "k1", "k2" [as a, b]`, `kv infer [keys] "k"`;
//! - regex: `kv regex "(\w+)=(\S+)" keys "k"` (a key group and a value
//!   group) or `kv regex "=(.*?)," "k"` (a value group, searched from where
//!   the key first appears);
//! - auto: `kv auto [delim ":"] [keys "k" [as f]] [refonly]`: every pair.
//!
//! With keys, a record that lacks one of them is dropped (kept with null
//! for the missing ones under `nodrop`); `auto` never drops.

use std::sync::Arc;

use regex::Regex;

use super::args::Args;
use super::extract::{emit, sanitize_name, Input};
use super::{RecordStage, StagePlan};
use crate::ast::{GenericStage, Span, Tok, Token};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::record::{Name, Record};
use crate::value::Value;

/// The value part of a pair: a double- or single-quoted string, or a run up
/// to white space or `, ; & " ' } ] )` that does not end in `:` or `.`
/// (`host=10.1.1.1: msg` gives `10.1.1.1`).
const VALUE: &str =
    r#"(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|((?:[^\s,;&"'}\])]*[^\s,;&"'}\]):.])?))"#;

/// The delimiters `=`, `:` and `->`; white space is allowed around `:` and
/// `->`, and around `=` only on both sides (so `a= b=2` does not read
/// `b=2` as a's value).
const DELIMS: &str = r"(?:=|[ \t]+=[ \t]+|[ \t]*(?::|->)[ \t]*)";

/// A key as `kv auto` finds it.
const AUTO_KEY: &str = r"([A-Za-z_][\w.\-]*)";

/// What comes before a key: the start of the text or a character that
/// cannot be part of one.
const KEY_START: &str = r#"(?:^|[^\w.\-])["']?"#;

/// A checked `keyvalue` stage.
#[derive(Clone, Debug)]
pub struct KeyValue {
    input: Input,
    mode: Mode,
}

#[derive(Clone, Debug)]
enum Mode {
    /// One regex per key (its value groups are 1..=3), and the field.
    Infer(Vec<(Regex, Name)>),
    /// A key group and a value group; the keys asked for (none: all pairs).
    RegexPairs(Regex, Vec<(String, Name)>),
    /// A value group searched from the key's first occurrence.
    RegexValue(Regex, Vec<(String, Name)>),
    /// Every pair; referenced keys (matched ignoring case) and their names.
    Auto {
        re: Regex,
        keys: Vec<(String, Name)>,
        refonly: bool,
    },
}

/// Builds `keyvalue ...` / `kv ...`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut args = Args::new(g, text);
    let mut input = Input::default();
    let mut auto = false;
    let mut regex: Option<(String, Span)> = None;
    let mut delim: Option<(String, Span)> = None;
    let mut refonly = false;
    let mut keys: Vec<(String, Span)> = Vec::new();
    let mut names: Option<Vec<(Name, Span)>> = None;
    while !args.is_done() {
        if input.eat_option(&mut args)? {
            continue;
        }
        let at = args.here();
        if args.eat_word("auto") {
            auto = true;
        } else if args.eat_word("infer") || args.eat_word("keys") {
        } else if args.eat_word("regex") {
            regex = Some(args.expect_string("a regular expression in double quotes")?);
        } else if args.eat_word("delim") {
            delim = Some(args.expect_string("a delimiter in double quotes (`delim \":\"`)")?);
        } else if args.eat_word("refonly") {
            refonly = true;
        } else if args.eat_word("as") {
            if names.is_some() {
                return Err(QueryError::new("`as` is given twice", at));
            }
            names = Some(
                args.expect_field_list("a field name")?
                    .into_iter()
                    .map(|(n, _, s)| (Arc::from(n.as_str()), s))
                    .collect(),
            );
        } else if matches!(
            args.peek(),
            Some(Token {
                kind: Tok::Str(_),
                ..
            })
        ) {
            keys.extend(super::json::string_list(
                &mut args,
                "a key in double quotes",
            )?);
        } else {
            return Err(args.error(
                "a key in double quotes (`kv \"user\"`), `auto`, `infer`, `regex`, `keys`, `as`, `field=` or `nodrop`",
            ));
        }
    }
    let named = name_keys(&keys, names)?;
    let delim_re = match &delim {
        Some((d, span)) if d.is_empty() => {
            return Err(QueryError::new("the delimiter is empty", *span))
        }
        Some((d, _)) => format!(r"[ \t]*{}[ \t]*", regex::escape(d)),
        None => DELIMS.to_string(),
    };
    let mode = if auto {
        if let Some((_, span)) = regex {
            return Err(QueryError::new(
                "`regex` and `auto` are two different modes of `keyvalue`",
                span,
            ));
        }
        let src = format!("{KEY_START}{AUTO_KEY}[\"']?{delim_re}{VALUE}");
        Mode::Auto {
            re: crate::plan::compile::regex_at(&src, g.name_span)?,
            keys: named,
            refonly,
        }
    } else if let Some((src, span)) = regex {
        let re = crate::plan::compile::regex_at(&super::java_regex::translate(&src), span)?;
        match re.captures_len() - 1 {
            2 => Mode::RegexPairs(re, named),
            1 if !named.is_empty() => Mode::RegexValue(re, named),
            1 => {
                return Err(QueryError::new(
                    "a regular expression with one group needs the keys to look for",
                    span,
                )
                .with_hint("add the keys: `kv regex \"=(.*?),\" \"user\", \"ip\"`"))
            }
            n => {
                return Err(QueryError::new(
                    format!("the regular expression has {n} groups; `keyvalue regex` takes a key group and a value group, or a value group only"),
                    span,
                ))
            }
        }
    } else {
        if named.is_empty() {
            return Err(args.error("the keys to extract in double quotes, or `auto`"));
        }
        let mut v = Vec::new();
        for ((k, name), (_, span)) in named.into_iter().zip(&keys) {
            let src = format!("{KEY_START}{}[\"']?{delim_re}{VALUE}", regex::escape(&k));
            v.push((crate::plan::compile::regex_at(&src, *span)?, name));
        }
        Mode::Infer(v)
    };
    Ok(vec![StagePlan::Record(Arc::new(KeyValue { input, mode }))])
}

/// Pairs each key with its field name: the `as` list (same length), or the
/// key with every character other than letters, digits and `_` made `_`.
fn name_keys(
    keys: &[(String, Span)],
    names: Option<Vec<(Name, Span)>>,
) -> Result<Vec<(String, Name)>, QueryError> {
    match names {
        None => Ok(keys
            .iter()
            .map(|(k, _)| (k.clone(), Arc::from(sanitize_name(k).as_str())))
            .collect()),
        Some(names) => {
            if names.len() != keys.len() {
                let span = names
                    .first()
                    .map(|(_, s)| {
                        Span::new(s.start, names.last().map(|(_, e)| e.end).unwrap_or(s.end))
                    })
                    .unwrap_or_default();
                return Err(QueryError::new(
                    format!(
                        "{} key{} but {} name{} after `as`",
                        keys.len(),
                        if keys.len() == 1 { "" } else { "s" },
                        names.len(),
                        if names.len() == 1 { "" } else { "s" }
                    ),
                    span,
                ));
            }
            Ok(keys
                .iter()
                .zip(names)
                .map(|((k, _), (n, _))| (k.clone(), n))
                .collect())
        }
    }
}

/// The value of a pair match: whichever of the quoted or bare groups took
/// part, starting at group `first`.
fn pair_value(c: &regex::Captures, first: usize) -> Value {
    if let Some(m) = c.get(first).or_else(|| c.get(first + 1)) {
        return Value::str(&unescape_quoted(m.as_str()));
    }
    c.get(first + 2)
        .map(|m| Value::str(m.as_str()))
        .unwrap_or(Value::Null)
}

/// `\"` and `\\` inside a quoted value stand for `"` and `\`.
fn unescape_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('"' | '\'' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl KeyValue {
    /// The fields found, and whether every key asked for was found.
    fn extract(&self, text: &str) -> (Vec<(Name, Value)>, bool) {
        match &self.mode {
            Mode::Infer(keys) => {
                let mut all = true;
                let fields = keys
                    .iter()
                    .map(|(re, name)| {
                        let v = re.captures(text).map(|c| pair_value(&c, 1));
                        all &= v.is_some();
                        (name.clone(), v.unwrap_or(Value::Null))
                    })
                    .collect();
                (fields, all)
            }
            Mode::RegexPairs(re, keys) => {
                let pairs: Vec<(String, Value)> = re
                    .captures_iter(text)
                    .filter_map(|c| {
                        let k = c.get(1)?.as_str().to_string();
                        let v = c
                            .get(2)
                            .map(|m| Value::str(m.as_str()))
                            .unwrap_or(Value::Null);
                        Some((k, v))
                    })
                    .collect();
                if keys.is_empty() {
                    let fields = pairs
                        .into_iter()
                        .map(|(k, v)| (Arc::from(sanitize_name(&k).as_str()), v))
                        .collect();
                    return (fields, true);
                }
                let mut all = true;
                let fields = keys
                    .iter()
                    .map(|(k, name)| {
                        let v = pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone());
                        all &= v.is_some();
                        (name.clone(), v.unwrap_or(Value::Null))
                    })
                    .collect();
                (fields, all)
            }
            Mode::RegexValue(re, keys) => {
                let mut all = true;
                let fields = keys
                    .iter()
                    .map(|(k, name)| {
                        let v = text.find(k.as_str()).and_then(|at| {
                            re.captures_at(text, at + k.len())
                                .and_then(|c| c.get(1))
                                .map(|m| Value::str(m.as_str()))
                        });
                        all &= v.is_some();
                        (name.clone(), v.unwrap_or(Value::Null))
                    })
                    .collect();
                (fields, all)
            }
            Mode::Auto { re, keys, refonly } => {
                let mut found: Vec<(String, Value)> = Vec::new();
                for c in re.captures_iter(text) {
                    let Some(k) = c.get(1) else { continue };
                    let v = pair_value(&c, 2);
                    // A repeated key keeps its last value, in its first place.
                    match found.iter_mut().find(|(fk, _)| fk == k.as_str()) {
                        Some(slot) => slot.1 = v,
                        None => found.push((k.as_str().to_string(), v)),
                    }
                }
                let mut fields: Vec<(Name, Value)> = Vec::new();
                if !refonly {
                    fields.extend(
                        found
                            .iter()
                            .map(|(k, v)| (Arc::from(sanitize_name(k).as_str()), v.clone())),
                    );
                }
                for (k, name) in keys {
                    let v = found
                        .iter()
                        .find(|(fk, _)| fk.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v.clone())
                        .unwrap_or(Value::Null);
                    fields.push((name.clone(), v));
                }
                (fields, true)
            }
        }
    }
}

impl RecordStage for KeyValue {
    fn apply(&self, rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let auto = matches!(self.mode, Mode::Auto { .. });
        let Some(text) = self.input.text(&rec) else {
            return emit(rec, None, self.input.nodrop || auto, out);
        };
        let (fields, all) = self.extract(&text);
        if !all && !self.input.nodrop {
            return;
        }
        emit(rec, Some(fields), true, out);
    }

    fn describe(&self) -> String {
        let mode = match &self.mode {
            Mode::Infer(_) => "infer",
            Mode::RegexPairs(..) | Mode::RegexValue(..) => "regex",
            Mode::Auto { .. } => "auto",
        };
        format!("keyvalue {mode} ({})", self.input.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::GenericStage;

    fn run(query: &str, line: &str) -> Vec<(String, String)> {
        let q = crate::parser::parse_query(query).unwrap();
        let crate::ast::StageKind::Generic(g): &crate::ast::StageKind = &q.stages[0].kind else {
            panic!("not generic")
        };
        let g: &GenericStage = g;
        let plans = build(g, query).unwrap();
        let mut out = Vec::new();
        let mut diag = Diagnostics::default();
        let super::StagePlan::Record(s) = &plans[0] else {
            panic!()
        };
        s.apply(Record::from_raw(line), &mut out, &mut diag);
        out.first()
            .map(|r| {
                r.fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.display_text().into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn infer_forms() {
        let line = r#"user=alice ip: 10.0.0.1 msg="a \"b\" c" path -> /x empty= next=1"#;
        assert_eq!(
            run(r#"* | kv "user", "ip", "msg", "path", "empty""#, line),
            kv(&[
                ("user", "alice"),
                ("ip", "10.0.0.1"),
                ("msg", "a \"b\" c"),
                ("path", "/x"),
                ("empty", "")
            ])
        );
        // `xuser` is not `user`.
        assert!(run(r#"* | kv "user""#, "xuser=1").is_empty());
    }

    #[test]
    fn auto_and_regex() {
        let line = "a=1, b.c=two a=3 \"d\":\"x y\"";
        assert_eq!(
            run("* | kv auto", line),
            kv(&[("a", "3"), ("b_c", "two"), ("d", "x y")])
        );
        assert_eq!(
            run(r#"* | kv regex "(\w+)=(\d+)" keys "a" as x"#, line),
            kv(&[("x", "1")])
        );
        assert_eq!(
            run(r#"* | kv regex "=(\w+)" "b.c""#, line),
            kv(&[("b_c", "two")])
        );
    }
}
