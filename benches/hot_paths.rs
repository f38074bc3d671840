//! The hot paths, measured on generated network records like those of
//! tools/gen_netlogs.py: picking fields out of JSON lines (against
//! serde_json), filters, aggregation, whole runs, and a field extraction
//! rule over Cisco ASA syslog text.
//!
//! `cargo bench` (or `cargo bench -- projection` for one group).

use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde::Deserialize;
use sumoq::diag::Diagnostics;
use sumoq::engine::run_paths_with;
use sumoq::exec::Collect;
use sumoq::input::scan::{scan, Wanted};
use sumoq::input::InputOptions;
use sumoq::parallel::RunOptions;
use sumoq::plan::plan_text;
use sumoq::record::Record;
use sumoq::stages::aggregate::AggOp;
use sumoq::stages::StagePlan;
use sumoq::value::Value;

const LINES: usize = 20_000;
const PORTS: &str = "1883, 8883, 5222, 5223, 5269, 5672, 5671, 61613, 61614";
const DETECTION_KEYS: [&str; 9] = [
    "_sourceCategory",
    "dest_port",
    "action",
    "dest_ip",
    "src_ip",
    "bytes_out",
    "bytes_in",
    "_messageTime",
    "process_name",
];

/// Deterministic lines shaped like gen_netlogs.py output (~400 bytes).
fn lines(n: usize) -> Vec<String> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let cats = [
        "network",
        "firewall",
        "pan",
        "cisco/asa",
        "app/web",
        "os/linux",
    ];
    let ports = [443, 443, 443, 80, 53, 22, 1883, 5222, 8080, 3389];
    let actions = ["allowed", "permit", "deny", "drop"];
    (0..n)
        .map(|i| {
            let r = next();
            format!(
                concat!(
                    "{{\"_messageTime\":{},\"_sourceCategory\":\"{}\",\"src_ip\":\"10.{}.{}.{}\",",
                    "\"dest_ip\":\"{}.{}.{}.{}\",\"src_port\":{},\"dest_port\":{},\"protocol\":\"tcp\",",
                    "\"action\":\"{}\",\"bytes_in\":{},\"bytes_out\":{},\"process_name\":\"chrome.exe\",",
                    "\"user\":\"alice\",\"host\":\"ws-{:03}\",\"vendor\":\"paloalto\",\"rule\":\"r{:03}-default\",",
                    "\"src_zone\":\"trust\",\"dest_zone\":\"untrust\",\"app\":\"ssl\",\"severity\":\"info\",",
                    "\"packets\":{},\"session_id\":\"{:08x}\"}}"
                ),
                1_735_689_600_000u64 + i as u64 * 86,
                cats[(r % 6) as usize],
                r % 256,
                (r >> 8) % 256,
                (r >> 16) % 254 + 1,
                (r >> 24) % 223 + 1,
                (r >> 32) % 256,
                (r >> 40) % 256,
                (r >> 48) % 254 + 1,
                (r >> 3) % 60000 + 1024,
                ports[((r >> 5) % 10) as usize],
                actions[((r >> 7) % 4) as usize],
                (r >> 11) % 100_000,
                (r >> 13) % 10_000,
                (r >> 17) % 400,
                (r >> 19) % 400,
                (r >> 23) % 5000 + 1,
                (r >> 29) as u32,
            )
        })
        .collect()
}

/// The serde projection the scanner replaces: only the needed fields,
/// everything else skipped as `IgnoredAny`.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Projected {
    #[serde(rename = "_sourceCategory")]
    source_category: Option<String>,
    dest_port: Option<serde_json::Value>,
    action: Option<String>,
    dest_ip: Option<String>,
    src_ip: Option<String>,
    bytes_out: Option<serde_json::Value>,
    bytes_in: Option<serde_json::Value>,
    #[serde(rename = "_messageTime")]
    message_time: Option<serde_json::Value>,
    process_name: Option<String>,
}

