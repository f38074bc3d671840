//! Time: reading time text and epoch numbers, Java date patterns for
//! `formatDate` / `parseDate`, time zones, and slicing (SPEC §2, §5, §6).
//!
//! chrono does all calendar work (month lengths, leap years, weekdays) and
//! chrono-tz all zone rules; this module only reads text into fields and
//! writes fields out as text. Nothing here panics on any input: every
//! conversion that can fail is a checked one and returns `None`.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::format::{Fixed, Item, Numeric, Pad, Parsed};
use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone,
    Timelike, Utc,
};
use chrono_tz::{GapInfo, OffsetName, Tz};

use crate::value::{format_float, Value};

// ---------------------------------------------------------------------------
// Epoch numbers
// ---------------------------------------------------------------------------

/// Upper bounds (exclusive, on the absolute value of the integer part) that
/// tell the unit of an epoch number. Below 1e11 it is seconds (1e11 s is the
/// year 5138), below 1e14 milliseconds (1e11 ms is 1973-03-03, so
/// millisecond times before that are read as seconds), below 1e17
/// microseconds, and anything larger nanoseconds.
const SECONDS_BELOW: u128 = 100_000_000_000;
/// See [`SECONDS_BELOW`].
const MILLIS_BELOW: u128 = 100_000_000_000_000;
/// See [`SECONDS_BELOW`].
const MICROS_BELOW: u128 = 100_000_000_000_000_000;

/// The power of ten that turns an epoch number whose integer part has the
/// magnitude `int_abs` into milliseconds.
fn epoch_shift(int_abs: u128) -> i64 {
    if int_abs < SECONDS_BELOW {
        3
    } else if int_abs < MILLIS_BELOW {
        0
    } else if int_abs < MICROS_BELOW {
        -3
    } else {
        -6
    }
}

/// A number written in decimal text, kept exact: the value is
/// `±0.d1d2d3... × 10^point` with no leading zero digit.
struct Decimal {
    /// True for a leading minus sign.
    neg: bool,
    /// The significant digits (values 0..=9), leading zeros removed.
    digits: Vec<u8>,
    /// How many of `digits` stand before the decimal point (may be negative
    /// or larger than `digits.len()`).
    point: i64,
}

impl Decimal {
    /// Reads `[+-]digits[.digits][(e|E)[+-]digits]`; the whole text must be
    /// the number (surrounding white space aside).
    fn parse(s: &str) -> Option<Decimal> {
        let b = s.trim().as_bytes();
        let mut i = 0;
        let neg = match b.first() {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut digits = Vec::new();
        let mut int_len: i64 = 0;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            digits.push(c - b'0');
            int_len += 1;
            i += 1;
        }
        let mut frac_len = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                digits.push(c - b'0');
                frac_len += 1;
                i += 1;
            }
        }
        if int_len == 0 && frac_len == 0 {
            return None;
        }
        let mut exp: i64 = 0;
        if matches!(b.get(i), Some(b'e') | Some(b'E')) {
            i += 1;
            let exp_neg = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let start = i;
            while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                // Saturate: any exponent this large already makes the value
                // zero or out of range, and saturating avoids overflow.
                exp = exp.saturating_mul(10).saturating_add(i64::from(c - b'0'));
                exp = exp.min(1_000_000);
                i += 1;
            }
            if i == start {
                return None;
            }
            if exp_neg {
                exp = -exp;
            }
        }
        if i != b.len() {
            return None;
        }
        let mut point = int_len + exp;
        // Drop leading zeros so that `point` measures the magnitude.
        let lead = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..lead);
        point -= i64::try_from(lead).ok()?;
        Some(Decimal { neg, digits, point })
    }

    /// The absolute value of the integer part after moving the decimal point
    /// `shift` places to the right, truncated; `None` when it is too large
    /// for any i64 millisecond value.
    fn int_part_shifted(&self, shift: i64) -> Option<u128> {
        if self.digits.is_empty() {
            return Some(0);
        }
        let n = self.point.checked_add(shift)?;
        if n <= 0 {
            return Some(0);
        }
        // 30 digits is far past i64; stop before u128 could overflow.
        if n > 30 {
            return None;
        }
        let mut v: u128 = 0;
        for k in 0..n {
            let d = usize::try_from(k)
                .ok()
                .and_then(|k| self.digits.get(k))
                .copied()
                .unwrap_or(0);
            v = v * 10 + u128::from(d);
        }
        Some(v)
    }

    /// Epoch milliseconds, the unit told by magnitude, truncated toward zero.
    fn epoch_ms(&self) -> Option<i64> {
        let int_abs = self.int_part_shifted(0)?;
        let ms_abs = self.int_part_shifted(epoch_shift(int_abs))?;
        let ms = i128::try_from(ms_abs).ok()?;
        i64::try_from(if self.neg { -ms } else { ms }).ok()
    }
}

/// Epoch milliseconds from an integer epoch, unit by magnitude.
fn epoch_int_ms(i: i64) -> Option<i64> {
    match epoch_shift(u128::from(i.unsigned_abs())) {
        3 => i.checked_mul(1000),
        0 => Some(i),
        // Integer division truncates toward zero, as the text path does.
        -3 => Some(i / 1000),
        _ => Some(i / 1_000_000),
    }
}

// ---------------------------------------------------------------------------
// RFC 3339 / ISO 8601 text
// ---------------------------------------------------------------------------

/// A byte cursor over ASCII-structured text; every read is bounds-checked,
/// and non-ASCII bytes simply fail to match.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor {
            b: s.as_bytes(),
            i: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.b.len()
    }

    /// Consumes `c` if it is next.
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `word` (ASCII, any case) if it is next.
    fn eat_word_ci(&mut self, word: &str) -> bool {
        let end = self.i + word.len();
        match self.b.get(self.i..end) {
            Some(s) if s.eq_ignore_ascii_case(word.as_bytes()) => {
                self.i = end;
                true
            }
            _ => false,
        }
    }

    /// Exactly `n` digits as a number.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let s = self.b.get(self.i..self.i + n)?;
        let mut v: u32 = 0;
        for &c in s {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        self.i += n;
        Some(v)
    }

    /// The run of digits at the cursor (possibly empty), consumed.
    fn digit_run(&mut self) -> &'a [u8] {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.b.get(start..self.i).unwrap_or(&[])
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }
}

/// Reads a numeric UTC offset at the start of `b`: `Z`/`z`, or a sign and
/// `h`, `hh`, `hhmm`, `hhmmss`, `hh:mm` or `hh:mm:ss` (the forms Java's
/// `ZoneOffset.of` takes, plus Suricata's colon-less `-0600` and a bare
/// `+02`). Returns the offset in seconds east of UTC and the bytes used.
fn scan_offset(b: &[u8]) -> Option<(i32, usize)> {
    let mut c = Cursor { b, i: 0 };
    if c.eat(b'Z') || c.eat(b'z') {
        return Some((0, 1));
    }
    let sign = if c.eat(b'+') {
        1
    } else if c.eat(b'-') {
        -1
    } else {
        return None;
    };
    let run = c.digit_run();
    let num = |s: &[u8]| s.iter().fold(0i32, |v, &d| v * 10 + i32::from(d - b'0'));
    let (h, mut m, mut s) = match run.len() {
        1 | 2 => (num(run), 0, 0),
        4 => (num(run.get(..2)?), num(run.get(2..)?), 0),
        6 => (num(run.get(..2)?), num(run.get(2..4)?), num(run.get(4..)?)),
        _ => return None,
    };
    if run.len() <= 2 && c.peek() == Some(b':') {
        let save = c.i;
        c.i += 1;
        match c.digits(2) {
            Some(mm) => {
                m = i32::try_from(mm).ok()?;
                if c.eat(b':') {
                    s = i32::try_from(c.digits(2)?).ok()?;
                }
            }
            // A lone colon is not part of the offset.
            None => c.i = save,
        }
    }
    // Java's ZoneOffset allows at most ±18:00.
    if h > 18 || m > 59 || s > 59 || (h == 18 && (m > 0 || s > 0)) {
        return None;
    }
    Some((sign * (h * 3600 + m * 60 + s), c.i))
}

