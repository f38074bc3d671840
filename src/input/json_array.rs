//! JSON array input (`[ {...}, {...} ]`), read as a stream of its elements
//! (SPEC §2): each element is a record, with its own text as `_raw` and the
//! line it starts on as its origin. Only one element is held at a time.
//!
//! A small scanner finds where each element ends (tracking strings and
//! brackets, never recursing), then serde_json parses just that element.
//! A truncated array, or one whose structure breaks, keeps every element
//! before the problem and warns once; a whole element that does not parse
//! (after the first) is kept as a text record with a warning. Several arrays one after another (`cat a.json b.json`)
//! are read in turn.
//!
//! A first byte `[` is also how many text logs start (`[2024-06-12 10:00]
//! INFO ...`, `[pid 42] ...`). So until the first element is known to be
//! good, the bytes read are kept; if the input turns out not to be a JSON
//! array, it is read again from the start as lines.

use std::io::{self, BufRead, BufReader, Cursor, Read};

use super::build::{json_reason, Builder, MALFORMED_JSON};
use super::detect::is_json_ws;
use super::{lines, Flow};
use crate::diag::Diagnostics;
use crate::record::Record;

/// Deeper than this, serde_json refuses an element (its recursion limit is
/// 128), so the scanner stops there instead of reading on.
const MAX_DEPTH: usize = 128;

/// How much of a first element is read before deciding that the input is
/// not a JSON array after all (the bytes read are held for the replay).
const FIRST_ELEMENT_CAP: usize = 64 << 20;

/// Reads `r` (which starts, after white space, with `[`) as JSON arrays.
pub(crate) fn read<R: BufRead>(
    r: R,
    b: &mut Builder,
    diag: &mut Diagnostics,
    sink: &mut dyn FnMut(Record) -> Flow,
) -> io::Result<Flow> {
    let mut reader = ArrayReader {
        s: Scanner::new(r),
        pending: None,
        first_looked_like_json: false,
        elem: Vec::new(),
    };
    match reader.run(b, diag, sink)? {
        Outcome::Done(flow) => Ok(flow),
        Outcome::Problem(p) => {
            b.warn(diag, MALFORMED_JSON, p.line, p.message());
            Ok(Flow::Continue)
        }
        Outcome::NotAnArray(p) => {
            if p.looked_like_json {
                let msg = format!("{}; read as text lines", p.message());
                b.warn(diag, MALFORMED_JSON, p.line, msg);
            }
            let replay = reader.s.pos.replay.take().unwrap_or_default();
            let again = BufReader::new(Cursor::new(replay).chain(reader.s.r));
            lines::read(again, b, diag, sink)
        }
    }
}

/// Why reading stopped short.
#[derive(Debug)]
struct Problem {
    /// The line where it went wrong.
    line: u64,
    /// The column (1-based, in bytes), when known.
    column: Option<u64>,
    /// What went wrong.
    reason: String,
    /// True when the first element started with `{` or `[`, so an input
    /// read as lines after all deserves a warning.
    looked_like_json: bool,
}

impl Problem {
    /// The warning text.
    fn message(&self) -> String {
        match self.column {
            Some(c) => format!("{} at column {c} of the JSON array", self.reason),
            None => format!("{} in the JSON array", self.reason),
        }
    }
}

/// How reading the arrays ended.
enum Outcome {
    /// At the end of input, or stopped by the sink.
    Done(Flow),
    /// A problem after some elements were delivered: warn once, stop.
    Problem(Problem),
    /// A problem before any element was delivered: read as lines instead.
    NotAnArray(Problem),
}

/// The array-level state machine over a [`Scanner`].
struct ArrayReader<R> {
    /// The bytes.
    s: Scanner<R>,
    /// The first element's record, held until the input is known to be an
    /// array; `None` also once committed.
    pending: Option<Record>,
    /// The first element started with `{` or `[`.
    first_looked_like_json: bool,
    /// The current element's bytes (reused).
    elem: Vec<u8>,
}

impl<R: BufRead> ArrayReader<R> {
    /// True once records go straight to the sink (no replay possible).
    fn committed(&self) -> bool {
        self.s.pos.replay.is_none()
    }