fn projection(c: &mut Criterion) {
    let data = lines(LINES);
    let bytes: usize = data.iter().map(|l| l.len() + 1).sum();
    let mut g = c.benchmark_group("projection");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("serde_json Value, whole line", |b| {
        b.iter(|| {
            for l in &data {
                black_box(serde_json::from_str::<serde_json::Value>(l).ok());
            }
        })
    });
    g.bench_function("serde_json struct, 9 fields", |b| {
        b.iter(|| {
            for l in &data {
                black_box(serde_json::from_str::<Projected>(l).ok());
            }
        })
    });
    for (name, keys) in [
        ("scan, check only", &[][..]),
        ("scan, 1 field", &["dest_port"][..]),
        ("scan, 9 fields", &DETECTION_KEYS[..]),
    ] {
        let mut w = Wanted::new(keys.iter().copied());
        let mut out = Vec::new();
        g.bench_function(name, |b| {
            b.iter(|| {
                for l in &data {
                    black_box(scan(l.as_bytes(), &mut w, &mut out).is_ok());
                }
            })
        });
    }
    g.finish();
}

/// Records holding the detection's fields, as the projected reader makes.
fn records(n: usize) -> Vec<Record> {
    let mut w = Wanted::new(DETECTION_KEYS);
    let mut out = Vec::new();
    lines(n)
        .iter()
        .map(|l| {
            let mut r = Record::default();
            if scan(l.as_bytes(), &mut w, &mut out).is_ok() {
                for f in &out {
                    let v = f.value.to_value(l.as_bytes()).unwrap_or(Value::Null);
                    r.fields.push((f.key.as_str(l.as_bytes()).into(), v));
                }
            }
            r
        })
        .collect()
}

fn filters(c: &mut Criterion) {
    let recs = records(LINES);
    let mut g = c.benchmark_group("filters");
    g.throughput(Throughput::Elements(recs.len() as u64));
    let plan = plan_text(&format!(
        "_sourceCategory=network OR _sourceCategory=firewall OR _sourceCategory=pan OR _sourceCategory=cisco/asa \
         | where dest_port in ({PORTS}) | where action = \"allowed\" or action = \"permit\" or isnull(action)"
    ))
    .expect("plan");
    g.bench_function("search: four field terms", |b| {
        b.iter(|| recs.iter().filter(|r| plan.search.matches(r)).count())
    });
    for (i, name) in [
        (0, "where dest_port in (9 ports)"),
        (1, "where action = .. or isnull"),
    ] {
        let StagePlan::Where(w) = &plan.stages[i] else {
            continue;
        };
        g.bench_function(name, |b| {
            b.iter(|| recs.iter().filter(|r| w.cond.eval(r).truthy()).count())
        });
    }
    g.finish();
}

