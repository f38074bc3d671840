//! Property tests of the Value rules (SPEC §3, §5 sort order) over
//! arbitrary values: nulls, bools, ints with their extremes, floats with
//! NaN, ±infinity and -0.0, numeric and non-numeric strings, and small
//! JSON arrays and objects.
//!
//! - `sort_cmp` is a total order (reflexive, antisymmetric, transitive,
//!   equal elements interchangeable), follows the SPEC's class order, and
//!   sorting with it never panics and is stable in both directions.
//! - `equals` is symmetric and reflexive (except for a NaN float), and
//!   `a != b` is always `!(a = b)`, directly and through a compiled query.
//! - The ordering family is false on null and on a numeric/non-numeric
//!   pair, and `a < b` is `b > a`.
//! - Numeric strings round-trip: every i64's text is that int, every finite
//!   float's text (`format_float`) parses back to the same bits.
//! - `arith` never panics, and int op int is exact (checked against i128
//!   math) or falls back to the float result; it never wraps.

use std::cmp::Ordering;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::Config;

use sumoq::plan::expr::{compare, CmpOp};
use sumoq::value::{arith, format_float, negate, parse_numeric, ArithOp, Num, Value};

// ------------------------------------------------------------ strategies

/// Strings that sit on the edges of the numeric-string rule.
const EDGE_STRINGS: &[&str] = &[
    "",
    " ",
    "0",
    "-0",
    "+0",
    "-0.0",
    " 42 ",
    "42",
    "042",
    "1e3",
    "1E3",
    "1e",
    "1e+3",
    "-1.5e-3",
    ".5",
    "5.",
    "-",
    "+",
    ".",
    "1,000",
    "0x10",
    "5m",
    "1k",
    "inf",
    "-inf",
    "Infinity",
    "NaN",
    "nan",
    "1e400",
    "-1e400",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "true",
    "TRUE",
    "false",
    "null",
    "abc",
    "Abc",
    "a",
    "b",
    "é",
    "日本",
    "10.0.0.1",
    "[1,2]",
    "{\"k\":1}",
];

fn int_strategy() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => any::<i64>(),
        2 => -1000i64..1000,
        1 => prop::sample::select(vec![
            i64::MIN,
            i64::MIN + 1,
            i64::MAX,
            i64::MAX - 1,
            0,
            -1,
            1,
            1 << 53,
            (1 << 53) + 1,
            -(1 << 53) - 1,
        ]),
    ]
}

fn float_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => any::<f64>(),
        2 => (-1000i32..1000).prop_map(|i| f64::from(i) / 4.0),
        1 => prop::sample::select(vec![
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            f64::MIN,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            9_223_372_036_854_775_808.0,
            -9_223_372_036_854_775_808.0,
            9_007_199_254_740_993.0,
            0.1,
            1e30,
        ]),
    ]
}

fn string_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(EDGE_STRINGS).prop_map(str::to_string),
        2 => int_strategy().prop_map(|i| i.to_string()),
        1 => int_strategy().prop_map(|i| format!("  {i}\t")),
        2 => float_strategy().prop_map(format_float),
        2 => "\\PC{0,6}",
        1 => "[0-9. eE+-]{1,6}",
    ]
}

fn json_strategy() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        (-100i64..100).prop_map(serde_json::Value::from),
        "[a-c]{0,2}".prop_map(serde_json::Value::from),
    ];
    prop_oneof![
        prop::collection::vec(leaf.clone(), 0..3).prop_map(serde_json::Value::Array),
        prop::collection::vec(("[a-c]{1,2}", leaf), 0..3)
            .prop_map(|kv| { serde_json::Value::Object(kv.into_iter().collect()) }),
    ]
}

fn value_strategy() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => int_strategy().prop_map(Value::Int),
        3 => float_strategy().prop_map(Value::Float),
        4 => string_strategy().prop_map(|s| Value::str(&s)),
        1 => json_strategy().prop_map(|j| Value::Json(Arc::new(j))),
    ]
}

/// `cases` runs per property, or `PROPTEST_CASES` when set (for a deeper
/// run: `PROPTEST_CASES=100000 cargo test --release --test value_props`).
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The SPEC §5 class of a value in ascending sort order: numbers and
/// numeric strings, other strings, booleans, arrays and objects, null.
fn spec_class(v: &Value) -> u8 {
    match v {
        Value::Int(_) | Value::Float(_) => 0,
        Value::Str(_) if v.as_num().is_some() => 0,
        Value::Str(_) => 1,
        Value::Bool(_) => 2,
        Value::Json(_) => 3,
        Value::Null => 4,
    }
}

fn is_nan_float(v: &Value) -> bool {
    matches!(v, Value::Float(f) if f.is_nan())
}

