//! Zeek TSV logs: `#` lines are the header (separator, markers, `#fields`,
//! `#types`; it may start again mid-file, as in concatenated logs), every
//! other non-blank line is a row whose columns become typed fields named
//! literally by `#fields` (`id.orig_h` is one key).

use std::io::{self, BufRead};

use super::build::{Builder, ZEEK_ROW};
use super::line_reader::{is_blank, LineReader};
use super::zeek_types::{convert, parse_type, Markers, ZType};
use super::Flow;
use crate::diag::Diagnostics;
use crate::record::{Name, Record};

/// Reads `r` as a Zeek log, handing each row's record to `sink`.
pub(crate) fn read<R: BufRead>(
    r: R,
    b: &mut Builder,
    diag: &mut Diagnostics,
    sink: &mut dyn FnMut(Record) -> Flow,
) -> io::Result<Flow> {
    let mut lines = LineReader::new(r);
    let mut header = Header::default();
    while let Some((line, bytes)) = lines.next_line()? {
        if is_blank(bytes) {
            continue;
        }
        let text = b.decode(bytes, line, diag);
        if text.starts_with('#') {
            header.directive(&text, b);
            continue;
        }
        header.prev_was_types = false;
        let rec = header.row(&text, line, b, diag);
        if sink(rec) == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}

/// The header in force.
struct Header {
    /// Between columns (`#separator`, written escaped: `\x09`).
    sep: String,
    /// Set separator and the unset and empty markers.
    markers: Markers,
    /// Column names from `#fields`.
    names: Vec<Name>,
    /// Column types from `#types` (may be shorter than `names`).
    types: Vec<ZType>,
    /// The last line was `#types`: a `#fields` right after it keeps them.
    prev_was_types: bool,
}

impl Default for Header {
    fn default() -> Self {
        Header {
            sep: "\t".into(),
            markers: Markers::default(),
            names: Vec::new(),
            types: Vec::new(),
            prev_was_types: false,
        }
    }
}

impl Header {
    /// Applies one `#` line. Unknown ones (`#path`, `#open`, `#close`,
    /// comments) are skipped.
    fn directive(&mut self, text: &str, b: &mut Builder) {
        let was_types = std::mem::replace(&mut self.prev_was_types, false);
        // `#separator` is followed by a space, not by the separator it sets.
        if let Some(rest) = text.strip_prefix("#separator") {
            if let Some(v) = rest.strip_prefix([' ', '\t']).map(unescape) {
                if !v.is_empty() {
                    self.sep = v;
                }
            }
            return;
        }
        let mut parts = text.split(self.sep.as_str());
        let key = parts.next().unwrap_or_default();
        let value = |parts: &mut std::str::Split<'_, &str>| parts.next().map(unescape);
        match key {
            "#set_separator" => {
                if let Some(v) = value(&mut parts).filter(|v| !v.is_empty()) {
                    self.markers.set_sep = v;
                }
            }
            "#empty_field" => {
                if let Some(v) = value(&mut parts) {
                    self.markers.empty = v;
                }
            }
            "#unset_field" => {
                if let Some(v) = value(&mut parts) {
                    self.markers.unset = v;
                }
            }
            "#fields" => {
                self.names = parts.map(|n| b.name(n)).collect();
                // A new `#fields` starts a new log; its `#types` follows.
                if !was_types {
                    self.types.clear();
                }
            }
            "#types" => {
                self.types = parts.map(parse_type).collect();
                self.prev_was_types = true;
            }
            _ => {}
        }
    }

    /// The record for one data row.
    fn row(&self, text: &str, line: u64, b: &Builder, diag: &mut Diagnostics) -> Record {
        if self.names.is_empty() {
            let msg = "data row before any #fields line; kept as a text record".to_string();
            b.warn(diag, ZEEK_ROW, line, msg);
            return b.record(Vec::new(), text, line, &[]);
        }
        let mut fields = Vec::with_capacity(self.names.len());
        let mut times: Vec<(&str, &str)> = Vec::new();
        let mut columns = 0usize;
        for (i, col) in text.split(self.sep.as_str()).enumerate() {
            columns += 1;
            let Some(name) = self.names.get(i) else {
                continue;
            };
            let ty = self.types.get(i).copied().unwrap_or(ZType::Unknown);
            // A `time` value becomes a float; the exact milliseconds come
            // from the text.
            if ty.is_time() && col != self.markers.unset {
                times.push((name, col));
            }
            let value = convert(col, ty, &self.markers);
            // A name `#fields` repeats: the last value wins, in the first
            // one's place, as for duplicate JSON keys (SPEC §2).
            match fields.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = value,
                None => fields.push((name.clone(), value)),
            }
        }
        let want = self.names.len();
        if columns != want {
            let what = if columns > want {
                "extra columns dropped"
            } else {
                "missing columns left out"
            };
            let msg = format!("row has {columns} columns, #fields names {want}; {what}");
            b.warn(diag, ZEEK_ROW, line, msg);
        }
        b.record(fields, text, line, &times)
    }
}

