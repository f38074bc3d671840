//! Encoding functions: `urlencode`/`urldecode` (Java's URLEncoder and
//! URLDecoder, which Sumo uses), `base64Encode`/`base64Decode` with a
//! character set, and `decToHex`/`hexToDec` (two's complement, as Sumo
//! documents). A null argument gives null.

use base64::Engine as _;

use crate::value::{Num, Value};

fn text(a: &[Value], i: usize) -> Option<std::borrow::Cow<'_, str>> {
    a.get(i).and_then(Value::text)
}

/// `urlencode(s)`: Java's `URLEncoder` with UTF-8: letters, digits and
/// `.-*_` stay, a space becomes `+`, every other byte `%XX` (upper case).
pub fn urlencode(a: &[Value]) -> Value {
    let Some(s) = text(a, 0) else {
        return Value::Null;
    };
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Value::from(out)
}

/// `urldecode(s)`: `+` is a space and `%XX` a byte; the bytes are read as
/// UTF-8 (invalid sequences become U+FFFD). Text with a broken `%` escape
/// is returned unchanged (Java's decoder would fail on it).
pub fn urldecode(a: &[Value]) -> Value {
    let Some(s) = text(a, 0) else {
        return Value::Null;
    };
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| {
                    std::str::from_utf8(h)
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                });
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => return Value::str(&s),
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Value::from(String::from_utf8_lossy(&out).into_owned())
}

/// A character set named as Java names them (the ones Sumo documents).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Charset {
    Ascii,
    Utf8,
    Utf16,
    Utf16Be,
    Utf16Le,
    Utf32,
    Utf32Be,
    Utf32Le,
}

fn charset(a: &[Value], i: usize) -> Option<Charset> {
    let Some(name) = text(a, i) else {
        return Some(Charset::Utf8);
    };
    let n = name.trim().to_ascii_uppercase().replace('_', "-");
    Some(match n.as_str() {
        "US-ASCII" | "ASCII" => Charset::Ascii,
        "UTF-8" | "UTF8" => Charset::Utf8,
        "UTF-16" | "UTF16" => Charset::Utf16,
        "UTF-16BE" => Charset::Utf16Be,
        "UTF-16LE" => Charset::Utf16Le,
        "UTF-32" | "UTF32" => Charset::Utf32,
        "UTF-32BE" => Charset::Utf32Be,
        "UTF-32LE" => Charset::Utf32Le,
        _ => return None,
    })
}

fn encode_text(s: &str, cs: Charset) -> Vec<u8> {
    match cs {
        // Java writes `?` for a character US-ASCII cannot hold.
        Charset::Ascii => s
            .chars()
            .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
            .collect(),
        Charset::Utf8 => s.as_bytes().to_vec(),
        // Java's UTF-16 encoder writes a big-endian byte-order mark.
        Charset::Utf16 => [0xFE, 0xFF]
            .into_iter()
            .chain(s.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
        Charset::Utf16Be => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Charset::Utf16Le => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Charset::Utf32 | Charset::Utf32Be => {
            s.chars().flat_map(|c| (c as u32).to_be_bytes()).collect()
        }
        Charset::Utf32Le => s.chars().flat_map(|c| (c as u32).to_le_bytes()).collect(),
    }
}

fn decode_bytes(b: &[u8], cs: Charset) -> String {
    match cs {
        Charset::Ascii => b
            .iter()
            .map(|&x| if x.is_ascii() { x as char } else { '\u{FFFD}' })
            .collect(),
        Charset::Utf8 => String::from_utf8_lossy(b).into_owned(),
        Charset::Utf16 => match b {
            [0xFF, 0xFE, rest @ ..] => utf16(rest, false),
            [0xFE, 0xFF, rest @ ..] => utf16(rest, true),
            _ => utf16(b, true),
        },
        Charset::Utf16Be => utf16(b, true),
        Charset::Utf16Le => utf16(b, false),
        Charset::Utf32 | Charset::Utf32Be => utf32(b, true),
        Charset::Utf32Le => utf32(b, false),
    }
}

fn utf16(b: &[u8], big: bool) -> String {
    let units: Vec<u16> = b
        .chunks(2)
        .map(|c| match (c, big) {
            ([x, y], true) => u16::from_be_bytes([*x, *y]),
            ([x, y], false) => u16::from_le_bytes([*x, *y]),
            _ => 0xFFFD,
        })
        .collect();
    String::from_utf16_lossy(&units)
}

fn utf32(b: &[u8], big: bool) -> String {
    b.chunks(4)
        .map(|c| {
            let arr: Option<[u8; 4]> = c.try_into().ok();
            arr.map(|a| {
                if big {
                    u32::from_be_bytes(a)
                } else {
                    u32::from_le_bytes(a)
                }
            })
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}')
        })
        .collect()
}