// ------------------------------------------------------------ sort order

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn sort_cmp_is_reflexive(a in value_strategy()) {
        prop_assert_eq!(a.sort_cmp(&a), Ordering::Equal);
        prop_assert_eq!(a.sort_cmp(&a.clone()), Ordering::Equal);
    }

    #[test]
    fn sort_cmp_is_antisymmetric(a in value_strategy(), b in value_strategy()) {
        prop_assert_eq!(a.sort_cmp(&b), b.sort_cmp(&a).reverse(), "{:?} vs {:?}", a, b);
    }

    #[test]
    fn sort_cmp_follows_spec_classes(a in value_strategy(), b in value_strategy()) {
        let (ca, cb) = (spec_class(&a), spec_class(&b));
        if ca != cb {
            prop_assert_eq!(a.sort_cmp(&b), ca.cmp(&cb), "{:?} vs {:?}", a, b);
        }
        // NaN sorts after every other number, and equal to another NaN.
        if ca == 0 && cb == 0 {
            let nan = |v: &Value| v.as_num().is_some_and(|n| n.as_f64().is_nan());
            match (nan(&a), nan(&b)) {
                (true, true) => prop_assert_eq!(a.sort_cmp(&b), Ordering::Equal),
                (true, false) => prop_assert_eq!(a.sort_cmp(&b), Ordering::Greater),
                (false, true) => prop_assert_eq!(a.sort_cmp(&b), Ordering::Less),
                (false, false) => {}
            }
        }
    }

    #[test]
    fn sort_cmp_is_transitive(
        a in value_strategy(),
        b in value_strategy(),
        c in value_strategy(),
    ) {
        let (ab, bc, ac) = (a.sort_cmp(&b), b.sort_cmp(&c), a.sort_cmp(&c));
        if ab != Ordering::Greater && bc != Ordering::Greater {
            prop_assert!(ac != Ordering::Greater, "{:?} <= {:?} <= {:?} but not a <= c", a, b, c);
        }
        if ab == Ordering::Less && bc != Ordering::Greater {
            prop_assert_eq!(ac, Ordering::Less, "{:?} < {:?} <= {:?}", a, b, c);
        }
        // Equal elements are interchangeable.
        if ab == Ordering::Equal {
            prop_assert_eq!(ac, bc, "{:?} == {:?}, compared with {:?}", a, b, c);
        }
    }
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn sorting_never_panics_and_is_stable(
        values in prop::collection::vec(value_strategy(), 0..40),
    ) {
        for descending in [false, true] {
            let mut items: Vec<(usize, Value)> = values.iter().cloned().enumerate().collect();
            let cmp = |x: &Value, y: &Value| {
                if descending { y.sort_cmp(x) } else { x.sort_cmp(y) }
            };
            let sorted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                items.sort_by(|(_, x), (_, y)| cmp(x, y));
                items
            }));
            prop_assert!(sorted.is_ok(), "sorting panicked on {:?}", values);
            let items = sorted.unwrap_or_default();
            prop_assert_eq!(items.len(), values.len());
            for w in items.windows(2) {
                let (i, x) = &w[0];
                let (j, y) = &w[1];
                let o = cmp(x, y);
                prop_assert!(o != Ordering::Greater, "out of order: {:?} then {:?}", x, y);
                if o == Ordering::Equal {
                    prop_assert!(i < j, "tie not in input order: #{} {:?} then #{} {:?}", i, x, j, y);
                }
            }
            // Sorting is a permutation of the input.
            let mut idx: Vec<usize> = items.iter().map(|(i, _)| *i).collect();
            idx.sort_unstable();
            prop_assert_eq!(idx, (0..values.len()).collect::<Vec<_>>());
        }
    }
}

// ------------------------------------------------------------ equality and ordering

/// A record holding `a` and `b`.
fn record(a: &Value, b: &Value) -> sumoq::record::Record {
    let mut r = sumoq::record::Record::from_raw("");
    r.set(&Arc::from("a"), a.clone());
    r.set(&Arc::from("b"), b.clone());
    r
}

