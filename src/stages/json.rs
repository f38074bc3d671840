//! `json "a.b", "c[0]" [as x, y]` and `json auto [maxdepth N]
//! [extractarrays] [keys "k", ... [as ...]] [refonly]`, with `field=` and
//! `nodrop`.
//!
//! With paths, a record whose text holds no JSON, or whose JSON lacks one of
//! the paths, is dropped; with `nodrop` it is kept and the missing paths
//! give null (Sumo's documented behaviour). `json auto` never drops.

use std::sync::Arc;

use super::args::Args;
use super::extract::{emit, Input};
use super::json_path::{self, Flatten, Path};
use super::{RecordStage, StagePlan};
use crate::ast::{GenericStage, Span, Tok, Token};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::record::{Name, Record};
use crate::value::Value;

/// A checked `json` stage.
#[derive(Clone, Debug)]
pub struct JsonStage {
    input: Input,
    mode: Mode,
}

#[derive(Clone, Debug)]
enum Mode {
    /// Explicit paths, each with the field it fills.
    Paths(Vec<(Path, Name)>),
    /// `json auto`.
    Auto {
        opts: Flatten,
        /// `keys "k" as f`: referenced keys (matched ignoring case) and
        /// the field each fills.
        keys: Vec<(String, Name)>,
        refonly: bool,
    },
}

/// Builds `json ...`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut args = Args::new(g, text);
    let mut input = Input::default();
    let mut auto = false;
    let mut opts = Flatten {
        maxdepth: u32::MAX,
        extract_arrays: false,
    };
    let mut refonly = false;
    let mut keys: Vec<(String, Span)> = Vec::new();
    let mut paths: Vec<(String, Span)> = Vec::new();
    let mut names: Option<Vec<(Name, Span)>> = None;
    while !args.is_done() {
        if input.eat_option(&mut args)? {
            continue;
        }
        let at = args.here();
        if args.eat_word("auto") {
            auto = true;
        } else if args.eat_word("maxdepth") {
            let (n, span) = args.expect_count("a depth (`maxdepth 2`)")?;
            if n == 0 {
                return Err(QueryError::new("`maxdepth` must be at least 1", span));
            }
            opts.maxdepth = u32::try_from(n).unwrap_or(u32::MAX);
        } else if args.eat_word("extractarrays") {
            opts.extract_arrays = true;
        } else if args.eat_word("refonly") {
            refonly = true;
        } else if args.eat_word("keys") {
            keys.extend(string_list(&mut args, "a key in double quotes")?);
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
            let list = string_list(&mut args, "a path in double quotes")?;
            if auto {
                // `json auto "k"` is read as `json auto keys "k"`.
                keys.extend(list);
            } else {
                paths.extend(list);
            }
        } else {
            return Err(args.error(
                "a path in double quotes (`json \"a.b\"`), `auto`, `as`, `field=` or `nodrop`",
            ));
        }
    }
    let mode = if auto {
        if !paths.is_empty() {
            return Err(QueryError::new(
                "`json auto` takes keys after `keys`, not paths",
                paths[0].1,
            ));
        }
        let keys = with_names(keys, names, "key")?;
        Mode::Auto {
            opts,
            keys,
            refonly,
        }
    } else {
        if let Some((w, span)) = [
            ("maxdepth", opts.maxdepth != u32::MAX),
            ("extractarrays", opts.extract_arrays),
            ("refonly", refonly),
            ("keys", !keys.is_empty()),
        ]
        .iter()
        .find(|(_, on)| *on)
        .map(|(w, _)| (*w, g.name_span))
        {
            return Err(
                QueryError::new(format!("`{w}` is an option of `json auto`"), span)
                    .with_hint("write `json auto ...`"),
            );
        }
        if paths.is_empty() {
            return Err(
                args.error("a path in double quotes, such as `json \"user.name\"`, or `auto`")
            );
        }
        let mut parsed = Vec::new();
        for (p, span) in &paths {
            let path = json_path::parse_path(p)
                .map_err(|e| QueryError::new(format!("invalid JSON path `{p}`: {e}"), *span))?;
            parsed.push((path, (p.clone(), *span)));
        }
        let named = with_names(paths, names, "path")?;
        Mode::Paths(
            parsed
                .into_iter()
                .zip(named)
                .map(|((path, _), (_, n))| (path, n))
                .collect(),
        )
    };
    Ok(vec![StagePlan::Record(Arc::new(JsonStage { input, mode }))])
}

