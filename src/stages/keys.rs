//! Small pieces the reshaping stages share: group keys by text (the rule
//! aggregation uses, so `dedup`, `total`, `transpose` and friends group
//! exactly as `count by` does) and `[by] f, ...` / `(a, b)` argument forms.

use crate::ast::{Span, Tok, Token};
use crate::error::QueryError;
use crate::plan::expr::FieldRef;
use crate::record::Record;
use crate::value::Value;

use super::args::{is_field_name, Args};

/// A group key: the text of each key value, null being its own key (as in
/// aggregation, SPEC §5).
pub type Key = Vec<Option<String>>;

/// The key of a record for some fields.
pub fn key_of(fields: &[FieldRef], rec: &Record) -> Key {
    fields.iter().map(|f| text_of(&f.get(rec))).collect()
}

/// The text of one value as a key part.
pub fn text_of(v: &Value) -> Option<String> {
    v.text().map(|t| t.into_owned())
}

/// Reads `by f, ...` if the next word is `by`; an empty list otherwise.
pub fn by_clause(a: &mut Args) -> Result<Vec<FieldRef>, QueryError> {
    if a.eat_word("by") {
        field_list(a)
    } else {
        Ok(Vec::new())
    }
}

/// Reads `f, g, ...` as field references.
pub fn field_list(a: &mut Args) -> Result<Vec<FieldRef>, QueryError> {
    Ok(a.expect_field_list("a field name")?
        .into_iter()
        .map(|(n, quoted, _)| FieldRef::new(&n, quoted))
        .collect())
}

/// Reads an optional `as NAME`.
pub fn alias(a: &mut Args) -> Result<Option<String>, QueryError> {
    if a.eat_word("as") {
        Ok(Some(a.expect_field("a field name after `as`")?.0))
    } else {
        Ok(None)
    }
}

/// One item of a parenthesised argument list such as `topk(5, _count)`:
/// its text (quotes of `%"name"` removed), whether it was `%"quoted"`,
/// and its span in the query.
pub struct ParenItem {
    /// The item's text.
    pub text: String,
    /// True for a `%"quoted"` field name.
    pub quoted: bool,
    /// Where it is.
    pub span: Span,
}

/// Splits the raw text of a `( ... )` token on top-level commas. `tok` is
/// the Paren token; item spans point into the query.
pub fn paren_items(tok: &Token, raw: &str) -> Vec<ParenItem> {
    // The token's span covers the parentheses; the inner text starts one
    // byte after the `(`.
    let base = tok.span.start + 1;
    let mut items = Vec::new();
    let mut start = 0;
    let mut in_str = false;
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i <= bytes.len() {
        let c = bytes.get(i).copied();
        match c {
            Some(b'\\') if in_str => i += 1,
            Some(b'"') => in_str = !in_str,
            Some(b',') | None if !in_str => {
                let part = raw.get(start..i).unwrap_or("");
                let lead = part.len() - part.trim_start().len();
                let t = part.trim();
                let span = Span::new(base + start + lead, base + start + lead + t.len());
                let (text, quoted) = match t.strip_prefix("%\"").and_then(|s| s.strip_suffix('"')) {
                    Some(inner) => (inner.to_string(), true),
                    None => (t.to_string(), false),
                };
                items.push(ParenItem { text, quoted, span });
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    items
}

/// Reads a field given either as a word/`%"name"` or as `(field)` (the
/// `total(f)` form seen in real queries).
pub fn field_or_paren(a: &mut Args, what: &str) -> Result<FieldRef, QueryError> {
    if let Some(
        t @ Token {
            kind: Tok::Paren(raw),
            ..
        },
    ) = a.peek()
    {
        let items = paren_items(t, raw);
        return match items.as_slice() {
            [one] if one.quoted || is_field_name(&one.text) => {
                a.next_token();
                Ok(FieldRef::new(&one.text, one.quoted))
            }
            _ => Err(a.error(what)),
        };
    }
    let (n, quoted, _) = a.expect_field(what)?;
    Ok(FieldRef::new(&n, quoted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paren_items_split_on_top_level_commas() {
        let tok = Token {
            kind: Tok::Paren(String::new()),
            span: Span::new(10, 30),
        };
        let items = paren_items(&tok, r#"5, %"a,b" , x"#);
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, ["5", "a,b", "x"]);
        assert!(items[1].quoted);
        assert_eq!(items[0].span, Span::new(11, 12));
        assert_eq!(items[2].span, Span::new(23, 24));
    }
}
