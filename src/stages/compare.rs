//! `compare with timeshift`: the query's aggregate for its time range next
//! to the same aggregate for earlier ranges (Sumo's Time Compare).
//!
//! ```text
//! compare [with] timeshift D [N] [avg|min|max] [as ALIAS] [, timeshift ...]
//! ```
//!
//! Offline there is no time range picked in a UI, so the data decides it:
//! the range ends at the latest `_messageTime` of the records reaching
//! `compare` (rounded up to a whole multiple of the range length, at most a
//! day, in UTC) and is as long as the smallest shift. `compare timeshift 1d`
//! over two days of logs thus compares the last day with the day before.
//! The stages before `compare` run once for that range and once for each
//! shifted range (D, 2D, ... N·D earlier); rows are matched by the
//! aggregate's group keys, with `_timeslice` moved forward by the shift.
//! Each value column `v` gets `v_1d` (`v_2d`, ... for N shifts), or
//! `v_7d_avg` for an aggregated comparison, or `v_ALIAS`. A row only the
//! past has is added with null current values. Records without a time are
//! left out, with a warning.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{GenericStage, Span, Tok};
use crate::diag::{Diagnostics, Warning};
use crate::error::QueryError;
use crate::exec::{Collect, Pipeline};
use crate::plan::Plan;
use crate::record::{Name, Record};
use crate::search::CSearch;
use crate::value::Value;

use super::args::Args;
use super::durations::{format_duration, parse_duration};
use super::external::External;
use super::{HoldStage, Operator, StagePlan};

/// How the N shifted results of one comparison are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reduce {
    /// One column per shift.
    Each,
    Avg,
    Min,
    Max,
}

/// One `timeshift` phrase.
#[derive(Clone, Debug)]
struct Shift {
    every: i64,
    count: u32,
    reduce: Reduce,
    alias: Option<String>,
}

/// The checked stage; `prefix` is filled when the planner hands it the
/// stages before it.
#[derive(Clone, Debug)]
pub struct ComparePlan {
    shifts: Vec<Shift>,
    span: Span,
    prefix: Option<Plan>,
    keys: Vec<Name>,
}

/// Builds `compare`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    a.eat_word("with");
    let mut shifts = Vec::new();
    loop {
        a.expect_word("timeshift")?;
        let every = match a.peek() {
            Some(t) => match parse_duration(a.slice(t.span)) {
                Some(d) => {
                    a.next_token();
                    d
                }
                None => return Err(a.error("a time shift such as `1d`")),
            },
            None => return Err(a.error("a time shift such as `1d`")),
        };
        let mut count = 1u32;
        if let Some(t) = a.peek() {
            if let Tok::Num(n) = &t.kind {
                count = n
                    .parse::<u32>()
                    .ok()
                    .filter(|c| (1..=1000).contains(c))
                    .ok_or_else(|| {
                        QueryError::new("expected a number of shifts from 1 to 1000", t.span)
                    })?;
                a.next_token();
            }
        }
        let reduce = if a.eat_word("avg") {
            Reduce::Avg
        } else if a.eat_word("min") {
            Reduce::Min
        } else if a.eat_word("max") {
            Reduce::Max
        } else {
            Reduce::Each
        };
        let alias = if a.eat_word("as") {
            let (n, _, span) = a.expect_field("a name after `as`")?;
            if shifts
                .iter()
                .any(|s: &Shift| s.alias.as_deref() == Some(n.as_str()))
            {
                return Err(QueryError::new(
                    format!("the name `{n}` is used twice"),
                    span,
                ));
            }
            Some(n)
        } else {
            None
        };
        shifts.push(Shift {
            every,
            count,
            reduce,
            alias,
        });
        if !a.eat_comma() {
            break;
        }
    }
    a.finish()?;
    Ok(vec![StagePlan::Hold(Arc::new(ComparePlan {
        shifts,
        span: g.name_span,
        prefix: None,
        keys: Vec::new(),
    }))])
}

