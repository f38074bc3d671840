//! The golden corpus: every `tests/golden/**/*.case` file is one run of the
//! real `sumoq` binary with a query, inputs and the exact expected output.
//!
//! A case file is made of sections, each starting with a `=== NAME` line:
//!
//! - `=== query`: the query text (given with `-q`).
//! - `=== args`: extra arguments, split on white space; `$ROOT` is the
//!   project folder, `$DIR` the case's scratch folder. Without `--format`,
//!   `--format json` is added.
//! - `=== input NAME`: a file written to the scratch folder and passed as an
//!   input, in order (`=== input` alone names it `input.log`).
//! - `=== generate input NAME`: like `input`, but the body says how to make
//!   the file, for inputs too large to keep in a case (a 50 MB line): each
//!   line is a JSON string, or `N * "string"` for N copies of it; the
//!   pieces are joined without separators.
//! - `=== generate file NAME`: the same, written to the scratch folder but
//!   not passed as an input (a query file too long for an argument).
//! - `=== stdin`: text given on standard input.
//! - `=== stdout`: the exact expected standard output.
//! - `=== stderr`: the exact expected standard error (`$DIR` stands for the
//!   scratch folder); when absent, standard error is not checked.
//! - `=== exit`: the expected exit code (default 0).
//!
//! Lines before the first section are a description. `UPDATE_GOLDEN=1`
//! rewrites the stdout/stderr/exit sections from the actual run (review the
//! diff before committing); `GOLDEN_FILTER=TEXT` keeps only the cases whose
//! path holds TEXT.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Case {
    path: PathBuf,
    preamble: String,
    sections: Vec<(String, String)>,
}

fn parse_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut preamble = String::new();
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("=== ") {
            sections.push((name.trim().to_string(), String::new()));
        } else if let Some((_, body)) = sections.last_mut() {
            body.push_str(line);
        } else {
            preamble.push_str(line);
        }
    }
    Case {
        path: path.to_path_buf(),
        preamble,
        sections,
    }
}

fn section<'a>(c: &'a Case, name: &str) -> Option<&'a str> {
    c.sections
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b.as_str())
}

fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            cases(&p, out);
        } else if p.extension().is_some_and(|e| e == "case") {
            out.push(p);
        }
    }
}

struct Outcome {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run_case(c: &Case, root: &Path) -> Outcome {
    let scratch = tempdir(&c.path);
    let mut inputs = Vec::new();
    for (name, body) in &c.sections {
        if let Some(rest) = name.strip_prefix("input") {
            let file = rest.trim();
            let file = if file.is_empty() { "input.log" } else { file };
            let p = scratch.join(file);
            std::fs::write(&p, body).expect("write input");
            inputs.push(p.display().to_string());
        } else if let Some(rest) = name.strip_prefix("generate ") {
            let (kind, file) = rest.split_once(' ').unwrap_or((rest, "input.log"));
            let p = scratch.join(file.trim());
            std::fs::write(&p, generate(body, &c.path)).expect("write generated file");
            if kind == "input" {
                inputs.push(p.display().to_string());
            }
        }
    }
    let subst = |s: &str| {
        s.replace("$ROOT", &root.display().to_string())
            .replace("$DIR", &scratch.display().to_string())
    };
    let mut args: Vec<String> = match section(c, "args") {
        Some(a) => a.split_whitespace().map(subst).collect(),
        None => vec!["run".into()],
    };
    if let Some(q) = section(c, "query") {
        args.push("-q".into());
        args.push(q.trim_end_matches('\n').to_string());
    }
    if args.first().is_some_and(|a| a == "run") && !args.iter().any(|a| a == "--format") {
        args.push("--format".into());
        args.push("json".into());
    }
    args.extend(inputs);
    let mut child = Command::new(env!("CARGO_BIN_EXE_sumoq"))
        .args(&args)
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sumoq");
    let stdin_text = section(c, "stdin").unwrap_or("").to_string();
    if let Some(mut si) = child.stdin.take() {
        // A run that stops early may close stdin; that is fine here.
        let _ = si.write_all(stdin_text.as_bytes());
    }
    let out = child.wait_with_output().expect("wait for sumoq");
    let dir = scratch.display().to_string();
    let root_text = root.display().to_string();
    let clean = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .replace(&dir, "$DIR")
            .replace(&root_text, "$ROOT")
    };
    let o = Outcome {
        stdout: clean(&out.stdout),
        stderr: clean(&out.stderr),
        code: out.status.code().unwrap_or(-1),
    };
    let _ = std::fs::remove_dir_all(&scratch);
    o
}

