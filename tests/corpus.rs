//! The public corpus as a measure: `../shared/corpus/sumo-queries.jsonl`
//! holds 3,000 real Sumo Logic queries (app catalogs, documentation). Each is
//! checked the way `sumoq check` does (parse + plan, in-process), after its
//! template placeholders are filled. The test prints the share that passes
//! and the failures grouped by reason, and fails when the share drops below
//! [`FLOOR`].
//!
//! The corpus lives outside the project; where it is absent the test says so
//! and passes, so a clean clone still runs its tests.
//!
//! Other branches are adding stages at the same time; the test also prints a
//! projection (queries that plan once those stages exist) and the failures
//! left: the gaps of the core language.
//!
//! `CORPUS_REPORT=all` prints every failing query (id, error, text);
//! `CORPUS_REPORT=core` the queries that fail on the core language;
//! `CORPUS_REPORT=TEXT` the failures whose rendered error contains TEXT.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use sumoq::ast::StageKind;
use sumoq::engine::{compile, Source};
use sumoq::error::QueryError;

/// Stages and functions being built elsewhere, by owner: the projection
/// below counts the queries that fail only on these. Empty now that every
/// branch of issue 4 has landed.
const PENDING: &[(&str, &[&str])] = &[];

fn pending_owner(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    PENDING
        .iter()
        .find(|(_, names)| names.contains(&lower.as_str()))
        .map(|(owner, _)| *owner)
}

/// The lowest pass rate (per cent) accepted. Raise it as work lands; the
/// target of issue 4 is 97.
const FLOOR: f64 = 97.0;

/// The lowest projected pass rate (per cent): the share that passes once
/// the stages of [`PENDING`] exist (their queries are planned with those
/// stages left out). It measures the core language alone.
const PROJECTED_FLOOR: f64 = 97.0;

/// What checking one query gave.
struct Checked {
    id: String,
    /// The query with its placeholders filled.
    filled: String,
    /// `None` when it passes; else the error message and its rendering.
    error: Option<(String, String)>,
    /// For a failing query: `Ok(pending names)` when it plans with the
    /// pending stages left out, else the remaining error (message,
    /// rendering).
    projection: Result<Vec<String>, (String, String)>,
}

fn check_one(line: &str) -> Checked {
    let v: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
    let id = v["id"].as_str().unwrap_or("?").to_string();
    let filled = fill_placeholders(v["query"].as_str().unwrap_or(""));
    let src = Source {
        origin: format!("corpus:{id}"),
        text: filled.clone(),
    };
    let (error, projection) = match compile(&src, &[]) {
        Ok(_) => (None, Ok(Vec::new())),
        Err(e) => (
            Some((e.error.message.clone(), e.render())),
            project(&filled).map_err(|(e, text)| (e.message.clone(), e.render(&text, &src.origin))),
        ),
    };
    Checked {
        id,
        filled,
        error,
        projection,
    }
}

/// Checks every line, on as many threads as there are cores (the parser
/// is slow in debug builds).
fn check_all(text: &str) -> Vec<Checked> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = lines.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|l| check_one(l)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("corpus worker"))
            .collect()
    })
}

