//! The one entry point the CLI and the REPL share: find a query, plan it,
//! plan the FERs, and run them over inputs.

use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::Ordering;

use crate::diag::{Diagnostics, Warning};
use crate::error::QueryError;
use crate::exec::{apply_fers, Fer, Pipeline, Sink};
use crate::input::{self, Flow, InputOptions};
use crate::parallel::{RunOptions, Runner};
use crate::plan::{self, Plan};
use crate::stages::external::SourceFiles;
use crate::stages::StagePlan;

/// The saved queries built into the binary, so an installed `sumoq` has
/// them anywhere: (name, text).
pub const BUILTIN_QUERIES: &[(&str, &str)] = &[(
    "t1071_005_pubsub",
    include_str!("../queries/t1071_005_pubsub.sumo"),
)];

/// The field extraction rules built into the binary: (name, text).
pub const BUILTIN_FERS: &[(&str, &str)] = &[
    ("zeek_conn", include_str!("../queries/fer/zeek_conn.sumo")),
    (
        "suricata_eve",
        include_str!("../queries/fer/suricata_eve.sumo"),
    ),
    (
        "sysmon_network",
        include_str!("../queries/fer/sysmon_network.sumo"),
    ),
    ("cisco_asa", include_str!("../queries/fer/cisco_asa.sumo")),
    (
        "panos_traffic",
        include_str!("../queries/fer/panos_traffic.sumo"),
    ),
];

/// Query text with where it came from (for error messages).
#[derive(Clone, Debug)]
pub struct Source {
    /// A path, a built-in name, or `query` for inline text.
    pub origin: String,
    /// The text.
    pub text: String,
}

/// A query that did not plan: the error and the text its span points into.
#[derive(Debug)]
pub struct PlanError {
    /// The error.
    pub error: QueryError,
    /// The text (after template substitution).
    pub source: Source,
}

impl PlanError {
    /// The error with the query line and a caret.
    pub fn render(&self) -> String {
        self.error.render(&self.source.text, &self.source.origin)
    }
}

/// Finds a saved query: a path; else `./queries/NAME.sumo`; else a query
/// built into the binary. `dir` is `queries` or `queries/fer`.
pub fn find_saved(name: &str, dir: &str, builtins: &[(&str, &str)]) -> Result<Source, String> {
    let p = Path::new(name);
    if p.is_file() {
        return std::fs::read_to_string(p)
            .map(|text| Source {
                origin: name.to_string(),
                text,
            })
            .map_err(|e| format!("{name}: {e}"));
    }
    let stem = name.strip_suffix(".sumo").unwrap_or(name);
    let local = Path::new(dir).join(format!("{stem}.sumo"));
    if local.is_file() {
        return std::fs::read_to_string(&local)
            .map(|text| Source {
                origin: local.display().to_string(),
                text,
            })
            .map_err(|e| format!("{}: {e}", local.display()));
    }
    if let Some((n, text)) = builtins.iter().find(|(n, _)| *n == stem) {
        return Ok(Source {
            origin: format!("<built-in {n}>"),
            text: text.to_string(),
        });
    }
    let known: Vec<&str> = builtins.iter().map(|(n, _)| *n).collect();
    if name.contains('|') || name.contains(' ') {
        return Err(format!(
            "`{name}` is not a query file or a saved query's name; to give the query text itself, use -q: sumoq run -q '{name}' LOG..."
        ));
    }
    Err(format!(
        "{name}: no such file, no {} and no built-in query of that name (built in: {})",
        local.display(),
        known.join(", ")
    ))
}

/// Substitutes parameters, parses and plans a query.
pub fn compile(source: &Source, params: &[(String, String)]) -> Result<Plan, PlanError> {
    let text = plan::substitute_params(&source.text, params).map_err(|error| PlanError {
        error,
        source: source.clone(),
    })?;
    let substituted = Source {
        origin: source.origin.clone(),
        text,
    };
    plan::plan_text(&substituted.text).map_err(|error| PlanError {
        error,
        source: substituted,
    })
}

