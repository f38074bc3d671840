//! A validating scanner for a line holding one JSON object, which picks out
//! only the top-level keys a query reads (the projection) and skips the
//! rest without building values.
//!
//! It accepts exactly what `serde_json` accepts for such a line, or gives
//! up: anything it does not handle itself (a `\u` surrogate escape, nesting
//! deeper than [`MAX_DEPTH`], any syntax error) is [`Unusual`], and the
//! caller reads that line the plain way, which parses it or warns about it.
//! So the fast path never decides on its own that a line is malformed.
//!
//! Keys are matched ignoring ASCII case (lookup falls back to such keys,
//! SPEC §2), after decoding escapes; a repeated key keeps its first
//! position and takes the last value, as `serde_json` does.

use crate::value::Value;

/// Containers nested deeper than this are left to `serde_json` (whose own
/// limit is 128).
pub const MAX_DEPTH: usize = 64;

/// The line is not one this scanner reads itself; read it the plain way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unusual;

/// The scanner's result.
pub type Res<T> = Result<T, Unusual>;

/// The keys wanted from each line, compared ignoring ASCII case.
#[derive(Clone, Debug)]
pub struct Wanted {
    /// The wanted names in ASCII lower case.
    names: Vec<Box<[u8]>>,
    /// For up to 64 names: bit `s` of `by_len[n]` is set when name `s` is
    /// `n` bytes long (63 for longer), of `by_first[c]` when it starts
    /// with `c` (lower case), of `by_last[c]` when it ends with `c`. A key
    /// is compared with a name only when all three bits agree, so almost
    /// every key that is not wanted is passed over after three loads.
    by_len: [u64; 64],
    by_first: [u64; 256],
    by_last: [u64; 256],
    /// Keys of up to 16 bytes seen lately, by their exact bytes, with
    /// their slot: lines of one source repeat the same keys, so most keys
    /// are decided by one table look-up.
    cache: Vec<CacheEntry>,
}

/// A key of up to 16 bytes (as two zero-padded words) and its slot.
#[derive(Clone, Copy, Debug)]
struct CacheEntry {
    w0: u64,
    w1: u64,
    /// 255 for an empty entry (no key is that long here).
    len: u8,
    /// The slot, or `NO_SLOT`.
    slot: u16,
}

/// Entries in the key cache: pairs of two ways, so two keys of a line
/// that hash alike do not keep pushing each other out.
const CACHE_SIZE: usize = 512;
const NO_SLOT: u16 = u16::MAX;

impl Default for Wanted {
    fn default() -> Self {
        Wanted {
            names: Vec::new(),
            by_len: [0; 64],
            by_first: [0; 256],
            by_last: [0; 256],
            cache: vec![
                CacheEntry {
                    w0: 0,
                    w1: 0,
                    len: u8::MAX,
                    slot: NO_SLOT,
                };
                CACHE_SIZE
            ],
        }
    }
}

