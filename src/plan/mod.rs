//! The checked plan: the AST with names resolved, functions bound and every
//! regex compiled. Everything that can be wrong with a query is found here,
//! before any input is read (SPEC §8).

pub mod compile;
pub mod expr;
pub mod projection;

use std::sync::Arc;

use crate::ast::{AggCall, ExprKind, Query, SortKey, SortMark, Span, Stage, StageKind};
use crate::error::{did_you_mean, QueryError};
use crate::parser::{self, Rule};
use crate::record::Name;
use crate::search::{self, CSearch};
use crate::stages::aggregate::{AggFunc, AggPlan, AggSpec};
use crate::stages::eval::EvalPlan;
use crate::stages::fields::FieldsPlan;
use crate::stages::limit::LimitPlan;
use crate::stages::sort::{SortKeyPlan, SortPlan};
use crate::stages::where_::WherePlan;
use crate::stages::StagePlan;
use crate::value::Value;

use self::compile::compile;
use self::expr::{CExpr, FieldRef};

/// A query ready to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The search expression.
    pub search: CSearch,
    /// The stages in order.
    pub stages: Vec<StagePlan>,
}

/// Stage names sumoq runs (for suggestions).
pub const STAGES: &[&str] = &[
    "where",
    "eval",
    "fields",
    "sort",
    "order",
    "limit",
    "top",
    "count",
    "count_distinct",
    "sum",
    "avg",
    "min",
    "max",
    "stddev",
    "pct",
    "first",
    "last",
    "values",
    "most_recent",
    "least_recent",
];

/// Sumo stages that exist but sumoq does not run yet: named as unsupported
/// rather than unknown.
pub const SUMO_STAGES_NOT_YET: &[&str] = &[
    "values",
    "save",
    "logreduce",
    "logcompare",
    "predict",
    "smooth",
    "rollingstd",
    "diff",
    "backshift",
    "bin",
    "asn",
    "tourl",
    "format",
    "formatdate",
    "parsedate",
    "urldecode",
    "urlencode",
    "base64decode",
    "base64encode",
    "median",
    "most_recent",
    "least_recent",
    "sessionize",
    "subquery",
    "trace",
    "timecompare",
    "filter",
    "isvalidip",
    "decode",
    "parsehex",
    "haversine",
    "in",
    "compose",
    "where_in",
    "cat",
    "fields_drop",
    "infer",
    "transaction",
    "benchmark",
];

/// Sumo aggregates that sumoq does not compute yet: named as unsupported
/// where the grammar expected an aggregate.
pub const SUMO_AGGREGATES_NOT_YET: &[&str] = &["median", "pct_sampling"];

impl Plan {
    /// The columns the output will have, when the plan fixes them.
    pub fn columns(&self) -> Option<Vec<Name>> {
        self.stages.iter().rev().find_map(|s| s.columns())
    }

    /// What the plan needs from outside its input (lookup tables), to be
    /// prepared before any input is read.
    pub fn externals(&self) -> Vec<Arc<dyn crate::stages::external::External>> {
        self.stages.iter().flat_map(|s| s.externals()).collect()
    }

    /// A readable description of the plan, one line per step.
    pub fn explain(&self) -> Vec<String> {
        let mut out = vec![format!("search {}", self.search.describe())];
        out.extend(self.stages.iter().map(|s| s.describe()));
        out
    }
}

/// Fills `{{name}}` template parameters; an unfilled one is a query error.
pub fn substitute_params(text: &str, params: &[(String, String)]) -> Result<String, QueryError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let name = rest[start + 2..start + 2 + len].trim();
        out.push_str(&rest[..start]);
        match params.iter().find(|(k, _)| k == name) {
            Some((_, v)) => out.push_str(v),
            None => {
                let s = offset + start;
                return Err(QueryError::new(
                    format!("template parameter `{name}` has no value"),
                    Span::new(s, s + len + 4),
                )
                .with_hint(format!("give it with --param {name}=VALUE")));
            }
        }
        let consumed = start + 2 + len + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses and plans query text (after parameter substitution).
pub fn plan_text(text: &str) -> Result<Plan, QueryError> {
    let q = parser::parse_query(text)?;
    plan_query(&q, text)
}

/// Plans a parsed query. `text` is the query text the spans point into.
pub fn plan_query(q: &Query, text: &str) -> Result<Plan, QueryError> {
    // One "now" for every time function of the query.
    let _clock = crate::time::QueryClock::start();
    let search = match &q.search {
        Some(s) => search::compile(s)?,
        None => CSearch::All,
    };
    let mut stages = Vec::new();
    for st in &q.stages {
        plan_stage(st, text, &mut stages)?;
        // `compare` re-runs the stages before it: it takes them inside.
        if let Some(StagePlan::Hold(h)) = stages.last() {
            if h.wants_previous() {
                let h = h.clone();
                stages.pop();
                let previous = std::mem::take(&mut stages);
                stages.push(StagePlan::Hold(h.with_previous(previous)?));
            }
        }
    }
    Ok(Plan { search, stages })
}

