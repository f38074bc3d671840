//! `fillmissing GEN[, GEN ...] [with V for f[, V for f ...]] [takeLast]`:
//! adds a row for every combination of key values the generators enumerate
//! that the data lacks (Sumo's fillmissing).
//!
//! Generators: `timeslice[(D)] [in f]` (every slice of length D between the
//! smallest and largest slice in the rows: offline there is no query time
//! range, so the data's range stands for it), `values("a", ...) in f`, and
//! `values all in f` (the distinct values in the rows). Without D, the
//! length of the `timeslice` stage before this one is used, else the
//! greatest common gap between the slices in the rows.
//!
//! Filled rows come after the input rows, in the generators' order (the
//! first generator varies slowest). Their non-key fields are the `with`
//! constant, or the previous slice's value under `takeLast`, or by the
//! field's type in the data: 0 for ints, 0.0 for floats, false for
//! booleans, null otherwise.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::args::Args;
use super::keys::{text_of, Key};
use super::timeslice::{duration_ms, slice_spec, SliceSpec};
use super::{HoldStage, Operator, StagePlan};
use crate::ast::{GenericStage, StageKind, Tok, Token};
use crate::diag::{Diagnostics, Warning};
use crate::error::QueryError;
use crate::plan::expr::FieldRef;
use crate::record::{Name, Record};
use crate::time::floor_to;
use crate::value::{parse_numeric, Value};

/// Sumo's cap on generated combinations.
const MAX_COMBINATIONS: usize = 10_000;

#[derive(Clone, Debug)]
enum Gen {
    /// Slices of a length (None: learn it from the data).
    Timeslice(Option<i64>),
    /// Fixed values.
    Values(Vec<String>),
    /// The distinct values in the rows.
    All,
}

/// A checked `fillmissing`.
#[derive(Debug)]
pub struct FillMissingStage {
    gens: Vec<(Gen, FieldRef)>,
    with: Vec<(Name, Value)>,
    take_last: bool,
}

/// Builds `fillmissing`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let mut gens = Vec::new();
    loop {
        gens.push(generator(&mut a, g, text)?);
        if !a.eat_comma() {
            break;
        }
    }
    let mut with = Vec::new();
    if a.eat_word("with") {
        loop {
            let v = constant(&mut a)?;
            a.expect_word("for")?;
            let (n, _, _) = a.expect_field("a field name after `for`")?;
            with.push((Arc::from(n.as_str()), v));
            if !a.eat_comma() {
                break;
            }
        }
    }
    let take_last = a.eat_word("takelast");
    a.finish()?;
    if take_last && !gens.iter().any(|(g, _)| matches!(g, Gen::Timeslice(_))) {
        return Err(QueryError::new(
            "`fillmissing ... takeLast` needs a `timeslice` generator",
            g.name_span,
        ));
    }
    Ok(vec![StagePlan::Hold(Arc::new(FillMissingStage {
        gens,
        with,
        take_last,
    }))])
}

fn generator(a: &mut Args, g: &GenericStage, text: &str) -> Result<(Gen, FieldRef), QueryError> {
    const WHAT: &str =
        "a generator: `timeslice[(D)]`, `values(\"a\", ...) in FIELD` or `values all in FIELD`";
    let tok = a.next_token().ok_or_else(|| a.error(WHAT))?;
    let gen = match &tok.kind {
        Tok::Word(w) if w.eq_ignore_ascii_case("timeslice") => {
            Gen::Timeslice(previous_timeslice(g, text))
        }
        Tok::Call(name, args) if name.eq_ignore_ascii_case("timeslice") => match args.as_slice() {
            [Token {
                kind: Tok::Num(n),
                span,
            }] => Gen::Timeslice(Some(duration_ms(n, *span)?)),
            _ => {
                return Err(QueryError::new(
                    "`timeslice(...)` takes one slice length such as `15m`",
                    tok.span,
                ))
            }
        },
        Tok::Word(w) if w.eq_ignore_ascii_case("values") => {
            a.expect_word("all")?;
            Gen::All
        }
        Tok::Call(name, args) if name.eq_ignore_ascii_case("values") => {
            let mut vals = Vec::new();
            for t in args {
                match &t.kind {
                    Tok::Str(s) => vals.push(s.clone()),
                    Tok::Comma => {}
                    _ => {
                        return Err(QueryError::new(
                            "`values(...)` takes string literals only",
                            t.span,
                        ))
                    }
                }
            }
            Gen::Values(vals)
        }
        _ => {
            return Err(QueryError::new(
                format!("`fillmissing`: expected {WHAT}"),
                tok.span,
            ))
        }
    };
    let field = if a.eat_word("in") {
        let (n, quoted, _) = a.expect_field("a field name after `in`")?;
        FieldRef::new(&n, quoted)
    } else if matches!(gen, Gen::Timeslice(_)) {
        FieldRef::new("_timeslice", false)
    } else {
        return Err(a.error("`in FIELD`"));
    };
    Ok((gen, field))
}

