//! Grammar corners: tokens that look alike in different places.

use super::*;
use crate::ast::{ExprKind, Search, SortMark, StageKind};

fn q(text: &str) -> Query {
    match parse_query(text) {
        Ok(q) => q,
        Err(e) => panic!("{}", e.render(text, "test")),
    }
}

#[test]
fn comment_next_to_string() {
    let query = q("* | where x = \"a // not a comment\" // a comment\n| count");
    assert_eq!(query.stages.len(), 2);
    match &query.stages[0].kind {
        StageKind::Where(e) => match &e.kind {
            ExprKind::Binary(_, _, r) => {
                assert!(matches!(&r.kind, ExprKind::Str(s) if s == "a // not a comment"))
            }
            k => panic!("{k:?}"),
        },
        k => panic!("{k:?}"),
    }
}

#[test]
fn url_in_quotes_is_not_a_comment() {
    let query = q("\"http://example.com/x\" | count");
    assert!(
        matches!(&query.search, Some(Search::Keyword { text, .. }) if text == "http://example.com/x")
    );
}

#[test]
fn slash_is_division_and_regex() {
    let query = q("* | where a / 2 > 1 and b matches /x\\/y/");
    match &query.stages[0].kind {
        StageKind::Where(e) => {
            let s = format!("{e:?}");
            assert!(s.contains("Div"), "{s}");
            assert!(s.contains("regex: \"x/y\""), "{s}");
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn minus_in_sort_keys() {
    let query = q("* | sort by Suspicion, -ConnectionCount");
    match &query.stages[0].kind {
        StageKind::Sort(keys) => {
            assert_eq!(keys[0].mark, SortMark::None);
            assert_eq!(keys[1].mark, SortMark::Minus);
            assert_eq!(keys[1].field.name, "ConnectionCount");
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn bare_value_with_slash() {
    let query = q("_sourceCategory=cisco/asa OR _sourceCategory=prod/*");
    let s = format!("{:?}", query.search);
    assert!(s.contains("pattern: \"cisco/asa\""), "{s}");
    assert!(s.contains("pattern: \"prod/*\""), "{s}");
}

#[test]
fn keywords_case_insensitive() {
    let query = q("* | WHERE a = 1 AND b != 2 | Count BY a | SORT BY _count");
    assert_eq!(query.stages.len(), 3);
}

#[test]
fn string_escapes_keep_unknown_pairs() {
    assert_eq!(unescape(r#"\d+\.\"\\\n"#), "\\d+\\.\"\\\n");
}

#[test]
fn number_suffixes() {
    let query = q("* | where a = 5m and b = 1.5s and c = 10Ki and d = 1M");
    let s = format!("{:?}", query.stages[0].kind);
    assert!(s.contains("Int(300000)"), "{s}");
    assert!(s.contains("Int(1500)"), "{s}");
    assert!(s.contains("Int(10240)"), "{s}");
    assert!(s.contains("Int(1000000)"), "{s}");
}

#[test]
fn not_binds_below_comparison() {
    let query = q("* | where not a = 1");
    let s = format!("{:?}", query.stages[0].kind);
    assert!(s.starts_with("Where(Expr { kind: Unary(Not"), "{s}");
}

#[test]
fn in_and_not_in() {
    let query = q("* | where dest_port in (1883, 8883) and x not in (\"a\")");
    let s = format!("{:?}", query.stages[0].kind);
    assert!(s.contains("negated: false"), "{s}");
    assert!(s.contains("negated: true"), "{s}");
}

#[test]
fn trailing_pipe_is_incomplete() {
    let e = parse_query("* | count |").unwrap_err();
    assert!(e.at_end);
    assert!(e.message.contains("ends with `|`"), "{}", e.message);
    assert!(is_incomplete("* | where (a = 1"));
    assert!(is_incomplete("* | where a = \"open"));
    assert!(is_incomplete("* | where a = 1 /* open"));
    assert!(is_incomplete("* /* open"));
    assert!(!is_incomplete("* | where a = 1"));
    assert!(!is_incomplete("* | where a = = 1"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("* | where {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let e = parse_query(&text).unwrap_err();
    assert!(e.message.contains("nest"), "{}", e.message);
}

#[test]
fn nested_ternaries_past_the_limit_are_an_error() {
    let text = format!("* | eval x = {}0", "a ? 1 : ".repeat(MAX_OPERATORS + 1));
    let e = parse_query(&text).unwrap_err();
    assert!(e.message.contains("`?`"), "{}", e.message);
    // At the limit, the parser's recursion still fits in a test thread's
    // stack only on a large one; the CLI runs on 256 MiB. Here: 50 levels.
    let text = format!("* | eval x = {}0", "a ? 1 : ".repeat(50));
    assert!(parse_query(&text).is_ok());
}

#[test]
fn operator_count_is_limited_without_recursion() {
    let at = format!("* | where x{}", " + x".repeat(MAX_OPERATORS - 1));
    assert!(parse_query(&at).is_ok());
    let past = format!("* | where x{}", " + x".repeat(MAX_OPERATORS + 1));
    let e = parse_query(&past).unwrap_err();
    assert!(e.message.contains("operators"), "{}", e.message);
    let span = e.span;
    assert!(span.start < span.end && span.end <= past.len());
    // Search terms count too (an implicit AND of many keywords).
    let terms = "a ".repeat(MAX_OPERATORS + 1) + "| count";
    assert!(parse_query(&terms).is_err());
}

#[test]
fn percent_quoted_names() {
    let query = q("%\"odd name\"=x | where %\"a.b\" = 1 | count by %\"odd name\"");
    let s = format!("{query:?}");
    assert!(s.contains("name: \"odd name\", quoted: true"), "{s}");
}

#[test]
fn count_fields_without_by() {
    let query = q("* | count a, b");
    match &query.stages[0].kind {
        StageKind::Aggregate { aggs, by } => {
            assert_eq!(aggs[0].func, "count");
            assert_eq!(by.len(), 2);
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn as_stage_and_ternary() {
    let query = q("* | if(a > 1, \"big\", \"small\") as size | a > 1 ? 1 : 0 as flag | num(x)");
    assert!(matches!(query.stages[0].kind, StageKind::As(..)));
    assert!(matches!(query.stages[1].kind, StageKind::As(..)));
    assert!(matches!(query.stages[2].kind, StageKind::Func(..)));
}
