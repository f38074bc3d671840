//! `timeslice 5m [as f]` and `timeslice N buckets [as f]`: sets `_timeslice`
//! (or the alias) to the start of the record's slice, epoch milliseconds,
//! slices aligned to UTC (SPEC §5).
//!
//! The fixed form looks at one record at a time. The bucket form needs the
//! time range of the data, which offline is only known at the end, so it
//! holds every record, picks a clock-aligned slice that gives at most N
//! slices over that range, then lets the records go on in input order.

use std::sync::Arc;

use super::args::Args;
use super::keys::alias;
use super::{HoldStage, Operator, RecordStage, StagePlan};
use crate::ast::{GenericStage, Span, Tok, Token};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::record::{Name, Record};
use crate::time::floor_to;
use crate::value::Value;

/// Slices a bucket count may pick from: clock-aligned, smallest first.
const NICE_SLICES_MS: &[i64] = &[
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_800_000,
    3_600_000,
    7_200_000,
    10_800_000,
    14_400_000,
    21_600_000,
    43_200_000,
    86_400_000,
    604_800_000,
];

/// Builds `timeslice`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    a.eat_word("by");
    let spec = slice_spec(&mut a)?;
    let out: Name = Arc::from(
        alias(&mut a)?
            .unwrap_or_else(|| "_timeslice".into())
            .as_str(),
    );
    a.finish()?;
    Ok(vec![match spec {
        SliceSpec::Fixed(ms) => StagePlan::Record(Arc::new(TimesliceStage { slice_ms: ms, out })),
        SliceSpec::Buckets(n) => StagePlan::Hold(Arc::new(BucketStage { buckets: n, out })),
    }])
}

/// What a `timeslice` asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SliceSpec {
    /// A fixed slice length in milliseconds.
    Fixed(i64),
    /// A target number of buckets over the data's time range.
    Buckets(u64),
}

/// Reads `5m`, `1 h` or `10 buckets`.
pub fn slice_spec(a: &mut Args) -> Result<SliceSpec, QueryError> {
    const WHAT: &str = "a slice length such as `5m`, `1h`, `1d`, or `N buckets`";
    let Some(Token {
        kind: Tok::Num(n),
        span,
    }) = a.peek()
    else {
        return Err(a.error(WHAT));
    };
    let (n, span) = (n.clone(), *span);
    a.next_token();
    // `timeslice 1 h` (with a space) is seen in real queries.
    if n.chars().all(|c| c.is_ascii_digit() || c == '.') {
        if let Some(Token {
            kind: Tok::Word(w), ..
        }) = a.peek()
        {
            let w = w.clone();
            if w.eq_ignore_ascii_case("buckets") || w.eq_ignore_ascii_case("bucket") {
                a.next_token();
                return match n.parse::<u64>() {
                    Ok(b) if b > 0 => Ok(SliceSpec::Buckets(b)),
                    _ => Err(QueryError::new(
                        "the bucket count must be a whole number of at least 1",
                        span,
                    )),
                };
            }
            if unit_ms(&w).is_some() {
                a.next_token();
                return duration_ms(&format!("{n}{w}"), span).map(SliceSpec::Fixed);
            }
        }
    }
    duration_ms(&n, span).map(SliceSpec::Fixed)
}

fn unit_ms(u: &str) -> Option<f64> {
    Some(match u {
        "s" => 1e3,
        "m" => 60e3,
        "h" => 3600e3,
        "d" => 86400e3,
        "w" => 7.0 * 86400e3,
        _ => return None,
    })
}

/// A slice length such as `15m` or `1.5h` in milliseconds (Sumo's units:
/// `w`, `d`, `h`, `m`, `s`).
pub fn duration_ms(text: &str, span: Span) -> Result<i64, QueryError> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let bad = || {
        QueryError::new(format!("`{text}` is not a slice length"), span)
            .with_hint("give a number and a unit: `30s`, `5m`, `1h`, `1d`, `1w`")
    };
    let factor = unit_ms(unit).ok_or_else(bad)?;
    let n: f64 = digits.parse().map_err(|_| bad())?;
    let ms = n * factor;
    if !(1.0..9.0e15).contains(&ms) {
        return Err(QueryError::new(
            format!("the slice length `{text}` is out of range"),
            span,
        ));
    }
    Ok(ms.round() as i64)
}

