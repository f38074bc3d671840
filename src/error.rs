//! Query errors as data (SPEC §8): a message, a span, an optional hint; they
//! are rendered once, at the edge, with line:column, the query line and a
//! caret.

use std::fmt;

use crate::ast::Span;

/// A problem with the query text, found before any input is read.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryError {
    /// What is wrong.
    pub message: String,
    /// Where (byte range in the query text).
    pub span: Span,
    /// A suggestion, such as "did you mean `where`?".
    pub hint: Option<String>,
    /// True when the parse failed only because the text ended early; the
    /// REPL reads another line instead of reporting it.
    pub at_end: bool,
}

impl QueryError {
    /// An error at a span.
    pub fn new(message: impl Into<String>, span: Span) -> QueryError {
        QueryError {
            message: message.into(),
            span,
            hint: None,
            at_end: false,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> QueryError {
        self.hint = Some(hint.into());
        self
    }

    /// 1-based line and column (in characters) of the error's start.
    pub fn line_col(&self, text: &str) -> (usize, usize) {
        let start = clamp_to_char(text, self.span.start);
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = text[line_start..start].chars().count() + 1;
        (line, col)
    }

    /// Renders the error against the query text it came from:
    ///
    /// ```text
    /// error: unknown stage `wher`
    ///  --> query:2:3
    ///   |
    /// 2 | | wher x > 1
    ///   |   ^^^^
    ///   = help: did you mean `where`?
    /// ```
    pub fn render(&self, text: &str, origin: &str) -> String {
        let (line_no, col) = self.line_col(text);
        let line = text.lines().nth(line_no - 1).unwrap_or("");
        let gutter = line_no.to_string().len();
        let pad = " ".repeat(gutter);
        let start = clamp_to_char(text, self.span.start);
        let end = clamp_to_char(text, self.span.end.max(self.span.start));
        let span_text = &text[start..end];
        let first_line_len = span_text.split('\n').next().unwrap_or("").chars().count();
        let chars: Vec<char> = line.chars().collect();
        let rest_of_line = chars.len().saturating_sub(col - 1);
        let width = first_line_len.min(rest_of_line).max(1);
        let (from, to) = window(chars.len(), col - 1, width);
        let mut shown_line = String::new();
        let mut lead = String::new();
        if from > 0 {
            shown_line.push('…');
            lead.push(' ');
        }
        shown_line.push_str(&sanitize(chars.get(from..to).unwrap_or_default()));
        if to < chars.len() {
            shown_line.push('…');
        }
        lead.extend(
            chars
                .get(from..col - 1)
                .unwrap_or_default()
                .iter()
                .map(|c| if *c == '\t' { '\t' } else { ' ' }),
        );
        let width = width.min(to.saturating_sub(col - 1)).max(1);
        let mut out = format!(
            "error: {}\n{pad}--> {}:{}:{}\n{pad} |\n{} | {}\n{pad} | {}{}",
            self.message,
            origin,
            line_no,
            col,
            line_no,
            shown_line,
            lead,
            "^".repeat(width)
        );
        if let Some(h) = &self.hint {
            out.push_str(&format!("\n{pad} = help: {h}"));
        }
        out
    }
}

/// Query lines longer than this are shown cut around the error, so a
/// generated or pasted one-line query of a megabyte stays readable.
const MAX_SHOWN_CHARS: usize = 200;

/// How much of a cut line is shown, and how much of it before the caret.
const WINDOW_CHARS: usize = 160;
const CONTEXT_CHARS: usize = 60;

/// The part of a line of `len` characters to show for an error at `col`
/// (0-based) spanning `width`: all of it when short, else a window with
/// some context before the caret.
fn window(len: usize, col: usize, width: usize) -> (usize, usize) {
    if len <= MAX_SHOWN_CHARS {
        return (0, len);
    }
    let from = col.saturating_sub(CONTEXT_CHARS);
    let to = (from + WINDOW_CHARS).max(col + width.min(WINDOW_CHARS));
    (from, to.min(len))
}

/// Replaces control characters so a pasted query cannot move the cursor.
fn sanitize(line: &[char]) -> String {
    line.iter()
        .copied()
        .map(|c| if c.is_control() && c != '\t' { '?' } else { c })
        .collect()
}

fn clamp_to_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for QueryError {}

/// Suggests the closest of `candidates` to `name`, when one is close.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&lower, &c.to_ascii_lowercase());
        if score > 0.82 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_on_second_line() {
        let q = "* \n| wher x > 1";
        let e = QueryError::new("unknown stage `wher`", Span::new(5, 9))
            .with_hint("did you mean `where`?");
        let r = e.render(q, "query");
        assert!(r.contains("query:2:3"), "{r}");
        assert!(r.contains("2 | | wher x > 1"), "{r}");
        assert!(r.contains("  |   ^^^^"), "{r}");
        assert!(r.contains("did you mean `where`?"));
    }

    #[test]
    fn long_line_is_cut_around_the_caret() {
        let q = format!("* | where {}", "x".repeat(500)) + " ~ 1";
        let at = q.find('~').unwrap_or(0);
        let e = QueryError::new("unexpected `~`", Span::new(at, at + 1));
        let r = e.render(&q, "query");
        let lines: Vec<&str> = r.lines().collect();
        assert!(lines[3].starts_with("1 | …xxx"), "{r}");
        assert!(lines[3].chars().count() < 180, "{r}");
        let caret = lines[4].find('^').unwrap_or(0);
        assert_eq!(lines[3].chars().nth(caret), Some('~'), "{r}");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("wher", ["where", "eval", "fields"]),
            Some("did you mean `where`?".to_string())
        );
        assert_eq!(did_you_mean("zzz", ["where", "eval"]), None);
    }
}
