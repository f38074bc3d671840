//! `transactionize`: groups records that share a value of any of the given
//! fields, transitively, into transactions (Sumo's transaction analytics).
//!
//! ```text
//! transactionize F [, G ...] [as NAME] [maxSpan=D] [maxPause=D] [maxLogs=N]
//!     [startsWith="TEXT"] [endsWith="TEXT"] [keepOrphans=true|false] [(SUBQUERY)]
//! ```
//!
//! Records are taken in `_messageTime` order (stable; records without a
//! time after the others). A record joins the open transaction that has
//! one of its values (the same value of the same field); when its values
//! lead to several open transactions, they merge. A transaction closes when
//! adding the record would break `maxSpan`, `maxPause` or `maxLogs`, when a
//! record matching `startsWith` arrives (it starts a new one), or after a
//! record matching `endsWith`. Each record gets `_group` (1, 2, ... in order
//! of the transactions' first records), `_group_duration` (ms from first to
//! last record), `_group_size` and `_group_orphaned` (false); `as NAME`
//! renames `_group` to NAME and the others to NAME_duration and so on. A
//! record with none of the fields is an orphan: kept with
//! `_group_orphaned` true and the other fields null (dropped with
//! `keepOrphans=false`). With a sub-query, it runs over each transaction's
//! records and its output rows get the transaction fields instead, and
//! the linking fields' values when they lack them (so
//! `transactionize id (merge x takeLast)` keeps `id`).

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;

use crate::ast::{GenericStage, Tok};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::exec::{Collect, Pipeline};
use crate::plan::compile::regex_at;
use crate::plan::expr::FieldRef;
use crate::plan::Plan;
use crate::record::{Name, Record};
use crate::value::Value;

use super::args::Args;
use super::durations::parse_duration;
use super::external::External;
use super::subquery::plan_paren;
use super::{HoldStage, Operator, StagePlan};

/// The checked stage.
#[derive(Clone, Debug)]
pub struct TransactionizePlan {
    fields: Vec<FieldRef>,
    names: [Name; 4],
    max_span: Option<i64>,
    max_pause: Option<i64>,
    max_logs: Option<u64>,
    starts_with: Option<Regex>,
    ends_with: Option<Regex>,
    keep_orphans: bool,
    sub: Option<Plan>,
}

/// Builds the stage.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let fields: Vec<FieldRef> = a
        .expect_field_list("a field that links the records of a transaction")?
        .into_iter()
        .map(|(n, q, _)| FieldRef::new(&n, q))
        .collect();
    let prefix = if a.eat_word("as") {
        a.expect_field("a name after `as`")?.0
    } else {
        "_group".to_string()
    };
    let names = [
        Arc::from(prefix.as_str()),
        Arc::from(format!("{prefix}_duration").as_str()),
        Arc::from(format!("{prefix}_size").as_str()),
        Arc::from(format!("{prefix}_orphaned").as_str()),
    ];
    let mut p = TransactionizePlan {
        fields,
        names,
        max_span: None,
        max_pause: None,
        max_logs: None,
        starts_with: None,
        ends_with: None,
        keep_orphans: true,
        sub: None,
    };
    while let Some(t) = a.peek() {
        match &t.kind {
            Tok::KeyVal(k, v) => {
                let value = a.slice(v.span).to_string();
                let bad = |what: &str| {
                    QueryError::new(format!("`{k}` expects {what}, found `{value}`"), v.span)
                };
                match k.to_ascii_lowercase().as_str() {
                    "maxspan" => p.max_span = Some(parse_duration(&value).ok_or_else(|| bad("a duration such as 5m"))?),
                    "maxpause" => p.max_pause = Some(parse_duration(&value).ok_or_else(|| bad("a duration such as 5m"))?),
                    "maxlogs" => {
                        p.max_logs = Some(value.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| bad("a positive count"))?)
                    }
                    "startswith" | "endswith" => {
                        let Tok::Str(s) = &v.kind else {
                            return Err(bad("text in quotes"));
                        };
                        let re = match crate::search::keyword_regex(s) {
                            Some(r) => Some(regex_at(&r, v.span)?),
                            None => None,
                        };
                        if k.eq_ignore_ascii_case("startswith") {
                            p.starts_with = re;
                        } else {
                            p.ends_with = re;
                        }
                    }
                    "keeporphans" => {
                        p.keep_orphans = match value.trim_matches('"').to_ascii_lowercase().as_str() {
                            "true" => true,
                            "false" => false,
                            _ => return Err(bad("true or false")),
                        }
                    }
                    _ => {
                        return Err(QueryError::new(
                            format!("`transactionize` has no parameter `{k}`"),
                            t.span,
                        )
                        .with_hint("its parameters are maxSpan, maxPause, maxLogs, startsWith, endsWith, keepOrphans"))
                    }
                }
                a.next_token();
            }
            Tok::Paren(_) => {
                p.sub = Some(plan_paren(t, text)?);
                a.next_token();
                break;
            }
            _ => break,
        }
    }
    a.finish()?;
    Ok(vec![StagePlan::Hold(Arc::new(p))])
}

