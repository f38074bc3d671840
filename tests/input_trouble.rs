//! Input trouble through the real binary (issue: hardening): inputs that
//! vanish, are cut short, are directories, unreadable, FIFOs, stdin closed
//! early, endless streams; and the memory budget. Each ends with a clear
//! message and the documented exit code (0 done, 1 an input could not be
//! read or the run went over --max-memory), never a panic.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sumoq"))
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sumoq-trouble-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs to the end with no stdin.
fn run(args: &[&str]) -> (String, String, i32) {
    let out = bin()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run sumoq");
    (
        text(&out.stdout),
        text(&out.stderr),
        out.status.code().unwrap_or(-1),
    )
}

/// Starts sumoq with `args`, its output piped.
fn spawn(args: &[&str]) -> Child {
    bin()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sumoq")
}

/// Waits for a child at most `limit`, killing it after that.
fn wait_at_most(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    child.wait_with_output().expect("wait")
}

fn lines(n: usize) -> String {
    (0..n).map(|i| format!("{{\"k\":{i}}}\n")).collect()
}

fn mkfifo(p: &PathBuf) -> bool {
    Command::new("mkfifo")
        .arg(p)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn file_deleted_while_read_is_read_whole_or_named() {
    let d = scratch("vanish");
    let f = d.join("big.ndjson");
    std::fs::write(&f, lines(300_000)).expect("write");
    let child = spawn(&[
        "run",
        "-q",
        "* | count",
        "--format",
        "json",
        &f.display().to_string(),
    ]);
    let _ = std::fs::remove_file(&f);
    let out = wait_at_most(child, Duration::from_secs(60));
    let (o, e) = (text(&out.stdout), text(&out.stderr));
    assert!(!e.contains("panicked"), "{e}");
    // Unix keeps an open file's data after it is removed: either sumoq
    // opened it first and counts every line, or it names the missing file.
    match out.status.code() {
        Some(0) => assert_eq!(o.trim(), "{\"_count\":300000}"),
        Some(1) => assert!(
            e.contains("big.ndjson") && e.contains("No such file"),
            "{e}"
        ),
        c => panic!("exit {c:?}: {e}"),
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// Runs `query` over a FIFO that a thread fills with `data` in pieces of
/// `piece` bytes, then closes; `None` where FIFOs cannot be made.
fn run_over_fifo(
    name: &str,
    query: &str,
    data: Vec<u8>,
    piece: usize,
) -> Option<(String, String, i32)> {
    let d = scratch(name);
    let fifo = d.join(format!("{name}.fifo"));
    if !mkfifo(&fifo) {
        eprintln!("skipped: mkfifo is not available");
        return None;
    }
    let p = fifo.clone();
    let writer = std::thread::spawn(move || {
        if let Ok(mut w) = std::fs::OpenOptions::new().write(true).open(&p) {
            for chunk in data.chunks(piece) {
                let _ = w.write_all(chunk);
            }
        }
    });
    let out = run(&[
        "run",
        "-q",
        query,
        "--format",
        "json",
        &fifo.display().to_string(),
    ]);
    let _ = writer.join();
    let _ = std::fs::remove_dir_all(&d);
    Some(out)
}

#[test]
fn input_cut_mid_line_keeps_the_whole_lines_and_warns_once() {
    // A writer that dies mid-record: the partial line is a malformed JSON
    // line, kept as text (SPEC §2); every whole line counts.
    let mut data = lines(1000).into_bytes();
    data.extend_from_slice(b"{\"k\": 10");
    let Some((o, e, code)) = run_over_fifo("cut", "* | count", data, 65536) else {
        return;
    };
    assert_eq!(code, 0, "{e}");
    assert_eq!(o.trim(), "{\"_count\":1001}");
    assert!(
        e.contains("cut.fifo:1001") && e.contains("malformed"),
        "{e}"
    );
}

#[test]
fn fifo_is_read_as_a_stream() {
    let data = lines(50_000).into_bytes();
    let q = "* | where k >= 49990 | count";
    let Some((o, e, code)) = run_over_fifo("stream", q, data, 4093) else {
        return;
    };
    assert_eq!(code, 0, "{e}");
    assert_eq!(o.trim(), "{\"_count\":10}");
}

#[test]
fn directory_is_named_and_the_other_inputs_run() {
    let d = scratch("dir");
    let f = d.join("a.ndjson");
    std::fs::write(&f, "{\"a\":1}\n").expect("write");
    let (o, e, code) = run(&[
        "run",
        "-q",
        "* | count",
        "--format",
        "json",
        &d.display().to_string(),
        &f.display().to_string(),
    ]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("is a directory"), "{e}");
    assert_eq!(o.trim(), "{\"_count\":1}");
    let _ = std::fs::remove_dir_all(&d);
}

/// True when this process runs as root (who may read a mode-000 file).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0")
}

#[test]
fn permission_denied_is_named_and_the_other_inputs_run() {
    let d = scratch("perm");
    let locked = d.join("locked.ndjson");
    let open = d.join("open.ndjson");
    std::fs::write(&locked, "{\"a\":1}\n").expect("write");
    std::fs::write(&open, "{\"a\":2}\n").expect("write");
    let args = [
        "run".to_string(),
        "-q".into(),
        "* | count".into(),
        "--format".into(),
        "json".into(),
        locked.display().to_string(),
        open.display().to_string(),
    ];
    let out = if is_root() {
        // Root reads any file; run the binary as `nobody` to be denied.
        let setpriv = Command::new("setpriv").arg("--version").output();
        if setpriv.is_err() {
            eprintln!("skipped: running as root without setpriv");
            return;
        }
        for p in [&d, &locked, &open] {
            let _ = Command::new("chmod").arg("a+rx").arg(p).status();
        }
        let _ = Command::new("chmod").arg("000").arg(&locked).status();
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_sumoq"))
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .expect("setpriv")
    } else {
        let _ = Command::new("chmod").arg("000").arg(&locked).status();
        bin()
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .expect("run")
    };
    let (o, e) = (text(&out.stdout), text(&out.stderr));
    if e.contains("Permission denied") && e.contains("sumoq") && !e.contains("locked") {
        // setpriv could not run the binary itself (its folder is closed
        // to `nobody`): nothing to test here.
        eprintln!("skipped: {e}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        e.contains("locked.ndjson") && e.contains("Permission denied"),
        "{e}"
    );
    assert_eq!(o.trim(), "{\"_count\":1}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn stdin_closed_early_counts_what_arrived() {
    let mut child = bin()
        .args(["run", "-q", "* | count", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut si) = child.stdin.take() {
        let _ = si.write_all(lines(777).as_bytes());
        let _ = si.write_all(b"{\"k\":");
        // Dropping stdin here closes it mid-line.
    }
    let out = child.wait_with_output().expect("wait");
    let (o, e) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{e}");
    assert_eq!(o.trim(), "{\"_count\":778}");
    assert!(e.contains("<stdin>:778"), "{e}");
}

#[test]
fn stdin_closed_at_once_is_zero_records() {
    let (o, e, code) = run(&["run", "-q", "* | count", "--format", "json"]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(o.trim(), "{\"_count\":0}");
}

#[test]
fn urandom_with_limit_bytes_ends_with_a_warning() {
    if !std::path::Path::new("/dev/urandom").exists() {
        eprintln!("skipped: no /dev/urandom");
        return;
    }
    let child = spawn(&[
        "run",
        "-q",
        "* | count",
        "--format",
        "json",
        "--limit-bytes",
        "4M",
        "/dev/urandom",
    ]);
    let out = wait_at_most(child, Duration::from_secs(60));
    let (o, e) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{e}");
    assert!(!e.contains("panicked"), "{e}");
    assert!(
        e.contains("/dev/urandom: input cut: read only the first 4194304 bytes (--limit-bytes)"),
        "{e}"
    );
    // About 16,000 lines in 4 MiB of random bytes (one `\n` in 256).
    let n: u64 = o
        .trim()
        .strip_prefix("{\"_count\":")
        .and_then(|s| s.strip_suffix('}'))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    assert!((10_000..25_000).contains(&n), "{o}");
}

#[test]
fn urandom_ends_on_interrupt() {
    if !std::path::Path::new("/dev/urandom").exists() {
        eprintln!("skipped: no /dev/urandom");
        return;
    }
    let child = spawn(&["run", "-q", "* | count", "--format", "json", "/dev/urandom"]);
    std::thread::sleep(Duration::from_millis(1500));
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let start = Instant::now();
    let out = wait_at_most(child, Duration::from_secs(30));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "Ctrl-C did not end the run"
    );
    let e = text(&out.stderr);
    assert!(!e.contains("panicked"), "{e}");
}

#[test]
fn endless_line_stops_at_the_memory_budget() {
    if !std::path::Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero");
        return;
    }
    for threads in ["1", "2"] {
        let child = bin()
            .args([
                "run",
                "-q",
                "* | count",
                "--format",
                "json",
                "--max-memory",
                "200M",
                "--threads",
                threads,
                "/dev/zero",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let out = wait_at_most(child, Duration::from_secs(60));
        let e = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{e}");
        assert!(
            e.contains(
                "/dev/zero: line 1 is longer than the memory budget allows (--max-memory 200 MiB)"
            ),
            "{e}"
        );
    }
}

/// `{"k":0}` .. `{"k":n-1}`, every key distinct, as a file.
fn distinct_keys(d: &std::path::Path, n: usize) -> PathBuf {
    let f = d.join("keys.ndjson");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&f).expect("create"));
    for i in 0..n {
        let _ = writeln!(w, "{{\"k\":\"key-{i:08}\",\"v\":{i}}}");
    }
    drop(w);
    f
}

#[test]
fn group_by_and_sort_over_millions_stop_at_the_budget() {
    let d = scratch("budget");
    let f = distinct_keys(&d, 2_000_000).display().to_string();
    for q in ["* | count by k", "* | sort by v | limit 1"] {
        let (o, e, code) = run(&[
            "run",
            "-q",
            q,
            "--format",
            "json",
            "--max-memory",
            "64M",
            &f,
        ]);
        assert_eq!(code, 1, "{q}: {e}");
        assert!(o.is_empty(), "{q}: a partial result was printed: {o}");
        assert!(
            e.contains("sumoq: error: memory budget exceeded")
                && e.contains("--max-memory is 64 MiB"),
            "{q}: {e}"
        );
    }
    // The same runs fit a larger budget.
    let (o, e, code) = run(&[
        "run",
        "-q",
        "* | count by k | count",
        "--format",
        "json",
        "--max-memory",
        "4G",
        &f,
    ]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(o.trim(), "{\"_count\":2000000}");
    let _ = std::fs::remove_dir_all(&d);
}
