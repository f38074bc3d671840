//! The shipped detection, verbatim, over real logs nobody here wrote, with
//! exact expected rows (computed independently by
//! tests/reference/t1071_reference.py and checked by hand; see
//! docs/DETECTION.md).
//!
//! Permissively licensed data is bundled under tests/data. GPL-licensed
//! data (and OTRF's, whose licence is unclear) stays in ../shared: the
//! tests that read it say so in their names and skip with a message when
//! ../shared is absent.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shared_data() -> Option<PathBuf> {
    let p = root().join("../shared/data/real");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "skipped: {} is absent (GPL-licensed data is not bundled)",
            p.display()
        );
        None
    }
}

fn files(dir: &Path, suffix: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .map(|p| p.display().to_string())
        .collect();
    v.sort();
    v
}

fn detect(fer: Option<&str>, inputs: &[String]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sumoq"));
    cmd.current_dir(root())
        .args(["run", "t1071_005_pubsub", "--format", "json"]);
    if let Some(f) = fer {
        cmd.args(["--fer", f, "--set", "_sourceCategory=network"]);
    }
    cmd.args(inputs);
    let out = cmd.output().expect("run sumoq");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sumoq failed: {err}");
    assert!(!err.contains("warning"), "unexpected warnings: {err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn expected(name: &str) -> String {
    let p = root().join("tests/golden").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn bundled_example_gives_every_kind_of_row() {
    let got = detect(None, &["examples/network.ndjson".to_string()]);
    assert_eq!(got, expected("detection_examples.expected.jsonl"));
    for kind in ["\"MQTT\"", "\"XMPP\"", "\"STOMP\"", "\"AMQP\""] {
        assert!(got.contains(kind), "{kind} missing");
    }
    let first_medium = got.find("\"medium\"").expect("a medium row");
    assert!(got[..first_medium].matches("\"high\"").count() == 8);
}

#[test]
fn suricata_sample_alerts_mit_find_outbound_xmpp() {
    let dir = root().join("tests/data/suricata-sample-data-alerts");
    let got = detect(Some("suricata_eve"), &files(&dir, ".json"));
    assert_eq!(got, expected("real/suricata_alerts.expected.jsonl"));
    assert!(
        got.contains("\"dest_ip\":\"173.194.203.125\",\"Protocol\":\"XMPP\",\"dest_port\":5222")
    );
}

#[test]
fn nfstream_flows_bsd_mit_find_mqtt_including_ipv6_loopback() {
    let a = root().join("tests/data/suricata-verify-mqtt-pcaps");
    let b = root().join("tests/data/zeek-testing-traces");
    let got = detect(Some("nfstream_flow"), &files(&a, ".nfstream.jsonl"));
    assert_eq!(
        got,
        expected("real/nfstream_suricata_verify.expected.jsonl")
    );
    let got = detect(Some("nfstream_flow"), &files(&b, ".nfstream.jsonl"));
    assert_eq!(got, expected("real/nfstream_zeek_traces.expected.jsonl"));
}

#[test]
fn gpl_stratosphere_zeek_conn_from_shared_finds_eset_mqtt_and_apple_push() {
    let Some(d) = shared_data() else { return };
    let dir = d.join("stratosphere-zeek-conn");
    let got = detect(Some("zeek_conn"), &files(&dir, ".labeled"));
    assert_eq!(got, expected("real/zeek_conn.expected.jsonl"));
    assert!(got.contains("\"ConnectionCount\":248"));
    assert!(got.contains("\"dest_port\":5223"));
}

#[test]
fn gpl_evtx_sysmon_from_shared_finds_nothing() {
    let Some(d) = shared_data() else { return };
    let f = d.join("evtx-attack-samples-sysmon3/sysmon_eid3_events.jsonl");
    let got = detect(Some("sysmon_network"), &[f.display().to_string()]);
    assert_eq!(got, expected("real/sysmon_evtx.expected.jsonl"));
}

#[test]
fn unclear_licence_otrf_sysmon_from_shared_finds_nothing() {
    let Some(d) = shared_data() else { return };
    let dir = d.join("otrf-security-datasets-sysmon");
    let got = detect(Some("sysmon_network"), &files(&dir, ".json"));
    assert_eq!(got, expected("real/sysmon_otrf.expected.jsonl"));
}

#[test]
fn sysmon_fer_sets_process_name_and_time_from_utctime() {
    let Some(d) = shared_data() else { return };
    let f = d.join("evtx-attack-samples-sysmon3/sysmon_eid3_events.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_sumoq"))
        .current_dir(root())
        .args([
            "run",
            "-q",
            "* | limit 1 | fields process_name, dest_port, _messageTime",
            "--fer",
            "sysmon_network",
            "--format",
            "json",
        ])
        .arg(f)
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"process_name\":\"svchost.exe\",\"dest_port\":\"57182\",\"_messageTime\":1550311305887}\n"
    );
}

#[test]
fn every_shipped_query_and_fer_checks() {
    let mut args = vec!["check".to_string()];
    args.extend(files(&root().join("queries"), ".sumo"));
    args.extend(files(&root().join("queries/fer"), ".sumo"));
    let out = Command::new(env!("CARGO_BIN_EXE_sumoq"))
        .current_dir(root())
        .args(&args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches(": ok").count(), args.len() - 1, "{text}");
}