/// Counts per key, most frequent first, with the first example id.
fn ranked<'a>(items: impl Iterator<Item = (String, &'a str)>) -> Vec<(String, usize, String)> {
    let mut m: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (k, id) in items {
        m.entry(k).or_insert((0, id.to_string())).0 += 1;
    }
    let mut v: Vec<_> = m.into_iter().map(|(k, (n, id))| (k, n, id)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

#[test]
fn corpus_pass_rate() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sumo-queries.jsonl");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            say(&format!(
                "corpus test skipped: {} not readable ({e})\n",
                path.display()
            ));
            return;
        }
    };
    let all = check_all(&text);
    let total = all.len();
    let failed: Vec<&Checked> = all.iter().filter(|c| c.error.is_some()).collect();
    let passed = total - failed.len();
    let share = 100.0 * passed as f64 / total.max(1) as f64;
    let reasons = ranked(
        failed
            .iter()
            .filter_map(|c| c.error.as_ref().map(|(m, _)| (normalise(m), c.id.as_str()))),
    );
    let mut out = format!(
        "corpus: {passed} of {total} queries pass check ({share:.1} %, floor {FLOOR} %)\n\
         failures by reason ({} reasons):\n",
        reasons.len()
    );
    for (reason, n, id) in &reasons {
        out.push_str(&format!("  {n:>5}  {reason}   [e.g. {id}]\n"));
    }
    let pending_only = failed.iter().filter(|c| c.projection.is_ok()).count();
    let projected = 100.0 * (passed + pending_only) as f64 / total.max(1) as f64;
    out.push_str(&format!(
        "\nprojection: with the stages other branches are building, {pending_only} more \
         pass ({projected:.1} %, floor {PROJECTED_FLOOR} %); queries failing only on \
         pending stages, per stage:\n"
    ));
    let per_stage = ranked(failed.iter().flat_map(|c| match &c.projection {
        Ok(names) => names.iter().map(|n| (n.clone(), c.id.as_str())).collect(),
        Err(_) => Vec::new(),
    }));
    for (st, n, _) in &per_stage {
        out.push_str(&format!("  {n:>5}  {st}\n"));
    }
    // Which branches a query waits for, as a set: what each merge adds.
    let per_owners = ranked(failed.iter().filter_map(|c| match &c.projection {
        Ok(names) => {
            let mut owners: Vec<&str> = names.iter().filter_map(|n| n.split(':').next()).collect();
            owners.sort();
            owners.dedup();
            Some((owners.join(" + "), c.id.as_str()))
        }
        Err(_) => None,
    }));
    out.push_str("the same queries by the branches they wait for:\n");
    for (owners, n, _) in &per_owners {
        out.push_str(&format!("  {n:>5}  {owners}\n"));
    }
    let core = ranked(failed.iter().filter_map(|c| match &c.projection {
        Err((m, _)) => Some((normalise(m), c.id.as_str())),
        Ok(_) => None,
    }));
    out.push_str(&format!(
        "remaining failures with those stages left out ({}):\n",
        total - passed - pending_only
    ));
    for (reason, n, id) in &core {
        out.push_str(&format!("  {n:>5}  {reason}   [e.g. {id}]\n"));
    }
    if let Ok(sel) = std::env::var("CORPUS_REPORT") {
        for c in &failed {
            let shown = match (&c.error, &c.projection) {
                (_, Err((_, r))) if sel == "core" => Some(r),
                (Some((_, r)), _) if sel == "all" || r.contains(&sel) => Some(r),
                _ => None,
            };
            if let Some(r) = shown {
                out.push_str(&format!("\n--- {}\n{r}\n{}\n", c.id, c.filled));
            }
        }
    }
    say(&out);
    assert!(
        share >= FLOOR,
        "corpus pass rate {share:.1} % fell below the floor {FLOOR} %"
    );
    assert!(
        projected >= PROJECTED_FLOOR,
        "projected corpus pass rate {projected:.1} % fell below the floor {PROJECTED_FLOOR} %"
    );
}

