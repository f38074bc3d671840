//! The meta-commands (`:help`, `:load`, `:fields`, `:run`, ...): parsing
//! their arguments and carrying them out on a [`Session`].

use std::path::Path;
use std::sync::Arc;

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use super::fields_summary;
use super::help::{self, command_names, QUIT_ALIASES};
use super::progress::thousands;
use super::session::{Ask, Control, Session};
use crate::engine::{self, BUILTIN_FERS, BUILTIN_QUERIES};
use crate::error::did_you_mean;
use crate::output::Format;
use crate::value::Value;

/// Runs one meta-command line (starting with `:`).
pub fn run(s: &mut Session, line: &str, ask: Ask) -> Control {
    let line = line.trim();
    let (name, rest) = match line.find(char::is_whitespace) {
        Some(i) => (&line[..i], line[i..].trim()),
        None => (line, ""),
    };
    match name {
        ":help" | ":h" | ":?" => {
            if rest.is_empty() {
                s.say(&help::overview());
            } else {
                match help::topic(rest) {
                    Ok(t) => s.say(&t),
                    Err(e) => s.note(&e),
                }
            }
        }
        ":quit" | ":q" | ":exit" => return Control::Quit,
        ":load" => load(s, rest),
        ":fer" => fer(s, rest),
        ":set" => set(s, rest),
        ":param" => param(s, rest),
        ":data" => data(s),
        ":fields" => fields(s, rest),
        ":run" => run_saved(s, rest),
        ":save" => save(s, rest, ask),
        ":explain" => match &s.last {
            Some(l) => {
                // The plan was made from the text with parameters filled.
                let text = crate::plan::substitute_params(&l.source.text, &s.params)
                    .unwrap_or_else(|_| l.source.text.clone());
                let text = super::explain::explain(&l.source.origin, &text, &l.plan);
                s.say(&text);
            }
            None => s.note("no query yet: :explain shows the plan of the last query"),
        },
        ":time" => match rest {
            "on" => s.settings.time = true,
            "off" => s.settings.time = false,
            "" => {
                let state = if s.settings.time { "on" } else { "off" };
                s.note(&format!("time is {state} (:time on|off)"));
            }
            other => s.note(&format!("`:time {other}`: use :time on or :time off")),
        },
        other => {
            let mut msg = format!("unknown command `{other}`");
            let names = command_names()
                .into_iter()
                .chain(QUIT_ALIASES.iter().copied());
            match did_you_mean(other, names) {
                Some(h) => msg.push_str(&format!("; {h}")),
                None => msg.push_str("; :help lists the commands"),
            }
            s.note(&msg);
        }
    }
    Control::Continue
}

/// Splits arguments on white space, keeping quoted text and `\ ` together
/// (the path completer escapes spaces that way).
pub fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    any = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// `~/x` → the home folder's `x`, as a shell would.
fn expand_home(p: String) -> String {
    match (p.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest).display().to_string(),
        _ => p,
    }
}

fn load(s: &mut Session, rest: &str) {
    let paths: Vec<String> = split_args(rest).into_iter().map(expand_home).collect();
    if paths.is_empty() {
        s.note("usage: :load FILE...");
        return;
    }
    s.load_paths(&paths);
    let total = s.data.len() as u64;
    let n = s.data.sources.len();
    s.note(&format!(
        "{} records in memory from {n} source{}",
        thousands(total),
        if n == 1 { "" } else { "s" }
    ));
}

