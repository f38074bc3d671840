//! What the parsing stages (`parse`, `parse regex`, `json`, `keyvalue`,
//! `csv`, `split`) share: the `field=` and `nodrop` options, reading the
//! parsed text from a record, and Sumo's drop rule (SPEC §5).

use std::sync::Arc;

use crate::ast::{Tok, Token};
use crate::error::QueryError;
use crate::plan::expr::FieldRef;
use crate::record::{Name, Record};
use crate::value::Value;

use super::args::Args;

/// The field a parsing stage reads (`_raw` unless `field=` names another).
#[derive(Clone, Debug)]
pub struct Input {
    /// The field.
    pub field: FieldRef,
    /// True once `field=` was given (a second one is a query error).
    pub explicit: bool,
    /// `nodrop`: keep records the stage cannot match.
    pub nodrop: bool,
}

impl Default for Input {
    fn default() -> Self {
        Input {
            field: FieldRef::new("_raw", false),
            explicit: false,
            nodrop: false,
        }
    }
}

impl Input {
    /// Takes a `field=NAME` or `nodrop` at the cursor if there is one;
    /// true when something was taken.
    pub fn eat_option(&mut self, args: &mut Args) -> Result<bool, QueryError> {
        if args.eat_word("nodrop") {
            self.nodrop = true;
            return Ok(true);
        }
        let at = args.here();
        if let Some(v) = args.eat_keyval("field") {
            if self.explicit {
                return Err(QueryError::new(
                    format!("`{}`: `field=` is given twice", args.name()),
                    at,
                ));
            }
            self.field = field_ref_of(v).ok_or_else(|| {
                QueryError::new(
                    format!(
                        "`{}`: expected a field name after `field=`, found `{}`",
                        args.name(),
                        args.slice(v.span)
                    ),
                    v.span,
                )
            })?;
            self.explicit = true;
            return Ok(true);
        }
        Ok(false)
    }

    /// The text to parse: the field's text, or `None` when it is missing or
    /// null (a record the stage cannot match).
    pub fn text(&self, rec: &Record) -> Option<Arc<str>> {
        match self.field.get(rec) {
            Value::Null => None,
            Value::Str(s) => Some(s),
            v => v.text().map(|t| Arc::from(t.as_ref())),
        }
    }

    /// The field's name, for `:explain`.
    pub fn describe(&self) -> String {
        let mut s = format!("field {}", self.field.name);
        if self.nodrop {
            s.push_str(", nodrop");
        }
        s
    }
}

/// A field reference from a token: a bare name or `%"quoted name"`.
pub fn field_ref_of(t: &Token) -> Option<FieldRef> {
    match &t.kind {
        Tok::Word(w) if super::args::is_field_name(w) => Some(FieldRef::new(w, false)),
        Tok::Name(n) => Some(FieldRef::new(n, true)),
        _ => None,
    }
}

/// Reads the names after `as`: `as a, b, %"c d"`. Stops before a comma
/// that is followed by a string (the next pattern of `parse "p1" as a,
/// "p2" as b`), taking that comma.
pub fn as_names(args: &mut Args, what: &str) -> Result<Vec<(Name, crate::ast::Span)>, QueryError> {
    let mut v = Vec::new();
    loop {
        let (n, _, span) = args.expect_field(what)?;
        v.push((Arc::from(n.as_str()), span));
        if !args.eat_comma() {
            break;
        }
        if matches!(
            args.peek(),
            Some(Token {
                kind: Tok::Str(_),
                ..
            })
        ) {
            break;
        }
    }
    Ok(v)
}

/// Turns a key into a field name the way Sumo names fields it makes from
/// keys: every character other than `a-z`, `A-Z`, `0-9` and `_` becomes `_`.
pub fn sanitize_name(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Sumo's drop rule: a record the stage matched gets its fields; one it
/// could not match is dropped, or passed on unchanged with `nodrop`.
pub fn emit(
    mut rec: Record,
    found: Option<Vec<(Name, Value)>>,
    nodrop: bool,
    out: &mut Vec<Record>,
) {
    match found {
        Some(fields) => {
            for (n, v) in fields {
                rec.set(&n, v);
            }
            out.push(rec);
        }
        None if nodrop => out.push(rec),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_like_sumo() {
        assert_eq!(sanitize_name("serviceinfo.IP"), "serviceinfo_IP");
        assert_eq!(sanitize_name("Node ID"), "Node_ID");
        assert_eq!(sanitize_name("é"), "_");
    }
}
