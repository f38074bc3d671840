//! The one `Value` type and every rule of SPEC §3: coercion, equality,
//! ordering, truthiness, arithmetic and the text of a value.
//!
//! No stage or function compares or coerces values on its own; they all call
//! into this module so that `where`, `sort`, group keys and `in` agree.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// A value flowing through a query.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Missing field or JSON null; the two behave the same.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// Text; shared so that copying a record between stages is cheap.
    Str(Arc<str>),
    /// A JSON array or object, kept whole; its text is its compact JSON.
    Json(Arc<serde_json::Value>),
}

/// A number, as read from a number value or a numeric string.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
}

impl Num {
    /// The number as a float (possibly rounding a large integer).
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    /// The number as a value.
    pub fn into_value(self) -> Value {
        match self {
            Num::Int(i) => Value::Int(i),
            Num::Float(f) => Value::Float(f),
        }
    }
}

/// Exact comparison of two numbers; `None` when either is NaN.
pub fn cmp_num(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Int(x), Num::Float(y)) => cmp_int_float(x, y),
        (Num::Float(x), Num::Int(y)) => cmp_int_float(y, x).map(Ordering::reverse),
    }
}

/// Compares an int with a float without the rounding of `i as f64`.
fn cmp_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^63 is exactly representable; every i64 lies in [-2^63, 2^63).
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f >= TWO_63 {
        return Some(Ordering::Less);
    }
    if f < -TWO_63 {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    // `t` is now within i64 range and integral, so the cast is exact.
    let ti = t as i64;
    match i.cmp(&ti) {
        Ordering::Equal => {
            let frac = f - t;
            if frac > 0.0 {
                Some(Ordering::Less)
            } else if frac < 0.0 {
                Some(Ordering::Greater)
            } else {
                Some(Ordering::Equal)
            }
        }
        o => Some(o),
    }
}

/// Parses a complete number literal (SPEC §3 "numeric string"): optional
/// sign, digits, optional fraction and exponent, surrounding white space
/// allowed; no separators, hex, suffixes, `inf` or `nan`.
pub fn parse_numeric(s: &str) -> Option<Num> {
    let t = s.trim();
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    let mut is_float = false;
    if i < b.len() && b[i] == b'.' {
        is_float = true;
        i += 1;
        let fs = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - fs;
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        is_float = true;
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let es = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == es {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    if !is_float {
        if let Ok(v) = t.parse::<i64>() {
            return Some(Num::Int(v));
        }
    }
    t.parse::<f64>().ok().map(Num::Float)
}

/// Formats a float the way serde_json writes it (`500.0`, `3.5`, `1e30`),
/// with `Infinity`, `-Infinity` and `NaN` for non-finite values.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".to_string()
        } else {
            "-Infinity".to_string()
        }
    } else {
        // serde_json may write a positive exponent as `e+30`; the SPEC's
        // text of a float is `1e30`.
        serde_json::Number::from_f64(f)
            .map(|n| n.to_string().replace("e+", "e"))
            .unwrap_or_else(|| f.to_string())
    }
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// Converts a parsed JSON value; numbers become ints when they fit i64.
    pub fn from_json(j: serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::Str(Arc::from(s)),
            other => Value::Json(Arc::new(other)),
        }
    }

    /// Converts a borrowed JSON value (used when walking nested paths).
    pub fn from_json_ref(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::str(s),
            other => Value::Json(Arc::new(other.clone())),
        }
    }

    /// The value as JSON for output; non-finite floats become strings.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => serde_json::Value::Number(n),
                None => serde_json::Value::String(format_float(*f)),
            },
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::Json(j) => (**j).clone(),
        }
    }

    /// True for null (and so for a missing field).
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text of a value (SPEC §3); null has none.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Value::Null => None,
            Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Value::Int(i) => Some(Cow::Owned(i.to_string())),
            Value::Float(f) => Some(Cow::Owned(format_float(*f))),
            Value::Str(s) => Some(Cow::Borrowed(s)),
            Value::Json(j) => Some(Cow::Owned(j.to_string())),
        }
    }

    /// The text of a value, with null as the empty string (for display).
    pub fn display_text(&self) -> Cow<'_, str> {
        self.text().unwrap_or(Cow::Borrowed(""))
    }

    /// The number a value stands for: numbers, and numeric strings.
    pub fn as_num(&self) -> Option<Num> {
        match self {
            Value::Int(i) => Some(Num::Int(*i)),
            Value::Float(f) => Some(Num::Float(*f)),
            Value::Str(s) => parse_numeric(s),
            _ => None,
        }
    }

    /// Truthiness (SPEC §3): `true`, or the text "true" in any case.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Str(s) => s.trim().eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    /// Equality (SPEC §3): total, symmetric; null equals only null.
    pub fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Null, _) | (_, Value::Null) => false,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Int(_) | Value::Float(_), _) | (_, Value::Int(_) | Value::Float(_)) => {
                match (self.as_num(), other.as_num()) {
                    (Some(a), Some(b)) => cmp_num(a, b) == Some(Ordering::Equal),
                    _ => false,
                }
            }
            _ => self.text() == other.text(),
        }
    }

    /// Ordering for `<`, `<=`, `>`, `>=` (SPEC §3): numeric when both sides
    /// are numbers or numeric strings, text when both are non-numeric
    /// strings, `None` (so the comparison is false) otherwise.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self.as_num(), other.as_num()) {
            (Some(a), Some(b)) => cmp_num(a, b),
            (None, None) => match (self, other) {
                (Value::Str(a), Value::Str(b)) => Some(a.as_ref().cmp(b.as_ref())),
                _ => None,
            },
            _ => None,
        }
    }

    /// The ascending sort order of SPEC §5: numbers and numeric strings by
    /// value (NaN after every other number), then other strings, then
    /// booleans, then arrays and objects by text, then null. A total order.
    pub fn sort_cmp(&self, other: &Value) -> Ordering {
        let (ca, cb) = (self.sort_class(), other.sort_class());
        if ca.0 != cb.0 {
            return ca.0.cmp(&cb.0);
        }
        match (ca.1, cb.1) {
            (Some(a), Some(b)) => match cmp_num(a, b) {
                Some(o) => o,
                None => {
                    let (an, bn) = (a.as_f64().is_nan(), b.as_f64().is_nan());
                    an.cmp(&bn)
                }
            },
            _ => match (self, other) {
                (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
                _ => self.text().cmp(&other.text()),
            },
        }
    }

    fn sort_class(&self) -> (u8, Option<Num>) {
        match self {
            Value::Null => (4, None),
            Value::Bool(_) => (2, None),
            Value::Json(_) => (3, None),
            _ => match self.as_num() {
                Some(n) => (0, Some(n)),
                None => (1, None),
            },
        }
    }

    /// A short name of the value's type, for `:fields` and messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Json(j) if j.is_array() => "array",
            Value::Json(_) => "object",
        }
    }

    /// `num(x)`: an int for whole-number text, else a float; null otherwise.
    pub fn to_num(&self) -> Value {
        match self {
            Value::Int(_) | Value::Float(_) => self.clone(),
            Value::Str(s) => match parse_numeric(s) {
                Some(n) => n.into_value(),
                None => Value::Null,
            },
            _ => Value::Null,
        }
    }

    /// `toLong`/`toInt`: an int, fraction truncated; null when not numeric
    /// or out of range.
    pub fn to_long(&self) -> Value {
        const TWO_63: f64 = 9_223_372_036_854_775_808.0;
        match self.as_num() {
            Some(Num::Int(i)) => Value::Int(i),
            Some(Num::Float(f)) => {
                let t = f.trunc();
                if (-TWO_63..TWO_63).contains(&t) {
                    Value::Int(t as i64)
                } else {
                    Value::Null
                }
            }
            None => Value::Null,
        }
    }

    /// `toDouble`: a float, or null.
    pub fn to_double(&self) -> Value {
        match self.as_num() {
            Some(n) => Value::Float(n.as_f64()),
            None => Value::Null,
        }
    }

    /// `toString`: the text, or null.
    pub fn to_text_value(&self) -> Value {
        match self {
            Value::Null => Value::Null,
            Value::Str(_) => self.clone(),
            other => other.text().map(|t| Value::str(&t)).unwrap_or(Value::Null),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(Arc::from(s))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_text())
    }
}