impl Wanted {
    /// Wants these names (duplicates ignoring case are merged).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Wanted {
        let mut w = Wanted::default();
        for n in names {
            let lower: Box<[u8]> = n.to_ascii_lowercase().into_bytes().into();
            if w.names.contains(&lower) {
                continue;
            }
            let slot = w.names.len();
            if slot < 64 {
                let bit = 1u64 << slot;
                w.by_len[lower.len().min(63)] |= bit;
                let first = lower.first().copied().unwrap_or(0);
                let last = lower.last().copied().unwrap_or(0);
                w.by_first[first as usize] |= bit;
                w.by_last[last as usize] |= bit;
            }
            w.names.push(lower);
        }
        w
    }

    /// How many distinct names (slots).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no key is wanted (the scanner then only checks lines).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The slot of the wanted name equal to `key` ignoring ASCII case.
    #[inline]
    pub fn slot(&self, key: &[u8]) -> Option<usize> {
        if self.names.len() > 64 {
            return self.slot_linear(key);
        }
        let first = key.first().map_or(0, u8::to_ascii_lowercase);
        let last = key.last().map_or(0, u8::to_ascii_lowercase);
        let mut cand = self.by_len[key.len().min(63)]
            & self.by_first[first as usize]
            & self.by_last[last as usize];
        while cand != 0 {
            let s = cand.trailing_zeros() as usize;
            if self.names.get(s).is_some_and(|n| eq_lower(key, n)) {
                return Some(s);
            }
            cand &= cand - 1;
        }
        None
    }

    /// The slot of the key `line[a..e]`, through the cache.
    #[inline(always)]
    fn slot_at(&mut self, line: &[u8], a: usize, e: usize) -> Option<usize> {
        if self.names.is_empty() {
            return None;
        }
        let len = e.saturating_sub(a);
        // No wanted name this long: most keys stop here.
        if self.names.len() <= 64 && self.by_len[len.min(63)] == 0 {
            return None;
        }
        if len > 16 || a + 16 > line.len() {
            return self.slot(line.get(a..e).unwrap_or_default());
        }
        let w0 = word_at(line, a) & low_bytes(len.min(8));
        let w1 = if len > 8 {
            word_at(line, a + 8) & low_bytes(len - 8)
        } else {
            0
        };
        let h = (w0 ^ w1.rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 55;
        // The pair of ways at `i` and `i + 1`.
        let i = (h as usize % CACHE_SIZE) & !1;
        let hit = |c: &CacheEntry| usize::from(c.len) == len && c.w0 == w0 && c.w1 == w1;
        for j in [i, i + 1] {
            if let Some(c) = self.cache.get(j) {
                if hit(c) {
                    return (c.slot != NO_SLOT).then_some(usize::from(c.slot));
                }
            }
        }
        let slot = self.slot(line.get(a..e).unwrap_or_default());
        let fits = slot.map_or(Some(NO_SLOT), |s| {
            u16::try_from(s).ok().filter(|s| *s != NO_SLOT)
        });
        if let Some(code) = fits {
            // The newest key takes the first way; the one it displaces
            // moves to the second.
            if let Some(old) = self.cache.get(i).copied() {
                if let Some(c) = self.cache.get_mut(i + 1) {
                    *c = old;
                }
            }
            if let Some(c) = self.cache.get_mut(i) {
                *c = CacheEntry {
                    w0,
                    w1,
                    len: len as u8,
                    slot: code,
                };
            }
        }
        slot
    }

    fn slot_linear(&self, key: &[u8]) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n.len() == key.len() && n.eq_ignore_ascii_case(key))
    }
}

/// The eight bytes of `b` from `at` as a little-endian word (zero when
/// fewer remain; callers stay in bounds).
#[inline(always)]
fn word_at(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(c) = b.get(at..at + 8) {
        w.copy_from_slice(c);
    }
    u64::from_le_bytes(w)
}