    /// Settles that this is a JSON array: stops keeping bytes for a replay
    /// and delivers the held first element.
    fn commit(&mut self, sink: &mut dyn FnMut(Record) -> Flow) -> Flow {
        self.s.pos.replay = None;
        match self.pending.take() {
            Some(rec) => sink(rec),
            None => Flow::Continue,
        }
    }

    /// A problem: the end of reading if committed, a replay otherwise.
    fn problem(&self, mut p: Problem) -> Outcome {
        if self.committed() {
            Outcome::Problem(p)
        } else {
            p.looked_like_json |= self.first_looked_like_json;
            Outcome::NotAnArray(p)
        }
    }

    /// A problem at the scanner's position.
    fn here(&self, reason: &str) -> Problem {
        Problem {
            line: self.s.pos.line,
            column: Some(self.s.pos.col + 1),
            reason: reason.to_string(),
            looked_like_json: false,
        }
    }

    /// A problem at the end of input, placed on the last line.
    fn at_eof(&self, reason: &str) -> Problem {
        let pos = &self.s.pos;
        let line = if pos.col == 0 && pos.line > 1 {
            pos.line - 1
        } else {
            pos.line
        };
        Problem {
            line,
            column: None,
            reason: reason.to_string(),
            looked_like_json: false,
        }
    }

    /// Reads arrays until the input ends, the sink stops or a problem.
    fn run(
        &mut self,
        b: &mut Builder,
        diag: &mut Diagnostics,
        sink: &mut dyn FnMut(Record) -> Flow,
    ) -> io::Result<Outcome> {
        let mut first_array = true;
        loop {
            match self.s.skip_ws()? {
                None => return Ok(Outcome::Done(self.commit(sink))),
                Some(b'[') => {
                    // A second array: the first one was good, so commit.
                    if !first_array && self.commit(sink) == Flow::Stop {
                        return Ok(Outcome::Done(Flow::Stop));
                    }
                    first_array = false;
                    self.s.bump()?;
                }
                Some(_) => return Ok(self.problem(self.here("trailing characters"))),
            }
            if let Some(end) = self.elements(b, diag, sink)? {
                return Ok(end);
            }
        }
    }

    /// Reads the elements of one array, after its `[`, through its `]`.
    /// Returns `None` when the array ended well.
    fn elements(
        &mut self,
        b: &mut Builder,
        diag: &mut Diagnostics,
        sink: &mut dyn FnMut(Record) -> Flow,
    ) -> io::Result<Option<Outcome>> {
        let mut first = true;
        loop {
            match self.s.skip_ws()? {
                None => return Ok(Some(self.truncated(sink))),
                Some(b']') if first => {
                    self.s.bump()?;
                    return Ok(None);
                }
                Some(b']') => return Ok(Some(self.problem(self.here("trailing comma")))),
                Some(_) => {}
            }
            first = false;
            let rec = match self.element(b, diag)? {
                Ok(rec) => rec,
                Err(p) => return Ok(Some(self.problem(p))),
            };
            if self.committed() {
                if sink(rec) == Flow::Stop {
                    return Ok(Some(Outcome::Done(Flow::Stop)));
                }
            } else {
                self.pending = Some(rec);
            }
            match self.s.skip_ws()? {
                None => return Ok(Some(self.truncated(sink))),
                Some(b',') => {
                    self.s.bump()?;
                    if self.commit(sink) == Flow::Stop {
                        return Ok(Some(Outcome::Done(Flow::Stop)));
                    }
                }
                Some(b']') => {
                    self.s.bump()?;
                    return Ok(None);
                }
                Some(_) => {
                    return Ok(Some(self.problem(self.here("expected `,` or `]`"))));
                }
            }
        }
    }

    /// The input ended inside an array: keep what was read, warn once.
    fn truncated(&mut self, sink: &mut dyn FnMut(Record) -> Flow) -> Outcome {
        let p = self.at_eof("EOF while parsing a list");
        if self.committed() || self.pending.is_some() {
            if self.commit(sink) == Flow::Stop {
                return Outcome::Done(Flow::Stop);
            }
            return Outcome::Problem(p);
        }
        Outcome::NotAnArray(p)
    }

