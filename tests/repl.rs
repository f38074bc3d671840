//! The REPL driven through a pseudo-terminal, as a user would: the real
//! binary, a fixed window size and TERM, a private history file, home and
//! working folder, so nothing depends on the terminal of whoever runs the
//! tests. Timeouts are generous so the tests pass on a loaded 2-core box.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use rexpect::process::WaitStatus;
use rexpect::session::{spawn_with_options, Options, PtySession};

/// How long any one expected output may take to appear.
const TIMEOUT_MS: u64 = 30_000;
/// For loading a large generated file in a debug build under load.
const SLOW_TIMEOUT_MS: u64 = 240_000;

fn example() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/network.ndjson").to_string()
}

/// A private folder per test, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "sumoq-repl-test-{}-{}-{tag}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts `sumoq repl ARGS` on a 160x40 pty in `dir`, with history in
/// `dir/history`. `strip` removes colour codes from what the test reads.
fn spawn_in(dir: &Path, args: &[&str], timeout_ms: u64, strip: bool) -> PtySession {
    // `stty` sets the window size on the pty before sumoq starts; `exec`
    // keeps one process, so Ctrl-C reaches sumoq itself.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"stty rows 40 cols 160 2>/dev/null; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_sumoq"))
        .arg("repl")
        .args(args)
        .current_dir(dir)
        .env("TERM", "xterm-256color")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("SUMOQ_HISTORY", dir.join("history"))
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("LINES");
    let opts = Options::new()
        .timeout_ms(Some(timeout_ms))
        .strip_ansi_escape_codes(strip);
    spawn_with_options(cmd, opts).expect("spawn sumoq repl in a pty")
}

/// Sends keys without a newline and makes sure they leave.
fn keys(p: &mut PtySession, s: &str) {
    p.send(s).expect("send keys");
    p.flush().expect("flush keys");
}

/// Types a line and presses Enter.
fn enter(p: &mut PtySession, s: &str) {
    keys(p, &format!("{s}\r"));
}

/// Waits for `s` in the output. rexpect hands over each byte as a char, so
/// the needle is spelled the same way (table borders are UTF-8).
fn expect(p: &mut PtySession, s: &str) {
    let bytewise: String = s.bytes().map(char::from).collect();
    if let Err(e) = p.exp_string(&bytewise) {
        panic!("waiting for {s:?}: {e}");
    }
}

/// Waits for a new, empty prompt at the start of a line. The prompt is
/// also redrawn (after a carriage return only) on every keystroke, so a
/// prompt counts as new only after a line feed. Keys typed before it shows
/// may be dropped by the line editor after Ctrl-C, so tests wait for it.
fn prompt(p: &mut PtySession) {
    // Carriage returns and terminal controls may come between the two.
    if let Err(e) = p.exp_regex(r"\n(\r|\x1b\[[0-9;?]*[A-Za-z])*sumoq> ") {
        panic!("waiting for a new prompt: {e}");
    }
}

/// Ctrl-D on an empty line: the REPL must leave with exit status 0.
fn quit_with_ctrl_d(mut p: PtySession) {
    p.send_control('d').expect("send Ctrl-D");
    p.exp_eof().expect("sumoq repl ends after Ctrl-D");
    match p.process().wait() {
        Ok(WaitStatus::Exited(_, code)) => assert_eq!(code, 0, "exit status"),
        other => panic!("unexpected end: {other:?}"),
    }
}

#[test]
fn load_fields_query_and_leave() {
    let dir = TempDir::new("basic");
    let ex = example();
    let mut p = spawn_in(dir.path(), &[&ex], TIMEOUT_MS, true);
    expect(&mut p, "91 records from ");
    expect(&mut p, "network.ndjson, no malformed lines");
    prompt(&mut p);

    enter(&mut p, ":fields");
    expect(&mut p, "91 records, 15 fields");
    // One row per field: its share, its types, its most common values.
    expect(&mut p, "│ _sourceCategory ┆ 100%    ┆ string");
    expect(&mut p, "network (31), cisco/asa (15), pan (14)");
    expect(&mut p, "│ dest_port       ┆ 100%    ┆ int, string");
    expect(&mut p, "8883 (21), 1883 (15), 443 (15)");
    prompt(&mut p);

    enter(
        &mut p,
        "_sourceCategory=firewall | count by dest_port | sort by _count",
    );
    expect(&mut p, "│ dest_port ┆ _count │");
    expect(&mut p, "│ 1883      ┆ 6      │");
    expect(&mut p, "│ 443       ┆ 4      │");
    expect(&mut p, "│ 53        ┆ 1      │");
    prompt(&mut p);

    enter(&mut p, ":data");
    expect(&mut p, "│ total");
    prompt(&mut p);
    quit_with_ctrl_d(p);
}