/// `timeslice D`: one record at a time.
#[derive(Debug)]
pub struct TimesliceStage {
    slice_ms: i64,
    out: Name,
}

impl RecordStage for TimesliceStage {
    fn apply(&self, mut rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        set_slice(&mut rec, &self.out, self.slice_ms);
        out.push(rec);
    }

    fn describe(&self) -> String {
        format!("timeslice {}ms as {}", self.slice_ms, self.out)
    }
}

fn set_slice(rec: &mut Record, out: &Name, slice_ms: i64) {
    // A record without a time gets null: it cannot be placed in a slice.
    let v = rec
        .time_ms()
        .map(|t| Value::Int(floor_to(t, slice_ms)))
        .unwrap_or(Value::Null);
    rec.set(out, v);
}

/// `timeslice N buckets`: holds the records to learn the time range.
#[derive(Debug)]
pub struct BucketStage {
    buckets: u64,
    out: Name,
}

impl HoldStage for BucketStage {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(BucketOp {
            buckets: self.buckets,
            out: self.out.clone(),
            rows: Vec::new(),
            range: None,
        })
    }

    fn describe(&self) -> String {
        format!("timeslice {} buckets as {}", self.buckets, self.out)
    }
}

struct BucketOp {
    buckets: u64,
    out: Name,
    rows: Vec<Record>,
    range: Option<(i64, i64)>,
}

impl Operator for BucketOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        if let Some(t) = rec.time_ms() {
            self.range = Some(match self.range {
                None => (t, t),
                Some((lo, hi)) => (lo.min(t), hi.max(t)),
            });
        }
        self.rows.push(rec);
    }

    fn finish(&mut self, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let slice = self
            .range
            .map(|(lo, hi)| slice_for(lo, hi, self.buckets))
            .unwrap_or(1);
        for mut rec in self.rows.drain(..) {
            set_slice(&mut rec, &self.out, slice);
            out.push(rec);
        }
    }
}

/// The smallest clock-aligned slice that covers `lo..=hi` in at most `n`
/// slices; past a week, whole days.
pub fn slice_for(lo: i64, hi: i64, n: u64) -> i64 {
    let n = i64::try_from(n).unwrap_or(i64::MAX).max(1);
    let count = |d: i64| floor_to(hi, d).saturating_sub(floor_to(lo, d)) / d + 1;
    for &d in NICE_SLICES_MS {
        if count(d) <= n {
            return d;
        }
    }
    let day = 86_400_000;
    let span = hi.saturating_sub(lo);
    let mut d = (span / n / day + 1).saturating_mul(day);
    // Slices are aligned to the epoch, so a range across a slice boundary
    // (any range across time 0) has at least two, whatever their length:
    // past the span's length no longer slice helps, and the loop ends.
    while count(d) > n && d <= span {
        d = d.saturating_add(day);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let s = Span::default();
        assert_eq!(duration_ms("5m", s).ok(), Some(300_000));
        assert_eq!(duration_ms("1.5h", s).ok(), Some(5_400_000));
        assert_eq!(duration_ms("1w", s).ok(), Some(604_800_000));
        assert!(duration_ms("5x", s).is_err());
        assert!(duration_ms("0m", s).is_err());
        assert!(duration_ms("m", s).is_err());
    }

    #[test]
    fn one_bucket_across_time_zero_ends() {
        // Found by the attack run: this looped forever.
        let d = slice_for(-1, 0, 1);
        assert!(d > 0);
        let d = slice_for(-62_135_596_800_000, 4_102_444_800_000, 1);
        assert!(d > 4_102_444_800_000);
    }

    #[test]
    fn bucket_slices_are_clock_aligned() {
        // One hour of data in 10 buckets: 10-minute slices (6 or 7 of them).
        let lo = 1_700_000_000_000;
        assert_eq!(slice_for(lo, lo + 3_600_000, 10), 600_000);
        // Everything in one second: 1s slices.
        assert_eq!(slice_for(lo, lo + 10, 10), 1_000);
        // A year in 10 buckets: whole days.
        let d = slice_for(lo, lo + 365 * 86_400_000, 10);
        assert_eq!(d % 86_400_000, 0);
        assert!((lo + 365 * 86_400_000) / d - lo / d < 10);
    }
}