/// A word with its low `n` bytes set (`n` ≤ 8).
#[inline(always)]
fn low_bytes(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// ASCII upper-case letters of a word made lower case (other bytes kept).
#[inline(always)]
fn lower_word(w: u64) -> u64 {
    let low7 = w & !HIGHS;
    // High bit set where the low seven bits are >= 'A' and > 'Z'.
    let ge_a = low7.wrapping_add(ONES * (0x80 - b'A' as u64));
    let gt_z = low7.wrapping_add(ONES * (0x80 - b'Z' as u64 - 1));
    let upper = ge_a & !gt_z & !w & HIGHS;
    w | (upper >> 2)
}

/// True when `key` equals `lower` (already lower case) ignoring ASCII
/// case, eight bytes at a time.
#[inline]
fn eq_lower(key: &[u8], lower: &[u8]) -> bool {
    let n = key.len();
    if n != lower.len() {
        return false;
    }
    if n < 8 {
        return key
            .iter()
            .zip(lower)
            .all(|(k, l)| k.to_ascii_lowercase() == *l);
    }
    let mut at = 0;
    while at + 8 < n {
        if lower_word(word_at(key, at)) != word_at(lower, at) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes, overlapping what was compared.
    lower_word(word_at(key, n - 8)) == word_at(lower, n - 8)
}

/// Text found in the line: a span of it, or decoded from escapes.
#[derive(Clone, Debug, PartialEq)]
pub enum Text {
    /// `line[start..end]`, a string without escapes.
    Span(usize, usize),
    /// A string with escapes, decoded.
    Owned(String),
}

impl Text {
    /// The text, given the line it was found in (the scanner checked that
    /// a span is UTF-8).
    pub fn as_str<'a>(&'a self, line: &'a [u8]) -> &'a str {
        match self {
            Text::Span(a, b) => line
                .get(*a..*b)
                .and_then(|s| std::str::from_utf8(s).ok())
                .unwrap_or_default(),
            Text::Owned(s) => s,
        }
    }

    /// The text's bytes, given the line it was found in.
    pub fn bytes<'a>(&'a self, line: &'a [u8]) -> &'a [u8] {
        match self {
            Text::Span(a, b) => line.get(*a..*b).unwrap_or_default(),
            Text::Owned(s) => s.as_bytes(),
        }
    }
}

/// A value as found in the line, not yet built. Holds no borrow, so the
/// list of found values can be reused from line to line.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    /// A string.
    Str(Text),
    /// An integer that fits `i64`, written without fraction or exponent.
    Int(i64),
    /// Any other number, as a float (`serde_json` reads these as floats).
    Float(f64),
    /// An array or object: the span of its text, for `serde_json` to build.
    Nested(usize, usize),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

impl Raw {
    /// The value, as the plain path would build it from `serde_json`.
    pub fn to_value(&self, line: &[u8]) -> Res<Value> {
        Ok(match self {
            Raw::Str(Text::Span(a, b)) => {
                let s = line.get(*a..*b).ok_or(Unusual)?;
                Value::str(std::str::from_utf8(s).map_err(|_| Unusual)?)
            }
            Raw::Str(Text::Owned(s)) => Value::str(s),
            Raw::Int(i) => Value::Int(*i),
            Raw::Float(f) => Value::Float(*f),
            Raw::Bool(b) => Value::Bool(*b),
            Raw::Null => Value::Null,
            Raw::Nested(a, b) => {
                let text = line.get(*a..*b).ok_or(Unusual)?;
                Value::from_json(serde_json::from_slice(text).map_err(|_| Unusual)?)
            }
        })
    }
}

/// A wanted key found in the line.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The wanted name it matched.
    pub slot: usize,
    /// The key as written (escapes decoded).
    pub key: Text,
    /// Its value (the last one, for a repeated key).
    pub value: Raw,
}

/// Bytes that end the run through a string: `"`, `\`, the control
/// characters JSON forbids inside strings, and non-ASCII bytes (checked
/// as UTF-8 apart).
static STR_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    let mut i = 0x80;
    while i < 0x100 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` (little-endian) that is `"`, `\`,
/// below 0x20 or not ASCII. Only the lowest set bit is exact (a borrow may
/// flag bytes above a true one), which is all the caller uses.
#[inline]
fn stops(w: u64) -> u64 {
    let q = w ^ (ONES * b'"' as u64);
    let s = w ^ (ONES * b'\\' as u64);
    let zq = q.wrapping_sub(ONES) & !q;
    let zs = s.wrapping_sub(ONES) & !s;
    let ctl = w.wrapping_sub(ONES * 0x20) & !w;
    (zq | zs | ctl | w) & HIGHS
}

/// Scans `line` (one JSON object, with white space around it allowed),
/// pushing the wanted keys to `out` in input order. A line it accepts is
/// valid UTF-8 (non-ASCII bytes are checked where they may appear, inside
/// strings), so the caller need not check it again.
pub fn scan(line: &[u8], wanted: &mut Wanted, out: &mut Vec<Found>) -> Res<()> {
    out.clear();
    let b = line;
    let mut c = Cursor { b, i: 0 };
    c.ws();
    c.expect(b'{')?;
    c.ws();
    if c.peek() == Some(b'}') {
        c.i += 1;
    } else {
        loop {
            c.expect(b'"')?;
            let key = c.string()?;
            c.ws();
            c.expect(b':')?;
            c.ws();
            let slot = match &key {
                Text::Span(a, e) => wanted.slot_at(b, *a, *e),
                Text::Owned(k) => wanted.slot(k.as_bytes()),
            };
            match slot {
                Some(slot) => {
                    let value = c.value()?;
                    let key_text = key.bytes(line);
                    let same = out
                        .iter_mut()
                        .find(|f| f.slot == slot && f.key.bytes(line) == key_text);
                    match same {
                        Some(f) => f.value = value,
                        None => out.push(Found { slot, key, value }),
                    }
                }
                None => c.skip_value()?,
            }
            c.ws();
            match c.next() {
                Some(b',') => c.ws(),
                Some(b'}') => break,
                _ => return Err(Unusual),
            }
        }
    }
    c.ws();
    if c.i == b.len() {
        Ok(())
    } else {
        Err(Unusual)
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline(always)]
    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        self.i += 1;
        b
    }

    #[inline(always)]
    fn expect(&mut self, want: u8) -> Res<()> {
        if self.peek() == Some(want) {
            self.i += 1;
            Ok(())
        } else {
            Err(Unusual)
        }
    }

    /// JSON white space, as `serde_json` skips it.
    #[inline(always)]
    fn ws(&mut self) {
        while let Some(&x) = self.b.get(self.i) {
            if x > b' ' || !matches!(x, b' ' | b'\n' | b'\t' | b'\r') {
                return;
            }
            self.i += 1;
        }
    }

    /// `b[from..to]` as text.
    fn slice(&self, from: usize, to: usize) -> Res<&'a str> {
        let s = self.b.get(from..to).ok_or(Unusual)?;
        std::str::from_utf8(s).map_err(|_| Unusual)
    }

    /// Past a run of string bytes holding non-ASCII ones, which must be
    /// UTF-8; stops at the next `"`, `\` or control character.
    #[inline(never)]
    fn non_ascii(&mut self) -> Res<()> {
        let start = self.i;
        while let Some(&x) = self.b.get(self.i) {
            if x < 0x80 && STR_STOP[x as usize] {
                break;
            }
            self.i += 1;
        }
        self.slice(start, self.i).map(|_| ())
    }

    /// A string after its opening quote: a span when it has no escape.
    #[inline(always)]
    fn string(&mut self) -> Res<Text> {
        let start = self.i;
        loop {
            match self.run() {
                Some(b'"') => {
                    let end = self.i;
                    self.i += 1;
                    return Ok(Text::Span(start, end));
                }
                Some(b'\\') => {
                    let mut buf = String::from(self.slice(start, self.i)?);
                    self.escaped(&mut buf)?;
                    return Ok(Text::Owned(buf));
                }
                Some(x) if x >= 0x80 => self.non_ascii()?,
                _ => return Err(Unusual),
            }
        }
    }

    /// Skips a string after its opening quote.
    #[inline(always)]
    fn skip_string(&mut self) -> Res<()> {
        loop {
            match self.run() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    let mut sink = String::new();
                    return self.escaped(&mut sink);
                }
                Some(x) if x >= 0x80 => self.non_ascii()?,
                _ => return Err(Unusual),
            }
        }
    }

    /// Advances over ordinary string bytes, eight at a time; returns the
    /// byte it stopped at (taken from the word already loaded, so the
    /// caller does not wait for another load), `None` at the end.
    #[inline(always)]
    fn run(&mut self) -> Option<u8> {
        let b = self.b;
        let mut i = self.i;
        while let Some(chunk) = b.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let w = u64::from_le_bytes(word);
            let m = stops(w);
            if m != 0 {
                let bit = m.trailing_zeros();
                self.i = i + (bit / 8) as usize;
                return Some((w >> (bit & !7)) as u8);
            }
            i += 8;
        }
        while let Some(&x) = b.get(i) {
            if STR_STOP[x as usize] {
                self.i = i;
                return Some(x);
            }
            i += 1;
        }
        self.i = i;
        None
    }

    /// The rest of a string from its first backslash, decoded onto `buf`.
    fn escaped(&mut self, buf: &mut String) -> Res<()> {
        loop {
            match self.next() {
                Some(b'"') => return Ok(()),
                Some(b'\\') => {
                    let ch = match self.next() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.hex4()?,
                        _ => return Err(Unusual),
                    };
                    buf.push(ch);
                }
                _ => return Err(Unusual),
            }
            let start = self.i;
            loop {
                match self.run() {
                    Some(x) if x >= 0x80 => self.non_ascii()?,
                    _ => break,
                }
            }
            buf.push_str(self.slice(start, self.i)?);
        }
    }

    /// Four hex digits of a `\u` escape; surrogates are left to serde_json.
    fn hex4(&mut self) -> Res<char> {
        let d = self.b.get(self.i..self.i + 4).ok_or(Unusual)?;
        let mut n = 0u32;
        for &x in d {
            let v = (x as char).to_digit(16).ok_or(Unusual)?;
            n = n * 16 + v;
        }
        self.i += 4;
        char::from_u32(n).ok_or(Unusual)
    }

    /// A literal word (`true`, `false`, `null`).
    #[inline]
    fn word(&mut self, w: &[u8]) -> Res<()> {
        if self.b.get(self.i..self.i + w.len()) == Some(w) {
            self.i += w.len();
            Ok(())
        } else {
            Err(Unusual)
        }
    }

    /// Advances over digits, accumulating their value (wrapping; exact
    /// for up to 19 digits).
    #[inline(always)]
    fn digits(&mut self, mut v: u64) -> u64 {
        while let Some(&x) = self.b.get(self.i) {
            let d = x.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = v.wrapping_mul(10).wrapping_add(u64::from(d));
            self.i += 1;
        }
        v
    }

    /// Advances over digits, eight at a time, without their value.
    #[inline(always)]
    fn skip_digits(&mut self) {
        let b = self.b;
        let mut i = self.i;
        while let Some(chunk) = b.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let w = u64::from_le_bytes(word);
            // A byte's high bit is set unless it is 0x30..=0x39; exact
            // for the lowest such byte.
            let m = (w.wrapping_sub(ONES * 0x30) | w.wrapping_add(ONES * 0x46)) & HIGHS;
            if m != 0 {
                self.i = i + (m.trailing_zeros() / 8) as usize;
                return;
            }
            i += 8;
        }
        self.i = i;
        self.digits(0);
    }

    fn some_digits(&mut self) -> Res<()> {
        let start = self.i;
        self.digits(0);
        if self.i == start {
            Err(Unusual)
        } else {
            Ok(())
        }
    }

    /// Skips a number, checking it.
    #[inline(always)]
    fn skip_number(&mut self) -> Res<()> {
        let start = self.i;
        let lead = if self.peek() == Some(b'-') {
            self.b.get(start + 1).copied()
        } else {
            self.peek()
        };
        if matches!(lead, Some(b'1'..=b'9')) {
            if lead != self.peek() {
                self.i += 1;
            }
            self.skip_digits();
            let len = self.i - start;
            // Plain integers of up to 18 digits need no more checks.
            if len <= 19 && !matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
                return Ok(());
            }
            self.i = start;
        }
        self.number(false).map(|_| ())
    }

    /// A number; its value is built only when `want` is set.
    #[inline]
    fn number(&mut self, want: bool) -> Res<Raw> {
        let start = self.i;
        let neg = self.peek() == Some(b'-');
        if neg {
            self.i += 1;
        }
        let digits = self.i;
        let v = match self.peek() {
            Some(b'0') => {
                self.i += 1;
                0
            }
            Some(b'1'..=b'9') => self.digits(0),
            _ => return Err(Unusual),
        };
        let int_len = self.i - digits;
        let plain = !matches!(self.peek(), Some(b'.' | b'e' | b'E'));
        // serde_json reads `-0` as a float; up to 18 digits always fit.
        if plain && int_len <= 18 && !(neg && v == 0) {
            if !want {
                return Ok(Raw::Null);
            }
            // `v` < 10^18, so the cast and negation are exact.
            let i = v as i64;
            return Ok(Raw::Int(if neg { -i } else { i }));
        }
        self.rest_of_number(start, plain, neg, int_len)
    }

    /// The fraction and exponent of a number, and numbers too long for the
    /// quick path.
    fn rest_of_number(&mut self, start: usize, plain: bool, neg: bool, int_len: usize) -> Res<Raw> {
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.some_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            self.some_digits()?;
        }
        let text = self.slice(start, self.i)?;
        if plain && !(neg && int_len == 1) {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Raw::Int(i));
            }
        }
        // serde_json reads the rest as the correctly rounded float
        // (`float_roundtrip`) and rejects what does not fit.
        let f: f64 = text.parse().map_err(|_| Unusual)?;
        if f.is_finite() {
            Ok(Raw::Float(f))
        } else {
            Err(Unusual)
        }
    }

    /// A wanted value.
    fn value(&mut self) -> Res<Raw> {
        match self.peek() {
            Some(b'"') => {
                self.i += 1;
                self.string().map(Raw::Str)
            }
            Some(b'{' | b'[') => {
                let start = self.i;
                self.skip_nested()?;
                Ok(Raw::Nested(start, self.i))
            }
            Some(b't') => self.word(b"true").map(|_| Raw::Bool(true)),
            Some(b'f') => self.word(b"false").map(|_| Raw::Bool(false)),
            Some(b'n') => self.word(b"null").map(|_| Raw::Null),
            _ => self.number(true),
        }
    }

    /// Skips a value, checking it.
    #[inline(always)]
    fn skip_value(&mut self) -> Res<()> {
        match self.peek() {
            Some(b'"') => {
                self.i += 1;
                self.skip_string()
            }
            Some(b'{' | b'[') => self.skip_nested(),
            Some(b't') => self.word(b"true"),
            Some(b'f') => self.word(b"false"),
            Some(b'n') => self.word(b"null"),
            _ => self.skip_number(),
        }
    }

    /// Skips an array or object (at `[` or `{`), checking its syntax,
    /// without recursion.
    fn skip_nested(&mut self) -> Res<()> {
        // true for an object, false for an array; the top-level object
        // counts as one level.
        let mut stack = [false; MAX_DEPTH];
        let mut depth = 0usize;
        let mut open = true;
        loop {
            if open {
                // At `{` or `[`.
                let is_obj = self.next() == Some(b'{');
                if depth + 1 >= MAX_DEPTH {
                    return Err(Unusual);
                }
                stack[depth] = is_obj;
                depth += 1;
                self.ws();
                let close = if is_obj { b'}' } else { b']' };
                if self.peek() == Some(close) {
                    self.i += 1;
                    depth -= 1;
                    open = false;
                    if depth == 0 {
                        return Ok(());
                    }
                } else {
                    open = self.element(is_obj)?;
                    if open {
                        continue;
                    }
                }
            }
            // After a value inside the container on top of the stack.
            self.ws();
            let is_obj = stack[depth - 1];
            match self.next() {
                Some(b',') => {
                    self.ws();
                    open = self.element(is_obj)?;
                }
                Some(b'}') if is_obj => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Some(b']') if !is_obj => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => return Err(Unusual),
            }
        }
    }

    /// One element of a container (a key and value for an object). A
    /// scalar is skipped here; returns true when the value opens a
    /// container, left for the caller at its `{` or `[`.
    fn element(&mut self, in_object: bool) -> Res<bool> {
        if in_object {
            self.expect(b'"')?;
            self.skip_string()?;
            self.ws();
            self.expect(b':')?;
            self.ws();
        }
        match self.peek() {
            Some(b'{' | b'[') => Ok(true),
            _ => self.skip_value().map(|_| false),
        }
    }
}

#[cfg(test)]
mod tests;