/// Compiles the condition of `* | where COND` through the real parser and
/// planner.
fn compile_where(cond: &str) -> sumoq::plan::expr::CExpr {
    let q = sumoq::parser::parse_query(&format!("* | where {cond}"))
        .unwrap_or_else(|e| panic!("query `{cond}` does not parse: {e:?}"));
    let stage = q.stages.first().expect("one stage");
    match &stage.kind {
        sumoq::ast::StageKind::Where(e) => {
            sumoq::plan::compile::compile(e).unwrap_or_else(|e| panic!("`{cond}`: {e:?}"))
        }
        _ => panic!("`{cond}` is not a where stage"),
    }
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn equals_is_symmetric(a in value_strategy(), b in value_strategy()) {
        prop_assert_eq!(a.equals(&b), b.equals(&a), "{:?} vs {:?}", a, b);
    }

    #[test]
    fn equals_is_reflexive_except_nan(a in value_strategy()) {
        prop_assert_eq!(a.equals(&a.clone()), !is_nan_float(&a), "{:?}", a);
    }

    #[test]
    fn ne_is_not_eq(a in value_strategy(), b in value_strategy()) {
        prop_assert_eq!(compare(CmpOp::Ne, &a, &b), !compare(CmpOp::Eq, &a, &b));
        prop_assert_eq!(compare(CmpOp::Eq, &a, &b), a.equals(&b));
    }

    #[test]
    fn null_equals_only_null(a in value_strategy()) {
        prop_assert_eq!(Value::Null.equals(&a), a.is_null());
    }

    #[test]
    fn ordering_family_rules(a in value_strategy(), b in value_strategy()) {
        let lt = compare(CmpOp::Lt, &a, &b);
        let le = compare(CmpOp::Le, &a, &b);
        let gt = compare(CmpOp::Gt, &a, &b);
        let ge = compare(CmpOp::Ge, &a, &b);
        // Converse operators agree.
        prop_assert_eq!(lt, compare(CmpOp::Gt, &b, &a));
        prop_assert_eq!(le, compare(CmpOp::Ge, &b, &a));
        prop_assert!(!(lt && gt), "{:?} both < and > {:?}", a, b);
        prop_assert!(!lt || le);
        prop_assert!(!gt || ge);
        let (na, nb) = (a.as_num().is_some(), b.as_num().is_some());
        let comparable = (na && nb)
            || matches!((&a, &b), (Value::Str(_), Value::Str(_)) if !na && !nb);
        if !comparable {
            // Null, or numeric beside non-numeric, or a bool or container:
            // every ordering is false (SPEC §3).
            prop_assert!(!(lt || le || gt || ge), "{:?} vs {:?} should not order", a, b);
        }
        if let (Value::Str(x), Value::Str(y)) = (&a, &b) {
            if !na && !nb {
                prop_assert_eq!(lt, x.as_ref() < y.as_ref());
                prop_assert_eq!(ge, x.as_ref() >= y.as_ref());
            }
        }
    }
}

proptest! {
    #![proptest_config(config(200))]

    /// `a != b`, `a <> b`, `!(a = b)` and `not a == b` agree through a real
    /// compiled query, and `a = b` is `equals`.
    #[test]
    fn ne_is_not_eq_through_a_query(a in value_strategy(), b in value_strategy()) {
        thread_local! {
            static EXPRS: Vec<sumoq::plan::expr::CExpr> = [
                "a = b", "a != b", "a <> b", "!(a = b)", "not (a == b)", "b != a",
            ]
            .iter()
            .map(|c| compile_where(c))
            .collect();
        }
        let rec = record(&a, &b);
        let got: Vec<bool> = EXPRS.with(|es| es.iter().map(|e| e.eval(&rec).truthy()).collect());
        let eq = got[0];
        prop_assert_eq!(eq, a.equals(&b));
        for (i, ne) in got.iter().enumerate().skip(1) {
            prop_assert_eq!(*ne, !eq, "form #{} on {:?} vs {:?}", i, a, b);
        }
    }
}

// ------------------------------------------------------------ numeric strings

proptest! {
    #![proptest_config(config(600))]

    #[test]
    fn int_text_round_trips(n in int_strategy()) {
        prop_assert_eq!(Value::str(&n.to_string()).as_num(), Some(Num::Int(n)));
        prop_assert_eq!(Value::str(&format!(" {n}\t")).as_num(), Some(Num::Int(n)));
        prop_assert_eq!(parse_numeric(&Value::Int(n).display_text()), Some(Num::Int(n)));
        // A numeric string equals the int it stands for.
        prop_assert!(Value::str(&n.to_string()).equals(&Value::Int(n)));
    }

    #[test]
    fn float_text_round_trips(f in float_strategy().prop_filter("finite", |f| f.is_finite())) {
        let text = format_float(f);
        match parse_numeric(&text) {
            Some(Num::Float(g)) => prop_assert_eq!(
                g.to_bits(), f.to_bits(), "{} -> {:?} -> {}", f, text, g
            ),
            other => prop_assert!(false, "{} -> {:?} -> {:?}", f, text, other),
        }
        // The text of a float value is the same text.
        prop_assert_eq!(Value::Float(f).display_text().into_owned(), text);
    }

    #[test]
    fn parse_numeric_never_panics(s in "\\PC{0,12}") {
        let _ = parse_numeric(&s);
        let v = Value::str(&s);
        let _ = (v.to_num(), v.to_long(), v.to_double(), v.as_num());
    }
}