/// Reads RFC 3339 / ISO 8601 text: `yyyy-MM-dd`, optionally followed by
/// `T`, `t` or a space and `HH:mm[:ss[.fraction]]`, optionally followed by
/// `Z`, `UTC`, `GMT` or a numeric offset (white space before it allowed).
/// Returns the local date-time and the offset in seconds, if the text had
/// one. A fraction of any length is truncated to whole milliseconds.
fn parse_iso(s: &str) -> Option<(NaiveDateTime, Option<i32>)> {
    let mut c = Cursor::new(s.trim());
    let year = c.digits(4)?;
    if !c.eat(b'-') {
        return None;
    }
    let month = c.digits(2)?;
    if !c.eat(b'-') {
        return None;
    }
    let day = c.digits(2)?;
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    if c.at_end() {
        return Some((date.and_hms_opt(0, 0, 0)?, None));
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    let hour = c.digits(2)?;
    if !c.eat(b':') {
        return None;
    }
    let minute = c.digits(2)?;
    let mut second = 0;
    let mut milli = 0;
    if c.eat(b':') {
        second = c.digits(2)?;
        if c.eat(b'.') || c.eat(b',') {
            let frac = c.digit_run();
            if frac.is_empty() {
                return None;
            }
            // Truncate, never round: only the first three digits count.
            for k in 0..3 {
                let d = frac.get(k).map_or(0, |&d| u32::from(d - b'0'));
                milli = milli * 10 + d;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // A leap second (:60) is read as the first moment of the next minute.
    let leap = second == 60;
    let time = chrono::NaiveTime::from_hms_milli_opt(hour, minute, second.min(59), milli)?;
    let mut local = date.and_time(time);
    if leap {
        local = local.checked_add_signed(TimeDelta::seconds(1))?;
    }
    c.skip_spaces();
    if c.at_end() {
        return Some((local, None));
    }
    let offset = if c.eat_word_ci("UTC") || c.eat_word_ci("GMT") {
        // `UTC+02:00` style: an offset may follow the name.
        match c.b.get(c.i..).and_then(scan_offset) {
            Some((o, used)) => {
                c.i += used;
                o
            }
            None => 0,
        }
    } else {
        let (o, used) = scan_offset(c.b.get(c.i..)?)?;
        c.i += used;
        o
    };
    if !c.at_end() {
        return None;
    }
    Some((local, Some(offset)))
}

/// Epoch milliseconds of a local date-time at a fixed offset.
fn local_at_offset_ms(local: NaiveDateTime, offset_secs: i32) -> Option<i64> {
    local
        .and_utc()
        .timestamp_millis()
        .checked_sub(i64::from(offset_secs).checked_mul(1000)?)
}

/// Epoch milliseconds from time text: RFC 3339 / ISO 8601, or an epoch number written as text.
///
/// Text without a zone is UTC. An epoch number is seconds, ms, µs or ns by
/// magnitude (see [`SECONDS_BELOW`]); its fraction is truncated to whole
/// milliseconds exactly, from the decimal digits.
pub fn parse_time_text(s: &str) -> Option<i64> {
    if let Some(d) = Decimal::parse(s) {
        return d.epoch_ms();
    }
    let (local, offset) = parse_iso(s)?;
    local_at_offset_ms(local, offset.unwrap_or(0))
}

/// Epoch milliseconds from a value: Int/Float epoch numbers (unit by magnitude), Str via parse_time_text; else None.
///
/// A float is read through its shortest round-trip text so that its
/// fraction is truncated exactly as the same number written in text would be.
pub fn time_from_value(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => epoch_int_ms(*i),
        Value::Float(f) if f.is_finite() => Decimal::parse(&format_float(*f))?.epoch_ms(),
        Value::Str(s) => parse_time_text(s),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Zones
// ---------------------------------------------------------------------------

/// A resolved time zone: a tz database zone or a fixed offset.
#[derive(Clone, Copy, Debug)]
enum Zone {
    Named(Tz),
    Fixed(FixedOffset),
}

/// tz database names by lower-case name, for case-insensitive lookup
/// (queries write `"etc/utc"`); built once, on first use.
fn tz_by_lower_name() -> &'static HashMap<String, Tz> {
    static MAP: OnceLock<HashMap<String, Tz>> = OnceLock::new();
    MAP.get_or_init(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| (tz.name().to_ascii_lowercase(), *tz))
            .collect()
    })
}

/// A whole-text numeric offset (`+02:00`, `-0530`, `+2`, `Z`).
fn offset_text(s: &str) -> Option<FixedOffset> {
    let (secs, used) = scan_offset(s.as_bytes())?;
    if used != s.len() {
        return None;
    }
    FixedOffset::east_opt(secs)
}

/// Resolves a zone name: a tz database name in any case (`UTC`,
/// `America/New_York`, `Etc/GMT+5`), a numeric offset (`+02:00`, `-0530`,
/// `+2`, `Z`), or `GMT`/`UTC`/`UT` followed by an offset (`GMT+2`,
/// `UTC-05:30`) as Java's `ZoneId.of` accepts.
fn resolve_zone(zone: &str) -> Option<Zone> {
    let z = zone.trim();
    if z.is_empty() {
        return None;
    }
    if let Ok(tz) = z.parse::<Tz>() {
        return Some(Zone::Named(tz));
    }
    if let Some(tz) = tz_by_lower_name().get(&z.to_ascii_lowercase()) {
        return Some(Zone::Named(*tz));
    }
    if let Some(o) = offset_text(z) {
        return Some(Zone::Fixed(o));
    }
    for prefix in ["GMT", "UTC", "UT"] {
        let head = z.get(..prefix.len());
        if head.is_some_and(|h| h.eq_ignore_ascii_case(prefix)) {
            let rest = z.get(prefix.len()..)?;
            if rest.starts_with('+') || rest.starts_with('-') {
                return offset_text(rest).map(Zone::Fixed);
            }
        }
    }
    None
}

/// A zone for the `zone` argument of formatDate/parseDate: UTC when absent,
/// `None` when given but unknown.
fn zone_arg(zone: Option<&str>) -> Option<Zone> {
    match zone {
        None => Some(Zone::Named(Tz::UTC)),
        Some(z) => resolve_zone(z),
    }
}

/// Checks a time zone name ("UTC", "America/New_York", "+02:00", "-0530", "GMT+2") at plan time.
///
/// Accepted: tz database names in any letter case (`etc/utc` too), numeric
/// offsets (`Z`, `+2`, `+02`, `+0200`, `+02:00`, `+02:00:00`, at most
/// ±18:00), and `GMT`, `UTC` or `UT` followed by such an offset (`GMT+2`).
pub fn check_zone(zone: &str) -> Result<(), String> {
    match resolve_zone(zone) {
        Some(_) => Ok(()),
        None => Err(format!(
            "unknown time zone \"{zone}\": expected a tz database name such as \
             \"UTC\" or \"America/New_York\", or an offset such as \"+02:00\""
        )),
    }
}

/// Abbreviations that Java reads in parsed text but that are not tz names,
/// with their offsets in hours (DST variants and the like).
const PARSE_ABBREVIATIONS: &[(&str, i32)] = &[
    ("EDT", -4),
    ("CST", -6),
    ("CDT", -5),
    ("MDT", -6),
    ("PST", -8),
    ("PDT", -7),
    ("AKST", -9),
    ("AKDT", -8),
    ("BST", 1),
    ("CEST", 2),
    ("EEST", 3),
    ("WEST", 1),
];

/// A zone written in parsed text: a [`resolve_zone`] name or one of
/// [`PARSE_ABBREVIATIONS`].
fn resolve_text_zone(name: &str) -> Option<Zone> {
    resolve_zone(name).or_else(|| {
        PARSE_ABBREVIATIONS
            .iter()
            .find(|(abbr, _)| abbr.eq_ignore_ascii_case(name))
            .and_then(|(_, h)| FixedOffset::east_opt(h * 3600))
            .map(Zone::Fixed)
    })
}

/// Epoch milliseconds of a local date-time in `zone`. In an overlap (clocks
/// set back) the earlier instant is taken; in a gap (clocks set forward) the
/// time is moved later by the gap's length — both as Java's `ZonedDateTime`.
fn local_to_ms(zone: Zone, local: NaiveDateTime) -> Option<i64> {
    match zone {
        Zone::Fixed(o) => local_at_offset_ms(local, o.local_minus_utc()),
        Zone::Named(tz) => {
            if let Some(dt) = tz.from_local_datetime(&local).earliest() {
                return Some(dt.timestamp_millis());
            }
            // In a gap: read the time with the offset in force just before it.
            let (_, before) = GapInfo::new(&local, &tz)?.begin?;
            local_at_offset_ms(local, before.fix().local_minus_utc())
        }
    }
}

/// `+HH:MM` (or `+HH:MM:SS` when seconds are not zero) for an offset.
fn offset_colon(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a % 3600 / 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

/// A moment as seen in a zone: everything a pattern letter can print.
struct Moment {
    /// Wall-clock date and time in the zone.
    local: NaiveDateTime,
    /// Offset from UTC in seconds.
    offset: i32,
    /// Short zone name (`EST`, `UTC`, or the offset when the zone has none).
    abbrev: String,
    /// Zone id (`America/New_York`, or the offset for a fixed zone).
    id: String,
}

impl Moment {
    fn new(ms: i64, zone: Zone) -> Option<Moment> {
        let utc = DateTime::<Utc>::from_timestamp_millis(ms)?.naive_utc();
        let (fix, abbrev, id) = match zone {
            Zone::Fixed(o) => {
                let id = if o.local_minus_utc() == 0 {
                    "Z".to_string()
                } else {
                    offset_colon(o.local_minus_utc())
                };
                (o, id.clone(), id)
            }
            Zone::Named(tz) => {
                let off = tz.offset_from_utc_datetime(&utc);
                let fix = off.fix();
                let abbrev = match off.abbreviation() {
                    Some(a) => a.to_string(),
                    None => offset_colon(fix.local_minus_utc()),
                };
                (fix, abbrev, tz.name().to_string())
            }
        };
        // Checked: at the ends of chrono's range the local time may not exist.
        let local = utc.checked_add_offset(fix)?;
        Some(Moment {
            local,
            offset: fix.local_minus_utc(),
            abbrev,
            id,
        })
    }
}

// ---------------------------------------------------------------------------
// Java date patterns
// ---------------------------------------------------------------------------

/// The pattern letters understood (DateTimeFormatter / SimpleDateFormat):
/// era, years, months, days, weekday, am/pm, hours, minutes, seconds,
/// fraction, zones and offsets, week of week-year.
const PATTERN_LETTERS: &str = "GyYuMLdDEahHkKmsSzZXxOVw";

/// The longest run of one letter accepted; longer runs are surely mistakes
/// and would only print needless padding.
const MAX_RUN: usize = 32;

/// One element of a Java date pattern.
#[derive(Debug, PartialEq)]
enum Tok {
    /// Text printed and matched as is.
    Lit(String),
    /// A pattern letter and how many times it was repeated.
    Field(char, usize),
}

/// Splits a Java date pattern into literals and letter runs. `'text'` is
/// literal text, `''` a single quote (inside or outside quotes); any other
/// non-letter is literal; an unknown letter is an error.
fn tokenize(pattern: &str) -> Result<Vec<Tok>, String> {
    let mut toks: Vec<Tok> = Vec::new();
    let mut lit = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                lit.push('\'');
                continue;
            }
            let mut closed = false;
            while let Some(q) = chars.next() {
                if q == '\'' {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                        lit.push('\'');
                    } else {
                        closed = true;
                        break;
                    }
                } else {
                    lit.push(q);
                }
            }
            if !closed {
                return Err(format!("unterminated quote in date pattern \"{pattern}\""));
            }
        } else if c.is_ascii_alphabetic() {
            if !PATTERN_LETTERS.contains(c) {
                return Err(format!(
                    "unknown letter '{c}' in date pattern \"{pattern}\" \
                     (put literal text in single quotes, e.g. 'T')"
                ));
            }
            let mut count = 1;
            while chars.peek() == Some(&c) {
                chars.next();
                count += 1;
            }
            if count > MAX_RUN {
                return Err(format!(
                    "too many '{c}' letters ({count}) in date pattern \"{pattern}\""
                ));
            }
            if !lit.is_empty() {
                toks.push(Tok::Lit(std::mem::take(&mut lit)));
            }
            toks.push(Tok::Field(c, count));
        } else {
            lit.push(c);
        }
    }
    if !lit.is_empty() {
        toks.push(Tok::Lit(lit));
    }
    Ok(toks)
}

