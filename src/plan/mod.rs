//! The checked plan: the AST with names resolved, functions bound and every
//! regex compiled. Everything that can be wrong with a query is found here,
//! before any input is read (SPEC §8).

pub mod compile;
pub mod expr;
pub mod projection;

use std::sync::Arc;

use crate::ast::{AggCall, ExprKind, Query, SortMark, Span, Stage, StageKind};
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
];

/// Sumo stages that exist but sumoq does not run yet: named as unsupported
/// rather than unknown.
pub const SUMO_STAGES_NOT_YET: &[&str] = &[
    "parse",
    "extract",
    "json",
    "keyvalue",
    "kv",
    "csv",
    "split",
    "timeslice",
    "transpose",
    "fillmissing",
    "dedup",
    "lookup",
    "count_frequent",
    "values",
    "topk",
    "total",
    "accum",
    "outlier",
    "compare",
    "transactionize",
    "join",
    "save",
    "merge",
    "logreduce",
    "logcompare",
    "predict",
    "smooth",
    "rollingstd",
    "diff",
    "backshift",
    "bin",
    "geoip",
    "threatip",
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
    "withtime",
    "compose",
    "where_in",
    "cat",
    "fields_drop",
];

impl Plan {
    /// The columns the output will have, when the plan fixes them.
    pub fn columns(&self) -> Option<Vec<Name>> {
        self.stages.iter().rev().find_map(|s| s.columns())
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
    let search = match &q.search {
        Some(s) => search::compile(s)?,
        None => CSearch::All,
    };
    let mut stages = Vec::new();
    for st in &q.stages {
        plan_stage(st, text, &mut stages)?;
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
            if let ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) = &e.kind {
                let is_true_text =
                    matches!(&e.kind, ExprKind::Str(s) if s.eq_ignore_ascii_case("true"));
                if !is_true_text {
                    return Err(QueryError::new(
                        "this condition is a constant that is never true",
                        e.span,
                    )
                    .with_hint("compare it with a field, for example `where field = \"value\"`"));
                }
            }
            out.push(StagePlan::Where(WherePlan { cond: compile(e)? }));
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
        StageKind::Sort(keys) => {
            // SPEC §5: unmarked keys sort descending, unless the clause
            // has a `-` key, in which case it follows SPL (ascending).
            let spl = keys.iter().any(|k| k.mark == SortMark::Minus);
            let keys = keys
                .iter()
                .map(|k| SortKeyPlan {
                    field: field(&k.field),
                    ascending: match k.mark {
                        SortMark::Asc => true,
                        SortMark::Desc | SortMark::Minus => false,
                        SortMark::None => spl,
                    },
                })
                .collect();
            out.push(StagePlan::Sort(SortPlan { keys }));
        }
        StageKind::Limit(n, _) => out.push(StagePlan::Limit(LimitPlan { n: *n })),
        StageKind::Top { n, fields, by } => {
            let count: Name = Arc::from("_count");
            out.push(StagePlan::Aggregate(AggPlan {
                aggs: vec![AggSpec {
                    func: AggFunc::Count,
                    arg: None,
                    out: count.clone(),
                }],
                by: by.iter().chain(fields.iter()).map(field).collect(),
            }));
            out.push(StagePlan::Sort(SortPlan {
                keys: vec![SortKeyPlan {
                    field: FieldRef::new("_count", true),
                    ascending: false,
                }],
            }));
            out.push(StagePlan::Limit(LimitPlan { n: *n }));
        }
        StageKind::Generic(g) => match crate::stages::registry::lookup(&g.name) {
            Some(build) => out.extend(build(g, text)?),
            None => return Err(unknown_stage(&g.name, g.name_span, st.span, text)),
        },
    }
    Ok(())
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
            "pct" => (AggFunc::Pct(0.0), 2),
            other => {
                return Err(QueryError::new(
                    format!("unknown aggregate `{other}`"),
                    a.func_span,
                ))
            }
        };
        if a.args.len() != want {
            return Err(QueryError::new(
                format!(
                    "`{}` takes {} argument{}, found {}",
                    a.func,
                    want,
                    if want == 1 { "" } else { "s" },
                    a.args.len()
                ),
                a.span,
            ));
        }
        let func = match func {
            AggFunc::Pct(_) => {
                let p = match compile(&a.args[1])? {
                    CExpr::Const(v) => v.as_num().map(|n| n.as_f64()),
                    _ => None,
                };
                match p {
                    Some(p) if (0.0..=100.0).contains(&p) => AggFunc::Pct(p),
                    _ => {
                        return Err(QueryError::new(
                            "the percentile must be a number from 0 to 100",
                            a.args[1].span,
                        ))
                    }
                }
            }
            f => f,
        };
        let arg = match a.args.first() {
            Some(e) => Some(compile(e)?),
            None => None,
        };
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
            arg,
            out: out_name,
        });
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
        _ => format!("_{}", a.func),
    }
}
