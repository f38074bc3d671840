//! The interactive REPL (issue 3): load the logs once, then run queries
//! over the records in memory with the same parse → plan → execute path as
//! `sumoq run`.
//!
//! On a terminal it edits lines with rustyline (history, completion,
//! highlighting, multi-line queries); otherwise it reads one query per line
//! from stdin, so it can be scripted. Each file has one job:
//!
//! - `session`: the state and what a query does; `commands`: `:load`,
//!   `:fields`, `:run`, ...; `results`: showing rows.
//! - `data`, `progress`: reading inputs into memory.
//! - `fields_summary`: `:fields` and the field names for completion.
//! - `helper`, `complete`, `highlight`, `lexer`: rustyline's side.
//! - `help`: the help text; `explain`: `:explain`; `history`: the history
//!   file.

pub mod commands;
pub mod complete;
pub mod data;
pub mod explain;
pub mod fields_summary;
pub mod help;
pub mod helper;
pub mod highlight;
pub mod history;
pub mod lexer;
pub mod progress;
pub mod results;
pub mod session;

use std::io::{self, BufRead, IsTerminal};
use std::sync::atomic::Ordering;

use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::Editor;

use crate::cli::InputArgs;
use crate::parser;

use self::helper::ReplHelper;
use self::session::{Control, Session};

/// The prompt.
pub const PROMPT: &str = "sumoq> ";

/// Entries kept in the history file.
const HISTORY_SIZE: usize = 10_000;

/// Runs the REPL; returns the exit code: 0 when the user leaves (Ctrl-D,
/// `:quit`, the end of a script), 2 for bad options, before anything is
/// read.
pub fn main(logs: &[String], input: &InputArgs) -> i32 {
    let mut session = Session::new(Box::new(io::stdout()), Box::new(io::stderr()));
    match configure(&mut session, input) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    }
    let interactive = io::stdin().is_terminal();
    if interactive {
        // Ctrl-C while a query (or a load) runs sets the flag they poll;
        // while a line is edited the terminal is in raw mode and rustyline
        // sees Ctrl-C as a key instead.
        let flag = session.cancel.clone();
        if let Err(e) = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed)) {
            eprintln!("sumoq: Ctrl-C will not cancel queries: {e}");
        }
        session.show_progress = io::stderr().is_terminal();
    } else {
        // A script shows every row unless it says `:set rows N`.
        session.settings.rows = 0;
    }
    if !logs.is_empty() {
        session.load_paths(logs);
    }
    if interactive {
        let loaded = if session.data.is_empty() {
            "No records in memory (:load FILE... reads some).".to_string()
        } else {
            format!(
                "{} records in memory.",
                progress::thousands(session.data.len() as u64)
            )
        };
        session.note(&format!(
            "{loaded} :help for help, :fields for the fields, Ctrl-D to leave."
        ));
        terminal_loop(&mut session)
    } else {
        script_loop(&mut session)
    }
}

/// Applies the command line's input options: parameters, metadata, time
/// fields and FERs (planned now, so a bad one is reported before loading).
fn configure(s: &mut Session, input: &InputArgs) -> Result<(), String> {
    s.params = input.params().map_err(|e| format!("sumoq: {e}"))?;
    s.opts = input.input_options().map_err(|e| format!("sumoq: {e}"))?;
    let fers = input.fers(&s.params)?;
    s.fers = input.fer.iter().cloned().zip(fers).collect();
    Ok(())
}

