//! Input: turns files and stdin into records (SPEC §2).
//!
//! Each input's format is recognised by its content (`detect`): gzip is
//! unwrapped first, then the input is a Zeek TSV log (`zeek`), a JSON
//! array read element by element (`json_array`) or lines, each non-blank
//! line one record (`lines`). Records are built in one place
//! (`build`) so that every format fills origin, metadata, `_raw` and the
//! derived `_messageTime` the same way. Nothing here reads a whole input
//! into memory.

mod build;
pub(crate) mod detect;
mod json_array;
mod line_reader;
mod lines;
pub(crate) mod project;
pub mod scan;
mod zeek;
mod zeek_types;

use std::fs::File;
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::diag::{Diagnostics, Warning};
use crate::record::{Name, Record};
use crate::value::Value;

/// The default names tried for the derived `_messageTime`, in order.
pub const DEFAULT_TIME_FIELDS: [&str; 7] = [
    "@timestamp",
    "timestamp",
    "time",
    "ts",
    "_time",
    "UtcTime",
    "eventTime",
];

/// How records are made from every input.
#[derive(Clone, Debug)]
pub struct InputOptions {
    /// Names tried in order for the derived `_messageTime`
    /// ([`DEFAULT_TIME_FIELDS`] by default); `--time-field` replaces the list.
    pub time_fields: Vec<String>,
    /// Metadata from `--set FIELD=VALUE`.
    pub set: Vec<(Name, Value)>,
    /// `--limit-bytes`: read at most this many bytes of each input.
    pub limit_bytes: Option<u64>,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            time_fields: DEFAULT_TIME_FIELDS.iter().map(|s| s.to_string()).collect(),
            set: Vec::new(),
            limit_bytes: None,
        }
    }
}

/// What the record sink wants next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading.
    Continue,
    /// Stop reading (limit reached, pipe closed).
    Stop,
}

/// Opens a path for reading (`-` is stdin); errors name the path.
pub fn open(path: &str) -> io::Result<Box<dyn Read + Send>> {
    if path == "-" {
        return Ok(Box::new(io::stdin()));
    }
    let named = |e: io::Error| io::Error::new(e.kind(), format!("{path}: {e}"));
    let file = File::open(path).map_err(named)?;
    // Opening a directory succeeds on Unix; say so now rather than fail on
    // the first read with an error that does not name the path.
    if file.metadata().map_err(named)?.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{path}: is a directory"),
        ));
    }
    Ok(Box::new(file))
}

/// Reads one input to its end (or until the sink says [`Flow::Stop`]),
/// recognising its format by content. `name` is the input's display name
/// (its path, or `<stdin>`), used for `_sourceName`, origins and warnings.
///
/// Returns `Flow::Stop` when the sink stopped the reading. An I/O error
/// mid-read is returned as `Err`; records delivered before it stay delivered.
pub fn read_input(
    name: &str,
    reader: Box<dyn Read + Send>,
    opts: &InputOptions,
    diag: &mut Diagnostics,
    sink: &mut dyn FnMut(Record) -> Flow,
) -> io::Result<Flow> {
    let (format, input) = detect::sniff(reader)?;
    read_format(name, format, input, opts, diag, sink)
}

/// An input cut at `--limit-bytes`: reads at most the limit, then ends as
/// if the input did, and remembers that it cut something off.
pub struct Capped {
    inner: Box<dyn Read + Send>,
    left: u64,
    cut: Arc<AtomicBool>,
}

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // The reader wanted more than the limit: the input was cut
            // (or ended exactly there; either way no more is read).
            self.cut.store(true, Ordering::Relaxed);
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let got = self.inner.read(buf.get_mut(..want).unwrap_or_default())?;
        self.left -= got as u64;
        Ok(got)
    }
}

/// The reader under `opts.limit_bytes`, and the flag that tells whether it
/// was cut (no flag without a limit).
pub fn cap_input(
    reader: Box<dyn Read + Send>,
    opts: &InputOptions,
) -> (Box<dyn Read + Send>, Option<Arc<AtomicBool>>) {
    match opts.limit_bytes {
        None => (reader, None),
        Some(left) => {
            let cut = Arc::new(AtomicBool::new(false));
            let capped = Capped {
                inner: reader,
                left,
                cut: cut.clone(),
            };
            (Box::new(capped), Some(cut))
        }
    }
}

/// The warning for an input that `--limit-bytes` cut.
pub fn cut_warning(name: &str, opts: &InputOptions) -> Warning {
    Warning {
        kind: "input cut",
        source: name.to_string(),
        line: 0,
        message: format!(
            "read only the first {} bytes (--limit-bytes)",
            opts.limit_bytes.unwrap_or_default()
        ),
    }
}

