//! Exact sums of floats (Shewchuk's algorithm, as in Python's `math.fsum`).
//!
//! `sum`, `avg` and `stddev` keep their running totals here so that the
//! result is the correctly rounded exact total, whatever the order the
//! values came in and however the input was split between threads: the
//! per-chunk totals of a parallel run merge into exactly the same answer
//! as one pass over the whole input.

/// An exact running total of finite floats, plus the (order-free) sum of
/// the non-finite ones.
#[derive(Clone, Debug, Default)]
pub struct ExactSum {
    /// Non-overlapping partial sums, smallest magnitude first; their exact
    /// sum is the total.
    partials: Vec<f64>,
    /// The sum of the infinities and NaNs added (NaN, ±inf or 0).
    special: f64,
    /// Set when a partial sum overflowed (a total beyond ±1.8e308); from
    /// then on `naive` carries the total and the result is ±inf or NaN.
    overflowed: bool,
    /// The plain float total after an overflow.
    naive: f64,
}

impl ExactSum {
    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        if self.overflowed {
            self.naive += x;
            return;
        }
        let mut x = x;
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if !hi.is_finite() {
                self.overflow(hi);
                return;
            }
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    fn overflow(&mut self, hi: f64) {
        self.overflowed = true;
        self.naive = hi;
        self.partials.clear();
    }

    /// Adds another total (a later chunk's) to this one.
    pub fn merge(&mut self, other: &ExactSum) {
        self.special += other.special;
        if other.overflowed {
            if !self.overflowed {
                let mine = self.value_finite();
                self.overflowed = true;
                self.partials.clear();
                self.naive = mine;
            }
            self.naive += other.naive;
            return;
        }
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The total, correctly rounded.
    pub fn value(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special;
        }
        self.value_finite()
    }

    fn value_finite(&self) -> f64 {
        if self.overflowed {
            return self.naive;
        }
        let p = &self.partials;
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even across partials (as `math.fsum` does): the
        // next partial down decides a tie in `lo`.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }

    /// The total as its canonical expansion: the correctly rounded total,
    /// then the correctly rounded remainder, and so on until nothing is
    /// left. Unlike the partials, the expansion depends only on the exact
    /// total, not on the order the values were added in.
    pub fn expansion(&self) -> Vec<f64> {
        let first = self.value();
        if !first.is_finite() || self.overflowed {
            return vec![first];
        }
        let mut out = Vec::new();
        let mut rest = self.clone();
        // Each step removes at least 53 bits of the 2098-bit float range.
        for _ in 0..48 {
            let v = rest.value();
            if v == 0.0 {
                break;
            }
            out.push(v);
            rest.add(-v);
        }
        out
    }
}

/// The exact product of two floats as `hi + lo` (barring overflow and
/// underflow).
pub fn two_product(a: f64, b: f64) -> (f64, f64) {
    let hi = a * b;
    let lo = a.mul_add(b, -hi);
    (hi, lo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fsum(v: &[f64]) -> f64 {
        let mut s = ExactSum::default();
        v.iter().for_each(|x| s.add(*x));
        s.value()
    }

    #[test]
    fn classic_cases() {
        assert_eq!(fsum(&[0.1; 10]), 1.0);
        assert_eq!(fsum(&[1e100, 1.0, -1e100, 1e-100]), 1.0);
        assert_eq!(fsum(&[1e-16, 1.0, 1e16]), 10000000000000002.0);
        assert_eq!(fsum(&[]), 0.0);
        assert!(fsum(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert_eq!(fsum(&[f64::INFINITY, 1.0]), f64::INFINITY);
        assert_eq!(fsum(&[f64::MAX, f64::MAX]), f64::INFINITY);
    }

    proptest! {
        /// Any split into chunks, merged in order, gives the same total as
        /// one pass; and the order of values does not matter.
        #[test]
        fn merge_is_exact(v in proptest::collection::vec(-1e20f64..1e20, 0..60), cut in 0usize..60) {
            let whole = fsum(&v);
            let cut = cut.min(v.len());
            let (a, b) = v.split_at(cut);
            let mut sa = ExactSum::default();
            a.iter().for_each(|x| sa.add(*x));
            let mut sb = ExactSum::default();
            b.iter().for_each(|x| sb.add(*x));
            sa.merge(&sb);
            prop_assert_eq!(sa.value().to_bits(), whole.to_bits());
            let mut r = v.clone();
            r.reverse();
            prop_assert_eq!(fsum(&r).to_bits(), whole.to_bits());
            let mut s = ExactSum::default();
            r.iter().for_each(|x| s.add(*x));
            let e1: Vec<u64> = sa.expansion().iter().map(|x| x.to_bits()).collect();
            let e2: Vec<u64> = s.expansion().iter().map(|x| x.to_bits()).collect();
            prop_assert_eq!(e1, e2);
        }
    }
}
