//! A cursor over a generic stage's tokens, for the stage builders: each
//! `expect_*` either takes what the stage's syntax needs or returns a query
//! error located at the token (or just after the stage) saying what was
//! expected.

use crate::ast::{GenericStage, Span, Tok, Token};
use crate::error::QueryError;

/// Reads a generic stage's tokens in order.
pub struct Args<'a> {
    stage: &'a GenericStage,
    pos: usize,
    /// The query text the spans point into (for raw slices such as paths or
    /// sub-queries).
    pub text: &'a str,
}

impl<'a> Args<'a> {
    /// A cursor at the first token.
    pub fn new(stage: &'a GenericStage, text: &'a str) -> Args<'a> {
        Args {
            stage,
            pos: 0,
            text,
        }
    }

    /// The stage's name as written.
    pub fn name(&self) -> &str {
        &self.stage.name
    }

    /// The next token, not taken.
    pub fn peek(&self) -> Option<&'a Token> {
        self.stage.args.get(self.pos)
    }

    /// Takes the next token.
    pub fn next_token(&mut self) -> Option<&'a Token> {
        let t = self.stage.args.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// True when every token was taken.
    pub fn is_done(&self) -> bool {
        self.pos >= self.stage.args.len()
    }

    /// Where an error about "what comes next" points: the next token, or
    /// just after the stage.
    pub fn here(&self) -> Span {
        match self.peek() {
            Some(t) => t.span,
            None => {
                let end = self
                    .stage
                    .args
                    .last()
                    .map(|t| t.span.end)
                    .unwrap_or(self.stage.name_span.end);
                Span::new(end, end)
            }
        }
    }

    /// An error at the next token: "`NAME`: expected WHAT, found ...".
    pub fn error(&self, expected: &str) -> QueryError {
        let found = match self.peek() {
            Some(t) => format!("`{}`", self.slice(t.span)),
            None => "the end of the stage".to_string(),
        };
        QueryError::new(
            format!("`{}`: expected {expected}, found {found}", self.stage.name),
            self.here(),
        )
    }

    /// The query text of a span.
    pub fn slice(&self, s: Span) -> &'a str {
        self.text.get(s.start..s.end).unwrap_or("")
    }

    /// Takes the next token if it is the word `w` (any case).
    pub fn eat_word(&mut self, w: &str) -> bool {
        match self.peek() {
            Some(Token {
                kind: Tok::Word(x), ..
            }) if x.eq_ignore_ascii_case(w) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    /// Requires the word `w`.
    pub fn expect_word(&mut self, w: &str) -> Result<(), QueryError> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(self.error(&format!("`{w}`")))
        }
    }

    /// Takes a `,` if there is one.
    pub fn eat_comma(&mut self) -> bool {
        if let Some(Token {
            kind: Tok::Comma, ..
        }) = self.peek()
        {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Takes a string literal.
    pub fn expect_string(&mut self, what: &str) -> Result<(String, Span), QueryError> {
        match self.peek() {
            Some(Token {
                kind: Tok::Str(s),
                span,
            }) => {
                self.pos += 1;
                Ok((s.clone(), *span))
            }
            _ => Err(self.error(what)),
        }
    }

    /// Takes a field name: a bare word or a `%"quoted name"`. Returns the
    /// name, whether it was quoted, and its span.
    pub fn expect_field(&mut self, what: &str) -> Result<(String, bool, Span), QueryError> {
        match self.peek() {
            Some(Token {
                kind: Tok::Word(w),
                span,
            }) if is_field_name(w) => {
                self.pos += 1;
                Ok((w.clone(), false, *span))
            }
            Some(Token {
                kind: Tok::Name(n),
                span,
            }) => {
                self.pos += 1;
                Ok((n.clone(), true, *span))
            }
            _ => Err(self.error(what)),
        }
    }

    /// Takes a comma-separated list of field names (at least one).
    pub fn expect_field_list(
        &mut self,
        what: &str,
    ) -> Result<Vec<(String, bool, Span)>, QueryError> {
        let mut v = vec![self.expect_field(what)?];
        while self.eat_comma() {
            v.push(self.expect_field(what)?);
        }
        Ok(v)
    }

    /// Takes `key=value` if the next token is one with this key (any case);
    /// returns the value token.
    pub fn eat_keyval(&mut self, key: &str) -> Option<&'a Token> {
        match self.peek() {
            Some(Token {
                kind: Tok::KeyVal(k, v),
                ..
            }) if k.eq_ignore_ascii_case(key) => {
                self.pos += 1;
                Some(v)
            }
            _ => None,
        }
    }

    /// Takes a non-negative integer.
    pub fn expect_count(&mut self, what: &str) -> Result<(u64, Span), QueryError> {
        match self.peek() {
            Some(Token {
                kind: Tok::Num(n),
                span,
            }) => match n.parse::<u64>() {
                Ok(v) => {
                    self.pos += 1;
                    Ok((v, *span))
                }
                Err(_) => Err(self.error(what)),
            },
            _ => Err(self.error(what)),
        }
    }

    /// Requires that every token was taken.
    pub fn finish(&self) -> Result<(), QueryError> {
        if self.is_done() {
            Ok(())
        } else {
            Err(self.error("the end of the stage"))
        }
    }
}

/// True for text that can name a field without `%"..."`.
pub fn is_field_name(w: &str) -> bool {
    let mut chars = w.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    w.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '[' || c == ']')
}
