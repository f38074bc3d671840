//! Hints for a run that printed no rows. The usual cause is a field the
//! query filters on that no record has: a typo (`dest_prot`), metadata the
//! logs do not carry (`_sourceCategory` without `--set`), or normalized
//! names without the field extraction rule that makes them (`--fer`).
//! Without a hint the run just prints nothing, which looks like "no
//! detections".

use std::path::Path;

use crate::diag::Diagnostics;
use crate::error::did_you_mean;
use crate::exec::{apply_fers, Fer, Sink};
use crate::input::{self, Flow, InputOptions};
use crate::plan::Plan;
use crate::record::{split_path, Name, Record, Seg, META_FIELDS};
use crate::stages::StagePlan;
use crate::value::Value;

/// Passes rows on to the output and remembers whether the result looks
/// empty: no row, or one row of zeros and nulls (`count` of nothing).
pub struct Watch<'a> {
    inner: &'a mut dyn Sink,
    rows: u64,
    zero_row: bool,
}

impl<'a> Watch<'a> {
    /// Watches the rows going to `inner`.
    pub fn new(inner: &'a mut dyn Sink) -> Self {
        Watch {
            inner,
            rows: 0,
            zero_row: false,
        }
    }

    /// True when no row came, or one row whose values are all 0 or null.
    pub fn looks_empty(&self) -> bool {
        self.rows == 0 || (self.rows == 1 && self.zero_row)
    }
}

impl Sink for Watch<'_> {
    fn row(&mut self, rec: Record) -> Flow {
        self.rows += 1;
        if self.rows == 1 {
            self.zero_row = is_zero_row(&rec);
        }
        self.inner.row(rec)
    }
}

/// A row of zeros and nulls only (`_count` 0, a `sum` of nothing).
fn is_zero_row(rec: &Record) -> bool {
    !rec.fields.is_empty()
        && rec.fields.iter().all(|(_, v)| match v {
            Value::Null => true,
            Value::Int(0) => true,
            Value::Float(f) => *f == 0.0,
            _ => false,
        })
}

/// True for a result of `total` rows whose first is `first` that looks
/// empty (see [`Watch`]).
pub fn looks_empty(total: u64, first: Option<&Record>) -> bool {
    total == 0 || (total == 1 && first.is_some_and(is_zero_row))
}

/// How many records are looked at, from the start of the files.
pub const SAMPLE: usize = 1000;

/// The names shipped FERs make, for the hint that a FER is missing.
const NORMALIZED: [&str; 9] = [
    "src_ip",
    "dest_ip",
    "src_port",
    "dest_port",
    "protocol",
    "action",
    "bytes_in",
    "bytes_out",
    "process_name",
];

/// The field names the search expression and the leading `where` stages
/// read from the input (later stages may read fields the query made).
pub fn filtered_names(plan: &Plan) -> Vec<Name> {
    let mut names = Vec::new();
    plan.search.fields_read(&mut names);
    for s in &plan.stages {
        let StagePlan::Where(_) = s else { break };
        for n in s.reads().unwrap_or_default() {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    // `_raw` and `_messageTime` are always there.
    names.retain(|n| !matches!(&**n, "_raw" | "_messageTime"));
    names
}

/// True when the record has the field (or, for a path, its first key).
fn has(rec: &Record, name: &str) -> bool {
    if rec.get(name).is_some() {
        return true;
    }
    match split_path(name).as_deref() {
        Some([Seg::Key(first), ..]) => rec.get(first).is_some(),
        _ => false,
    }
}

/// The first [`SAMPLE`] records of the files among `paths` (stdin cannot
/// be read twice), FERs applied.
fn sample(fers: &[Fer], paths: &[String], opts: &InputOptions) -> Vec<Record> {
    let mut out = Vec::new();
    let mut quiet = Diagnostics::default();
    for p in paths.iter().filter(|p| *p != "-" && Path::new(p).is_file()) {
        let Ok(reader) = input::open(p) else { continue };
        let mut fer_diag = Diagnostics::default();
        let _ = input::read_input(p, reader, opts, &mut quiet, &mut |rec| {
            out.extend(apply_fers(fers, rec, &mut fer_diag));
            if out.len() >= SAMPLE {
                Flow::Stop
            } else {
                Flow::Continue
            }
        });
        if out.len() >= SAMPLE {
            break;
        }
    }
    out
}

/// One note per field the query filters on that none of the first records
/// of the files has, with a suggestion.
pub fn missing_fields(
    plan: &Plan,
    fers: &[Fer],
    paths: &[String],
    opts: &InputOptions,
) -> Vec<String> {
    if filtered_names(plan).is_empty() {
        return Vec::new();
    }
    let records = sample(fers, paths, opts);
    notes_for(plan, !fers.is_empty(), &records)
}

/// The notes of [`missing_fields`] over records at hand (the REPL's data);
/// `with_fers` says whether FERs made them.
pub fn notes_for(plan: &Plan, with_fers: bool, records: &[Record]) -> Vec<String> {
    let names = filtered_names(plan);
    if names.is_empty() || records.is_empty() {
        return Vec::new();
    }
    let mut keys: Vec<&str> = Vec::new();
    for r in records {
        for (k, _) in r.fields.iter().chain(r.meta.iter()) {
            if !keys.contains(&&**k) {
                keys.push(k);
            }
        }
    }
    let mut notes = Vec::new();
    let mut normalized = Vec::new();
    // A field merely missing may be what the query expects (`isNull(action)
    // or ...`); it is named only when nothing stronger explains the result.
    let mut plain = Vec::new();
    let read = match records.len() {
        1 => "in the one record read".to_string(),
        n if n < SAMPLE => format!("in any of the {n} records read"),
        n => format!("in the first {n} records read"),
    };
    for n in names {
        if records.iter().any(|r| has(r, &n)) {
            continue;
        }
        if META_FIELDS.iter().any(|m| m.eq_ignore_ascii_case(&n)) {
            notes.push(format!(
                "no field `{n}` {read}; metadata the logs do not \
                 carry is given with --set {n}=VALUE"
            ));
        } else if let Some(h) = did_you_mean(&n, keys.iter().copied()) {
            notes.push(format!("no field `{n}` {read}; {h}"));
        } else if !with_fers && NORMALIZED.contains(&&*n) {
            normalized.push(format!("`{n}`"));
        } else {
            plain.push(format!("no field `{n}` {read}"));
        }
    }
    if !normalized.is_empty() {
        notes.push(format!(
            "no field{} {} {read}; the shipped field extraction \
             rules make these names from Zeek, Suricata, Sysmon, NFStream, Cisco ASA and \
             PAN-OS logs: --fer zeek_conn, suricata_eve, sysmon_network, nfstream_flow, \
             cisco_asa or panos_traffic",
            if normalized.len() > 1 { "s" } else { "" },
            normalized.join(", ")
        ));
    }
    if notes.is_empty() {
        notes = plain;
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::plan_text;

    #[test]
    fn names_from_search_and_leading_wheres() {
        let p = plan_text("_sourceCategory=fw a=1 | where b > 2 | eval c = 1 | where c = 1")
            .unwrap_or_else(|e| panic!("{}", e.message));
        let names: Vec<String> = filtered_names(&p).iter().map(|n| n.to_string()).collect();
        assert_eq!(names, ["_sourceCategory", "a", "b"]);
    }
}
