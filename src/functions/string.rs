//! Text functions. Strings count Unicode scalar values (SPEC §6); a null
//! argument gives null (or false for predicates).

use crate::value::{Num, Value};

fn text(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    v.text()
}

/// `starts_with(s, prefix)`: case-sensitive; false on null.
pub fn starts_with(a: &[Value]) -> Value {
    match (a.first().and_then(text), a.get(1).and_then(text)) {
        (Some(s), Some(p)) => Value::Bool(s.starts_with(p.as_ref())),
        _ => Value::Bool(false),
    }
}

/// `ends_with(s, suffix)`: case-sensitive; false on null.
pub fn ends_with(a: &[Value]) -> Value {
    match (a.first().and_then(text), a.get(1).and_then(text)) {
        (Some(s), Some(p)) => Value::Bool(s.ends_with(p.as_ref())),
        _ => Value::Bool(false),
    }
}

/// `contains(s, part)` and `s contains part`: case-sensitive; false on
/// null. As Sumo documents, an empty part is found only in an empty text.
pub fn contains(a: &[Value]) -> Value {
    match (a.first().and_then(text), a.get(1).and_then(text)) {
        (Some(s), Some(p)) if p.is_empty() => Value::Bool(s.is_empty()),
        (Some(s), Some(p)) => Value::Bool(s.contains(p.as_ref())),
        _ => Value::Bool(false),
    }
}

/// `length(s)`: characters; null on null.
pub fn length(a: &[Value]) -> Value {
    match a.first().and_then(text) {
        Some(s) => Value::Int(s.chars().count() as i64),
        None => Value::Null,
    }
}

/// `toLowerCase(s)`.
pub fn to_lower(a: &[Value]) -> Value {
    a.first()
        .and_then(text)
        .map(|s| Value::from(s.to_lowercase()))
        .unwrap_or(Value::Null)
}

/// `toUpperCase(s)`.
pub fn to_upper(a: &[Value]) -> Value {
    a.first()
        .and_then(text)
        .map(|s| Value::from(s.to_uppercase()))
        .unwrap_or(Value::Null)
}

/// `trim(s)`: white space at both ends.
pub fn trim(a: &[Value]) -> Value {
    a.first()
        .and_then(text)
        .map(|s| Value::str(s.trim()))
        .unwrap_or(Value::Null)
}

/// `concat(a, b, ...)`: the texts joined; a null argument adds nothing.
pub fn concat(a: &[Value]) -> Value {
    let mut out = String::new();
    for v in a {
        if let Some(t) = v.text() {
            out.push_str(&t);
        }
    }
    Value::from(out)
}

fn index_arg(v: Option<&Value>) -> Option<i64> {
    match v?.as_num()? {
        Num::Int(i) => Some(i),
        Num::Float(f) if f.is_finite() => Some(f.trunc() as i64),
        Num::Float(_) => None,
    }
}

/// `substring(s, start[, end])`: characters from start (0-based) up to end
/// (exclusive); indexes are clamped to the text, so it never fails.
pub fn substring(a: &[Value]) -> Value {
    let s = match a.first().and_then(text) {
        Some(s) => s,
        None => return Value::Null,
    };
    let n = s.chars().count() as i64;
    let start = match index_arg(a.get(1)) {
        Some(i) => i.clamp(0, n),
        None => return Value::Null,
    };
    let end = match a.get(2) {
        Some(v) => match index_arg(Some(v)) {
            Some(e) => e.clamp(start, n),
            None => return Value::Null,
        },
        None => n,
    };
    let out: String = s
        .chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect();
    Value::from(out)
}

/// `indexOf(s, part)`: character index of the first occurrence, or -1.
pub fn index_of(a: &[Value]) -> Value {
    match (a.first().and_then(text), a.get(1).and_then(text)) {
        (Some(s), Some(p)) => match s.find(p.as_ref()) {
            Some(byte) => Value::Int(s[..byte].chars().count() as i64),
            None => Value::Int(-1),
        },
        _ => Value::Null,
    }
}

/// `replace(s, target, replacement)` with literal text: every occurrence.
/// (The `/regex/` form is compiled by the planner.)
pub fn replace(a: &[Value]) -> Value {
    match (
        a.first().and_then(text),
        a.get(1).and_then(text),
        a.get(2).and_then(text),
    ) {
        (Some(s), Some(t), Some(r)) if !t.is_empty() => Value::from(s.replace(t.as_ref(), &r)),
        (Some(s), Some(_), Some(_)) => Value::str(&s),
        _ => Value::Null,
    }
}

/// `isNull(x)`: missing or null.
pub fn is_null(a: &[Value]) -> Value {
    Value::Bool(a.first().is_none_or(Value::is_null))
}

/// `isEmpty(x)`: null or `""`.
pub fn is_empty(a: &[Value]) -> Value {
    Value::Bool(match a.first() {
        None | Some(Value::Null) => true,
        Some(v) => v.text().is_some_and(|t| t.is_empty()),
    })
}

/// `isBlank(x)`: null, `""` or only white space.
pub fn is_blank(a: &[Value]) -> Value {
    Value::Bool(match a.first() {
        None | Some(Value::Null) => true,
        Some(v) => v.text().is_some_and(|t| t.trim().is_empty()),
    })
}

/// `isNumeric(x)`: a number or a numeric string.
pub fn is_numeric(a: &[Value]) -> Value {
    Value::Bool(a.first().and_then(Value::as_num).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn substring_counts_characters_and_clamps() {
        assert_eq!(
            substring(&[s("héllo"), Value::Int(1), Value::Int(3)]).display_text(),
            "él"
        );
        assert_eq!(substring(&[s("abc"), Value::Int(5)]).display_text(), "");
        assert_eq!(
            substring(&[s("abc"), Value::Int(-2), Value::Int(99)]).display_text(),
            "abc"
        );
        assert!(substring(&[Value::Null, Value::Int(0)]).is_null());
    }

    #[test]
    fn predicates_on_null_are_false() {
        assert!(!starts_with(&[Value::Null, s("a")]).truthy());
        assert!(!contains(&[s("a"), Value::Null]).truthy());
        assert!(starts_with(&[Value::Int(1883), s("18")]).truthy());
    }

    #[test]
    fn emptiness() {
        assert!(is_null(&[Value::Null]).truthy());
        assert!(!is_null(&[s("")]).truthy());
        assert!(is_empty(&[s("")]).truthy());
        assert!(!is_empty(&[s(" ")]).truthy());
        assert!(is_blank(&[s(" \t")]).truthy());
    }

    #[test]
    fn other_text_functions() {
        assert_eq!(
            concat(&[s("a"), Value::Int(1), Value::Null, s("b")]).display_text(),
            "a1b"
        );
        assert_eq!(index_of(&[s("héllo"), s("l")]).display_text(), "2");
        assert_eq!(
            replace(&[s("a.b.c"), s("."), s("-")]).display_text(),
            "a-b-c"
        );
        assert!(replace(&[Value::Null, s("."), s("-")]).is_null());
        assert_eq!(length(&[s("héllo")]).display_text(), "5");
    }
}
