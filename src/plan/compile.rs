//! AST expressions → [`CExpr`], checking names, argument counts, regexes,
//! CIDRs and date patterns before any input is read.

use crate::ast::{BinOp, Expr, ExprKind, Span, UnOp};
use crate::error::{did_you_mean, QueryError};
use crate::functions::{self, Imp, Special};
use crate::value::{ArithOp, Value};

use super::expr::{
    build_regex, whole_regex, wildcard_regex, CExpr, CmpOp, FieldRef, Pattern, PatternKind,
};

/// Compiles an expression.
pub fn compile(e: &Expr) -> Result<CExpr, QueryError> {
    Ok(match &e.kind {
        ExprKind::Bool(b) => CExpr::Const(Value::Bool(*b)),
        ExprKind::Int(i) => CExpr::Const(Value::Int(*i)),
        ExprKind::Float(f) => CExpr::Const(Value::Float(*f)),
        ExprKind::Str(s) => CExpr::Const(Value::str(s)),
        ExprKind::Regex(_) => return Err(QueryError::new(
            "a `/regex/` literal is only allowed after `matches` or as the pattern of `replace`",
            e.span,
        )),
        ExprKind::Field(f) => CExpr::Field(FieldRef::new(&f.name, f.quoted)),
        ExprKind::Unary(UnOp::Not, x) => CExpr::Not(Box::new(condition(x)?)),
        ExprKind::Unary(UnOp::Neg, x) => match compile(x)? {
            CExpr::Const(v) => CExpr::Const(crate::value::negate(&v)),
            c => CExpr::Neg(Box::new(c)),
        },
        ExprKind::Binary(op @ (BinOp::Or | BinOp::And), a, b) => {
            // Each side is compiled once: compiling it twice would double
            // the work at every level of an `and` chain.
            let (ca, cb) = (Box::new(condition(a)?), Box::new(condition(b)?));
            if *op == BinOp::Or {
                CExpr::Or(ca, cb)
            } else {
                CExpr::And(ca, cb)
            }
        }
        ExprKind::Binary(op, a, b) => {
            let (ca, cb) = (Box::new(compile(a)?), Box::new(compile(b)?));
            match op {
                BinOp::Eq => CExpr::Cmp(CmpOp::Eq, ca, cb),
                BinOp::Ne => CExpr::Cmp(CmpOp::Ne, ca, cb),
                BinOp::Lt => CExpr::Cmp(CmpOp::Lt, ca, cb),
                BinOp::Le => CExpr::Cmp(CmpOp::Le, ca, cb),
                BinOp::Gt => CExpr::Cmp(CmpOp::Gt, ca, cb),
                BinOp::Ge => CExpr::Cmp(CmpOp::Ge, ca, cb),
                BinOp::Add => CExpr::Arith(ArithOp::Add, ca, cb),
                BinOp::Sub => CExpr::Arith(ArithOp::Sub, ca, cb),
                BinOp::Mul => CExpr::Arith(ArithOp::Mul, ca, cb),
                BinOp::Div => CExpr::Arith(ArithOp::Div, ca, cb),
                // `and`/`or` took the arm above.
                BinOp::Rem | BinOp::Or | BinOp::And => CExpr::Arith(ArithOp::Rem, ca, cb),
            }
        }
        ExprKind::In {
            expr,
            list,
            negated,
        } => CExpr::In(
            Box::new(compile(expr)?),
            list.iter().map(compile).collect::<Result<_, _>>()?,
            *negated,
        ),
        ExprKind::MatchesWildcard {
            expr,
            pattern,
            negated,
        } => {
            let pat = match compile(pattern)? {
                CExpr::Const(v) => match v.text() {
                    Some(t) => {
                        Pattern::Fixed(regex_at(&wildcard_regex(&t, false, false), pattern.span)?)
                    }
                    None => return Err(QueryError::new("`matches` needs a pattern", pattern.span)),
                },
                other => Pattern::Dynamic(Box::new(other)),
            };
            CExpr::Match {
                expr: Box::new(compile(expr)?),
                pattern: pat,
                kind: PatternKind::Wildcard,
                negated: *negated,
            }
        }
        ExprKind::MatchesRegex {
            expr,
            regex,
            regex_span,
            negated,
        } => CExpr::Match {
            expr: Box::new(compile(expr)?),
            // Sumo's `matches /re/` finds the regex anywhere in the value.
            pattern: Pattern::Fixed(regex_at(regex, *regex_span)?),
            kind: PatternKind::WholeRegex,
            negated: *negated,
        },
        ExprKind::Ternary(c, a, b) => CExpr::If(
            Box::new(condition(c)?),
            Box::new(compile(a)?),
            Box::new(compile(b)?),
        ),
        ExprKind::Call {
            name,
            name_span,
            args,
        } => call(name, *name_span, args, e.span)?,
    })
}

