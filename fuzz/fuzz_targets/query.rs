//! Query text → parse and plan. No panic; every error's span lies inside
//! the text and renders; a query that plans also runs over sample records,
//! the plain way and the fast way with the same rows, and its rows render
//! in every output format.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use sumoq::engine::{compile, Source};

fuzz_target!(|data: &[u8]| {
    // Query text reaches sumoq as UTF-8 (a file or an argument); the CLI
    // rejects other bytes before planning.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source {
        origin: "fuzz".into(),
        text: text.to_string(),
    };
    let plan = match compile(&source, &[]) {
        Ok(plan) => plan,
        Err(e) => {
            let span = e.error.span;
            let len = e.source.text.len();
            assert!(
                span.start <= span.end && span.end <= len,
                "span {span:?} outside a text of {len} bytes: {:?}",
                e.error.message
            );
            let _ = e.render();
            return;
        }
    };
    // Lookups read files the query names; the fuzzer must not open
    // arbitrary paths of this machine (or block on /dev/zero).
    if !plan.externals().is_empty() {
        return;
    }
    let (plain, rows) = common::run_plain(&plan, common::SAMPLE);
    let (fast, _) = common::run_fast(&plan, common::SAMPLE, 2, 97);
    // A query that stops reading early may read further on more threads;
    // its rows are the same.
    assert_eq!(
        plain.rows, fast.rows,
        "fast path differs from the plain run"
    );
    common::render_all(&rows);
});
