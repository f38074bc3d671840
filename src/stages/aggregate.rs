//! Aggregation (SPEC §5): one state per group, groups keyed by the text of
//! their key values (null is its own key), emitted in order of first
//! appearance; without `by`, exactly one row.

use std::collections::{HashMap, HashSet};

use super::Operator;
use crate::diag::{Diagnostics, Warning};
use crate::plan::expr::{CExpr, FieldRef};
use crate::record::{Name, Record};
use crate::value::{arith, cmp_num, ArithOp, Num, Value};

/// The aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AggFunc {
    /// `count`: records.
    Count,
    /// `count(f)`: non-null values.
    CountOf,
    /// `count_distinct(f)`: distinct texts, null ignored.
    CountDistinct,
    /// `sum(f)`.
    Sum,
    /// `avg(f)`.
    Avg,
    /// `min(f)`.
    Min,
    /// `max(f)`.
    Max,
    /// `stddev(f)`: sample standard deviation.
    Stddev,
    /// `pct(f, p)`.
    Pct(f64),
    /// `first(f)`.
    First,
    /// `last(f)`.
    Last,
    /// `values(f)`: the distinct texts, sorted, one per line.
    Values,
    /// `most_recent(f)`: the value of the latest record (by time).
    MostRecent,
    /// `least_recent(f)`: the value of the earliest record (by time).
    LeastRecent,
}

/// Sumo returns at most this many distinct values from `values(f)`.
const MAX_VALUES: usize = 100;

/// One aggregate of a stage.
#[derive(Clone, Debug)]
pub struct AggSpec {
    /// Which function.
    pub func: AggFunc,
    /// Its argument (none for `count`).
    pub arg: Option<CExpr>,
    /// The output column.
    pub out: Name,
}

/// A checked aggregation.
#[derive(Clone, Debug)]
pub struct AggPlan {
    /// The aggregates in query order.
    pub aggs: Vec<AggSpec>,
    /// The group keys in query order.
    pub by: Vec<FieldRef>,
}

impl AggPlan {
    /// Output columns: keys, then aggregates.
    pub fn columns(&self) -> Vec<Name> {
        self.by
            .iter()
            .map(|k| k.name.clone())
            .chain(self.aggs.iter().map(|a| a.out.clone()))
            .collect()
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        let aggs: Vec<String> = self.aggs.iter().map(|a| a.out.to_string()).collect();
        let by: Vec<String> = self.by.iter().map(|k| k.name.to_string()).collect();
        if by.is_empty() {
            format!("aggregate {}", aggs.join(", "))
        } else {
            format!("aggregate {} by {}", aggs.join(", "), by.join(", "))
        }
    }
}

/// The state of one aggregate in one group.
#[derive(Clone, Debug)]
enum State {
    Count(u64),
    Distinct(HashSet<String>),
    Sum(Option<Value>),
    Avg(f64, u64),
    Extreme {
        num: Option<(Num, Value)>,
        text: Option<(String, Value)>,
        all_numeric: bool,
    },
    Stddev {
        n: u64,
        mean: f64,
        m2: f64,
    },
    Values(Vec<f64>),
    Pick(Option<Value>),
    /// `values`: distinct texts in first-appearance order.
    Texts(Vec<String>, HashSet<String>),
    /// `most_recent`/`least_recent`: the best (time, value) so far.
    Timed(Option<(i64, Value)>),
}

impl State {
    fn new(f: AggFunc) -> State {
        match f {
            AggFunc::Count | AggFunc::CountOf => State::Count(0),
            AggFunc::CountDistinct => State::Distinct(HashSet::new()),
            AggFunc::Sum => State::Sum(None),
            AggFunc::Avg => State::Avg(0.0, 0),
            AggFunc::Min | AggFunc::Max => State::Extreme {
                num: None,
                text: None,
                all_numeric: true,
            },
            AggFunc::Stddev => State::Stddev {
                n: 0,
                mean: 0.0,
                m2: 0.0,
            },
            AggFunc::Pct(_) => State::Values(Vec::new()),
            AggFunc::First | AggFunc::Last => State::Pick(None),
            AggFunc::Values => State::Texts(Vec::new(), HashSet::new()),
            AggFunc::MostRecent | AggFunc::LeastRecent => State::Timed(None),
        }
    }