/// `"a", "b", ...` (at least one).
pub fn string_list(args: &mut Args, what: &str) -> Result<Vec<(String, Span)>, QueryError> {
    let mut v = vec![args.expect_string(what)?];
    while args.eat_comma() {
        v.push(args.expect_string(what)?);
    }
    Ok(v)
}

/// Pairs each path or key with its field name: the `as` list when given
/// (same length), else the text itself.
fn with_names(
    items: Vec<(String, Span)>,
    names: Option<Vec<(Name, Span)>>,
    what: &str,
) -> Result<Vec<(String, Name)>, QueryError> {
    match names {
        None => Ok(items
            .into_iter()
            .map(|(p, _)| {
                let n: Name = Arc::from(p.as_str());
                (p, n)
            })
            .collect()),
        Some(names) => {
            if names.len() != items.len() {
                let span = match (items.first(), names.last()) {
                    (Some((_, a)), Some((_, b))) => Span::new(a.start, b.end),
                    _ => Span::default(),
                };
                return Err(QueryError::new(
                    format!(
                        "{} {what}{} but {} name{} after `as`",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" },
                        names.len(),
                        if names.len() == 1 { "" } else { "s" }
                    ),
                    span,
                ));
            }
            Ok(items
                .into_iter()
                .zip(names)
                .map(|((p, _), (n, _))| (p, n))
                .collect())
        }
    }
}

impl RecordStage for JsonStage {
    fn apply(&self, rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let text = self.input.text(&rec);
        let json = text.as_deref().and_then(json_path::find_json);
        match &self.mode {
            Mode::Paths(paths) => {
                let mut fields = Vec::with_capacity(paths.len());
                let mut missing = json.is_none();
                for (path, name) in paths {
                    let v = json.and_then(|j| extract(j, path));
                    missing |= v.is_none();
                    fields.push((name.clone(), v.unwrap_or(Value::Null)));
                }
                if missing && !self.input.nodrop {
                    return;
                }
                emit(rec, Some(fields), true, out);
            }
            Mode::Auto {
                opts,
                keys,
                refonly,
            } => {
                let mut flat = Vec::new();
                if let Some(j) = json {
                    json_path::flatten(j, *opts, &mut flat);
                }
                let mut fields: Vec<(Name, Value)> = Vec::new();
                if !refonly {
                    fields.extend(flat.iter().map(|(n, v)| (Arc::from(n.as_str()), v.clone())));
                }
                for (k, name) in keys {
                    let v = flat
                        .iter()
                        .rev()
                        .find(|(n, _)| n.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v.clone())
                        .unwrap_or(Value::Null);
                    fields.push((name.clone(), v));
                }
                emit(rec, Some(fields), true, out);
            }
        }
    }

    fn describe(&self) -> String {
        match &self.mode {
            Mode::Paths(p) => format!(
                "json ({}) → {}",
                self.input.describe(),
                p.iter()
                    .map(|(_, n)| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Mode::Auto { opts, .. } => format!(
                "json auto ({}{})",
                self.input.describe(),
                if opts.maxdepth == u32::MAX {
                    String::new()
                } else {
                    format!(", maxdepth {}", opts.maxdepth)
                }
            ),
        }
    }
}

/// The value at a path: one value, or a JSON array for a path that may
/// select several; `None` when it selects nothing.
fn extract(j: &serde_json::value::RawValue, path: &Path) -> Option<Value> {
    let mut found = Vec::new();
    json_path::select(j, &path.steps, &mut found);
    if found.is_empty() {
        if let Some(lit) = &path.literal {
            json_path::select(j, &[json_path::Step::Key(lit.clone())], &mut found);
            return found.first().map(|v| json_path::leaf_value(v));
        }
        return None;
    }
    if path.is_multi() {
        Some(json_path::array_value(&found))
    } else {
        found.first().map(|v| json_path::leaf_value(v))
    }
}
