//! Tab completion: stage names after `|`, function names, field names seen
//! in the loaded data (and those the query itself makes), saved query names
//! after `:run`, FER names after `:fer`, paths after `:load`, topics after
//! `:help`.

use rustyline::completion::Pair;

use super::help::{command_names, STAGE_DOCS};
use super::lexer::{is_word_char, tokens, Kind, Token};
use crate::engine::{BUILTIN_FERS, BUILTIN_QUERIES};
use crate::functions::FUNCTIONS;
use crate::plan::STAGES;
use crate::stages::registry::GENERIC_STAGES;

/// Completes paths: (line, pos) → (start, candidates). The REPL passes
/// rustyline's filename completer; tests pass a stub.
pub type PathCompleter<'a> = &'a dyn Fn(&str, usize) -> (usize, Vec<Pair>);

/// The aggregates, whose default output column is `_NAME`.
const AGGREGATES: &[&str] = &[
    "count",
    "count_distinct",
    "sum",
    "avg",
    "min",
    "max",
    "stddev",
    "first",
    "last",
];

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Adds the names that start with `prefix`, once each.
fn add_matching<'a>(
    out: &mut Vec<Pair>,
    names: impl IntoIterator<Item = &'a str>,
    prefix: &str,
    suffix: &str,
) {
    for n in names {
        if starts_with_ci(n, prefix) {
            let rep = format!("{n}{suffix}");
            if !out.iter().any(|p| p.replacement == rep) {
                out.push(Pair {
                    display: n.to_string(),
                    replacement: rep,
                });
            }
        }
    }
}

/// Completes the text before `pos`: the start of the word replaced, and the
/// candidates.
pub fn complete(
    line: &str,
    pos: usize,
    fields: &[String],
    paths: PathCompleter,
) -> (usize, Vec<Pair>) {
    let pos = floor_char(line, pos);
    let before = &line[..pos];
    if before.trim_start().starts_with(':') {
        return complete_command(before, fields, paths);
    }
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map(|(i, _)| i)
        .unwrap_or(pos);
    let word = &before[start..];
    let toks = tokens(&before[..start]);
    if inside_string_or_comment(&toks, &before[..start]) {
        return (pos, Vec::new());
    }
    let last = toks
        .iter()
        .rev()
        .find(|t| !matches!(t.kind, Kind::Space | Kind::Comment { .. }));
    let mut out = Vec::new();
    if last.is_some_and(|t| t.kind == Kind::Pipe) {
        add_matching(&mut out, stage_names(), word, "");
        add_matching(&mut out, FUNCTIONS.iter().map(|f| f.name), word, "(");
    } else if !toks.iter().any(|t| t.kind == Kind::Pipe) {
        // The search expression: only `field=value` names a field.
        add_matching(&mut out, fields.iter().map(String::as_str), word, "");
    } else {
        let made = names_made(line);
        add_matching(&mut out, fields.iter().map(String::as_str), word, "");
        add_matching(&mut out, made.iter().map(String::as_str), word, "");
        add_matching(&mut out, FUNCTIONS.iter().map(|f| f.name), word, "(");
    }
    (start, out)
}

/// Every stage name: the core stages, then those of the stage registry.
pub fn stage_names() -> impl Iterator<Item = &'static str> {
    STAGES
        .iter()
        .copied()
        .chain(GENERIC_STAGES.iter().map(|(n, _)| *n))
}

fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// True when the text ends inside a string or a comment.
fn inside_string_or_comment(toks: &[Token], text: &str) -> bool {
    match toks.last() {
        Some(t) => match t.kind {
            Kind::Str { closed } => !closed,
            Kind::Comment { closed } => !closed || t.text(text).starts_with("//"),
            Kind::QuotedName => !t.text(text).ends_with('"') || t.end - t.start < 3,
            _ => false,
        },
        None => false,
    }
}

