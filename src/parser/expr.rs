//! Expressions → [`Expr`], with precedence from pest's Pratt parser.
//!
//! Precedence, loosest first: `or`; `and`; `not`/`!`; comparisons, `in`,
//! `matches` and `contains`; `+ -`; `* / %`; unary minus. `not` sits below the
//! comparisons, as in SQL, so `not a = b` is `not (a = b)`.

use std::sync::OnceLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::{field_name, span_of, string_value, Rule};
use crate::ast::{BinOp, Expr, ExprKind, Span, UnOp};
use crate::error::QueryError;

fn pratt() -> &'static PrattParser<Rule> {
    static P: OnceLock<PrattParser<Rule>> = OnceLock::new();
    P.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left)
                | Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left)
                | Op::infix(Rule::op_matches, Assoc::Left)
                | Op::infix(Rule::op_contains, Assoc::Left)
                | Op::postfix(Rule::in_list)
                | Op::postfix(Rule::matches_regex))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left)
                | Op::infix(Rule::op_div, Assoc::Left)
                | Op::infix(Rule::op_mod, Assoc::Left))
            .op(Op::prefix(Rule::op_neg))
    })
}

/// Builds an expression from an `expr` pair.
pub(crate) fn build(p: Pair<Rule>) -> Result<Expr, QueryError> {
    let span = span_of(&p);
    match p.as_rule() {
        Rule::regex_arg => Ok(Expr {
            kind: ExprKind::Regex(regex_text(p)),
            span,
        }),
        Rule::expr => match p.into_inner().next() {
            Some(t) => build(t),
            None => Err(QueryError::new("empty expression", span)),
        },
        Rule::ternary => {
            let mut it = p.into_inner();
            let chain = it
                .next()
                .ok_or_else(|| QueryError::new("empty expression", span))?;
            let cond = build_chain(chain.into_inner())?;
            match (it.next(), it.next()) {
                (Some(a), Some(b)) => Ok(Expr {
                    kind: ExprKind::Ternary(
                        Box::new(cond),
                        Box::new(build(a)?),
                        Box::new(build(b)?),
                    ),
                    span,
                }),
                _ => Ok(cond),
            }
        }
        _ => Err(QueryError::new("expected an expression", span)),
    }
}

fn join(a: Span, b: Span) -> Span {
    Span::new(a.start.min(b.start), a.end.max(b.end))
}

fn build_chain(pairs: Pairs<Rule>) -> Result<Expr, QueryError> {
    pratt()
        .map_primary(primary)
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            let span = join(span_of(&op), rhs.span);
            let u = if op.as_rule() == Rule::op_not {
                UnOp::Not
            } else {
                UnOp::Neg
            };
            Ok(Expr {
                kind: ExprKind::Unary(u, Box::new(rhs)),
                span,
            })
        })
        .map_postfix(|lhs, op| {
            let lhs = lhs?;
            let span = join(lhs.span, span_of(&op));
            let rule = op.as_rule();
            let mut negated = false;
            let mut items = Vec::new();
            let mut regex = None;
            for c in op.into_inner() {
                match c.as_rule() {
                    Rule::kw_not => negated = true,
                    Rule::kw_in | Rule::kw_matches => {}
                    Rule::regex_lit => {
                        let rs = span_of(&c);
                        regex = Some((regex_text(c), rs));
                    }
                    _ => items.push(build(c)?),
                }
            }
            let kind = if rule == Rule::in_list {
                ExprKind::In {
                    expr: Box::new(lhs),
                    list: items,
                    negated,
                }
            } else {
                let (regex, regex_span) = regex.unwrap_or_default();
                ExprKind::MatchesRegex {
                    expr: Box::new(lhs),
                    regex,
                    regex_span,
                    negated,
                }
            };
            Ok(Expr { kind, span })
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let span = join(lhs.span, rhs.span);
            let bin = match op.as_rule() {
                Rule::op_or => BinOp::Or,
                Rule::op_and => BinOp::And,
                Rule::op_eq => BinOp::Eq,
                Rule::op_ne => BinOp::Ne,
                Rule::op_lt => BinOp::Lt,
                Rule::op_le => BinOp::Le,
                Rule::op_gt => BinOp::Gt,
                Rule::op_ge => BinOp::Ge,
                Rule::op_add => BinOp::Add,
                Rule::op_sub => BinOp::Sub,
                Rule::op_mul => BinOp::Mul,
                Rule::op_div => BinOp::Div,
                Rule::op_mod => BinOp::Rem,
                // `a contains b` is Sumo's infix form of `contains(a, b)`.
                Rule::op_contains => {
                    return Ok(Expr {
                        kind: ExprKind::Call {
                            name: "contains".into(),
                            name_span: span_of(&op),
                            args: vec![lhs, rhs],
                        },
                        span,
                    })
                }
                _ => {
                    let negated = op.into_inner().any(|c| c.as_rule() == Rule::kw_not);
                    return Ok(Expr {
                        kind: ExprKind::MatchesWildcard {
                            expr: Box::new(lhs),
                            pattern: Box::new(rhs),
                            negated,
                        },
                        span,
                    });
                }
            };
            Ok(Expr {
                kind: ExprKind::Binary(bin, Box::new(lhs), Box::new(rhs)),
                span,
            })
        })
        .parse(pairs)
}

