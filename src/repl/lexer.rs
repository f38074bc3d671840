//! A forgiving tokenizer for highlighting and completion. These see the
//! query while it is typed, when it rarely parses, so they need tokens that
//! survive any prefix of a query; whether input is complete is still asked
//! of the parser.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Spaces, tabs and newlines.
    Space,
    /// `|`.
    Pipe,
    /// `"..."`; `closed` is false while the string is still open.
    Str {
        /// The closing quote is there.
        closed: bool,
    },
    /// `%"name"`.
    QuotedName,
    /// `12`, `1.5e3`, `10k`.
    Number,
    /// A name: letters, digits, `_`, and `.`/`[n]` for paths.
    Word,
    /// `// ...` or `/* ... */`; `closed` is false for an open block comment.
    Comment {
        /// The comment is finished.
        closed: bool,
    },
    /// Any other single character.
    Punct,
}

/// A token: its kind and byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

fn is_word_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

/// Characters inside a word (field paths included).
pub fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '[' || c == ']'
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// Advances while `f` holds; returns the byte offset reached.
fn run_while(it: &mut Chars<'_>, len: usize, f: &dyn Fn(char) -> bool) -> usize {
    while let Some(&(_, n)) = it.peek() {
        if !f(n) {
            break;
        }
        it.next();
    }
    it.peek().map(|&(i, _)| i).unwrap_or(len)
}

/// Splits text into tokens covering every byte.
pub fn tokens(src: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut it = src.char_indices().peekable();
    while let Some((start, c)) = it.next() {
        let rest = &src[start..];
        let end_at = |it: &mut Chars<'_>, f: &dyn Fn(char) -> bool| run_while(it, src.len(), f);
        let (kind, end) = if c.is_whitespace() {
            (Kind::Space, end_at(&mut it, &|n| n.is_whitespace()))
        } else if c == '|' {
            (Kind::Pipe, start + 1)
        } else if c == '"' || (c == '%' && rest.starts_with("%\"")) {
            if c == '%' {
                it.next();
            }
            let mut closed = false;
            let mut escaped = false;
            let mut end = src.len();
            for (i, n) in it.by_ref() {
                if escaped {
                    escaped = false;
                } else if n == '\\' {
                    escaped = true;
                } else if n == '"' {
                    closed = true;
                    end = i + 1;
                    break;
                }
            }
            let kind = if c == '%' {
                Kind::QuotedName
            } else {
                Kind::Str { closed }
            };
            (kind, end)
        } else if rest.starts_with("//") {
            (
                Kind::Comment { closed: true },
                end_at(&mut it, &|n| n != '\n'),
            )
        } else if let Some(body) = rest.strip_prefix("/*") {
            match body.find("*/") {
                Some(i) => {
                    let end = start + 2 + i + 2;
                    while it.peek().is_some_and(|&(j, _)| j < end) {
                        it.next();
                    }
                    (Kind::Comment { closed: true }, end)
                }
                None => {
                    it.by_ref().for_each(drop);
                    (Kind::Comment { closed: false }, src.len())
                }
            }
        } else if c.is_ascii_digit() {
            (
                Kind::Number,
                end_at(&mut it, &|n| n.is_ascii_alphanumeric() || n == '.'),
            )
        } else if is_word_start(c) {
            (Kind::Word, end_at(&mut it, &is_word_char))
        } else {
            (Kind::Punct, start + c.len_utf8())
        };
        out.push(Token { kind, start, end });
    }
    out
}

/// The text from its first token that is neither space nor comment (empty
/// when there is none).
pub fn skip_comments(text: &str) -> &str {
    tokens(text)
        .iter()
        .find(|t| !matches!(t.kind, Kind::Space | Kind::Comment { .. }))
        .and_then(|t| text.get(t.start..))
        .unwrap_or("")
}

/// The words that are never field names.
pub const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "matches", "as", "by", "group", "asc", "desc", "true", "false",
];

/// True for a keyword, ignoring case.
pub fn is_keyword(w: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(Kind, &str)> {
        tokens(s)
            .into_iter()
            .filter(|t| t.kind != Kind::Space)
            .map(|t| (t.kind, t.text(s)))
            .collect()
    }

    #[test]
    fn covers_every_byte() {
        let s = "a=\"x\\\"y\" | where é > 1.5e3 /* c */ // d\n| %\"odd name\" \"open";
        let toks = tokens(s);
        let mut at = 0;
        for t in &toks {
            assert_eq!(t.start, at);
            at = t.end;
        }
        assert_eq!(at, s.len());
        assert_eq!(
            kinds(s),
            [
                (Kind::Word, "a"),
                (Kind::Punct, "="),
                (Kind::Str { closed: true }, "\"x\\\"y\""),
                (Kind::Pipe, "|"),
                (Kind::Word, "where"),
                (Kind::Punct, "é"),
                (Kind::Punct, ">"),
                (Kind::Number, "1.5e3"),
                (Kind::Comment { closed: true }, "/* c */"),
                (Kind::Comment { closed: true }, "// d"),
                (Kind::Pipe, "|"),
                (Kind::QuotedName, "%\"odd name\""),
                (Kind::Str { closed: false }, "\"open"),
            ]
        );
    }

    #[test]
    fn leading_comments() {
        assert_eq!(skip_comments("// a\n /* b */ :fields"), ":fields");
        assert_eq!(skip_comments("// only"), "");
        assert_eq!(skip_comments("x // y"), "x // y");
    }

    #[test]
    fn paths_and_open_comments() {
        assert_eq!(kinds("alert.sig[0].x"), [(Kind::Word, "alert.sig[0].x")]);
        assert_eq!(
            kinds("x /* open"),
            [
                (Kind::Word, "x"),
                (Kind::Comment { closed: false }, "/* open")
            ]
        );
    }
}