/// Plans the query with the stages and functions of [`PENDING`] left out.
/// `Ok` holds the pending names the query uses (`owner: name`); `Err` the
/// first failure that is not about them, with the text it points into
/// (stages may have been cut out of it).
fn project(text: &str) -> Result<Vec<String>, (QueryError, String)> {
    let mut text = text.to_string();
    let mut used = Vec::new();
    // A stage that fails to parse because it calls a pending aggregate
    // (`values(x) by y`, `topk(5, _count)`) is cut out, and the rest parsed
    // again.
    let mut q = loop {
        match sumoq::parser::parse_query(&text) {
            Ok(q) => break q,
            Err(e) => {
                let cut = stage_around(&text, e.span.start).and_then(|(s, end)| {
                    pending_aggregate(&text[s..end]).map(|name| (s, end, name))
                });
                match cut {
                    Some((s, end, name)) => {
                        used.push(name);
                        text.replace_range(s..end, "");
                    }
                    None => return Err((e, text)),
                }
            }
        }
    };
    q.stages.retain(|st| match &st.kind {
        StageKind::Generic(g) => match pending_owner(&g.name) {
            Some(owner) => {
                used.push(format!("{owner}: {}", g.name.to_ascii_lowercase()));
                false
            }
            None => true,
        },
        _ => true,
    });
    loop {
        let e = match sumoq::plan::plan_query(&q, &text) {
            Ok(_) => break,
            Err(e) => e,
        };
        // A pending function: count it, as far as the first one.
        let f = e
            .message
            .strip_prefix("unknown function `")
            .and_then(|r| r.split('`').next())
            .unwrap_or("");
        if let Some(owner) = pending_owner(f) {
            used.push(format!("{owner}: {}", f.to_ascii_lowercase()));
            break;
        }
        // A stage that calls a pending aggregate in a form the core reads
        // otherwise (`topk(5, _count)` looks like a function stage).
        let at = q.stages.iter().position(|st| {
            st.span.start <= e.span.start && e.span.start < st.span.end.max(st.span.start + 1)
        });
        let pending = at.and_then(|i| {
            let sp = q.stages[i].span;
            pending_aggregate(text.get(sp.start..sp.end).unwrap_or(""))
        });
        match (at, pending) {
            (Some(i), Some(name)) => {
                used.push(name);
                q.stages.remove(i);
            }
            _ => return Err((e, text)),
        }
    }
    used.sort();
    used.dedup();
    Ok(used)
}

/// The byte range of the stage (from its `|` to the next one) that holds
/// `pos`; `None` inside the search expression.
fn stage_around(text: &str, pos: usize) -> Option<(usize, usize)> {
    let mut pipes = Vec::new();
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
        } else if c == '"' {
            in_str = true;
        } else if c == '|' {
            pipes.push(i);
        }
    }
    let start = pipes.iter().rev().find(|&&p| p <= pos).copied()?;
    let end = pipes
        .iter()
        .find(|&&p| p > pos)
        .copied()
        .unwrap_or(text.len());
    Some((start, end))
}

