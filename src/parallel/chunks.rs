//! Cutting an input into chunks of whole lines: each chunk is the next
//! [`CHUNK_SIZE`] bytes, read in full (or to the end of input), cut back to
//! its last newline; the cut-off part starts the next chunk. Where chunks
//! begin depends only on the input, never on how the bytes arrived or how
//! many threads run, so a run's chunks are the same every time.

use std::io::{self, Read};

/// Bytes read per chunk (a line longer than this makes a longer chunk).
pub(crate) const CHUNK_SIZE: usize = 1 << 20;

/// A run of whole lines of one input.
pub(crate) struct Chunk {
    /// The chunk's place in the input, from 0.
    pub(crate) index: u64,
    /// The 1-based number of its first line.
    pub(crate) first_line: u64,
    /// The bytes: whole lines, each ending in `\n` except perhaps the
    /// input's last.
    pub(crate) bytes: Vec<u8>,
}

impl Chunk {
    /// The chunk's lines, numbered, without their `\n` or `\r\n` (as the
    /// sequential line reader gives them).
    pub(crate) fn lines(&self) -> impl Iterator<Item = (u64, &[u8])> {
        let b = &self.bytes[..];
        let mut ends = memchr::memchr_iter(b'\n', b);
        let mut start = 0;
        let mut n = self.first_line;
        std::iter::from_fn(move || {
            let end = match ends.next() {
                Some(e) => e,
                // The input's last line may lack its `\n`.
                None if start < b.len() => b.len(),
                None => return None,
            };
            let line = b.get(start..end).unwrap_or_default();
            start = end + 1;
            n += 1;
            Some((n - 1, line.strip_suffix(b"\r").unwrap_or(line)))
        })
    }
}

/// Reads the chunks of an input in order.
pub(crate) struct ChunkReader<R> {
    r: R,
    size: usize,
    /// The start of a line cut off the end of the previous chunk.
    carry: Vec<u8>,
    next_index: u64,
    next_line: u64,
    eof: bool,
    /// A read error, reported after the whole lines read before it.
    error: Option<io::Error>,
}

impl<R: Read> ChunkReader<R> {
    /// Chunks of `r` of about `size` bytes.
    pub(crate) fn new(r: R, size: usize) -> Self {
        ChunkReader {
            r,
            size: size.max(1),
            carry: Vec::new(),
            next_index: 0,
            next_line: 1,
            eof: false,
            error: None,
        }
    }

    /// The index the next chunk will have.
    pub(crate) fn next_index(&self) -> u64 {
        self.next_index
    }

    /// The next chunk, or `None` at the end of input.
    pub(crate) fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut buf = std::mem::take(&mut self.carry);
        buf.reserve(self.size);
        let mut searched = 0;
        loop {
            if !self.eof {
                let want = (self.size.saturating_sub(buf.len() - searched)).max(1) as u64;
                match (&mut self.r).take(want).read_to_end(&mut buf) {
                    Ok(got) if (got as u64) < want => self.eof = true,
                    Ok(_) => {}
                    Err(e) => {
                        // As the sequential reader does: the whole lines
                        // read before the error count, the partial one
                        // does not; the error comes after them.
                        self.error = Some(e);
                        self.eof = true;
                        let keep = memchr::memrchr(b'\n', &buf).map_or(0, |p| p + 1);
                        buf.truncate(keep);
                        break;
                    }
                }
            }
            if let Some(p) = memchr::memrchr(b'\n', buf.get(searched..).unwrap_or_default()) {
                let cut = searched + p + 1;
                self.carry = buf.get(cut..).unwrap_or_default().to_vec();
                buf.truncate(cut);
                break;
            }
            if self.eof {
                break;
            }
            // No line end yet: a line longer than a chunk; read on, unless
            // the line (an endless one, such as /dev/zero's) outgrows the
            // memory budget.
            searched = buf.len();
            // Reading on doubles the buffer, the old one held while the new
            // one fills: that must fit too.
            if let Err(e) = crate::memory::check_growth(buf.capacity().saturating_mul(2)) {
                return Err(crate::memory::long_line(self.next_line, e));
            }
        }
        if buf.is_empty() {
            return match self.error.take() {
                Some(e) => Err(e),
                None => Ok(None),
            };
        }
        let newlines = memchr::memchr_iter(b'\n', &buf).count() as u64;
        let lines = if buf.ends_with(b"\n") {
            newlines
        } else {
            newlines + 1
        };
        let chunk = Chunk {
            index: self.next_index,
            first_line: self.next_line,
            bytes: buf,
        };
        self.next_index += 1;
        self.next_line += lines;
        Ok(Some(chunk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    /// A reader that hands out at most `step` bytes per read.
    struct Trickle(Cursor<Vec<u8>>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1);
            self.0.read(&mut buf[..n])
        }
    }

    fn all(input: &[u8], size: usize, step: usize) -> Vec<(u64, u64, Vec<u8>)> {
        let mut r = ChunkReader::new(Trickle(Cursor::new(input.to_vec()), step), size);
        let mut out = Vec::new();
        while let Ok(Some(c)) = r.next_chunk() {
            out.push((c.index, c.first_line, c.bytes));
        }
        out
    }

    fn lines_of(input: &[u8], size: usize, step: usize) -> Vec<(u64, Vec<u8>)> {
        let mut r = ChunkReader::new(Trickle(Cursor::new(input.to_vec()), step), size);
        let mut out = Vec::new();
        while let Ok(Some(c)) = r.next_chunk() {
            out.extend(c.lines().map(|(n, l)| (n, l.to_vec())));
        }
        out
    }

    #[test]
    fn long_lines_make_long_chunks() {
        let got = all(b"aaaaaaaaaa\nb\ncc", 4, 3);
        let want: Vec<(u64, u64, Vec<u8>)> = vec![
            (0, 1, b"aaaaaaaaaa\n".to_vec()),
            (1, 2, b"b\n".to_vec()),
            (2, 3, b"cc".to_vec()),
        ];
        assert_eq!(got, want);
        assert!(all(b"", 4, 3).is_empty());
    }

    proptest! {
        /// Chunks do not depend on read sizes, and their lines are the
        /// sequential line reader's lines.
        #[test]
        fn chunks_are_fixed_and_lines_agree(
            input in proptest::collection::vec(prop::sample::select(vec![b'a', b'\n', b'\r', b' ']), 0..200),
            size in 1usize..40,
            step in 1usize..50,
        ) {
            prop_assert_eq!(all(&input, size, step), all(&input, size, 4096));
            let mut want = Vec::new();
            let mut lr = crate::input::line_reader_for_tests(Cursor::new(input.clone()));
            while let Ok(Some((n, l))) = lr.next_line() {
                want.push((n, l.to_vec()));
            }
            prop_assert_eq!(lines_of(&input, size, step), want);
        }
    }
}