fn aggregation(c: &mut Criterion) {
    let recs = records(LINES);
    let mut g = c.benchmark_group("aggregation");
    g.throughput(Throughput::Elements(recs.len() as u64));
    for (name, q) in [
        ("count by dest_port", "* | count by dest_port"),
        (
            "count, sums, min, max by 5 keys",
            "* | count, sum(bytes_out), sum(bytes_in), min(_messageTime), max(_messageTime) \
             by src_ip, dest_ip, dest_port, action, process_name",
        ),
        (
            "avg and stddev",
            "* | avg(bytes_in), stddev(bytes_out) by action",
        ),
    ] {
        let plan = plan_text(q).expect("plan");
        let Some(StagePlan::Aggregate(a)) = plan.stages.first() else {
            continue;
        };
        g.bench_function(name, |b| {
            b.iter_batched(
                || AggOp::new(a.clone()),
                |mut op| {
                    let mut skips = Vec::new();
                    for r in &recs {
                        op.add(r, &mut skips);
                    }
                    op
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

fn whole_runs(c: &mut Criterion) {
    let path = std::env::temp_dir().join(format!("sumoq-bench-{}.ndjson", std::process::id()));
    let mut f = std::fs::File::create(&path).expect("temp file");
    let data = lines(100_000);
    for l in &data {
        let _ = writeln!(f, "{l}");
    }
    drop(f);
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let paths = vec![path.display().to_string()];
    let detection = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/queries/t1071_005_pubsub.sumo"
    ))
    .expect("detection query");
    let mut g = c.benchmark_group("whole run, 100k records");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    for (name, q) in [
        (
            "filter + count",
            format!("* | where dest_port in ({PORTS}) | count"),
        ),
        (
            "count by dest_port",
            "* | count by dest_port | sort by _count".to_string(),
        ),
        ("detection", detection),
    ] {
        let plan = plan_text(&q).expect("plan");
        for threads in [1, sumoq::parallel::default_threads()] {
            let run = RunOptions {
                threads,
                ..RunOptions::default()
            };
            g.bench_function(format!("{name}, {threads} thread(s)"), |b| {
                b.iter(|| {
                    let mut sink = Collect::default();
                    let mut diag = Diagnostics::default();
                    run_paths_with(
                        &plan,
                        &[],
                        &paths,
                        &InputOptions::default(),
                        &run,
                        &mut sink,
                        &mut diag,
                    );
                    sink.rows.len()
                })
            });
        }
    }
    g.finish();
    let _ = std::fs::remove_file(&path);
}

/// Deterministic Cisco ASA syslog lines, the message types the cisco_asa
/// FER reads in about the mix of a firewall's log.
fn asa_lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let (a, b, p) = (i % 251, (i * 7) % 253, 1024 + (i * 13) % 60000);
            let head = format!("<166>Jan 01 2025 00:{:02}:{:02} asa-fw01 : ", (i / 60) % 60, i % 60);
            let body = match i % 5 {
                0 => format!("%ASA-6-302013: Built outbound TCP connection {i} for outside:198.51.{a}.{b}/443 (198.51.{a}.{b}/443) to inside:10.0.{b}.{a}/{p} (203.0.113.9/{p})"),
                1 => format!("%ASA-6-302015: Built inbound UDP connection {i} for outside:198.51.{a}.{b}/{p} (198.51.{a}.{b}/{p}) to inside:10.0.{b}.{a}/53 (10.0.{b}.{a}/53)"),
                2 => format!("%ASA-6-302014: Teardown TCP connection {i} for outside:198.51.{a}.{b}/443 to inside:10.0.{b}.{a}/{p} duration 0:01:{:02} bytes {p} TCP FINs", i % 60),
                3 => format!("%ASA-4-106023: Deny tcp src outside:198.51.{a}.{b}/{p} dst inside:10.0.{b}.{a}/22 by access-group \"outside_access_in\" [0x0, 0x0]"),
                _ => format!("%ASA-6-302016: Teardown UDP connection {i} for outside:198.51.{a}.{b}/53 to inside:10.0.{b}.{a}/{p} duration 0:00:01 bytes 120"),
            };
            head + &body
        })
        .collect()
}

/// The cisco_asa FER on records as read from text lines.
fn fer(c: &mut Criterion) {
    let source = sumoq::engine::Source {
        origin: "cisco_asa".into(),
        text: std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/queries/fer/cisco_asa.sumo"
        ))
        .expect("FER text"),
    };
    let fer = sumoq::engine::compile_fer(&source, &[]).expect("FER plans");
    let fers = [fer];
    let recs: Vec<Record> = asa_lines(LINES)
        .iter()
        .map(|l| Record::from_raw(l))
        .collect();
    let mut g = c.benchmark_group("FER, 20k ASA lines");
    g.throughput(Throughput::Elements(LINES as u64));
    g.bench_function("cisco_asa", |b| {
        b.iter_batched(
            || recs.clone(),
            |recs| {
                let mut diag = Diagnostics::default();
                let (mut out, mut tmp) = (Vec::new(), Vec::new());
                for r in recs {
                    sumoq::exec::apply_fers_into(&fers, r, &mut out, &mut tmp, &mut diag);
                }
                out.len()
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, projection, filters, aggregation, whole_runs, fer);
criterion_main!(benches);
