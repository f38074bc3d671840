//! Recognising an input's format from its first bytes (SPEC §2): gzip by
//! its magic bytes (unwrapped, then recognised again), a Zeek log by a first
//! line `#separator` or `#fields`, a JSON array by a first non-blank `[`,
//! otherwise lines. The bytes looked at are replayed, so the format readers
//! see the input from its start.

use std::io::{self, BufReader, Cursor, Read};

use flate2::read::MultiGzDecoder;

/// The buffer size for reading inputs: large reads, few system calls.
pub(crate) const BUF_CAP: usize = 256 * 1024;

/// How far to look for the first non-blank byte before settling on lines.
const SNIFF_CAP: usize = 1 << 20;

/// How many gzip layers are unwrapped; a gzip "quine" decompresses to itself.
const MAX_GZIP_LAYERS: usize = 4;

/// The gzip magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The UTF-8 byte order mark, dropped from the start of an input.
const BOM: [u8; 3] = [0xef, 0xbb, 0xbf];

/// An input's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// One record per non-blank line (NDJSON or text).
    Lines,
    /// A JSON array, one record per element.
    JsonArray,
    /// A Zeek TSV log.
    Zeek,
}

/// A buffered input, positioned at its start.
pub(crate) type Input = BufReader<Box<dyn Read + Send>>;

/// Recognises the format of `reader` and returns it with the input
/// (decompressed if it was gzip, without a leading byte order mark).
pub(crate) fn sniff(mut reader: Box<dyn Read + Send>) -> io::Result<(Format, Input)> {
    let mut layers = 0;
    loop {
        let mut prefix = Vec::new();
        let mut eof = fill_to(&mut reader, &mut prefix, BOM.len())?;
        if prefix.starts_with(&GZIP_MAGIC) {
            layers += 1;
            if layers > MAX_GZIP_LAYERS {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("gzip nested more than {MAX_GZIP_LAYERS} levels deep"),
                ));
            }
            let inner = Cursor::new(prefix).chain(reader);
            reader = Box::new(GzipContext(MultiGzDecoder::new(inner)));
            continue;
        }
        if prefix.starts_with(&BOM) {
            prefix.drain(..BOM.len());
        }
        let format = loop {
            if let Some(f) = decide(&prefix, eof) {
                break f;
            }
            // Undecided means more bytes were needed and none is at EOF.
            let want = prefix.len().saturating_add(4096);
            eof = fill_to(&mut reader, &mut prefix, want)?;
        };
        let replayed: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(reader));
        return Ok((format, BufReader::with_capacity(BUF_CAP, replayed)));
    }
}

/// JSON white space, the only bytes allowed before an array's `[`.
pub(crate) fn is_json_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The format told by the first bytes, or `None` when more are needed.
fn decide(p: &[u8], eof: bool) -> Option<Format> {
    let told = match p.iter().position(|b| !is_json_ws(*b)) {
        None if eof => Some(Format::Lines),
        None => None,
        Some(start) => {
            let rest = p.get(start..).unwrap_or_default();
            match rest.first() {
                Some(b'[') => Some(Format::JsonArray),
                // A Zeek header starts its line; `  #fields` is text.
                Some(b'#') if start == 0 || p.get(start - 1) == Some(&b'\n') => {
                    zeek_header(rest, eof)
                }
                _ => Some(Format::Lines),
            }
        }
    };
    // Past the cap, whatever could not be told is lines.
    told.or((p.len() >= SNIFF_CAP).then_some(Format::Lines))
}

/// Looks through the leading `#` lines for `#separator` or `#fields`:
/// usually the very first line, but Zeek's own test baselines open with a
/// `### BTest baseline ...` comment line.
fn zeek_header(mut rest: &[u8], eof: bool) -> Option<Format> {
    loop {
        let line_end = rest.iter().position(|b| *b == b'\n');
        let head = rest.get(..line_end.unwrap_or(rest.len())).unwrap_or(rest);
        if head.starts_with(b"#separator") || head.starts_with(b"#fields") {
            return Some(Format::Zeek);
        }
        let next = match line_end {
            Some(e) => rest.get(e + 1..).unwrap_or_default(),
            // Only a partial line so far: its end and the next are needed.
            None => return eof.then_some(Format::Lines),
        };
        match next.first() {
            Some(b'#') => rest = next,
            Some(_) => return Some(Format::Lines),
            None => return eof.then_some(Format::Lines),
        }
    }
}

