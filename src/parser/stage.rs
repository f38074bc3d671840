//! Stages → [`Stage`].

use pest::iterators::Pair;

use super::{expr, field_name, span_of, Rule};
use crate::ast::{
    AggCall, FieldName, GenericStage, SortKey, SortMark, Stage, StageKind, Tok, Token,
};
use crate::error::QueryError;

/// Builds one stage from its pair.
pub(super) fn build(p: Pair<Rule>) -> Result<Stage, QueryError> {
    let span = span_of(&p);
    let rule = p.as_rule();
    let mut inner = p.into_inner();
    let kind = match rule {
        Rule::where_stage => {
            let e = inner
                .find(|c| c.as_rule() == Rule::expr)
                .ok_or_else(|| QueryError::new("`where` needs a condition", span))?;
            StageKind::Where(expr::build(e)?)
        }
        Rule::eval_stage => {
            let mut assigns = Vec::new();
            for a in inner.filter(|c| c.as_rule() == Rule::assignment) {
                let aspan = span_of(&a);
                let mut it = a.into_inner();
                match (it.next(), it.next()) {
                    (Some(n), Some(e)) => assigns.push((field_name(n), expr::build(e)?)),
                    _ => return Err(QueryError::new("incomplete assignment", aspan)),
                }
            }
            StageKind::Eval(assigns)
        }
        Rule::fields_stage => {
            let mut drop = false;
            let mut names = Vec::new();
            for c in inner {
                match c.as_rule() {
                    Rule::fields_drop => drop = true,
                    Rule::field_name => names.push(field_name(c)),
                    _ => {}
                }
            }
            StageKind::Fields { drop, names }
        }
        Rule::sort_stage => StageKind::Sort(
            inner
                .filter(|c| c.as_rule() == Rule::sort_key)
                .filter_map(sort_key)
                .collect(),
        ),
        Rule::limit_stage => {
            let n = inner
                .find(|c| c.as_rule() == Rule::integer)
                .ok_or_else(|| QueryError::new("`limit` needs a number", span))?;
            StageKind::Limit(count(&n)?, span_of(&n))
        }
        Rule::top_stage => {
            let mut n = 10;
            let mut fields = Vec::new();
            let mut by = Vec::new();
            for c in inner {
                match c.as_rule() {
                    Rule::integer => n = count(&c)?,
                    Rule::field_name => fields.push(field_name(c)),
                    Rule::top_by => {
                        by = c
                            .into_inner()
                            .filter(|k| k.as_rule() == Rule::sort_key)
                            .filter_map(sort_key)
                            .collect()
                    }
                    _ => {}
                }
            }
            StageKind::Top { n, fields, by }
        }
        Rule::count_fields_stage => {
            let names: Vec<FieldName> = inner
                .filter(|c| c.as_rule() == Rule::field_name)
                .map(field_name)
                .collect();
            let kw = Default::default();
            StageKind::Aggregate {
                aggs: vec![AggCall {
                    func: "count".into(),
                    func_span: kw,
                    args: vec![],
                    alias: None,
                    span: kw,
                }],
                by: names,
            }
        }
        Rule::agg_stage => {
            let mut aggs = Vec::new();
            let mut by = Vec::new();
            for c in inner {
                match c.as_rule() {
                    Rule::agg_call => aggs.push(agg_call(c)?),
                    Rule::by_clause | Rule::implicit_by => by = by_names(c),
                    _ => {}
                }
            }
            StageKind::Aggregate { aggs, by }
        }
        Rule::as_stage => {
            let mut e = None;
            let mut name = None;
            for c in inner {
                match c.as_rule() {
                    Rule::expr => e = Some(expr::build(c)?),
                    Rule::field_name => name = Some(field_name(c)),
                    _ => {}
                }
            }
            match (e, name) {
                (Some(e), Some(n)) => StageKind::As(e, n),
                _ => return Err(QueryError::new("expected `expression as name`", span)),
            }
        }
        Rule::func_stage => {
            let call = inner
                .next()
                .ok_or_else(|| QueryError::new("expected a function call", span))?;
            let cspan = span_of(&call);
            // A func_call pair is a primary; wrap it the way `expr` would.
            let mut it = call.into_inner();
            let name = it
                .next()
                .ok_or_else(|| QueryError::new("missing function name", cspan))?;
            let name_span = span_of(&name);
            let args = it.map(expr::build).collect::<Result<Vec<_>, _>>()?;
            StageKind::Func(crate::ast::Expr {
                kind: crate::ast::ExprKind::Call {
                    name: name.as_str().to_string(),
                    name_span,
                    args,
                },
                span: cspan,
            })
        }
        Rule::generic_stage => {
            let name = inner
                .next()
                .ok_or_else(|| QueryError::new("expected a stage", span))?;
            StageKind::Generic(GenericStage {
                name: name.as_str().to_string(),
                name_span: span_of(&name),
                args: inner.map(token).collect(),
            })
        }
        Rule::cond_stage => {
            let text = inner.as_str().trim();
            // A bare stage keyword (`| limit`, `| sort`) is a stage missing
            // its arguments, not a condition.
            let keyword = ["limit", "sort", "order", "top", "fields", "where", "eval"]
                .iter()
                .find(|k| k.eq_ignore_ascii_case(text));
            if let Some(k) = keyword {
                let want = match *k {
                    "limit" => "a number: `limit 10`",
                    "sort" | "order" => "the fields to sort by: `sort by _count`",
                    "top" => "a number and a field: `top 10 src_ip`",
                    "fields" => "the fields to keep: `fields a, b`",
                    "where" => "a condition: `where x > 1`",
                    _ => "an assignment: `eval y = x * 2`",
                };
                return Err(QueryError::new(
                    format!("`{text}` is missing its arguments: it needs {want}"),
                    span,
                ));
            }
            return Err(QueryError::new("a condition alone is not a stage", span)
                .with_hint(format!("filter with `| where {text}`")));
        }
        _ => return Err(QueryError::new("expected a stage", span)),
    };
    Ok(Stage { kind, span })
}

