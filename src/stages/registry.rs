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