/// The pending aggregate a stage calls, as `owner: name`.
fn pending_aggregate(stage: &str) -> Option<String> {
    const AGGS: &[&str] = &["values", "most_recent", "topk", "count_frequent", "total"];
    let lower = stage.to_ascii_lowercase();
    AGGS.iter().find_map(|a| {
        lower.match_indices(a).find_map(|(i, _)| {
            let before_ok = !lower[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            let after_ok = lower[i + a.len()..].trim_start().starts_with('(');
            (before_ok && after_ok).then(|| format!("issue4-stages: {a}"))
        })
    })
}

/// Writes straight to stderr so the figure shows even when the test
/// harness captures output.
fn say(s: &str) {
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

/// Fills `{{name}}` and `$$name` placeholders the way a dashboard would:
///
/// - `{{name}}` after `limit` or `top` is a count (`10`); after `timeslice`,
///   `timeslice(` or `timeshift` a duration (`5m`); right after a field of
///   its own name a comparison (`> 0`, as in `duration {{duration}}`);
///   anywhere else an identifier made from the name (inside quotes it is
///   then just text).
/// - `$$name` is an app's data-source variable: a `_sourceCategory=name`
///   term, or just `name` where it already follows `=`, stands in quotes, or
///   names a lookup path after `from` / `cat`.
fn fill_placeholders(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    let mut rest = q;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{{") {
            if let Some(end) = after.find("}}") {
                let name = &after[..end];
                out.push_str(&param_value(&out, name));
                rest = &after[end + 2..];
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix("$$") {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(after.len());
            if len > 0 {
                let name = &after[..len];
                let prev_word = out
                    .split_whitespace()
                    .last()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let in_quotes = out.matches('"').count() % 2 == 1;
                if out.ends_with('=') || in_quotes || prev_word == "from" || prev_word == "cat" {
                    out.push_str(name);
                } else {
                    out.push_str(&format!("_sourceCategory={name}"));
                }
                rest = &after[len..];
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn param_value(before: &str, name: &str) -> String {
    let prev_word = before
        .trim_end()
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .next()
        .unwrap_or("");
    // `if ("{{d}}" = "*", true, d {{d}})`: the value is a comparison such as
    // `> 100` typed into the dashboard.
    let keyword = ["limit", "top", "timeslice", "timeshift"]
        .iter()
        .any(|k| prev_word.eq_ignore_ascii_case(k));
    if !keyword && !prev_word.is_empty() && prev_word.eq_ignore_ascii_case(name.trim()) {
        return "> 0".into();
    }
    let prev = before
        .trim_end()
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match prev.as_str() {
        "limit" | "top" => "10".into(),
        "timeslice" | "timeslice(" | "timeshift" => "5m".into(),
        _ if prev.ends_with("timeslice(") => "5m".into(),
        _ => {
            let mut id: String = name
                .trim()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if !id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                id.insert(0, 'p');
            }
            id
        }
    }
}

/// A failure message with its particulars (names, quoted bits, numbers)
/// blanked, so failures of one kind group together. The stage or function
/// sumoq lacks is kept: it is what the group is about.
fn normalise(msg: &str) -> String {
    let keep_first = ["the Sumo stage `", "unknown stage `", "unknown function `"]
        .iter()
        .any(|p| msg.starts_with(p));
    // Split on backticks: odd pieces are the quoted bits.
    let mut out = String::new();
    for (i, piece) in msg.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        let quoted = i % 2 == 1;
        if !quoted || (keep_first && i == 1) {
            out.push_str(piece);
        } else {
            out.push('…');
        }
    }
    out
}

#[test]
fn placeholders_are_filled() {
    assert_eq!(fill_placeholders("x | limit {{n}}"), "x | limit 10");
    assert_eq!(
        fill_placeholders("x | timeslice {{Timeslice}} | count by _timeslice"),
        "x | timeslice 5m | count by _timeslice"
    );
    assert_eq!(
        fill_placeholders("| fillmissing timeslice({{t}})"),
        "| fillmissing timeslice(5m)"
    );
    assert_eq!(
        fill_placeholders("{{a b}}={{c}} | where x matches \"{{v}}\""),
        "a_b=c | where x matches \"v\""
    );
    assert_eq!(
        fill_placeholders("$$logs_data_source | json auto"),
        "_sourceCategory=logs_data_source | json auto"
    );
    assert_eq!(
        fill_placeholders("| where if (\"{{d}}\" = \"*\", true, d {{d}})"),
        "| where if (\"d\" = \"*\", true, d > 0)"
    );
    assert_eq!(
        fill_placeholders("_sourceCategory=$$HEROKU | count"),
        "_sourceCategory=HEROKU | count"
    );
    assert_eq!(
        fill_placeholders("x | lookup * from $$path on a=b"),
        "x | lookup * from path on a=b"
    );
}

#[test]
fn reasons_are_normalised() {
    assert_eq!(
        normalise("expected `|`, found `foo`"),
        "expected `…`, found `…`"
    );
    assert_eq!(
        normalise("the Sumo stage `parse` is not supported by sumoq yet"),
        "the Sumo stage `parse` is not supported by sumoq yet"
    );
    assert_eq!(
        normalise("unknown function `foo` at `x`"),
        "unknown function `foo` at `…`"
    );
}
