//! Sub-queries written in parentheses inside a stage (`join (parse ...) as
//! t1, ...`, `transactionize f (merge ...)`): the raw text of a `Paren`
//! token parsed and planned as a query of its own.
//!
//! The sub-query is parsed from a copy of the query text in which every
//! byte before it is blanked, so its spans are the outer query's spans:
//! errors point at the right place and stage builders can slice the text.

use crate::ast::{Tok, Token};
use crate::error::QueryError;
use crate::parser;
use crate::plan::{self, Plan};
use crate::search::CSearch;

/// Plans the text inside a `( ... )` token as a pipeline of stages, which
/// may start with a search expression; as in Sumo's `join`, that search
/// expression is ignored (every record goes into the sub-query).
pub fn plan_paren(tok: &Token, text: &str) -> Result<Plan, QueryError> {
    let Tok::Paren(inner) = &tok.kind else {
        return Err(QueryError::new(
            "expected a sub-query in parentheses",
            tok.span,
        ));
    };
    let start = tok.span.start + 1; // just after `(`
    if text.get(start..start + inner.len()) != Some(inner.as_str()) {
        return Err(QueryError::new(
            "expected a sub-query in parentheses",
            tok.span,
        ));
    }
    // First as stages only: `(parse "a=*" as a | where a > 1)`.
    let as_stages = format!("{}|{}", " ".repeat(start - 1), inner);
    let err = match parser::parse_query(&as_stages) {
        Ok(q) => return plan::plan_query(&q, &as_stages).map(without_search),
        Err(e) => e,
    };
    if inner.trim().is_empty() {
        return Err(QueryError::new("the sub-query is empty", tok.span));
    }
    // Then as a whole query whose search expression is ignored:
    // `(* | count by src_ip)`.
    let as_query = format!("{}{}", " ".repeat(start), inner);
    match parser::parse_query(&as_query) {
        Ok(q) if q.search.is_some() => plan::plan_query(&q, &as_query).map(without_search),
        // The reading that got further tells what the user meant.
        Err(e2) if e2.span.start > err.span.start => Err(e2),
        _ => Err(err),
    }
}

fn without_search(mut p: Plan) -> Plan {
    p.search = CSearch::All;
    p
}
