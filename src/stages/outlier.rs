//! `outlier f [by k, ...] [window=N, threshold=X, consecutive=N,
//! direction=+-|+|-]`: Sumo's moving-average outlier test over a time
//! series (one series per `by` group).
//!
//! Rows are ordered by `_timeslice` (stable; rows without one keep their
//! order, after the rest). For each row, the mean and the sample standard
//! deviation of the previous `window` numeric values of its series give:
//! `f_error` = f − mean, `f_lower` = mean − threshold·std, `f_upper` = mean +
//! threshold·std, `f_std` = std, `f_indicator` = 1 when f is outside the
//! band (only above it for `+`, only below for `-`), and `f_violation` = 1
//! when this row ends a run of at least `consecutive` indicators. With
//! fewer than two earlier values there is no band: those fields are null
//! and both flags 0. A row whose f is not numeric gets nulls and 0s and
//! does not enter the window.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::args::Args;
use super::keys::{by_clause, field_or_paren, key_of, Key};
use super::sort::cmp_dir;
use super::{HoldStage, Operator, StagePlan};
use crate::ast::{GenericStage, Tok};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::plan::expr::FieldRef;
use crate::record::{Name, Record};
use crate::value::{parse_numeric, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Direction {
    Both,
    Up,
    Down,
}

/// A checked `outlier`.
#[derive(Debug)]
pub struct OutlierStage {
    field: FieldRef,
    by: Vec<FieldRef>,
    window: usize,
    threshold: f64,
    consecutive: u64,
    direction: Direction,
    /// Output names: error, lower, upper, indicator, violation, std.
    names: [Name; 6],
}

/// Builds `outlier`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let field = field_or_paren(&mut a, "the field to test")?;
    let mut by = Vec::new();
    let (mut window, mut threshold, mut consecutive, mut direction) =
        (10usize, 3.0f64, 1u64, Direction::Both);
    while !a.is_done() {
        if a.eat_comma() {
            continue;
        }
        if a.peek()
            .is_some_and(|t| matches!(&t.kind, Tok::Word(w) if w.eq_ignore_ascii_case("by")))
        {
            by = by_clause(&mut a)?;
            continue;
        }
        let Some(t) = a.next_token() else { break };
        let Tok::KeyVal(k, v) = &t.kind else {
            return Err(QueryError::new(
                "`outlier`: expected `by`, `window=`, `threshold=`, `consecutive=` or `direction=`",
                t.span,
            ));
        };
        let num = || match &v.kind {
            Tok::Num(n) | Tok::Word(n) => parse_numeric(n).map(|n| n.as_f64()),
            _ => None,
        };
        let whole = |what: &str| match num() {
            Some(x) if x >= 1.0 && x.fract() == 0.0 && x < 1e9 => Ok(x as u64),
            _ => Err(QueryError::new(
                format!("`{what}` must be a whole number of at least 1"),
                v.span,
            )),
        };
        match k.to_ascii_lowercase().as_str() {
            "window" => window = whole("window")? as usize,
            "consecutive" => consecutive = whole("consecutive")?,
            "threshold" => match num() {
                Some(x) if x >= 0.0 && x.is_finite() => threshold = x,
                _ => {
                    return Err(QueryError::new(
                        "`threshold` must be a number of at least 0",
                        v.span,
                    ))
                }
            },
            "direction" => {
                direction = match &v.kind {
                    Tok::Word(w) if w == "+-" || w == "-+" => Direction::Both,
                    Tok::Word(w) if w == "+" => Direction::Up,
                    Tok::Word(w) if w == "-" => Direction::Down,
                    _ => {
                        return Err(QueryError::new(
                            "`direction` must be `+-`, `+` or `-`",
                            v.span,
                        ))
                    }
                }
            }
            _ => {
                return Err(
                    QueryError::new(format!("`outlier` has no option `{k}`"), t.span)
                        .with_hint("its options are window, threshold, consecutive and direction"),
                )
            }
        }
    }
    let f = field.name.clone();
    let n = |s: &str| -> Name { Arc::from(format!("{f}_{s}").as_str()) };
    let names = [
        n("error"),
        n("lower"),
        n("upper"),
        n("indicator"),
        n("violation"),
        n("std"),
    ];
    Ok(vec![StagePlan::Hold(Arc::new(OutlierStage {
        field,
        by,
        window,
        threshold,
        consecutive,
        direction,
        names,
    }))])
}