/// Compiles an expression used as a condition (`where`, `if`, `? :`,
/// `and`, `or`, `not`). A literal that can never be true or false (`5`,
/// `"x"`) is a query error (SPEC §3); `"true"`/`"false"` text is allowed.
pub fn condition(e: &Expr) -> Result<CExpr, QueryError> {
    let never_boolean = match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) => true,
        ExprKind::Str(s) => {
            !(s.trim().eq_ignore_ascii_case("true") || s.trim().eq_ignore_ascii_case("false"))
        }
        _ => false,
    };
    if never_boolean {
        return Err(QueryError::new(
            "this condition is a constant that is never true or false",
            e.span,
        )
        .with_hint("compare it with a field, for example `where field = \"value\"`"));
    }
    compile(e)
}

/// Compiles a regex, turning a syntax error into a query error at `span`.
pub fn regex_at(src: &str, span: Span) -> Result<regex::Regex, QueryError> {
    build_regex(src).map_err(|err| {
        let msg = match err {
            regex::Error::CompiledTooBig(limit) => {
                format!("regular expression is too large (limit {limit} bytes compiled)")
            }
            other => {
                let text = other.to_string();
                let last = text
                    .lines()
                    .rev()
                    .find(|l| l.starts_with("error:"))
                    .unwrap_or("error: invalid syntax")
                    .trim_start_matches("error:")
                    .trim()
                    .to_string();
                format!("invalid regular expression: {last}")
            }
        };
        let e = QueryError::new(msg, span);
        // Sumo's regexes are Java's; this engine guarantees linear time
        // and so has no look-around.
        if e.message.contains("look-around") {
            e.with_hint("sumoq's regular expressions have no look-around ((?=, (?!, (?<=, (?<!); match the wanted text directly, or test the opposite with `not matches`")
        } else {
            e
        }
    })
}

fn const_text(e: &CExpr) -> Option<String> {
    match e {
        CExpr::Const(v) => v.text().map(|t| t.into_owned()),
        _ => None,
    }
}

fn call(name: &str, name_span: Span, args: &[Expr], span: Span) -> Result<CExpr, QueryError> {
    let def = match functions::lookup(name) {
        Some(d) => d,
        None => {
            let mut err = QueryError::new(format!("unknown function `{name}`"), name_span);
            if let Some(h) = did_you_mean(name, functions::all_names()) {
                err = err.with_hint(h);
            }
            return Err(err);
        }
    };
    if args.len() < def.min_args || args.len() > def.max_args {
        let want = if def.min_args == def.max_args {
            format!("{}", def.min_args)
        } else if def.max_args == usize::MAX {
            format!("at least {}", def.min_args)
        } else {
            format!("{} to {}", def.min_args, def.max_args)
        };
        return Err(QueryError::new(
            format!(
                "`{}` takes {} argument{}, found {}",
                def.name,
                want,
                if want == "1" { "" } else { "s" },
                args.len()
            ),
            span,
        )
        .with_hint(format!("usage: {}", def.syntax)));
    }
    // A regex literal is only meaningful as replace's pattern.
    let regex_arg_ok = matches!(def.imp, Imp::Special(Special::Replace));
    for (i, a) in args.iter().enumerate() {
        if matches!(a.kind, ExprKind::Regex(_)) && !(regex_arg_ok && i == 1) {
            return Err(QueryError::new(
                format!("`{}` does not take a `/regex/` literal here", def.name),
                a.span,
            ));
        }
    }
    match def.imp {
        Imp::Pure(f) => Ok(CExpr::Call(
            def.name,
            f,
            args.iter().map(compile).collect::<Result<_, _>>()?,
        )),
        Imp::Special(s) => special(s, args, span),
    }
}

