//! `lookup` and the stages built on it (`geoip`, `threatip`,
//! `threatlookup`): add columns from a table to each record whose key
//! fields match a row, a left join.
//!
//! ```text
//! lookup COL [as F], ... | * from TABLE on FIELD=COLUMN [, FIELD=COLUMN | and ...]
//! ```
//!
//! TABLE is a local CSV file (a path ending in `.csv`, or `file://PATH.csv`),
//! read when the query runs, never by `check`. Only `.csv` paths: a query
//! from elsewhere must not read `/etc/passwd` or `/proc/self/environ` as a
//! table (and show its first line as column names). Sumo's hosted
//! tables (`geo://location`, `asn://default`, `sumo://threat/cs`,
//! `path://"/Library/..."`, saved tables such as `shared/x`, `https://`
//! files) have no offline copy: a run stops before reading input unless a
//! local file is given for them with `--lookup NAME=FILE`.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::ast::{GenericStage, Span, Tok, Token};
use crate::diag::{Diagnostics, Warning};
use crate::error::{did_you_mean, QueryError};
use crate::plan::expr::FieldRef;
use crate::record::{Name, Record};
use crate::value::Value;

use super::args::{is_field_name, Args};
use super::external::{External, SourceFiles};
use super::table::{key_text, Table};
use super::{RecordStage, StagePlan};

/// Where a lookup's table comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceSpec {
    /// A CSV file on this machine.
    Local(PathBuf),
    /// A table only Sumo Logic (or the network) has; `what` says which kind.
    Hosted {
        /// The name as the query gives it (`geo://location`, a Library path).
        name: String,
        /// Why there is no offline copy, for the message.
        what: &'static str,
    },
}

/// Reads the text after `from` as a table source.
pub fn classify(text: &str) -> SourceSpec {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("file://") {
        if rest.to_ascii_lowercase().ends_with(".csv") {
            return SourceSpec::Local(PathBuf::from(rest));
        }
        return SourceSpec::Hosted {
            name: t.to_string(),
            what: "the file (not a .csv file)",
        };
    }
    if let Some((scheme, _)) = t.split_once("://") {
        let what = match scheme.to_ascii_lowercase().as_str() {
            "geo" => "the geolocation table",
            "asn" => "the ASN table",
            "sumo" => "the threat intelligence table",
            "https" | "http" => "the remote CSV file",
            "path" => "the Sumo Library lookup table",
            _ => "the hosted table",
        };
        return SourceSpec::Hosted {
            name: t.to_string(),
            what,
        };
    }
    if t.to_ascii_lowercase().ends_with(".csv") {
        return SourceSpec::Local(PathBuf::from(t));
    }
    SourceSpec::Hosted {
        name: t.to_string(),
        what: "the saved Sumo lookup table",
    }
}

/// One key pair of the `on` clause.
#[derive(Clone, Debug)]
struct KeySpec {
    /// The two names as written (`a=b`; both the same for `on a`).
    left: String,
    right: String,
    /// True when `left` is known to be the record's field and `right` the
    /// table's column (geoip, threatip); otherwise the table's header
    /// decides.
    fixed: bool,
    span: Span,
}

/// One column to return.
#[derive(Clone, Debug)]
struct OutSpec {
    column: String,
    name: Name,
    span: Span,
}

/// How matching rows become output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The last matching row (Sumo uses the last row of a duplicated key).
    Last,
    /// `threatlookup singleIndicator`: the last matching row and a count.
    Single,
    /// `threatlookup`: one record per matching row.
    All,
}

/// The lookup as planned, and the table once bound to it.
#[derive(Debug)]
struct Binding {
    stage: String,
    source: SourceSpec,
    source_span: Span,
    /// `None` for `*`.
    outputs: Option<Vec<OutSpec>>,
    /// Prefix for every output name (`_threatlookup.`).
    prefix: String,
    keys: Vec<KeySpec>,
    mode: Mode,
    /// `threatlookup source="x"`: only rows whose `source` column is x.
    row_filter: Option<String>,
    /// True for the fixed outputs of geoip and friends: a column the local
    /// file lacks comes back null instead of being an error.
    lenient: bool,
    bound: OnceLock<Result<Bound, String>>,
}

/// A table with its columns resolved for this lookup.
#[derive(Debug)]
struct Bound {
    table: Arc<Table>,
    index: std::collections::HashMap<Vec<String>, Vec<usize>>,
    key_fields: Vec<FieldRef>,
    outputs: Vec<(usize, Name)>,
}

