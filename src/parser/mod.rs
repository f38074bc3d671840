//! Query text → AST. The grammar lives in `grammar/sumoq.pest`; this module
//! turns pest's pairs into [`crate::ast`] nodes and pest's failures into
//! located [`QueryError`]s.

mod expr;
mod search;
mod stage;

use pest::iterators::Pair;
use pest::Parser as _;

use crate::ast::{FieldName, Query, Span};
use crate::error::QueryError;

/// The pest parser generated from the grammar file.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/sumoq.pest"]
pub struct SumoParser;

/// Longest query text accepted; longer text is a query error, not a slow
/// parse.
pub const MAX_QUERY_LEN: usize = 1 << 20;

/// Deepest nesting of parentheses accepted. pest's parser recurses once per
/// level, so this keeps the stack bounded on hostile input.
pub const MAX_NESTING: usize = 64;

/// Parses a whole query.
pub fn parse_query(text: &str) -> Result<Query, QueryError> {
    check_limits(text)?;
    reject_subquery(text)?;
    let mut pairs = SumoParser::parse(Rule::query, text).map_err(|e| from_pest(e, text))?;
    let query = pairs
        .next()
        .ok_or_else(|| QueryError::new("empty parse", Span::new(0, 0)))?;
    check_operators(&query)?;
    let mut search = None;
    let mut stages = Vec::new();
    for p in query.into_inner() {
        match p.as_rule() {
            Rule::search => search = Some(search::build(p)?),
            Rule::pipe | Rule::EOI => {}
            _ => stages.push(stage::build(p)?),
        }
    }
    Ok(Query { search, stages })
}

/// Parses text as one rule of the grammar (used to explain a stage that
/// fell through to `unknown_stage`).
pub(crate) fn parse_rule(rule: Rule, text: &str) -> Result<(), QueryError> {
    SumoParser::parse(rule, text)
        .map(|_| ())
        .map_err(|e| from_pest(e, text))
}

/// True when the text is a query that is not finished yet: the parse fails
/// only because the input ended (an open parenthesis, string or comment, a
/// trailing `|`). The REPL asks this to decide whether to read another line.
pub fn is_incomplete(text: &str) -> bool {
    match parse_query(text) {
        Ok(_) => false,
        Err(e) => e.at_end,
    }
}

/// Most operators and search terms in one query. Expression trees are as
/// deep as their operator chains (`x + x + ...` leans left, `!!!x` nests),
/// and building, planning and evaluating them recurses once per level; with
/// at most this many, the depth stays far inside the threads' stacks.
pub const MAX_OPERATORS: usize = 10_000;

/// Counts the operators and search terms in a parsed query (walking pest's
/// flat token list, without recursion) and rejects a query with more than
/// [`MAX_OPERATORS`], at the first one past the limit.
fn check_operators(query: &pest::iterators::Pair<Rule>) -> Result<(), QueryError> {
    let mut n = 0usize;
    for p in query.clone().into_inner().flatten() {
        let counted = matches!(
            p.as_rule(),
            Rule::op_or
                | Rule::op_and
                | Rule::op_not
                | Rule::op_neg
                | Rule::op_matches
                | Rule::op_contains
                | Rule::op_eq
                | Rule::op_ne
                | Rule::op_le
                | Rule::op_ge
                | Rule::op_lt
                | Rule::op_gt
                | Rule::op_add
                | Rule::op_sub
                | Rule::op_mul
                | Rule::op_div
                | Rule::op_mod
                | Rule::in_list
                | Rule::matches_regex
                | Rule::s_unary
                | Rule::s_not
        );
        if counted {
            n += 1;
            if n > MAX_OPERATORS {
                let sp = p.as_span();
                return Err(QueryError::new(
                    format!(
                        "query has more than {MAX_OPERATORS} operators and search terms; \
                         split it, or use `in (...)` for a long list of values"
                    ),
                    Span::new(sp.start(), sp.end()),
                ));
            }
        }
    }
    Ok(())
}

