//! A cheap way past a parsing regex that cannot match, and a shorter way
//! to its match where it can.
//!
//! A FER runs every `parse regex` of the rule on every record in scope,
//! though most records match only one of them; and the regex crate scans
//! the whole text backwards for a pattern ending in `$` whatever the text
//! holds. Every match of a pattern contains its mandatory literal pieces
//! (`Teardown ` in `Teardown (?<p>TCP|UDP) ... $`), so a text without the
//! longest one is no match, told by one SIMD substring search.
//!
//! When that literal also starts every match, the leftmost match starts
//! at one of its occurrences: the first occurrence is tried with the
//! pattern anchored there, which finds the match in one forward pass
//! instead of the crate's forward pass, backward pass and capture pass.
//! If no match starts there, the crate's search goes on from the next
//! occurrence, so the work stays linear in the text.

use memchr::memmem;
use regex::{Captures, Regex};
use regex_syntax::hir::{Hir, HirKind, Look};

/// What a compiled pattern needs before it can match.
#[derive(Clone, Debug)]
pub struct Gate {
    /// The literal every match starts with, and the pattern anchored at
    /// the start of the text it is given.
    lead: Option<(memmem::Finder<'static>, Regex)>,
    /// The longest literal every match contains, when it is not `lead`'s.
    need: Option<memmem::Finder<'static>>,
}

impl Gate {
    /// The gate of the (already translated and compiled) pattern `src`;
    /// `None` when it has no mandatory literal or does not parse here.
    pub fn new(src: &str) -> Option<Gate> {
        // The regex crate's default syntax options, which the stages use.
        let hir = regex_syntax::Parser::new().parse(src).ok()?;
        let mut walk = Walk::default();
        walk.visit(&hir);
        walk.flush();
        let lead = match walk.runs.first() {
            Some((lit, true)) => anchored(src, &hir).map(|re| (finder(lit), re)),
            _ => None,
        };
        // The longest piece; on a tie the first.
        let (longest, _) = walk.runs.iter().rev().max_by_key(|(lit, _)| lit.len())?;
        let need = match &lead {
            Some((f, _)) if f.needle() == &longest[..] => None,
            _ => Some(finder(longest)),
        };
        Some(Gate { lead, need })
    }

    /// True when `text` may hold a match.
    pub fn may_match(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        self.lead.as_ref().is_none_or(|(f, _)| f.find(bytes).is_some())
            && self.need.as_ref().is_none_or(|f| f.find(bytes).is_some())
    }

    /// The leftmost match of `re` (the pattern the gate was made from) in
    /// `text`, as `re.captures(text)` finds it. Group positions are
    /// relative to the text the match was found in: read groups by their
    /// text only.
    pub fn captures<'t>(&self, re: &Regex, text: &'t str) -> Option<Captures<'t>> {
        let bytes = text.as_bytes();
        if let Some(f) = &self.need {
            f.find(bytes)?;
        }
        let Some((lead, anchored)) = &self.lead else {
            return re.captures(text);
        };
        let at = lead.find(bytes)?;
        // A literal found in a `str` starts at a character boundary (it
        // starts with a whole character); checked rather than assumed.
        let Some(rest) = text.get(at..) else {
            return re.captures(text);
        };
        if let Some(c) = anchored.captures(rest) {
            return Some(c);
        }
        // No match starts at the first occurrence: the next one is the
        // earliest place one can.
        let after = at + 1;
        let next = lead.find(bytes.get(after..)?)? + after;
        re.captures_at(text, next)
    }
}

fn finder(lit: &[u8]) -> memmem::Finder<'static> {
    memmem::Finder::new(lit).into_owned()
}

/// `src` anchored at the start of its text, when wrapping it in
/// `\A(?:...)` means exactly that (it would not if, say, the pattern
/// ended inside an `(?x)` comment), and the start is not a look-around
/// that would then see no text before it.
fn anchored(src: &str, hir: &Hir) -> Option<Regex> {
    let wrapped = format!(r"\A(?:{src})");
    let want = Hir::concat(vec![Hir::look(Look::Start), hir.clone()]);
    let got = regex_syntax::Parser::new().parse(&wrapped).ok()?;
    if got != want {
        return None;
    }
    crate::plan::expr::build_regex(&wrapped).ok()
}