    /// Adds a value; returns false when the value had to be skipped as
    /// non-numeric.
    fn add(&mut self, f: AggFunc, v: Option<Value>) -> bool {
        let v = match (f, v) {
            (AggFunc::Count, _) => {
                if let State::Count(n) = self {
                    *n += 1;
                }
                return true;
            }
            (_, None) | (_, Some(Value::Null)) => return true,
            (_, Some(v)) => v,
        };
        match self {
            State::Count(n) => *n += 1,
            State::Distinct(set) => {
                if let Some(t) = v.text() {
                    if !set.contains(t.as_ref()) {
                        set.insert(t.into_owned());
                    }
                }
            }
            State::Sum(acc) => match v.as_num() {
                Some(n) => {
                    let x = n.into_value();
                    *acc = Some(match acc.take() {
                        None => x,
                        Some(a) => arith(ArithOp::Add, &a, &x),
                    });
                }
                None => return false,
            },
            State::Avg(sum, n) => match v.as_num() {
                Some(x) => {
                    *sum += x.as_f64();
                    *n += 1;
                }
                None => return false,
            },
            State::Stddev { n, mean, m2 } => match v.as_num() {
                Some(x) => {
                    // Welford's update keeps the variance accurate on long runs.
                    let x = x.as_f64();
                    *n += 1;
                    let d = x - *mean;
                    *mean += d / *n as f64;
                    *m2 += d * (x - *mean);
                }
                None => return false,
            },
            State::Values(vals) => match v.as_num() {
                Some(x) => vals.push(x.as_f64()),
                None => return false,
            },
            State::Extreme {
                num,
                text,
                all_numeric,
            } => {
                let want_less = f == AggFunc::Min;
                let better = |o: std::cmp::Ordering| {
                    if want_less {
                        o == std::cmp::Ordering::Less
                    } else {
                        o == std::cmp::Ordering::Greater
                    }
                };
                match v.as_num() {
                    Some(n) if !n.as_f64().is_nan() => {
                        let replace = match num {
                            None => true,
                            Some((cur, _)) => cmp_num(n, *cur).is_some_and(better),
                        };
                        if replace {
                            *num = Some((n, v.clone()));
                        }
                    }
                    _ => *all_numeric = false,
                }
                if let Some(t) = v.text() {
                    let replace = match text {
                        None => true,
                        Some((cur, _)) => better(t.as_ref().cmp(cur.as_str())),
                    };
                    if replace {
                        *text = Some((t.into_owned(), v.clone()));
                    }
                }
            }
            State::Pick(cur) => {
                if f == AggFunc::Last || cur.is_none() {
                    *cur = Some(v);
                }
            }
            State::Texts(list, seen) => {
                if let Some(t) = v.text() {
                    if list.len() < MAX_VALUES && !seen.contains(t.as_ref()) {
                        seen.insert(t.to_string());
                        list.push(t.into_owned());
                    }
                }
            }
            // Timed values come through `add_timed`.
            State::Timed(_) => {}
        }
        true
    }

    /// Adds a value seen at a time (`most_recent`, `least_recent`). A
    /// `withtime` object brings its own time; otherwise the record's time
    /// is used. Values without a time cannot be ranked and are skipped. On
    /// equal times the later record wins for `most_recent`, the earlier for
    /// `least_recent`.
    fn add_timed(&mut self, f: AggFunc, v: Value, rec_time: Option<i64>) {
        let (t, v) = match super::withtime::unpack(&v) {
            Some((t, inner)) => (t, inner),
            None => (rec_time, v),
        };
        let (Some(t), false, State::Timed(cur)) = (t, v.is_null(), self) else {
            return;
        };
        let replace = match cur {
            None => true,
            Some((best, _)) => {
                if f == AggFunc::MostRecent {
                    t >= *best
                } else {
                    t < *best
                }
            }
        };
        if replace {
            *cur = Some((t, v));
        }
    }

    fn result(&self, f: AggFunc) -> Value {
        match self {
            State::Count(n) => Value::Int(*n as i64),
            State::Distinct(s) => Value::Int(s.len() as i64),
            State::Sum(acc) => acc.clone().unwrap_or(Value::Null),
            State::Avg(sum, n) => {
                if *n == 0 {
                    Value::Null
                } else {
                    Value::Float(sum / *n as f64)
                }
            }
            State::Stddev { n, m2, .. } => {
                if *n < 2 {
                    Value::Null
                } else {
                    Value::Float((m2 / (*n - 1) as f64).sqrt())
                }
            }
            State::Values(vals) => match f {
                AggFunc::Pct(p) => percentile(vals, p),
                _ => Value::Null,
            },
            State::Extreme {
                num,
                text,
                all_numeric,
            } => {
                if *all_numeric {
                    num.as_ref().map(|(_, v)| v.clone()).unwrap_or(Value::Null)
                } else {
                    text.as_ref().map(|(_, v)| v.clone()).unwrap_or(Value::Null)
                }
            }
            State::Pick(v) => v.clone().unwrap_or(Value::Null),
            State::Texts(list, _) => {
                if list.is_empty() {
                    Value::Null
                } else {
                    // Code-point order puts digits before letters and
                    // upper case before lower case, as Sumo's page says.
                    let mut sorted = list.clone();
                    sorted.sort();
                    Value::str(&sorted.join("\n"))
                }
            }
            State::Timed(v) => v.as_ref().map(|(_, v)| v.clone()).unwrap_or(Value::Null),
        }
    }
}