/// The fixed slice length of the last `timeslice` stage before this one in
/// the query, if there is one.
fn previous_timeslice(g: &GenericStage, text: &str) -> Option<i64> {
    let q = crate::parser::parse_query(text).ok()?;
    q.stages
        .iter()
        .filter(|s| s.span.end <= g.name_span.start)
        .filter_map(|s| match &s.kind {
            StageKind::Generic(t) if t.name.eq_ignore_ascii_case("timeslice") => {
                let mut a = Args::new(t, text);
                a.eat_word("by");
                match slice_spec(&mut a).ok()? {
                    SliceSpec::Fixed(ms) => Some(ms),
                    SliceSpec::Buckets(_) => None,
                }
            }
            _ => None,
        })
        .next_back()
}

fn constant(a: &mut Args) -> Result<Value, QueryError> {
    const WHAT: &str = "a constant (a number, a string or `null`)";
    let v = match a.peek().map(|t| &t.kind) {
        Some(Tok::Str(s)) => Value::str(s),
        Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => Value::Null,
        Some(Tok::Word(w) | Tok::Num(w)) => match parse_numeric(w) {
            Some(n) => n.into_value(),
            None => return Err(a.error(WHAT)),
        },
        _ => return Err(a.error(WHAT)),
    };
    a.next_token();
    Ok(v)
}

impl HoldStage for FillMissingStage {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(FillOp {
            gens: self.gens.clone(),
            with: self.with.clone(),
            take_last: self.take_last,
            rows: Vec::new(),
        })
    }

    fn describe(&self) -> String {
        let g: Vec<String> = self
            .gens
            .iter()
            .map(|(g, f)| match g {
                Gen::Timeslice(Some(ms)) => format!("timeslice({ms}ms) in {}", f.name),
                Gen::Timeslice(None) => format!("timeslice in {}", f.name),
                Gen::Values(v) => format!("values({}) in {}", v.join(", "), f.name),
                Gen::All => format!("values all in {}", f.name),
            })
            .collect();
        format!("fillmissing {}", g.join(", "))
    }
}

struct FillOp {
    gens: Vec<(Gen, FieldRef)>,
    with: Vec<(Name, Value)>,
    take_last: bool,
    rows: Vec<Record>,
}

impl FillOp {
    /// The values one generator enumerates, from the rows.
    fn enumerate(&self, gen: &Gen, field: &FieldRef) -> Vec<Value> {
        match gen {
            Gen::Values(v) => v.iter().map(|s| Value::str(s)).collect(),
            Gen::All => {
                let mut seen = HashSet::new();
                let mut out = Vec::new();
                for r in &self.rows {
                    let v = field.get(r);
                    if let Some(t) = text_of(&v) {
                        if seen.insert(t) {
                            out.push(v);
                        }
                    }
                }
                out
            }
            Gen::Timeslice(len) => {
                let mut times: Vec<i64> = self
                    .rows
                    .iter()
                    .filter_map(|r| field.get(r).as_num())
                    .map(|n| n.as_f64())
                    .filter(|f| f.is_finite())
                    .map(|f| f as i64)
                    .collect();
                times.sort_unstable();
                times.dedup();
                let (Some(&lo), Some(&hi)) = (times.first(), times.last()) else {
                    return Vec::new();
                };
                let len = len.unwrap_or_else(|| common_gap(&times));
                if len <= 0 {
                    return times.into_iter().map(Value::Int).collect();
                }
                let mut out = Vec::new();
                let mut t = floor_to(lo, len);
                while t <= hi && out.len() <= MAX_COMBINATIONS {
                    out.push(Value::Int(t));
                    t = match t.checked_add(len) {
                        Some(n) => n,
                        None => break,
                    };
                }
                out
            }
        }
    }

    /// The default of a non-key field, by the type of its values in the data.
    fn default_for(&self, name: &Name) -> Value {
        if let Some((_, v)) = self.with.iter().find(|(n, _)| n == name) {
            return v.clone();
        }
        let first = self
            .rows
            .iter()
            .filter_map(|r| r.fields.iter().find(|(n, _)| n == name))
            .map(|(_, v)| v)
            .find(|v| !v.is_null());
        match first {
            Some(Value::Int(_)) => Value::Int(0),
            Some(Value::Float(_)) => Value::Float(0.0),
            Some(Value::Bool(_)) => Value::Bool(false),
            _ => Value::Null,
        }
    }
}

/// The greatest common divisor of the gaps between sorted distinct times.
fn common_gap(times: &[i64]) -> i64 {
    fn gcd(a: i64, b: i64) -> i64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    times
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]))
        .fold(0, gcd)
}

