//! `merge`: reduces all its records to one, field by field (Sumo's merge
//! operator, mostly used inside `transactionize (...)`).
//!
//! ```text
//! merge                                   // _raw joined with newlines
//! merge F [takeFirst|takeLast|takeDistinct|join with "SEP"] [as G], ...
//! ```
//!
//! Values are taken in input order and nulls are skipped: `takeFirst` is
//! the first non-null value, `takeLast` the last, `join` the texts joined
//! with SEP (a newline by default), `takeDistinct` the distinct texts in
//! first-seen order joined with newlines. The merged record has only the
//! merged fields, and `_messageTime` of its earliest record (Sumo adds that
//! time too); `_messageTime` itself may only use takeFirst or takeLast. On
//! empty input, no record comes out.

use std::sync::Arc;

use crate::ast::{GenericStage, Tok};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::plan::expr::FieldRef;
use crate::record::{Name, Record};
use crate::value::Value;

use super::args::Args;
use super::{HoldStage, Operator, StagePlan};

/// How one field is merged.
#[derive(Clone, Debug, PartialEq)]
enum Strategy {
    First,
    Last,
    Distinct,
    Join(String),
}

/// One merged field.
#[derive(Clone, Debug)]
struct MergeField {
    field: FieldRef,
    strategy: Strategy,
    out: Name,
}

/// The checked `merge`.
#[derive(Clone, Debug)]
pub struct MergePlan {
    fields: Vec<MergeField>,
}

/// `merge [F [strategy] [as G], ...]`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let mut fields = Vec::new();
    if a.is_done() {
        fields.push(MergeField {
            field: FieldRef::new("_raw", true),
            strategy: Strategy::Join("\n".into()),
            out: Arc::from("_raw"),
        });
    }
    while !a.is_done() {
        let (name, quoted, span) = a.expect_field("a field to merge")?;
        let strategy = if a.eat_word("takeFirst") {
            Strategy::First
        } else if a.eat_word("takeLast") {
            Strategy::Last
        } else if a.eat_word("takeDistinct") {
            Strategy::Distinct
        } else if a.eat_word("join") {
            if a.eat_word("with") {
                Strategy::Join(a.expect_string("a separator in quotes")?.0)
            } else {
                Strategy::Join("\n".into())
            }
        } else {
            Strategy::Join("\n".into())
        };
        if name.eq_ignore_ascii_case("_messageTime")
            && !matches!(strategy, Strategy::First | Strategy::Last)
        {
            return Err(QueryError::new(
                "`_messageTime` can only be merged with takeFirst or takeLast",
                span,
            ));
        }
        let out = if a.eat_word("as") {
            a.expect_field("a field name after `as`")?.0
        } else {
            name.clone()
        };
        fields.push(MergeField {
            field: FieldRef::new(&name, quoted),
            strategy,
            out: Arc::from(out.as_str()),
        });
        if !a.eat_comma() {
            break;
        }
    }
    if let Some(t) = a.peek() {
        if matches!(t.kind, Tok::Word(_)) {
            return Err(a.error(
                "`,`, a strategy (takeFirst, takeLast, takeDistinct, join with \"SEP\") or `as`",
            ));
        }
    }
    a.finish()?;
    Ok(vec![StagePlan::Hold(Arc::new(MergePlan { fields }))])
}

impl MergePlan {
    /// Merges records (in the order given) into one; `None` for none.
    pub fn merge(&self, recs: &[Record]) -> Option<Record> {
        let first = recs.first()?;
        let mut out = Record {
            origin: first.origin.clone(),
            meta: first.meta.clone(),
            ..Record::default()
        };
        out.message_time = recs.iter().filter_map(Record::time_ms).min();
        for f in &self.fields {
            let mut values = recs.iter().map(|r| f.field.get(r)).filter(|v| !v.is_null());
            let v = match &f.strategy {
                Strategy::First => values.next().unwrap_or(Value::Null),
                Strategy::Last => values.next_back().unwrap_or(Value::Null),
                Strategy::Join(sep) => {
                    let texts: Vec<String> = values
                        .filter_map(|v| v.text().map(|t| t.into_owned()))
                        .collect();
                    if texts.is_empty() {
                        Value::Null
                    } else {
                        Value::from(texts.join(sep))
                    }
                }
                Strategy::Distinct => {
                    let mut seen: Vec<String> = Vec::new();
                    for t in values.filter_map(|v| v.text().map(|t| t.into_owned())) {
                        if !seen.contains(&t) {
                            seen.push(t);
                        }
                    }
                    if seen.is_empty() {
                        Value::Null
                    } else {
                        Value::from(seen.join("\n"))
                    }
                }
            };
            if &*f.out == "_messageTime" {
                out.message_time = crate::time::time_from_value(&v).or(out.message_time);
            } else {
                out.set(&f.out, v);
            }
        }
        Some(out)
    }
}

impl HoldStage for MergePlan {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(MergeOp {
            plan: self.clone(),
            recs: Vec::new(),
        })
    }

    fn describe(&self) -> String {
        format!(
            "merge {}",
            self.fields
                .iter()
                .map(|f| f.out.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

struct MergeOp {
    plan: MergePlan,
    recs: Vec<Record>,
}

impl Operator for MergeOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        self.recs.push(rec);
    }

    fn finish(&mut self, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        if let Some(r) = self.plan.merge(&self.recs) {
            out.push(r);
        }
    }
}