fn special(s: Special, args: &[Expr], span: Span) -> Result<CExpr, QueryError> {
    let arg = |i: usize| -> Result<CExpr, QueryError> {
        match args.get(i) {
            Some(a) => compile(a),
            None => Err(QueryError::new("missing argument", span)),
        }
    };
    let arg_span = |i: usize| args.get(i).map(|a| a.span).unwrap_or(span);
    Ok(match s {
        Special::If => {
            let c = match args.first() {
                Some(a) => condition(a)?,
                None => return Err(QueryError::new("missing argument", span)),
            };
            CExpr::If(Box::new(c), Box::new(arg(1)?), Box::new(arg(2)?))
        }
        Special::Matches => {
            let pattern = arg(1)?;
            let pattern = match const_text(&pattern) {
                Some(t) => Pattern::Fixed(regex_at(&whole_regex(&t), arg_span(1))?),
                None => Pattern::Dynamic(Box::new(pattern)),
            };
            CExpr::Match {
                expr: Box::new(arg(0)?),
                pattern,
                kind: PatternKind::WholeRegex,
                negated: false,
            }
        }
        Special::CidrMatch => {
            let net = arg(1)?;
            match const_text(&net) {
                Some(t) => match functions::ip::parse_cidr(&t) {
                    Some(n) => CExpr::Cidr(Box::new(arg(0)?), n),
                    None => {
                        return Err(QueryError::new(
                            format!("`{t}` is not a CIDR network such as 10.0.0.0/8"),
                            arg_span(1),
                        ))
                    }
                },
                None => CExpr::CidrDyn(Box::new(arg(0)?), Box::new(net)),
            }
        }
        Special::Replace => {
            let target = &args[1];
            match &target.kind {
                ExprKind::Regex(src) => CExpr::RegexReplace(
                    Box::new(arg(0)?),
                    regex_at(src, target.span)?,
                    Box::new(match arg(2)? {
                        // A constant replacement is translated once, here.
                        CExpr::Const(v) => CExpr::Const(match v.text() {
                            Some(t) => Value::from(java_replacement(&t)),
                            None => Value::Null,
                        }),
                        other => CExpr::Call("replacement", replacement_fn, vec![other]),
                    }),
                ),
                _ => CExpr::Call(
                    "replace",
                    functions::string::replace,
                    vec![arg(0)?, arg(1)?, arg(2)?],
                ),
            }
        }
        Special::FormatDate => {
            // Without a pattern Sumo gives a US-style date; this is the
            // pattern of its results table.
            let pattern = if args.len() > 1 {
                fixed_text(args, 1, "a date pattern such as \"yyyy-MM-dd\"", span)?
            } else {
                DEFAULT_DATE_PATTERN.to_string()
            };
            crate::time::check_pattern(&pattern).map_err(|m| QueryError::new(m, arg_span(1)))?;
            let zone = optional_zone(args, 2, span)?;
            CExpr::FormatDate(Box::new(arg(0)?), pattern, zone)
        }
        Special::ParseDate => {
            let pattern = if args.len() > 1 {
                let p = fixed_text(args, 1, "a date pattern such as \"yyyy-MM-dd\"", span)?;
                let p = crate::time::DatePattern::new(&p)
                    .map_err(|m| QueryError::new(m, arg_span(1)))?;
                Some(p)
            } else {
                None
            };
            let zone = optional_zone(args, 2, span)?;
            CExpr::ParseDate(Box::new(arg(0)?), pattern, zone)
        }
        Special::Now | Special::QueryEnd => CExpr::Const(Value::Int(crate::time::query_now_ms())),
        Special::QueryStart => CExpr::Const(Value::Int(
            crate::time::query_now_ms() - functions::time_fns::QUERY_RANGE_MS,
        )),
        Special::QueryRange => CExpr::Const(Value::Int(functions::time_fns::QUERY_RANGE_MS)),
    })
}

/// `formatDate`'s pattern when none is given.
pub const DEFAULT_DATE_PATTERN: &str = "MM/dd/yyyy HH:mm:ss.SSS Z";

fn fixed_text(args: &[Expr], i: usize, what: &str, span: Span) -> Result<String, QueryError> {
    match args.get(i).map(|a| (&a.kind, a.span)) {
        Some((ExprKind::Str(s), _)) => Ok(s.clone()),
        Some((_, s)) => Err(QueryError::new(format!("expected {what} in quotes"), s)),
        None => Err(QueryError::new(format!("missing {what}"), span)),
    }
}

fn optional_zone(args: &[Expr], i: usize, span: Span) -> Result<Option<String>, QueryError> {
    if args.len() <= i {
        return Ok(None);
    }
    let z = fixed_text(args, i, "a time zone such as \"UTC\"", span)?;
    let zspan = args.get(i).map(|a| a.span).unwrap_or(span);
    crate::time::check_zone(&z).map_err(|m| QueryError::new(m, zspan))?;
    Ok(Some(z))
}

/// Translates a Java/Sumo replacement string to the regex crate's syntax:
/// `$1` is group 1 even when a word character follows (`$1x`), so it
/// becomes `${1}`; `\$` is a literal dollar (`$$`).
pub fn java_replacement(r: &str) -> String {
    let mut out = String::with_capacity(r.len() + 4);
    let mut chars = r.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'$') => {
                chars.next();
                out.push_str("$$");
            }
            '$' if chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                out.push_str("${");
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    out.push(d);
                    chars.next();
                }
                out.push('}');
            }
            c => out.push(c),
        }
    }
    out
}

fn replacement_fn(a: &[Value]) -> Value {
    match a
        .first()
        .and_then(|v| v.text().map(|t| java_replacement(&t)))
    {
        Some(t) => Value::from(t),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::java_replacement;

    #[test]
    fn replacement_groups() {
        assert_eq!(java_replacement("$2-$1x"), "${2}-${1}x");
        assert_eq!(java_replacement("${name}!"), "${name}!");
        assert_eq!(java_replacement("cost \\$5"), "cost $$5");
        assert_eq!(java_replacement("$"), "$");
    }
}
