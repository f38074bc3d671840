//! The stages written as a name and tokens (everything but the core stages
//! of the grammar): each has a builder in its own file that reads its
//! tokens and returns its plan. Adding a stage is one file and one line here.

use crate::ast::GenericStage;
use crate::error::QueryError;

use super::StagePlan;

/// Builds a stage's plan from its tokens. `text` is the query text the
/// spans point into.
pub type Builder = fn(&GenericStage, &str) -> Result<Vec<StagePlan>, QueryError>;

/// The generic stages sumoq runs, by lower-case name.
pub static GENERIC_STAGES: &[(&str, Builder)] = &[
    ("accum", super::accum::build),
    ("count_frequent", super::count_frequent::build),
    ("dedup", super::dedup::build),
    ("fillmissing", super::fillmissing::build),
    ("outlier", super::outlier::build),
    ("timeslice", super::timeslice::build),
    ("topk", super::topk::build),
    ("total", super::total::build),
    ("transpose", super::transpose::build),
    ("withtime", super::withtime::build),
    ("lookup", super::lookup::build),
    ("geoip", super::lookup::build_geoip),
    ("threatip", super::lookup::build_threatip),
    ("threatlookup", super::lookup::build_threatlookup),
    ("join", super::join::build),
    ("transactionize", super::transactionize::build),
    ("merge", super::merge::build),
    ("compare", super::compare::build),
    ("parse", super::parse_anchor::build),
    ("extract", super::parse_regex::build_extract),
    ("json", super::json::build),
    ("keyvalue", super::keyvalue::build),
    ("kv", super::keyvalue::build),
    ("csv", super::split::build_csv),
    ("split", super::split::build),
];

/// Finds a generic stage's builder by name, ignoring case.
pub fn lookup(name: &str) -> Option<Builder> {
    GENERIC_STAGES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, b)| *b)
}