    /// Scans and parses one element into a record.
    fn element(
        &mut self,
        b: &mut Builder,
        diag: &mut Diagnostics,
    ) -> io::Result<Result<Record, Problem>> {
        let (line, col) = (self.s.pos.line, self.s.pos.col);
        let cap = (!self.committed()).then_some(FIRST_ELEMENT_CAP);
        let end = self.s.element(&mut self.elem, cap)?;
        let looked_like_json = matches!(self.elem.first(), Some(b'{' | b'['));
        if !self.committed() {
            self.first_looked_like_json = looked_like_json;
        }
        let problem = |reason: String, e: Option<&serde_json::Error>| {
            // serde's position is within the element; make it the input's.
            let (line, column) = match e {
                Some(e) if e.line() > 1 => (line + e.line() as u64 - 1, Some(e.column() as u64)),
                Some(e) => (line, Some(col + e.column() as u64)),
                None => (line, None),
            };
            Problem {
                line,
                column,
                reason,
                looked_like_json,
            }
        };
        if end == End::TooLong {
            let reason = format!("first element longer than {FIRST_ELEMENT_CAP} bytes");
            return Ok(Err(problem(reason, None)));
        }
        let text = String::from_utf8_lossy(&self.elem);
        let parsed = serde_json::from_str::<serde_json::Value>(&text);
        let json = match (end, parsed) {
            (End::Complete, Ok(json)) => json,
            // A whole element serde refuses (a number out of range): once
            // the input is known to be an array, it is kept as a text
            // record and the elements after it are read, as a malformed
            // line of NDJSON is.
            (End::Complete, Err(e)) if self.committed() => {
                let p = problem(json_reason(&e), Some(&e));
                let msg = format!("{}; kept as a text record", p.message());
                b.warn(diag, MALFORMED_JSON, p.line, msg);
                return Ok(Ok(b.record(Vec::new(), &text, line, &[])));
            }
            (_, Err(e)) => return Ok(Err(problem(json_reason(&e), Some(&e)))),
            // The scanner saw a broken element that serde accepted; trust
            // the scanner, which looked at what followed too.
            (_, Ok(_)) => return Ok(Err(problem("malformed element".into(), None))),
        };
        if let Err(e) = std::str::from_utf8(&self.elem) {
            b.warn_utf8(diag, line, e.valid_up_to());
        }
        Ok(Ok(match json {
            serde_json::Value::Object(map) => {
                let fields = b.fields_of(map);
                b.record(fields, &text, line, &[])
            }
            _ => b.record(Vec::new(), &text, line, &[]),
        }))
    }
}

/// How the scan of one element ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// The element is whole (serde decides whether it is valid).
    Complete,
    /// Cannot be valid JSON: input ended inside it, a bracket does not
    /// match, it nests too deep, or a string holds a control character.
    Broken,
    /// Longer than the cap.
    TooLong,
}

/// Where the scanner is, and the bytes kept for a replay.
struct Pos {
    /// 1-based line of the next byte.
    line: u64,
    /// 0-based byte column of the next byte.
    col: u64,
    /// Every byte consumed so far, while the input may still be re-read
    /// as lines; `None` once committed to reading a JSON array.
    replay: Option<Vec<u8>>,
}

impl Pos {
    /// Notes that `seg` was consumed.
    fn take(&mut self, seg: &[u8]) {
        let newlines = seg.iter().filter(|b| **b == b'\n').count() as u64;
        if newlines > 0 {
            self.line += newlines;
            let after = seg.iter().rev().take_while(|b| **b != b'\n').count();
            self.col = after as u64;
        } else {
            self.col += seg.len() as u64;
        }
        if let Some(r) = &mut self.replay {
            r.extend_from_slice(seg);
        }
    }
}

/// Byte-level scanning of JSON text from a buffered reader.
struct Scanner<R> {
    /// The input.
    r: R,
    /// Position and replay.
    pos: Pos,
}