/// An arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

/// Arithmetic (SPEC §3): numeric strings convert; int op int is checked and
/// falls back to the float result on overflow; `/` is always a float; null
/// or non-numeric operands give null.
pub fn arith(op: ArithOp, a: &Value, b: &Value) -> Value {
    let (x, y) = match (a.as_num(), b.as_num()) {
        (Some(x), Some(y)) => (x, y),
        _ => return Value::Null,
    };
    if let (Num::Int(i), Num::Int(j)) = (x, y) {
        let exact = match op {
            ArithOp::Add => i.checked_add(j),
            ArithOp::Sub => i.checked_sub(j),
            ArithOp::Mul => i.checked_mul(j),
            ArithOp::Div => None,
            // i64::MIN % -1 overflows in checked_rem but is 0 mathematically.
            ArithOp::Rem if j == -1 => Some(0),
            ArithOp::Rem => i.checked_rem(j),
        };
        if let Some(v) = exact {
            return Value::Int(v);
        }
    }
    let (f, g) = (x.as_f64(), y.as_f64());
    Value::Float(match op {
        ArithOp::Add => f + g,
        ArithOp::Sub => f - g,
        ArithOp::Mul => f * g,
        ArithOp::Div => f / g,
        ArithOp::Rem => f % g,
    })
}