impl ComparePlan {
    fn suffix(&self, s: &Shift, k: u32) -> String {
        match (&s.alias, s.reduce) {
            (Some(a), Reduce::Each) if s.count == 1 => a.clone(),
            (Some(a), Reduce::Each) => format!("{a}_{}", format_duration(s.every * k as i64)),
            (Some(a), _) => a.clone(),
            (None, Reduce::Each) => format_duration(s.every * k as i64),
            (None, r) => format!(
                "{}_{}",
                format_duration(s.every * s.count as i64),
                match r {
                    Reduce::Avg => "avg",
                    Reduce::Min => "min",
                    _ => "max",
                }
            ),
        }
    }
}

impl HoldStage for ComparePlan {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(CompareOp {
            plan: self.clone(),
            recs: Vec::new(),
        })
    }

    fn describe(&self) -> String {
        format!(
            "compare {} (re-runs the {} stage(s) before it per time range)",
            self.shifts
                .iter()
                .map(|s| format!("timeshift {} {}", format_duration(s.every), s.count))
                .collect::<Vec<_>>()
                .join(", "),
            self.prefix.as_ref().map_or(0, |p| p.stages.len())
        )
    }

    fn externals(&self) -> Vec<Arc<dyn External>> {
        self.prefix.iter().flat_map(|p| p.externals()).collect()
    }

    fn wants_previous(&self) -> bool {
        self.prefix.is_none()
    }

    fn with_previous(&self, previous: Vec<StagePlan>) -> Result<Arc<dyn HoldStage>, QueryError> {
        let agg = previous.iter().rev().find_map(|s| match s {
            StagePlan::Aggregate(a) => Some(a),
            _ => None,
        });
        let Some(agg) = agg else {
            return Err(QueryError::new(
                "`compare` must follow an aggregation such as `count by ...` or `sum(x)`",
                self.span,
            ));
        };
        let keys = agg.by.iter().map(|k| k.name.clone()).collect();
        Ok(Arc::new(ComparePlan {
            prefix: Some(Plan {
                search: CSearch::All,
                stages: previous,
            }),
            keys,
            ..self.clone()
        }))
    }
}

struct CompareOp {
    plan: ComparePlan,
    recs: Vec<Record>,
}

const DAY: i64 = 86_400_000;

impl CompareOp {
    fn run(&self, prefix: &Plan, from: i64, to: i64, diag: &mut Diagnostics) -> Vec<Record> {
        let mut pipe = Pipeline::new(prefix);
        let mut sink = Collect::default();
        for r in &self.recs {
            if r.time_ms().is_some_and(|t| t >= from && t < to) {
                let _ = pipe.push(r.clone(), &mut sink, diag);
            }
        }
        pipe.finish(&mut sink, diag);
        sink.rows
    }

    /// The key columns present in a set of rows (the aggregate's keys, or
    /// `_timeslice` after a reshaping stage).
    fn key_names(&self, rows: &[Record]) -> Vec<Name> {
        let present = |k: &Name| rows.iter().any(|r| r.fields.iter().any(|(n, _)| n == k));
        let mut keys: Vec<Name> = self
            .plan
            .keys
            .iter()
            .filter(|k| present(k))
            .cloned()
            .collect();
        let ts: Name = Arc::from("_timeslice");
        if keys.is_empty() && present(&ts) {
            keys.push(ts);
        }
        keys
    }
}

/// A row's key: the texts of its key columns.
type Key = Vec<Option<String>>;

fn key_of(r: &Record, keys: &[Name]) -> Key {
    keys.iter()
        .map(|k| r.get(k).and_then(|v| v.text().map(|t| t.into_owned())))
        .collect()
}

/// Moves a shifted row's `_timeslice` forward to line up with the present.
fn shift_row(mut r: Record, by: i64) -> Record {
    for (k, v) in r.fields.iter_mut() {
        if k.eq_ignore_ascii_case("_timeslice") {
            if let Value::Int(t) = v {
                *v = Value::Int(t.saturating_add(by));
            }
        }
    }
    r
}

