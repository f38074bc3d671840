//! Help text: the stages and meta-commands are described here, the
//! functions in [`crate::functions::FUNCTIONS`]. `:help` prints these
//! entries; the reference at the end of `docs/REPL.md` is generated from the
//! same entries ([`reference_markdown`], a test keeps the two equal), as the
//! function table of `docs/LANGUAGE.md` is from the function registry. So
//! each text lives in one place.

use std::fmt::Write as _;

use crate::error::did_you_mean;
use crate::functions::{self, FnDef, FUNCTIONS};

/// Help for one stage (or a family of names that share an entry).
#[derive(Debug)]
pub struct StageDoc {
    /// The names that look this entry up; the first is shown as its title.
    pub names: &'static [&'static str],
    /// The syntax.
    pub syntax: &'static str,
    /// What it does.
    pub doc: &'static str,
    /// An example query.
    pub example: &'static str,
}

/// Every stage sumoq runs, plus the search expression and the `as` form.
pub static STAGE_DOCS: &[StageDoc] = &[
    StageDoc {
        names: &["search"],
        syntax: "field=value  field!=value  keyword  \"phrase\"  AND  OR  NOT  ( )",
        doc: "The search expression before the first `|`. `field=value` compares the whole value, ignoring case, with `*` and `?` wildcards; a bare word or quoted phrase must appear in `_raw` as whole terms. Terms side by side are ANDed; `*` matches everything.",
        example: "_sourceCategory=firewall dest_port=1883 | count by src_ip",
    },
    StageDoc {
        names: &["where"],
        syntax: "where COND",
        doc: "Keeps the records for which COND is true; a null condition is false.",
        example: "* | where dest_port in (1883, 8883) and !isPrivateIP(dest_ip)",
    },
    StageDoc {
        names: &["eval"],
        syntax: "eval F = EXPR[, G = EXPR ...]",
        doc: "Sets fields from expressions; later stages see them.",
        example: "* | eval kb_out = bytes_out / 1024",
    },
    StageDoc {
        names: &["as"],
        syntax: "EXPR as F",
        doc: "Sumo's form of `eval F = EXPR`. A bare function stage such as `| toLowerCase(user)` updates that field in place.",
        example: "* | if(dest_port = 1883, \"MQTT\", \"other\") as Protocol",
    },
    StageDoc {
        names: &["fields"],
        syntax: "fields a, b, ...   fields - a, b, ...",
        doc: "Keeps exactly these fields, in this order (a missing one shows as null); with `-`, drops them.",
        example: "* | fields src_ip, dest_ip, dest_port",
    },
    StageDoc {
        names: &["sort", "order"],
        syntax: "sort [by] K[, K ...]   (K: field [asc|desc], +field, -field)",
        doc: "Sorts the records; an unmarked key sorts descending, except in a clause with a `-field` key, where it sorts ascending. Null sorts last.",
        example: "* | count by dest_port | sort by _count",
    },
    StageDoc {
        names: &["limit"],
        syntax: "limit N",
        doc: "Keeps the first N records.",
        example: "* | sort by bytes_out | limit 5",
    },
    StageDoc {
        names: &["top"],
        syntax: "top N f[, g ...] [by k, ...]",
        doc: "The N most frequent values of the fields, with `_count`, most frequent first.",
        example: "* | top 3 dest_ip",
    },
    StageDoc {
        names: &["count"],
        syntax: "count [as NAME][, AGG ...] [by k, ...]   count(f)   count a, b",
        doc: "Counts records (`count(f)`: non-null values of f) per group of the `by` keys; one row without `by`. `count a, b` groups by a and b. The column is `_count` unless named.",
        example: "_sourceCategory=firewall | count by dest_port",
    },
    StageDoc {
        names: &["count_distinct"],
        syntax: "count_distinct(f) [as NAME] [by k, ...]",
        doc: "The number of distinct non-null values of f per group, in `_count_distinct`.",
        example: "* | count_distinct(dest_ip) by src_ip",
    },
    StageDoc {
        names: &["sum"],
        syntax: "sum(f) [as NAME] [by k, ...]",
        doc: "The sum of f per group (null skipped, numeric text converted), in `_sum`.",
        example: "* | sum(bytes_out) as sent by src_ip",
    },
    StageDoc {
        names: &["avg"],
        syntax: "avg(f) [as NAME] [by k, ...]",
        doc: "The mean of f per group, a float, in `_avg`.",
        example: "* | avg(bytes_in) by dest_port",
    },
    StageDoc {
        names: &["min", "max"],
        syntax: "min(f) [as NAME] [by k, ...]   max(f) ...",
        doc: "The smallest or largest value of f per group, in `_min` / `_max` (numeric order when all values are numbers). `min(a, b) as x` is the two-argument function.",
        example: "* | min(_messageTime) as first_seen, max(_messageTime) as last_seen by src_ip",
    },
    StageDoc {
        names: &["stddev"],
        syntax: "stddev(f) [as NAME] [by k, ...]",
        doc: "The sample standard deviation of f per group, in `_stddev`.",
        example: "* | stddev(bytes_out) by src_ip",
    },
    StageDoc {
        names: &["pct"],
        syntax: "pct(f, P) [as NAME] [by k, ...]",
        doc: "The P-th percentile (0 to 100) of f per group, exact, in `_f_pct_P`.",
        example: "* | pct(bytes_out, 95) by dest_port",
    },
    StageDoc {
        names: &["first", "last"],
        syntax: "first(f) [as NAME] [by k, ...]   last(f) ...",
        doc: "The first or last non-null value of f per group, in input order.",
        example: "* | first(process_name) by src_ip",
    },
    StageDoc {
        names: &["values"],
        syntax: "values(f) [as NAME] [by k, ...]",
        doc: "The distinct values of f per group (null ignored), sorted and joined with newlines, at most 100, in `_values`.",
        example: "* | values(dest_port) as ports by src_ip",
    },
    StageDoc {
        names: &["most_recent", "least_recent"],
        syntax: "most_recent(f) [as NAME] [by k, ...]   least_recent(f) ...",
        doc: "The value of f from the record with the latest (earliest) `_messageTime` per group, in `_mostrecent` / `_leastrecent`.",
        example: "* | most_recent(action) by src_ip",
    },
];