fn fer(s: &mut Session, rest: &str) {
    let args = split_args(rest);
    let [name] = args.as_slice() else {
        s.note("usage: :fer FILE (a path, or a name under ./queries/fer or built in)");
        return;
    };
    let src = match engine::find_saved(name, "queries/fer", BUILTIN_FERS) {
        Ok(src) => src,
        Err(e) => {
            s.note(&format!("sumoq: {e}"));
            return;
        }
    };
    let fer = match engine::compile_fer(&src, &s.params) {
        Ok(f) => f,
        Err(e) => {
            s.note(&e.render());
            return;
        }
    };
    // FERs apply in order after a record is built, so the new one can be
    // applied to the records in memory without reading the inputs again.
    let mut changed = 0u64;
    let mut diag = crate::diag::Diagnostics::default();
    for src in &mut s.data.sources {
        let old = std::mem::take(&mut src.records);
        let mut new = Vec::with_capacity(old.len());
        for r in old {
            if fer.scope.matches(&r) {
                changed += 1;
            }
            fer.apply(r, &mut new, &mut diag);
        }
        src.records = new;
    }
    for w in diag.kept.iter().map(|w| w.render()).collect::<Vec<_>>() {
        s.note(&w);
    }
    for line in diag.summary() {
        s.note(&line);
    }
    s.fers.push((src.origin.clone(), fer));
    s.data_changed();
    s.note(&format!(
        "FER {} applies to {} of {} records (and to later loads)",
        src.origin,
        thousands(changed),
        thousands(s.data.len() as u64)
    ));
}

/// `NAME=VALUE` with a non-empty name.
fn pair(s: &str) -> Option<(String, String)> {
    let (k, v) = s.split_once('=')?;
    let k = k.trim();
    (!k.is_empty() && !k.contains(char::is_whitespace))
        .then(|| (k.to_string(), v.trim().to_string()))
}

fn set(s: &mut Session, rest: &str) {
    if rest.is_empty() {
        let format = match s.settings.format {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
        };
        let mut lines = vec![
            format!("rows {} (0: all)", s.settings.rows),
            format!("format {format}"),
            format!("time {}", if s.settings.time { "on" } else { "off" }),
        ];
        for (k, v) in &s.opts.set {
            lines.push(format!("{k}={}", v.display_text()));
        }
        s.say(&(lines.join("\n") + "\n"));
        return;
    }
    if let Some((k, v)) = pair(rest) {
        set_metadata(s, &k, &v);
        return;
    }
    let mut words = rest.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("rows"), Some(n), None) => match n.parse::<usize>() {
            Ok(n) => s.settings.rows = n,
            Err(_) => s.note(&format!("`{n}` is not a number of rows (0 shows all)")),
        },
        (Some("format"), Some(f), None) => match f {
            "table" => s.settings.format = Format::Table,
            "json" => s.settings.format = Format::Json,
            "csv" => s.settings.format = Format::Csv,
            other => s.note(&format!("unknown format `{other}`: table, json or csv")),
        },
        _ => s.note("usage: :set rows N | :set format table|json|csv | :set FIELD=VALUE"),
    }
}

/// `:set FIELD=VALUE`: metadata is given to records when they are read, and
/// FERs may depend on it, so the inputs are read again.
fn set_metadata(s: &mut Session, k: &str, v: &str) {
    let name: Arc<str> = Arc::from(k);
    match s.opts.set.iter_mut().find(|(n, _)| **n == *k) {
        Some(slot) => slot.1 = Value::str(v),
        None => s.opts.set.push((name, Value::str(v))),
    }
    let paths: Vec<String> = s.data.sources.iter().map(|src| src.path.clone()).collect();
    if paths.is_empty() {
        s.note(&format!(
            "{k}={v} will be set on records loaded from now on"
        ));
        return;
    }
    s.note(&format!("{k}={v}: reading the inputs again"));
    s.load_paths(&paths);
}

fn param(s: &mut Session, rest: &str) {
    if rest.is_empty() {
        if s.params.is_empty() {
            s.note("no parameters (:param NAME=VALUE)");
        }
        let lines: Vec<String> = s.params.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        s.say(&lines.concat());
        return;
    }
    match pair(rest) {
        Some((k, v)) => match s.params.iter_mut().find(|(n, _)| *n == k) {
            Some(slot) => slot.1 = v,
            None => s.params.push((k, v)),
        },
        None => s.note("usage: :param NAME=VALUE"),
    }
}

