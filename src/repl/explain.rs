//! `:explain`: the plan of the last query — its filters, its stages in
//! order, and the fields it reads from the data (names read before any
//! stage made them).

use std::fmt::Write as _;

use super::lexer::{tokens, Kind};
use crate::ast::StageKind;
use crate::plan::Plan;
use crate::record::Name;
use crate::search::CSearch;
use crate::stages::StagePlan;

/// The explanation of a plan for the query text it came from (after
/// parameter substitution).
pub fn explain(origin: &str, text: &str, plan: &Plan) -> String {
    let mut s = format!("query ({origin}, comment lines left out):\n");
    for line in text.trim().lines() {
        if !line.trim_start().starts_with("//") && !line.trim().is_empty() {
            let _ = writeln!(s, "  {line}");
        }
    }
    s.push_str("plan:\n");
    for (i, step) in plan.explain().iter().enumerate() {
        let _ = writeln!(s, "  {}. {step}", i + 1);
    }
    let filters = filters_as_written(text, plan).unwrap_or_else(|| filters(plan));
    if filters.is_empty() {
        s.push_str("filters: none (every record goes through)\n");
    } else {
        s.push_str("filters:\n");
        for f in filters {
            let _ = writeln!(s, "  {f}");
        }
    }
    let reads = reads_from_data(plan);
    let _ = writeln!(
        s,
        "fields read from the data: {}",
        if reads.is_empty() {
            "none".to_string()
        } else {
            reads.join(", ")
        }
    );
    s
}

/// Text with its comments left out and its white space collapsed.
fn squash(text: &str) -> String {
    let mut out = String::new();
    for t in tokens(text) {
        match t.kind {
            Kind::Comment { .. } | Kind::Space => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            _ => out.push_str(t.text(text)),
        }
    }
    out.trim().to_string()
}

/// The steps that drop records as the query writes them: the search
/// expression and each `where`.
fn filters_as_written(text: &str, plan: &Plan) -> Option<Vec<String>> {
    let q = crate::parser::parse_query(text).ok()?;
    let mut v = Vec::new();
    // `*` (or no search at all) filters nothing.
    if !matches!(plan.search, CSearch::All) {
        let end = q.stages.first().map(|s| s.span.start).unwrap_or(text.len());
        let search = squash(text.get(..end)?);
        let search = search.strip_suffix('|').unwrap_or(&search).trim_end();
        v.push(format!("search {search}"));
    }
    for st in &q.stages {
        if let StageKind::Where(_) = st.kind {
            v.push(squash(text.get(st.span.start..st.span.end)?));
        }
    }
    Some(v)
}

/// The steps that drop records, from the plan (when the text does not
/// parse, which a planned query always does).
fn filters(plan: &Plan) -> Vec<String> {
    let mut v = Vec::new();
    if !matches!(plan.search, CSearch::All) {
        v.push(format!("search {}", plan.search.describe()));
    }
    for st in &plan.stages {
        if let StagePlan::Where(_) = st {
            v.push(st.describe());
        }
    }
    v
}

fn search_fields(s: &CSearch, out: &mut Vec<Name>) {
    match s {
        CSearch::All => {}
        CSearch::And(a, b) | CSearch::Or(a, b) => {
            search_fields(a, out);
            search_fields(b, out);
        }
        CSearch::Not(a) => search_fields(a, out),
        CSearch::Field { field, .. } => out.push(field.name.clone()),
        CSearch::Keyword { .. } => out.push("_raw".into()),
    }
}

/// Names read before a stage of the query made them, in order.
fn reads_from_data(plan: &Plan) -> Vec<String> {
    let mut made: Vec<Name> = Vec::new();
    let mut reads: Vec<Name> = Vec::new();
    let note = |names: Vec<Name>, made: &[Name], reads: &mut Vec<Name>| {
        for n in names {
            if !made.iter().any(|m| m.eq_ignore_ascii_case(&n)) && !reads.contains(&n) {
                reads.push(n);
            }
        }
    };
    let mut first = Vec::new();
    search_fields(&plan.search, &mut first);
    note(first, &made, &mut reads);
    for st in &plan.stages {
        match st {
            StagePlan::Where(p) => note(p.reads(), &made, &mut reads),
            StagePlan::Eval(p) => {
                note(p.reads(), &made, &mut reads);
                made.extend(p.assigns.iter().map(|(n, _)| n.clone()));
            }
            StagePlan::Fields(p) => note(
                p.names.iter().map(|f| f.name.clone()).collect(),
                &made,
                &mut reads,
            ),
            StagePlan::Aggregate(p) => {
                let mut names: Vec<Name> = p.by.iter().map(|f| f.name.clone()).collect();
                for a in &p.aggs {
                    if let Some(e) = &a.arg {
                        e.fields_read(&mut names);
                    }
                }
                note(names, &made, &mut reads);
                // After an aggregation only its columns exist.
                made = p.columns();
            }
            StagePlan::Sort(p) => note(
                p.keys.iter().map(|k| k.field.name.clone()).collect(),
                &made,
                &mut reads,
            ),
            StagePlan::Limit(_) | StagePlan::Record(_) => {}
            StagePlan::Hold(h) => {
                if let Some(cols) = h.columns() {
                    made = cols;
                }
            }
        }
    }
    reads.iter().map(|n| n.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_stages_and_reads() {
        let q = "_sourceCategory=firewall | where dest_port > 1000\n| eval kb = bytes_out / 1024 | count by src_ip, kb | sort by _count";
        let plan = crate::plan::plan_text(q).expect("plan");
        let e = explain("query", q, &plan);
        assert!(e.contains("  1. search _sourceCategory=firewall"), "{e}");
        assert!(e.contains("  | eval kb = bytes_out / 1024"), "{e}");
        assert!(
            e.contains("filters:\n  search _sourceCategory=firewall\n  where dest_port > 1000\n"),
            "{e}"
        );
        // `kb` and `_count` are made by the query, not read from the data.
        assert!(
            e.contains(
                "fields read from the data: _sourceCategory, dest_port, bytes_out, src_ip\n"
            ),
            "{e}"
        );
        // Comments are left out of the query and the filters.
        let q = "// why\nerror /* c */ | where x > 1 // x\n| count";
        let plan = crate::plan::plan_text(q).expect("plan");
        let e = explain("query", q, &plan);
        assert!(!e.contains("why"), "{e}");
        assert!(
            e.contains("filters:\n  search error\n  where x > 1\n"),
            "{e}"
        );
        let all = crate::plan::plan_text("* | limit 1").expect("plan");
        let e = explain("query", "* | limit 1", &all);
        assert!(e.contains("filters: none"), "{e}");
        assert!(e.contains("fields read from the data: none"), "{e}");
    }
}
