//! Hostile input through the real binary: no panic, no lost record, the
//! documented exit code (SPEC §8).

use std::io::{Read, Write};
use std::process::{Command, Stdio};

fn sumoq(args: &[&str], stdin: &[u8]) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sumoq"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut si = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = si.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn count(stdin: &[u8]) -> (String, String, i32) {
    sumoq(&["run", "-q", "* | count", "--format", "json"], stdin)
}

/// A deterministic pseudo-random byte stream (xorshift), so failures repeat.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn non_blank_lines(b: &[u8]) -> usize {
    b.split(|c| *c == b'\n')
        .filter(|l| {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            !String::from_utf8_lossy(l).trim().is_empty()
        })
        .count()
}

#[test]
fn random_bytes_never_panic_and_count_every_line() {
    for seed in 1..=20u64 {
        let mut data = noise(20_000, seed);
        // Keep the stream from looking like gzip, a JSON array or Zeek, so
        // every non-blank line is a record.
        data.insert(0, b'x');
        let (out, err, code) = count(&data);
        assert_eq!(code, 0, "seed {seed}: {err}");
        assert!(!err.contains("panicked"), "seed {seed}: {err}");
        let want = non_blank_lines(&data);
        assert_eq!(out.trim(), format!("{{\"_count\":{want}}}"), "seed {seed}");
    }
}

#[test]
fn deeply_nested_json_is_one_malformed_line_and_the_next_counts() {
    let mut data = "[".repeat(200_000).into_bytes();
    data.insert(0, b'{');
    data.extend_from_slice(b"\n{\"a\":1}\n");
    let (out, err, code) = sumoq(&["run", "-q", "* | count", "--format", "json"], &data);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "{\"_count\":2}");
    assert!(err.contains("<stdin>:1"), "{err}");
}

#[test]
fn unterminated_json_keeps_valid_records() {
    let data = b"{\"a\":1}\n{\"a\":2}\n{\"a\": \"unterminated";
    let (out, err, code) = sumoq(&["run", "-q", "* | count by a", "--format", "json"], data);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "{\"a\":1,\"_count\":1}\n{\"a\":2,\"_count\":1}\n{\"a\":null,\"_count\":1}\n"
    );
}

#[test]
fn invalid_utf8_is_read_lossily_and_warned() {
    let data = b"{\"a\":\"ok\"}\n{\"a\":\"caf\xe9\"}\nplain \xff\xfe text\n";
    let (out, err, code) = sumoq(&["run", "-q", "* | count", "--format", "json"], data);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "{\"_count\":3}");
    assert!(err.contains("invalid UTF-8"), "{err}");
    assert!(err.contains("<stdin>:2"), "{err}");
}

#[test]
fn closed_pipe_ends_quietly() {
    let mut data = Vec::new();
    for i in 0..200_000 {
        data.extend_from_slice(format!("{{\"i\":{i}}}\n").as_bytes());
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_sumoq"))
        .args(["run", "-q", "*", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut si = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = si.write_all(&data);
    });
    let mut so = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    let _ = so.read(&mut first);
    drop(so);
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let status = child.wait().expect("wait");
    let _ = writer.join();
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.is_empty(), "closed pipe should be quiet: {err}");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn missing_file_is_named_and_others_run() {
    let dir = std::env::temp_dir().join(format!("sumoq-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let good = dir.join("good.ndjson");
    std::fs::write(&good, "{\"a\":1}\n").expect("write");
    let good = good.display().to_string();
    let (out, err, code) = sumoq(
        &[
            "run",
            "-q",
            "* | count",
            "--format",
            "json",
            "/nonexistent/x.log",
            &good,
        ],
        b"",
    );
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/x.log"), "{err}");
    assert_eq!(out.trim(), "{\"_count\":1}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn directory_as_input_is_an_error_not_a_panic() {
    let (_, err, code) = sumoq(&["run", "-q", "* | count", "--format", "json", "/"], b"");
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn hostile_queries_never_panic() {
    let queries = [
        "",
        "|",
        "* |",
        "\"",
        "/*",
        "((((",
        "* | where",
        "* | sort by",
        "* | count by",
        "* | where matches(x, \"(\")",
        "* | where x matches /[/",
        "* | eval = 1",
        "* | limit 99999999999999999999999",
        "* | where 1 / 0 > 0",
        "* | eval x = -9223372036854775808 - 1",
        "* | where x in ()",
        "* | fields",
        "%\"",
        "* | top x",
        "* | pct(x, 200)",
        "\u{1b}[2J \u{7f}",
    ];
    for q in queries {
        let (_, err, code) = sumoq(&["run", "-q", q, "--format", "json"], b"{\"x\":1}\n");
        assert!(!err.contains("panicked"), "{q:?}: {err}");
        assert!(code == 0 || code == 2, "{q:?}: exit {code}: {err}");
    }
}

#[test]
fn closed_pipe_is_quiet_for_csv_and_table_too() {
    let mut data = Vec::new();
    for i in 0..50_000 {
        data.extend_from_slice(format!("{{\"i\":{i}}}\n").as_bytes());
    }
    for format in ["csv", "table"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sumoq"))
            .args(["run", "-q", "*", "--format", format])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut si = child.stdin.take().expect("stdin");
        let input = data.clone();
        let writer = std::thread::spawn(move || {
            let _ = si.write_all(&input);
        });
        // Close our end of stdout at once: every write sumoq makes fails.
        drop(child.stdout.take());
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let status = child.wait().expect("wait");
        let _ = writer.join();
        assert!(
            err.is_empty(),
            "{format}: closed pipe should be quiet: {err}"
        );
        assert_eq!(status.code(), Some(0), "{format}");
    }
}