impl Binding {
    fn bind(&self, files: &SourceFiles, diag: &mut Diagnostics) -> Result<Bound, QueryError> {
        let path = match &self.source {
            SourceSpec::Local(p) => p.clone(),
            SourceSpec::Hosted { name, what } => match files.file_for(name) {
                Some(p) => p.to_path_buf(),
                None => return Err(self.missing(name, what)),
            },
        };
        let table = files
            .table(&path, diag)
            .map_err(|m| QueryError::new(m, self.source_span))?;
        let mut key_cols = Vec::new();
        let mut key_fields = Vec::new();
        for k in &self.keys {
            let (field, col) = if k.fixed {
                (k.left.as_str(), table.column(&k.right))
            } else {
                match (table.column(&k.left), table.column(&k.right)) {
                    // Sumo documents `on field=column`, but its own queries
                    // also write `on column=field` (`on ip=src_ip`): the
                    // header tells which side is the table's.
                    (_, Some(c)) => (k.left.as_str(), Some(c)),
                    (Some(c), None) => (k.right.as_str(), Some(c)),
                    (None, None) => (k.left.as_str(), None),
                }
            };
            let Some(col) = col else {
                let names = if k.fixed || k.left == k.right {
                    format!("`{}`", k.right)
                } else {
                    format!("`{}` or `{}`", k.left, k.right)
                };
                return Err(QueryError::new(
                    format!(
                        "the lookup table {} has no column {names} to match on",
                        table.source
                    ),
                    k.span,
                )
                .with_hint(format!("its columns are {}", table.columns.join(", "))));
            };
            key_cols.push(col);
            key_fields.push(FieldRef::new(field, false));
        }
        let outputs = match &self.outputs {
            Some(list) => {
                let mut v = Vec::new();
                for o in list {
                    let found = table.column(&o.column);
                    if found.is_none() && self.lenient {
                        // Past the last column: reads as null.
                        v.push((
                            usize::MAX,
                            Arc::from(format!("{}{}", self.prefix, o.name).as_str()),
                        ));
                        continue;
                    }
                    let Some(c) = found else {
                        let mut e = QueryError::new(
                            format!(
                                "the lookup table {} has no column `{}`",
                                table.source, o.column
                            ),
                            o.span,
                        );
                        e = match did_you_mean(&o.column, table.columns.iter().map(String::as_str))
                        {
                            Some(h) => e.with_hint(h),
                            None => {
                                e.with_hint(format!("its columns are {}", table.columns.join(", ")))
                            }
                        };
                        return Err(e);
                    };
                    v.push((c, Arc::from(format!("{}{}", self.prefix, o.name).as_str())));
                }
                v
            }
            // `*`: every column, except a key column that has the very
            // name of the field it matched (the record keeps its own).
            None => table
                .columns
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    !key_cols
                        .iter()
                        .zip(&key_fields)
                        .any(|(k, f)| k == i && f.name.eq_ignore_ascii_case(c))
                        || !self.prefix.is_empty()
                })
                .map(|(i, c)| (i, Arc::from(format!("{}{}", self.prefix, c).as_str())))
                .collect(),
        };
        let mut index = table.index(&key_cols);
        if let Some(src) = &self.row_filter {
            let want = key_text(src);
            let col = table.column("source");
            for rows in index.values_mut() {
                rows.retain(|&r| {
                    col.and_then(|c| table.rows.get(r).and_then(|row| row.get(c)))
                        .and_then(|v| v.as_deref())
                        .is_some_and(|v| key_text(v) == want)
                });
            }
        }
        if self.mode == Mode::Last {
            if let Some((_, rows)) = index.iter().find(|(_, rows)| rows.len() > 1) {
                let line = rows
                    .last()
                    .and_then(|&r| table.lines.get(r))
                    .copied()
                    .unwrap_or(0);
                diag.warn(Warning {
                    kind: "lookup duplicate key",
                    source: table.source.clone(),
                    line,
                    message: "the table has rows with the same key; the last row of each key is used, as in Sumo".into(),
                });
            }
        }
        Ok(Bound {
            table,
            index,
            key_fields,
            outputs,
        })
    }

    fn missing(&self, name: &str, what: &str) -> QueryError {
        let mut cols: Vec<String> = Vec::new();
        for k in &self.keys {
            // The table's side of `a=b`: the name Sumo's hosted tables use
            // (`ip`, `threat`) when it is one of them; else either side
            // may be the column (the file's header decides).
            let known =
                |n: &str| ["ip", "threat", "indicator"].contains(&n.to_ascii_lowercase().as_str());
            let col = if k.fixed || k.left == k.right || known(&k.right) {
                k.right.clone()
            } else if known(&k.left) {
                k.left.clone()
            } else {
                format!("{} or {}", k.right, k.left)
            };
            cols.push(col);
        }
        match &self.outputs {
            Some(list) => cols.extend(list.iter().map(|o| o.column.clone())),
            None => cols.push("the columns to return".into()),
        }
        cols.dedup();
        QueryError::new(
            format!("{what} `{name}` of `{}` is not available offline", self.stage),
            self.source_span,
        )
        .with_hint(format!(
            "save it as a CSV file with a header row ({}) and give it with --lookup '{name}=FILE.csv'{}",
            cols.join(", "),
            if self.stage == "lookup" {
                ", or name a local .csv file after `from`"
            } else {
                ""
            }
        ))
    }
}