impl HoldStage for TransactionizePlan {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(TransactionizeOp {
            plan: self.clone(),
            recs: Vec::new(),
        })
    }

    fn describe(&self) -> String {
        format!(
            "transactionize {}{}",
            self.fields
                .iter()
                .map(|f| f.name.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if self.sub.is_some() {
                " (sub-query)"
            } else {
                ""
            }
        )
    }

    fn externals(&self) -> Vec<Arc<dyn External>> {
        self.sub.iter().flat_map(|p| p.externals()).collect()
    }
}

struct TransactionizeOp {
    plan: TransactionizePlan,
    recs: Vec<Record>,
}

/// A transaction being built: its records' positions, first and last time.
#[derive(Default)]
struct Txn {
    members: Vec<usize>,
    first: Option<i64>,
    last: Option<i64>,
    keys: Vec<(usize, String)>,
    open: bool,
}

impl TransactionizeOp {
    /// Groups the records; returns the transactions (members in time
    /// order) and the orphans, both as positions into `recs`.
    fn group(&self, order: &[usize], times: &[Option<i64>]) -> (Vec<Txn>, Vec<usize>) {
        let p = &self.plan;
        let mut txns: Vec<Txn> = Vec::new();
        let mut open: HashMap<(usize, String), usize> = HashMap::new();
        let mut orphans = Vec::new();
        for &i in order {
            let rec = &self.recs[i];
            let keys: Vec<(usize, String)> = p
                .fields
                .iter()
                .enumerate()
                .filter_map(|(f, r)| r.get(rec).text().map(|t| (f, t.into_owned())))
                .filter(|(_, t)| !t.is_empty())
                .collect();
            if keys.is_empty() {
                orphans.push(i);
                continue;
            }
            let raw = rec.raw_value();
            let raw = raw.text();
            let raw = raw.as_deref().unwrap_or("");
            let mut found: Vec<usize> = keys.iter().filter_map(|k| open.get(k).copied()).collect();
            found.sort_unstable();
            found.dedup();
            let starts = p.starts_with.as_ref().is_some_and(|re| re.is_match(raw));
            let close =
                |t: usize, txns: &mut Vec<Txn>, open: &mut HashMap<(usize, String), usize>| {
                    txns[t].open = false;
                    for k in std::mem::take(&mut txns[t].keys) {
                        if open.get(&k) == Some(&t) {
                            open.remove(&k);
                        }
                    }
                };
            if starts {
                for &t in &found {
                    close(t, &mut txns, &mut open);
                }
                found.clear();
            }
            // Several open transactions share this record's values: they
            // become one (the oldest keeps the others' records).
            let target = match found.split_first() {
                Some((&keep, rest)) => {
                    for &t in rest {
                        let moved = std::mem::take(&mut txns[t]);
                        let Txn {
                            members,
                            first,
                            last,
                            keys,
                            ..
                        } = moved;
                        let k = &mut txns[keep];
                        k.members.extend(members);
                        k.first = min_opt(k.first, first);
                        k.last = max_opt(k.last, last);
                        for key in keys {
                            open.insert(key.clone(), keep);
                            k.keys.push(key);
                        }
                    }
                    Some(keep)
                }
                None => None,
            };
            let now = times[i];
            let target = target.filter(|&t| {
                let tx = &txns[t];
                let too_many = p.max_logs.is_some_and(|m| tx.members.len() as u64 >= m);
                let too_long =
                    matches!((p.max_span, tx.first, now), (Some(s), Some(f), Some(n)) if n - f > s);
                let paused =
                    matches!((p.max_pause, tx.last, now), (Some(s), Some(l), Some(n)) if n - l > s);
                !(too_many || too_long || paused)
            });
            let t = match target {
                Some(t) => t,
                None => {
                    if let Some(&old) = found.first() {
                        close(old, &mut txns, &mut open);
                    }
                    txns.push(Txn {
                        open: true,
                        ..Txn::default()
                    });
                    txns.len() - 1
                }
            };
            let tx = &mut txns[t];
            tx.members.push(i);
            tx.first = min_opt(tx.first, now);
            tx.last = max_opt(tx.last, now);
            for k in keys {
                if !tx.keys.contains(&k) {
                    tx.keys.push(k.clone());
                }
                open.insert(k, t);
            }
            if p.ends_with.as_ref().is_some_and(|re| re.is_match(raw)) {
                close(t, &mut txns, &mut open);
            }
        }
        txns.retain(|t| !t.members.is_empty());
        (txns, orphans)
    }

