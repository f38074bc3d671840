//! Durations written as Sumo writes them in stage arguments (`10m`, `1d`,
//! `500ms`, `1.5h`): milliseconds, and back to text for column names.

const UNITS: &[(&str, f64)] = &[
    ("ms", 1.0),
    ("us", 1e-3),
    ("ns", 1e-6),
    ("s", 1e3),
    ("m", 60e3),
    ("h", 3600e3),
    ("d", 86400e3),
    ("w", 7.0 * 86400e3),
];

/// Milliseconds of `<number><unit>`; `None` without a known unit, for a
/// value that is not positive, or past ±2^53 ms.
pub fn parse_duration(text: &str) -> Option<i64> {
    let t = text.trim();
    let (unit, factor) = UNITS
        .iter()
        .filter(|(u, _)| t.ends_with(u))
        .max_by_key(|(u, _)| u.len())?;
    let digits = &t[..t.len() - unit.len()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let v = digits.parse::<f64>().ok()? * factor;
    if (1.0..9.0e15).contains(&v) {
        Some(v.round() as i64)
    } else {
        None
    }
}

/// A duration as the shortest whole text Sumo would write: `1d`, `90m`,
/// `7d`, `2w`, `1500ms`.
pub fn format_duration(ms: i64) -> String {
    for (unit, f) in [
        ("w", 7 * 86_400_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
    ] {
        if ms != 0 && ms % f == 0 {
            return format!("{}{unit}", ms / f);
        }
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(parse_duration("10m"), Some(600_000));
        assert_eq!(parse_duration("1.5h"), Some(5_400_000));
        assert_eq!(parse_duration("250ms"), Some(250));
        assert_eq!(parse_duration("1d"), Some(86_400_000));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("0m"), None);
        assert_eq!(parse_duration("xm"), None);
        assert_eq!(format_duration(86_400_000), "1d");
        assert_eq!(format_duration(7 * 86_400_000), "1w");
        assert_eq!(format_duration(5 * 86_400_000), "5d");
        assert_eq!(format_duration(3_000_000), "50m");
        assert_eq!(format_duration(1500), "1500ms");
    }
}