impl External for Binding {
    fn prepare(&self, files: &SourceFiles, diag: &mut Diagnostics) -> Result<(), QueryError> {
        if self.bound.get().is_some() {
            return Ok(());
        }
        let b = self.bind(files, diag)?;
        let _ = self.bound.set(Ok(b));
        Ok(())
    }
}

/// The per-record stage.
#[derive(Debug)]
pub struct LookupStage(Arc<Binding>);

impl RecordStage for LookupStage {
    fn apply(&self, mut rec: Record, out: &mut Vec<Record>, diag: &mut Diagnostics) {
        let b = &self.0;
        // Prepared before the run by the CLI; a caller that did not prepare
        // (a library user) gets the table read here, from local files only.
        let bound = b.bound.get_or_init(|| {
            b.bind(&SourceFiles::default(), &mut Diagnostics::default())
                .map_err(|e| e.message)
        });
        let bound = match bound {
            Ok(x) => x,
            Err(m) => {
                diag.warn(Warning {
                    kind: "lookup unavailable",
                    source: rec.origin.source.to_string(),
                    line: rec.origin.line,
                    message: m.clone(),
                });
                out.push(rec);
                return;
            }
        };
        let key: Option<Vec<String>> = bound
            .key_fields
            .iter()
            .map(|f| f.get(&rec).text().map(|t| key_text(&t)))
            .collect();
        let rows: &[usize] = key
            .and_then(|k| bound.index.get(&k))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let set = |rec: &mut Record, row: Option<usize>| {
            for (col, name) in &bound.outputs {
                let v = row
                    .and_then(|r| bound.table.rows.get(r))
                    .and_then(|cells| cells.get(*col))
                    .and_then(|c| c.clone())
                    .map(Value::Str)
                    .unwrap_or(Value::Null);
                rec.set(name, v);
            }
        };
        match b.mode {
            Mode::Last => {
                set(&mut rec, rows.last().copied());
                out.push(rec);
            }
            Mode::Single => {
                set(&mut rec, rows.last().copied());
                rec.set(
                    &Arc::from(format!("{}num_matches", b.prefix).as_str()),
                    Value::Int(rows.len() as i64),
                );
                out.push(rec);
            }
            Mode::All if rows.is_empty() => {
                set(&mut rec, None);
                out.push(rec);
            }
            Mode::All => {
                for &r in rows {
                    let mut each = rec.clone();
                    set(&mut each, Some(r));
                    out.push(each);
                }
            }
        }
    }

    fn describe(&self) -> String {
        let b = &self.0;
        let src = match &b.source {
            SourceSpec::Local(p) => p.display().to_string(),
            SourceSpec::Hosted { name, .. } => format!("{name} (hosted)"),
        };
        format!("{} from {src}", b.stage)
    }

    fn externals(&self) -> Vec<Arc<dyn External>> {
        vec![self.0.clone()]
    }
}

fn plan(b: Binding) -> Vec<StagePlan> {
    vec![StagePlan::Record(Arc::new(LookupStage(Arc::new(b))))]
}

fn is_word(t: Option<&Token>, w: &str) -> bool {
    matches!(t, Some(Token { kind: Tok::Word(x), .. }) if x.eq_ignore_ascii_case(w))
}