/// The language reference, whose stage table and sections describe the
/// stages of the stage registry (their text lives there, not here).
const LANGUAGE_MD: &str = include_str!("../../docs/LANGUAGE.md");

/// A stage's entry in docs/LANGUAGE.md: its row of the stage table (syntax
/// and notes) and the first paragraph of its own section, if it has one.
pub fn language_doc(name: &str) -> Option<String> {
    let row = LANGUAGE_MD.lines().find_map(|l| {
        let cells = table_cells(l)?;
        let first = cells.first()?;
        // A row may name several stages ("parse regex, extract").
        first
            .split(',')
            .any(|n| n.trim().eq_ignore_ascii_case(name))
            .then_some(cells)
    })?;
    let mut s = format!("stage {}\n", name.to_ascii_lowercase());
    if let Some(syntax) = row.get(1) {
        let _ = writeln!(s, "  syntax:  {}", syntax.replace('`', ""));
    }
    if let Some(notes) = row.get(2) {
        let _ = writeln!(s, "  {}", para(notes));
    }
    // Sections are titled by the stages they describe ("total and accum").
    let section = LANGUAGE_MD.split("\n### ").skip(1).find(|sec| {
        let title = sec.lines().next().unwrap_or("");
        title
            .split(|c: char| c.is_whitespace() || c == ',')
            .any(|w| w.eq_ignore_ascii_case(name))
    });
    if let Some(sec) = section {
        let body = sec.split_once('\n').map(|(_, b)| b).unwrap_or("");
        let first = body.trim_start().split("\n\n").next().unwrap_or("");
        if !first.is_empty() {
            let _ = writeln!(s, "  {}", para(first));
        }
    }
    s.push_str("  more: docs/LANGUAGE.md\n");
    Some(s)
}

/// The cells of a Markdown table row (`\|` inside a cell kept as `|`).
fn table_cells(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                if let Some(cell) = cells.last_mut() {
                    cell.push('|');
                }
            }
            '|' => cells.push(String::new()),
            c => {
                if let Some(cell) = cells.last_mut() {
                    cell.push(c);
                }
            }
        }
    }
    Some(cells.into_iter().map(|c| c.trim().to_string()).collect())
}