#[test]
fn multi_line_queries_and_a_typo() {
    let dir = TempDir::new("multiline");
    let ex = example();
    let mut p = spawn_in(dir.path(), &[&ex], TIMEOUT_MS, true);
    prompt(&mut p);

    // A trailing `|` and an open parenthesis go on to the next line.
    enter(&mut p, "_sourceCategory=firewall |");
    enter(&mut p, "  where dest_port in (1883,");
    enter(&mut p, "  8883) | count");
    expect(&mut p, "│ _count │");
    expect(&mut p, "│ 8      │");
    prompt(&mut p);

    // A typo on the second line: the caret is under it, with a suggestion.
    enter(&mut p, "* | count by dest_port |");
    enter(&mut p, "  sortt by _count");
    expect(&mut p, "error: unknown stage `sortt`");
    expect(&mut p, "--> query:2:3");
    expect(&mut p, "2 |   sortt by _count");
    expect(&mut p, "  |   ^^^^^");
    expect(&mut p, "= help: did you mean `sort`?");
    prompt(&mut p);

    // The REPL is still up.
    enter(&mut p, "* | count");
    expect(&mut p, "│ 91     │");
    prompt(&mut p);
    quit_with_ctrl_d(p);
}

#[test]
fn tab_completes_a_field_seen_in_the_data() {
    let dir = TempDir::new("complete");
    let ex = example();
    let mut p = spawn_in(dir.path(), &[&ex], TIMEOUT_MS, true);
    prompt(&mut p);
    // `process_n` completes to `process_name`, a field of the loaded data.
    keys(&mut p, "* | count by process_n\t");
    expect(&mut p, "process_name");
    enter(&mut p, " | sort by _count | limit 1");
    expect(&mut p, "│ process_name ┆ _count │");
    expect(&mut p, "│ java         ┆ 21     │");
    prompt(&mut p);
    quit_with_ctrl_d(p);
}

#[test]
fn highlights_the_query_as_it_is_typed() {
    let dir = TempDir::new("colour");
    let ex = example();
    let mut p = spawn_in(dir.path(), &[&ex], TIMEOUT_MS, false);
    prompt(&mut p);
    keys(&mut p, "* | where dest_port > 1");
    expect(&mut p, "sumoq> ");
    // The stage name in bold magenta, the field in cyan, the number yellow.
    expect(&mut p, "\x1b[1;35mwhere\x1b[0m");
    expect(&mut p, "\x1b[36mdest_port\x1b[0m");
    expect(&mut p, "\x1b[33m1\x1b[0m");
    // Ctrl-C clears the line; the REPL stays.
    p.send_control('c').expect("Ctrl-C");
    prompt(&mut p);
    enter(&mut p, ":time on");
    prompt(&mut p);
    enter(&mut p, "* | count");
    expect(&mut p, "91 of 91 records scanned in");
    quit_with_ctrl_d(p);
}

#[test]
fn ctrl_c_cancels_a_long_query() {
    let dir = TempDir::new("cancel");
    // Two million generated lines: the query below takes seconds over them
    // even in a release build, so Ctrl-C lands while it runs.
    let log = dir.path().join("big.log");
    {
        let f = std::fs::File::create(&log).expect("create big.log");
        let mut w = std::io::BufWriter::new(f);
        for i in 0..2_000_000u32 {
            writeln!(w, "event {i} host{} user{} ok", i % 97, i % 1013).expect("write big.log");
        }
        w.flush().expect("flush big.log");
    }
    let log = log.display().to_string();
    let mut p = spawn_in(dir.path(), &[&log], SLOW_TIMEOUT_MS, true);
    expect(&mut p, "2,000,000 records from ");
    prompt(&mut p);

    enter(
        &mut p,
        "* | eval x = concat(_raw, _raw, _raw, _raw, _raw, _raw, _raw, _raw) | where matches(x, \"(?i).*zzz.*\") | count",
    );
    // The progress line shows once the query has run for a moment: it is
    // running, and the terminal is out of raw mode, so Ctrl-C is a signal.
    expect(&mut p, "query (Ctrl-C cancels)");
    p.send_control('c').expect("Ctrl-C");
    expect(&mut p, "query cancelled after scanning ");
    expect(&mut p, " of 2,000,000 records");
    prompt(&mut p);

    // The REPL goes on, with the data still in memory.
    enter(&mut p, "* | limit 1");
    expect(&mut p, "│ event 0 host0 user0 ok │");
    prompt(&mut p);

    // Ctrl-C on a line being typed clears it and does not run it.
    keys(&mut p, "* | count");
    expect(&mut p, "* | count");
    p.send_control('c').expect("Ctrl-C");
    prompt(&mut p);
    enter(&mut p, "* | limit 1 | fields - _raw | count");
    expect(&mut p, "│ 1      │");
    prompt(&mut p);
    quit_with_ctrl_d(p);
}