/// Checks a Java date pattern (SimpleDateFormat / DateTimeFormatter letters) at plan time; Err(message) says what is wrong.
///
/// Supported letters: `G y Y u M L d D E a h H k K m s S z Z X x O V w`.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    tokenize(pattern).map(|_| ())
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A name, or its first three letters when `count` < 4 (`MMM`, `EEE`).
fn name_text(name: &str, count: usize) -> &str {
    if count >= 4 {
        name
    } else {
        name.get(..3).unwrap_or(name)
    }
}

/// A number zero-padded to `width` digits, with a leading `-` if negative.
fn padded(n: i64, width: usize) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{:0width$}", n.unsigned_abs())
}

/// A year as `y` prints it: two digits for `yy`, otherwise at least
/// `count` digits.
fn year_text(year: i32, count: usize) -> String {
    if count == 2 {
        format!("{:02}", year.rem_euclid(100))
    } else {
        padded(i64::from(year), count)
    }
}

/// The week-based year and week of that year under the US rule that Java
/// uses by default: weeks start on Sunday and week 1 is the week holding
/// January 1 (so Dec 31, 2019 is in week 1 of 2020).
fn us_week(date: NaiveDate) -> Option<(i32, i64)> {
    let from_sun = i64::from(date.weekday().num_days_from_sunday());
    let saturday = date.checked_add_signed(TimeDelta::days(6 - from_sun))?;
    let week_year = saturday.year();
    let jan1 = NaiveDate::from_ymd_opt(week_year, 1, 1)?;
    let week1 = jan1.checked_sub_signed(TimeDelta::days(i64::from(
        jan1.weekday().num_days_from_sunday(),
    )))?;
    let week = date.signed_duration_since(week1).num_days() / 7 + 1;
    Some((week_year, week))
}

/// An offset as `Z`, `X` or `x` print it. `style`: 1 = `+HH` (`+HHMM` when
/// the minutes are not zero), 2 = `+HHMM`, 3 = `+HH:MM`. `zulu` prints `Z`
/// for a zero offset.
fn offset_iso(secs: i32, style: usize, zulu: bool) -> String {
    if zulu && secs == 0 {
        return "Z".to_string();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m) = (a / 3600, a % 3600 / 60);
    match style {
        1 if m == 0 => format!("{sign}{h:02}"),
        1 | 2 => format!("{sign}{h:02}{m:02}"),
        _ => format!("{sign}{h:02}:{m:02}"),
    }
}

/// An offset in Java's localized form: `GMT`, `GMT+2`, `GMT+5:30` (short)
/// or `GMT+02:00` (long).
fn offset_gmt(secs: i32, long: bool) -> String {
    if secs == 0 {
        return "GMT".to_string();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m) = (a / 3600, a % 3600 / 60);
    if long {
        format!("GMT{sign}{h:02}:{m:02}")
    } else if m == 0 {
        format!("GMT{sign}{h}")
    } else {
        format!("GMT{sign}{h}:{m:02}")
    }
}

