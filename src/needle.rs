//! A raw-text pre-filter for keywords: a keyword matches only where its
//! terms appear, so a text lacking the longest literal piece of its terms
//! (ignoring ASCII case) cannot match, and the regex need not run. Finding
//! one literal is a SIMD substring search; the keyword regex (whole terms,
//! Unicode word boundaries, case-insensitive) defeats the regex crate's own
//! literal prefilters.
//!
//! Unicode case folding maps two non-ASCII characters to ASCII letters
//! (KELVIN SIGN to `k`, LONG S to `s`); for a needle with those letters a
//! text with any non-ASCII byte is not filtered. Keywords whose longest
//! piece is not ASCII get no needle.

use aho_corasick::AhoCorasick;
use memchr::memmem;

/// The literal a keyword's text must contain.
#[derive(Clone, Debug)]
pub struct Needle {
    find: Find,
    /// The needle has a letter that a non-ASCII character folds to.
    folds: bool,
}

#[derive(Clone, Debug)]
enum Find {
    /// No letters: an exact search.
    Exact(Box<memmem::Finder<'static>>),
    /// Letters: ignoring ASCII case.
    Caseless(AhoCorasick),
}

impl Needle {
    /// The needle of a keyword: the longest run of letters, digits and `_`
    /// between wildcards. `None` when there is nothing worth searching for.
    pub fn of_keyword(text: &str) -> Option<Needle> {
        let best = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .max_by_key(|p| p.len())?;
        if best.len() < 2 {
            return None;
        }
        Needle::new(best)
    }

    /// A needle for `lit`, matched ignoring ASCII case; `None` for a
    /// literal with non-ASCII characters (Unicode case folding relates
    /// those to other characters, ASCII ones included).
    pub fn new(lit: &str) -> Option<Needle> {
        if !lit.is_ascii() {
            return None;
        }
        let folds = lit
            .chars()
            .any(|c| matches!(c.to_ascii_lowercase(), 'k' | 's'));
        let find = if lit.chars().any(|c| c.is_alphabetic()) {
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build([lit])
                .ok()?;
            Find::Caseless(ac)
        } else {
            Find::Exact(Box::new(memmem::Finder::new(lit.as_bytes()).into_owned()))
        };
        Some(Needle { find, folds })
    }

    /// False only when `text` cannot contain a match of the keyword.
    pub fn may_match(&self, text: &str) -> bool {
        if self.folds && !text.is_ascii() {
            return true;
        }
        match &self.find {
            Find::Exact(f) => f.find(text.as_bytes()).is_some(),
            Find::Caseless(ac) => ac.is_match(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::keyword_regex;
    use proptest::prelude::*;

    #[test]
    fn picks_the_longest_piece() {
        let n = Needle::of_keyword("%ASA-4-106023");
        assert!(n.as_ref().is_some_and(|n| n.may_match("x 106023 y")));
        assert!(!n.as_ref().is_some_and(|n| n.may_match("x 10602 y")));
        let n = Needle::of_keyword("Failed*login");
        assert!(n.as_ref().is_some_and(|n| n.may_match("FAILED  LOGIN")));
        assert!(Needle::of_keyword("a*b").is_none());
        // A Kelvin sign folds to `k`: no filtering on such text.
        let n = Needle::of_keyword("kind");
        assert!(n.is_some_and(|n| n.may_match("\u{212A}IND")));
    }

    fn text() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "error", "ERROR", "Err", "or", " ", "-", ".", "_", "10", "0.5", "\u{212A}", "\u{17F}",
            "é", "sk", "SK", "fail", "login", "%ASA", "*", "日本", "É", "k", "K",
        ]);
        proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        /// Whenever the keyword regex matches a text, the needle lets the
        /// text through.
        #[test]
        fn never_drops_a_match(kw in text(), raw in text()) {
            if let (Some(src), Some(n)) = (keyword_regex(&kw), Needle::of_keyword(&kw)) {
                let re = regex::Regex::new(&src);
                if let Ok(re) = re {
                    if re.is_match(&raw) {
                        prop_assert!(n.may_match(&raw), "keyword {:?} on {:?}", kw, raw);
                    }
                }
            }
        }
    }
}
