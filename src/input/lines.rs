//! Line input (NDJSON and text logs): every non-blank line is one record.
//! A line that is a JSON object yields its keys as fields; a line that
//! starts with `{` but does not parse is warned about and kept as text; any
//! other line is a text record, silently (SPEC §2).

use std::io::{self, BufRead};

use super::build::{json_reason, Builder, MALFORMED_JSON};
use super::line_reader::{is_blank, LineReader};
use super::Flow;
use crate::diag::Diagnostics;
use crate::record::Record;

/// Reads `r` as lines, handing each record to `sink`.
pub(crate) fn read<R: BufRead>(
    r: R,
    b: &mut Builder,
    diag: &mut Diagnostics,
    sink: &mut dyn FnMut(Record) -> Flow,
) -> io::Result<Flow> {
    let mut lines = LineReader::new(r);
    while let Some((line, bytes)) = lines.next_line()? {
        if is_blank(bytes) {
            continue;
        }
        let text = b.decode(bytes, line, diag);
        let rec = line_record(b, &text, line, diag);
        if sink(rec) == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}

/// The record for one line of text.
pub(crate) fn line_record(
    b: &mut Builder,
    text: &str,
    line: u64,
    diag: &mut Diagnostics,
) -> Record {
    if text.trim_start_matches([' ', '\t']).starts_with('{') {
        // serde_json stops at 128 levels of nesting with an error, so a
        // hostile line cannot overflow the stack.
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(map)) => {
                let fields = b.fields_of(map);
                return b.record(fields, text, line, &[]);
            }
            // Text starting with `{` that parses is always an object.
            Ok(_) => {}
            Err(e) => {
                let msg = format!(
                    "{} at column {}; kept as a text record",
                    json_reason(&e),
                    e.column()
                );
                b.warn(diag, MALFORMED_JSON, line, msg);
            }
        }
    }
    b.record(Vec::new(), text, line, &[])
}

#[cfg(test)]
mod tests {
    use super::super::build::INVALID_UTF8;
    use super::super::test_util::*;
    use super::*;
    use crate::value::Value;

    #[test]
    fn ndjson_fields_in_order_with_duplicate_keys() {
        let (recs, diag) = read_bytes(b"{\"b\":1,\"a\":{\"x\":[1,2]},\"b\":\"last\",\"c\":null}\n");
        assert_eq!(diag.total(), 0);
        let r = &recs[0];
        let names: Vec<&str> = r.fields.iter().map(|(k, _)| &**k).collect();
        // The last value wins, in the first key's position.
        assert_eq!(names, ["b", "a", "c"]);
        assert_eq!(text(r, "b"), "last");
        assert!(matches!(r.fields[1].1, Value::Json(_)));
        assert_eq!(text(r, "a.x[1]"), "2");
        assert!(r.fields[2].1.is_null());
        assert_eq!(
            raw(r),
            "{\"b\":1,\"a\":{\"x\":[1,2]},\"b\":\"last\",\"c\":null}"
        );
        assert_eq!(r.origin.line, 1);
    }

    #[test]
    fn malformed_line_warns_and_is_kept_as_text() {
        let (recs, diag) = read_bytes(b"{\"a\":1,\n  {\"b\": }\n{\"c\":3}\n");
        assert_eq!(recs.len(), 3);
        assert!(recs[0].fields.is_empty());
        assert_eq!(raw(&recs[0]), "{\"a\":1,");
        assert!(recs[1].fields.is_empty());
        assert_eq!(text(&recs[2], "c"), "3");
        assert_eq!(diag.count(MALFORMED_JSON), 2);
        let w = &diag.kept[0];
        assert_eq!((w.source.as_str(), w.line), ("t.log", 1));
        assert!(
            w.message.starts_with("EOF while parsing a value"),
            "{}",
            w.message
        );
        assert_eq!(diag.kept[1].line, 2);
        assert!(
            diag.kept[1]
                .message
                .starts_with("expected value at column 9"),
            "{}",
            diag.kept[1].message
        );
    }

    #[test]
    fn text_lines_are_silent_records() {
        let (recs, diag) =
            read_bytes(b"Jun 12 sshd[42]: Accepted\n[not json] either\n\"quoted\"\n");
        assert_eq!(diag.total(), 0);
        assert_eq!(recs.len(), 3);
        assert!(recs.iter().all(|r| r.fields.is_empty()));
        assert_eq!(raw(&recs[1]), "[not json] either");
        assert_eq!(text(&recs[0], "_raw"), "Jun 12 sshd[42]: Accepted");
    }

    #[test]
    fn blank_lines_and_crlf() {
        let (recs, _) = read_bytes(b"a\r\n\r\n   \n\t\nb\r\n{\"k\":\"v\"}\r\nc");
        let got: Vec<(u64, &str)> = recs.iter().map(|r| (r.origin.line, raw(r))).collect();
        assert_eq!(got, [(1, "a"), (5, "b"), (6, "{\"k\":\"v\"}"), (7, "c")]);
        assert_eq!(text(&recs[2], "k"), "v");
    }

    #[test]
    fn invalid_utf8_is_read_lossily_and_warned() {
        let (recs, diag) = read_bytes(b"ok\n{\"u\":\"caf\xe9\"}\nbad \xff\xfe\n");
        assert_eq!(recs.len(), 3);
        assert_eq!(text(&recs[1], "u"), "caf\u{fffd}");
        assert_eq!(raw(&recs[2]), "bad \u{fffd}\u{fffd}");
        assert_eq!(diag.count(INVALID_UTF8), 2);
        assert_eq!(diag.kept[0].line, 2);
        assert_eq!(diag.kept[1].line, 3);
    }

    #[test]
    fn deep_nesting_is_a_malformed_line_not_a_crash() {
        let mut input = b"{\"ok\":1}\n{\"a\":".to_vec();
        input.extend(std::iter::repeat_n(b'[', 200_000));
        input.extend_from_slice(b"\n{\"b\":2}\n");
        let (recs, diag) = read_bytes(&input);
        assert_eq!(recs.len(), 3);
        assert_eq!(text(&recs[2], "b"), "2");
        assert_eq!(recs[2].origin.line, 3);
        assert_eq!(diag.count(MALFORMED_JSON), 1);
        assert!(diag.kept[0].message.starts_with("recursion limit exceeded"));
    }

    #[test]
    fn deep_nesting_as_first_line_then_a_good_line() {
        // A first byte `[` means a JSON array; this one breaks in its first
        // element, so the input is read as lines after one warning.
        let mut input = vec![b'['; 200_000];
        input.extend_from_slice(b"\n{\"b\":2}\n");
        let (recs, diag) = read_bytes(&input);
        assert_eq!(recs.len(), 2);
        assert_eq!(raw(&recs[0]).len(), 200_000);
        assert_eq!(text(&recs[1], "b"), "2");
        assert_eq!(recs[1].origin.line, 2);
        assert_eq!(diag.count(MALFORMED_JSON), 1);
    }

    #[test]
    fn a_fifty_megabyte_line_is_one_record() {
        let mut input = b"{\"big\":\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', 50 << 20));
        input.extend_from_slice(b"\"}\nsmall\n");
        let (recs, diag) = read_bytes(&input);
        assert_eq!(diag.total(), 0);
        assert_eq!(recs.len(), 2);
        assert_eq!(text(&recs[0], "big").len(), 50 << 20);
    }
}
