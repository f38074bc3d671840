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

/// `parseDate(text[, pattern[, zone]])`, with the pattern read at plan
/// time.
pub fn parse_date(text: &Value, pattern: Option<&time::DatePattern>, zone: Option<&str>) -> Value {
    let Some(t) = text.text() else {
        return Value::Null;
    };
    let ms = match pattern {
        Some(p) => p.parse(&t, zone),
        None => time::parse_date(&t, None, zone),
    };
    ms.map(Value::Int).unwrap_or(Value::Null)
}

/// `fromMillis(ms)` / `toMillis(ms)`: sumoq's times are epoch milliseconds,
/// so this is the value as an int.
pub fn from_millis(a: &[Value]) -> Value {
    a.first().map(Value::to_long).unwrap_or(Value::Null)
}

/// `fromSeconds(s)`: epoch seconds to epoch milliseconds.
pub fn from_seconds(a: &[Value]) -> Value {
    match a.first().and_then(Value::as_num) {
        Some(crate::value::Num::Int(i)) => {
            i.checked_mul(1000).map(Value::Int).unwrap_or(Value::Null)
        }
        Some(crate::value::Num::Float(f))
            if (f * 1000.0).is_finite() && (f * 1000.0).abs() < 9.0e18 =>
        {
            Value::Int((f * 1000.0) as i64)
        }
        _ => Value::Null,
    }
}

/// The length of the search time range offline: Sumo's default range, the
/// last 15 minutes.
pub const QUERY_RANGE_MS: i64 = 15 * 60 * 1000;
