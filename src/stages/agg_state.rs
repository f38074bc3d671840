//! The running state of one aggregate in one group (SPEC §5), and how two
//! states of the same group merge: the state of an earlier part of the
//! input with the state of a later part. Merging in input order gives
//! exactly what one pass over the whole input gives, so a parallel run's
//! per-chunk states add up to the sequential answer: counts add, sums are
//! exact ([`ExactSum`]), min/max keep the earlier value on ties, first/last
//! keep the earlier/later value, percentiles keep every value in order.

use std::cmp::Ordering;
use std::collections::HashSet;

use super::aggregate::AggFunc;
use super::exact_sum::{two_product, ExactSum};
use crate::value::{cmp_num, Num, Value};

/// An exact running sum of numbers: ints exactly in an `i128` (which
/// cannot overflow before 2^64 additions), floats in an [`ExactSum`].
#[derive(Clone, Debug, Default)]
pub(crate) struct NumSum {
    ints: i128,
    floats: ExactSum,
    any: bool,
    any_float: bool,
}

impl NumSum {
    fn add(&mut self, n: Num) {
        self.any = true;
        match n {
            Num::Int(i) => self.ints += i128::from(i),
            Num::Float(f) => {
                self.any_float = true;
                self.floats.add(f);
            }
        }
    }

    fn merge(&mut self, o: &NumSum) {
        self.any |= o.any;
        self.any_float |= o.any_float;
        self.ints += o.ints;
        self.floats.merge(&o.floats);
    }

    /// The exact total, correctly rounded to a float.
    fn total_f64(&self) -> f64 {
        if !self.any_float {
            return self.ints as f64;
        }
        let mut all = self.floats.clone();
        // Split the integer part into floats without losing a bit: each
        // step takes the nearest float and leaves an exact remainder.
        let mut rest = self.ints;
        for _ in 0..4 {
            if rest == 0 {
                break;
            }
            let h = rest as f64;
            all.add(h);
            rest -= h as i128;
        }
        all.value()
    }

    /// `sum`: an int when only ints were summed and the total fits.
    fn sum_value(&self) -> Value {
        if !self.any {
            return Value::Null;
        }
        if !self.any_float {
            if let Ok(i) = i64::try_from(self.ints) {
                return Value::Int(i);
            }
        }
        Value::Float(self.total_f64())
    }
}

/// The state of one aggregate in one group.
#[derive(Clone, Debug)]
pub(crate) enum State {
    Count(u64),
    Distinct(HashSet<String>),
    Sum(NumSum),
    Avg(NumSum, u64),
    Extreme {
        num: Option<(Num, Value)>,
        text: Option<(String, Value)>,
        all_numeric: bool,
    },
    Stddev {
        n: u64,
        sum: ExactSum,
        squares: ExactSum,
    },
    Values(Vec<f64>),
    Pick(Option<Value>),
    /// `values`: distinct texts in first-appearance order.
    Texts(Vec<String>, HashSet<String>),
    /// `most_recent`/`least_recent`: the best (time, value) so far.
    Timed(Option<(i64, Value)>),
}

fn better(f: AggFunc, o: Ordering) -> bool {
    if f == AggFunc::Min {
        o == Ordering::Less
    } else {
        o == Ordering::Greater
    }
}

impl State {
    pub(crate) fn new(f: AggFunc) -> State {
        match f {
            AggFunc::Count | AggFunc::CountOf => State::Count(0),
            AggFunc::CountDistinct => State::Distinct(HashSet::new()),
            AggFunc::Sum => State::Sum(NumSum::default()),
            AggFunc::Avg => State::Avg(NumSum::default(), 0),
            AggFunc::Min | AggFunc::Max => State::Extreme {
                num: None,
                text: None,
                all_numeric: true,
            },
            AggFunc::Stddev => State::Stddev {
                n: 0,
                sum: ExactSum::default(),
                squares: ExactSum::default(),
            },
            AggFunc::Pct(_) => State::Values(Vec::new()),
            AggFunc::First | AggFunc::Last => State::Pick(None),
            AggFunc::Values => State::Texts(Vec::new(), HashSet::new()),
            AggFunc::MostRecent | AggFunc::LeastRecent => State::Timed(None),
        }
    }