impl Operator for FillOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        self.rows.push(rec);
    }

    fn finish(&mut self, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        let fields: Vec<FieldRef> = self.gens.iter().map(|(_, f)| f.clone()).collect();
        let lists: Vec<Vec<Value>> = self
            .gens
            .iter()
            .map(|(g, f)| self.enumerate(g, f))
            .collect();
        // Every visible field name of the rows, in first-appearance order,
        // keys included, so filled rows have the rows' layout.
        let mut layout: Vec<Name> = Vec::new();
        for r in &self.rows {
            for (n, _) in &r.fields {
                if !layout.contains(n) {
                    layout.push(n.clone());
                }
            }
        }
        for f in &fields {
            if !layout.contains(&f.name) {
                layout.push(f.name.clone());
            }
        }
        let is_key = |n: &Name| fields.iter().any(|f| f.name == *n);
        let defaults: Vec<(Name, Value)> = layout
            .iter()
            .filter(|n| !is_key(n))
            .map(|n| (n.clone(), self.default_for(n)))
            .collect();
        let mut present: HashMap<Key, usize> = HashMap::new();
        for (i, r) in self.rows.iter().enumerate() {
            present.insert(super::keys::key_of(&fields, r), i);
        }
        let ts_pos = self
            .gens
            .iter()
            .position(|(g, _)| matches!(g, Gen::Timeslice(_)));
        let total: usize = lists.iter().map(|l| l.len()).product();
        if total > MAX_COMBINATIONS {
            diag.warn(Warning {
                kind: "fillmissing limit",
                source: String::new(),
                line: 0,
                message: format!(
                    "fillmissing enumerates {total} combinations; only the first {MAX_COMBINATIONS} are filled"
                ),
            });
        }
        let mut filled: Vec<Record> = Vec::new();
        // takeLast reads the latest earlier slice with the same other keys,
        // so combinations are visited with the slice varying fastest.
        let mut order: Vec<usize> = (0..lists.len()).collect();
        if let (true, Some(p)) = (self.take_last, ts_pos) {
            order.retain(|&i| i != p);
            order.push(p);
        }
        let mut last_seen: HashMap<Key, usize> = HashMap::new();
        let mut idx = vec![0usize; lists.len()];
        let mut made = 0;
        if lists.iter().all(|l| !l.is_empty()) {
            'outer: loop {
                if made >= MAX_COMBINATIONS {
                    break;
                }
                made += 1;
                let combo: Vec<&Value> = idx
                    .iter()
                    .enumerate()
                    .filter_map(|(g, &i)| lists.get(g).and_then(|l| l.get(i)))
                    .collect();
                let key: Key = combo.iter().map(|v| text_of(v)).collect();
                let others: Key = key
                    .iter()
                    .enumerate()
                    .filter(|(g, _)| Some(*g) != ts_pos)
                    .map(|(_, k)| k.clone())
                    .collect();
                match present.get(&key) {
                    Some(&i) => {
                        last_seen.insert(others, i);
                    }
                    None => {
                        let prev = if self.take_last {
                            last_seen.get(&others).copied()
                        } else {
                            None
                        };
                        let mut rec = Record::default();
                        for n in &layout {
                            let v = match fields.iter().position(|f| f.name == *n) {
                                Some(g) => combo.get(g).map(|v| (*v).clone()).unwrap_or_default(),
                                None => {
                                    let from_prev = prev.and_then(|p| {
                                        let r = if p < self.rows.len() {
                                            self.rows.get(p)
                                        } else {
                                            filled.get(p - self.rows.len())
                                        };
                                        r.and_then(|r| r.get(n).cloned())
                                    });
                                    match from_prev {
                                        Some(v) => v,
                                        None => defaults
                                            .iter()
                                            .find(|(d, _)| d == n)
                                            .map(|(_, v)| v.clone())
                                            .unwrap_or_default(),
                                    }
                                }
                            };
                            rec.fields.push((n.clone(), v));
                        }
                        last_seen.insert(others, self.rows.len() + filled.len());
                        filled.push(rec);
                    }
                }
                // Advance the odometer: the last entry of `order` is fastest.
                for &g in order.iter().rev() {
                    if let (Some(i), Some(l)) = (idx.get_mut(g), lists.get(g)) {
                        *i += 1;
                        if *i < l.len() {
                            continue 'outer;
                        }
                        *i = 0;
                    }
                }
                break;
            }
        }
        if self.take_last {
            // Give the filled rows back in the generators' order.
            filled.sort_by_cached_key(|r| {
                let k: Vec<usize> = fields
                    .iter()
                    .zip(&lists)
                    .map(|(f, l)| {
                        let t = text_of(&f.get(r));
                        l.iter().position(|v| text_of(v) == t).unwrap_or(usize::MAX)
                    })
                    .collect();
                k
            });
        }
        out.append(&mut self.rows);
        out.append(&mut filled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_is_gcd() {
        assert_eq!(common_gap(&[0, 300, 900, 1500]), 300);
        assert_eq!(common_gap(&[5]), 0);
    }
}
