//! Numeric functions and casts. Numeric strings convert (SPEC §3); anything
//! else gives null.

use crate::value::{Num, Value};

fn num(a: &[Value], i: usize) -> Option<Num> {
    a.get(i).and_then(Value::as_num)
}

fn float_fn(a: &[Value], f: fn(f64) -> f64) -> Value {
    match num(a, 0) {
        Some(n) => Value::Float(f(n.as_f64())),
        None => Value::Null,
    }
}

/// A float that is whole and in range becomes an int (round, ceil, floor).
fn whole(f: f64) -> Value {
    if f.is_finite() && f.abs() < 9.0e18 {
        Value::Int(f as i64)
    } else {
        Value::Float(f)
    }
}

/// `abs(x)`.
pub fn abs(a: &[Value]) -> Value {
    match num(a, 0) {
        Some(Num::Int(i)) => i
            .checked_abs()
            .map(Value::Int)
            .unwrap_or(Value::Float((i as f64).abs())),
        Some(Num::Float(f)) => Value::Float(f.abs()),
        None => Value::Null,
    }
}

/// `round(x[, digits])`: half away from zero; an int without digits.
pub fn round(a: &[Value]) -> Value {
    // A digits argument that is given but not numeric makes the result
    // null, like every other non-numeric argument.
    if a.len() > 1 && num(a, 1).is_none() {
        return Value::Null;
    }
    match (num(a, 0), num(a, 1)) {
        (Some(Num::Int(i)), None) => Value::Int(i),
        (Some(n), None) => whole(n.as_f64().round()),
        (Some(n), Some(d)) => {
            let d = d.as_f64().clamp(-15.0, 15.0) as i32;
            let p = 10f64.powi(d);
            Value::Float((n.as_f64() * p).round() / p)
        }
        _ => Value::Null,
    }
}

/// `ceil(x)`.
pub fn ceil(a: &[Value]) -> Value {
    match num(a, 0) {
        Some(Num::Int(i)) => Value::Int(i),
        Some(Num::Float(f)) => whole(f.ceil()),
        None => Value::Null,
    }
}

/// `floor(x)`.
pub fn floor(a: &[Value]) -> Value {
    match num(a, 0) {
        Some(Num::Int(i)) => Value::Int(i),
        Some(Num::Float(f)) => whole(f.floor()),
        None => Value::Null,
    }
}

/// `sqrt(x)`.
pub fn sqrt(a: &[Value]) -> Value {
    float_fn(a, f64::sqrt)
}

/// `log(x)`: natural logarithm.
pub fn ln(a: &[Value]) -> Value {
    float_fn(a, f64::ln)
}

/// `log10(x)`.
pub fn log10(a: &[Value]) -> Value {
    float_fn(a, f64::log10)
}

/// `exp(x)`.
pub fn exp(a: &[Value]) -> Value {
    float_fn(a, f64::exp)
}

/// `pow(x, y)`: a float.
pub fn pow(a: &[Value]) -> Value {
    match (num(a, 0), num(a, 1)) {
        (Some(x), Some(y)) => Value::Float(x.as_f64().powf(y.as_f64())),
        _ => Value::Null,
    }
}

/// Two-argument `min(a, b)`: the smaller by the Value ordering; null when
/// either is not comparable.
pub fn min2(a: &[Value]) -> Value {
    pick(a, std::cmp::Ordering::Less)
}

/// Two-argument `max(a, b)`.
pub fn max2(a: &[Value]) -> Value {
    pick(a, std::cmp::Ordering::Greater)
}

fn pick(a: &[Value], want: std::cmp::Ordering) -> Value {
    match (a.first(), a.get(1)) {
        (Some(x), Some(y)) => match x.compare(y) {
            Some(o) if o == want || o == std::cmp::Ordering::Equal => x.clone(),
            Some(_) => y.clone(),
            None => Value::Null,
        },
        _ => Value::Null,
    }
}

/// `num(x)`.
pub fn to_num(a: &[Value]) -> Value {
    a.first().map(Value::to_num).unwrap_or(Value::Null)
}

/// `toLong(x)` / `toInt(x)`.
pub fn to_long(a: &[Value]) -> Value {
    a.first().map(Value::to_long).unwrap_or(Value::Null)
}

/// `toDouble(x)`.
pub fn to_double(a: &[Value]) -> Value {
    a.first().map(Value::to_double).unwrap_or(Value::Null)
}

/// `toString(x)`.
pub fn to_string(a: &[Value]) -> Value {
    a.first().map(Value::to_text_value).unwrap_or(Value::Null)
}

/// `isNaN(x)`.
pub fn is_nan(a: &[Value]) -> Value {
    Value::Bool(matches!(num(a, 0), Some(Num::Float(f)) if f.is_nan()))
}

/// `isInfinity(x)`.
pub fn is_infinity(a: &[Value]) -> Value {
    Value::Bool(matches!(num(a, 0), Some(Num::Float(f)) if f.is_infinite()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding() {
        assert!(matches!(round(&[Value::Float(2.5)]), Value::Int(3)));
        assert!(matches!(round(&[Value::Float(-2.5)]), Value::Int(-3)));
        assert!(matches!(round(&[Value::str("7")]), Value::Int(7)));
        assert!(matches!(ceil(&[Value::Float(1.1)]), Value::Int(2)));
        assert!(matches!(floor(&[Value::Float(-1.1)]), Value::Int(-2)));
        assert_eq!(
            round(&[Value::Float(1.23456), Value::Int(2)]).display_text(),
            "1.23"
        );
        assert!(round(&[Value::str("x")]).is_null());
    }

    #[test]
    fn min_max_two() {
        assert!(matches!(
            min2(&[Value::Int(3), Value::str("2")]),
            Value::Str(_)
        ));
        assert!(matches!(
            max2(&[Value::Int(3), Value::str("2")]),
            Value::Int(3)
        ));
        assert!(min2(&[Value::Null, Value::Int(1)]).is_null());
    }

    #[test]
    fn abs_overflow() {
        assert!(matches!(abs(&[Value::Int(i64::MIN)]), Value::Float(_)));
    }
}
