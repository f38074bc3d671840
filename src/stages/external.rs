//! What a query needs from outside its input: lookup tables. A stage that
//! needs one hands out an [`External`]; before any input is read, the CLI
//! prepares every external of the plan (reads the CSV file, checks its
//! columns) and stops with exit 2 when one is missing or unusable (SPEC §8).
//! `check` never prepares, so it accepts a query whose table is not here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diag::Diagnostics;
use crate::error::QueryError;

use super::table::Table;

/// Something a stage needs before a run.
pub trait External: std::fmt::Debug + Send + Sync {
    /// Reads and checks it. An error is a query error pointing at the
    /// stage (missing source, unreadable file, unknown column); warnings
    /// about the file go to `diag`.
    fn prepare(&self, files: &SourceFiles, diag: &mut Diagnostics) -> Result<(), QueryError>;
}

/// Local files given for hosted lookup sources (`--lookup NAME=FILE`), and
/// the tables read so far (a file named by several stages is read once).
#[derive(Debug, Default)]
pub struct SourceFiles {
    map: Vec<(String, PathBuf)>,
    cache: Mutex<HashMap<PathBuf, Arc<Table>>>,
}

impl SourceFiles {
    /// Files for hosted sources, by the name the query gives the source.
    pub fn new(map: Vec<(String, PathBuf)>) -> SourceFiles {
        SourceFiles {
            map,
            cache: Mutex::default(),
        }
    }

    /// The local file given for a hosted source, if any. Names match
    /// exactly, then ignoring ASCII case.
    pub fn file_for(&self, name: &str) -> Option<&Path> {
        self.map
            .iter()
            .find(|(n, _)| n == name)
            .or_else(|| self.map.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
            .map(|(_, p)| p.as_path())
    }

    /// Reads a CSV table, once per path.
    pub fn table(&self, path: &Path, diag: &mut Diagnostics) -> Result<Arc<Table>, String> {
        if let Ok(cache) = self.cache.lock() {
            if let Some(t) = cache.get(path) {
                return Ok(t.clone());
            }
        }
        let t = Arc::new(Table::read(path, diag)?);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(path.to_path_buf(), t.clone());
        }
        Ok(t)
    }
}
