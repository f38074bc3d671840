//! `format(spec, args...)`: Sumo's printf, which follows Java's
//! `String.format`. Supported: `%s %S %d %x %X %o %f %e %E %g %G %b %B %c
//! %% %n`, with argument indexes (`%2$s`, `%<s`), the flags `-#+ 0,(`, width
//! and precision. Decimal conversions round half up on the shortest decimal
//! form of the number, as Java does (`%.2f` of 0.125 is `0.13`).
//!
//! Sumo fails the query when an argument is null or does not fit its
//! conversion; sumoq gives null instead (the run goes on), and also for a
//! malformed specification or a conversion it lacks (`%t`, `%a`, `%h`).

use crate::value::{Num, Value};

/// Widths and precisions past this give null: a query must not be able to
/// ask for gigabytes of padding.
const MAX_WIDTH: usize = 4096;

/// `format(spec, a, b, ...)`.
pub fn format(a: &[Value]) -> Value {
    let Some(spec) = a.first().and_then(Value::text) else {
        return Value::Null;
    };
    match render(&spec, a.get(1..).unwrap_or(&[])) {
        Some(s) => Value::from(s),
        None => Value::Null,
    }
}

#[derive(Default)]
struct Flags {
    left: bool,
    alt: bool,
    plus: bool,
    space: bool,
    zero: bool,
    group: bool,
    paren: bool,
}

fn render(spec: &str, args: &[Value]) -> Option<String> {
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    let mut next_arg = 0usize;
    let mut last_arg: Option<usize> = None;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // %[index$|<][flags][width][.precision]conversion
        let mut digits = String::new();
        let mut explicit: Option<usize> = None;
        let mut relative = false;
        if chars.peek() == Some(&'<') {
            chars.next();
            relative = true;
        }
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            // A leading 0 is the zero flag, not part of an index or width.
            if digits.is_empty() && d == '0' {
                break;
            }
            digits.push(d);
            chars.next();
        }
        if !digits.is_empty() && chars.peek() == Some(&'$') {
            chars.next();
            explicit = Some(digits.parse::<usize>().ok()?.checked_sub(1)?);
            digits.clear();
        }
        let mut flags = Flags::default();
        if digits.is_empty() {
            while let Some(f) = chars.peek().copied() {
                match f {
                    '-' => flags.left = true,
                    '#' => flags.alt = true,
                    '+' => flags.plus = true,
                    ' ' => flags.space = true,
                    '0' => flags.zero = true,
                    ',' => flags.group = true,
                    '(' => flags.paren = true,
                    _ => break,
                }
                chars.next();
            }
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
        }
        let width: Option<usize> = if digits.is_empty() {
            None
        } else {
            Some(digits.parse().ok().filter(|w| *w <= MAX_WIDTH)?)
        };
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                p.push(d);
                chars.next();
            }
            precision = Some(p.parse().ok().filter(|p| *p <= MAX_WIDTH)?);
        }
        let conv = chars.next()?;
        let body = match conv {
            '%' => "%".to_string(),
            'n' => "\n".to_string(),
            _ => {
                let idx = if relative {
                    last_arg?
                } else if let Some(i) = explicit {
                    i
                } else {
                    next_arg += 1;
                    next_arg - 1
                };
                last_arg = Some(idx);
                convert(conv, args.get(idx)?, &flags, precision)?
            }
        };
        pad(&mut out, body, width, &flags, conv);
    }
    Some(out)
}

