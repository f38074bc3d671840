//! The scanner against `serde_json` on generated lines, valid and broken.

use super::*;
use proptest::prelude::*;

/// What the plain path makes of a line: the wanted fields (key, type,
/// text) in order, or `None` when it is not a JSON object.
fn plain(line: &str, wanted: &Wanted) -> Option<Vec<(String, &'static str, String)>> {
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(serde_json::Value::Object(m)) => Some(
            m.into_iter()
                .filter(|(k, _)| wanted.slot(k.as_bytes()).is_some())
                .map(|(k, v)| {
                    let v = Value::from_json(v);
                    (k, v.type_name(), v.display_text().into_owned())
                })
                .collect(),
        ),
        _ => None,
    }
}

fn fast(line: &str, wanted: &mut Wanted) -> Result<Vec<(String, &'static str, String)>, Unusual> {
    let mut out = Vec::new();
    scan(line.as_bytes(), wanted, &mut out)?;
    out.into_iter()
        .map(|f| {
            let v = f.value.to_value(line.as_bytes())?;
            Ok((
                f.key.as_str(line.as_bytes()).to_string(),
                v.type_name(),
                v.display_text().into_owned(),
            ))
        })
        .collect()
}

/// Lines the scanner may leave to serde_json although they are valid.
fn may_be_unusual(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    [
        "\\ud8", "\\ud9", "\\uda", "\\udb", "\\udc", "\\udd", "\\ude", "\\udf",
    ]
    .iter()
    .any(|s| l.contains(s))
        || line.matches(['[', '{']).count() >= MAX_DEPTH - 1
}

fn check(line: &str, wanted: &mut Wanted) -> Result<(), TestCaseError> {
    let want = plain(line, wanted);
    match fast(line, wanted) {
        Ok(got) => prop_assert_eq!(Some(got), want, "line {:?}", line),
        Err(Unusual) => prop_assert!(
            want.is_none() || may_be_unusual(line),
            "valid line left to the slow path: {:?}",
            line
        ),
    }
    Ok(())
}

fn ws() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        8 => Just(""),
        2 => Just(" "),
        1 => Just("\t"),
        1 => Just("\r"),
        1 => Just("\n"),
        1 => Just(" \t "),
    ]
}

fn string_lit() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => "[a-zA-Z0-9_ .:/-]{0,6}".prop_map(|s| s),
        1 => Just("é日".to_string()),
        1 => Just("\\\"".to_string()),
        1 => Just("\\\\".to_string()),
        1 => Just("\\/".to_string()),
        1 => Just("\\n\\t\\r\\b\\f".to_string()),
        1 => Just("\\u0041\\u00e9\\u65e5".to_string()),
        1 => Just("\\u005F".to_string()),
        1 => Just("\\ud83d\\ude00".to_string()),
        1 => Just("\\ud800".to_string()),
        1 => Just("\\udc00x".to_string()),
        1 => Just("\\uD7FF".to_string()),
        1 => Just("\\x".to_string()),
        1 => Just("\\u12".to_string()),
        1 => Just("\u{1}".to_string()),
        1 => Just("\t".to_string()),
        1 => Just("\u{7f}".to_string()),
    ];
    proptest::collection::vec(piece, 0..4).prop_map(|v| format!("\"{}\"", v.concat()))
}

fn number_lit() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-100_000i64..100_000).prop_map(|i| i.to_string()),
        2 => any::<i64>().prop_map(|i| i.to_string()),
        2 => any::<f64>().prop_map(|f| format!("{f:?}")),
        1 => any::<f64>().prop_map(|f| format!("{f:e}")),
        1 => any::<u64>().prop_map(|u| u.to_string()),
        4 => prop::sample::select(vec![
            "0", "-0", "-0.0", "0e0", "1E+2", "1e-2", "123456789012345678",
            "1234567890123456789", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
            "18446744073709551616", "123456789012345678901234567890", "1e400",
            "-1e400", "1e-400", "1.7976931348623157e308", "1.7976931348623159e308",
            "4.9e-324", "2.5e-324", "0.1", "01", "1.", ".5", "1e", "+1", "-", "--1",
            "1.0e+", "0x10", "1_000", "Infinity", "NaN", "1e999999999999999999",
            "0e999999999999999999",
        ])
        .prop_map(String::from),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "A",
        "b",
        "dest_port",
        "Dest_Port",
        "DEST_PORT",
        "dest\\u005fport",
        "dest\\u005Fport",
        "x",
        "",
        "é",
        "a b",
        "src_ip",
        "\\u0061",
    ])
    .prop_map(|k| format!("\"{k}\""))
}

fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => string_lit(),
        3 => number_lit(),
        1 => prop::sample::select(vec!["true", "false", "null", "tru", "nul", "True"]).prop_map(String::from),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (proptest::collection::vec((ws(), inner.clone()), 0..4), ws()).prop_map(|(v, w)| {
                let items: Vec<String> = v.into_iter().map(|(w, x)| format!("{w}{x}")).collect();
                format!("[{}{w}]", items.join(","))
            }),
            (proptest::collection::vec((key(), ws(), inner), 0..4), ws()).prop_map(|(v, w)| {
                let items: Vec<String> = v
                    .into_iter()
                    .map(|(k, w, x)| format!("{k}{w}:{x}"))
                    .collect();
                format!("{{{}{w}}}", items.join(","))
            }),
        ]
    })
}

fn object_line() -> impl Strategy<Value = String> {
    (
        ws(),
        proptest::collection::vec((ws(), key(), ws(), ws(), value(), ws()), 0..8),
        ws(),
    )
        .prop_map(|(w0, pairs, w1)| {
            let items: Vec<String> = pairs
                .into_iter()
                .map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"))
                .collect();
            format!("{w0}{{{}}}{w1}", items.join(","))
        })
}

/// Breaks a line in one place.
fn mutate(line: String, at: usize, how: u8) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    if chars.is_empty() {
        return line;
    }
    let at = at % chars.len();
    match how % 4 {
        0 => {
            chars.remove(at);
        }
        1 => chars.insert(at, ','),
        2 => chars.insert(at, '"'),
        _ => chars.truncate(at),
    }
    chars.into_iter().collect()
}

fn wanted() -> impl Strategy<Value = Wanted> {
    proptest::collection::vec(
        prop::sample::select(vec!["a", "dest_port", "b", "x", "", "é", "src_ip"]),
        0..4,
    )
    .prop_map(Wanted::new)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn agrees_with_serde_on_valid_lines(line in object_line(), mut w in wanted()) {
        check(&line, &mut w)?;
    }

    #[test]
    fn agrees_with_serde_on_broken_lines(line in object_line(), at in any::<usize>(), how in any::<u8>(), mut w in wanted()) {
        check(&mutate(line, at, how), &mut w)?;
    }
}

