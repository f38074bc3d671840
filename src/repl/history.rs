//! Where the history is kept between sessions: `$SUMOQ_HISTORY` when set
//! (tests point it at a temporary file), else `sumoq/history` under the
//! user's data directory.

use std::path::PathBuf;

/// The environment variable that overrides the history file.
pub const ENV: &str = "SUMOQ_HISTORY";

/// The history file, or `None` when there is no data directory (history
/// then lasts for the session only). An empty `SUMOQ_HISTORY` also turns
/// saving off.
pub fn path() -> Option<PathBuf> {
    match std::env::var_os(ENV) {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => dirs::data_dir().map(|d| d.join("sumoq").join("history")),
    }
}

/// Creates the history file's folder; the error says which folder.
pub fn prepare(path: &std::path::Path) -> Result<(), String> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display())),
        _ => Ok(()),
    }
}
