//! The fast paths (projected byte scanner, raw-byte pre-filters, chunks on
//! several threads, merged aggregate states) against the plain run: the
//! same rows, warnings and record count on any input. The first byte picks
//! the query and the chunk size; the rest is the input.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else {
        return;
    };
    let plan = common::fixed(usize::from(pick));
    let (plain, _) = common::run_plain(&plan, input);
    // Small chunks cut the input into many pieces, on two workers.
    let chunk = 1 + usize::from(pick >> 3);
    let (fast, _) = common::run_fast(&plan, input, 2, chunk);
    if common::stops_early(usize::from(pick)) {
        // A query that stops reading (`limit`) may read further on several
        // threads before the stop arrives: the rows are the same, the
        // count of records read and the warnings about them need not be.
        assert_eq!(
            plain.rows, fast.rows,
            "fast path differs from the plain run"
        );
    } else {
        assert_eq!(plain, fast, "fast path differs from the plain run");
    }
});