/// Names the query makes itself: `as NAME`, `eval NAME =`, and the default
/// columns of its aggregates (`_count`, ...).
pub fn names_made(line: &str) -> Vec<String> {
    let toks: Vec<Token> = tokens(line)
        .into_iter()
        .filter(|t| !matches!(t.kind, Kind::Space | Kind::Comment { .. }))
        .collect();
    let mut out: Vec<String> = Vec::new();
    let push = |s: String, out: &mut Vec<String>| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    let mut stage = String::new();
    for (i, t) in toks.iter().enumerate() {
        let text = t.text(line);
        let prev = i.checked_sub(1).map(|j| toks[j].text(line)).unwrap_or("");
        let next = toks.get(i + 1).map(|n| n.text(line)).unwrap_or("");
        if t.kind != Kind::Word {
            continue;
        }
        if prev == "|" {
            stage = text.to_ascii_lowercase();
            if stage == "top" {
                push("_count".into(), &mut out);
            }
        }
        let lower = text.to_ascii_lowercase();
        if (prev == "|" || prev == "," || next == "(") && AGGREGATES.contains(&lower.as_str()) {
            push(format!("_{lower}"), &mut out);
        }
        if prev.eq_ignore_ascii_case("as") {
            push(text.to_string(), &mut out);
        }
        let next2 = toks.get(i + 2).map(|n| n.text(line)).unwrap_or("");
        if stage == "eval" && next == "=" && next2 != "=" {
            push(text.to_string(), &mut out);
        }
    }
    out
}

/// Saved query names: `./DIR/*.sumo`, then those built in.
pub fn saved_names(dir: &str, builtins: &[(&str, &str)]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "sumo") {
                if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
                    v.push(stem.to_string());
                }
            }
        }
    }
    v.sort();
    for (n, _) in builtins {
        if !v.iter().any(|x| x == n) {
            v.push(n.to_string());
        }
    }
    v
}