/// Rejects query text whose nesting or size would make the recursive parser
/// run out of stack or time.
fn check_limits(text: &str) -> Result<(), QueryError> {
    if text.len() > MAX_QUERY_LEN {
        return Err(QueryError::new(
            format!(
                "query is {} bytes long; the limit is {} bytes",
                text.len(),
                MAX_QUERY_LEN
            ),
            Span::new(0, 0),
        ));
    }
    let mut depth = 0usize;
    let mut ternaries = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    // Comments are skipped as the grammar skips them (a quote or a bracket
    // in one counts for nothing); an unclosed `/*` is an error here, or it
    // would be read as search words.
    let mut skip_to = 0usize;
    for (i, c) in text.char_indices() {
        if i < skip_to {
            continue;
        }
        // A comment starts a word: `Labs/*` is a category with a wildcard
        // and `http://x` a URL, as in Sumo.
        let starts_word = text[..i]
            .chars()
            .next_back()
            .is_none_or(|p| p.is_whitespace() || matches!(p, '|' | '(' | ')' | ','));
        if !in_str && c == '/' && starts_word {
            let rest = &text[i..];
            if rest.starts_with("//") {
                skip_to = rest.find('\n').map_or(text.len(), |n| i + n);
                continue;
            }
            if let Some(body) = rest.strip_prefix("/*") {
                match body.find("*/") {
                    Some(n) => skip_to = i + 2 + n + 2,
                    None => {
                        let mut e = QueryError::new(
                            "comment `/*` is not closed with `*/`",
                            Span::new(i, i + 2),
                        );
                        // The REPL reads another line for it.
                        e.at_end = true;
                        return Err(e);
                    }
                }
                continue;
            }
        }
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(QueryError::new(
                        format!("parentheses nest deeper than {MAX_NESTING} levels"),
                        Span::new(i, i + 1),
                    ));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            // `a ? b : c ? d : ...` nests in the grammar without
            // parentheses; the parser recurses once per `?`. (A `?` in a
            // regex literal counts too; no real query has thousands.)
            '?' => {
                ternaries += 1;
                if ternaries > MAX_OPERATORS {
                    return Err(QueryError::new(
                        format!("query has more than {MAX_OPERATORS} `?`"),
                        Span::new(i, i + 1),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Sumo's subqueries (`[subquery: ...]`, with `compose`) search a second
/// time range; sumoq has one input, so it says so rather than failing on
/// the bracket.
fn reject_subquery(text: &str) -> Result<(), QueryError> {
    const OPEN: &str = "[subquery";
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        if c == '"' {
            in_str = true;
        } else if c == '['
            && text
                .get(i..i + OPEN.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(OPEN))
        {
            return Err(QueryError::new(
                "subqueries (`[subquery: ...]`) are not supported by sumoq",
                Span::new(i, i + OPEN.len()),
            )
            .with_hint(
                "run the inner query first and filter on its results with `where ... in (...)`",
            ));
        }
    }
    Ok(())
}

/// Turns a pest failure into a query error with a readable expectation.
fn from_pest(e: pest::error::Error<Rule>, text: &str) -> QueryError {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let rest = text.get(pos..).unwrap_or("");
    let at_end = rest.trim().is_empty()
        || only_comment(rest)
        || SumoParser::parse(Rule::open_comment, text).is_ok();
    let (expected, unexpected) = match &e.variant {
        ErrorVariant::ParsingError {
            positives,
            negatives,
        } => (describe(positives), describe(negatives)),
        ErrorVariant::CustomError { message } => (message.clone(), String::new()),
    };
    let found_pipe = text.get(pos..).is_some_and(|r| r.starts_with('|'));
    // A stage left unfinished at the end of a line is reported where it
    // stops, not at the `|` that starts the next line.
    let before = text.get(..pos).unwrap_or("");
    let kept = before.trim_end();
    let shown_pos = if (found_pipe || at_end) && before[kept.len()..].contains('\n') {
        kept.len()
    } else {
        pos
    };
    let end = next_char_end(text, shown_pos);
    let found = if at_end {
        "the end of the query".to_string()
    } else if shown_pos != pos {
        "`|` on the next line".to_string()
    } else {
        format!("`{}`", token_at(text, pos))
    };
    let mut message = if text.trim_end().ends_with('|') && at_end {
        "the query ends with `|`: a stage is missing after it".to_string()
    } else if found_pipe && expected.contains("stage") {
        "empty stage: a stage is missing between two `|`".to_string()
    } else if at_end && open_string(text).is_some() {
        "this string is not closed".to_string()
    } else if at_end && open_paren(text).is_some() {
        "this `(` is not closed".to_string()
    } else if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {expected}, found {found}")
    };
    if !unexpected.is_empty() && expected.is_empty() {
        message = format!("unexpected {unexpected}");
    }
    // An aggregate sumoq lacks (`count, values(x) by y`, `values(x) as v,
    // sum(y)`) is named as such rather than as a stray word.
    let mut shown_pos = shown_pos;
    let mut end = end;
    if let Some((at, name)) = missing_aggregate(text, pos) {
        message = format!("the Sumo aggregate `{name}` is not supported by sumoq yet");
        shown_pos = at;
        end = at + name.len();
    }
    // An unclosed string or parenthesis is shown where it opens.
    if at_end {
        if let Some(at) = open_string(text).or_else(|| open_paren(text)) {
            shown_pos = at;
            end = at + 1;
        }
    }
    let mut err = QueryError::new(message, Span::new(shown_pos, end));
    err.at_end = at_end;
    err
}

/// The first call of an aggregate of [`crate::plan::SUMO_AGGREGATES_NOT_YET`]
/// (that the grammar does not know) in the stage text before `pos`: its
/// position and name as written.
fn missing_aggregate(text: &str, pos: usize) -> Option<(usize, String)> {
    let start = stage_start(text, pos);
    // Up to the end of the word the parse stopped at.
    let upto = (pos + token_at(text, pos).len()).min(text.len());
    let stage = text.get(start..upto)?;
    let lower = stage.to_ascii_lowercase();
    let rest_lower = text.get(start..)?.to_ascii_lowercase();
    let mut best: Option<(usize, String)> = None;
    for name in crate::plan::SUMO_AGGREGATES_NOT_YET {
        if SumoParser::parse(Rule::agg_name, name).is_ok() {
            continue;
        }
        for (i, _) in lower.match_indices(name) {
            let before_ok = !lower[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            let after_ok = rest_lower[i + name.len()..].trim_start().starts_with('(');
            if before_ok && after_ok && best.as_ref().is_none_or(|(b, _)| i < *b) {
                best = Some((i, stage[i..i + name.len()].to_string()));
            }
        }
    }
    best.map(|(i, n)| (start + i, n))
}

/// Where the stage holding `pos` starts: just after the last `|` before it
/// that is outside strings (0 inside the search expression).
fn stage_start(text: &str, pos: usize) -> usize {
    let mut start = 0;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if i >= pos {
            break;
        }
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
        } else if c == '|' {
            start = i + 1;
        }
    }
    start
}

/// Where the string is that the text ends inside, if it does (for the
/// message only: the parse itself already failed).
fn open_string(text: &str) -> Option<usize> {
    scan_open(text).0
}

/// Where the innermost `(` is that is never closed, if any.
fn open_paren(text: &str) -> Option<usize> {
    scan_open(text).1
}

/// One pass over the text: an unclosed string's start, and the unclosed
/// parentheses' starts (innermost last), ignoring parentheses in strings.
fn scan_open(text: &str) -> (Option<usize>, Option<usize>) {
    let mut string_at = None;
    let mut escaped = false;
    let mut parens = Vec::new();
    for (i, c) in text.char_indices() {
        if string_at.is_some() {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => string_at = None,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => string_at = Some(i),
            '(' => parens.push(i),
            ')' => {
                parens.pop();
            }
            _ => {}
        }
    }
    (string_at, parens.last().copied())
}

fn only_comment(rest: &str) -> bool {
    let t = rest.trim_start();
    t.starts_with("//") && !t.contains('\n') || t.starts_with("/*") && !t.contains("*/")
}

fn next_char_end(text: &str, pos: usize) -> usize {
    text.get(pos..)
        .and_then(|r| r.chars().next())
        .map(|c| pos + c.len_utf8())
        .unwrap_or(pos)
}

/// The word or symbol at a position, for "found `...`".
fn token_at(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .take(30)
        .collect();
    if word.is_empty() {
        rest.chars().next().map(String::from).unwrap_or_default()
    } else {
        word
    }
}

/// Human names for the grammar's rules, deduplicated, in a stable order.
fn describe(rules: &[Rule]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for r in rules {
        let n = rule_name(*r);
        if !n.is_empty() && !names.contains(&n) {
            names.push(n);
        }
    }
    // Where an expression may stand, its kinds of operand say nothing more.
    if names.contains(&"an expression") {
        names.retain(|n| !matches!(*n, "a field name" | "a string" | "a number" | "a name"));
    }
    match names.len() {
        0 => String::new(),
        1 => names[0].to_string(),
        _ => {
            let last = names.pop().unwrap_or_default();
            format!("{} or {}", names.join(", "), last)
        }
    }
}

fn rule_name(r: Rule) -> &'static str {
    use Rule::*;
    match r {
        EOI => "the end of the query",
        pipe => "`|`",
        search | s_or | s_and | s_unary | s_group | s_field_cmp | s_keyword => "a search term",
        s_cmp_op => "`=`",
        s_bare => "a value",
        where_stage | eval_stage | fields_stage | sort_stage | limit_stage | top_stage
        | count_fields_stage | agg_stage | as_stage | func_stage | generic_stage | cond_stage => {
            "a stage"
        }
        assignment => "an assignment `name = expression`",
        expr | ternary | chain | paren | func_call | field_ref | bool_true | bool_false => {
            "an expression"
        }
        number | integer => "a number",
        string => "a string",
        regex_lit => "a regular expression `/.../`",
        field_name | plain_name | quoted_name | pct_name => "a field name",
        func_name => "a name",
        op_or | op_and | op_matches | op_contains | op_eq | op_ne | op_le | op_ge | op_lt
        | op_gt | op_add | op_sub | op_mul | op_div | op_mod => "an operator",
        in_list => "`in (...)`",
        matches_regex => "`matches`",
        op_not | op_neg => "an expression",
        kw_as => "`as`",
        kw_by => "`by`",
        by_clause | top_by => "`by`",
        implicit_by => "a field name",
        agg_call | agg_name => "an aggregate such as `count` or `sum(x)`",
        agg_args => "`(`",
        sort_key => "a sort key",
        sort_dir => "`asc` or `desc`",
        fields_drop => "`-`",
        _ => "",
    }
}

/// The span of a pair.
pub(crate) fn span_of(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// Undoes string escapes (SPEC §1): `\"`, `\\`, `\n`, `\t`, `\r`; any other
/// backslash pair is kept as written so regexes reach the engine intact.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Builds a field name from a `field_name` pair.
pub(crate) fn field_name(p: Pair<Rule>) -> FieldName {
    let span = span_of(&p);
    let inner = p.into_inner().next();
    match inner {
        Some(q) if q.as_rule() == Rule::quoted_name => {
            let text = q.into_inner().next().map(|s| s.as_str()).unwrap_or("");
            FieldName {
                name: unescape(text),
                quoted: true,
                span,
            }
        }
        // `%name`: the name without its `%`, read like a plain name.
        Some(q) if q.as_rule() == Rule::pct_name => FieldName {
            name: q.as_str().trim_start_matches('%').to_string(),
            quoted: false,
            span,
        },
        Some(q) => FieldName {
            name: q.as_str().to_string(),
            quoted: false,
            span,
        },
        None => FieldName {
            name: String::new(),
            quoted: false,
            span,
        },
    }
}

/// The text inside a `string` pair, unescaped.
pub(crate) fn string_value(p: Pair<Rule>) -> String {
    unescape(p.into_inner().next().map(|s| s.as_str()).unwrap_or(""))
}

#[cfg(test)]
mod tests;
