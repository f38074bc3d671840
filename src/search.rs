//! The search expression (SPEC §4), compiled: field terms become
//! case-insensitive whole-value wildcard regexes, keywords become term
//! sequences matched against `_raw`.

use regex::Regex;

use crate::ast::Search;
use crate::error::QueryError;
use crate::needle::Needle;
use crate::plan::compile::regex_at;
use crate::plan::expr::{wildcard_regex, FieldRef};
use crate::record::{Name, Record};

/// A compiled search expression.
#[derive(Clone, Debug)]
pub enum CSearch {
    /// Matches every record (`*`).
    All,
    /// Both.
    And(Box<CSearch>, Box<CSearch>),
    /// Either.
    Or(Box<CSearch>, Box<CSearch>),
    /// Not.
    Not(Box<CSearch>),
    /// `field=pattern` (negated for `!=`); a missing field never matches.
    Field {
        /// The field.
        field: FieldRef,
        /// Whole-value, case-insensitive.
        re: Regex,
        /// `!=`.
        negated: bool,
        /// The pattern as written, for `:explain`.
        text: String,
    },
    /// A keyword or phrase, matched against `_raw`.
    Keyword {
        /// Term sequence regex.
        re: Regex,
        /// A literal the text must contain, tried before the regex.
        needle: Option<Box<Needle>>,
        /// As written.
        text: String,
    },
}

/// Compiles a search tree.
pub fn compile(s: &Search) -> Result<CSearch, QueryError> {
    Ok(match s {
        Search::And(a, b) => CSearch::And(Box::new(compile(a)?), Box::new(compile(b)?)),
        Search::Or(a, b) => CSearch::Or(Box::new(compile(a)?), Box::new(compile(b)?)),
        Search::Not(a) => CSearch::Not(Box::new(compile(a)?)),
        Search::Field {
            name,
            negated,
            pattern,
            span,
        } => CSearch::Field {
            field: FieldRef::new(&name.name, name.quoted),
            re: regex_at(&wildcard_regex(pattern, true, true), *span)?,
            negated: *negated,
            text: pattern.clone(),
        },
        Search::Keyword { text, span } => match keyword_regex(text) {
            None => CSearch::All,
            Some(src) => CSearch::Keyword {
                re: regex_at(&src, *span)?,
                needle: Needle::of_keyword(text).map(Box::new),
                text: text.clone(),
            },
        },
    })
}

fn is_term_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The regex for a keyword: its terms (runs of letters, digits and `_`,
/// with `*` spanning within a term) must appear consecutively as whole
/// terms of `_raw`, ignoring case. `None` for a keyword that matches
/// everything (`*`).
pub fn keyword_regex(text: &str) -> Option<String> {
    let mut terms: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_has_term_char = false;
    for c in text.chars() {
        if is_term_char(c) || c == '*' {
            if c != '*' {
                cur_has_term_char = true;
            }
            cur.push(c);
        } else if !cur.is_empty() {
            terms.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        terms.push(cur);
    }
    let _ = cur_has_term_char;
    if terms.iter().all(|t| t.chars().all(|c| c == '*')) {
        if terms.is_empty() && !text.trim().is_empty() {
            // Punctuation only: match it literally anywhere.
            return Some(format!("(?i){}", regex::escape(text)));
        }
        return None;
    }
    // Case folding applies to the literal pieces only: folding the Unicode
    // `\w` classes too makes each keyword regex several times slower to
    // compile, and they are already closed under case.
    let body: Vec<String> = terms
        .iter()
        .map(|t| {
            t.split('*')
                .map(|piece| {
                    if piece.is_empty() {
                        String::new()
                    } else {
                        format!("(?i:{})", regex::escape(piece))
                    }
                })
                .collect::<Vec<_>>()
                .join(r"\w*")
        })
        .collect();
    Some(format!(
        r"(?:^|[^\w])(?:{})(?:[^\w]|$)",
        body.join(r"[^\w]+")
    ))
}

impl CSearch {
    /// True when the record matches.
    pub fn matches(&self, rec: &Record) -> bool {
        self.matches_in(rec, None)
    }

    /// True when the record matches, its text being `raw` (a record read
    /// only in part, whose text has not been copied into it).
    pub fn matches_with_raw(&self, rec: &Record, raw: &str) -> bool {
        self.matches_in(rec, Some(raw))
    }

    fn matches_in(&self, rec: &Record, raw: Option<&str>) -> bool {
        match self {
            CSearch::All => true,
            CSearch::And(a, b) => a.matches_in(rec, raw) && b.matches_in(rec, raw),
            CSearch::Or(a, b) => a.matches_in(rec, raw) || b.matches_in(rec, raw),
            CSearch::Not(a) => !a.matches_in(rec, raw),
            CSearch::Field {
                field, re, negated, ..
            } => match field.get(rec).text() {
                None => false,
                Some(t) => re.is_match(&t) != *negated,
            },
            CSearch::Keyword { re, needle, .. } => {
                let hit =
                    |t: &str| needle.as_ref().is_none_or(|n| n.may_match(t)) && re.is_match(t);
                match raw {
                    Some(t) => hit(t),
                    None => rec.raw_value().text().is_some_and(|t| hit(&t)),
                }
            }
        }
    }

    /// The field names the field terms read.
    pub fn fields_read(&self, out: &mut Vec<Name>) {
        match self {
            CSearch::All | CSearch::Keyword { .. } => {}
            CSearch::And(a, b) | CSearch::Or(a, b) => {
                a.fields_read(out);
                b.fields_read(out);
            }
            CSearch::Not(a) => a.fields_read(out),
            CSearch::Field { field, .. } => {
                if !out.contains(&field.name) {
                    out.push(field.name.clone());
                }
            }
        }
    }

    /// True when a keyword term reads the record's text.
    pub fn reads_raw(&self) -> bool {
        match self {
            CSearch::All | CSearch::Field { .. } => false,
            CSearch::Keyword { .. } => true,
            CSearch::And(a, b) | CSearch::Or(a, b) => a.reads_raw() || b.reads_raw(),
            CSearch::Not(a) => a.reads_raw(),
        }
    }

    /// A one-line description for `:explain`.
    pub fn describe(&self) -> String {
        match self {
            CSearch::All => "*".into(),
            CSearch::And(a, b) => format!("({} AND {})", a.describe(), b.describe()),
            CSearch::Or(a, b) => format!("({} OR {})", a.describe(), b.describe()),
            CSearch::Not(a) => format!("NOT {}", a.describe()),
            CSearch::Field {
                field,
                negated,
                text,
                ..
            } => format!(
                "{}{}{}",
                field.name,
                if *negated { "!=" } else { "=" },
                text
            ),
            CSearch::Keyword { text, .. } => format!("keyword {text:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(kw: &str, raw: &str) -> bool {
        match keyword_regex(kw) {
            None => true,
            Some(src) => Regex::new(&src).map(|r| r.is_match(raw)).unwrap_or(false),
        }
    }

    #[test]
    fn keywords_match_whole_terms() {
        assert!(hit("error", "an ERROR occurred"));
        assert!(!hit("error", "errors occurred"));
        assert!(hit("error*", "errors occurred"));
        assert!(hit("10.0.0.5", "src=10.0.0.5 dst=1.2.3.4"));
        assert!(!hit("10.0.0.5", "src=10.0.0.55"));
        assert!(hit("%ASA-6-302013", "<166>%ASA-6-302013: Built"));
        assert!(hit("*", "anything"));
        assert!(hit("failed login", "user FAILED   login"));
    }
}