/// Reads into `buf` until it holds `want` bytes or the input ends; returns
/// true at the end of input.
fn fill_to(r: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let mut chunk = [0u8; 8192];
    while buf.len() < want {
        match r.read(&mut chunk) {
            Ok(0) => return Ok(true),
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// Says "gzip" in errors from decompression ("gzip: corrupt deflate
/// stream"), so the caller's "file: error" message makes sense.
struct GzipContext<R>(R);

impl<R: Read> Read for GzipContext<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| match e.kind() {
            io::ErrorKind::Interrupted => e,
            kind => io::Error::new(kind, format!("gzip: {e}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn sniffed(bytes: &[u8]) -> (Format, Vec<u8>) {
        let (f, mut input) = sniff(Box::new(Cursor::new(bytes.to_vec()))).expect("sniff");
        let mut rest = Vec::new();
        input.read_to_end(&mut rest).expect("read");
        (f, rest)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(bytes).expect("gzip write");
        enc.finish().expect("gzip finish")
    }

    #[test]
    fn formats_by_content() {
        assert_eq!(sniffed(b"{\"a\":1}\n").0, Format::Lines);
        assert_eq!(sniffed(b"\n  \r\n [1]").0, Format::JsonArray);
        assert_eq!(sniffed(b"#separator \\x09\n").0, Format::Zeek);
        assert_eq!(sniffed(b"#fields\ta\n").0, Format::Zeek);
        assert_eq!(sniffed(b"#fields").0, Format::Zeek);
        assert_eq!(sniffed(b"# a comment\n").0, Format::Lines);
        assert_eq!(sniffed(b"#sep").0, Format::Lines);
        assert_eq!(
            sniffed(b"### BTest baseline\n#separator \\x09\n").0,
            Format::Zeek
        );
        assert_eq!(sniffed(b"# comment\n# more\n#fields\ta\n").0, Format::Zeek);
        assert_eq!(sniffed(b"# comment\ntext\n#fields\ta\n").0, Format::Lines);
        assert_eq!(
            sniffed(b"#Software: IIS\n#Fields: date time\n").0,
            Format::Lines
        );
        assert_eq!(sniffed(b"  #fields\ta\n").0, Format::Lines);
        assert_eq!(sniffed(b"").0, Format::Lines);
        assert_eq!(sniffed(b"\n\n").0, Format::Lines);
        // The bytes looked at are all there for the reader.
        assert_eq!(sniffed(b"\n  \r\n [1]").1, b"\n  \r\n [1]");
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(
            sniffed(b"\xef\xbb\xbf[1]"),
            (Format::JsonArray, b"[1]".to_vec())
        );
    }

    #[test]
    fn gzip_is_unwrapped_then_recognised() {
        let (f, rest) = sniffed(&gzip(b"#fields\ta\n1\n"));
        assert_eq!(f, Format::Zeek);
        assert_eq!(rest, b"#fields\ta\n1\n");
        // Concatenated gzip members read as one stream.
        let mut two = gzip(b"[1,");
        two.extend(gzip(b"2]"));
        assert_eq!(sniffed(&two), (Format::JsonArray, b"[1,2]".to_vec()));
        // Gzip inside gzip.
        assert_eq!(
            sniffed(&gzip(&gzip(b"x\n"))),
            (Format::Lines, b"x\n".to_vec())
        );
    }

    #[test]
    fn gzip_nested_past_the_limit_is_an_error() {
        let mut b = b"x\n".to_vec();
        for _ in 0..=MAX_GZIP_LAYERS {
            b = gzip(&b);
        }
        let msg = sniff(Box::new(Cursor::new(b)))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(msg.contains("gzip nested more than 4 levels"), "{msg}");
    }

    #[test]
    fn corrupt_gzip_is_an_error() {
        let mut bad = gzip(b"hello hello hello\n");
        let n = bad.len();
        if let Some(b) = bad.get_mut(n / 2) {
            *b ^= 0xff;
        }
        let res = sniff(Box::new(Cursor::new(bad))).and_then(|(_, mut r)| {
            let mut v = Vec::new();
            r.read_to_end(&mut v)
        });
        let msg = res.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.starts_with("gzip: "), "{msg}");
    }

    /// A reader that hands out one byte per call, like a slow pipe.
    struct Trickle(Cursor<Vec<u8>>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match buf.first_mut() {
                Some(b) => self.0.read(std::slice::from_mut(b)),
                None => Ok(0),
            }
        }
    }

    #[test]
    fn short_reads_are_accumulated() {
        let (f, mut input) = sniff(Box::new(Trickle(Cursor::new(
            b"\n#separator \\x09\n".to_vec(),
        ))))
        .expect("sniff");
        assert_eq!(f, Format::Zeek);
        let mut s = String::new();
        input.read_to_string(&mut s).expect("read");
        assert_eq!(s, "\n#separator \\x09\n");
    }
}