    fn annotate(&self, rec: &mut Record, group: Option<(i64, &Txn)>) {
        let n = &self.plan.names;
        match group {
            Some((id, t)) => {
                rec.set(&n[0], Value::Int(id));
                let dur = match (t.first, t.last) {
                    (Some(f), Some(l)) => Value::Int(l - f),
                    _ => Value::Null,
                };
                rec.set(&n[1], dur);
                rec.set(&n[2], Value::Int(t.members.len() as i64));
                rec.set(&n[3], Value::Bool(false));
            }
            None => {
                rec.set(&n[0], Value::Null);
                rec.set(&n[1], Value::Null);
                rec.set(&n[2], Value::Null);
                rec.set(&n[3], Value::Bool(true));
            }
        }
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl Operator for TransactionizeOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        self.recs.push(rec);
    }

    fn finish(&mut self, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        let times: Vec<Option<i64>> = self.recs.iter().map(Record::time_ms).collect();
        let mut order: Vec<usize> = (0..self.recs.len()).collect();
        order.sort_by_key(|&i| (times[i].is_none(), times[i].unwrap_or(0)));
        let (mut txns, orphans) = self.group(&order, &times);
        // Transactions and orphans come out in order of their first record.
        let rank: HashMap<usize, usize> = order.iter().enumerate().map(|(r, &i)| (i, r)).collect();
        for t in &mut txns {
            // Merged transactions joined two lists: back to time order.
            t.members
                .sort_by_key(|m| rank.get(m).copied().unwrap_or(usize::MAX));
        }
        let mut items: Vec<(usize, Option<usize>)> = txns
            .iter()
            .enumerate()
            .map(|(t, tx)| {
                (
                    tx.members
                        .first()
                        .and_then(|m| rank.get(m))
                        .copied()
                        .unwrap_or(0),
                    Some(t),
                )
            })
            .collect();
        if self.plan.keep_orphans {
            items.extend(
                orphans
                    .iter()
                    .map(|&o| (rank.get(&o).copied().unwrap_or(0), None)),
            );
        }
        items.sort_by_key(|(r, _)| *r);
        let mut id = 0i64;
        let mut orphan_iter = orphans.iter();
        for (_, item) in items {
            match item {
                Some(t) => {
                    id += 1;
                    let tx = &txns[t];
                    let members = tx.members.iter().filter_map(|&m| self.recs.get(m).cloned());
                    match &self.plan.sub {
                        Some(sub) => {
                            let mut pipe = Pipeline::new(sub);
                            let mut sink = Collect::default();
                            for r in members {
                                let _ = pipe.push(r, &mut sink, diag);
                            }
                            pipe.finish(&mut sink, diag);
                            for mut r in sink.rows {
                                // The sub-query's rows keep the fields
                                // that link the transaction.
                                for f in &self.plan.fields {
                                    if f.get(&r).is_null() {
                                        let v = tx
                                            .members
                                            .iter()
                                            .filter_map(|&m| self.recs.get(m))
                                            .map(|m| f.get(m))
                                            .find(|v| !v.is_null());
                                        if let Some(v) = v {
                                            r.set(&f.name, v);
                                        }
                                    }
                                }
                                self.annotate(&mut r, Some((id, tx)));
                                out.push(r);
                            }
                        }
                        None => {
                            for mut r in members {
                                self.annotate(&mut r, Some((id, tx)));
                                out.push(r);
                            }
                        }
                    }
                }
                None => {
                    if let Some(&o) = orphan_iter.next() {
                        if let Some(mut r) = self.recs.get(o).cloned() {
                            self.annotate(&mut r, None);
                            out.push(r);
                        }
                    }
                }
            }
        }
    }
}