/// Prints one pattern letter run for a moment.
fn format_field(out: &mut String, letter: char, count: usize, m: &Moment) -> Option<()> {
    let t = &m.local;
    let text = match letter {
        'G' => (if t.year() > 0 { "AD" } else { "BC" }).to_string(),
        // `y` is the year of era (year 0 is 1 BC); `u` the proleptic year.
        'y' => year_text(if t.year() > 0 { t.year() } else { 1 - t.year() }, count),
        'u' => year_text(t.year(), count),
        'Y' => year_text(us_week(t.date())?.0, count),
        'w' => padded(us_week(t.date())?.1, count),
        'M' | 'L' => match count {
            1 | 2 => padded(i64::from(t.month()), count),
            _ => name_text(MONTHS.get(t.month0() as usize)?, count).to_string(),
        },
        'd' => padded(i64::from(t.day()), count),
        'D' => padded(i64::from(t.ordinal()), count),
        'E' => {
            let day = WEEKDAYS.get(t.weekday().num_days_from_monday() as usize)?;
            name_text(day, count).to_string()
        }
        'a' => (if t.hour() < 12 { "AM" } else { "PM" }).to_string(),
        'H' => padded(i64::from(t.hour()), count),
        'h' => padded(i64::from(t.hour12().1), count),
        'k' => padded(i64::from(if t.hour() == 0 { 24 } else { t.hour() }), count),
        'K' => padded(i64::from(t.hour() % 12), count),
        'm' => padded(i64::from(t.minute()), count),
        's' => padded(i64::from(t.second()), count),
        'S' => {
            // A fraction of the second: its first `count` digits, truncated.
            let nanos = format!("{:09}", t.nanosecond().min(999_999_999));
            let mut f: String = nanos.chars().take(count).collect();
            while f.len() < count {
                f.push('0');
            }
            f
        }
        'z' if count < 4 => m.abbrev.clone(),
        // Java prints a long name ("Eastern Standard Time"); the zone id is
        // the closest text chrono-tz has.
        'z' | 'V' => m.id.clone(),
        'Z' => match count {
            1..=3 => offset_iso(m.offset, 2, false),
            4 => offset_gmt(m.offset, true),
            _ => offset_iso(m.offset, 3, true),
        },
        'X' => offset_iso(m.offset, count, true),
        'x' => offset_iso(m.offset, count, false),
        'O' => offset_gmt(m.offset, count >= 4),
        _ => return None,
    };
    out.push_str(&text);
    Some(())
}

/// formatDate(ms, pattern[, tz]): UTC unless a zone is given.
///
/// `None` for an invalid pattern, an unknown zone, or a time outside
/// chrono's range.
pub fn format_date(ms: i64, pattern: &str, zone: Option<&str>) -> Option<String> {
    let toks = tokenize(pattern).ok()?;
    let moment = Moment::new(ms, zone_arg(zone)?)?;
    let mut out = String::new();
    for tok in &toks {
        match tok {
            Tok::Lit(s) => out.push_str(s),
            Tok::Field(c, n) => format_field(&mut out, *c, *n, &moment)?,
        }
    }
    Some(out)
}

/// One step of reading text by a pattern: a chrono format item, or a field
/// chrono cannot read the Java way, read here.
#[derive(Clone, Debug)]
enum Step<'a> {
    /// Read by `chrono::format::parse_and_remainder`.
    Chrono(Item<'a>),
    /// Fraction of a second: exactly `count` digits when another number
    /// follows directly, otherwise every digit there is.
    Fraction { count: usize, greedy: bool },
    /// `k`: hour 1-24 (24 is midnight).
    Hour1To24,
    /// `K`: hour 0-11, with am/pm.
    Hour0To11,
    /// `Z`, `X`, `x`, `O`: a numeric or `GMT+h` offset.
    Offset,
    /// `z`, `V`: a zone name or abbreviation.
    ZoneName,
    /// `G`: the era; only `AD`/`CE` (a BC year is not supported).
    Era,
    /// `w`: week of the year, read and ignored (y-M-d give the date).
    SkipNumber,
}

/// Whether a pattern element reads digits, so that a fraction right before
/// it must stop after its own count of digits.
fn is_numeric(tok: Option<&Tok>) -> bool {
    match tok {
        Some(Tok::Field(c, n)) => match c {
            'M' | 'L' => *n <= 2,
            _ => "yYudDhHkKmsSw".contains(*c),
        },
        _ => false,
    }
}

/// Translates pattern elements to reading steps. White space in literals
/// becomes chrono's `Space`, which matches any run of white space.
fn parse_steps(toks: &[Tok]) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for (k, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Lit(s) => {
                let mut rest = s.as_str();
                while !rest.is_empty() {
                    let ws = rest.len() - rest.trim_start().len();
                    if ws > 0 {
                        steps.push(Step::Chrono(Item::Space("")));
                        rest = rest.get(ws..).unwrap_or("");
                        continue;
                    }
                    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    steps.push(Step::Chrono(Item::Literal(rest.get(..end).unwrap_or(""))));
                    rest = rest.get(end..).unwrap_or("");
                }
            }
            Tok::Field(c, n) => {
                let num = |n: Numeric| Step::Chrono(Item::Numeric(n, Pad::Zero));
                steps.push(match (*c, *n) {
                    ('y' | 'u', 2) => num(Numeric::YearMod100),
                    // Week-based year read as the calendar year: close
                    // enough for the day-month-year texts it appears in.
                    ('y' | 'u' | 'Y', _) => num(Numeric::Year),
                    ('M' | 'L', 1 | 2) => num(Numeric::Month),
                    // Reads both `Jan` and `January`, any case.
                    ('M' | 'L', _) => Step::Chrono(Item::Fixed(Fixed::LongMonthName)),
                    ('d', _) => num(Numeric::Day),
                    ('D', _) => num(Numeric::Ordinal),
                    ('E', _) => Step::Chrono(Item::Fixed(Fixed::LongWeekdayName)),
                    ('a', _) => Step::Chrono(Item::Fixed(Fixed::UpperAmPm)),
                    ('H', _) => num(Numeric::Hour),
                    ('h', _) => num(Numeric::Hour12),
                    ('m', _) => num(Numeric::Minute),
                    ('s', _) => num(Numeric::Second),
                    ('k', _) => Step::Hour1To24,
                    ('K', _) => Step::Hour0To11,
                    ('S', count) => Step::Fraction {
                        count,
                        greedy: !is_numeric(toks.get(k + 1)),
                    },
                    ('Z' | 'X' | 'x' | 'O', _) => Step::Offset,
                    ('z' | 'V', _) => Step::ZoneName,
                    ('G', _) => Step::Era,
                    _ => Step::SkipNumber,
                });
            }
        }
    }
    steps
}

/// The leading ASCII digits of `s` (at most `max`) and the rest.
fn leading_digits(s: &str, max: usize) -> (&str, &str) {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    (s.get(..n).unwrap_or(""), s.get(n..).unwrap_or(""))
}

/// Reads an offset at the start of `s`: `Z`, a numeric offset, or `GMT`,
/// `UTC` or `UT` optionally followed by one.
fn read_offset(s: &str) -> Option<(i32, &str)> {
    for prefix in ["GMT", "UTC", "UT"] {
        if s.get(..prefix.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
        {
            let rest = s.get(prefix.len()..)?;
            return Some(match scan_offset(rest.as_bytes()) {
                // `GMTZ` is not an offset: only a signed one may follow the name.
                Some((o, used)) if !rest.starts_with(['Z', 'z']) => (o, rest.get(used..)?),
                _ => (0, rest),
            });
        }
    }
    let (o, used) = scan_offset(s.as_bytes())?;
    Some((o, s.get(used..)?))
}

/// Reads a zone name at the start of `s`: the longest run of name
/// characters that names a zone, or its leading letters (`PST` in `PST8`).
fn read_zone_name(s: &str) -> Option<(Zone, &str)> {
    let name_char = |c: char| c.is_ascii_alphanumeric() || "/_+-:".contains(c);
    let end = s.find(|c: char| !name_char(c)).unwrap_or(s.len());
    let word = s.get(..end)?;
    if let Some(z) = resolve_text_zone(word) {
        return Some((z, s.get(end..)?));
    }
    let alpha_end = s
        .find(|c: char| !(c.is_ascii_alphabetic() || c == '/' || c == '_'))
        .unwrap_or(s.len());
    let z = resolve_text_zone(s.get(..alpha_end)?)?;
    Some((z, s.get(alpha_end..)?))
}

/// What the custom steps found besides chrono's fields.
#[derive(Default)]
struct Extra {
    /// An offset read from the text.
    offset: Option<i32>,
    /// A zone named in the text.
    zone: Option<Zone>,
}

/// Runs one custom step on `s`, returning the rest of the text.
fn run_custom<'t>(
    step: &Step<'_>,
    s: &'t str,
    parsed: &mut Parsed,
    extra: &mut Extra,
) -> Option<&'t str> {
    match step {
        Step::Chrono(_) => None,
        Step::Fraction { count, greedy } => {
            let (digits, rest) = leading_digits(s, if *greedy { usize::MAX } else { *count });
            if digits.is_empty() || (!greedy && digits.len() < *count) {
                return None;
            }
            // Nanoseconds from the first nine digits; later ones are below
            // a nanosecond and are dropped (truncated).
            let mut nanos: i64 = 0;
            for k in 0..9 {
                let d = digits.as_bytes().get(k).map_or(0, |&d| i64::from(d - b'0'));
                nanos = nanos * 10 + d;
            }
            parsed.set_nanosecond(nanos).ok()?;
            Some(rest)
        }
        Step::Hour1To24 | Step::Hour0To11 => {
            let (digits, rest) = leading_digits(s, 2);
            let v: i64 = digits.parse().ok()?;
            if matches!(step, Step::Hour1To24) {
                if !(1..=24).contains(&v) {
                    return None;
                }
                parsed.set_hour(v % 24).ok()?;
            } else {
                if !(0..=11).contains(&v) {
                    return None;
                }
                // chrono's 12-hour clock counts 1-12, 12 standing for 0.
                parsed.set_hour12(if v == 0 { 12 } else { v }).ok()?;
            }
            Some(rest)
        }
        Step::Offset => {
            let (o, rest) = read_offset(s)?;
            extra.offset = Some(o);
            Some(rest)
        }
        Step::ZoneName => {
            let (z, rest) = read_zone_name(s)?;
            extra.zone = Some(z);
            Some(rest)
        }
        Step::Era => ["AD", "CE"].iter().find_map(|e| {
            s.get(..2)
                .filter(|h| h.eq_ignore_ascii_case(e))
                .and_then(|_| s.get(2..))
        }),
        Step::SkipNumber => {
            let (digits, rest) = leading_digits(s, 2);
            (!digits.is_empty()).then_some(rest)
        }
    }
}

