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
        let rest_of_line = line.chars().count().saturating_sub(col - 1);
        let width = first_line_len.min(rest_of_line).max(1);
        let shown_line = sanitize(line);
        let lead: String = line
            .chars()
            .take(col - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
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

/// Replaces control characters so a pasted query cannot move the cursor.
fn sanitize(line: &str) -> String {
    line.chars()
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
    fn suggestions() {
        assert_eq!(
            did_you_mean("wher", ["where", "eval", "fields"]),
            Some("did you mean `where`?".to_string())
        );
        assert_eq!(did_you_mean("zzz", ["where", "eval"]), None);
    }
}
