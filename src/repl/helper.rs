//! The glue between rustyline and the REPL: completion, highlighting, and
//! the validator that asks the parser whether Enter ends the query or
//! starts another line of it.

use std::borrow::Cow;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::{complete, highlight};
use crate::parser;

/// The REPL's rustyline helper.
pub struct ReplHelper {
    /// Field names of the loaded data, for completion.
    pub fields: Vec<String>,
    /// Colour the input (off under `NO_COLOR`).
    pub colour: bool,
    files: FilenameCompleter,
}

impl ReplHelper {
    /// A helper offering these field names.
    pub fn new(fields: Vec<String>, colour: bool) -> ReplHelper {
        ReplHelper {
            fields,
            colour,
            files: FilenameCompleter::new(),
        }
    }
}

/// True when Enter should read another line: the text is a query (not a
/// meta-command) that the parser says is unfinished.
pub fn needs_more(text: &str) -> bool {
    let t = text.trim_start();
    !t.is_empty() && !t.starts_with(':') && parser::is_incomplete(text)
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let paths = |l: &str, p: usize| self.files.complete_path(l, p).unwrap_or((p, Vec::new()));
        Ok(complete::complete(line, pos, &self.fields, &paths))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.colour {
            Cow::Owned(highlight::highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _forced: bool) -> bool {
        // A keystroke can change the role of tokens before it (`x` becomes
        // a field once `=` follows), so always redraw; lines are short.
        self.colour
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        if needs_more(ctx.input()) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_continues_only_unfinished_queries() {
        assert!(needs_more("_sourceCategory=firewall |"));
        assert!(needs_more("* | where x in (1,"));
        assert!(needs_more("* | where x = \"abc"));
        assert!(needs_more("* | count /* note"));
        assert!(!needs_more("* | count"));
        assert!(!needs_more("* | wher x"));
        assert!(!needs_more(":run x |"));
        assert!(!needs_more("   "));
    }
}
