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
//! When a literal also starts every match, the leftmost match starts at
//! one of its occurrences: the first occurrence is tried with a search
//! anchored there, by the crate's bounded backtracker alone, which finds
//! the groups in one pass where the crate makes a forward pass, a backward
//! pass (to find the start) and then the capture pass. If no match starts
//! there, the crate's search goes on from the next occurrence, so the work
//! stays linear in the text.

use std::sync::Arc;

use memchr::memmem;
use regex::Regex;
use regex_automata::nfa::thompson::backtrack::{BoundedBacktracker, Cache};
use regex_automata::util::captures::Captures;
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::{Hir, HirKind};

/// What a compiled pattern needs before it can match.
#[derive(Clone, Debug)]
pub struct Gate {
    /// The literal every match starts with, and the search anchored at it.
    lead: Option<(memmem::Finder<'static>, Arc<Anchored1>)>,
    /// The longest literal every match contains, when it is not `lead`'s.
    need: Option<memmem::Finder<'static>>,
}

/// A backtracker's per-search state; each thread takes its own from the
/// pool.
type Scratch = (Cache, Captures);
type MakeScratch = Box<dyn Fn() -> Scratch + Send + Sync>;

/// The pattern compiled for anchored capture searches.
#[derive(Debug)]
struct Anchored1 {
    bt: BoundedBacktracker,
    scratch: Pool<Scratch, MakeScratch>,
}

/// A match's groups, by group index, as the regex crate numbers them.
pub enum Groups<'a, 't> {
    /// Found by the regex crate.
    Crate(regex::Captures<'t>),
    /// Found by the anchored search in `text`.
    Anchored(&'a Captures, &'t str),
}

impl<'t> Groups<'_, 't> {
    /// The text of group `i`; `None` when it did not take part.
    pub fn get(&self, i: usize) -> Option<&'t str> {
        match self {
            Groups::Crate(c) => c.get(i).map(|m| m.as_str()),
            Groups::Anchored(c, text) => c.get_group(i).and_then(|s| text.get(s.range())),
        }
    }
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
            Some((lit, true)) => Anchored1::new(src).map(|a| (finder(lit), Arc::new(a))),
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
        self.lead
            .as_ref()
            .is_none_or(|(f, _)| f.find(bytes).is_some())
            && self.need.as_ref().is_none_or(|f| f.find(bytes).is_some())
    }

    /// Finds the leftmost match of `re` (the pattern the gate was made
    /// from) in `text`, as `re.captures(text)` does, and hands its groups
    /// to `f`.
    pub fn captures<'t, R>(
        &self,
        re: &Regex,
        text: &'t str,
        f: impl FnOnce(&Groups<'_, 't>) -> R,
    ) -> Option<R> {
        let bytes = text.as_bytes();
        if let Some(need) = &self.need {
            need.find(bytes)?;
        }
        let Some((lead, anchored)) = &self.lead else {
            return re.captures(text).map(|c| f(&Groups::Crate(c)));
        };
        let at = lead.find(bytes)?;
        let mut guard = anchored.scratch.get();
        let (cache, caps) = &mut *guard;
        let input = Input::new(text).range(at..).anchored(Anchored::Yes);
        let from = match anchored.bt.try_captures(cache, input, caps) {
            Ok(()) if caps.is_match() => return Some(f(&Groups::Anchored(caps, text))),
            // No match starts at the first occurrence: the next one is the
            // earliest place one can.
            Ok(()) => {
                let after = at + 1;
                lead.find(bytes.get(after..)?)? + after
            }
            // A text too long for the backtracker's bounded memory.
            Err(_) => at,
        };
        re.captures_at(text, from).map(|c| f(&Groups::Crate(c)))
    }
}

impl Anchored1 {
    /// Compiles `src` as the regex crate does (Unicode, UTF-8, all
    /// groups, the stages' size limit); `None` if the backtracker cannot
    /// take it.
    fn new(src: &str) -> Option<Anchored1> {
        use regex_automata::nfa::thompson;
        let bt = BoundedBacktracker::builder()
            .syntax(regex_automata::util::syntax::Config::new().utf8(true))
            .thompson(
                thompson::Config::new()
                    .utf8(true)
                    .nfa_size_limit(Some(crate::plan::expr::REGEX_SIZE_LIMIT))
                    .shrink(false),
            )
            .build(src)
            .ok()?;
        let make = {
            let bt = bt.clone();
            Box::new(move || (bt.create_cache(), bt.create_captures())) as MakeScratch
        };
        Some(Anchored1 {
            bt,
            scratch: Pool::new(make),
        })
    }
}

fn finder(lit: &[u8]) -> memmem::Finder<'static> {
    memmem::Finder::new(lit).into_owned()
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
            // it is one piece; a pattern starting with one gets no lead
            // (kept simple: such patterns are rare in parsing).
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
        assert_eq!(gate("(?x)ab # c"), g("ab", ""));
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
            r"(?m)x\n^(?<y>\w+)\b",
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
            "x\nab x\n\u{e9}t x\nok",
        ];
        // Longer than the backtracker takes.
        let long = format!("Built outbound TCP 1 {} to z", "x".repeat(100_000));
        for p in pats {
            let re = Regex::new(p).unwrap();
            let g = Gate::new(p).unwrap();
            for t in texts.iter().copied().chain([long.as_str()]) {
                let want = re
                    .captures(t)
                    .map(|c| c.iter().map(|m| m.map(|m| m.as_str())).collect::<Vec<_>>());
                let n = re.captures_len();
                let got = g.captures(&re, t, |c| (0..n).map(|i| c.get(i)).collect::<Vec<_>>());
                assert_eq!(got, want, "{p} on {t:?}");
                assert!(g.may_match(t) || want.is_none());
            }
        }
    }
}
