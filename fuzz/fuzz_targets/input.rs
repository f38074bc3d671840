//! Arbitrary input bytes → reader and executor under the fixed queries. No
//! panic; `* | count` equals an independent count of the non-blank lines
//! (for input read as lines), the plain way and the fast way.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

/// The records a line input holds, counted without sumoq's reader: every
/// line with a byte other than ASCII white space. `None` when the input
/// is read another way (gzip, a Zeek header, a JSON array).
fn line_records(data: &[u8]) -> Option<u64> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    if data.starts_with(&[0x1f, 0x8b]) {
        return None;
    }
    let first = data
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    if let Some(i) = first {
        if matches!(data.get(i), Some(b'[') | Some(b'#')) {
            return None;
        }
    }
    Some(
        data.split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .count() as u64,
    )
}

fuzz_target!(|data: &[u8]| {
    let count = common::fixed(0);
    let (plain, _) = common::run_plain(&count, data);
    let (fast, rows) = common::run_fast(&count, data, 2, 4096);
    if let Some(n) = line_records(data) {
        let want = format!("{{\"_count\":{n}}}");
        assert_eq!(plain.rows, vec![want.clone()], "plain count");
        assert_eq!(fast.rows, vec![want], "fast count");
    }
    common::render_all(&rows);
    for i in 1..common::QUERIES.len() {
        let plan = common::fixed(i);
        let (_, rows) = common::run_fast(&plan, data, 2, 4096);
        common::render_all(&rows);
    }
});