/// Fills in what a pattern left out, as Java's SimpleDateFormat does:
/// the year 1970, January, the 1st, midnight.
fn fill_defaults(p: &mut Parsed) -> Option<()> {
    let has_year = p.year().is_some() || p.year_mod_100().is_some() || p.year_div_100().is_some();
    if !has_year {
        p.set_year(1970).ok()?;
    }
    if p.ordinal().is_none() {
        if p.month().is_none() {
            p.set_month(1).ok()?;
        }
        if p.day().is_none() {
            p.set_day(1).ok()?;
        }
    }
    match (p.hour_div_12(), p.hour_mod_12()) {
        (None, None) => p.set_hour(0).ok()?,
        // `hh` without `a`: a morning hour.
        (None, Some(_)) => p.set_ampm(false).ok()?,
        _ => {}
    }
    if p.minute().is_none() {
        p.set_minute(0).ok()?;
    }
    if p.second().is_none() {
        p.set_second(0).ok()?;
    }
    Some(())
}

impl Step<'_> {
    /// The step without borrowing the pattern's text.
    fn into_owned(self) -> Step<'static> {
        match self {
            Step::Chrono(item) => Step::Chrono(item.to_owned()),
            Step::Fraction { count, greedy } => Step::Fraction { count, greedy },
            Step::Hour1To24 => Step::Hour1To24,
            Step::Hour0To11 => Step::Hour0To11,
            Step::Offset => Step::Offset,
            Step::ZoneName => Step::ZoneName,
            Step::Era => Step::Era,
            Step::SkipNumber => Step::SkipNumber,
        }
    }
}

/// A Java date pattern read once, so that reading many texts by it (a
/// `parseDate` over every record) does not read the pattern each time.
#[derive(Clone, Debug)]
pub struct DatePattern {
    steps: Vec<Step<'static>>,
}

impl DatePattern {
    /// Reads a pattern; the error says what is wrong with it, as
    /// [`check_pattern`] does.
    pub fn new(pattern: &str) -> Result<DatePattern, String> {
        let toks = tokenize(pattern)?;
        let steps = parse_steps(&toks)
            .into_iter()
            .map(Step::into_owned)
            .collect();
        Ok(DatePattern { steps })
    }

    /// [`parse_date`] by this pattern.
    pub fn parse(&self, text: &str, zone: Option<&str>) -> Option<i64> {
        read_steps(text, &self.steps, zone_arg(zone)?)
    }
}

/// Reads `text` by a Java pattern; returns epoch ms. Text after the last
/// pattern element is ignored, as SimpleDateFormat does.
fn parse_with_pattern(text: &str, pattern: &str, zone: Zone) -> Option<i64> {
    let toks = tokenize(pattern).ok()?;
    read_steps(text, &parse_steps(&toks), zone)
}