/// The bytes a `generate` section describes: per line a JSON string, or
/// `N * "string"`.
fn generate(body: &str, case: &Path) -> Vec<u8> {
    let mut out = String::new();
    for line in body.lines().filter(|l| !l.trim().is_empty()) {
        let (n, text) = match line.split_once(" * ") {
            Some((n, text)) if n.trim().parse::<usize>().is_ok() => {
                (n.trim().parse::<usize>().unwrap_or(1), text)
            }
            _ => (1, line),
        };
        let piece: String = serde_json::from_str(text.trim())
            .unwrap_or_else(|e| panic!("{}: bad generate line {line:?}: {e}", case.display()));
        out.push_str(&piece.repeat(n));
    }
    out.into_bytes()
}

fn tempdir(case: &Path) -> PathBuf {
    let stem = case
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let p = std::env::temp_dir().join(format!("sumoq-golden-{}-{}", std::process::id(), stem));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).expect("scratch dir");
    p
}

fn bless(c: &Case, o: &Outcome) {
    let mut text = c.preamble.clone();
    let mut wrote: BTreeMap<&str, bool> = BTreeMap::new();
    for (name, body) in &c.sections {
        let replaced = match name.as_str() {
            "stdout" => Some(o.stdout.clone()),
            "stderr" => Some(o.stderr.clone()),
            "exit" => Some(format!("{}\n", o.code)),
            _ => None,
        };
        text.push_str(&format!("=== {name}\n"));
        match replaced {
            Some(r) => {
                wrote.insert(
                    match name.as_str() {
                        "stdout" => "stdout",
                        "stderr" => "stderr",
                        _ => "exit",
                    },
                    true,
                );
                text.push_str(&r);
            }
            None => text.push_str(body),
        }
    }
    if !wrote.contains_key("stdout") {
        text.push_str(&format!("=== stdout\n{}", o.stdout));
    }
    if !wrote.contains_key("exit") && o.code != 0 {
        text.push_str(&format!("=== exit\n{}\n", o.code));
    }
    std::fs::write(&c.path, text).expect("bless");
}

#[test]
fn golden_cases() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    cases(&root.join("tests/golden"), &mut paths);
    assert!(!paths.is_empty(), "no golden cases found");
    // `GOLDEN_FILTER=limits/` runs (or blesses) only the cases whose path
    // holds the text.
    if let Some(f) = std::env::var_os("GOLDEN_FILTER") {
        let f = f.to_string_lossy().into_owned();
        paths.retain(|p| p.display().to_string().contains(&f));
    }
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for p in &paths {
        let c = parse_case(p);
        let o = run_case(&c, &root);
        if update {
            bless(&c, &o);
            continue;
        }
        let name = p.strip_prefix(&root).unwrap_or(p).display().to_string();
        let want_exit: i32 = section(&c, "exit")
            .map(|s| s.trim().parse().expect("exit code"))
            .unwrap_or(0);
        let mut problems = Vec::new();
        if o.code != want_exit {
            problems.push(format!("exit {} (want {want_exit})", o.code));
        }
        if let Some(want) = section(&c, "stdout") {
            if o.stdout != want {
                problems.push(format!(
                    "stdout differs:\n--- want\n{want}--- got\n{}",
                    o.stdout
                ));
            }
        }
        if let Some(want) = section(&c, "stderr") {
            if o.stderr != want {
                problems.push(format!(
                    "stderr differs:\n--- want\n{want}--- got\n{}",
                    o.stderr
                ));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}", problems.join("\n")));
        }
    }
    println!("{} golden cases run", paths.len());
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed:\n\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
}
