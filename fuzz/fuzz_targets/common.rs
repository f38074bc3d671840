//! What the fuzz targets share: small sample data, the fixed queries, and a
//! run of a plan over bytes in memory, reduced to comparable text.

// Each target uses its own part of this module.
#![allow(dead_code)]

use std::io::Cursor;

use sumoq::diag::Diagnostics;
use sumoq::engine::{run_inputs_plain, run_inputs_with, Opened};
use sumoq::exec::Collect;
use sumoq::input::InputOptions;
use sumoq::output::row_line;
use sumoq::output::{sink_for, Format};
use sumoq::parallel::RunOptions;
use sumoq::plan::{plan_text, Plan};
use sumoq::record::Record;

/// Records of every value type the language has, for running fuzzed
/// queries over: numbers, numeric strings, booleans, nulls, nested objects
/// and arrays, IPs, a text line and a malformed JSON line.
pub const SAMPLE: &[u8] = br#"{"ts":"2026-11-01T10:00:00Z","src_ip":"10.0.0.5","dest_ip":"52.1.2.3","dest_port":1883,"proto":"tcp","bytes":"120","ok":true,"tags":["a","b"],"user":{"name":"Ann","id":7}}
{"ts":"2026-11-01T10:00:05Z","src_ip":"10.0.0.6","dest_ip":"192.168.1.9","dest_port":"5222","proto":"TCP","bytes":-3.5,"ok":false,"tags":[],"user":null}
{"ts":1793527210,"src_ip":"fe80::1","dest_ip":"8.8.8.8","dest_port":null,"Proto":"udp","bytes":1e308,"msg":"error: disk full"}
Nov  1 10:00:12 fw01 %ASA-6-302013: Built outbound TCP connection 5 for outside:203.0.113.7/8883 (203.0.113.7/8883) to inside:10.0.0.7/50001 (10.0.0.7/50001)
{"broken": 
{"ts":"2026-11-01T10:01:00Z","src_ip":"10.0.0.5","dest_port":61613,"bytes":"0x10","msg":"a=1, b=\"two\", c=3.0"}
"#;

/// Fixed queries of many shapes (search terms, filters the fast paths
/// decide on raw bytes, parsing stages, aggregates, sorts, the detection).
pub const QUERIES: &[&str] = &[
    "* | count",
    "error | count",
    "\"disk\" and not warn | count by _sourceName",
    "* | where dest_port in (1883, 8883, 5222, 61613) | count",
    "* | count by dest_port | sort by _count, dest_port",
    "* | where bytes > 10 | sum(bytes) as b, avg(bytes) as a, max(bytes) as m by proto",
    "* | where !isNull(src_ip) | count_distinct(dest_ip) by src_ip",
    "* | parse \"outside:*/* \" as ip, port | count by port",
    "* | parse regex \"(?<k>\\w+)=(?<v>[^,]+)\" multi | count by k",
    "* | json auto | fields - _raw | limit 3",
    "* | kv \"a\", \"b\" | where a = 1",
    "* | timeslice 1m | count by _timeslice | sort by _timeslice",
    "* | where toLowerCase(proto) = \"tcp\" | first(dest_ip), last(dest_ip), values(proto) by src_ip",
    "* | where _raw matches \"*ASA*\" | count",
    "* | pct(bytes, 50, 95), stddev(bytes) by dest_port",
    "* | where isPrivateIP(src_ip) and !isPrivateIP(dest_ip) | count by dest_ip",
    "* | top 3 dest_port by src_ip",
    "* | dedup by src_ip | sort by src_ip asc",
    "* | fields src_ip, dest_port | limit 5",
    include_str!("../../queries/t1071_005_pubsub.sumo"),
];

/// One run's outcome as text: each row as a JSON line, then the warnings
/// (kind, source, line, message) in order, then the record count.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub rows: Vec<String>,
    pub warnings: Vec<String>,
    pub records: u64,
}

fn reader(bytes: &[u8]) -> Vec<Opened> {
    vec![(
        "fuzz".to_string(),
        Ok(Box::new(Cursor::new(bytes.to_vec()))),
    )]
}

fn outcome(c: Collect, d: Diagnostics, records: u64) -> (Outcome, Vec<Record>) {
    let out = Outcome {
        rows: c.rows.iter().map(row_line).collect(),
        warnings: d
            .kept
            .iter()
            .map(|w| format!("{} {}:{} {}", w.kind, w.source, w.line, w.message))
            .collect(),
        records,
    };
    (out, c.rows)
}

/// The plain reference run: one thread, every field of every record.
pub fn run_plain(plan: &Plan, bytes: &[u8]) -> (Outcome, Vec<Record>) {
    let mut c = Collect::default();
    let mut d = Diagnostics::default();
    let s = run_inputs_plain(
        plan,
        &[],
        reader(bytes),
        &InputOptions::default(),
        &mut c,
        &mut d,
    );
    outcome(c, d, s.records)
}

/// The fast run: projection, raw-byte filters, chunks on `threads` workers.
pub fn run_fast(
    plan: &Plan,
    bytes: &[u8],
    threads: usize,
    chunk_size: usize,
) -> (Outcome, Vec<Record>) {
    let mut c = Collect::default();
    let mut d = Diagnostics::default();
    let run = RunOptions {
        threads,
        progress: false,
        chunk_size,
    };
    let s = run_inputs_with(
        plan,
        &[],
        reader(bytes),
        &InputOptions::default(),
        &run,
        &mut c,
        &mut d,
    );
    outcome(c, d, s.records)
}

/// True for a fixed query that stops reading before the input ends.
pub fn stops_early(i: usize) -> bool {
    QUERIES[i % QUERIES.len()].contains("| limit")
}

/// A fixed query's plan; the queries above are known to plan.
pub fn fixed(i: usize) -> Plan {
    let q = QUERIES[i % QUERIES.len()];
    match plan_text(q) {
        Ok(p) => p,
        Err(e) => panic!("fixed query does not plan: {q}: {}", e.message),
    }
}

/// Renders rows in every output format (to nowhere): the renderers must
/// take whatever values the stages make.
pub fn render_all(rows: &[Record]) {
    for format in [Format::Table, Format::Json, Format::Csv] {
        let mut sink = sink_for(format, Box::new(std::io::sink()), Some(80));
        for r in rows {
            sink.row(r.clone());
        }
        let _ = sink.close();
    }
}