/// Reads `text` by a pattern's steps (see [`parse_with_pattern`]).
fn read_steps(text: &str, steps: &[Step<'_>], zone: Zone) -> Option<i64> {
    let mut parsed = Parsed::new();
    let mut extra = Extra::default();
    let mut rest = text;
    for step in steps {
        rest = match step {
            Step::Chrono(item) => {
                chrono::format::parse_and_remainder(&mut parsed, rest, std::iter::once(item))
                    .ok()?
            }
            _ => run_custom(step, rest, &mut parsed, &mut extra)?,
        };
    }
    fill_defaults(&mut parsed)?;
    let date = parsed.to_naive_date().ok()?;
    let time = parsed.to_naive_time().ok()?;
    let local = date.and_time(time);
    match (extra.offset, extra.zone) {
        (Some(o), _) => local_at_offset_ms(local, o),
        (None, Some(z)) => local_to_ms(z, local),
        (None, None) => local_to_ms(zone, local),
    }
}

/// parseDate(text, pattern[, tz]) -> epoch ms; a text without zone info is read in `zone` (UTC default). pattern None = read as RFC 3339 / ISO 8601 like parse_time_text.
///
/// With a pattern, fields the pattern lacks default as in Java (1970,
/// January, the 1st, midnight) and text after the pattern is ignored.
/// Without one, an epoch number is absolute and ISO text with an offset is
/// read at that offset. `None` when the text does not match, the pattern is
/// invalid, or the zone is unknown.
pub fn parse_date(text: &str, pattern: Option<&str>, zone: Option<&str>) -> Option<i64> {
    let zone = zone_arg(zone)?;
    match pattern {
        Some(p) => parse_with_pattern(text, p, zone),
        None => {
            if let Some(d) = Decimal::parse(text) {
                return d.epoch_ms();
            }
            match parse_iso(text)? {
                (local, Some(o)) => local_at_offset_ms(local, o),
                (local, None) => local_to_ms(zone, local),
            }
        }
    }
}

/// Current time, epoch ms.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

thread_local! {
    /// The time the query being planned on this thread started.
    static QUERY_NOW: std::cell::Cell<Option<i64>> = const { std::cell::Cell::new(None) };
}

/// Holds one "now" for the planning of one query, so that `now()`,
/// `queryStartTime()` and `queryEndTime()` agree to the millisecond
/// (reading the clock for each could cross a millisecond between them).
pub struct QueryClock(Option<i64>);

impl QueryClock {
    /// Fixes "now" on this thread until the clock is dropped.
    pub fn start() -> QueryClock {
        let before = QUERY_NOW.with(|c| c.replace(Some(now_ms())));
        QueryClock(before)
    }
}

impl Drop for QueryClock {
    fn drop(&mut self) {
        QUERY_NOW.with(|c| c.set(self.0));
    }
}

/// The query's "now": fixed while a [`QueryClock`] is held, else the clock.
pub fn query_now_ms() -> i64 {
    QUERY_NOW.with(|c| c.get()).unwrap_or_else(now_ms)
}

/// Floors ms to a multiple of `slice_ms` (aligned to UTC epoch), correct for negative times.
///
/// A `slice_ms` of zero or less leaves `ms` unchanged; a floor below the
/// i64 range saturates.
pub fn floor_to(ms: i64, slice_ms: i64) -> i64 {
    if slice_ms <= 0 {
        return ms;
    }
    // rem_euclid is never negative, so this floors rather than truncates.
    ms.saturating_sub(ms.rem_euclid(slice_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms() {
        let cases: &[(&str, i64)] = &[
            ("2019-02-16T10:01:45.887Z", 1_550_311_305_887),
            // Sysmon: space, no zone means UTC.
            ("2019-02-16 10:01:45.887", 1_550_311_305_887),
            // Python str(datetime) with a colon offset.
            ("2019-02-16 10:01:46.884037+00:00", 1_550_311_306_884),
            // Suricata: colon-less offset, six fraction digits.
            ("2015-03-29T11:01:38.221126-0600", 1_427_648_498_221),
            ("2015-03-29T11:01:38.221126-06:00", 1_427_648_498_221),
            ("2015-03-29T17:01:38.221126Z", 1_427_648_498_221),
            ("2020-09-22", 1_600_732_800_000),
            ("2020-09-22 14:10:10", 1_600_783_810_000),
            ("2020-09-22T14:10:10", 1_600_783_810_000),
            ("2020-09-22t14:10:10z", 1_600_783_810_000),
            ("2020-09-22T16:10:10+02", 1_600_783_810_000),
            ("2020-09-22T16:10:10+0200", 1_600_783_810_000),
            ("2020-09-22T16:10:10+02:00", 1_600_783_810_000),
            ("2020-09-22T14:10", 1_600_783_800_000),
            ("2020-09-22T14:10:10 UTC", 1_600_783_810_000),
            ("2020-09-22T14:10:10 +0000", 1_600_783_810_000),
            ("  2020-09-22T14:10:10Z  ", 1_600_783_810_000),
            // Fraction of any length, truncated, comma allowed.
            ("2020-09-22T14:10:10.9999999999Z", 1_600_783_810_999),
            ("2020-09-22T14:10:10.5Z", 1_600_783_810_500),
            ("2020-09-22T14:10:10,25Z", 1_600_783_810_250),
            ("1969-12-31T23:59:59.999Z", -1),
            ("1970-01-01T00:00:00Z", 0),
            // Leap second rolls into the next minute.
            ("2016-12-31T23:59:60Z", 1_483_228_800_000),
            ("2000-02-29T00:00:00Z", 951_782_400_000),
        ];
        for (text, want) in cases {
            assert_eq!(parse_time_text(text), Some(*want), "{text}");
        }
    }

    #[test]
    fn iso_rejects() {
        for text in [
            "",
            " ",
            "abc",
            "12abc",
            "2019-02-30",
            "2019-13-01",
            "2019-02-16T25:00:00Z",
            "2019-02-16T10:61:00Z",
            "2019-02-16T10:01:45.Z",
            "2019-02-16T10:01:45+2500",
            "2019-02-16T10:01:45+02:0",
            "2019-02-16T10:01:45Zjunk",
            "2019-02-16X10:01:45",
            "2019-2-16",
            "1.2.3",
            "--1",
            "1e",
            "NaN",
            "Infinity",
            "日本語",
            "2019-02-16T10:01:45.887Z\u{e9}",
            "２０１９-02-16",
        ] {
            assert_eq!(parse_time_text(text), None, "{text:?}");
        }
    }

    #[test]
    fn epoch_text_units_and_exact_fraction() {
        let cases: &[(&str, i64)] = &[
            ("1655109197.217999", 1_655_109_197_217),
            ("1655071198.444458", 1_655_071_198_444),
            ("1655109197", 1_655_109_197_000),
            ("1655109197217", 1_655_109_197_217),
            ("1655109197217.9", 1_655_109_197_217),
            ("1655109197217999", 1_655_109_197_217),
            ("1655109197217999999", 1_655_109_197_217),
            ("0", 0),
            ("-1.5", -1_500),
            ("-1655109197.217999", -1_655_109_197_217),
            ("+12.0009", 12_000),
            (".5", 500),
            ("1.6551091972179999e9", 1_655_109_197_217),
            ("1.6551091972179999e18", 1_655_109_197_217),
            ("1e-30", 0),
            // Thresholds: just below and at each boundary.
            ("99999999999", 99_999_999_999_000),
            ("100000000000", 100_000_000_000),
            ("99999999999999", 99_999_999_999_999),
            ("100000000000000", 100_000_000_000),
            ("99999999999999999", 99_999_999_999_999),
            ("100000000000000000", 100_000_000_000),
            ("9223372036854775807", 9_223_372_036_854),
        ];
        for (text, want) in cases {
            assert_eq!(parse_time_text(text), Some(*want), "{text}");
        }
        for text in [
            "1e400",
            "99999999999999999999999999999999",
            "1e1000000000000000000",
            "-1e40",
        ] {
            assert_eq!(parse_time_text(text), None, "{text}");
        }
    }

    #[test]
    fn values() {
        assert_eq!(
            time_from_value(&Value::Int(1_655_109_197)),
            Some(1_655_109_197_000)
        );
        assert_eq!(
            time_from_value(&Value::Int(1_655_109_197_217)),
            Some(1_655_109_197_217)
        );
        assert_eq!(
            time_from_value(&Value::Int(1_655_109_197_217_999)),
            Some(1_655_109_197_217)
        );
        assert_eq!(
            time_from_value(&Value::Int(1_655_109_197_217_999_999)),
            Some(1_655_109_197_217)
        );
        assert_eq!(time_from_value(&Value::Int(-2)), Some(-2_000));
        assert_eq!(
            time_from_value(&Value::Int(i64::MIN)),
            Some(i64::MIN / 1_000_000)
        );
        assert_eq!(
            time_from_value(&Value::Float(1_655_109_197.217_999)),
            Some(1_655_109_197_217)
        );
        assert_eq!(
            time_from_value(&Value::Float(1_655_071_198.444_458)),
            Some(1_655_071_198_444)
        );
        assert_eq!(time_from_value(&Value::Float(-0.5)), Some(-500));
        assert_eq!(time_from_value(&Value::Float(1e300)), None);
        assert_eq!(time_from_value(&Value::Float(f64::NAN)), None);
        assert_eq!(time_from_value(&Value::Float(f64::INFINITY)), None);
        assert_eq!(
            time_from_value(&Value::str("2019-02-16 10:01:45.887")),
            Some(1_550_311_305_887)
        );
        assert_eq!(time_from_value(&Value::Null), None);
        assert_eq!(time_from_value(&Value::Bool(true)), None);
    }

    #[test]
    fn patterns_checked() {
        for p in [
            "yyyy-MM-dd HH:mm:ss",
            "MM/dd/yyyy HH:mm:ss:SSS Z",
            "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
            "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
            "EEE, d MMM yyyy hh:mm a z",
            "MMddYYYHHmm",
            "'o''clock' ''",
            "",
        ] {
            assert_eq!(check_pattern(p), Ok(()), "{p}");
        }
        assert!(check_pattern("yyyy-MM-ddTHH").is_err_and(|e| e.contains("'T'")));
        assert!(check_pattern("yyyy 'unterminated").is_err());
        assert!(check_pattern("qqq").is_err());
        assert!(check_pattern(&"y".repeat(33)).is_err());
    }

    #[test]
    fn zones_checked() {
        for z in [
            "UTC",
            "utc",
            "etc/utc",
            "Etc/UTC",
            "America/New_York",
            "america/los_angeles",
            "Etc/GMT+5",
            "+02:00",
            "-0530",
            "+2",
            "+02",
            "Z",
            "GMT+2",
            "UTC-05:30",
            "GMT",
            "EST",
        ] {
            assert_eq!(check_zone(z), Ok(()), "{z}");
        }
        for z in [
            "",
            "Mars/Olympus",
            "+25:00",
            "+02:0",
            "GMT+",
            "PST8",
            "日本",
        ] {
            assert!(check_zone(z).is_err(), "{z}");
        }
    }

    const T: i64 = 1_550_311_305_887; // 2019-02-16T10:01:45.887Z, a Saturday

    #[test]
    fn format_basic() {
        let f = |p: &str| format_date(T, p, None);
        assert_eq!(
            f("yyyy-MM-dd HH:mm:ss").as_deref(),
            Some("2019-02-16 10:01:45")
        );
        assert_eq!(
            f("MM/dd/yyyy HH:mm:ss:SSS").as_deref(),
            Some("02/16/2019 10:01:45:887")
        );
        assert_eq!(
            f("MMM/dd/yyyy HH:mm:ss:SSS Z").as_deref(),
            Some("Feb/16/2019 10:01:45:887 +0000")
        );
        assert_eq!(f("yy-M-d H:m:s").as_deref(), Some("19-2-16 10:1:45"));
        assert_eq!(
            f("MMMM EEEE EEE E").as_deref(),
            Some("February Saturday Sat Sat")
        );
        assert_eq!(f("hh:mm a h").as_deref(), Some("10:01 AM 10"));
        assert_eq!(f("S SS SSSS SSSSSS").as_deref(), Some("8 88 8870 887000"));
        assert_eq!(f("X XX XXX x z").as_deref(), Some("Z Z Z +00 UTC"));
        assert_eq!(f("Z ZZZZ ZZZZZ").as_deref(), Some("+0000 GMT Z"));
        assert_eq!(f("'o''clock' ''HH").as_deref(), Some("o'clock '10"));
        // Inside quotes `''` is one quote too.
        assert_eq!(f("'T'''' at '''HH").as_deref(), Some("T'' at '10"));
        assert_eq!(f("D G u k K").as_deref(), Some("47 AD 2019 10 10"));
        assert_eq!(f("HH").as_deref(), Some("10"));
        assert_eq!(f("yyyyy").as_deref(), Some("02019"));
        assert_eq!(f("EEE").as_deref(), Some("Sat"));
        assert_eq!(f("").as_deref(), Some(""));
        // Midnight and noon on the 12-hour and 24-hour-from-1 clocks.
        assert_eq!(
            format_date(0, "hh a k K", None).as_deref(),
            Some("12 AM 24 0")
        );
        assert_eq!(
            format_date(43_200_000, "hh a k K", None).as_deref(),
            Some("12 PM 12 0")
        );
        assert_eq!(
            format_date(-1, "yyyy-MM-dd HH:mm:ss.SSS", None).as_deref(),
            Some("1969-12-31 23:59:59.999")
        );
    }

    #[test]
    fn format_zones() {
        let f = |p: &str, z: &str| format_date(T, p, Some(z));
        assert_eq!(
            f("yyyy-MM-dd HH:mm:ss z Z XXX", "America/New_York").as_deref(),
            Some("2019-02-16 05:01:45 EST -0500 -05:00")
        );
        // Summer time: 2019-07-04T12:00:00Z.
        assert_eq!(
            format_date(
                1_562_241_600_000,
                "HH:mm z xxx",
                Some("America/Los_Angeles")
            )
            .as_deref(),
            Some("05:00 PDT -07:00")
        );
        assert_eq!(
            f("HH:mm X XX XXX O OOOO", "+05:30").as_deref(),
            Some("15:31 +0530 +0530 +05:30 GMT+5:30 GMT+05:30")
        );
        assert_eq!(f("HH:mm z", "-0530").as_deref(), Some("04:31 -05:30"));
        assert_eq!(f("HH:mm zzzz", "etc/utc").as_deref(), Some("10:01 Etc/UTC"));
        // Etc/GMT+5 is five hours behind UTC (POSIX sign).
        assert_eq!(f("HH:mm", "Etc/GMT+5").as_deref(), Some("05:01"));
        assert_eq!(f("HH:mm", "GMT+2").as_deref(), Some("12:01"));
        assert_eq!(
            f("dd HH:mm", "Pacific/Kiritimati").as_deref(),
            Some("17 00:01")
        );
        assert_eq!(f("HH", "Nowhere/Land"), None);
        assert_eq!(format_date(T, "HH", Some("")), None);
        assert_eq!(format_date(T, "yyyy 'x", None), None);
        assert_eq!(format_date(T, "bbb", None), None);
    }

    #[test]
    fn format_week_year() {
        // 2019-12-31 (Tuesday) is in week 1 of week-year 2020 (US rule).
        let ms = 1_577_750_400_000;
        assert_eq!(
            format_date(ms, "yyyy YYYY YY w", None).as_deref(),
            Some("2019 2020 20 1")
        );
        // 2021-01-01 (Friday): week 1 of 2021.
        assert_eq!(
            format_date(1_609_459_200_000, "YYYY w", None).as_deref(),
            Some("2021 1")
        );
        // 2019-02-16: week 7.
        assert_eq!(format_date(T, "ww", None).as_deref(), Some("07"));
    }

    #[test]
    fn format_extremes_never_panic() {
        for ms in [i64::MIN, i64::MAX, i64::MIN + 1, -8_334_632_851_200_001] {
            assert_eq!(format_date(ms, "yyyy", None), None);
        }
        // The ends of chrono's range with a zone that pushes past them.
        let max = chrono::NaiveDateTime::MAX.and_utc().timestamp_millis();
        let min = chrono::NaiveDateTime::MIN.and_utc().timestamp_millis();
        for z in [
            "+14:00",
            "-14:00",
            "Pacific/Kiritimati",
            "America/New_York",
            "UTC",
        ] {
            for ms in [max, min, max - 1, min + 1] {
                let _ = format_date(ms, "G yyyy YYYY w MMM d EEE HH:mm:ss.SSS z Z", Some(z));
            }
        }
        // Year 1 BC and the year-of-era.
        let bc = NaiveDate::from_ymd_opt(0, 6, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp_millis());
        assert_eq!(
            bc.and_then(|ms| format_date(ms, "G y u", None)).as_deref(),
            Some("BC 1 0")
        );
    }

    #[test]
    fn parse_with_patterns() {
        let p = |t: &str, pat: &str| parse_date(t, Some(pat), None);
        assert_eq!(
            p("2019-02-16T10:01:45.887Z", "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"),
            Some(T)
        );
        assert_eq!(
            p(
                "2019-02-16T11:01:45.887+01:00",
                "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
            ),
            Some(T)
        );
        assert_eq!(
            p("2019-02-16T10:01:45.887Z", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
            Some(T)
        );
        assert_eq!(
            p("2019-02-16T04:01:45.887-0600", "yyyy-MM-dd'T'HH:mm:ss.SSSZ"),
            Some(T)
        );
        assert_eq!(
            p("2019-02-16 10:01:45", "yyyy-MM-dd HH:mm:ss"),
            Some(T - 887)
        );
        assert_eq!(p("2019-02-16", "yyyy-MM-dd"), Some(1_550_275_200_000));
        assert_eq!(
            p("02/16/2019 10:01:45:887", "MM/dd/yyyy HH:mm:ss:SSS"),
            Some(T)
        );
        assert_eq!(
            p("Feb 16 2019 10:01:45", "MMM dd yyyy HH:mm:ss"),
            Some(T - 887)
        );
        assert_eq!(
            p("february 16 2019", "MMMM d yyyy"),
            Some(1_550_275_200_000)
        );
        assert_eq!(
            p(
                "Sat, 16 Feb 2019 10:01:45 GMT",
                "EEE, d MMM yyyy HH:mm:ss z"
            ),
            Some(T - 887)
        );
        assert_eq!(
            p(
                "Sat, 16 Feb 2019 05:01:45 EST",
                "EEE, d MMM yyyy HH:mm:ss z"
            ),
            Some(T - 887)
        );
        assert_eq!(p("16/02/19 10:01 AM", "dd/MM/yy hh:mm a"), Some(T - 45_887));
        assert_eq!(
            p("16/02/19 10:01 pm", "dd/MM/yy hh:mm a"),
            Some(T - 45_887 + 43_200_000)
        );
        assert_eq!(
            p("16/02/19 12:30 AM", "dd/MM/yy hh:mm a"),
            Some(1_550_277_000_000)
        );
        assert_eq!(p("201902161001", "yyyyMMddHHmm"), Some(T - 45_887));
        assert_eq!(p("20190216100145887", "yyyyMMddHHmmssSSS"), Some(T));
        // Six fraction digits where three are written: all digits read, truncated.
        assert_eq!(
            p(
                "2019-02-16T10:01:45.887999Z",
                "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
            ),
            Some(T)
        );
        // Trailing text after the pattern is ignored (GitHub's `Z`).
        assert_eq!(
            p("2019-02-16T10:01:45Z", "yyyy-MM-dd'T'HH:mm:ss"),
            Some(T - 887)
        );
        // No year: 1970.
        assert_eq!(p("10:01", "HH:mm"), Some(36_060_000));
        assert_eq!(p("24:00", "kk:mm"), Some(0));
        assert_eq!(p("AD 2019-02-16", "G yyyy-MM-dd"), Some(1_550_275_200_000));
        assert_eq!(p("2019-047", "yyyy-DDD"), Some(1_550_275_200_000));
        // Mismatches.
        assert_eq!(p("2019-02-30", "yyyy-MM-dd"), None);
        assert_eq!(p("2019/02/16", "yyyy-MM-dd"), None);
        assert_eq!(p("", "yyyy-MM-dd"), None);
        assert_eq!(p("Sun, 16 Feb 2019", "EEE, d MMM yyyy"), None);
        assert_eq!(p("2019-02-16", "yyyy-MM-dd 'x"), None);
        assert_eq!(p("日本語", "yyyy"), None);
        assert_eq!(
            p("2019-02-16T10:01:45.Z", "yyyy-MM-dd'T'HH:mm:ss.SSSX"),
            None
        );
    }

    #[test]
    fn parse_in_zones() {
        // Text without zone info is read in the given zone.
        assert_eq!(
            parse_date(
                "2019-02-16 05:01:45",
                Some("yyyy-MM-dd HH:mm:ss"),
                Some("America/New_York")
            ),
            Some(T - 887)
        );
        assert_eq!(
            parse_date("2019-02-16 05:01:45.887", None, Some("America/New_York")),
            Some(T)
        );
        // An offset in the text wins over the zone argument.
        assert_eq!(
            parse_date("2019-02-16T10:01:45.887Z", None, Some("America/New_York")),
            Some(T)
        );
        assert_eq!(
            parse_date(
                "2019-02-16 10:01:45 +0000",
                Some("yyyy-MM-dd HH:mm:ss Z"),
                Some("Asia/Tokyo")
            ),
            Some(T - 887)
        );
        assert_eq!(
            parse_date("1655109197.217999", None, Some("Asia/Tokyo")),
            Some(1_655_109_197_217)
        );
        assert_eq!(
            parse_date("2019-02-16", None, Some("+01:00")),
            Some(1_550_271_600_000)
        );
        assert_eq!(parse_date("2019-02-16", None, Some("Bogus/Zone")), None);
        // DST gap: 2019-03-10 02:30 does not exist in New York; Java moves it
        // an hour later, to 03:30 EDT = 07:30Z.
        assert_eq!(
            parse_date(
                "2019-03-10 02:30",
                Some("yyyy-MM-dd HH:mm"),
                Some("America/New_York")
            ),
            Some(1_552_203_000_000)
        );
        // DST overlap: 2019-11-03 01:30 happens twice; the earlier (EDT) is taken.
        assert_eq!(
            parse_date(
                "2019-11-03 01:30",
                Some("yyyy-MM-dd HH:mm"),
                Some("America/New_York")
            ),
            Some(1_572_759_000_000)
        );
    }

    #[test]
    fn round_trip() {
        let pat = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
        for z in ["UTC", "America/New_York", "+05:30", "Australia/Lord_Howe"] {
            for ms in [0, T, -1, 1_700_000_000_123, -2_000_000_000_000] {
                let text = format_date(ms, pat, Some(z));
                assert_eq!(
                    text.as_deref().and_then(|t| parse_date(t, Some(pat), None)),
                    Some(ms),
                    "{z} {ms} {text:?}"
                );
            }
        }
    }

    #[test]
    fn flooring() {
        assert_eq!(floor_to(1_550_311_305_887, 3_600_000), 1_550_311_200_000);
        assert_eq!(floor_to(-1, 1000), -1000);
        assert_eq!(floor_to(-1000, 1000), -1000);
        assert_eq!(floor_to(-1001, 1000), -2000);
        assert_eq!(floor_to(0, 60_000), 0);
        assert_eq!(floor_to(5, 0), 5);
        assert_eq!(floor_to(5, -10), 5);
        assert_eq!(floor_to(i64::MIN, 7), i64::MIN);
        assert_eq!(floor_to(i64::MAX, 1), i64::MAX);
    }

    #[test]
    fn now_is_recent() {
        // After 2024-01-01 and before 2200.
        let now = now_ms();
        assert!(now > 1_704_067_200_000 && now < 7_258_118_400_000);
    }

    #[test]
    fn weird_input_never_panics() {
        let long_digits = "9".repeat(500);
        let texts = [
            "",
            "\u{0}",
            "é",
            "2019-02-16T10:01:45.887\u{1F600}",
            "2019-02-16T10:01:45+",
            "2019-02-16T10:01:45+\u{e9}",
            "9999-12-31T23:59:59.999+18:00",
            "0000-01-01T00:00:00-18:00",
            long_digits.as_str(),
            "1e9223372036854775807",
            "-",
            "+",
            ".",
            "e5",
            "'",
            "''''",
            "GMT+",
            "UTC+99",
            "Z",
        ];
        let patterns = [
            "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
            "S",
            "SSSSSSSSSSSS",
            "z",
            "zzzz Z X O G w k K",
            "hh a",
            "'",
            "''",
            "M",
            "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
        ];
        for t in texts {
            let _ = parse_time_text(t);
            let _ = parse_date(t, None, Some("America/New_York"));
            let _ = check_zone(t);
            let _ = check_pattern(t);
            let _ = format_date(0, t, Some(t));
            for p in patterns {
                let _ = parse_date(t, Some(p), None);
                let _ = parse_date(t, Some(p), Some("Pacific/Kiritimati"));
            }
        }
        assert_eq!(
            format_date(0, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", None).map(|s| s.len()),
            Some(32)
        );
    }

    #[test]
    fn mutated_input_never_panics() {
        // Deterministic xorshift mutations of valid texts, patterns and
        // zones; debug builds check arithmetic overflow too.
        let alphabet: Vec<char> = "0123456789-:T+.Z ,'yMdHhmsSaEzXOGkKw/é日".chars().collect();
        let seeds = [
            "2019-02-16T10:01:45.887Z",
            "2015-03-29T11:01:38.221126-0600",
            "1655109197.217999",
            "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
            "America/New_York",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let pick = |r: u64, n: usize| usize::try_from(r % n as u64).unwrap_or(0);
        for _ in 0..20_000 {
            let mut s: Vec<char> = seeds[pick(next(), seeds.len())].chars().collect();
            for _ in 0..pick(next(), 4) {
                let pos = pick(next(), s.len() + 1);
                let c = alphabet[pick(next(), alphabet.len())];
                if next() % 2 == 0 {
                    s.insert(pos, c);
                } else if pos < s.len() {
                    s[pos] = c;
                }
            }
            let t: String = s.into_iter().collect();
            let ms = (next() as i64) >> (next() % 64);
            let _ = parse_time_text(&t);
            let _ = parse_date(&t, Some("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"), Some("+14:00"));
            let _ = parse_date("2019-02-16T10:01:45.887+01:00", Some(&t), Some(&t));
            let _ = format_date(ms, &t, Some("Pacific/Kiritimati"));
            let _ = time_from_value(&Value::Float(f64::from_bits(next())));
            let _ = floor_to(ms, (next() as i64) >> (next() % 64));
        }
    }
}

#[cfg(test)]
mod clock_tests {
    use super::*;
    use crate::diag::Diagnostics;
    use crate::exec::Collect;
    use crate::record::Record;
    use crate::value::Value;

    #[test]
    fn one_reading_per_query() {
        let rec = Record::default();
        for _ in 0..2000 {
            let plan = crate::plan::plan_text(
                "* | queryEndTime() - queryStartTime() as d | now() - queryEndTime() as e",
            )
            .unwrap_or_else(|e| panic!("{}", e.message));
            let mut out = Collect::default();
            let mut diag = Diagnostics::default();
            crate::engine::run_records(&plan, [&rec], &mut out, &mut diag, &|| false);
            let row = out.rows.first().cloned().unwrap_or_default();
            assert!(matches!(row.get("d"), Some(Value::Int(900_000))));
            assert!(matches!(row.get("e"), Some(Value::Int(0))));
        }
        // Outside a query the clock is read afresh.
        assert!(QUERY_NOW.with(|c| c.get()).is_none());
    }
}