fn terminal_loop(s: &mut Session) -> i32 {
    let builder = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false);
    // Keep more than rustyline's default 100 entries; both setters fail
    // only on values these are not.
    let builder = match builder.clone().max_history_size(HISTORY_SIZE) {
        Ok(b) => b,
        Err(_) => builder,
    };
    let builder = match builder.clone().history_ignore_dups(true) {
        Ok(b) => b,
        Err(_) => builder,
    };
    let config = builder.build();
    let mut ed: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            s.note(&format!(
                "sumoq: cannot edit lines on this terminal ({e}); reading plain lines"
            ));
            return script_loop(s);
        }
    };
    let colour = std::env::var_os("NO_COLOR").is_none();
    ed.set_helper(Some(ReplHelper::new(s.field_names().to_vec(), colour)));
    let hist = history::path();
    if let Some(p) = &hist {
        if let Err(e) = history::prepare(p) {
            s.note(&format!("sumoq: history will not be saved: {e}"));
        } else if p.exists() {
            if let Err(e) = ed.load_history(p) {
                s.note(&format!("sumoq: cannot read history {}: {e}", p.display()));
            }
        }
    }
    let mut history_failed = false;
    loop {
        s.width = ed.dimensions().map(|(w, _)| w.clamp(20, 1000) as u16);
        let line = match ed.readline(PROMPT) {
            Ok(l) => l,
            // Ctrl-C on a line clears it.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                s.note(&format!("sumoq: reading input: {e}"));
                break;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let _ = ed.add_history_entry(line.as_str());
        // Saved after every entry, so a session that dies keeps its history.
        if let (Some(p), false) = (&hist, history_failed) {
            if let Err(e) = ed.append_history(p) {
                history_failed = true;
                s.note(&format!(
                    "sumoq: cannot save history to {}: {e}",
                    p.display()
                ));
            }
        }
        let control = {
            let mut ask = |q: &str| ed.readline(q).ok();
            s.handle(&line, &mut ask)
        };
        if s.take_names_changed() {
            if let Some(h) = ed.helper_mut() {
                h.fields = s.field_names().to_vec();
            }
        }
        if control == Control::Quit || s.broken() {
            break;
        }
    }
    0
}

/// Reads one line of stdin, lossily decoded; `None` at the end.
fn read_line(input: &mut dyn BufRead) -> Option<String> {
    let mut buf = Vec::new();
    match input.read_until(b'\n', &mut buf) {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            Some(String::from_utf8_lossy(&buf).into_owned())
        }
    }
}

/// Not a terminal: one query per line, a line the parser finds unfinished
/// (a trailing `|`, an open parenthesis, string or comment) goes on to the
/// next; meta-commands as on a terminal. Errors go to stderr and the script
/// goes on; the end of input exits 0.
fn script_loop(s: &mut Session) -> i32 {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    run_script(s, &mut input)
}

/// The script loop over any reader (tests feed it text).
pub fn run_script(s: &mut Session, input: &mut dyn BufRead) -> i32 {
    let mut query = String::new();
    while let Some(line) = read_line(input) {
        // A meta-command line, unless it falls inside a query (only
        // comments before it do not count).
        if line.trim_start().starts_with(':') && lexer::skip_comments(&query).is_empty() {
            query.clear();
            let mut ask = |q: &str| {
                show_question(q);
                read_line(input)
            };
            if s.handle(&line, &mut ask) == Control::Quit || s.broken() {
                return 0;
            }
            continue;
        }
        if query.is_empty() && line.trim().is_empty() {
            continue;
        }
        if !query.is_empty() {
            query.push('\n');
        }
        query.push_str(&line);
        if parser::is_incomplete(&query) {
            continue;
        }
        let text = std::mem::take(&mut query);
        s.handle(&text, &mut |_| None);
        if s.broken() {
            return 0;
        }
    }
    if !query.trim().is_empty() {
        // The input ended inside a query: report what the parser says.
        s.handle(&query, &mut |_| None);
    }
    0
}

/// Shows a question asked of a script on stderr, where it does not mix
/// with results.
fn show_question(q: &str) {
    eprintln!("{q}");
}

#[cfg(test)]
mod tests {
    use super::session::tests::session;
    use super::*;

    #[test]
    fn script_one_query_per_line_with_continuations() {
        let (mut s, out, err) = session();
        err.take();
        s.settings.rows = 0;
        let script = "// a note\n:set rows 0\n* | count\n\n_sourceCategory=firewall |\n  count by dest_port |\n  sort by _count\n:set format csv\n* | where dest_port in (53,\n 443) | count\n* | wher x\n* | count\n* | count by (";
        let code = run_script(&mut s, &mut script.as_bytes());
        assert_eq!(code, 0);
        let o = out.take();
        assert!(o.contains("│ 91     │"), "{o}");
        assert!(o.contains("dest_port"), "{o}");
        assert!(o.contains("_count\n"), "{o}");
        assert!(o.ends_with("_count\n91\n"), "{o}");
        let e = err.take();
        assert!(e.contains("unknown stage `wher`"), "{e}");
        // The unfinished last query is reported at the end of input.
        assert!(e.contains("query:1:"), "{e}");
    }

    #[test]
    fn script_quit_stops_reading() {
        let (mut s, out, _err) = session();
        let code = run_script(&mut s, &mut ":quit\n* | count\n".as_bytes());
        assert_eq!(code, 0);
        assert_eq!(out.take(), "");
    }
}