impl Operator for CompareOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        self.recs.push(rec);
    }

    fn finish(&mut self, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        let Some(prefix) = self.plan.prefix.clone() else {
            return;
        };
        let untimed = self.recs.iter().filter(|r| r.time_ms().is_none()).count();
        if untimed > 0 {
            diag.warn(Warning {
                kind: "compare",
                source: String::new(),
                line: 0,
                message: format!(
                    "{untimed} record(s) without a _messageTime were left out of the comparison"
                ),
            });
        }
        let Some(latest) = self.recs.iter().filter_map(Record::time_ms).max() else {
            return;
        };
        let len = self
            .plan
            .shifts
            .iter()
            .map(|s| s.every)
            .min()
            .unwrap_or(DAY);
        let unit = len.min(DAY);
        // The smallest whole multiple of the unit after the latest time.
        let end = latest
            .div_euclid(unit)
            .saturating_add(1)
            .saturating_mul(unit);
        let start = end - len;
        let mut rows = self.run(&prefix, start, end, diag);
        let keys = self.key_names(&rows);
        let key_set: Vec<&str> = keys.iter().map(|k| &**k).collect();
        let value_cols = |r: &Record| -> Vec<Name> {
            r.fields
                .iter()
                .map(|(n, _)| n.clone())
                .filter(|n| !key_set.contains(&&**n))
                .collect()
        };
        let mut index: HashMap<Key, usize> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            index.entry(key_of(r, &keys)).or_insert(i);
        }
        let target_cols: Vec<Name> = rows.first().map(value_cols).unwrap_or_default();
        for s in &self.plan.shifts {
            // Each shifted run, its rows by key.
            let mut runs: Vec<(u32, HashMap<Key, Record>)> = Vec::new();
            for k in 1..=s.count {
                // Each shifted run holds its rows: many of them add up.
                if crate::memory::check().is_err() {
                    return;
                }
                let by = s.every.saturating_mul(k as i64);
                let past = self.run(
                    &prefix,
                    start.saturating_sub(by),
                    end.saturating_sub(by),
                    diag,
                );
                let mut m = HashMap::new();
                for r in past {
                    let r = shift_row(r, by);
                    let key = key_of(&r, &keys);
                    if !index.contains_key(&key) {
                        // A row only the past has: added, current values null.
                        let mut new = Record::default();
                        for kn in &keys {
                            new.set(kn, r.get(kn).cloned().unwrap_or(Value::Null));
                        }
                        for c in value_cols(&r) {
                            new.set(&c, Value::Null);
                        }
                        index.insert(key.clone(), rows.len());
                        rows.push(new);
                    }
                    m.entry(key).or_insert(r);
                }
                runs.push((k, m));
            }
            for row in rows.iter_mut() {
                let key = key_of(row, &keys);
                let cols: Vec<Name> = if target_cols.is_empty() {
                    value_cols(row)
                } else {
                    target_cols.clone()
                };
                match s.reduce {
                    Reduce::Each => {
                        for (k, m) in &runs {
                            let past = m.get(&key);
                            for c in &cols {
                                let v = past.and_then(|p| p.get(c)).cloned().unwrap_or(Value::Null);
                                row.set(
                                    &Arc::from(format!("{c}_{}", self.plan.suffix(s, *k)).as_str()),
                                    v,
                                );
                            }
                        }
                    }
                    r => {
                        for c in &cols {
                            let nums: Vec<f64> = runs
                                .iter()
                                .filter_map(|(_, m)| m.get(&key))
                                .filter_map(|p| p.get(c).and_then(Value::as_num))
                                .map(|n| n.as_f64())
                                .collect();
                            let v = if nums.is_empty() {
                                Value::Null
                            } else {
                                Value::Float(match r {
                                    Reduce::Avg => nums.iter().sum::<f64>() / nums.len() as f64,
                                    Reduce::Min => {
                                        nums.iter().copied().fold(f64::INFINITY, f64::min)
                                    }
                                    _ => nums.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                                })
                            };
                            row.set(
                                &Arc::from(
                                    format!("{c}_{}", self.plan.suffix(s, s.count)).as_str(),
                                ),
                                v,
                            );
                        }
                    }
                }
            }
        }
        out.extend(rows);
    }
}