/// `base64Encode(s[, charset])`: the text in the character set (UTF-8 by
/// default), then standard base64 with padding. Null for an unknown
/// character set.
pub fn base64_encode(a: &[Value]) -> Value {
    let (Some(s), Some(cs)) = (text(a, 0), charset(a, 1)) else {
        return Value::Null;
    };
    Value::from(base64::engine::general_purpose::STANDARD.encode(encode_text(&s, cs)))
}

/// `base64Decode(s[, charset])`: standard base64 (padding optional), the
/// bytes read in the character set. Input that is not base64 is returned
/// unchanged, as Sumo documents.
pub fn base64_decode(a: &[Value]) -> Value {
    let (Some(s), Some(cs)) = (text(a, 0), charset(a, 1)) else {
        return Value::Null;
    };
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    match engine.decode(s.trim().as_bytes()) {
        Ok(bytes) => Value::from(decode_bytes(&bytes, cs)),
        Err(_) => Value::str(&s),
    }
}

/// `decToHex(n)`: upper-case hexadecimal without leading zeros; a negative
/// number as its 64-bit two's complement. Null when n is not a whole number.
pub fn dec_to_hex(a: &[Value]) -> Value {
    match a.first().and_then(Value::as_num) {
        Some(Num::Int(i)) => Value::from(format!("{:X}", i as u64)),
        _ => Value::Null,
    }
}

/// `hexToDec(s)`: up to 16 hexadecimal digits (an optional `0x` prefix is
/// allowed) read as a 64-bit two's complement number. Null otherwise.
pub fn hex_to_dec(a: &[Value]) -> Value {
    let Some(s) = text(a, 0) else {
        return Value::Null;
    };
    let t = s.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if t.is_empty() || t.len() > 16 {
        return Value::Null;
    }
    match u64::from_str_radix(t, 16) {
        Ok(u) => Value::Int(u as i64),
        Err(_) => Value::Null,
    }
}

/// `tourl(url[, text])`: the URL text (a terminal or CSV has no links).
pub fn to_url(a: &[Value]) -> Value {
    match a.first() {
        Some(v) if !v.is_null() => v.to_text_value(),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn url_round_trip_matches_sumo_example() {
        let plain = "http://yourmainserver-city55555.org/functions/main.php?gk=Gk45MgHJhEYx8bPYvGfiWS7o3KLdfg90&";
        let enc = "http%3A%2F%2Fyourmainserver-city55555.org%2Ffunctions%2Fmain.php%3Fgk%3DGk45MgHJhEYx8bPYvGfiWS7o3KLdfg90%26";
        assert_eq!(urlencode(&[s(plain)]).display_text(), enc);
        assert_eq!(urldecode(&[s(enc)]).display_text(), plain);
        assert_eq!(urlencode(&[s("a b/é")]).display_text(), "a+b%2F%C3%A9");
        assert_eq!(urldecode(&[s("100%")]).display_text(), "100%");
        assert!(urldecode(&[Value::Null]).is_null());
    }

    #[test]
    fn base64_matches_sumo_examples() {
        assert_eq!(
            base64_decode(&[s("aHR0cDovL2NvZGVjLmFwYWNoZS5vcmcvY29tbW1vbnM=")]).display_text(),
            "http://codec.apache.org/commmons"
        );
        assert_eq!(
            base64_decode(&[
                s("VABoAGkAcwAgAGkAcwAgAGEAIAB0AGUAcwB0ACAAcwB0AHIAaQBuAGcA"),
                s("UTF-16LE")
            ])
            .display_text(),
            "This is a test string"
        );
        assert_eq!(
            base64_decode(&[s("44GC44KK44GM44GoIOOBlOOBluOBhOOBvuOBmQ==")]).display_text(),
            "ありがと ございます"
        );
        assert_eq!(
            base64_decode(&[s("not base64!")]).display_text(),
            "not base64!"
        );
        assert_eq!(base64_encode(&[s("hello")]).display_text(), "aGVsbG8=");
        assert_eq!(
            base64_encode(&[s("hi"), s("UTF-16LE")]).display_text(),
            "aABpAA=="
        );
        assert!(base64_encode(&[s("x"), s("EBCDIC")]).is_null());
    }

    #[test]
    fn hex_conversions() {
        assert_eq!(dec_to_hex(&[s("4919")]).display_text(), "1337");
        assert_eq!(dec_to_hex(&[s("70")]).display_text(), "46");
        assert_eq!(
            dec_to_hex(&[Value::Int(-1)]).display_text(),
            "FFFFFFFFFFFFFFFF"
        );
        assert!(matches!(
            hex_to_dec(&[s("0000000000001337")]),
            Value::Int(4919)
        ));
        assert!(matches!(hex_to_dec(&[s("7AF")]), Value::Int(1967)));
        assert!(matches!(
            hex_to_dec(&[s("FFFFFFFFFFFFFFFF")]),
            Value::Int(-1)
        ));
        assert!(hex_to_dec(&[s("xyz")]).is_null());
        assert!(hex_to_dec(&[s("10000000000000000")]).is_null());
    }
}