fn name(n: &crate::ast::FieldName) -> Name {
    Arc::from(n.name.as_str())
}

fn field(n: &crate::ast::FieldName) -> FieldRef {
    FieldRef::new(&n.name, n.quoted)
}

fn plan_stage(st: &Stage, text: &str, out: &mut Vec<StagePlan>) -> Result<(), QueryError> {
    match &st.kind {
        StageKind::Where(e) => {
            out.push(StagePlan::Where(WherePlan {
                cond: self::compile::condition(e)?,
            }));
        }
        StageKind::Eval(assigns) => {
            let assigns = assigns
                .iter()
                .map(|(n, e)| Ok((name(n), compile(e)?)))
                .collect::<Result<Vec<_>, QueryError>>()?;
            out.push(StagePlan::Eval(EvalPlan { assigns }));
        }
        StageKind::As(e, n) => {
            out.push(StagePlan::Eval(EvalPlan {
                assigns: vec![(name(n), compile(e)?)],
            }));
        }
        StageKind::Func(e) => {
            if let Some(g) = call_as_generic(e, text) {
                return plan_stage(
                    &Stage {
                        kind: StageKind::Generic(g),
                        span: st.span,
                    },
                    text,
                    out,
                );
            }
            let target =
                match &e.kind {
                    ExprKind::Call { args, .. } => match args.first().map(|a| &a.kind) {
                        Some(ExprKind::Field(f)) => name(f),
                        _ => return Err(QueryError::new(
                            "a function used as a stage must take a field as its first argument",
                            e.span,
                        )
                        .with_hint("use `| func(...) as name` to store the result")),
                    },
                    _ => return Err(QueryError::new("expected a function call", e.span)),
                };
            out.push(StagePlan::Eval(EvalPlan {
                assigns: vec![(target, compile(e)?)],
            }));
        }
        StageKind::Fields { drop, names } => {
            out.push(StagePlan::Fields(FieldsPlan {
                drop: *drop,
                names: names.iter().map(field).collect(),
            }));
        }
        StageKind::Aggregate { aggs, by } => plan_aggregate(aggs, by, st.span, out)?,
        StageKind::Sort(keys) => out.push(StagePlan::Sort(sort_plan(keys))),
        StageKind::Limit(n, _) => out.push(StagePlan::Limit(LimitPlan { n: *n })),
        StageKind::Top { n, fields, by } => plan_top(*n, fields, by, out),
        StageKind::Generic(g) => match crate::stages::registry::lookup(&g.name) {
            Some(build) => out.extend(build(g, text)?),
            None => return Err(unknown_stage(&g.name, g.name_span, st.span, text)),
        },
    }
    Ok(())
}

/// `topk(5, _count)` alone parses as a function stage; when the name is no
/// function but a generic stage, it is that stage with one parenthesis
/// token (its raw inner text), as `topk(5, _count) by k` parses.
fn call_as_generic(e: &crate::ast::Expr, text: &str) -> Option<crate::ast::GenericStage> {
    let ExprKind::Call {
        name, name_span, ..
    } = &e.kind
    else {
        return None;
    };
    if crate::functions::lookup(name).is_some() {
        return None;
    }
    crate::stages::registry::lookup(name)?;
    let rest = text.get(name_span.end..e.span.end)?;
    let open = name_span.end + rest.find('(')?;
    let close = e.span.end.checked_sub(1)?;
    let inner = text.get(open + 1..close)?.to_string();
    Some(crate::ast::GenericStage {
        name: name.clone(),
        name_span: *name_span,
        args: vec![crate::ast::Token {
            kind: crate::ast::Tok::Paren(inner),
            span: Span::new(open, e.span.end),
        }],
    })
}

/// SPEC §5: unmarked keys sort descending, unless the clause has a `-`
/// key, in which case it follows SPL (ascending).
fn sort_plan(keys: &[SortKey]) -> SortPlan {
    let spl = keys.iter().any(|k| k.mark == SortMark::Minus);
    SortPlan {
        keys: keys
            .iter()
            .map(|k| SortKeyPlan {
                field: field(&k.field),
                ascending: match k.mark {
                    SortMark::Asc => true,
                    SortMark::Desc | SortMark::Minus => false,
                    SortMark::None => spl,
                },
            })
            .collect(),
    }
}

