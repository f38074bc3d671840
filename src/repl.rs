//! The interactive REPL (issue 3). For now: load the logs, then read one
//! query per line from stdin and print each result.

use crate::cli::InputArgs;

/// Runs the REPL; returns the exit code.
pub fn main(_logs: &[String], _input: &InputArgs) -> i32 {
    eprintln!("sumoq: the REPL is not built yet");
    2
}
