//! `split FIELD [delim=','] [quote='"'] [escape='\'] extract 1 as a, b, _, 5
//! as e` and `csv FIELD extract ...` (the same with a comma delimiter):
//! delimited text into fields by position.
//!
//! A column that the text does not have is null; an empty column is `""`.
//! A quote opens only at the start of a column and a doubled quote inside
//! quotes is one quote (as in CSV); the escape character makes the next
//! delimiter, quote or escape character literal and is kept before any
//! other character (so `C:\Users` stays as it is).

use std::sync::Arc;

use super::args::Args;
use super::extract::{emit, field_ref_of, Input};
use super::{RecordStage, StagePlan};
use crate::ast::{GenericStage, Span, Tok, Token};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::record::{Name, Record};
use crate::value::Value;

/// A checked `split` or `csv` stage.
#[derive(Clone, Debug)]
pub struct Split {
    input: Input,
    delim: char,
    quote: char,
    escape: char,
    /// (1-based column, field) in the order written.
    columns: Vec<(usize, Name)>,
    /// The stage's name as written, for `:explain`.
    name: String,
}

/// Builds `split ...`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    build_split(g, text)
}

/// Builds `csv ...`.
pub fn build_csv(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    build_split(g, text)
}

fn build_split(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut args = Args::new(g, text);
    let mut input = Input::default();
    let mut delim = (',', None);
    let mut quote = ('"', None);
    let mut escape = ('\\', None);
    // Options, then `extract`.
    loop {
        if args.is_done() {
            return Err(args.error("`extract` and the columns to take"));
        }
        if input.eat_option(&mut args)? || args.eat_comma() {
            continue;
        }
        if args.eat_word("extract") {
            break;
        }
        if let Some(c) = eat_char_option(&mut args, "delim")? {
            delim = (c.0, Some(c.1));
            continue;
        }
        if let Some(c) = eat_char_option(&mut args, "quote")? {
            quote = (c.0, Some(c.1));
            continue;
        }
        if let Some(c) = eat_char_option(&mut args, "escape")? {
            escape = (c.0, Some(c.1));
            continue;
        }
        let field = args.peek().and_then(field_ref_of);
        match field {
            Some(f) if !input.explicit => {
                args.next_token();
                input.field = f;
                input.explicit = true;
            }
            _ => {
                return Err(args.error(
                    "the field to split (`_raw` for the whole text), `delim=`, `quote=`, `escape=` or `extract`",
                ))
            }
        }
    }
    if !input.explicit {
        return Err(QueryError::new(
            format!("`{}` needs the field to split before `extract`", g.name),
            g.name_span,
        )
        .with_hint(format!(
            "use `_raw` for the whole text: `{} _raw extract ...`",
            g.name
        )));
    }
    for (a, b) in [(delim, quote), (delim, escape), (quote, escape)] {
        if a.0 == b.0 {
            let span = b.1.or(a.1).unwrap_or(g.name_span);
            return Err(QueryError::new(
                format!(
                    "the delimiter, quote and escape characters must differ (`{}` is used twice)",
                    a.0
                ),
                span,
            ));
        }
    }
    let columns = extract_list(&mut args)?;
    while !args.is_done() {
        if !input.eat_option(&mut args)? {
            return Err(args.error("`,` and another column, or `nodrop`"));
        }
    }
    Ok(vec![StagePlan::Record(Arc::new(Split {
        input,
        delim: delim.0,
        quote: quote.0,
        escape: escape.0,
        columns,
        name: g.name.to_ascii_lowercase(),
    }))])
}

/// `key='c'`: one character (a quoted string or a one-character word).
fn eat_char_option(args: &mut Args, key: &str) -> Result<Option<(char, Span)>, QueryError> {
    let Some(v) = args.eat_keyval(key) else {
        return Ok(None);
    };
    let s = match &v.kind {
        Tok::Str(s) | Tok::Word(s) | Tok::Num(s) => s.clone(),
        _ => String::new(),
    };
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(Some((c, v.span))),
        _ => Err(QueryError::new(
            format!("`{key}=` takes one character, such as `{key}=','`"),
            v.span,
        )),
    }
}