/// Collects the literal pieces every match contains, in order.
struct Walk {
    /// Each piece, and whether it starts every match.
    runs: Vec<(Vec<u8>, bool)>,
    /// The piece being read.
    cur: Vec<u8>,
    /// Nothing but literals and groups has been seen yet.
    at_start: bool,
}

impl Default for Walk {
    fn default() -> Self {
        Walk {
            runs: Vec::new(),
            cur: Vec::new(),
            at_start: true,
        }
    }
}

impl Walk {
    fn visit(&mut self, h: &Hir) {
        match h.kind() {
            HirKind::Empty => {}
            HirKind::Literal(l) => self.cur.extend_from_slice(&l.0),
            HirKind::Capture(c) => self.visit(&c.sub),
            HirKind::Concat(v) => v.iter().for_each(|s| self.visit(s)),
            // An assertion consumes nothing, so the text on both sides of
            // it is one piece; but a match starting with one is not
            // anchored (it looks at the text before the match).
            HirKind::Look(_) => {
                if self.cur.is_empty() {
                    self.at_start = false;
                }
            }
            // Classes, repetitions and alternations: the piece ends.
            HirKind::Class(_) | HirKind::Repetition(_) | HirKind::Alternation(_) => {
                self.flush();
                self.at_start = false;
            }
        }
    }

    fn flush(&mut self) {
        if !self.cur.is_empty() {
            let lit = std::mem::take(&mut self.cur);
            self.runs.push((lit, self.at_start));
        }
        self.at_start = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gate's literals: the leading one (when it anchors) and the
    /// longest, when another.
    fn gate(p: &str) -> Option<(String, String)> {
        let g = Gate::new(p)?;
        let text = |f: Option<&memmem::Finder>| {
            f.map(|f| String::from_utf8_lossy(f.needle()).into_owned())
                .unwrap_or_default()
        };
        Some((text(g.lead.as_ref().map(|(f, _)| f)), text(g.need.as_ref())))
    }

    #[test]
    fn finds_the_longest_mandatory_piece() {
        let g = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        assert_eq!(
            gate(r"Built (?<d>outbound) (?<p>TCP|UDP) x"),
            g("Built outbound ", "")
        );
        assert_eq!(
            gate(r"Teardown (?<p>TCP|UDP) connection (?<n>\d+)$"),
            g("Teardown ", " connection ")
        );
        assert_eq!(gate(r"(?<t>\d+) duration (?<d>\d+)$"), g("", " duration "));
        assert_eq!(gate(r"\bab(?<x>c)\b"), g("", "abc"));
        assert_eq!(gate(r"(?i)abc"), None);
        assert_eq!(gate(r"a|b"), None);
        assert_eq!(gate(r"(?:ab)+c"), g("", "c"));
        // A comment that would swallow the closing parenthesis.
        assert_eq!(gate("(?x)ab # c"), g("", "ab"));
    }

    /// The gate finds what the regex finds, on texts with the literal
    /// missing, once, and several times around a match.
    #[test]
    fn same_match_as_the_regex() {
        let pats = [
            r"Built (?<d>outbound) (?<p>TCP|UDP) .*?to (?<t>\w+)",
            r"Teardown (?<p>TCP|UDP) (?<n>\d+)(?: (?<r>.+))?$",
            r"(?<n>\d+) (?<r>z+) long piece",
            r"%A-\d-(?<id>\d{2}):",
            r"ab(?<x>b*)c",
        ];
        let texts = [
            "",
            "nothing here",
            "Built outbound TCP x to y",
            "Built outbound Built outbound UDP 1 to z",
            "Built outbound ICMP Built outbound TCP a to b",
            "Teardown TCP 1 Teardown UDP 22 reason",
            "Teardown TCP x Teardown UDP 2",
            "%A-1-2 %A-1-23: %A-2-45:",
            "abab abbbc abc",
            "aab\u{e9}abbc",
            "1 zz long piece 2 z long piece",
            "1 zz long pie",
        ];
        for p in pats {
            let re = Regex::new(p).unwrap();
            let g = Gate::new(p).unwrap();
            for t in texts {
                let want = re
                    .captures(t)
                    .map(|c| c.iter().map(|m| m.map(|m| m.as_str())).collect::<Vec<_>>());
                let got = g
                    .captures(&re, t)
                    .map(|c| c.iter().map(|m| m.map(|m| m.as_str())).collect::<Vec<_>>());
                assert_eq!(got, want, "{p} on {t:?}");
                assert_eq!(g.may_match(t) || want.is_none(), true);
            }
        }
    }
}
