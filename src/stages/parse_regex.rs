//! `parse regex "(?<name>...)"` and its other name `extract`: named groups
//! become fields; `multi` makes one record per match; several patterns may
//! be given, comma-separated; `field=` and `nodrop`.

use std::sync::Arc;

use regex::Regex;

use super::args::Args;
use super::extract::{emit, Input};
use super::regex_gate::{Gate, Groups};
use super::{RecordStage, StagePlan};
use crate::ast::{GenericStage, Tok, Token};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::record::{Name, Record};
use crate::value::Value;

/// One regex and its named groups (group index, field name).
#[derive(Clone, Debug)]
struct RegexPattern {
    re: Regex,
    groups: Vec<(usize, Name)>,
    /// The literal every match needs, when there is one.
    gate: Option<Gate>,
}

impl RegexPattern {
    /// Sets the fields of one match; a group that did not take part is
    /// null.
    fn set_fields(&self, c: &Groups, rec: &mut Record) {
        rec.fields.reserve(self.groups.len());
        for (i, n) in &self.groups {
            let v = c.get(*i).map(Value::str).unwrap_or(Value::Null);
            rec.set(n, v);
        }
    }
}

/// A checked `parse regex` / `extract` stage.
#[derive(Clone, Debug)]
pub struct ParseRegex {
    input: Input,
    patterns: Vec<RegexPattern>,
    multi: bool,
}

/// Builds `extract ...`.
pub fn build_extract(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    build_from(Args::new(g, text))
}

/// Builds the stage from the tokens after `parse regex` (or `extract`).
pub fn build_from(mut args: Args) -> Result<Vec<StagePlan>, QueryError> {
    let mut input = Input::default();
    let mut patterns = Vec::new();
    let mut multi = None;
    while !args.is_done() {
        if input.eat_option(&mut args)? || args.eat_comma() {
            continue;
        }
        // `parse regex "a", regex "b"`: the word may be repeated.
        if args.eat_word("regex") {
            continue;
        }
        let at = args.here();
        if args.eat_word("multi") {
            multi = Some(at);
            continue;
        }
        if args.eat_word("as") {
            return Err(QueryError::new(
                "`parse regex` takes its field names from named groups, not from `as`",
                at,
            )
            .with_hint("name each group in the regex: `parse regex \"user=(?<user>\\w+)\"`"));
        }
        match args.peek() {
            Some(Token {
                kind: Tok::Str(src),
                span,
            }) => {
                let (src, span) = (src.clone(), *span);
                args.next_token();
                let translated = super::java_regex::translate(&src);
                let re = crate::plan::compile::regex_at(&translated, span)?;
                let groups: Vec<(usize, Name)> = re
                    .capture_names()
                    .enumerate()
                    .filter_map(|(i, n)| n.map(|n| (i, Arc::from(n))))
                    .collect();
                if groups.is_empty() {
                    return Err(QueryError::new(
                        "the regular expression has no named group to extract",
                        span,
                    )
                    .with_hint("name the part to extract: `(?<name>...)`"));
                }
                let gate = Gate::new(&translated);
                patterns.push(RegexPattern { re, groups, gate });
            }
            _ => {
                return Err(args.error(
                    "a regular expression in double quotes with a named group, `field=`, `multi` or `nodrop`",
                ))
            }
        }
    }
    if patterns.is_empty() {
        return Err(
            args.error("a regular expression in double quotes, such as `\"user=(?<user>\\w+)\"`")
        );
    }
    if let (Some(at), true) = (multi, patterns.len() > 1) {
        return Err(
            QueryError::new("`multi` takes a single regular expression", at)
                .with_hint("use one `parse regex ... multi` stage per pattern"),
        );
    }
    Ok(vec![StagePlan::Record(Arc::new(ParseRegex {
        input,
        patterns,
        multi: multi.is_some(),
    }))])
}

impl RecordStage for ParseRegex {
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
            .flat_map(|p| p.groups.iter().map(|(_, n)| n.to_string()))
            .collect();
        format!(
            "parse regex{} ({}) → {}",
            if self.multi { " multi" } else { "" },
            self.input.describe(),
            names.join(", ")
        )
    }
}

impl ParseRegex {
    /// Parses one record; with `nodrop` one that does not match goes on
    /// unchanged, else it is dropped.
    fn run(&self, rec: Record, nodrop: bool, out: &mut Vec<Record>) {
        let Some(text) = self.input.text(&rec) else {
            return emit(rec, None, nodrop, out);
        };
        if self.multi {
            // One record per match, in order; none matching is a no-match.
            let Some(p) = self.patterns.first() else {
                return emit(rec, None, nodrop, out);
            };
            let before = out.len();
            // A text without the literal every match needs has none.
            if p.gate.as_ref().is_none_or(|g| g.may_match(&text)) {
                for (i, c) in p.re.captures_iter(&text).enumerate() {
                    // A long text can make millions of records at once.
                    if i % 4096 == 4095 && crate::memory::check().is_err() {
                        break;
                    }
                    let mut copy = rec.clone();
                    p.set_fields(&Groups::Crate(c), &mut copy);
                    out.push(copy);
                }
            }
            if out.len() == before && nodrop {
                out.push(rec);
            }
            return;
        }
        // Each pattern matches from the start of the text on its own; the
        // record is kept when at least one matches.
        // Fields are set as patterns match: a record no pattern matches is
        // left as it was, which is what the drop rule (`emit`) passes on
        // with `nodrop`.
        let mut rec = rec;
        let mut any = false;
        for p in &self.patterns {
            let mut set = |c: &Groups| p.set_fields(c, &mut rec);
            let found = match &p.gate {
                Some(g) => g.captures(&p.re, &text, set),
                None => p.re.captures(&text).map(|c| set(&Groups::Crate(c))),
            };
            any |= found.is_some();
        }
        if any || nodrop {
            out.push(rec);
        }
    }
}
