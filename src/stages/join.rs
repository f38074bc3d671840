//! `join`: Sumo's join of sub-queries over the same records.
//!
//! ```text
//! join (SUBQUERY) as t1, (SUBQUERY) as t2 [, ...] on t1.a = t2.b [and ...] [timewindow D]
//! ```
//!
//! Every record goes into every sub-query; each sub-query's output rows
//! form a table. A row is joined as soon as it arrives (as Sumo admits
//! results on the fly) with the rows already in the other tables whose
//! keys are equal: one output row per combination, holding each table's
//! fields as `ALIAS_FIELD` and each row's time as `ALIAS__messagetime`.
//! Keys compare by their text, case-sensitively; a null key never joins.
//! `timewindow D` joins only rows at most D apart in `_messageTime` (rows
//! without a time, such as aggregate rows, are not limited).

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{GenericStage, Span, Tok};
use crate::diag::Diagnostics;
use crate::error::{did_you_mean, QueryError};
use crate::exec::{Collect, Pipeline};
use crate::plan::expr::FieldRef;
use crate::plan::Plan;
use crate::record::Record;
use crate::value::Value;

use super::args::Args;
use super::durations::parse_duration;
use super::external::External;
use super::subquery::plan_paren;
use super::{HoldStage, Operator, StagePlan};

/// One side of a condition: a table and one of its fields.
#[derive(Clone, Debug)]
struct Side {
    table: usize,
    field: FieldRef,
}

/// The checked join.
#[derive(Clone, Debug)]
pub struct JoinPlan {
    aliases: Vec<String>,
    plans: Vec<Plan>,
    conds: Vec<(Side, Side)>,
    window: Option<i64>,
}

/// `join (q1) as t1, (q2) as t2 on t1.a = t2.b [and ...] [timewindow D]`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let mut aliases: Vec<String> = Vec::new();
    let mut plans = Vec::new();
    loop {
        let tok = match a.peek() {
            Some(t) if matches!(t.kind, Tok::Paren(_)) => t,
            _ => return Err(a.error("a sub-query in parentheses")),
        };
        a.next_token();
        let plan = plan_paren(tok, text)?;
        a.expect_word("as")?;
        let (alias, _, span) = a.expect_field("a table name after `as`")?;
        if alias.contains('.') {
            return Err(QueryError::new("a table name cannot contain `.`", span));
        }
        if aliases.iter().any(|x| x.eq_ignore_ascii_case(&alias)) {
            return Err(QueryError::new(
                format!("the table name `{alias}` is used twice"),
                span,
            ));
        }
        aliases.push(alias);
        plans.push(plan);
        if !a.eat_comma() {
            break;
        }
    }
    if aliases.len() < 2 {
        return Err(a.error("`,` and a second sub-query (a join needs two or more tables)"));
    }
    a.expect_word("on")?;
    let mut conds = Vec::new();
    loop {
        let t = a.peek();
        let (left, right, span) = match t.map(|t| (&t.kind, t.span)) {
            Some((Tok::KeyVal(k, v), span)) => match &v.kind {
                Tok::Word(w) => (k.clone(), w.clone(), span),
                _ => return Err(a.error("a condition such as `t1.a = t2.b`")),
            },
            _ => return Err(a.error("a condition such as `t1.a = t2.b`")),
        };
        a.next_token();
        let l = side(&left, &aliases, span)?;
        let r = side(&right, &aliases, span)?;
        if l.table == r.table {
            return Err(QueryError::new(
                "a join condition compares fields of two different tables",
                span,
            ));
        }
        conds.push((l, r));
        if !(a.eat_word("and") || a.eat_comma()) {
            break;
        }
    }
    let mut window = None;
    if a.eat_word("timewindow") {
        let (d, span) = match a.next_token() {
            Some(t) => (a.slice(t.span).to_string(), t.span),
            None => return Err(a.error("a duration such as `10m`")),
        };
        window = Some(parse_duration(&d).ok_or_else(|| {
            QueryError::new(
                format!("expected a duration such as `10m`, found `{d}`"),
                span,
            )
        })?);
    }
    a.finish()?;
    Ok(vec![StagePlan::Hold(Arc::new(JoinPlan {
        aliases,
        plans,
        conds,
        window,
    }))])
}

/// `alias.field` → a side; the alias must be one of the tables.
fn side(text: &str, aliases: &[String], span: Span) -> Result<Side, QueryError> {
    let Some((alias, field)) = text.split_once('.') else {
        return Err(QueryError::new(
            format!("expected `table.field`, found `{text}`"),
            span,
        ));
    };
    let Some(table) = aliases.iter().position(|a| a.eq_ignore_ascii_case(alias)) else {
        let mut e = QueryError::new(format!("no sub-query is named `{alias}`"), span);
        if let Some(h) = did_you_mean(alias, aliases.iter().map(String::as_str)) {
            e = e.with_hint(h);
        }
        return Err(e);
    };
    Ok(Side {
        table,
        field: FieldRef::new(field, false),
    })
}

impl HoldStage for JoinPlan {
    fn operator(&self) -> Box<dyn Operator> {
        let n = self.plans.len();
        Box::new(JoinOp {
            plan: self.clone(),
            pipes: self.plans.iter().map(Pipeline::new).collect(),
            rows: vec![Vec::new(); n],
            index: vec![HashMap::new(); self.conds.len() * 2],
        })
    }

    fn describe(&self) -> String {
        format!(
            "join {} on {} condition(s){}",
            self.aliases.join(", "),
            self.conds.len(),
            match self.window {
                Some(w) => format!(" within {w} ms"),
                None => String::new(),
            }
        )
    }

