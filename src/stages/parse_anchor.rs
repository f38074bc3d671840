//! `parse "start*stop" as f` (Sumo's anchor parse), several patterns in one
//! stage (`parse "a=*," as a, "b=*," as b`), `field=` and `nodrop`. The
//! `parse regex` form is handed to [`super::parse_regex`].
//!
//! Each `*` captures the shortest text up to the next anchor (the last one
//! runs to the end of the text); the anchors match case-insensitively, as in
//! Sumo's own example (`parse "user=*:"` on `User=jsmith@demo.com:`).

use std::sync::Arc;

use regex::Regex;

use super::args::Args;
use super::extract::{as_names, emit, Input};
use super::{RecordStage, StagePlan};
use crate::ast::{GenericStage, Span, Tok, Token};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::record::{Name, Record};
use crate::value::Value;

/// One anchor pattern and the names its `*`s fill.
#[derive(Clone, Debug)]
struct AnchorPattern {
    /// The pattern as a regex: anchors escaped, `*` as lazy groups.
    re: Regex,
    /// One name per `*`, in order.
    names: Vec<Name>,
}

/// A checked `parse` stage.
#[derive(Clone, Debug)]
pub struct ParseAnchor {
    input: Input,
    patterns: Vec<AnchorPattern>,
}

/// Builds `parse ...`; `parse regex ...` goes to the regex stage.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut args = Args::new(g, text);
    if args.eat_word("regex") {
        return super::parse_regex::build_from(args);
    }
    let mut input = Input::default();
    let mut patterns = Vec::new();
    while !args.is_done() {
        if input.eat_option(&mut args)? || args.eat_comma() {
            continue;
        }
        match args.peek() {
            Some(Token {
                kind: Tok::Str(p),
                span,
            }) => {
                let (p, span) = (p.clone(), *span);
                args.next_token();
                args.expect_word("as")?;
                let names = as_names(&mut args, "a field name")?;
                patterns.push(compile_pattern(&p, span, names)?);
            }
            _ => return Err(args.error(
                "a pattern in double quotes (`parse \"user=*,\" as user`), `field=` or `nodrop`",
            )),
        }
    }
    if patterns.is_empty() {
        return Err(args.error("a pattern in double quotes, such as `parse \"user=*,\" as user`"));
    }
    Ok(vec![StagePlan::Record(Arc::new(ParseAnchor {
        input,
        patterns,
    }))])
}

/// Pieces of an anchor pattern: literal text and `*` wildcards.
#[derive(Debug, PartialEq)]
enum Piece {
    Lit(String),
    Star,
}

/// Splits a pattern on its `*`s; `\*` is a literal asterisk.
fn pieces(p: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'*') => {
                chars.next();
                lit.push('*');
            }
            '*' => {
                if !lit.is_empty() {
                    out.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                out.push(Piece::Star);
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    out
}

fn compile_pattern(
    p: &str,
    span: Span,
    names: Vec<(Name, Span)>,
) -> Result<AnchorPattern, QueryError> {
    let pieces = pieces(p);
    let stars = pieces.iter().filter(|x| **x == Piece::Star).count();
    if stars == 0 {
        return Err(
            QueryError::new("the pattern has no `*` to extract".to_string(), span).with_hint(
                "mark each value to extract with `*`, as in `parse \"user=*,\" as user`",
            ),
        );
    }
    if pieces
        .windows(2)
        .any(|w| w[0] == Piece::Star && w[1] == Piece::Star)
    {
        return Err(QueryError::new(
            "`**` is not a valid anchor pattern: two values need an anchor between them",
            span,
        )
        .with_hint("use `parse regex` to split text without an anchor"));
    }
    if stars != names.len() {
        let at = names.last().map(|(_, s)| *s).unwrap_or(span);
        return Err(QueryError::new(
            format!(
                "the pattern has {stars} `*` but {} name{} follow{} `as`",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                if names.len() == 1 { "s" } else { "" }
            ),
            Span::new(span.start, at.end),
        ));
    }
    let mut re = String::from("(?is)");
    let n = pieces.len();
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Lit(l) => re.push_str(&regex::escape(l)),
            // The last `*` with nothing after it takes the rest of the text.
            Piece::Star if i + 1 == n => re.push_str("(.*)"),
            Piece::Star => re.push_str("(.*?)"),
        }
    }
    let re = crate::plan::compile::regex_at(&re, span)?;
    Ok(AnchorPattern {
        re,
        names: names.into_iter().map(|(n, _)| n).collect(),
    })
}

impl RecordStage for ParseAnchor {
    fn apply(&self, rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        self.run(rec, self.input.nodrop, out);
    }

    /// `nodrop` keeps exactly the records a FER keeps, unchanged, so no
    /// copy is needed.
    fn apply_kept(&self, rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        self.run(rec, true, out);
    }

    fn describe(&self) -> String {
        let names: Vec<String> = self
            .patterns
            .iter()
            .flat_map(|p| p.names.iter().map(|n| n.to_string()))
            .collect();
        format!("parse ({}) → {}", self.input.describe(), names.join(", "))
    }
}

impl ParseAnchor {
    /// Parses one record; with `nodrop` one that does not match goes on
    /// unchanged, else it is dropped.
    fn run(&self, rec: Record, nodrop: bool, out: &mut Vec<Record>) {
        let Some(text) = self.input.text(&rec) else {
            return emit(rec, None, nodrop, out);
        };
        // Each pattern matches on its own; the record is kept when at least
        // one does, and a pattern that does not match assigns nothing.
        let mut fields = Vec::new();
        let mut any = false;
        for p in &self.patterns {
            if let Some(c) = p.re.captures(&text) {
                any = true;
                for (i, name) in p.names.iter().enumerate() {
                    let v = c
                        .get(i + 1)
                        .map(|m| Value::str(m.as_str()))
                        .unwrap_or(Value::Null);
                    fields.push((name.clone(), v));
                }
            }
        }
        emit(rec, any.then_some(fields), nodrop, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pieces() {
        assert_eq!(
            pieces("a=*, b=\\**"),
            vec![
                Piece::Lit("a=".into()),
                Piece::Star,
                Piece::Lit(", b=*".into()),
                Piece::Star
            ]
        );
    }

    #[test]
    fn lazy_then_greedy_tail() {
        let names = vec![
            (Arc::from("a"), Span::default()),
            (Arc::from("b"), Span::default()),
        ];
        let p = compile_pattern("x=*: *", Span::default(), names).unwrap();
        let c = p.re.captures("pre X=1: 2: 3").unwrap();
        assert_eq!(&c[1], "1");
        assert_eq!(&c[2], "2: 3");
    }
}