/// Plans a FER: its search expression is the scope; only assignments are
/// allowed after it.
pub fn compile_fer(source: &Source, params: &[(String, String)]) -> Result<Fer, PlanError> {
    let plan = compile(source, params)?;
    for (i, s) in plan.stages.iter().enumerate() {
        if !matches!(
            s,
            StagePlan::Eval(_) | StagePlan::Fields(_) | StagePlan::Record(_)
        ) {
            let q = crate::parser::parse_query(&source.text).ok();
            let span = q
                .and_then(|q| q.stages.get(i).map(|s| s.span))
                .unwrap_or_default();
            return Err(PlanError {
                error: QueryError::new(
                    "a field extraction rule may only assign fields (eval, `as`, function stages, fields, parsing stages)",
                    span,
                ),
                source: source.clone(),
            });
        }
    }
    Ok(Fer {
        scope: plan.search,
        stages: plan.stages,
    })
}

/// Prepares what the plan and the FERs need from outside the input (reads
/// lookup tables, checks their columns), before any input is read. The
/// error says whether it came from a FER (its span then points into the
/// FER's text, not the query's).
pub fn prepare_externals(
    plan: &Plan,
    fers: &[Fer],
    files: &SourceFiles,
    diag: &mut Diagnostics,
) -> Result<(), (QueryError, bool)> {
    for ext in plan.externals() {
        ext.prepare(files, diag).map_err(|e| (e, false))?;
    }
    for fer in fers {
        for ext in fer.stages.iter().flat_map(|s| s.externals()) {
            ext.prepare(files, diag).map_err(|e| (e, true))?;
        }
    }
    Ok(())
}

/// What a run did.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// Records read from all inputs.
    pub records: u64,
    /// Inputs that could not be opened or read.
    pub failed_inputs: u64,
    /// Set when the run stopped at the memory budget (its aggregates were
    /// not printed).
    pub exceeded: Option<crate::memory::Exceeded>,
}

/// One input to read: its display name, and its reader or the error that
/// kept it from opening (reported and counted when the run reaches it).
pub type Opened = (String, io::Result<Box<dyn Read + Send>>);

/// The inputs named by `paths` (`-`, or no path at all, is stdin), each
/// opened only when the run reaches it, so that a thousand files do not hold
/// a thousand descriptors.
pub fn open_paths(paths: &[String]) -> impl Iterator<Item = Opened> + '_ {
    let stdin = paths.is_empty().then_some("-");
    paths.iter().map(String::as_str).chain(stdin).map(|path| {
        let name = if path == "-" { "<stdin>" } else { path };
        (name.to_string(), input::open(path))
    })
}

/// Runs a plan over input paths (`-` is stdin), feeding `sink`, on every
/// core. Inputs that cannot be read are reported and skipped.
pub fn run_paths(
    plan: &Plan,
    fers: &[Fer],
    paths: &[String],
    opts: &InputOptions,
    sink: &mut dyn Sink,
    diag: &mut Diagnostics,
) -> RunSummary {
    run_paths_with(plan, fers, paths, opts, &RunOptions::default(), sink, diag)
}

/// [`run_paths`] with a thread count and progress display of its own. The
/// output is the same at any thread count (see [`crate::parallel`]).
pub fn run_paths_with(
    plan: &Plan,
    fers: &[Fer],
    paths: &[String],
    opts: &InputOptions,
    run: &RunOptions,
    sink: &mut dyn Sink,
    diag: &mut Diagnostics,
) -> RunSummary {
    run_inputs_with(plan, fers, open_paths(paths), opts, run, sink, diag)
}

/// [`run_paths_with`] over inputs opened by the caller (the fuzz targets
/// read from memory).
pub fn run_inputs_with(
    plan: &Plan,
    fers: &[Fer],
    inputs: impl IntoIterator<Item = Opened>,
    opts: &InputOptions,
    run: &RunOptions,
    sink: &mut dyn Sink,
    diag: &mut Diagnostics,
) -> RunSummary {
    let mut runner = Runner::new(plan, fers, opts, run);
    let mut summary = RunSummary::default();
    // The reader and the stages warn into separate collectors (as the
    // sequential reader calls back into the stages while holding `diag`);
    // both print as they go, and the counts are merged at the end.
    let mut stage_diag = Diagnostics::default();
    stage_diag.echo = diag.echo;
    for (name, reader) in inputs {
        let Some(reader) = opened(reader, &mut summary) else {
            continue;
        };
        let (reader, cut) = input::cap_input(reader, opts);
        let flow = runner.input(&name, reader, diag, &mut stage_diag, sink);
        if cut.is_some_and(|c| c.load(Ordering::Relaxed)) {
            diag.warn(input::cut_warning(&name, opts));
        }
        match flow {
            Ok(Flow::Continue) => {}
            Ok(Flow::Stop) => break,
            Err(e) => {
                eprintln!("sumoq: {name}: {e}");
                summary.failed_inputs += 1;
            }
        }
    }
    summary.records = runner.records();
    runner.finish(sink, &mut stage_diag);
    // Flushing a holding stage (a sort's rows) may go over the budget too.
    summary.exceeded = crate::memory::tripped();
    diag.merge_printed(stage_diag);
    summary
}