/// `1 as a, b, _, 5 as e`: an index sets the position; a name takes the
/// next position; `_` skips one.
fn extract_list(args: &mut Args) -> Result<Vec<(usize, Name)>, QueryError> {
    let mut cols = Vec::new();
    let mut pos = 1usize;
    loop {
        match args.peek() {
            Some(Token {
                kind: Tok::Num(_), ..
            }) => {
                let (n, span) = args.expect_count("a column number")?;
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                if n == 0 {
                    return Err(QueryError::new("columns are numbered from 1", span));
                }
                args.expect_word("as")?;
                let (name, _, _) = args.expect_field("a field name")?;
                cols.push((n, Arc::from(name.as_str())));
                pos = n.saturating_add(1);
            }
            Some(Token {
                kind: Tok::Word(w), ..
            }) if w == "_" => {
                args.next_token();
                pos = pos.saturating_add(1);
            }
            _ => {
                let (name, _, _) =
                    args.expect_field("a column: a field name, `_` to skip one, or `N as name`")?;
                cols.push((pos, Arc::from(name.as_str())));
                pos = pos.saturating_add(1);
            }
        }
        if !args.eat_comma() {
            break;
        }
    }
    if cols.is_empty() {
        return Err(args.error("a column to extract"));
    }
    Ok(cols)
}

/// Splits a text into at most `max` columns (the last one may hold the
/// rest unsplit: nothing after it is read).
pub fn split_columns(s: &str, delim: char, quote: char, escape: char, max: usize) -> Vec<String> {
    let mut cols = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut at_start = true;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == escape {
            match chars.peek() {
                Some(&n) if n == delim || n == quote || n == escape => {
                    cur.push(n);
                    chars.next();
                }
                _ => cur.push(c),
            }
            at_start = false;
            continue;
        }
        if in_quotes {
            if c == quote {
                if chars.peek() == Some(&quote) {
                    cur.push(quote);
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                cur.push(c);
            }
            continue;
        }
        if c == quote && at_start {
            in_quotes = true;
            at_start = false;
            continue;
        }
        if c == delim {
            cols.push(std::mem::take(&mut cur));
            at_start = true;
            if cols.len() >= max {
                return cols;
            }
            continue;
        }
        at_start = false;
        cur.push(c);
    }
    cols.push(cur);
    cols
}

impl RecordStage for Split {
    fn apply(&self, rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let Some(text) = self.input.text(&rec) else {
            return emit(rec, None, self.input.nodrop, out);
        };
        let max = self.columns.iter().map(|(i, _)| *i).max().unwrap_or(0);
        let cols = split_columns(&text, self.delim, self.quote, self.escape, max);
        let fields = self
            .columns
            .iter()
            .map(|(i, n)| {
                let v = cols
                    .get(i - 1)
                    .map(|c| Value::str(c))
                    .unwrap_or(Value::Null);
                (n.clone(), v)
            })
            .collect();
        emit(rec, Some(fields), true, out);
    }

    fn describe(&self) -> String {
        format!(
            "{} ({}, delim {:?}) → {}",
            self.name,
            self.input.describe(),
            self.delim,
            self.columns
                .iter()
                .map(|(i, n)| format!("{i} as {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rules() {
        let c = split_columns(r#"a,"b,c",,"d ""q""",e\,f,C:\x"#, ',', '"', '\\', 99);
        assert_eq!(c, vec!["a", "b,c", "", "d \"q\"", "e,f", "C:\\x"]);
        // A quote inside a column is literal.
        assert_eq!(
            split_columns("x\"y,z", ',', '"', '\\', 9),
            vec!["x\"y", "z"]
        );
        // Stops after `max` columns.
        assert_eq!(split_columns("1,2,3,4", ',', '"', '\\', 2), vec!["1", "2"]);
        assert_eq!(split_columns("é:ü", ':', '"', '\\', 9), vec!["é", "ü"]);
    }
}
