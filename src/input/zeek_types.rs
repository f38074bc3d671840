//! Zeek column types (`#types`) and the conversion of a column's text to a
//! value: `-` is null, `(empty)` an empty set, numbers and booleans are
//! typed, sets and vectors become JSON arrays. Text that does not convert to
//! its type stays a string.

use std::sync::Arc;

use crate::value::{parse_numeric, Num, Value};

/// The markers a Zeek header declares.
#[derive(Clone, Debug)]
pub(crate) struct Markers {
    /// Between the elements of a set or vector (`#set_separator`).
    pub(crate) set_sep: String,
    /// An empty set, vector or string (`#empty_field`).
    pub(crate) empty: String,
    /// An unset value (`#unset_field`).
    pub(crate) unset: String,
}

impl Default for Markers {
    fn default() -> Self {
        Markers {
            set_sep: ",".into(),
            empty: "(empty)".into(),
            unset: "-".into(),
        }
    }
}

/// A single-valued Zeek type, as far as conversion cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// `count`, `int`, `port`.
    Int,
    /// `double`, `interval` (seconds).
    Float,
    /// `time`: epoch seconds.
    Time,
    /// `bool`: `T` or `F`.
    Bool,
    /// `string`, whose empty value is written as the empty marker.
    Str,
    /// `addr`, `subnet`, `enum` and anything else: kept as text.
    Other,
}

/// A column's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ZType {
    /// A single value.
    Scalar(Scalar),
    /// `set[T]` or `vector[T]`.
    Container(Scalar),
    /// No `#types` entry for the column.
    Unknown,
}

impl ZType {
    /// True for `time` columns, whose text gives the exact `_messageTime`.
    pub(crate) fn is_time(self) -> bool {
        self == ZType::Scalar(Scalar::Time)
    }
}

/// The scalar type named `s`.
fn scalar(s: &str) -> Scalar {
    match s {
        "count" | "int" | "port" => Scalar::Int,
        "double" | "interval" => Scalar::Float,
        "time" => Scalar::Time,
        "bool" => Scalar::Bool,
        "string" => Scalar::Str,
        _ => Scalar::Other,
    }
}

/// Parses one `#types` entry. Containers nest one level in Zeek logs; a
/// deeper one keeps its elements as text (no recursion on input).
pub(crate) fn parse_type(s: &str) -> ZType {
    let inner = s
        .strip_prefix("set[")
        .or_else(|| s.strip_prefix("vector["))
        .and_then(|r| r.strip_suffix(']'));
    match inner {
        Some(t) => ZType::Container(scalar(t)),
        None => ZType::Scalar(scalar(s)),
    }
}

/// The value of a column's text under its type.
pub(crate) fn convert(text: &str, ty: ZType, m: &Markers) -> Value {
    if text == m.unset {
        return Value::Null;
    }
    match ty {
        ZType::Scalar(s) => convert_scalar(text, s, m),
        ZType::Container(s) => {
            if text == m.empty {
                return empty_array();
            }
            let items = text
                .split(m.set_sep.as_str())
                .map(|t| {
                    if t == m.unset {
                        serde_json::Value::Null
                    } else {
                        convert_scalar(t, s, m).to_json()
                    }
                })
                .collect();
            Value::Json(Arc::new(serde_json::Value::Array(items)))
        }
        ZType::Unknown if text == m.empty => empty_array(),
        ZType::Unknown => Value::str(text),
    }
}

/// An empty JSON array.
fn empty_array() -> Value {
    Value::Json(Arc::new(serde_json::Value::Array(Vec::new())))
}

/// The value of a single item's text.
fn convert_scalar(text: &str, s: Scalar, m: &Markers) -> Value {
    let converted = match s {
        Scalar::Int => match parse_numeric(text) {
            Some(Num::Int(i)) => Some(Value::Int(i)),
            _ => None,
        },
        Scalar::Float | Scalar::Time => parse_numeric(text).map(|n| Value::Float(n.as_f64())),
        Scalar::Bool => match text {
            "T" => Some(Value::Bool(true)),
            "F" => Some(Value::Bool(false)),
            _ => None,
        },
        // Zeek writes an empty string as the empty marker.
        Scalar::Str if text == m.empty => Some(Value::str("")),
        Scalar::Str | Scalar::Other => None,
    };
    match converted {
        Some(v) => v,
        None if text == m.empty => empty_array(),
        None => Value::str(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(text: &str, ty: &str) -> String {
        let v = convert(text, parse_type(ty), &Markers::default());
        format!("{}:{}", v.type_name(), v.display_text())
    }

    #[test]
    fn typed_values() {
        assert_eq!(conv("443", "port"), "int:443");
        assert_eq!(
            conv("18446744073709551615", "count"),
            "string:18446744073709551615"
        );
        assert_eq!(conv("-3", "int"), "int:-3");
        assert_eq!(conv("1.5", "count"), "string:1.5");
        assert_eq!(conv("0.000010", "interval"), "float:0.00001");
        assert_eq!(conv("3", "double"), "float:3.0");
        assert_eq!(conv("1655071198.444458", "time"), "float:1655071198.444458");
        assert_eq!(conv("T", "bool"), "bool:true");
        assert_eq!(conv("F", "bool"), "bool:false");
        assert_eq!(conv("yes", "bool"), "string:yes");
        assert_eq!(conv("147.32.81.167", "addr"), "string:147.32.81.167");
        assert_eq!(conv("tcp", "enum"), "string:tcp");
        assert_eq!(conv("x", "mystery"), "string:x");
    }

    #[test]
    fn unset_and_empty() {
        assert_eq!(conv("-", "count"), "null:");
        assert_eq!(conv("-", "string"), "null:");
        assert_eq!(conv("(empty)", "set[string]"), "array:[]");
        assert_eq!(conv("(empty)", "string"), "string:");
        assert_eq!(conv("(empty)", "count"), "array:[]");
        let v = convert("(empty)", ZType::Unknown, &Markers::default());
        assert_eq!(v.display_text(), "[]");
        let v = convert("-", ZType::Unknown, &Markers::default());
        assert!(v.is_null());
    }

    #[test]
    fn containers() {
        assert_eq!(conv("a,b", "set[string]"), "array:[\"a\",\"b\"]");
        assert_eq!(conv("1,2,x", "vector[count]"), "array:[1,2,\"x\"]");
        assert_eq!(conv("1.5,-", "vector[interval]"), "array:[1.5,null]");
        assert_eq!(conv("T,F", "set[bool]"), "array:[true,false]");
        assert_eq!(
            parse_type("set[set[count]]"),
            ZType::Container(Scalar::Other)
        );
    }
}