/// Linear interpolation between the two closest ranks (SPEC §5).
fn percentile(vals: &[f64], p: f64) -> Value {
    if vals.is_empty() {
        return Value::Null;
    }
    let mut v = vals.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = (p / 100.0).clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let (a, b) = (v[lo.min(v.len() - 1)], v[hi.min(v.len() - 1)]);
    Value::Float(a + (b - a) * (rank - lo as f64))
}

struct Group {
    keys: Vec<Value>,
    states: Vec<State>,
}

/// The running aggregation.
pub struct AggOp {
    plan: AggPlan,
    index: HashMap<Vec<Option<String>>, usize>,
    groups: Vec<Group>,
    warned: Vec<bool>,
}

impl AggOp {
    /// An aggregation for a plan.
    pub fn new(plan: AggPlan) -> AggOp {
        let warned = vec![false; plan.aggs.len()];
        AggOp {
            plan,
            index: HashMap::new(),
            groups: Vec::new(),
            warned,
        }
    }

    fn new_group(&self, keys: Vec<Value>) -> Group {
        Group {
            keys,
            states: self.plan.aggs.iter().map(|a| State::new(a.func)).collect(),
        }
    }
}

impl Operator for AggOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, diag: &mut Diagnostics) {
        let key_vals: Vec<Value> = self.plan.by.iter().map(|k| k.get(&rec)).collect();
        let key: Vec<Option<String>> = key_vals
            .iter()
            .map(|v| v.text().map(|t| t.into_owned()))
            .collect();
        let gi = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                let g = self.new_group(key_vals);
                self.groups.push(g);
                self.index.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let group = &mut self.groups[gi];
        for (i, spec) in self.plan.aggs.iter().enumerate() {
            let v = spec.arg.as_ref().map(|a| a.eval(&rec));
            if let AggFunc::MostRecent | AggFunc::LeastRecent = spec.func {
                group.states[i].add_timed(spec.func, v.unwrap_or_default(), rec.time_ms());
                continue;
            }
            let shown = v.clone();
            if !group.states[i].add(spec.func, v) && !self.warned[i] {
                self.warned[i] = true;
                diag.warn(Warning {
                    kind: "non-numeric value",
                    source: rec.origin.source.to_string(),
                    line: rec.origin.line,
                    message: format!(
                        "`{}` skipped the non-numeric value {:?} (further ones are skipped silently)",
                        spec.out,
                        shown.map(|s| s.display_text().into_owned()).unwrap_or_default()
                    ),
                });
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        if self.groups.is_empty() && self.plan.by.is_empty() {
            let g = self.new_group(Vec::new());
            self.groups.push(g);
        }
        for g in self.groups.drain(..) {
            let mut rec = Record::default();
            for (k, v) in self.plan.by.iter().zip(g.keys) {
                rec.fields.push((k.name.clone(), v));
            }
            for (spec, st) in self.plan.aggs.iter().zip(&g.states) {
                rec.fields.push((spec.out.clone(), st.result(spec.func)));
            }
            out.push(rec);
        }
        self.index.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 50.0).display_text(), "2.5");
        assert_eq!(percentile(&v, 100.0).display_text(), "4.0");
        assert_eq!(percentile(&v, 0.0).display_text(), "1.0");
        assert!(percentile(&[], 50.0).is_null());
    }

    #[test]
    fn sum_stays_int_then_overflows_to_float() {
        let mut s = State::new(AggFunc::Sum);
        s.add(AggFunc::Sum, Some(Value::Int(i64::MAX)));
        assert!(matches!(s.result(AggFunc::Sum), Value::Int(_)));
        s.add(AggFunc::Sum, Some(Value::str("1")));
        assert!(matches!(s.result(AggFunc::Sum), Value::Float(_)));
        assert!(!s.add(AggFunc::Sum, Some(Value::str("x"))));
    }

    #[test]
    fn min_max_mixed_types_use_text() {
        let mut s = State::new(AggFunc::Max);
        for v in [Value::Int(9), Value::Int(10)] {
            s.add(AggFunc::Max, Some(v));
        }
        assert!(matches!(s.result(AggFunc::Max), Value::Int(10)));
        s.add(AggFunc::Max, Some(Value::str("abc")));
        assert_eq!(s.result(AggFunc::Max).display_text(), "abc");
    }
}