/// Help for one meta-command.
#[derive(Debug)]
pub struct CommandDoc {
    /// The command, with its colon.
    pub name: &'static str,
    /// Its arguments.
    pub args: &'static str,
    /// What it does.
    pub doc: &'static str,
}

/// Every meta-command, in the order `:help` lists them.
pub static COMMANDS: &[CommandDoc] = &[
    CommandDoc {
        name: ":help",
        args: "[STAGE|FUNCTION|:COMMAND]",
        doc: "This list, or the syntax and an example of one stage, function or command.",
    },
    CommandDoc {
        name: ":load",
        args: "FILE...",
        doc: "Read more log files into memory (a file loaded already is read again).",
    },
    CommandDoc {
        name: ":fer",
        args: "FILE",
        doc: "Apply a field extraction rule (a path, a name under ./queries/fer, or built in) to the loaded records and to later loads.",
    },
    CommandDoc {
        name: ":set",
        args: "FIELD=VALUE",
        doc: "Set a metadata field (such as _sourceCategory) for records that lack it; the logs are read again.",
    },
    CommandDoc {
        name: ":set",
        args: "rows N | format table|json|csv",
        doc: "Rows shown per result (0: all), or the output format. `:set` alone shows the settings.",
    },
    CommandDoc {
        name: ":param",
        args: "NAME=VALUE",
        doc: "Fill the template parameter {{NAME}} in queries and FERs. `:param` alone lists them.",
    },
    CommandDoc {
        name: ":data",
        args: "",
        doc: "The loaded sources with their record and malformed-line counts.",
    },
    CommandDoc {
        name: ":fields",
        args: "[FIELD]",
        doc: "Every field: the share of records that have it, the types seen, the most common values; with FIELD, more of its values.",
    },
    CommandDoc {
        name: ":run",
        args: "NAME|FILE",
        doc: "Run a saved query: a path, ./queries/NAME.sumo, or a query built into sumoq.",
    },
    CommandDoc {
        name: ":save",
        args: "NAME",
        doc: "Save the last query as ./queries/NAME.sumo (asks before overwriting).",
    },
    CommandDoc {
        name: ":explain",
        args: "",
        doc: "The plan of the last query: its filters, stages and the fields it reads.",
    },
    CommandDoc {
        name: ":time",
        args: "on|off",
        doc: "Show the elapsed time and records scanned after each query.",
    },
    CommandDoc {
        name: ":quit",
        args: "",
        doc: "Leave (also :q, :exit, or Ctrl-D).",
    },
];

/// The names `:quit` also answers to.
pub const QUIT_ALIASES: &[&str] = &[":q", ":exit"];

/// Every meta-command name, once each (for completion and suggestions).
pub fn command_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Vec::new();
    for c in COMMANDS {
        if !v.contains(&c.name) {
            v.push(c.name);
        }
    }
    v
}

/// Finds a stage entry by any of its names, ignoring case.
pub fn stage_doc(name: &str) -> Option<&'static StageDoc> {
    STAGE_DOCS
        .iter()
        .find(|d| d.names.iter().any(|n| n.eq_ignore_ascii_case(name)))
}

/// The overview `:help` prints.
pub fn overview() -> String {
    let mut s = String::from(
        "Type a query and press Enter; a line ending in `|` or an open parenthesis,\n\
         string or comment goes on to the next line. Ctrl-C cancels a running query\n\
         or clears the line; Ctrl-R searches the history; Tab completes.\n\nCommands:\n",
    );
    for c in COMMANDS {
        let head = if c.args.is_empty() {
            c.name.to_string()
        } else {
            format!("{} {}", c.name, c.args)
        };
        let _ = writeln!(s, "  {head}");
        let words: Vec<&str> = c.doc.split_whitespace().collect();
        let _ = writeln!(s, "      {}", fill(&words, " ", 78, "      "));
    }
    s.push_str("\nStages (`:help NAME` for one):\n  ");
    let mut stages: Vec<&str> = STAGE_DOCS
        .iter()
        .flat_map(|d| d.names.iter().copied())
        .collect();
    for (n, _) in crate::stages::registry::GENERIC_STAGES {
        if !stages.contains(n) {
            stages.push(n);
        }
    }
    s.push_str(&fill(&stages, ", ", 78, "  "));
    s.push_str("\n\nFunctions (`:help NAME` for one):\n  ");
    let fns: Vec<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
    s.push_str(&fill(&fns, ", ", 78, "  "));
    s.push('\n');
    s
}