impl HoldStage for OutlierStage {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(OutlierOp {
            plan: OutlierPlan {
                field: self.field.clone(),
                by: self.by.clone(),
                window: self.window,
                threshold: self.threshold,
                consecutive: self.consecutive,
                direction: self.direction,
                names: self.names.clone(),
            },
            rows: Vec::new(),
        })
    }

    fn describe(&self) -> String {
        format!(
            "outlier {} window={} threshold={} consecutive={}",
            self.field.name, self.window, self.threshold, self.consecutive
        )
    }
}

struct OutlierPlan {
    field: FieldRef,
    by: Vec<FieldRef>,
    window: usize,
    threshold: f64,
    consecutive: u64,
    direction: Direction,
    names: [Name; 6],
}

struct OutlierOp {
    plan: OutlierPlan,
    rows: Vec<Record>,
}

#[derive(Default)]
struct Series {
    window: VecDeque<f64>,
    run: u64,
}

/// Mean and sample standard deviation.
fn mean_std(v: &VecDeque<f64>) -> Option<(f64, f64)> {
    if v.len() < 2 {
        return None;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    Some((mean, var.sqrt()))
}

impl Operator for OutlierOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        self.rows.push(rec);
    }

    fn finish(&mut self, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let ts = FieldRef::new("_timeslice", false);
        let mut rows: Vec<(Value, Record)> = self.rows.drain(..).map(|r| (ts.get(&r), r)).collect();
        rows.sort_by(|(a, _), (b, _)| cmp_dir(a, b, true));
        let p = &self.plan;
        let mut series: HashMap<Key, Series> = HashMap::new();
        for (_, mut rec) in rows {
            let s = series.entry(key_of(&p.by, &rec)).or_default();
            let x = p
                .field
                .get(&rec)
                .as_num()
                .map(|n| n.as_f64())
                .filter(|x| x.is_finite());
            let band = mean_std(&s.window);
            let (mut vals, mut indicator) =
                ([Value::Null, Value::Null, Value::Null, Value::Null], 0);
            if let (Some(x), Some((mean, std))) = (x, band) {
                let (lo, hi) = (mean - p.threshold * std, mean + p.threshold * std);
                let out_hi = x > hi;
                let out_lo = x < lo;
                indicator = i64::from(match p.direction {
                    Direction::Both => out_hi || out_lo,
                    Direction::Up => out_hi,
                    Direction::Down => out_lo,
                });
                vals = [
                    Value::Float(x - mean),
                    Value::Float(lo),
                    Value::Float(hi),
                    Value::Float(std),
                ];
            }
            s.run = if indicator == 1 { s.run + 1 } else { 0 };
            let violation = i64::from(indicator == 1 && s.run >= p.consecutive);
            if let Some(x) = x {
                s.window.push_back(x);
                if s.window.len() > p.window {
                    s.window.pop_front();
                }
            }
            let [error, lower, upper, std] = vals;
            let [n_err, n_lo, n_hi, n_ind, n_vio, n_std] = &p.names;
            rec.set(n_err, error);
            rec.set(n_lo, lower);
            rec.set(n_hi, upper);
            rec.set(n_ind, Value::Int(indicator));
            rec.set(n_vio, Value::Int(violation));
            rec.set(n_std, std);
            out.push(rec);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sample_std() {
        let v: VecDeque<f64> = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
            .into_iter()
            .collect();
        let (m, s) = mean_std(&v).unwrap_or_default();
        assert_eq!(m, 5.0);
        assert!((s - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert!(mean_std(&[1.0].into_iter().collect()).is_none());
    }
}
