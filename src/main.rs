//! The `sumoq` binary: everything lives in the library.

use std::alloc::System;

use cap::Cap;

/// Counts the heap in use, so that `--max-memory` can stop a run before the
/// system kills it (see `sumoq::memory`).
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The gauge `sumoq::memory` reads.
fn heap_in_use() -> usize {
    ALLOCATOR.allocated()
}

fn main() {
    sumoq::memory::set_gauge(heap_in_use);
    std::process::exit(sumoq::cli::main());
}