/// `top N f, ... [by k, ...]`. Without `by` (or `by count` / `by _count`
/// where nothing before made that column) it counts by the fields, sorts by
/// `_count` descending and keeps N rows. With `by`, the keys rank the rows
/// that are already there (the values an aggregation made): sort by the
/// keys, keep the first row of each distinct (f, ...), then N of them; the
/// columns are the fields, then the keys.
fn plan_top(n: u64, fields: &[crate::ast::FieldName], by: &[SortKey], out: &mut Vec<StagePlan>) {
    let made_before = out.iter().rev().find_map(|s| s.columns());
    let counts = match by {
        [] => true,
        [k] if k.field.name.eq_ignore_ascii_case("count") || k.field.name == "_count" => {
            !made_before.is_some_and(|cols| cols.iter().any(|c| **c == *k.field.name))
        }
        _ => false,
    };
    if counts {
        let count: Name = Arc::from("_count");
        out.push(StagePlan::Aggregate(AggPlan {
            aggs: vec![AggSpec {
                func: AggFunc::Count,
                arg: None,
                out: count.clone(),
            }],
            by: fields.iter().map(field).collect(),
        }));
        out.push(StagePlan::Sort(SortPlan {
            keys: vec![SortKeyPlan {
                field: FieldRef::new("_count", true),
                ascending: false,
            }],
        }));
    } else {
        out.push(StagePlan::Sort(sort_plan(by)));
        let mut aggs: Vec<AggSpec> = Vec::new();
        for k in by {
            let n = name(&k.field);
            if fields.iter().any(|f| f.name == k.field.name) || aggs.iter().any(|a| a.out == n) {
                continue;
            }
            aggs.push(AggSpec {
                func: AggFunc::First,
                arg: Some(CExpr::Field(field(&k.field))),
                out: n,
            });
        }
        out.push(StagePlan::Aggregate(AggPlan {
            aggs,
            by: fields.iter().map(field).collect(),
        }));
    }
    out.push(StagePlan::Limit(LimitPlan { n }));
}

fn unknown_stage(name: &str, name_span: Span, stage_span: Span, text: &str) -> QueryError {
    let lower = name.to_ascii_lowercase();
    // A known function here means an `expr as name` stage with a mistake
    // in it: report the real syntax error rather than "unknown stage".
    if crate::functions::lookup(name).is_some() {
        let stage_text = text.get(stage_span.start..stage_span.end).unwrap_or("");
        if let Err(mut e) = parser::parse_rule(Rule::as_stage_only, stage_text) {
            e.span = Span::new(
                e.span.start + stage_span.start,
                e.span.end + stage_span.start,
            );
            if e.at_end {
                e.message = format!("{} (in the `{name}(...) as field` stage)", e.message);
                e.at_end = false;
            }
            return e;
        }
    }
    if SUMO_AGGREGATES_NOT_YET.contains(&lower.as_str()) {
        return QueryError::new(
            format!("the Sumo aggregate `{name}` is not supported by sumoq yet"),
            name_span,
        )
        .with_hint("see docs/LANGUAGE.md for the aggregates sumoq computes");
    }
    if SUMO_STAGES_NOT_YET.contains(&lower.as_str()) {
        return QueryError::new(
            format!("the Sumo stage `{name}` is not supported by sumoq yet"),
            name_span,
        )
        .with_hint("see docs/LANGUAGE.md for the stages sumoq runs");
    }
    let mut e = QueryError::new(format!("unknown stage `{name}`"), name_span);
    let generic = crate::stages::registry::GENERIC_STAGES
        .iter()
        .map(|(n, _)| *n);
    if let Some(h) = did_you_mean(name, STAGES.iter().copied().chain(generic)) {
        e = e.with_hint(h);
    }
    e
}