/// Unary minus: numeric strings convert; `-i64::MIN` becomes a float.
pub fn negate(a: &Value) -> Value {
    match a.as_num() {
        Some(Num::Int(i)) => match i.checked_neg() {
            Some(n) => Value::Int(n),
            None => Value::Float(-(i as f64)),
        },
        Some(Num::Float(f)) => Value::Float(-f),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn numeric_strings() {
        assert_eq!(parse_numeric(" 42 "), Some(Num::Int(42)));
        assert_eq!(parse_numeric("-1.5e3"), Some(Num::Float(-1500.0)));
        assert_eq!(parse_numeric(".5"), Some(Num::Float(0.5)));
        assert_eq!(parse_numeric("1,000"), None);
        assert_eq!(parse_numeric("0x10"), None);
        assert_eq!(parse_numeric("5m"), None);
        assert_eq!(parse_numeric("inf"), None);
        assert_eq!(parse_numeric("NaN"), None);
        assert_eq!(parse_numeric(""), None);
        assert_eq!(parse_numeric("-"), None);
        assert_eq!(parse_numeric("1e"), None);
        assert_eq!(
            parse_numeric("9223372036854775808"),
            Some(Num::Float(9_223_372_036_854_775_808.0))
        );
    }

    #[test]
    fn equality_rules() {
        assert!(Value::Null.equals(&Value::Null));
        assert!(!Value::Null.equals(&s("x")));
        assert!(!s("").equals(&Value::Null));
        assert!(Value::Int(1883).equals(&s("1883")));
        assert!(s("1883").equals(&Value::Int(1883)));
        assert!(Value::Int(2).equals(&Value::Float(2.0)));
        assert!(!s("1.0").equals(&s("1")));
        assert!(!s("ABC").equals(&s("abc")));
        assert!(Value::Bool(true).equals(&s("true")));
        assert!(!Value::Int(5).equals(&s("abc")));
        assert!(!Value::Float(f64::NAN).equals(&Value::Float(f64::NAN)));
    }

    #[test]
    fn ordering_rules() {
        assert_eq!(s("10").compare(&Value::Int(9)), Some(Ordering::Greater));
        assert_eq!(s("10").compare(&s("9")), Some(Ordering::Greater));
        assert_eq!(s("10").compare(&s("abc")), None);
        assert_eq!(Value::Null.compare(&Value::Int(1)), None);
        assert_eq!(s("b").compare(&s("a")), Some(Ordering::Greater));
        assert_eq!(
            Value::Int(i64::MAX).compare(&Value::Float(9.3e18)),
            Some(Ordering::Less)
        );
        assert_eq!(
            Value::Int(3).compare(&Value::Float(3.5)),
            Some(Ordering::Less)
        );
        assert_eq!(
            Value::Int(-3).compare(&Value::Float(-3.5)),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn sort_order_across_types() {
        let mut v = [
            Value::Null,
            Value::Bool(true),
            s("b"),
            Value::Float(f64::NAN),
            Value::Int(10),
            s("9"),
            Value::Bool(false),
            s("a"),
        ];
        v.sort_by(|a, b| a.sort_cmp(b));
        let texts: Vec<String> = v.iter().map(|x| x.display_text().into_owned()).collect();
        assert_eq!(texts, ["9", "10", "NaN", "a", "b", "false", "true", ""]);
    }

    #[test]
    fn truthiness() {
        assert!(Value::Bool(true).truthy());
        assert!(s("TRUE").truthy());
        assert!(!s("yes").truthy());
        assert!(!Value::Int(1).truthy());
        assert!(!Value::Null.truthy());
    }

    #[test]
    fn arithmetic() {
        assert!(matches!(
            arith(ArithOp::Add, &Value::Int(2), &s("3")),
            Value::Int(5)
        ));
        assert!(matches!(
            arith(ArithOp::Add, &Value::Int(i64::MAX), &Value::Int(1)),
            Value::Float(_)
        ));
        assert!(matches!(
            arith(ArithOp::Div, &Value::Int(6), &Value::Int(3)),
            Value::Float(f) if f == 2.0
        ));
        assert!(matches!(
            arith(ArithOp::Div, &Value::Int(1), &Value::Int(0)),
            Value::Float(f) if f.is_infinite()
        ));
        assert!(matches!(
            arith(ArithOp::Rem, &Value::Int(i64::MIN), &Value::Int(-1)),
            Value::Int(0)
        ));
        assert!(matches!(
            arith(ArithOp::Rem, &Value::Int(1), &Value::Int(0)),
            Value::Float(f) if f.is_nan()
        ));
        assert!(arith(ArithOp::Add, &s("a"), &Value::Int(1)).is_null());
        assert!(arith(ArithOp::Add, &Value::Null, &Value::Int(1)).is_null());
        assert!(matches!(negate(&Value::Int(i64::MIN)), Value::Float(_)));
    }

    #[test]
    fn text_of_values() {
        assert_eq!(Value::Float(500.0).display_text(), "500.0");
        assert_eq!(Value::Float(1e30).display_text(), "1e30");
        assert_eq!(Value::Float(3.5).display_text(), "3.5");
        assert_eq!(Value::Int(-7).display_text(), "-7");
        assert!(Value::Null.text().is_none());
    }

    #[test]
    fn casts() {
        assert!(matches!(s("12").to_num(), Value::Int(12)));
        assert!(matches!(s("1.5").to_num(), Value::Float(_)));
        assert!(s("x").to_num().is_null());
        assert!(matches!(s("1.9").to_long(), Value::Int(1)));
        assert!(matches!(s("-1.9").to_long(), Value::Int(-1)));
        assert!(Value::Float(1e300).to_long().is_null());
    }
}