/// The reader of an input, or `None` after reporting why it did not open.
fn opened(
    reader: io::Result<Box<dyn Read + Send>>,
    summary: &mut RunSummary,
) -> Option<Box<dyn Read + Send>> {
    match reader {
        Ok(r) => Some(r),
        Err(e) => {
            // `input::open` names the path in its error already.
            eprintln!("sumoq: {e}");
            summary.failed_inputs += 1;
            None
        }
    }
}

/// The reference run: [`run_paths`] on one thread, the plain way (every
/// field of every record built, each record through the whole pipeline
/// before the next is read). The parallel runner must give exactly what
/// this gives; the tests compare the two.
pub fn run_paths_plain(
    plan: &Plan,
    fers: &[Fer],
    paths: &[String],
    opts: &InputOptions,
    sink: &mut dyn Sink,
    diag: &mut Diagnostics,
) -> RunSummary {
    run_inputs_plain(plan, fers, open_paths(paths), opts, sink, diag)
}

/// [`run_paths_plain`] over inputs opened by the caller.
pub fn run_inputs_plain(
    plan: &Plan,
    fers: &[Fer],
    inputs: impl IntoIterator<Item = Opened>,
    opts: &InputOptions,
    sink: &mut dyn Sink,
    diag: &mut Diagnostics,
) -> RunSummary {
    let mut pipe = Pipeline::new(plan);
    let mut summary = RunSummary::default();
    let mut stage_diag = Diagnostics::default();
    stage_diag.echo = diag.echo;
    let mut stop = false;
    for (name, reader) in inputs {
        let Some(reader) = opened(reader, &mut summary) else {
            continue;
        };
        let (reader, cut) = input::cap_input(reader, opts);
        let res = input::read_input(&name, reader, opts, diag, &mut |rec| {
            summary.records += 1;
            let recs = if fers.is_empty() {
                vec![rec]
            } else {
                apply_fers(fers, rec, &mut stage_diag)
            };
            for rec in recs {
                if let Flow::Stop = pipe.push(rec, sink, &mut stage_diag) {
                    stop = true;
                    return Flow::Stop;
                }
            }
            Flow::Continue
        });
        if cut.is_some_and(|c| c.load(Ordering::Relaxed)) {
            diag.warn(input::cut_warning(&name, opts));
        }
        if let Err(e) = res {
            eprintln!("sumoq: {name}: {e}");
            summary.failed_inputs += 1;
        }
        if stop {
            break;
        }
    }
    pipe.finish(sink, &mut stage_diag);
    diag.merge_printed(stage_diag);
    summary.exceeded = crate::memory::tripped();
    summary
}

/// Runs a plan over records already in memory (the REPL), FERs applied.
pub fn run_records<'a>(
    plan: &Plan,
    records: impl IntoIterator<Item = &'a crate::record::Record>,
    sink: &mut dyn Sink,
    diag: &mut Diagnostics,
    cancelled: &dyn Fn() -> bool,
) -> u64 {
    let mut pipe = Pipeline::new(plan);
    let mut n = 0;
    for r in records {
        if n % 4096 == 0 && cancelled() {
            diag.warn(Warning {
                kind: "cancelled",
                source: String::new(),
                line: 0,
                message: "query cancelled".into(),
            });
            return n;
        }
        n += 1;
        if let Flow::Stop = pipe.push(r.clone(), sink, diag) {
            break;
        }
    }
    pipe.finish(sink, diag);
    n
}
