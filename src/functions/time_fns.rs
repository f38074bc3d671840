//! Time functions whose pattern and zone arguments are checked by the
//! planner; the work is done by [`crate::time`].

use crate::time;
use crate::value::Value;

/// `formatDate(ms, pattern[, zone])`.
pub fn format_date(ms: &Value, pattern: &str, zone: Option<&str>) -> Value {
    // The argument is epoch milliseconds as given, not a magnitude guess:
    // `formatDate(86400000, ...)` is one day after the epoch.
    let t = match ms.as_num() {
        Some(crate::value::Num::Int(i)) => Some(i),
        Some(crate::value::Num::Float(f)) if f.is_finite() && f.abs() < 9.0e18 => Some(f as i64),
        Some(_) => None,
        None => ms.text().and_then(|s| time::parse_time_text(&s)),
    };
    match t {
        Some(t) => time::format_date(t, pattern, zone)
            .map(Value::from)
            .unwrap_or(Value::Null),
        None => Value::Null,
    }
}

/// `parseDate(text[, pattern[, zone]])`.
pub fn parse_date(text: &Value, pattern: Option<&str>, zone: Option<&str>) -> Value {
    match text.text() {
        Some(t) => time::parse_date(&t, pattern, zone)
            .map(Value::Int)
            .unwrap_or(Value::Null),
        None => Value::Null,
    }
}