    fn externals(&self) -> Vec<Arc<dyn External>> {
        self.plans.iter().flat_map(|p| p.externals()).collect()
    }
}

/// A row of one table, with its key texts per condition side.
#[derive(Clone, Debug)]
struct Row {
    rec: Record,
    time: Option<i64>,
}

/// One run of a join.
struct JoinOp {
    plan: JoinPlan,
    pipes: Vec<Pipeline>,
    rows: Vec<Vec<Row>>,
    /// Per condition and side (2c = left, 2c+1 = right): key text → rows
    /// of that side's table, in arrival order.
    index: Vec<HashMap<String, Vec<usize>>>,
}

fn key(v: Value) -> Option<String> {
    v.text().map(|t| t.into_owned())
}

impl JoinOp {
    /// Stores a new row of table `t` and emits its joins.
    fn add(&mut self, t: usize, rec: Record, out: &mut Vec<Record>) {
        let time = rec.time_ms();
        let j = self.rows[t].len();
        for (c, (l, r)) in self.plan.conds.iter().enumerate() {
            for (s, sd) in [(0, l), (1, r)] {
                if sd.table == t {
                    if let Some(k) = key(sd.field.get(&rec)) {
                        self.index[2 * c + s].entry(k).or_default().push(j);
                    }
                }
            }
        }
        self.rows[t].push(Row { rec, time });
        let mut bound = vec![None; self.plan.plans.len()];
        bound[t] = Some(j);
        self.extend(&mut bound, out);
    }

    /// Binds the next unbound table to each fitting row, recursively.
    fn extend(&self, bound: &mut Vec<Option<usize>>, out: &mut Vec<Record>) {
        let Some(t) = bound.iter().position(Option::is_none) else {
            out.push(self.emit(bound));
            return;
        };
        // Candidates from an index when a condition links t to a bound
        // table; every row of t otherwise (a cross join).
        let mut candidates: Option<Vec<usize>> = None;
        for (c, (l, r)) in self.plan.conds.iter().enumerate() {
            let (other, s) = if l.table == t {
                (r, 0)
            } else if r.table == t {
                (l, 1)
            } else {
                continue;
            };
            if let Some(Some(o)) = bound.get(other.table) {
                let k = self.rows[other.table]
                    .get(*o)
                    .and_then(|row| key(other.field.get(&row.rec)));
                candidates = Some(
                    k.and_then(|k| self.index[2 * c + s].get(&k).cloned())
                        .unwrap_or_default(),
                );
                break;
            }
        }
        let candidates = candidates.unwrap_or_else(|| (0..self.rows[t].len()).collect());
        for cand in candidates {
            bound[t] = Some(cand);
            if self.fits(t, bound) {
                self.extend(bound, out);
            }
        }
        bound[t] = None;
    }

    /// True when table t's bound row meets every condition and the time
    /// window with the other bound rows.
    fn fits(&self, t: usize, bound: &[Option<usize>]) -> bool {
        let row = |table: usize| bound[table].and_then(|i| self.rows[table].get(i));
        let Some(me) = row(t) else {
            return false;
        };
        for (l, r) in &self.plan.conds {
            if l.table != t && r.table != t {
                continue;
            }
            let (Some(a), Some(b)) = (row(l.table), row(r.table)) else {
                continue;
            };
            match (key(l.field.get(&a.rec)), key(r.field.get(&b.rec))) {
                (Some(x), Some(y)) if x == y => {}
                _ => return false,
            }
        }
        if let (Some(w), Some(tm)) = (self.plan.window, me.time) {
            for (i, b) in bound.iter().enumerate() {
                if i == t || b.is_none() {
                    continue;
                }
                if let Some(ot) = row(i).and_then(|r| r.time) {
                    if tm.abs_diff(ot) > w.unsigned_abs() {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// The output row of one combination.
    fn emit(&self, bound: &[Option<usize>]) -> Record {
        let mut out = Record::default();
        let mut latest: Option<i64> = None;
        for (t, b) in bound.iter().enumerate() {
            let Some(row) = b.and_then(|i| self.rows[t].get(i)) else {
                continue;
            };
            let alias = &self.plan.aliases[t];
            for (k, v) in &row.rec.fields {
                out.set(&Arc::from(format!("{alias}_{k}").as_str()), v.clone());
            }
            if let Some(tm) = row.time {
                out.set(
                    &Arc::from(format!("{alias}__messagetime").as_str()),
                    Value::Int(tm),
                );
                latest = Some(latest.map_or(tm, |l| l.max(tm)));
            }
            if out.origin.source.is_empty() {
                out.origin = row.rec.origin.clone();
            }
        }
        // The joined row happened when its last part did.
        out.message_time = latest;
        out
    }

    fn take(&mut self, t: usize, rows: Vec<Record>, out: &mut Vec<Record>) {
        for r in rows {
            self.add(t, r, out);
        }
    }
}

impl Operator for JoinOp {
    fn push(&mut self, rec: Record, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        for t in 0..self.pipes.len() {
            let mut sink = Collect::default();
            let _ = self.pipes[t].push(rec.clone(), &mut sink, diag);
            self.take(t, sink.rows, out);
        }
    }

    fn finish(&mut self, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        for t in 0..self.pipes.len() {
            let mut sink = Collect::default();
            self.pipes[t].finish(&mut sink, diag);
            self.take(t, sink.rows, out);
        }
    }
}