/// Joins words with `sep`, breaking lines (each starting with `indent`)
/// before `width` columns; the first line is taken to start at `indent` too.
fn fill(words: &[&str], sep: &str, width: usize, indent: &str) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for (i, w) in words.iter().enumerate() {
        let piece = if i + 1 < words.len() {
            format!("{w}{}", sep.trim_end())
        } else {
            w.to_string()
        };
        let cur = lines.last_mut().map(|l| l.len()).unwrap_or(0);
        if cur > 0 && indent.len() + cur + 1 + piece.len() > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&piece);
        }
    }
    lines.join(&format!("\n{indent}"))
}

fn stage_text(d: &StageDoc) -> String {
    format!(
        "stage {}\n  syntax:  {}\n  {}\n  example: {}\n",
        d.names.join(" / "),
        d.syntax,
        para(d.doc),
        d.example
    )
}

fn function_text(f: &FnDef) -> String {
    let aliases = if f.aliases.is_empty() {
        String::new()
    } else {
        format!(" (also {})", f.aliases.join(", "))
    };
    format!(
        "function {}{}\n  syntax:  {}\n  {}\n  example: {}\n",
        f.name,
        aliases,
        f.syntax,
        para(f.doc),
        f.example
    )
}

/// A paragraph wrapped to the width of `:help`, indented by two.
fn para(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    fill(&words, " ", 78, "  ")
}

/// Help on one topic: a stage, a function or a meta-command. A name that is
/// both a stage and a function (`min`, `max`) shows both.
pub fn topic(name: &str) -> Result<String, String> {
    let name = name.trim();
    let colon = format!(":{name}");
    let is_command = |c: &str| command_names().contains(&c) || QUIT_ALIASES.contains(&c);
    if name.starts_with(':') || is_command(&colon) {
        let cmd = if name.starts_with(':') {
            name.to_string()
        } else {
            format!(":{name}")
        };
        let cmd = if QUIT_ALIASES.contains(&cmd.as_str()) {
            ":quit".to_string()
        } else {
            cmd
        };
        let hits: Vec<&CommandDoc> = COMMANDS.iter().filter(|c| c.name == cmd).collect();
        if !hits.is_empty() {
            let mut s = String::new();
            for c in hits {
                let _ = writeln!(s, "{} {}\n  {}", c.name, c.args, c.doc);
            }
            return Ok(s);
        }
    }
    let mut parts = Vec::new();
    if let Some(d) = stage_doc(name) {
        parts.push(stage_text(d));
    }
    if let Some(f) = functions::lookup(name) {
        parts.push(function_text(f));
    }
    if parts.is_empty() {
        if let Some(d) = language_doc(name) {
            parts.push(d);
        } else if crate::stages::registry::lookup(name).is_some() {
            parts.push(format!(
                "stage {}\n  see docs/LANGUAGE.md for its syntax and an example\n",
                name.to_ascii_lowercase()
            ));
        }
    }
    if !parts.is_empty() {
        return Ok(parts.join("\n"));
    }
    let mut msg = format!("no help on `{name}`: it is not a stage, function or command");
    let names = STAGE_DOCS
        .iter()
        .flat_map(|d| d.names.iter().copied())
        .chain(
            crate::stages::registry::GENERIC_STAGES
                .iter()
                .map(|(n, _)| *n),
        )
        .chain(functions::all_names())
        .chain(command_names());
    if let Some(h) = did_you_mean(name, names) {
        msg.push_str("; ");
        msg.push_str(&h);
    }
    Err(msg)
}

/// The command and stage reference as Markdown, for `docs/REPL.md` (the
/// function reference is generated into `docs/LANGUAGE.md` from the same
/// registry `:help FUNCTION` reads).
pub fn reference_markdown() -> String {
    let mut s = String::from("### Commands\n\n| command | what it does |\n| --- | --- |\n");
    for c in COMMANDS {
        let head = if c.args.is_empty() {
            c.name.to_string()
        } else {
            format!("{} {}", c.name, c.args)
        };
        let _ = writeln!(s, "| `{}` | {} |", cell(&head), cell(c.doc));
    }
    s.push_str(
        "\n### Stages\n\n| stage | syntax | what it does | example |\n| --- | --- | --- | --- |\n",
    );
    for d in STAGE_DOCS {
        let _ = writeln!(
            s,
            "| {} | `{}` | {} | `{}` |",
            d.names.join(", "),
            d.syntax.replace('|', "\\|"),
            cell(d.doc),
            d.example.replace('|', "\\|")
        );
    }
    s.push_str(
        "\nThe other stages (timeslice, transpose, dedup, ...) are described in\n[LANGUAGE.md](LANGUAGE.md#reshaping-and-windowing-stages), where `:help NAME` reads them, and\nthe functions in [LANGUAGE.md](LANGUAGE.md#functions), generated from the registry that\n`:help FUNCTION` reads.\n",
    );
    s
}