/// `lookup COL [as F], ... from TABLE on KEYS`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let mut outputs = Some(Vec::new());
    loop {
        if is_word(a.peek(), "*") {
            a.next_token();
            outputs = None;
        } else {
            let (column, _, span) = a.expect_field("a column to return (or `*`)")?;
            let name = if a.eat_word("as") {
                a.expect_field("a field name after `as`")?.0
            } else {
                column.clone()
            };
            if let Some(v) = outputs.as_mut() {
                v.push(OutSpec {
                    column,
                    name: Arc::from(name.as_str()),
                    span,
                });
            }
        }
        if !a.eat_comma() {
            break;
        }
    }
    if !is_word(a.peek(), "from") {
        return Err(a.error("`from` and the lookup table"));
    }
    let from = a.next_token().map(|t| t.span).unwrap_or_default();
    let mut src: Vec<&Token> = Vec::new();
    while let Some(t) = a.peek() {
        if is_word(Some(t), "on") {
            break;
        }
        src.push(t);
        a.next_token();
    }
    let (Some(first), Some(last)) = (src.first(), src.last()) else {
        return Err(a.error("the lookup table after `from`"));
    };
    let source_span = Span::new(first.span.start, last.span.end);
    let source = match src.as_slice() {
        [Token {
            kind: Tok::Word(w), ..
        }, Token {
            kind: Tok::Str(s), ..
        }] if w.eq_ignore_ascii_case("path://") => SourceSpec::Hosted {
            name: s.clone(),
            what: "the Sumo Library lookup table",
        },
        [Token {
            kind: Tok::Str(s), ..
        }] => classify(s),
        _ => classify(a.slice(Span::new(from.end, source_span.end))),
    };
    a.expect_word("on")?;
    let keys = expect_keys(&mut a)?;
    a.finish()?;
    Ok(plan(Binding {
        stage: "lookup".into(),
        source,
        source_span,
        outputs,
        prefix: String::new(),
        keys,
        mode: Mode::Last,
        row_filter: None,
        lenient: false,
        bound: OnceLock::new(),
    }))
}

/// `on a=b, c=d` or `on a=b and c=d` or `on a`.
fn expect_keys(a: &mut Args) -> Result<Vec<KeySpec>, QueryError> {
    let mut keys = Vec::new();
    loop {
        let t = a.peek();
        let key = match t.map(|t| (&t.kind, t.span)) {
            Some((Tok::KeyVal(k, v), span)) => match &v.kind {
                Tok::Word(w) | Tok::Name(w)
                    if is_field_name(w) || matches!(v.kind, Tok::Name(_)) =>
                {
                    KeySpec {
                        left: k.clone(),
                        right: w.clone(),
                        fixed: false,
                        span,
                    }
                }
                _ => return Err(QueryError::new("expected `field=column`", v.span)),
            },
            Some((Tok::Word(w), span)) if is_field_name(w) && !w.eq_ignore_ascii_case("and") => {
                KeySpec {
                    left: w.clone(),
                    right: w.clone(),
                    fixed: false,
                    span,
                }
            }
            Some((Tok::Name(w), span)) => KeySpec {
                left: w.clone(),
                right: w.clone(),
                fixed: false,
                span,
            },
            _ => return Err(a.error("a key such as `src_ip=ip`")),
        };
        a.next_token();
        keys.push(key);
        if !(a.eat_comma() || a.eat_word("and")) {
            break;
        }
    }
    Ok(keys)
}

/// The fields `geoip` returns by default, and those it may add.
const GEO_DEFAULT: &[&str] = &[
    "latitude",
    "longitude",
    "country_code",
    "country_name",
    "city",
    "state",
];
const GEO_OPTIONAL: &[&str] = &[
    "region",
    "continent",
    "postal_code",
    "connection_type",
    "country_cf",
    "state_cf",
    "city_cf",
];