/// Reads one input whose format is known (see [`read_input`]).
pub(crate) fn read_format(
    name: &str,
    format: detect::Format,
    input: detect::Input,
    opts: &InputOptions,
    diag: &mut Diagnostics,
    sink: &mut dyn FnMut(Record) -> Flow,
) -> io::Result<Flow> {
    let mut builder = build::Builder::new(name, opts);
    match format {
        detect::Format::Lines => lines::read(input, &mut builder, diag, sink),
        detect::Format::JsonArray => json_array::read(input, &mut builder, diag, sink),
        detect::Format::Zeek => zeek::read(input, &mut builder, diag, sink),
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Helpers shared by the format tests.

    use super::*;
    use std::io::Cursor;

    /// Reads `bytes` as input `t.log` with default options; returns the
    /// records and the warnings.
    pub(crate) fn read_bytes(bytes: &[u8]) -> (Vec<Record>, Diagnostics) {
        read_with(bytes, &InputOptions::default())
    }

    /// Like [`read_bytes`] with options.
    pub(crate) fn read_with(bytes: &[u8], opts: &InputOptions) -> (Vec<Record>, Diagnostics) {
        let mut diag = Diagnostics::default();
        let mut out = Vec::new();
        let reader: Box<dyn Read + Send> = Box::new(Cursor::new(bytes.to_vec()));
        let flow = read_input("t.log", reader, opts, &mut diag, &mut |r| {
            out.push(r);
            Flow::Continue
        });
        assert!(matches!(flow, Ok(Flow::Continue)), "{flow:?}");
        (out, diag)
    }

    /// The display text of a field.
    pub(crate) fn text(r: &Record, name: &str) -> String {
        r.lookup(name, crate::record::split_path(name).as_deref())
            .display_text()
            .into_owned()
    }

    /// The record's `_raw`.
    pub(crate) fn raw(r: &Record) -> &str {
        r.raw.as_deref().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;
    use std::io::Cursor;
    use std::sync::Arc;

    #[test]
    fn metadata_source_name_and_set() {
        let opts = InputOptions {
            set: vec![(Arc::from("_sourceCategory"), Value::str("fw"))],
            ..InputOptions::default()
        };
        let (recs, _) = read_with(b"{\"a\":1}\n{\"_sourceName\":\"own\"}\n", &opts);
        assert_eq!(text(&recs[0], "_sourceName"), "t.log");
        assert_eq!(text(&recs[0], "_sourceCategory"), "fw");
        // The record's own key wins over the default.
        assert_eq!(text(&recs[1], "_sourceName"), "own");
        assert_eq!(&*recs[1].origin.source, "t.log");
        assert_eq!(recs[1].origin.line, 2);

        let opts = InputOptions {
            set: vec![(Arc::from("_sourceName"), Value::str("given"))],
            ..InputOptions::default()
        };
        let (recs, _) = read_with(b"x\n", &opts);
        assert_eq!(text(&recs[0], "_sourceName"), "given");
        assert_eq!(recs[0].meta.len(), 1);
    }

    #[test]
    fn message_time_rules() {
        let input = concat!(
            "{\"ts\":1655071198,\"timestamp\":\"2022-06-12T22:00:00Z\"}\n",
            "{\"_messageTime\":5,\"ts\":1655071198}\n",
            "{\"time\":\"not a time\",\"ts\":1655071198}\n",
            "{\"flow\":{\"start\":\"2022-06-12T22:00:00.5Z\"}}\n",
            "plain text\n",
        );
        let opts = InputOptions {
            time_fields: vec!["timestamp".into(), "time".into(), "ts".into()],
            ..InputOptions::default()
        };
        let (recs, _) = read_with(input.as_bytes(), &opts);
        assert_eq!(recs[0].message_time, Some(1655071200000));
        // Own `_messageTime` wins on lookup, so nothing is derived.
        assert_eq!(recs[1].message_time, None);
        assert_eq!(recs[1].time_ms(), Some(5));
        // A present field that does not convert is passed over.
        assert_eq!(recs[2].message_time, Some(1655071198000));
        assert_eq!(recs[4].message_time, None);

        let opts = InputOptions {
            time_fields: vec!["flow.start".into()],
            ..InputOptions::default()
        };
        let (recs, _) = read_with(input.as_bytes(), &opts);
        assert_eq!(recs[3].message_time, Some(1655071200500));
    }

    #[test]
    fn sink_stop_stops_reading() {
        for input in [
            &b"a\nb\nc\nd\n"[..],
            b"[1, 2, 3, 4]",
            b"#fields\ta\n1\n2\n3\n4\n",
        ] {
            let mut diag = Diagnostics::default();
            let mut n = 0;
            let reader: Box<dyn Read + Send> = Box::new(Cursor::new(input.to_vec()));
            let flow = read_input(
                "t",
                reader,
                &InputOptions::default(),
                &mut diag,
                &mut |_| {
                    n += 1;
                    if n == 2 {
                        Flow::Stop
                    } else {
                        Flow::Continue
                    }
                },
            );
            assert!(matches!(flow, Ok(Flow::Stop)));
            assert_eq!(n, 2);
        }
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = enc.write_all(bytes);
        enc.finish().unwrap_or_default()
    }

    #[test]
    fn gzip_ndjson() {
        let plain = b"{\"a\":1}\n\n{\"a\":2,\"ts\":1655071198}\ntext line\n";
        let (recs, diag) = read_bytes(&gzip(plain));
        assert_eq!(diag.total(), 0);
        let got: Vec<(u64, String)> = recs.iter().map(|r| (r.origin.line, text(r, "a"))).collect();
        assert_eq!(got, [(1, "1".into()), (3, "2".into()), (4, String::new())]);
        assert_eq!(recs[1].message_time, Some(1655071198000));
        assert_eq!(raw(&recs[2]), "text line");
    }

    #[test]
    fn truncated_gzip_keeps_records_then_errors() {
        let mut body = String::new();
        for i in 0..20_000 {
            body.push_str(&format!("{{\"i\":{i}}}\n"));
        }
        let gz = gzip(body.as_bytes());
        let cut = gz.get(..gz.len() / 2).unwrap_or_default().to_vec();
        let mut diag = Diagnostics::default();
        let mut n = 0;
        let reader: Box<dyn Read + Send> = Box::new(Cursor::new(cut));
        let res = read_input(
            "t.gz",
            reader,
            &InputOptions::default(),
            &mut diag,
            &mut |_| {
                n += 1;
                Flow::Continue
            },
        );
        assert!(n > 0 && n < 20_000, "{n}");
        let msg = res.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.starts_with("gzip: "), "{msg}");
    }

    #[test]
    fn never_panics_on_noise() {
        let tokens: [&[u8]; 24] = [
            b"[",
            b"]",
            b"{",
            b"}",
            b"\"",
            b"\\",
            b",",
            b":",
            b"\n",
            b"\r",
            b"\t",
            b" ",
            b"#fields\tts\tx",
            b"#separator \\x09",
            b"#types\ttime\tset[count]",
            b"\x1f\x8b",
            b"\xff",
            b"1",
            b"1.5",
            b"a",
            b"-",
            b"(empty)",
            b"true",
            b"\xef\xbb\xbf",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..3000 {
            let mut input = Vec::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = seed % 40;
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                input.extend_from_slice(
                    tokens
                        .get((seed % 24) as usize)
                        .copied()
                        .unwrap_or_default(),
                );
            }
            let mut diag = Diagnostics::default();
            let reader: Box<dyn Read + Send> = Box::new(Cursor::new(input));
            let _ = read_input(
                "t",
                reader,
                &InputOptions::default(),
                &mut diag,
                &mut |_| Flow::Continue,
            );
        }
    }

    /// A reader that yields some bytes and then fails.
    struct Failing(Cursor<Vec<u8>>);

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::other("disk on fire")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn io_error_mid_read_is_returned_after_delivered_records() {
        let mut diag = Diagnostics::default();
        let mut got = Vec::new();
        let reader: Box<dyn Read + Send> = Box::new(Failing(Cursor::new(b"a\nb\n".to_vec())));
        let res = read_input("t", reader, &InputOptions::default(), &mut diag, &mut |r| {
            got.push(r);
            Flow::Continue
        });
        assert!(res.is_err());
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn open_names_the_path() {
        let e = open("/nonexistent/x.log").err().map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.starts_with("/nonexistent/x.log: ")));
        let e = open("/").err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("/: is a directory"));
    }

    /// Counts records of a real data file, if the shared data is present.
    fn count_real(path: &str) -> Option<usize> {
        let reader = open(path).ok()?;
        let mut diag = Diagnostics::default();
        let mut n = 0;
        read_input(
            path,
            reader,
            &InputOptions::default(),
            &mut diag,
            &mut |_| {
                n += 1;
                Flow::Continue
            },
        )
        .ok()?;
        assert_eq!(diag.total(), 0, "{:?}", diag.kept);
        Some(n)
    }

    #[test]
    fn real_data_counts() {
        let zeek = "/work/shared/data/real/stratosphere-zeek-conn/";
        let alerts = "/work/shared/data/real/suricata-sample-data-alerts/";
        let z: Option<usize> = [
            "008-zeek-mixed_conn.log.labeled",
            "011-zeek-mixed_conn.log.labeled",
        ]
        .iter()
        .map(|f| count_real(&format!("{zeek}{f}")))
        .sum();
        let a: Option<usize> = [
            "first-org-conf-2015_alerts-only.json",
            "honeypot-2018_alerts-only.json",
            "wrccdc-2017_alerts-only.json",
            "wrccdc-2018_alerts-only.json",
        ]
        .iter()
        .map(|f| count_real(&format!("{alerts}{f}")))
        .sum();
        if let (Some(z), Some(a)) = (z, a) {
            assert_eq!(z, 14_711);
            assert_eq!(a, 548);
        }
    }
}

/// The sequential line reader, for tests elsewhere in the crate.
#[cfg(test)]
pub(crate) fn line_reader_for_tests<R: io::BufRead>(r: R) -> line_reader::LineReader<R> {
    line_reader::LineReader::new(r)
}