#[test]
fn plain_lines_take_the_fast_path() {
    let mut w = Wanted::new(["dest_port", "action"]);
    let line = r#"{"_messageTime":1735689600034,"dest_port":53,"action":"allowed","Action":"x","n":{"a":[1,2.5,{"b":null}]},"f":-0.5}"#;
    let mut out = Vec::new();
    assert_eq!(scan(line.as_bytes(), &mut w, &mut out), Ok(()));
    let got: Vec<(&str, String)> = out
        .iter()
        .map(|f| {
            (
                f.key.as_str(line.as_bytes()),
                format!("{:?}", f.value.to_value(line.as_bytes())),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("dest_port", "Ok(Int(53))".to_string()),
            ("action", "Ok(Str(\"allowed\"))".to_string()),
            ("Action", "Ok(Str(\"x\"))".to_string())
        ]
    );
}

#[test]
fn repeated_key_keeps_first_place_and_last_value() {
    let mut w = Wanted::new(["a", "b"]);
    let mut out = Vec::new();
    let line = r#"{"a":1,"b":2,"a":"z"}"#;
    assert_eq!(scan(line.as_bytes(), &mut w, &mut out), Ok(()));
    assert_eq!(out[0].key.as_str(line.as_bytes()), "a");
    assert_eq!(
        out[0]
            .value
            .to_value(line.as_bytes())
            .map(|v| v.display_text().into_owned()),
        Ok("z".into())
    );
    assert_eq!(out.len(), 2);
}

#[test]
fn escaped_key_matches() {
    let mut w = Wanted::new(["dest_port"]);
    let mut out = Vec::new();
    let line = r#"{"dest\u005Fport":"1\"2"}"#;
    assert_eq!(scan(line.as_bytes(), &mut w, &mut out), Ok(()));
    assert_eq!(out[0].key.as_str(line.as_bytes()), "dest_port");
    assert_eq!(out[0].value, Raw::Str(Text::Owned("1\"2".into())));
}

#[test]
fn deep_nesting_is_left_to_serde() {
    let mut line = String::from("{\"a\":");
    line.push_str(&"[".repeat(100));
    line.push_str(&"]".repeat(100));
    line.push('}');
    assert_eq!(
        scan(line.as_bytes(), &mut Wanted::default(), &mut Vec::new()),
        Err(Unusual)
    );
    assert!(serde_json::from_str::<serde_json::Value>(&line).is_ok());
}

#[test]
fn broken_lines_are_unusual() {
    for l in [
        "{",
        "{\"a\":1,}",
        "{\"a\":1} x",
        "{\"a\" 1}",
        "{\"a\":01}",
        "{\"a\":\"\u{1}\"}",
        "{\"a\":1e400}",
        "{\"a\":[1,]}",
        "{a:1}",
        "{\"a\":\"\\q\"}",
    ] {
        assert_eq!(
            scan(l.as_bytes(), &mut Wanted::new(["a"]), &mut Vec::new()),
            Err(Unusual),
            "{l}"
        );
        assert!(serde_json::from_str::<serde_json::Value>(l).is_err(), "{l}");
    }
}
#[test]
fn key_cache_keeps_colliding_keys() {
    // Many distinct keys, looked up again and again, always give the slot
    // the uncached lookup gives.
    let names: Vec<String> = (0..40).map(|i| format!("key_{i}")).collect();
    let mut w = Wanted::new(names.iter().step_by(3).map(String::as_str));
    let line: String = names
        .iter()
        .map(|n| format!("\"{n}\":1,"))
        .collect::<String>()
        + "\"pad_to_sixteen_bytes\":1";
    for _ in 0..3 {
        for n in &names {
            let at = line.find(&format!("\"{n}\"")).unwrap_or(0) + 1;
            let got = w.slot_at(line.as_bytes(), at, at + n.len());
            assert_eq!(got, w.slot(n.as_bytes()), "{n}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any byte anywhere: a line the scanner accepts is UTF-8 and parses
    /// the same with serde_json.
    #[test]
    fn accepted_bytes_are_utf8_and_agree(line in object_line(), at in any::<usize>(), byte in any::<u8>(), mut w in wanted()) {
        let mut b = line.into_bytes();
        let at = if b.is_empty() { 0 } else { at % b.len() };
        b.insert(at, byte);
        let mut out = Vec::new();
        if scan(&b, &mut w, &mut out).is_ok() {
            let text = std::str::from_utf8(&b);
            prop_assert!(text.is_ok(), "accepted non-UTF-8 {:?}", b);
            if let Ok(t) = text {
                check(t, &mut w)?;
            }
        }
    }
}

#[test]
fn non_ascii_strings() {
    let mut w = Wanted::new(["a"]);
    let mut out = Vec::new();
    let line = "{\"a\":\"caf\u{e9} \u{65e5}\u{672c}\",\"b\":\"\u{1f600}\"}";
    assert_eq!(scan(line.as_bytes(), &mut w, &mut out), Ok(()));
    let v = out[0]
        .value
        .to_value(line.as_bytes())
        .map(|v| v.display_text().into_owned());
    assert_eq!(v, Ok("caf\u{e9} \u{65e5}\u{672c}".to_string()));
    for bad in [
        &b"{\"a\":\"caf\xe9\"}"[..],
        b"{\"b\":\"\xff\"}",
        b"{\"a\":1}\xc3",
        b"{\"\xe6\x97\":1}",
    ] {
        assert_eq!(scan(bad, &mut w, &mut out), Err(Unusual), "{bad:?}");
    }
}