fn table(width: Option<u16>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    if let Some(w) = width {
        t.set_content_arrangement(ContentArrangement::Dynamic);
        t.set_width(w);
    }
    t
}

fn data(s: &mut Session) {
    if s.data.sources.is_empty() {
        s.say("no data loaded (:load FILE...)\n");
        return;
    }
    let mut t = table(s.width);
    t.set_header(["source", "records", "malformed lines"]);
    for src in &s.data.sources {
        t.add_row([
            super::results::clean(&src.path),
            thousands(src.records.len() as u64),
            thousands(src.malformed() as u64),
        ]);
    }
    let bad: usize = s.data.sources.iter().map(|x| x.malformed()).sum();
    t.add_row([
        "total".to_string(),
        thousands(s.data.len() as u64),
        thousands(bad as u64),
    ]);
    let mut text = format!("{t}\n");
    if !s.fers.is_empty() {
        let names: Vec<&str> = s.fers.iter().map(|(n, _)| n.as_str()).collect();
        text.push_str(&format!("FERs: {}\n", names.join(", ")));
    }
    if !s.opts.set.is_empty() {
        let set: Vec<String> = s
            .opts
            .set
            .iter()
            .map(|(k, v)| format!("{k}={}", v.display_text()))
            .collect();
        text.push_str(&format!("metadata: {}\n", set.join(", ")));
    }
    if !s.params.is_empty() {
        let p: Vec<String> = s.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        text.push_str(&format!("parameters: {}\n", p.join(", ")));
    }
    s.say(&text);
}

fn fields(s: &mut Session, rest: &str) {
    let width = s.width;
    let text = match s.summary() {
        None => Err("cancelled".to_string()),
        Some(sum) if rest.is_empty() => Ok(fields_summary::render(sum, width)),
        Some(sum) => fields_summary::render_one(sum, rest, width),
    };
    match text {
        Ok(t) => s.say(&t),
        Err(e) => s.note(&e),
    }
}

fn run_saved(s: &mut Session, rest: &str) {
    let args = split_args(rest);
    let [name] = args.as_slice() else {
        s.note("usage: :run NAME|FILE (./queries/NAME.sumo or a query built into sumoq)");
        return;
    };
    match engine::find_saved(name, "queries", BUILTIN_QUERIES) {
        Ok(src) => {
            s.note(&format!("running {}", src.origin));
            s.run_source(src);
        }
        Err(e) => {
            let mut msg = format!("sumoq: {e}");
            let names = super::complete::saved_names("queries", BUILTIN_QUERIES);
            if let Some(h) = did_you_mean(name, names.iter().map(String::as_str)) {
                msg.push_str(&format!("; {h}"));
            }
            s.note(&msg);
        }
    }
}