#[test]
fn history_survives_a_restart() {
    let dir = TempDir::new("history");
    let ex = example();
    let mut p = spawn_in(dir.path(), &[&ex], TIMEOUT_MS, true);
    prompt(&mut p);
    enter(&mut p, "* | count by protocol");
    expect(&mut p, "│ tcp      ┆ 87     │");
    prompt(&mut p);
    enter(&mut p, ":data");
    expect(&mut p, "│ total");
    prompt(&mut p);
    quit_with_ctrl_d(p);

    let saved = std::fs::read_to_string(dir.path().join("history")).expect("history file");
    assert!(saved.contains("* | count by protocol\n"), "{saved}");

    // The next session: Up twice brings the query back; Enter runs it.
    let mut p = spawn_in(dir.path(), &[&ex], TIMEOUT_MS, true);
    prompt(&mut p);
    keys(&mut p, "\x1b[A\x1b[A");
    expect(&mut p, "* | count by protocol");
    enter(&mut p, "");
    expect(&mut p, "│ tcp      ┆ 87     │");
    prompt(&mut p);
    // Reverse search (Ctrl-R) finds it too.
    p.send_control('r').expect("Ctrl-R");
    keys(&mut p, "by proto");
    expect(&mut p, "* | count by protocol");
    enter(&mut p, "");
    expect(&mut p, "│ udp      ┆ 4      │");
    prompt(&mut p);
    quit_with_ctrl_d(p);
}

#[test]
fn run_explain_and_save_a_saved_query() {
    // In an empty folder, so `:run` finds the query built into the binary.
    let dir = TempDir::new("run");
    let ex = example();
    let mut p = spawn_in(dir.path(), &[&ex], TIMEOUT_MS, true);
    prompt(&mut p);

    enter(&mut p, ":run t1071_005_pubsub");
    expect(&mut p, "running <built-in t1071_005_pubsub>");
    expect(&mut p, "Suspicion");
    expect(&mut p, "203.0.113.99");
    expect(&mut p, "STOMP");
    prompt(&mut p);

    enter(&mut p, ":explain");
    expect(
        &mut p,
        "query (<built-in t1071_005_pubsub>, comment lines left out):",
    );
    expect(&mut p, "filters:");
    expect(
        &mut p,
        "  where dest_port in (1883, 8883, 5222, 5223, 5269, 5672, 5671, 61613, 61614)",
    );
    expect(
        &mut p,
        "fields read from the data: _sourceCategory, dest_port, action",
    );
    prompt(&mut p);

    enter(&mut p, ":save pubsub");
    expect(&mut p, "saved queries/pubsub.sumo");
    prompt(&mut p);
    let saved = std::fs::read_to_string(dir.path().join("queries/pubsub.sumo")).expect("saved");
    assert!(
        saved.contains("| sort by Suspicion, -ConnectionCount"),
        "{saved}"
    );

    // Saving again asks first; "n" keeps the file.
    enter(&mut p, "* | count");
    expect(&mut p, "│ 91     │");
    enter(&mut p, ":save pubsub");
    expect(&mut p, "queries/pubsub.sumo exists; overwrite it? [y/N]");
    enter(&mut p, "n");
    expect(&mut p, "not saved");
    prompt(&mut p);
    let again = std::fs::read_to_string(dir.path().join("queries/pubsub.sumo")).expect("saved");
    assert_eq!(saved, again);

    enter(&mut p, ":run pubsub");
    expect(&mut p, "running queries/pubsub.sumo");
    expect(&mut p, "203.0.113.99");
    prompt(&mut p);
    enter(&mut p, ":quit");
    p.exp_eof().expect("sumoq repl ends after :quit");
    match p.process().wait() {
        Ok(WaitStatus::Exited(_, code)) => assert_eq!(code, 0),
        other => panic!("unexpected end: {other:?}"),
    }
}

/// Runs `sumoq repl ARGS` with `input` on stdin (not a terminal).
fn script(args: &[&str], input: &str) -> (String, String, Option<i32>) {
    let dir = TempDir::new("script");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sumoq"))
        .arg("repl")
        .args(args)
        .current_dir(dir.path())
        .env("SUMOQ_HISTORY", dir.path().join("history"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sumoq repl");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for sumoq repl");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn scripted_without_a_terminal() {
    let ex = example();
    let input = "_sourceCategory=firewall |\n  count by dest_port | sort by _count\n* | wher x > 1\n:set format csv\n* | count\n";
    let (out, err, code) = script(&[&ex], input);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("│ 1883      ┆ 6      │"), "{out}");
    assert!(out.ends_with("_count\n91\n"), "{out}");
    assert!(err.contains("91 records from "), "{err}");
    assert!(err.contains("unknown stage `wher`"), "{err}");
    assert!(err.contains("1 | * | wher x > 1\n  |     ^^^^"), "{err}");
    assert!(!out.contains("error"), "{out}");
}

#[test]
fn bad_options_exit_2_before_loading() {
    let ex = example();
    let (_, err, code) = script(&[&ex, "--param", "novalue"], "");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("--param `novalue` is not of the form NAME=VALUE"),
        "{err}"
    );
    let (_, err, code) = script(&[&ex, "--fer", "no_such_fer"], "");
    assert_eq!(code, Some(2));
    assert!(err.contains("no_such_fer"), "{err}");
}