/// `geoip FIELD [optional, ...]`: `lookup` of the geolocation table
/// (`geo://location`, keyed by `ip`).
pub fn build_geoip(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let (field, _, span) = a.expect_field("the field holding the IP address")?;
    let mut outputs: Vec<OutSpec> = GEO_DEFAULT
        .iter()
        .map(|c| OutSpec {
            column: c.to_string(),
            name: Arc::from(*c),
            span,
        })
        .collect();
    a.eat_comma();
    while !a.is_done() {
        let (opt, _, ospan) = a.expect_field("an optional geoip field")?;
        let Some(known) = GEO_OPTIONAL.iter().find(|o| o.eq_ignore_ascii_case(&opt)) else {
            let mut e = QueryError::new(format!("`geoip` has no field `{opt}`"), ospan).with_hint(
                format!("its optional fields are {}", GEO_OPTIONAL.join(", ")),
            );
            if let Some(h) = did_you_mean(&opt, GEO_OPTIONAL.iter().copied()) {
                e = e.with_hint(h);
            }
            return Err(e);
        };
        outputs.push(OutSpec {
            column: known.to_string(),
            name: Arc::from(*known),
            span: ospan,
        });
        a.eat_comma();
    }
    Ok(plan(Binding {
        stage: "geoip".into(),
        source: classify("geo://location"),
        source_span: g.name_span,
        outputs: Some(outputs),
        prefix: String::new(),
        keys: vec![KeySpec {
            left: field,
            right: "ip".into(),
            fixed: true,
            span,
        }],
        mode: Mode::Last,
        row_filter: None,
        lenient: true,
        bound: OnceLock::new(),
    }))
}

/// `threatip FIELD`: CrowdStrike's IP threat table (`sumo://threat/cs`,
/// keyed by `threat`), returning `type`, `actor`, `raw` as `raw_threat`
/// and `threatlevel` as `malicious_confidence`.
pub fn build_threatip(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let (field, _, span) = a.expect_field("the field holding the IP address")?;
    a.finish()?;
    let out = |c: &str, n: &str| OutSpec {
        column: c.into(),
        name: Arc::from(n),
        span,
    };
    Ok(plan(Binding {
        stage: "threatip".into(),
        source: classify("sumo://threat/cs"),
        source_span: g.name_span,
        outputs: Some(vec![
            out("actor", "actor"),
            out("threatlevel", "malicious_confidence"),
            out("raw", "raw_threat"),
            out("type", "type"),
        ]),
        prefix: String::new(),
        keys: vec![KeySpec {
            left: field,
            right: "threat".into(),
            fixed: true,
            span,
        }],
        mode: Mode::Last,
        row_filter: None,
        lenient: true,
        bound: OnceLock::new(),
    }))
}

/// `threatlookup [singleIndicator] [source="NAME"] FIELD`: the threat
/// intelligence store (`sumo://threat-intel`, keyed by `indicator`); every
/// column comes back as `_threatlookup.COLUMN`, one record per matching
/// entry (or one with nulls), or with `singleIndicator` the last match and
/// `_threatlookup.num_matches`.
pub fn build_threatlookup(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let mut mode = Mode::All;
    let mut row_filter = None;
    loop {
        if a.eat_word("singleIndicator") {
            mode = Mode::Single;
        } else if let Some(v) = a.eat_keyval("source") {
            match &v.kind {
                Tok::Str(s) | Tok::Word(s) => row_filter = Some(s.clone()),
                _ => return Err(QueryError::new("expected a source name in quotes", v.span)),
            }
        } else {
            break;
        }
    }
    let (field, _, span) = a.expect_field("the field holding the indicator")?;
    a.finish()?;
    Ok(plan(Binding {
        stage: "threatlookup".into(),
        source: classify("sumo://threat-intel"),
        source_span: g.name_span,
        outputs: None,
        prefix: "_threatlookup.".into(),
        keys: vec![KeySpec {
            left: field,
            right: "indicator".into(),
            fixed: true,
            span,
        }],
        mode,
        row_filter,
        lenient: true,
        bound: OnceLock::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_told_apart_by_their_text() {
        assert_eq!(classify("hosts.csv"), SourceSpec::Local("hosts.csv".into()));
        assert_eq!(
            classify("file:///tmp/x.csv"),
            SourceSpec::Local("/tmp/x.csv".into())
        );
        // Found by the attack run: any file was read as a table.
        assert!(matches!(
            classify("file:///etc/passwd"),
            SourceSpec::Hosted { .. }
        ));
        assert!(matches!(
            classify("geo://location"),
            SourceSpec::Hosted { .. }
        ));
        assert!(matches!(
            classify("https://x/y.csv"),
            SourceSpec::Hosted { .. }
        ));
        assert!(matches!(
            classify("shared/statusupdates"),
            SourceSpec::Hosted { .. }
        ));
        assert!(matches!(
            classify("/shared/aws/admins"),
            SourceSpec::Hosted { .. }
        ));
    }
}
