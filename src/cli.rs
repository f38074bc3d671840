//! The command line: `sumoq run`, `sumoq check`, `sumoq repl`. Exit codes
//! (SPEC §8): 0 done; 1 an input could not be read, or data warnings under
//! `--strict`; 2 a query error or bad usage, before any input is read.

use std::io::IsTerminal;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diag::Diagnostics;
use crate::engine::{self, Source, BUILTIN_FERS, BUILTIN_QUERIES};
use crate::exec::Fer;
use crate::input::InputOptions;
use crate::output::{self, Format};
use crate::parallel::RunOptions;
use crate::stages::external::SourceFiles;
use crate::value::Value;

const EXAMPLES: &str = "\
Examples:
  sumoq run t1071_005_pubsub examples/network.ndjson
  sumoq run -q '_sourceCategory=firewall | count by dest_port | sort by _count' logs.json
  sumoq run t1071_005_pubsub conn.log --fer zeek_conn --set _sourceCategory=network
  zcat eve.json.gz | sumoq run -q 'event_type=alert | count by alert.signature' --format csv
  sumoq check queries/*.sumo
  sumoq repl examples/network.ndjson

A saved query or FER may be named instead of given by path: sumoq looks in
./queries (./queries/fer for FERs), then among the queries built into sumoq.

Exit status: 0 done; 1 an input could not be read, the run went over
--max-memory (or data warnings with --strict); 2 a query error, reported
before any input is read.";

/// Run Sumo Logic queries offline over log files.
#[derive(Parser, Debug)]
#[command(name = "sumoq", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run a query over log files (or stdin) and print the result.
    Run(RunArgs),
    /// Parse and plan queries without reading any input.
    Check(CheckArgs),
    /// Explore log files interactively.
    Repl(ReplArgs),
}

/// Options shared by `run` and `repl` for reading input.
#[derive(Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// A field extraction rule applied to every record before the query
    /// (a path, or a name under ./queries/fer or built in). Repeatable.
    #[arg(long = "fer", value_name = "FILE")]
    pub fer: Vec<String>,
    /// Set a metadata field for records that lack it, e.g.
    /// `--set _sourceCategory=firewall`. Repeatable.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// A field to derive `_messageTime` from (replaces the default list
    /// @timestamp, timestamp, time, ts, _time, UtcTime, eventTime). Repeatable.
    #[arg(long = "time-field", value_name = "NAME")]
    pub time_field: Vec<String>,
    /// Fill a `{{NAME}}` template parameter. Repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub param: Vec<String>,
    /// A local CSV file for a lookup table Sumo hosts, e.g.
    /// `--lookup geo://location=geo.csv` or
    /// `--lookup '/Library/Users/me/Bad IPs=bad_ips.csv'`. Repeatable.
    #[arg(long = "lookup", value_name = "TABLE=FILE")]
    pub lookup: Vec<String>,
    /// Stop, with a message, a run that holds more memory than this (the
    /// groups of an aggregate, rows held for `sort`, the REPL's data):
    /// e.g. 512M, 4G; `none` for no budget. Default: half the machine's
    /// memory.
    #[arg(long = "max-memory", value_name = "SIZE", value_parser = crate::memory::parse_size)]
    pub max_memory: Option<usize>,
    /// Read at most this many bytes of each input (e.g. 100M), then stop
    /// reading it with a warning: to sample a huge file or an endless
    /// stream. Compressed inputs count their compressed bytes.
    #[arg(long = "limit-bytes", value_name = "SIZE", value_parser = crate::memory::parse_size)]
    pub limit_bytes: Option<usize>,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// The query text (then every positional argument is a log file).
    #[arg(short = 'q', long = "query", value_name = "TEXT")]
    query: Option<String>,
    /// QUERY_FILE (a path or a saved query's name) unless -q is given,
    /// then log files; `-` or nothing reads stdin.
    #[arg(value_name = "QUERY_FILE|LOG")]
    args: Vec<String>,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Exit 1 when any data warning was given.
    #[arg(long)]
    strict: bool,
    /// Worker threads (default: every core). The output is the same at
    /// any count.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Query files or saved query names.
    #[arg(required = true, value_name = "QUERY_FILE")]
    files: Vec<String>,
    /// Check the files as field extraction rules.
    #[arg(long)]
    fer: bool,
    /// Fill a `{{NAME}}` template parameter. Repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    param: Vec<String>,
}

#[derive(Args, Debug)]
struct ReplArgs {
    /// Log files to load.
    #[arg(value_name = "LOG")]
    logs: Vec<String>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Table,
    Json,
    Csv,
}

/// Splits `NAME=VALUE`.
fn pair(s: &str, what: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("{what} `{s}` is not of the form NAME=VALUE")),
    }
}

impl InputArgs {
    /// The template parameters.
    pub fn params(&self) -> Result<Vec<(String, String)>, String> {
        self.param.iter().map(|p| pair(p, "--param")).collect()
    }

    /// Reader options from the flags.
    pub fn input_options(&self) -> Result<InputOptions, String> {
        let mut opts = InputOptions::default();
        if !self.time_field.is_empty() {
            opts.time_fields = self.time_field.clone();
        }
        for s in &self.set {
            let (k, v) = pair(s, "--set")?;
            opts.set.push((Arc::from(k.as_str()), Value::from(v)));
        }
        opts.limit_bytes = self
            .limit_bytes
            .filter(|n| *n != usize::MAX)
            .map(|n| n as u64);
        Ok(opts)
    }

    /// Sets the memory budget for this run (see [`crate::memory`]).
    pub fn apply_memory_budget(&self) {
        let limit = self.max_memory.unwrap_or_else(crate::memory::default_limit);
        crate::memory::set_limit(limit);
    }

    /// The local files given for hosted lookup tables. The table name may
    /// hold `=`, so the file is what follows the last one.
    pub fn source_files(&self) -> Result<SourceFiles, String> {
        let mut map = Vec::new();
        for l in &self.lookup {
            match l.rsplit_once('=') {
                Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                    map.push((k.trim().to_string(), std::path::PathBuf::from(v.trim())))
                }
                _ => return Err(format!("--lookup `{l}` is not of the form TABLE=FILE")),
            }
        }
        Ok(SourceFiles::new(map))
    }

    /// Loads and plans the FERs; a failure is rendered for the user.
    pub fn fers(&self, params: &[(String, String)]) -> Result<Vec<Fer>, String> {
        self.fer
            .iter()
            .map(|f| {
                let src = engine::find_saved(f, "queries/fer", BUILTIN_FERS)?;
                engine::compile_fer(&src, params).map_err(|e| e.render())
            })
            .collect()
    }
}

/// The stack the command runs on: planning and evaluating a query recurse
/// once per level of its expressions, which the parser bounds
/// ([`crate::parser::MAX_OPERATORS`]); this leaves room to spare. Only the
/// pages used are ever touched.
const MAIN_STACK: usize = 256 << 20;

/// Parses the command line and runs it on a thread with a large stack;
/// returns the exit code.
pub fn main() -> i32 {
    let run = std::thread::Builder::new()
        .name("sumoq".into())
        .stack_size(MAIN_STACK)
        .spawn(main_here);
    match run.map(|t| t.join()) {
        Ok(Ok(code)) => code,
        // A panic was printed by the hook already; say it is a bug.
        Ok(Err(_)) => {
            eprintln!("sumoq: internal error (a bug: please report it with the query and input)");
            101
        }
        // No thread for the large stack: run here.
        Err(_) => main_here(),
    }
}

/// [`main`] on the current thread.
fn main_here() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.cmd {
        Cmd::Run(a) => run(a),
        Cmd::Check(a) => check(a),
        Cmd::Repl(a) => {
            a.input.apply_memory_budget();
            crate::repl::main(&a.logs, &a.input)
        }
    }
}

fn fail(msg: &str) -> i32 {
    eprintln!("sumoq: {msg}");
    2
}

fn run(a: RunArgs) -> i32 {
    let (source, logs) = match a.query {
        Some(q) => (
            Source {
                origin: "query".into(),
                text: q,
            },
            a.args.clone(),
        ),
        None => match a.args.split_first() {
            Some((q, logs)) => match engine::find_saved(q, "queries", BUILTIN_QUERIES) {
                Ok(s) => (s, logs.to_vec()),
                Err(e) => return fail(&e),
            },
            None => return fail("no query given: name a query file or use -q TEXT (see --help)"),
        },
    };
    let params = match a.input.params() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let plan = match engine::compile(&source, &params) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e.render());
            return 2;
        }
    };
    let fers = match a.input.fers(&params) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let opts = match a.input.input_options() {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    a.input.apply_memory_budget();
    let tty = std::io::stdout().is_terminal();
    let format = match a.format {
        Some(FormatArg::Table) => Format::Table,
        Some(FormatArg::Json) => Format::Json,
        Some(FormatArg::Csv) => Format::Csv,
        None if tty => Format::Table,
        None => Format::Json,
    };
    let width = if tty {
        comfy_table::Table::new().width()
    } else {
        None
    };
    let mut diag = Diagnostics::printing();
    // Lookup tables are read before any input (SPEC §8): a hosted table
    // without a local file, or an unreadable one, stops the run here.
    let files = match a.input.source_files() {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    if let Err((e, in_fer)) = engine::prepare_externals(&plan, &fers, &files, &mut diag) {
        if in_fer {
            eprintln!("error: {} (in a field extraction rule)", e.message);
            if let Some(h) = &e.hint {
                eprintln!("  = help: {h}");
            }
        } else {
            let text = crate::plan::substitute_params(&source.text, &params)
                .unwrap_or_else(|_| source.text.clone());
            eprintln!("{}", e.render(&text, &source.origin));
        }
        return 2;
    }
    let mut sink = output::sink_for(format, Box::new(std::io::stdout()), width);
    let run = RunOptions {
        threads: a
            .threads
            .map_or_else(crate::parallel::default_threads, usize::from),
        // A progress line only where someone watches it.
        progress: std::io::stderr().is_terminal(),
        ..RunOptions::default()
    };
    let mut watch = crate::hints::Watch::new(sink.as_mut());
    let summary = engine::run_paths_with(&plan, &fers, &logs, &opts, &run, &mut watch, &mut diag);
    let looks_empty = watch.looks_empty();
    if let Some(e) = summary.exceeded {
        // What a table or CSV holds back is incomplete: not printed.
        eprintln!("sumoq: error: {e}");
        return 1;
    }
    if let Err(e) = sink.close() {
        if !output::is_broken_pipe(&e) {
            eprintln!("sumoq: writing output: {e}");
            return 1;
        }
    }
    // An empty table prints nothing on stdout; say so where a person looks.
    if format == Format::Table && sink.rows() == 0 {
        eprintln!("sumoq: no rows");
    }
    if looks_empty && summary.exceeded.is_none() {
        for note in crate::hints::missing_fields(&plan, &fers, &logs, &opts) {
            eprintln!("sumoq: note: {note}");
        }
    }
    for line in diag.summary() {
        eprintln!("{line}");
    }
    if summary.failed_inputs > 0 || (a.strict && diag.total() > 0) {
        1
    } else {
        0
    }
}

fn check(a: CheckArgs) -> i32 {
    let params: Vec<(String, String)> = match a.param.iter().map(|p| pair(p, "--param")).collect() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let mut code = 0;
    for f in &a.files {
        let (dir, builtins) = if a.fer || f.contains("/fer/") {
            ("queries/fer", BUILTIN_FERS)
        } else {
            ("queries", BUILTIN_QUERIES)
        };
        let src = match engine::find_saved(f, dir, builtins) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("sumoq: {e}");
                code = 2;
                continue;
            }
        };
        let res = if dir == "queries/fer" {
            engine::compile_fer(&src, &params).map(|_| ())
        } else {
            engine::compile(&src, &params).map(|_| ())
        };
        match res {
            Ok(()) => println!("{}: ok", src.origin),
            Err(e) => {
                eprintln!("{}", e.render());
                code = 2;
            }
        }
    }
    code
}