fn pad(out: &mut String, body: String, width: Option<usize>, flags: &Flags, conv: char) {
    let len = body.chars().count();
    let w = width.unwrap_or(0);
    if len >= w {
        out.push_str(&body);
        return;
    }
    let fill = w - len;
    if flags.left {
        out.push_str(&body);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if flags.zero && "dxXofeEgG".contains(conv) {
        // Zeros go after the sign (and a `0x` prefix).
        let sign_len = body
            .char_indices()
            .take_while(|(_, c)| matches!(c, '-' | '+' | ' ' | '('))
            .count();
        let prefix_len = if body[sign_len..].starts_with("0x") || body[sign_len..].starts_with("0X")
        {
            sign_len + 2
        } else {
            sign_len
        };
        out.push_str(&body[..prefix_len]);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(&body[prefix_len..]);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(&body);
    }
}

fn convert(conv: char, v: &Value, flags: &Flags, precision: Option<usize>) -> Option<String> {
    if v.is_null() {
        return None;
    }
    let s = match conv {
        's' | 'S' => {
            let t = v.text()?.into_owned();
            let t = match precision {
                Some(p) => t.chars().take(p).collect(),
                None => t,
            };
            if conv == 'S' {
                t.to_uppercase()
            } else {
                t
            }
        }
        'b' | 'B' => {
            let t = match v {
                Value::Bool(b) => b.to_string(),
                Value::Str(s) => s.trim().eq_ignore_ascii_case("true").to_string(),
                _ => "true".to_string(),
            };
            if conv == 'B' {
                t.to_uppercase()
            } else {
                t
            }
        }
        'c' => match v {
            Value::Str(s) if s.chars().count() == 1 => s.to_string(),
            _ => match v.as_num()? {
                Num::Int(i) => char::from_u32(u32::try_from(i).ok()?)?.to_string(),
                Num::Float(_) => return None,
            },
        },
        'd' => {
            let Num::Int(i) = v.as_num()? else {
                return None;
            };
            let digits = i.unsigned_abs().to_string();
            let digits = if flags.group { group(&digits) } else { digits };
            signed(i < 0, digits, flags)
        }
        'x' | 'X' | 'o' => {
            let Num::Int(i) = v.as_num()? else {
                return None;
            };
            // Java prints a negative long as its two's complement.
            let u = i as u64;
            let mut t = match conv {
                'o' => format!("{u:o}"),
                'x' => format!("{u:x}"),
                _ => format!("{u:X}"),
            };
            if flags.alt {
                t = match conv {
                    'o' => format!("0{t}"),
                    'x' => format!("0x{t}"),
                    _ => format!("0X{t}"),
                };
            }
            t
        }
        'f' | 'e' | 'E' | 'g' | 'G' => {
            let f = v.as_num()?.as_f64();
            if !f.is_finite() {
                let t = if f.is_nan() {
                    "NaN".to_string()
                } else {
                    "Infinity".to_string()
                };
                return Some(if f.is_nan() {
                    t
                } else {
                    signed(f < 0.0, t, flags)
                });
            }
            let p = precision.unwrap_or(6);
            let body = match conv {
                'f' => fixed(f.abs(), p, flags.group),
                'e' | 'E' => sci(f.abs(), p, conv == 'E'),
                _ => general(f.abs(), p, conv == 'G', flags.group),
            };
            signed(f.is_sign_negative() && f != 0.0, body, flags)
        }
        _ => return None,
    };
    Some(s)
}

fn signed(neg: bool, digits: String, flags: &Flags) -> String {
    if neg {
        if flags.paren {
            format!("({digits})")
        } else {
            format!("-{digits}")
        }
    } else if flags.plus {
        format!("+{digits}")
    } else if flags.space {
        format!(" {digits}")
    } else {
        digits
    }
}

/// Inserts `,` every three digits of an integer part.
fn group(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The shortest decimal digits of a finite, non-negative float and its
/// decimal exponent: value = 0.d1d2d3... × 10^exp.
fn decimal_digits(f: f64) -> (Vec<u8>, i32) {
    if f == 0.0 {
        return (vec![0], 1);
    }
    // `{:e}` writes the shortest round-trip form: `1.2345e-7`.
    let s = format!("{f:e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mant
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    (digits, exp + 1)
}

/// Rounds digits (value 0.d1d2... × 10^exp) half up to keep `keep` digits;
/// returns the new digits and exponent.
fn round_digits(mut digits: Vec<u8>, mut exp: i32, keep: i64) -> (Vec<u8>, i32) {
    if keep < 0 {
        return (vec![0], exp);
    }
    let keep = keep as usize;
    if digits.len() <= keep {
        digits.resize(keep.max(1), 0);
        return (digits, exp);
    }
    let up = digits[keep] >= 5;
    digits.truncate(keep);
    if up {
        let mut i = keep;
        loop {
            if i == 0 {
                digits.insert(0, 1);
                exp += 1;
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    if digits.is_empty() {
        digits.push(0);
    }
    (digits, exp)
}

/// `%.{p}f` of a non-negative number, rounding half up in decimal.
fn fixed(f: f64, p: usize, grouping: bool) -> String {
    let (d, e) = decimal_digits(f);
    let (d, e) = round_digits(d, e, e as i64 + p as i64);
    // The value is 0.d1d2... × 10^e: the integer part is the first e
    // digits, and fraction digit j is digit e + j (a zero outside d).
    let digit_at = |i: i64| -> char {
        let v = if i >= 0 {
            d.get(i as usize).copied().unwrap_or(0)
        } else {
            0
        };
        (b'0' + v) as char
    };
    let e = e as i64;
    let int_part: String = if e > 0 {
        (0..e).map(digit_at).collect()
    } else {
        "0".to_string()
    };
    let int_part = if grouping { group(&int_part) } else { int_part };
    if p == 0 {
        return int_part;
    }
    let frac: String = (e..e + p as i64).map(digit_at).collect();
    format!("{int_part}.{frac}")
}

/// `%.{p}e` of a non-negative number: `1.234560e+01`.
fn sci(f: f64, p: usize, upper: bool) -> String {
    let (d, e) = decimal_digits(f);
    let (d, e) = if f == 0.0 {
        (vec![0; p + 1], 1)
    } else {
        round_digits(d, e, p as i64 + 1)
    };
    let mut mant = String::new();
    mant.push((b'0' + d.first().copied().unwrap_or(0)) as char);
    if p > 0 {
        mant.push('.');
        for i in 1..=p {
            mant.push((b'0' + d.get(i).copied().unwrap_or(0)) as char);
        }
    }
    let x = e - 1;
    let sign = if x < 0 { '-' } else { '+' };
    let s = format!("{mant}e{sign}{:02}", x.abs());
    if upper {
        s.to_uppercase()
    } else {
        s
    }
}

/// `%g`: Java uses `%f` when 10^-4 <= x < 10^p after rounding, else `%e`,
/// with p significant digits in total.
fn general(f: f64, p: usize, upper: bool, grouping: bool) -> String {
    let p = p.max(1);
    if f != 0.0 {
        let (d, e) = decimal_digits(f);
        let (_, e) = round_digits(d, e, p as i64);
        let x = e - 1;
        if !(-4..p as i32).contains(&x) {
            return sci(f, p - 1, upper);
        }
        return fixed(f, (p as i32 - 1 - x).max(0) as usize, grouping);
    }
    fixed(f, p - 1, grouping)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(spec: &str, args: &[Value]) -> String {
        let mut a = vec![Value::str(spec)];
        a.extend_from_slice(args);
        format(&a).display_text().into_owned()
    }

    #[test]
    fn java_like_output() {
        let s = Value::str;
        assert_eq!(
            f("%s : %s", &[s("Five Minute Rate is :"), s("1.5")]),
            "Five Minute Rate is : : 1.5"
        );
        assert_eq!(f("$%.2f", &[s("1234.5")]), "$1234.50");
        assert_eq!(f("$%,.2f", &[Value::Float(1234567.891)]), "$1,234,567.89");
        assert_eq!(f("%d/%d/%d", &[s("12"), s("31"), s("2024")]), "12/31/2024");
        assert_eq!(f("%S: %d", &[s("bob"), Value::Int(42)]), "BOB: 42");
        assert_eq!(f("%016X", &[Value::Int(4919)]), "0000000000001337");
        assert_eq!(f("%.3f %s", &[Value::Float(0.12345), s("%")]), "0.123 %");
        assert_eq!(f("%.2f", &[Value::Float(0.125)]), "0.13");
        assert_eq!(f("%.1f", &[Value::Float(0.15)]), "0.2");
        assert_eq!(f("%.0f", &[Value::Float(9.5)]), "10");
        assert_eq!(f("%.2f", &[Value::Float(99.999)]), "100.00");
        assert_eq!(f("%f", &[Value::Int(3)]), "3.000000");
        assert_eq!(f("%.2f", &[Value::Float(0.001)]), "0.00");
        assert_eq!(f("%e", &[Value::Float(12.3456)]), "1.234560e+01");
        assert_eq!(f("%.2E", &[Value::Float(0.000123)]), "1.23E-04");
        assert_eq!(f("%g", &[Value::Float(0.0001)]), "0.000100000");
        assert_eq!(f("%g", &[Value::Float(1234567.0)]), "1.23457e+06");
        assert_eq!(
            f(
                "%5d|%-5d|%05d",
                &[Value::Int(42), Value::Int(42), Value::Int(-42)]
            ),
            "   42|42   |-0042"
        );
        assert_eq!(f("%,d", &[Value::Int(-1234567)]), "-1,234,567");
        assert_eq!(f("%2$s-%1$s-%<s", &[s("a"), s("b")]), "b-a-a");
        assert_eq!(f("100%%", &[]), "100%");
        assert_eq!(f("%.3s", &[s("abcdef")]), "abc");
        assert_eq!(f("%x", &[Value::Int(-1)]), "ffffffffffffffff");
        assert_eq!(f("%.2f", &[Value::Float(-1.005)]), "-1.01");
    }

    #[test]
    fn failures_give_null() {
        assert!(format(&[Value::str("%d"), Value::str("abc")]).is_null());
        assert!(format(&[Value::str("%d"), Value::Float(1.5)]).is_null());
        assert!(format(&[Value::str("%s"), Value::Null]).is_null());
        assert!(format(&[Value::str("%s %s"), Value::str("a")]).is_null());
        assert!(format(&[Value::str("%q"), Value::str("a")]).is_null());
        assert!(format(&[Value::str("%"), Value::str("a")]).is_null());
        assert!(format(&[Value::str("%tY"), Value::Int(0)]).is_null());
        assert!(format(&[Value::str("%999999999999s"), Value::str("a")]).is_null());
        assert!(format(&[Value::str("%.99999f"), Value::Int(1)]).is_null());
    }
}