// ------------------------------------------------------------ arithmetic

const OPS: [ArithOp; 5] = [
    ArithOp::Add,
    ArithOp::Sub,
    ArithOp::Mul,
    ArithOp::Div,
    ArithOp::Rem,
];

/// The exact i128 result of an int operation (`None` for `/` and `% 0`).
fn exact(op: ArithOp, a: i64, b: i64) -> Option<i128> {
    let (x, y) = (i128::from(a), i128::from(b));
    match op {
        ArithOp::Add => Some(x + y),
        ArithOp::Sub => Some(x - y),
        ArithOp::Mul => Some(x * y),
        ArithOp::Div => None,
        ArithOp::Rem if b == 0 => None,
        ArithOp::Rem => Some(x % y),
    }
}

fn check_int_op(op: ArithOp, a: i64, b: i64, got: &Value) -> Result<(), TestCaseError> {
    match exact(op, a, b) {
        Some(e) => match i64::try_from(e) {
            Ok(want) => prop_assert!(
                matches!(got, Value::Int(v) if *v == want),
                "{:?} {} {} = {:?}, want int {}",
                op,
                a,
                b,
                got,
                want
            ),
            Err(_) => {
                // The float result of the operation, not a wrapped int: the
                // same as float arithmetic on the operands, and within
                // float rounding of the exact result.
                let (x, y) = (a as f64, b as f64);
                let want = match op {
                    ArithOp::Add => x + y,
                    ArithOp::Sub => x - y,
                    _ => x * y,
                };
                prop_assert!(
                    matches!(got, Value::Float(f) if *f == want),
                    "{:?} {} {} overflows: {:?}, want float {}",
                    op,
                    a,
                    b,
                    got,
                    want
                );
                let rel = ((want - e as f64) / e as f64).abs();
                prop_assert!(
                    rel < 1e-15,
                    "{:?} {} {}: {} is far from {}",
                    op,
                    a,
                    b,
                    want,
                    e
                );
            }
        },
        None => {
            let (x, y) = (a as f64, b as f64);
            let want = if op == ArithOp::Div { x / y } else { x % y };
            prop_assert!(
                matches!(got, Value::Float(f) if f.to_bits() == want.to_bits()
                    || (f.is_nan() && want.is_nan())),
                "{:?} {} {} = {:?}, want float {}",
                op,
                a,
                b,
                got,
                want
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn arith_never_panics(a in value_strategy(), b in value_strategy()) {
        for op in OPS {
            let r = arith(op, &a, &b);
            let numeric = a.as_num().is_some() && b.as_num().is_some();
            prop_assert_eq!(r.is_null(), !numeric, "{:?} {:?} {:?} = {:?}", op, a, b, r);
            if op == ArithOp::Div && numeric {
                prop_assert!(matches!(r, Value::Float(_)), "/ gives a float: {:?}", r);
            }
        }
        let _ = negate(&a);
    }

    #[test]
    fn int_arith_never_wraps(a in int_strategy(), b in int_strategy()) {
        for op in OPS {
            check_int_op(op, a, b, &arith(op, &Value::Int(a), &Value::Int(b)))?;
            // Numeric strings convert to the same ints.
            let (sa, sb) = (Value::str(&a.to_string()), Value::str(&format!(" {b} ")));
            check_int_op(op, a, b, &arith(op, &sa, &sb))?;
        }
    }

    #[test]
    fn negate_never_wraps(a in int_strategy()) {
        match negate(&Value::Int(a)) {
            Value::Int(n) => prop_assert_eq!(i128::from(n), -i128::from(a)),
            Value::Float(f) => {
                prop_assert_eq!(a, i64::MIN);
                prop_assert_eq!(f, 9_223_372_036_854_775_808.0);
            }
            other => prop_assert!(false, "-{} = {:?}", a, other),
        }
    }
}

#[test]
fn arith_edges() {
    // Fixed edges of SPEC §3 next to the generated ones.
    assert!(matches!(
        arith(ArithOp::Rem, &Value::Int(i64::MIN), &Value::Int(-1)),
        Value::Int(0)
    ));
    assert!(matches!(
        arith(ArithOp::Mul, &Value::Int(i64::MIN), &Value::Int(-1)),
        Value::Float(f) if f == 9_223_372_036_854_775_808.0
    ));
    assert!(matches!(
        arith(ArithOp::Div, &Value::Int(0), &Value::Int(0)),
        Value::Float(f) if f.is_nan()
    ));
    assert!(arith(ArithOp::Add, &Value::str("1"), &Value::Null).is_null());
    assert!(arith(ArithOp::Add, &Value::str("a"), &Value::str("b")).is_null());
}
