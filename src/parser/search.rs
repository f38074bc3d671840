//! The search expression (SPEC §4) → [`Search`].

use pest::iterators::Pair;

use super::{field_name, span_of, string_value, Rule};
use crate::ast::Search;
use crate::error::QueryError;

/// Builds the search tree from a `search` pair.
pub(super) fn build(p: Pair<Rule>) -> Result<Search, QueryError> {
    match p.into_inner().next() {
        Some(or) => or_expr(or),
        None => Err(QueryError::new("empty search", Default::default())),
    }
}

fn or_expr(p: Pair<Rule>) -> Result<Search, QueryError> {
    let mut acc: Option<Search> = None;
    for c in p.into_inner() {
        if c.as_rule() == Rule::kw_or {
            continue;
        }
        let s = and_expr(c)?;
        acc = Some(match acc {
            None => s,
            Some(a) => Search::Or(Box::new(a), Box::new(s)),
        });
    }
    acc.ok_or_else(|| QueryError::new("empty search", Default::default()))
}

fn and_expr(p: Pair<Rule>) -> Result<Search, QueryError> {
    let mut acc: Option<Search> = None;
    for c in p.into_inner() {
        if c.as_rule() == Rule::kw_and {
            continue;
        }
        let s = unary(c)?;
        acc = Some(match acc {
            None => s,
            Some(a) => Search::And(Box::new(a), Box::new(s)),
        });
    }
    acc.ok_or_else(|| QueryError::new("empty search", Default::default()))
}

fn unary(p: Pair<Rule>) -> Result<Search, QueryError> {
    let mut nots = 0;
    let mut atom = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::s_not => nots += 1,
            _ => atom = Some(atom_of(c)?),
        }
    }
    let mut s = atom.ok_or_else(|| QueryError::new("empty search term", Default::default()))?;
    for _ in 0..nots {
        s = Search::Not(Box::new(s));
    }
    Ok(s)
}

fn atom_of(p: Pair<Rule>) -> Result<Search, QueryError> {
    let span = span_of(&p);
    match p.as_rule() {
        Rule::s_group => match p.into_inner().next() {
            Some(inner) => or_expr(inner),
            None => Err(QueryError::new("empty parentheses", span)),
        },
        Rule::s_field_cmp => {
            let mut it = p.into_inner();
            let name = it.next().map(field_name);
            let op = it.next().map(|o| o.as_str() == "!=").unwrap_or(false);
            let value = it.next();
            match (name, value) {
                (Some(name), Some(v)) => {
                    let pattern = if v.as_rule() == Rule::string {
                        string_value(v)
                    } else {
                        v.as_str().to_string()
                    };
                    Ok(Search::Field {
                        name,
                        negated: op,
                        pattern,
                        span,
                    })
                }
                _ => Err(QueryError::new("incomplete field term", span)),
            }
        }
        Rule::string => Ok(Search::Keyword {
            text: string_value(p),
            span,
        }),
        _ => Ok(Search::Keyword {
            text: p.as_str().to_string(),
            span,
        }),
    }
}