    /// Adds a value; returns false when the value had to be skipped as
    /// non-numeric.
    pub(crate) fn add(&mut self, f: AggFunc, v: Option<Value>) -> bool {
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
                Some(n) => acc.add(n),
                None => return false,
            },
            State::Avg(acc, n) => match v.as_num() {
                Some(x) => {
                    acc.add(x);
                    *n += 1;
                }
                None => return false,
            },
            State::Stddev { n, sum, squares } => match v.as_num() {
                Some(x) => {
                    let x = x.as_f64();
                    *n += 1;
                    sum.add(x);
                    let (hi, lo) = two_product(x, x);
                    squares.add(hi);
                    squares.add(lo);
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
                match v.as_num() {
                    Some(n) if !n.as_f64().is_nan() => {
                        let replace = match num {
                            None => true,
                            Some((cur, _)) => cmp_num(n, *cur).is_some_and(|o| better(f, o)),
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
                        Some((cur, _)) => better(f, t.as_ref().cmp(cur.as_str())),
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
    pub(crate) fn add_timed(&mut self, f: AggFunc, v: Value, rec_time: Option<i64>) {
        let (t, v) = match super::withtime::unpack(&v) {
            Some((t, inner)) => (t, inner),
            None => (rec_time, v),
        };
        let (Some(t), false, State::Timed(cur)) = (t, v.is_null(), self) else {
            return;
        };
        if timed_wins(f, t, cur.as_ref().map(|(b, _)| *b)) {
            *cur = Some((t, v));
        }
    }

    /// Merges the state of a later part of the input into this one. The
    /// match is on `self` alone, exhaustively, so that a new kind of state
    /// cannot compile without saying how it merges (a forgotten merge would
    /// silently drop the later chunks' values). States of one aggregate
    /// always have the same kind; a mismatch changes nothing.
    pub(crate) fn merge(&mut self, f: AggFunc, later: State) {
        match self {
            State::Count(a) => {
                if let State::Count(b) = later {
                    *a += b;
                }
            }
            State::Distinct(a) => {
                if let State::Distinct(b) = later {
                    if a.is_empty() {
                        *a = b;
                    } else {
                        a.extend(b);
                    }
                }
            }
            State::Sum(a) => {
                if let State::Sum(b) = later {
                    a.merge(&b);
                }
            }
            State::Avg(a, n) => {
                if let State::Avg(b, m) = later {
                    a.merge(&b);
                    *n += m;
                }
            }
            State::Stddev { n, sum, squares } => {
                if let State::Stddev {
                    n: m,
                    sum: s2,
                    squares: q2,
                } = later
                {
                    *n += m;
                    sum.merge(&s2);
                    squares.merge(&q2);
                }
            }
            State::Values(a) => {
                if let State::Values(b) = later {
                    a.extend(b);
                }
            }
            State::Extreme {
                num,
                text,
                all_numeric,
            } => {
                let State::Extreme {
                    num: num2,
                    text: text2,
                    all_numeric: all2,
                } = later
                else {
                    return;
                };
                *all_numeric &= all2;
                if let Some((n2, v2)) = num2 {
                    let replace = match num {
                        None => true,
                        Some((cur, _)) => cmp_num(n2, *cur).is_some_and(|o| better(f, o)),
                    };
                    if replace {
                        *num = Some((n2, v2));
                    }
                }
                if let Some((t2, v2)) = text2 {
                    let replace = match text {
                        None => true,
                        Some((cur, _)) => better(f, t2.as_str().cmp(cur.as_str())),
                    };
                    if replace {
                        *text = Some((t2, v2));
                    }
                }
            }
            State::Pick(cur) => {
                if let State::Pick(b) = later {
                    if b.is_some() && (f == AggFunc::Last || cur.is_none()) {
                        *cur = b;
                    }
                }
            }
            State::Texts(list, seen) => {
                if let State::Texts(later, _) = later {
                    for t in later {
                        if list.len() < MAX_VALUES && !seen.contains(&t) {
                            seen.insert(t.clone());
                            list.push(t);
                        }
                    }
                }
            }
            State::Timed(cur) => {
                if let State::Timed(Some((t, v))) = later {
                    if timed_wins(f, t, cur.as_ref().map(|(b, _)| *b)) {
                        *cur = Some((t, v));
                    }
                }
            }
        }
    }

    pub(crate) fn result(&self, f: AggFunc) -> Value {
        match self {
            State::Count(n) => Value::Int(*n as i64),
            State::Distinct(s) => Value::Int(s.len() as i64),
            State::Sum(acc) => acc.sum_value(),
            State::Avg(acc, n) => {
                if *n == 0 {
                    Value::Null
                } else {
                    Value::Float(acc.total_f64() / *n as f64)
                }
            }
            State::Stddev { n, sum, squares } => {
                if *n < 2 {
                    Value::Null
                } else {
                    Value::Float(sample_stddev(*n, sum, squares))
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

/// Sumo returns at most this many distinct values from `values(f)`.
const MAX_VALUES: usize = 100;

/// True when a value at time `t` replaces the current best (at `best`):
/// the later record wins ties for `most_recent`, the earlier for
/// `least_recent`. Merging a later part of the input in order gives the
/// same answer as one pass.
fn timed_wins(f: AggFunc, t: i64, best: Option<i64>) -> bool {
    match best {
        None => true,
        Some(b) if f == AggFunc::MostRecent => t >= b,
        Some(b) => t < b,
    }
}

/// The sample standard deviation from exact Σx and Σx²: the numerator
/// n·Σx² − (Σx)² is computed exactly from the canonical expansions of both
/// sums (so it does not depend on the order values came in), then rounded
/// once.
fn sample_stddev(n: u64, sum: &ExactSum, squares: &ExactSum) -> f64 {
    let nf = n as f64;
    let s = sum.expansion();
    let q = squares.expansion();
    let mut num = ExactSum::default();
    for &qi in &q {
        let (h, l) = two_product(nf, qi);
        num.add(h);
        num.add(l);
    }
    for &si in &s {
        for &sj in &s {
            let (h, l) = two_product(si, sj);
            num.add(-h);
            num.add(-l);
        }
    }
    let var = num.value() / (nf * (nf - 1.0));
    if var < 0.0 {
        0.0
    } else {
        var.sqrt()
    }
}

/// Linear interpolation between the two closest ranks (SPEC §5).
pub(crate) fn percentile(vals: &[f64], p: f64) -> Value {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        // Back in range: the exact total is an int again.
        s.add(AggFunc::Sum, Some(Value::Int(-1)));
        assert!(matches!(s.result(AggFunc::Sum), Value::Int(i64::MAX)));
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

    #[test]
    fn stddev_of_constant_is_zero() {
        let mut s = State::new(AggFunc::Stddev);
        for _ in 0..1000 {
            s.add(AggFunc::Stddev, Some(Value::Float(0.1)));
        }
        assert_eq!(s.result(AggFunc::Stddev).display_text(), "0.0");
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            (-1000i64..1000).prop_map(Value::Int),
            prop_oneof![Just(i64::MAX), Just(i64::MIN)].prop_map(Value::Int),
            (-1e6f64..1e6).prop_map(Value::Float),
            (-1e3f64..1e3).prop_map(|f| Value::str(&f.to_string())),
            "[a-c]{0,2}".prop_map(|s| Value::str(&s)),
        ]
    }

    const FUNCS: [AggFunc; 11] = [
        AggFunc::Count,
        AggFunc::CountOf,
        AggFunc::CountDistinct,
        AggFunc::Sum,
        AggFunc::Avg,
        AggFunc::Min,
        AggFunc::Max,
        AggFunc::Stddev,
        AggFunc::Pct(37.5),
        AggFunc::First,
        AggFunc::Last,
    ];

    proptest! {
        /// Splitting the values anywhere and merging the two states gives
        /// the very same result as one pass.
        #[test]
        fn merge_equals_one_pass(vals in proptest::collection::vec(value(), 0..40), cut in 0usize..40) {
            let cut = cut.min(vals.len());
            for f in FUNCS {
                let mut whole = State::new(f);
                let mut skipped_whole = 0;
                for v in &vals {
                    if !whole.add(f, Some(v.clone())) { skipped_whole += 1; }
                }
                let mut a = State::new(f);
                let mut b = State::new(f);
                let mut skipped = 0;
                for (i, v) in vals.iter().enumerate() {
                    let st = if i < cut { &mut a } else { &mut b };
                    if !st.add(f, Some(v.clone())) { skipped += 1; }
                }
                a.merge(f, b);
                let (x, y) = (whole.result(f), a.result(f));
                prop_assert_eq!(x.type_name(), y.type_name());
                prop_assert_eq!(x.display_text(), y.display_text(), "{:?}", f);
                prop_assert_eq!(skipped, skipped_whole);
            }
        }
    }
}