/// Undoes Zeek's `\xHH` escapes in header values.
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        if c == b'\\' && bytes.get(i + 1) == Some(&b'x') {
            let hi = bytes.get(i + 2).and_then(|h| (*h as char).to_digit(16));
            let lo = bytes.get(i + 3).and_then(|h| (*h as char).to_digit(16));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                // Two hex digits fit a byte.
                out.push((hi * 16 + lo) as u8);
                i += 4;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::build::MALFORMED_JSON;
    use super::super::test_util::*;
    use super::*;
    use crate::value::Value;

    /// The header of the Stratosphere CTU conn.log (008), exactly.
    const HEADER: &str = "#separator \\x09
#set_separator\t,
#empty_field\t(empty)
#unset_field\t-
#path\tconn
#open\t2022-06-17-00-00-07
#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tlabel\tdetailedlabel
#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tstring\tstring
";

    const ROW1: &str = "1655071198.444458\tCHLXQF2OBY4onAR0Ug\t147.32.81.167\t62771\t40.74.108.123\t443\ttcp\tssl\t1.135424\t1596\t4039\tSF\tT\tF\t5138\tShADdaFf\t14\t1016\t16\t1226\t(empty)\tBenign\tMicrosoft";
    const ROW2: &str = "1655071231.749548\tCEL3aLvvNGvO6Ecoa\t193.201.9.232\t46563\t147.32.81.167\t3933\ttcp\t-\t0.000010\t0\t0\tS0\tF\tT\t0\tS\t2\t80\t0\t0\t(empty)\tMalicious\tExternal-Attack-to-Device";

    fn log(rows: &[&str]) -> String {
        let mut s = HEADER.to_string();
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        s.push_str("#close\t2022-06-17-00-00-08\n");
        s
    }

    #[test]
    fn real_header_and_typed_rows() {
        let (recs, diag) = read_bytes(log(&[ROW1, ROW2]).as_bytes());
        assert_eq!(diag.total(), 0);
        assert_eq!(recs.len(), 2);
        let r = &recs[0];
        assert_eq!(r.fields.len(), 23);
        assert_eq!(&*r.fields[2].0, "id.orig_h");
        // The dotted name is one literal key.
        assert_eq!(text(r, "id.orig_h"), "147.32.81.167");
        assert!(matches!(r.get("id.orig_p"), Some(Value::Int(62771))));
        assert!(matches!(r.get("duration"), Some(Value::Float(f)) if *f == 1.135424));
        assert!(matches!(r.get("orig_bytes"), Some(Value::Int(1596))));
        assert!(matches!(r.get("local_orig"), Some(Value::Bool(true))));
        assert!(matches!(r.get("ts"), Some(Value::Float(_))));
        assert_eq!(text(r, "tunnel_parents"), "[]");
        assert_eq!(text(r, "proto"), "tcp");
        assert_eq!(raw(r), ROW1);
        assert_eq!(r.origin.line, 9);
        // Exact milliseconds from the text, no float rounding.
        assert_eq!(r.message_time, Some(1655071198444));
        assert_eq!(recs[1].message_time, Some(1655071231749));
        assert!(recs[1].get("service").is_some_and(Value::is_null));
        assert_eq!(recs[1].origin.line, 10);
    }

    #[test]
    fn short_and_long_rows_warn_and_keep_fields() {
        let short = "1655071198.444458\tCHLX\t147.32.81.167";
        let long = format!("{ROW2}\textra\tmore");
        let (recs, diag) = read_bytes(log(&[short, &long]).as_bytes());
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].fields.len(), 3);
        assert_eq!(text(&recs[0], "id.orig_h"), "147.32.81.167");
        assert!(recs[0].get("proto").is_none());
        assert_eq!(recs[0].message_time, Some(1655071198444));
        assert_eq!(recs[1].fields.len(), 23);
        assert_eq!(diag.count(ZEEK_ROW), 2);
        assert_eq!(diag.kept[0].line, 9);
        assert_eq!(
            diag.kept[0].message,
            "row has 3 columns, #fields names 23; missing columns left out"
        );
        assert_eq!(diag.count(MALFORMED_JSON), 0);
    }

    #[test]
    fn header_again_mid_file() {
        let mut input = log(&[ROW1]);
        input.push_str("#separator \\x7c\n#set_separator|;\n#fields|ts|n|tags\n#types|time|count|vector[string]\n");
        input.push_str("1655071200.5|7|a;b\n");
        input.push_str("#separator \\x09\n#fields\tx\n1.5\n");
        let (recs, diag) = read_bytes(input.as_bytes());
        assert_eq!(diag.total(), 0);
        assert_eq!(recs.len(), 3);
        assert!(matches!(recs[1].get("n"), Some(Value::Int(7))));
        assert_eq!(text(&recs[1], "tags"), "[\"a\",\"b\"]");
        assert_eq!(recs[1].message_time, Some(1655071200500));
        // The new `#fields` came without `#types`: the old types are gone.
        assert!(matches!(recs[2].get("x"), Some(Value::Str(_))));
    }

    #[test]
    fn fields_only_log_and_rows_before_fields() {
        let (recs, diag) = read_bytes(b"#fields\tts\tmsg\n1655071198.1\thello world\n");
        assert_eq!(diag.total(), 0);
        assert_eq!(text(&recs[0], "msg"), "hello world");
        assert_eq!(recs[0].message_time, Some(1655071198100));

        let (recs, diag) = read_bytes(b"#separator \\x09\nrow\tbefore\n");
        assert_eq!(recs.len(), 1);
        assert!(recs[0].fields.is_empty());
        assert_eq!(diag.count(ZEEK_ROW), 1);
    }

    #[test]
    fn btest_baseline_with_comment_line() {
        // From Zeek's testing baselines: a comment line first, masked times.
        let input = "### BTest baseline data generated by btest-diff. Do not edit.
#separator \\x09
#set_separator\t,
#empty_field\t(empty)
#unset_field\t-
#path\tmqtt_subscribe
#open XXXX-XX-XX-XX-XX-XX
#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\taction\ttopics\tqos_levels\tgranted_qos_level\tack
#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tvector[string]\tvector[count]\tcount\tbool
XXXXXXXXXX.XXXXXX\tCHhAvVGS1DHFjwGM9\t10.0.1.4\t49327\t198.41.30.241\t1883\tMQTT::SUBSCRIBE\tSampleTopic\t0\t0\tT
#close XXXX-XX-XX-XX-XX-XX
";
        let (recs, diag) = read_bytes(input.as_bytes());
        assert_eq!(diag.total(), 0);
        assert_eq!(recs.len(), 1);
        let r = &recs[0];
        assert_eq!(r.origin.line, 10);
        assert_eq!(text(r, "ts"), "XXXXXXXXXX.XXXXXX");
        assert_eq!(r.message_time, None);
        assert_eq!(text(r, "topics"), "[\"SampleTopic\"]");
        assert_eq!(text(r, "qos_levels"), "[0]");
        assert!(matches!(r.get("ack"), Some(Value::Bool(true))));
    }

    #[test]
    fn unescaping() {
        assert_eq!(unescape("\\x09"), "\t");
        assert_eq!(unescape("a\\x2cb\\xZZ\\x4"), "a,b\\xZZ\\x4");
    }
}
