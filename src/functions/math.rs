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

/// `acos(x)`, radians.
pub fn acos(a: &[Value]) -> Value {
    float_fn(a, f64::acos)
}

/// `asin(x)`, radians.
pub fn asin(a: &[Value]) -> Value {
    float_fn(a, f64::asin)
}

/// `atan(x)`, radians.
pub fn atan(a: &[Value]) -> Value {
    float_fn(a, f64::atan)
}

/// `atan2(y, x)`: the angle of the point (x, y), radians.
pub fn atan2(a: &[Value]) -> Value {
    match (num(a, 0), num(a, 1)) {
        (Some(y), Some(x)) => Value::Float(y.as_f64().atan2(x.as_f64())),
        _ => Value::Null,
    }
}

/// `cbrt(x)`.
pub fn cbrt(a: &[Value]) -> Value {
    float_fn(a, f64::cbrt)
}

/// `cos(x)`, x in radians.
pub fn cos(a: &[Value]) -> Value {
    float_fn(a, f64::cos)
}

/// `cosh(x)`.
pub fn cosh(a: &[Value]) -> Value {
    float_fn(a, f64::cosh)
}

/// `sin(x)`, x in radians.
pub fn sin(a: &[Value]) -> Value {
    float_fn(a, f64::sin)
}

/// `sinh(x)`.
pub fn sinh(a: &[Value]) -> Value {
    float_fn(a, f64::sinh)
}

/// `tan(x)`, x in radians.
pub fn tan(a: &[Value]) -> Value {
    float_fn(a, f64::tan)
}

/// `tanh(x)`.
pub fn tanh(a: &[Value]) -> Value {
    float_fn(a, f64::tanh)
}

/// `expm1(x)`: e^x - 1, exact for small x.
pub fn expm1(a: &[Value]) -> Value {
    float_fn(a, f64::exp_m1)
}

/// `log1p(x)`: ln(1 + x), exact for small x.
pub fn log1p(a: &[Value]) -> Value {
    float_fn(a, f64::ln_1p)
}

/// `hypot(a, b)`: sqrt(a² + b²) without overflow in between.
pub fn hypot(a: &[Value]) -> Value {
    match (num(a, 0), num(a, 1)) {
        (Some(x), Some(y)) => Value::Float(x.as_f64().hypot(y.as_f64())),
        _ => Value::Null,
    }
}

/// `toDegrees(x)`: radians to degrees.
pub fn to_degrees(a: &[Value]) -> Value {
    float_fn(a, f64::to_degrees)
}

/// `toRadians(x)`: degrees to radians.
pub fn to_radians(a: &[Value]) -> Value {
    float_fn(a, f64::to_radians)
}

/// Earth's radius in km for `haversine`: this value reproduces Sumo's
/// documented example (3512.71 km from 39.0438,-77.4879 to
/// 45.73723,-119.81143).
const EARTH_RADIUS_KM: f64 = 6372.8;

/// `haversine(lat1, lon1, lat2, lon2)`: great-circle distance in km,
/// rounded to 2 decimals as Sumo shows it; null when any is not numeric.
pub fn haversine(a: &[Value]) -> Value {
    let v: Option<Vec<f64>> = (0..4).map(|i| num(a, i).map(Num::as_f64)).collect();
    let Some([lat1, lon1, lat2, lon2]) = v.as_deref().and_then(|v| <[f64; 4]>::try_from(v).ok())
    else {
        return Value::Null;
    };
    // NaN or infinite coordinates are no place (`min` below would turn a
    // NaN into half the globe).
    if ![lat1, lon1, lat2, lon2].iter().all(|c| c.is_finite()) {
        return Value::Null;
    }
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    let d = 2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin();
    Value::Float((d * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_of_no_place_is_null() {
        let nan = Value::Float(f64::NAN);
        let z = Value::Int(0);
        assert!(matches!(
            haversine(&[nan, z.clone(), z.clone(), z]),
            Value::Null
        ));
    }

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
    fn trigonometry_and_distance() {
        assert_eq!(
            haversine(&[
                Value::Float(39.04380),
                Value::Float(-77.48790),
                Value::Float(45.73723),
                Value::Float(-119.81143)
            ])
            .display_text(),
            "3512.71"
        );
        assert_eq!(hypot(&[Value::Int(3), Value::Int(4)]).display_text(), "5.0");
        assert_eq!(
            to_degrees(&[Value::Float(std::f64::consts::PI)]).display_text(),
            "180.0"
        );
        assert_eq!(
            atan2(&[Value::Int(1), Value::Int(0)]).display_text(),
            format!("{}", std::f64::consts::FRAC_PI_2)
        );
        assert!(sin(&[Value::str("x")]).is_null());
        assert!(haversine(&[Value::Int(1), Value::Null, Value::Int(1), Value::Int(1)]).is_null());
    }

    #[test]
    fn abs_overflow() {
        assert!(matches!(abs(&[Value::Int(i64::MIN)]), Value::Float(_)));
    }
}
