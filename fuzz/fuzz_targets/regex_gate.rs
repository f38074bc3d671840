//! The `parse regex` shortcut (`sumoq::stages::regex_gate`: a mandatory
//! literal checked first, then an anchored backtracker search at the
//! leading literal) against the regex crate's own `captures`: the same
//! match and groups on any pattern and text. Input: the pattern, a NUL
//! byte, the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regex::RegexBuilder;
use sumoq::stages::regex_gate::Gate;

fuzz_target!(|data: &[u8]| {
    let Some(nul) = data.iter().position(|b| *b == 0) else {
        return;
    };
    let (Ok(pattern), Ok(text)) = (
        std::str::from_utf8(&data[..nul]),
        std::str::from_utf8(&data[nul + 1..]),
    ) else {
        return;
    };
    let Ok(re) = RegexBuilder::new(pattern).size_limit(1 << 20).build() else {
        return;
    };
    let Some(gate) = Gate::new(pattern) else {
        return;
    };
    let want = re
        .captures(text)
        .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>());
    let n = re.captures_len();
    let got = gate.captures(&re, text, |c| {
        (0..n)
            .map(|i| {
                c.get(i).map(|s| {
                    let start = s.as_ptr() as usize - text.as_ptr() as usize;
                    start..start + s.len()
                })
            })
            .collect::<Vec<_>>()
    });
    assert_eq!(got, want, "pattern {pattern:?} on {text:?}");
    assert!(
        gate.may_match(text) || want.is_none(),
        "gate refused a match"
    );
});