/// Escapes `|` for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEGIN: &str = "<!-- BEGIN REFERENCE (generated from src/repl/help.rs) -->";
    const END: &str = "<!-- END REFERENCE -->";

    #[test]
    fn every_stage_the_planner_runs_has_help() {
        for s in crate::plan::STAGES {
            assert!(stage_doc(s).is_some(), "no help for stage `{s}`");
        }
        // The registry's stages are described in docs/LANGUAGE.md.
        for (s, _) in crate::stages::registry::GENERIC_STAGES {
            assert!(
                stage_doc(s).is_some() || language_doc(s).is_some(),
                "no row for stage `{s}` in docs/LANGUAGE.md's stage table"
            );
        }
    }

    #[test]
    fn stage_examples_are_valid_queries() {
        for d in STAGE_DOCS {
            if let Err(e) = crate::plan::plan_text(d.example) {
                panic!("{}: {}", d.example, e.render(d.example, "example"));
            }
        }
    }

    #[test]
    fn registry_stage_help_comes_from_the_language_reference() {
        let t = topic("timeslice").unwrap_or_default();
        assert!(
            t.starts_with("stage timeslice\n  syntax:  timeslice [by] 5m [as f]"),
            "{t}"
        );
        assert!(t.contains("more: docs/LANGUAGE.md"), "{t}");
        assert_eq!(
            table_cells("| a | `x \\| y` | n |"),
            Some(vec![
                "a".to_string(),
                "`x | y`".to_string(),
                "n".to_string()
            ])
        );
        assert_eq!(table_cells("not a row"), None);
    }

    #[test]
    fn topics() {
        let where_ = topic("where").unwrap_or_default();
        assert!(where_.contains("syntax:  where COND"), "{where_}");
        assert!(
            where_.contains("example: * | where dest_port in"),
            "{where_}"
        );
        let f = topic("TOLOWERCASE").unwrap_or_default();
        assert!(f.contains("function toLowerCase (also lower)"), "{f}");
        // `max` is both the aggregate and the two-argument function.
        let m = topic("max").unwrap_or_default();
        assert!(
            m.contains("stage min / max") && m.contains("function max"),
            "{m}"
        );
        let c = topic(":save").unwrap_or_default();
        assert!(c.contains("asks before overwriting"), "{c}");
        assert!(topic("q").unwrap_or_default().contains(":quit"));
        let e = topic("wher").err().unwrap_or_default();
        assert!(e.contains("did you mean `where`?"), "{e}");
    }

    #[test]
    fn overview_lists_commands_stages_and_functions() {
        let o = overview();
        for c in COMMANDS {
            assert!(o.contains(c.name), "{}", c.name);
        }
        assert!(
            o.contains("count_distinct") && o.contains("cidr_match"),
            "{o}"
        );
    }

    /// docs/REPL.md ends with this reference; regenerate it with
    /// `SUMOQ_BLESS=1 cargo test --lib repl::help`.
    #[test]
    fn docs_reference_is_generated_from_this_text() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/REPL.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
            panic!("docs/REPL.md lacks the reference markers");
        };
        let want = format!("{BEGIN}\n\n{}\n{END}", reference_markdown());
        let have = &doc[b..e + END.len()];
        if have != want {
            if std::env::var_os("SUMOQ_BLESS").is_some() {
                let new = format!("{}{}{}", &doc[..b], want, &doc[e + END.len()..]);
                std::fs::write(path, new).unwrap_or_default();
            } else {
                panic!("docs/REPL.md's reference is stale: run SUMOQ_BLESS=1 cargo test --lib repl::help");
            }
        }
    }
}