/// Calls `f` on the reader's buffered bytes (empty at the end of input),
/// retrying interrupted reads.
fn with_buf<R: BufRead, T>(r: &mut R, f: impl FnOnce(&[u8]) -> T) -> io::Result<T> {
    loop {
        match r.fill_buf() {
            Ok(buf) => return Ok(f(buf)),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The first `n` bytes of `b` (all of it when shorter).
fn head(b: &[u8], n: usize) -> &[u8] {
    b.get(..n).unwrap_or(b)
}

impl<R: BufRead> Scanner<R> {
    /// A scanner at the start of `r`, keeping bytes for a replay.
    fn new(r: R) -> Self {
        Scanner {
            r,
            pos: Pos {
                line: 1,
                col: 0,
                replay: Some(Vec::new()),
            },
        }
    }

    /// Skips JSON white space; returns the next byte without consuming it,
    /// or `None` at the end of input.
    fn skip_ws(&mut self) -> io::Result<Option<u8>> {
        loop {
            let pos = &mut self.pos;
            let (n, next, eof) = with_buf(&mut self.r, |buf| {
                let n = buf
                    .iter()
                    .position(|b| !is_json_ws(*b))
                    .unwrap_or(buf.len());
                pos.take(head(buf, n));
                (n, buf.get(n).copied(), buf.is_empty())
            })?;
            self.r.consume(n);
            if eof {
                return Ok(None);
            }
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    /// Consumes one byte (one just returned by [`Scanner::skip_ws`]).
    fn bump(&mut self) -> io::Result<()> {
        let pos = &mut self.pos;
        let n = with_buf(&mut self.r, |buf| {
            let seg = head(buf, 1);
            pos.take(seg);
            seg.len()
        })?;
        self.r.consume(n);
        Ok(())
    }

    /// Consumes one element into `out` (cleared first). The next byte must
    /// be the element's first.
    fn element(&mut self, out: &mut Vec<u8>, cap: Option<usize>) -> io::Result<End> {
        out.clear();
        let mut st = ElementState::default();
        loop {
            let pos = &mut self.pos;
            let (n, end) = with_buf(&mut self.r, |buf| {
                if buf.is_empty() {
                    return (0, Some(st.at_eof()));
                }
                let (n, end) = st.feed(buf);
                let seg = head(buf, n);
                pos.take(seg);
                out.extend_from_slice(seg);
                (n, end)
            })?;
            self.r.consume(n);
            if let Some(end) = end {
                return Ok(end);
            }
            if cap.is_some_and(|c| out.len() > c) {
                return Ok(End::TooLong);
            }
        }
    }
}

/// Where the scan of an element is.
#[derive(Default)]
struct ElementState {
    /// Nothing read yet.
    started: bool,
    /// A number or literal: ends before white space, `,`, `]` or `}`.
    scalar: bool,
    /// Open brackets, innermost last.
    stack: Vec<u8>,
    /// Inside a string.
    in_str: bool,
    /// Just after a backslash in a string.
    escaped: bool,
}

impl ElementState {
    /// Scans `buf`; returns how many bytes belong to the element and, when
    /// it ended within them, how.
    fn feed(&mut self, buf: &[u8]) -> (usize, Option<End>) {
        for (i, &c) in buf.iter().enumerate() {
            let through = i + 1;
            if !self.started {
                self.started = true;
                match c {
                    b'{' | b'[' => self.stack.push(c),
                    b'"' => self.in_str = true,
                    // A lone delimiter is an element of one byte, so that
                    // serde names the problem ("expected value").
                    b',' | b']' | b'}' => return (through, Some(End::Complete)),
                    _ => self.scalar = true,
                }
                continue;
            }
            if self.scalar {
                if is_json_ws(c) || matches!(c, b',' | b']' | b'}') {
                    return (i, Some(End::Complete));
                }
                continue;
            }
            if self.in_str {
                if self.escaped {
                    self.escaped = false;
                } else if c == b'\\' {
                    self.escaped = true;
                } else if c == b'"' {
                    self.in_str = false;
                    if self.stack.is_empty() {
                        return (through, Some(End::Complete));
                    }
                } else if c < 0x20 {
                    // Raw control characters (a newline) never occur in a
                    // JSON string: stop here rather than read on.
                    return (through, Some(End::Broken));
                }
                continue;
            }
            match c {
                b'"' => self.in_str = true,
                b'{' | b'[' => {
                    self.stack.push(c);
                    if self.stack.len() > MAX_DEPTH {
                        return (through, Some(End::Broken));
                    }
                }
                b'}' | b']' => {
                    let open = if c == b'}' { b'{' } else { b'[' };
                    if self.stack.pop() != Some(open) {
                        return (through, Some(End::Broken));
                    }
                    if self.stack.is_empty() {
                        return (through, Some(End::Complete));
                    }
                }
                _ => {}
            }
        }
        (buf.len(), None)
    }

    /// How the element ends when the input ends: a number or literal is
    /// whole, anything else is cut short.
    fn at_eof(&self) -> End {
        if self.scalar {
            End::Complete
        } else {
            End::Broken
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::build::INVALID_UTF8;
    use super::super::test_util::*;
    use super::*;

    const THREE: &str = r#"[
  {
    "timestamp": "2015-03-29T11:01:38Z",
    "src_ip": "222.186.56.46",
    "alert": {"severity": 2}
  },
  {"timestamp": "2015-03-29T11:01:39Z", "src_ip": "10.0.0.1"},

  {
    "timestamp": "2015-03-29T11:01:40Z", "n": 3
  }
]
"#;

    #[test]
    fn elements_are_streamed_with_raw_and_lines() {
        let (recs, diag) = read_bytes(THREE.as_bytes());
        assert_eq!(diag.total(), 0);
        assert_eq!(recs.len(), 3);
        let lines: Vec<u64> = recs.iter().map(|r| r.origin.line).collect();
        assert_eq!(lines, [2, 7, 9]);
        assert_eq!(
            raw(&recs[0]),
            "{\n    \"timestamp\": \"2015-03-29T11:01:38Z\",\n    \"src_ip\": \"222.186.56.46\",\n    \"alert\": {\"severity\": 2}\n  }"
        );
        assert_eq!(text(&recs[0], "alert.severity"), "2");
        assert_eq!(text(&recs[1], "src_ip"), "10.0.0.1");
        assert_eq!(text(&recs[2], "n"), "3");
        assert_eq!(recs[2].message_time, Some(1427626900000));
    }

    #[test]
    fn truncated_array_keeps_complete_elements() {
        let cut = THREE.find("\"n\"").unwrap_or(0);
        let (recs, diag) = read_bytes(THREE.get(..cut).unwrap_or("").as_bytes());
        assert_eq!(recs.len(), 2);
        assert_eq!(diag.count(MALFORMED_JSON), 1);
        let w = &diag.kept[0];
        assert_eq!(w.line, 10);
        assert!(
            w.message.starts_with("EOF while parsing a value"),
            "{}",
            w.message
        );

        // Cut between elements.
        let (recs, diag) = read_bytes(b"[{\"a\":1},\n{\"a\":2}\n");
        assert_eq!(recs.len(), 2);
        assert_eq!(diag.kept[0].line, 2);
        assert!(diag.kept[0].message.starts_with("EOF while parsing a list"));

        // Cut after the only element.
        let (recs, diag) = read_bytes(b"[{\"a\":1}");
        assert_eq!(recs.len(), 1);
        assert_eq!(diag.count(MALFORMED_JSON), 1);
    }

    #[test]
    fn broken_array_stops_at_the_problem() {
        let (recs, diag) = read_bytes(b"[{\"a\":1},\n {\"a\":2}\n {\"a\":3}]");
        assert_eq!(recs.len(), 2);
        assert_eq!(diag.kept[0].line, 3);
        assert_eq!(
            diag.kept[0].message,
            "expected `,` or `]` at column 2 of the JSON array"
        );

        // A whole element that does not parse is a text record; the
        // elements after it are read.
        let (recs, diag) = read_bytes(b"[1, 2,\n {\"a\": tru}, 4]");
        assert_eq!(recs.len(), 4);
        assert_eq!(diag.kept[0].line, 2);
        assert_eq!(
            diag.kept[0].message,
            "expected ident at column 11 of the JSON array; kept as a text record"
        );

        let (recs, diag) = read_bytes(b"[1, 2,]");
        assert_eq!(recs.len(), 2);
        assert!(diag.kept[0].message.starts_with("trailing comma"));

        // A deep element: serde's recursion limit, no stack overflow.
        let mut deep = b"[1,\n".to_vec();
        deep.extend(std::iter::repeat_n(b'[', 200_000));
        let (recs, diag) = read_bytes(&deep);
        assert_eq!(recs.len(), 1);
        assert!(diag.kept[0].message.starts_with("recursion limit exceeded"));
    }

    #[test]
    fn non_object_elements_are_text_records() {
        let (recs, diag) = read_bytes(b"[{\"a\":1}, \"text\", 42, [1, 2], null, true]");
        assert_eq!(diag.total(), 0);
        let raws: Vec<&str> = recs.iter().map(raw).collect();
        assert_eq!(
            raws,
            ["{\"a\":1}", "\"text\"", "42", "[1, 2]", "null", "true"]
        );
        assert!(recs.iter().skip(1).all(|r| r.fields.is_empty()));
    }

    #[test]
    fn empty_and_concatenated_arrays() {
        let (recs, diag) = read_bytes(b" [ ] \n[{\"a\":1}]\n[\n{\"a\":2}\n]\n");
        assert_eq!(diag.total(), 0);
        let got: Vec<(u64, String)> = recs.iter().map(|r| (r.origin.line, text(r, "a"))).collect();
        assert_eq!(got, [(2, "1".to_string()), (4, "2".to_string())]);

        let (recs, diag) = read_bytes(b"[1,2] junk\n");
        assert_eq!(recs.len(), 2);
        assert!(diag.kept[0].message.starts_with("trailing characters"));
    }

    #[test]
    fn strings_with_brackets_and_escapes() {
        let (recs, diag) = read_bytes(br#"[{"s":"]}[{\"\\"}, "a,]b"]"#);
        assert_eq!(diag.total(), 0);
        assert_eq!(text(&recs[0], "s"), r#"]}[{"\"#);
        assert_eq!(raw(&recs[1]), r#""a,]b""#);
    }

    #[test]
    fn text_logs_starting_with_a_bracket_are_lines() {
        for input in [
            &b"[2024-06-12 10:00:01] INFO started\n[2024-06-12 10:00:02] WARN x\n"[..],
            b"[INFO] a\n[WARN] b\n",
            b"[12345] worker up\nsecond line\n",
            b"[] empty brackets\nmore\n",
            b"[\"GET /x\" 200]\n{\"a\":1}\n",
        ] {
            let (recs, diag) = read_bytes(input);
            assert_eq!(diag.total(), 0, "{:?}", String::from_utf8_lossy(input));
            assert_eq!(recs.len(), 2);
            assert!(recs[0].fields.is_empty());
            let first_line = input.split(|b| *b == b'\n').next().unwrap_or_default();
            assert_eq!(raw(&recs[0]).as_bytes(), first_line);
            assert_eq!(recs[1].origin.line, 2);
        }
        // Looked like JSON but broke in the first element: warned.
        let (recs, diag) = read_bytes(b"[{\"a\":1,,}]\n{\"b\":2}\n");
        assert_eq!(recs.len(), 2);
        assert_eq!(text(&recs[1], "b"), "2");
        assert_eq!(diag.count(MALFORMED_JSON), 1);
        assert!(diag.kept[0].message.ends_with("read as text lines"));
    }

    #[test]
    fn invalid_utf8_in_an_element() {
        let (recs, diag) = read_bytes(b"[\n{\"a\":\"x\xff\"}]");
        assert_eq!(recs.len(), 1);
        assert_eq!(text(&recs[0], "a"), "x\u{fffd}");
        assert_eq!(diag.count(INVALID_UTF8), 1);
        assert_eq!(diag.kept[0].line, 2);
    }

    #[test]
    fn elements_span_buffer_boundaries() {
        let mut input = String::from("[");
        for i in 0..2000 {
            input.push_str(&format!(
                "{{\"i\":{i},\"pad\":\"{}\"}},\n",
                "y".repeat(i % 300)
            ));
        }
        input.push_str("{\"i\":2000}]");
        let reader = Box::new(io::BufReader::with_capacity(
            7,
            Cursor::new(input.into_bytes()),
        ));
        let mut b = Builder::new("t", &Default::default());
        let mut diag = Diagnostics::default();
        let mut n = 0u64;
        let flow = read(reader, &mut b, &mut diag, &mut |r| {
            assert_eq!(text(&r, "i"), n.to_string());
            assert_eq!(r.origin.line, n + 1);
            n += 1;
            Flow::Continue
        });
        assert!(matches!(flow, Ok(Flow::Continue)));
        assert_eq!(n, 2001);
        assert_eq!(diag.total(), 0);
    }
}