/// A saved query's name: letters, digits, `_`, `-` (no paths).
fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn save(s: &mut Session, rest: &str, ask: Ask) {
    let name = rest.strip_suffix(".sumo").unwrap_or(rest);
    if !valid_name(name) {
        s.note("usage: :save NAME (letters, digits, `_` and `-`; saved as ./queries/NAME.sumo)");
        return;
    }
    let Some(last) = &s.last else {
        s.note("no query to save yet");
        return;
    };
    let mut text = last.source.text.trim_end().to_string();
    text.push('\n');
    let path = Path::new("queries").join(format!("{name}.sumo"));
    if path.exists() {
        let answer = ask(&format!("{} exists; overwrite it? [y/N] ", path.display()));
        let yes = answer.is_some_and(|a| matches!(a.trim(), "y" | "Y" | "yes" | "YES" | "Yes"));
        if !yes {
            s.note("not saved");
            return;
        }
    }
    let res = std::fs::create_dir_all("queries").and_then(|_| std::fs::write(&path, text));
    match res {
        Ok(()) => s.note(&format!("saved {} (:run {name} runs it)", path.display())),
        Err(e) => s.note(&format!("sumoq: cannot write {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::session::tests::session;
    use super::*;

    fn no(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn args() {
        assert_eq!(split_args(" a  'b c' d\\ e \"\" "), ["a", "b c", "d e", ""]);
        assert!(split_args("   ").is_empty());
    }

    #[test]
    fn fields_data_and_help() {
        let (mut s, out, err) = session();
        err.take();
        s.handle(":fields", &mut no);
        let o = out.take();
        assert!(o.starts_with("91 records, "), "{o}");
        assert!(o.contains("_sourceCategory"), "{o}");
        assert!(o.contains("dest_port"), "{o}");
        assert!(o.contains("int"), "{o}");
        s.handle(":fields dest_port", &mut no);
        let o = out.take();
        assert!(
            o.starts_with("dest_port: in 91 of 91 records (100%), types int"),
            "{o}"
        );
        s.handle(":data", &mut no);
        let o = out.take();
        assert!(o.contains("network.ndjson"), "{o}");
        assert!(o.contains("│ total"), "{o}");
        s.handle(":help count", &mut no);
        assert!(out.take().contains("syntax:  count [as NAME]"));
        s.handle(":fileds", &mut no);
        assert!(err
            .take()
            .contains("unknown command `:fileds`; did you mean `:fields`?"));
        assert_eq!(s.handle(":q", &mut no), Control::Quit);
    }

    #[test]
    fn run_a_builtin_and_explain_it() {
        let (mut s, out, err) = session();
        err.take();
        s.handle(":run t1071_005_pubsub", &mut no);
        let e = err.take();
        assert!(e.contains("running "), "{e}");
        let o = out.take();
        assert!(o.contains("Suspicion"), "{o}");
        assert!(o.contains("203.0.113.99"), "{o}");
        assert!(o.contains("STOMP"), "{o}");
        s.handle(":explain", &mut no);
        let o = out.take();
        assert!(
            o.contains("fields read from the data: _sourceCategory, dest_port, action"),
            "{o}"
        );
        s.handle(":run t1071_005_pubsb", &mut no);
        assert!(err.take().contains("did you mean `t1071_005_pubsub`?"));
    }

    #[test]
    fn settings_params_and_metadata() {
        let (mut s, out, err) = session();
        err.take();
        s.handle(":set format csv", &mut no);
        s.handle(":set rows 0", &mut no);
        s.handle("* | count", &mut no);
        assert_eq!(out.take(), "_count\n91\n");
        s.handle(":param port=53", &mut no);
        s.handle("* | where dest_port = {{port}} | count", &mut no);
        let o = out.take();
        assert!(o.starts_with("_count\n") && o != "_count\n0\n", "{o}");
        s.handle(":set _sourceHost=lab", &mut no);
        assert!(err.take().contains("reading the inputs again"));
        s.handle("_sourceHost=lab | count", &mut no);
        assert_eq!(out.take(), "_count\n91\n");
        s.handle(":set rows x", &mut no);
        assert!(err.take().contains("not a number"));
    }

    #[test]
    fn fer_applies_in_memory() {
        let (mut s, out, err) = session();
        err.take();
        let dir = std::env::temp_dir().join(format!("sumoq-repl-fer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let f = dir.join("tag.sumo");
        std::fs::write(&f, "_sourceCategory=firewall | eval tagged = \"yes\"\n").expect("write");
        s.handle(&format!(":fer {}", f.display()), &mut no);
        let e = err.take();
        assert!(e.contains("applies to "), "{e}");
        s.settings.format = Format::Csv;
        s.handle("tagged=yes | count", &mut no);
        let o = out.take();
        s.handle("_sourceCategory=firewall | count", &mut no);
        assert_eq!(o, out.take());
        assert!(s.field_names().iter().any(|n| n == "tagged"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