fn plan_aggregate(
    aggs: &[AggCall],
    by: &[crate::ast::FieldName],
    span: Span,
    out: &mut Vec<StagePlan>,
) -> Result<(), QueryError> {
    // `min(a, b) as m` is Sumo's two-argument function, not an aggregate.
    if let [one] = aggs {
        if (one.func == "min" || one.func == "max") && one.args.len() == 2 && by.is_empty() {
            let alias = one.alias.as_ref().ok_or_else(|| {
                QueryError::new(format!("`{}(a, b)` needs `as name`", one.func), one.span)
            })?;
            let call = crate::ast::Expr {
                kind: ExprKind::Call {
                    name: one.func.clone(),
                    name_span: one.func_span,
                    args: one.args.clone(),
                },
                span: one.span,
            };
            out.push(StagePlan::Eval(EvalPlan {
                assigns: vec![(name(alias), compile(&call)?)],
            }));
            return Ok(());
        }
    }
    let mut specs = Vec::new();
    for a in aggs {
        let (func, want) = match a.func.as_str() {
            "count" if a.args.is_empty() => (AggFunc::Count, 0),
            "count" => (AggFunc::CountOf, 1),
            "count_distinct" => (AggFunc::CountDistinct, 1),
            "sum" => (AggFunc::Sum, 1),
            "avg" => (AggFunc::Avg, 1),
            "min" => (AggFunc::Min, 1),
            "max" => (AggFunc::Max, 1),
            "stddev" => (AggFunc::Stddev, 1),
            "first" => (AggFunc::First, 1),
            "last" => (AggFunc::Last, 1),
            "values" => (AggFunc::Values, 1),
            "most_recent" => (AggFunc::MostRecent, 1),
            "least_recent" => (AggFunc::LeastRecent, 1),
            "pct" => (AggFunc::Pct(0.0), 2),
            other => {
                return Err(QueryError::new(
                    format!("unknown aggregate `{other}`"),
                    a.func_span,
                ))
            }
        };
        // `pct(f, p1, p2, ...)` computes several percentiles at once.
        let arity_ok = match func {
            AggFunc::Pct(_) => a.args.len() >= 2,
            _ => a.args.len() == want,
        };
        if !arity_ok {
            let msg = match func {
                AggFunc::Pct(_) => format!(
                    "`pct` takes a field and one or more percentiles, found {} argument{}",
                    a.args.len(),
                    if a.args.len() == 1 { "" } else { "s" }
                ),
                _ => format!(
                    "`{}` takes {} argument{}, found {}",
                    a.func,
                    want,
                    if want == 1 { "" } else { "s" },
                    a.args.len()
                ),
            };
            return Err(QueryError::new(msg, a.span));
        }
        let funcs: Vec<AggFunc> = match func {
            AggFunc::Pct(_) => a
                .args
                .iter()
                .skip(1)
                .map(percentile)
                .collect::<Result<_, _>>()?,
            f => vec![f],
        };
        if funcs.len() > 1 {
            if let Some(alias) = &a.alias {
                return Err(QueryError::new(
                    "`pct` with several percentiles names its columns itself (`_<field>_pct_<p>`)",
                    alias.span,
                )
                .with_hint(
                    "remove `as NAME`, or give each percentile its own `pct(...) as NAME`",
                ));
            }
        }
        let arg = match a.args.first() {
            Some(e) => Some(compile(e)?),
            None => None,
        };
        for func in funcs {
            let out_name: Name = match &a.alias {
                Some(n) => name(n),
                None => Arc::from(default_name(func, a).as_str()),
            };
            if specs.iter().any(|s: &AggSpec| s.out == out_name)
                || by.iter().any(|b| *b.name == *out_name)
            {
                return Err(QueryError::new(
                    format!("two columns would both be named `{out_name}`"),
                    a.span,
                )
                .with_hint("name this aggregate with `as NAME`"));
            }
            specs.push(AggSpec {
                func,
                arg: arg.clone(),
                out: out_name,
            });
        }
    }
    if specs.is_empty() {
        return Err(QueryError::new("expected an aggregate", span));
    }
    out.push(StagePlan::Aggregate(AggPlan {
        aggs: specs,
        by: by.iter().map(field).collect(),
    }));
    Ok(())
}

/// A constant percentile from 0 to 100.
fn percentile(e: &crate::ast::Expr) -> Result<AggFunc, QueryError> {
    let p = match compile(e)? {
        CExpr::Const(v) => v.as_num().map(|n| n.as_f64()),
        _ => None,
    };
    match p {
        Some(p) if (0.0..=100.0).contains(&p) => Ok(AggFunc::Pct(p)),
        _ => Err(QueryError::new(
            "the percentile must be a number from 0 to 100",
            e.span,
        )),
    }
}

/// Sumo's default output names: `_count`, `_sum`, ..., `_<f>_pct_<p>`.
fn default_name(func: AggFunc, a: &AggCall) -> String {
    match func {
        AggFunc::Count | AggFunc::CountOf => "_count".into(),
        AggFunc::Pct(p) => {
            let f = match a.args.first().map(|e| &e.kind) {
                Some(ExprKind::Field(f)) => f.name.clone(),
                _ => "value".into(),
            };
            format!("_{}_pct_{}", f, Value::Float(p).to_long().display_text())
        }
        AggFunc::MostRecent => "_mostrecent".into(),
        AggFunc::LeastRecent => "_leastrecent".into(),
        _ => format!("_{}", a.func),
    }
}