fn count(p: &Pair<Rule>) -> Result<u64, QueryError> {
    p.as_str()
        .parse()
        .map_err(|_| QueryError::new("number too large", span_of(p)))
}

/// One sort key: `[+|-]field [asc|desc]`.
fn sort_key(k: Pair<Rule>) -> Option<SortKey> {
    let mut mark = SortMark::None;
    let mut field = None;
    for c in k.into_inner() {
        match c.as_rule() {
            Rule::sort_sign => {
                mark = if c.as_str() == "-" {
                    SortMark::Minus
                } else {
                    SortMark::Asc
                }
            }
            Rule::sort_dir => {
                mark = if c.as_str().eq_ignore_ascii_case("asc") {
                    SortMark::Asc
                } else {
                    SortMark::Desc
                }
            }
            Rule::field_name => field = Some(field_name(c)),
            _ => {}
        }
    }
    field.map(|field| SortKey { field, mark })
}

fn by_names(p: Pair<Rule>) -> Vec<FieldName> {
    p.into_inner()
        .filter(|c| c.as_rule() == Rule::field_name)
        .map(field_name)
        .collect()
}

fn agg_call(p: Pair<Rule>) -> Result<AggCall, QueryError> {
    let span = span_of(&p);
    let mut func = String::new();
    let mut func_span = span;
    let mut args = Vec::new();
    let mut alias = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::agg_name => {
                func = c.as_str().to_ascii_lowercase();
                func_span = span_of(&c);
            }
            Rule::agg_args => {
                // `count(*)` (SQL's spelling) is plain `count`.
                for a in c.into_inner().filter(|a| a.as_rule() != Rule::agg_star) {
                    args.push(expr::build(a)?);
                }
            }
            Rule::field_name => alias = Some(field_name(c)),
            _ => {}
        }
    }
    Ok(AggCall {
        func,
        func_span,
        args,
        alias,
        span,
    })
}

/// One token of a generic stage.
fn token(p: Pair<Rule>) -> Token {
    let span = span_of(&p);
    let kind = match p.as_rule() {
        Rule::string => Tok::Str(super::string_value(p)),
        Rule::sq_char => Tok::Str(
            p.into_inner()
                .next()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        ),
        Rule::sq_string => Tok::Str(super::unescape(
            p.into_inner().next().map(|s| s.as_str()).unwrap_or(""),
        )),
        Rule::regex_lit => Tok::Regex(
            p.into_inner()
                .next()
                .map(|s| s.as_str().replace("\\/", "/"))
                .unwrap_or_default(),
        ),
        // `%name` is a plain name written with Sumo's `%`.
        Rule::pct_name => Tok::Word(p.as_str().trim_start_matches('%').to_string()),
        Rule::quoted_name => Tok::Name(super::unescape(
            p.into_inner().next().map(|s| s.as_str()).unwrap_or(""),
        )),
        Rule::number => Tok::Num(p.as_str().to_string()),
        Rule::g_comma => Tok::Comma,
        Rule::g_paren => Tok::Paren(
            p.into_inner()
                .next()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        ),
        Rule::g_keyval => {
            let mut it = p.into_inner();
            let key = it.next();
            let key = match key {
                Some(k) if k.as_rule() == Rule::quoted_name => {
                    super::unescape(k.into_inner().next().map(|s| s.as_str()).unwrap_or(""))
                }
                Some(k) => k.as_str().to_string(),
                None => String::new(),
            };
            let value = it.next().map(token).unwrap_or(Token {
                kind: Tok::Word(String::new()),
                span,
            });
            Tok::KeyVal(key, Box::new(value))
        }
        Rule::g_call => {
            let mut it = p.into_inner();
            let name = it
                .next()
                .map(|n| n.as_str().to_string())
                .unwrap_or_default();
            Tok::Call(name, it.map(token).collect())
        }
        _ => Tok::Word(p.as_str().to_string()),
    };
    Token { kind, span }
}
