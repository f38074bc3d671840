//! Reading an input line by line without holding more than one line:
//! each line whole however long, without its `\n` or `\r\n`, numbered.

use std::io::{self, BufRead};

/// After a line longer than this, the line buffer is given back rather than
/// kept at its largest size for the rest of the input.
const KEEP_BUF_CAP: usize = 4 << 20;

/// Numbered lines of a buffered reader.
pub(crate) struct LineReader<R> {
    /// The input.
    r: R,
    /// The current line's bytes, reused between lines.
    buf: Vec<u8>,
    /// 1-based number of the line last returned.
    line: u64,
}

impl<R: BufRead> LineReader<R> {
    /// Lines of `r`, numbered from 1.
    pub(crate) fn new(r: R) -> Self {
        LineReader {
            r,
            buf: Vec::new(),
            line: 0,
        }
    }

    /// The next line and its number, without the line end (a trailing
    /// `\r` is dropped too); `None` at the end of input.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        if self.buf.capacity() > KEEP_BUF_CAP {
            self.buf = Vec::new();
        } else {
            self.buf.clear();
        }
        if self.read_line()? == 0 {
            return Ok(None);
        }
        self.line += 1;
        let mut s = self.buf.as_slice();
        if let Some(t) = s.strip_suffix(b"\n") {
            s = t;
        }
        if let Some(t) = s.strip_suffix(b"\r") {
            s = t;
        }
        Ok(Some((self.line, s)))
    }
}

impl<R: BufRead> LineReader<R> {
    /// `read_until(b'\n')`, but a line that outgrows the memory budget (an
    /// endless one, such as /dev/zero's) ends the input with an error.
    fn read_line(&mut self) -> io::Result<usize> {
        let mut read = 0;
        loop {
            let avail = match self.r.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                return Ok(read);
            }
            let (take, done) = match memchr::memchr(b'\n', avail) {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            // A long line's buffer doubles as it grows: the doubling must
            // fit in the budget, not only what is held now.
            if self.buf.len() >= CHECK_LINES_OVER && self.buf.capacity() - self.buf.len() < take {
                if let Err(e) = crate::memory::check_growth(self.buf.capacity().saturating_mul(2)) {
                    return Err(crate::memory::long_line(self.line + 1, e));
                }
            }
            self.buf
                .extend_from_slice(avail.get(..take).unwrap_or_default());
            self.r.consume(take);
            read += take;
            if done {
                return Ok(read);
            }
        }
    }
}

/// Lines longer than this check the memory budget as they grow.
const CHECK_LINES_OVER: usize = 16 << 20;

/// True for a line of white space only; such lines are not records.
pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn lines_are_numbered_and_stripped() {
        let mut r = LineReader::new(Cursor::new(b"a\r\n\nb\rc\nlast\r".to_vec()));
        let mut got = Vec::new();
        while let Ok(Some((n, l))) = r.next_line() {
            got.push((n, String::from_utf8_lossy(l).into_owned()));
        }
        let want = [(1, "a"), (2, ""), (3, "b\rc"), (4, "last")];
        let want: Vec<(u64, String)> = want.iter().map(|(n, s)| (*n, s.to_string())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_long_line_is_read_whole() {
        let mut input = vec![b'x'; 3 * super::super::detect::BUF_CAP + 17];
        input.extend_from_slice(b"\nnext\n");
        let reader = io::BufReader::with_capacity(1024, Cursor::new(input));
        let mut r = LineReader::new(reader);
        let first = r.next_line().ok().flatten().map(|(n, l)| (n, l.len()));
        assert_eq!(first, Some((1, 3 * super::super::detect::BUF_CAP + 17)));
        let second = r.next_line().ok().flatten().map(|(n, l)| (n, l.to_vec()));
        assert_eq!(second, Some((2, b"next".to_vec())));
    }

    #[test]
    fn blank() {
        assert!(is_blank(b" \t "));
        assert!(is_blank(b""));
        assert!(!is_blank(b" x"));
    }
}