fn complete_command(before: &str, fields: &[String], paths: PathCompleter) -> (usize, Vec<Pair>) {
    let lead = before.len() - before.trim_start().len();
    let body = &before[lead..];
    let Some(space) = body.find(char::is_whitespace) else {
        let mut out = Vec::new();
        add_matching(&mut out, command_names(), body, " ");
        return (lead, out);
    };
    let cmd = &body[..space];
    let args = &body[space..];
    let word_start = before.len()
        - args
            .chars()
            .rev()
            .take_while(|c| !c.is_whitespace())
            .map(char::len_utf8)
            .sum::<usize>();
    let word = &before[word_start..];
    let nargs = args.split_whitespace().count() - usize::from(!word.is_empty());
    let mut out = Vec::new();
    let looks_like_path = word.contains('/') || word.starts_with('.') || word.starts_with('~');
    match cmd {
        ":load" => return paths(before, before.len()),
        ":run" | ":fer" | ":save" => {
            if looks_like_path && cmd != ":save" {
                return paths(before, before.len());
            }
            let names = if cmd == ":fer" {
                saved_names("queries/fer", BUILTIN_FERS)
            } else {
                saved_names("queries", if cmd == ":run" { BUILTIN_QUERIES } else { &[] })
            };
            add_matching(&mut out, names.iter().map(String::as_str), word, "");
            if out.is_empty() && cmd != ":save" {
                return paths(before, before.len());
            }
        }
        ":help" => {
            add_matching(
                &mut out,
                STAGE_DOCS.iter().flat_map(|d| d.names.iter().copied()),
                word,
                "",
            );
            add_matching(&mut out, stage_names(), word, "");
            add_matching(&mut out, FUNCTIONS.iter().map(|f| f.name), word, "");
            add_matching(&mut out, command_names(), word, "");
        }
        ":set" if nargs == 0 => {
            add_matching(&mut out, ["rows", "format"], word, " ");
            add_matching(&mut out, fields.iter().map(String::as_str), word, "=");
        }
        ":set" if nargs == 1 && args.trim_start().starts_with("format") => {
            add_matching(&mut out, ["table", "json", "csv"], word, "");
        }
        ":time" if nargs == 0 => add_matching(&mut out, ["on", "off"], word, ""),
        ":fields" if nargs == 0 => {
            add_matching(&mut out, fields.iter().map(String::as_str), word, "")
        }
        _ => {}
    }
    (word_start, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_paths(_: &str, pos: usize) -> (usize, Vec<Pair>) {
        let p = "<paths>".to_string();
        (
            pos,
            vec![Pair {
                display: p.clone(),
                replacement: p,
            }],
        )
    }

    fn names(line: &str, fields: &[&str]) -> (usize, Vec<String>) {
        let fields: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        let (start, v) = complete(line, line.len(), &fields, &no_paths);
        (start, v.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn stages_after_a_pipe() {
        let (start, v) = names("* | wh", &[]);
        assert_eq!(start, 4);
        assert_eq!(v, ["where"]);
        let (_, v) = names("* |\n  coun", &[]);
        // Core stages first; the registry may add more (`count_frequent`).
        assert_eq!(v[..2], ["count", "count_distinct"]);
        assert!(v.iter().all(|c| c.starts_with("count")), "{v:?}");
        let (_, v) = names("* | timesl", &[]);
        assert_eq!(v, ["timeslice"]);
        let (_, v) = names("* | toLow", &[]);
        assert_eq!(v, ["toLowerCase("]);
    }

    #[test]
    fn fields_and_functions() {
        let f = ["dest_port", "dest_ip", "src_ip", "alert.signature"];
        let (start, v) = names("_sourceCategory=firewall | count by dest_p", &f);
        assert_eq!(start, 36);
        assert_eq!(v, ["dest_port"]);
        let (_, v) = names("* | where DEST", &f);
        assert_eq!(v, ["dest_port", "dest_ip"]);
        let (_, v) = names("* | where isPriv", &f);
        assert_eq!(v, ["isPrivateIP("]);
        let (_, v) = names("* | count by alert.s", &f);
        assert_eq!(v, ["alert.signature"]);
        // The search expression offers fields only.
        let (_, v) = names("src", &f);
        assert_eq!(v, ["src_ip"]);
        // Nothing inside a string or a comment.
        assert!(names("* | where x = \"dest", &f).1.is_empty());
        assert!(names("* | where x // dest", &f).1.is_empty());
    }

    #[test]
    fn names_the_query_makes() {
        let q = "* | count by dest_port | eval kb = 1 | if(x, 1, 2) as Proto | sort by _";
        assert_eq!(names_made(q), ["_count", "kb", "Proto"]);
        let (_, v) = names(q, &["_sourceCategory"]);
        assert_eq!(v, ["_sourceCategory", "_count"]);
        assert_eq!(names_made("* | sum(b), max(c) as m"), ["_sum", "_max", "m"]);
    }

    #[test]
    fn meta_commands() {
        let (start, v) = names(":ru", &[]);
        assert_eq!((start, v), (0, vec![":run ".to_string()]));
        let (start, v) = names(":run t1071", &[]);
        assert_eq!(start, 5);
        assert_eq!(v, ["t1071_005_pubsub"]);
        let (_, v) = names(":fer zeek", &[]);
        assert_eq!(v, ["zeek_conn"]);
        assert_eq!(names(":load exa", &[]).1, ["<paths>"]);
        assert_eq!(names(":run ./x", &[]).1, ["<paths>"]);
        assert_eq!(names(":help cidr", &[]).1, ["cidr_match"]);
        assert_eq!(names(":help timesl", &[]).1, ["timeslice"]);
        assert_eq!(names(":set fo", &[]).1, ["format "]);
        assert_eq!(
            names(":set _so", &["_sourceCategory"]).1,
            ["_sourceCategory="]
        );
        assert_eq!(names(":set format j", &[]).1, ["json"]);
        assert_eq!(names(":time o", &[]).1, ["on", "off"]);
    }
}
