//! sumoq: run Sumo Logic queries offline over log files.
//!
//! The path from query text to output is split into small modules:
//! grammar → AST (`ast`, `parser`) → checked plan (`plan`) → streaming
//! executor of stages (`exec`, `stages`) → output (`output`). The REPL and
//! the batch CLI both call [`engine`].

pub mod diag;
pub mod record;

pub mod value;
pub mod ast;
pub mod error;
pub mod parser;
pub mod time;