fn primary(p: Pair<Rule>) -> Result<Expr, QueryError> {
    let span = span_of(&p);
    let kind = match p.as_rule() {
        Rule::paren => {
            return match p.into_inner().next() {
                Some(e) => {
                    let mut inner = build(e)?;
                    inner.span = span;
                    Ok(inner)
                }
                None => Err(QueryError::new("empty parentheses", span)),
            }
        }
        Rule::number => number(p.as_str(), span)?,
        Rule::string => ExprKind::Str(string_value(p)),
        Rule::lookup_path => match p.into_inner().next() {
            Some(s) => ExprKind::Str(string_value(s)),
            None => return Err(QueryError::new("expected a path in quotes", span)),
        },
        Rule::bool_true => ExprKind::Bool(true),
        Rule::bool_false => ExprKind::Bool(false),
        Rule::func_call => {
            let mut it = p.into_inner();
            let name = it
                .next()
                .ok_or_else(|| QueryError::new("missing function name", span))?;
            let name_span = span_of(&name);
            let name = name.as_str().to_string();
            let args = it.map(build).collect::<Result<Vec<_>, _>>()?;
            ExprKind::Call {
                name,
                name_span,
                args,
            }
        }
        Rule::field_ref => match p.into_inner().next() {
            Some(f) => ExprKind::Field(field_name(f)),
            None => return Err(QueryError::new("missing field name", span)),
        },
        _ => return Err(QueryError::new("expected an expression", span)),
    };
    Ok(Expr { kind, span })
}

/// A number literal with Sumo's size and time suffixes (SPEC §1).
fn number(text: &str, span: Span) -> Result<ExprKind, QueryError> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(split);
    let factor: Option<f64> = match suffix {
        "" => None,
        "k" | "K" => Some(1e3),
        "M" => Some(1e6),
        "G" | "B" => Some(1e9),
        "T" => Some(1e12),
        "P" => Some(1e15),
        "Ki" => Some(1024.0),
        "Mi" => Some(1024.0 * 1024.0),
        "Gi" => Some(1024f64.powi(3)),
        "Ti" => Some(1024f64.powi(4)),
        "Pi" => Some(1024f64.powi(5)),
        "ns" => Some(1e-6),
        "us" => Some(1e-3),
        "ms" => Some(1.0),
        "s" => Some(1e3),
        "m" => Some(60e3),
        "h" => Some(3600e3),
        "d" => Some(86400e3),
        "w" => Some(7.0 * 86400e3),
        _ => {
            return Err(QueryError::new(
                format!("unknown number suffix `{suffix}`"),
                span,
            ))
        }
    };
    let is_float = digits.contains(['.', 'e', 'E']);
    match factor {
        None if !is_float => match digits.parse::<i64>() {
            Ok(i) => Ok(ExprKind::Int(i)),
            Err(_) => digits
                .parse::<f64>()
                .map(ExprKind::Float)
                .map_err(|_| QueryError::new("number out of range", span)),
        },
        None => digits
            .parse::<f64>()
            .map(ExprKind::Float)
            .map_err(|_| QueryError::new("invalid number", span)),
        Some(f) => {
            let base: f64 = digits
                .parse()
                .map_err(|_| QueryError::new("invalid number", span))?;
            let v = base * f;
            // A whole result is an int (SPEC §1): `1.5s` is 1500.
            if v.fract() == 0.0 && v.abs() < 9.0e18 {
                Ok(ExprKind::Int(v as i64))
            } else {
                Ok(ExprKind::Float(v))
            }
        }
    }
}

/// The source of a regex literal (or a `regex_arg` holding one), with `\/`
/// turned back into `/`.
fn regex_text(p: Pair<Rule>) -> String {
    let mut p = p;
    while p.as_rule() != Rule::regex_inner {
        match p.into_inner().next() {
            Some(c) => p = c,
            None => return String::new(),
        }
    }
    p.as_str().replace("\\/", "/")
}
