//! sumoq: run Sumo Logic queries offline over log files.
//!
//! The path from query text to output is split into small modules:
//! grammar → AST (`ast`, `parser`) → checked plan (`plan`) → streaming
//! executor of stages (`exec`, `stages`) → output (`output`). The REPL and
//! the batch CLI both call [`engine`].

pub mod diag;
pub mod record;

pub mod ast;
pub mod cli;
pub mod engine;
pub mod error;
pub mod exec;
pub mod functions;
pub mod hints;
pub mod input;
pub mod memory;
pub mod needle;
pub mod output;
pub mod parallel;
pub mod parser;
pub mod plan;
pub mod progress;
pub mod repl;
pub mod search;
pub mod stages;
pub mod time;
pub mod value;
