//! Highlighting the query as it is typed: stage names, keywords, functions,
//! fields, strings, numbers and comments, with ANSI colours. Only colour
//! codes are added, never characters, so the line keeps its width.

use super::lexer::{is_keyword, tokens, Kind, Token};
use crate::plan::STAGES;

const STAGE: &str = "\x1b[1;35m";
const KEYWORD: &str = "\x1b[35m";
const FUNCTION: &str = "\x1b[34m";
const FIELD: &str = "\x1b[36m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[33m";
const COMMENT: &str = "\x1b[2m";
const PIPE: &str = "\x1b[1m";
const COMMAND: &str = "\x1b[1;34m";
const RESET: &str = "\x1b[0m";

/// The roles the highlighter gives tokens (also used by tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// No colour.
    Plain,
    /// The name of a stage.
    Stage,
    /// `and`, `by`, `as`, ...
    Keyword,
    /// A function call's name.
    Function,
    /// A field name.
    Field,
    /// A string.
    Str,
    /// A number.
    Number,
    /// A comment.
    Comment,
    /// `|`.
    Pipe,
    /// A meta-command's name.
    Command,
}

impl Role {
    fn code(self) -> Option<&'static str> {
        match self {
            Role::Plain => None,
            Role::Stage => Some(STAGE),
            Role::Keyword => Some(KEYWORD),
            Role::Function => Some(FUNCTION),
            Role::Field => Some(FIELD),
            Role::Str => Some(STRING),
            Role::Number => Some(NUMBER),
            Role::Comment => Some(COMMENT),
            Role::Pipe => Some(PIPE),
            Role::Command => Some(COMMAND),
        }
    }
}

/// True for a name that can begin a stage.
pub fn is_stage_name(w: &str) -> bool {
    STAGES.iter().any(|s| s.eq_ignore_ascii_case(w)) || crate::stages::registry::lookup(w).is_some()
}

/// The next token that is not space or comment.
fn next_significant(toks: &[Token], i: usize) -> Option<&Token> {
    toks[i + 1..]
        .iter()
        .find(|t| !matches!(t.kind, Kind::Space | Kind::Comment { .. }))
}

/// Gives every token its role.
pub fn roles(line: &str) -> Vec<(Token, Role)> {
    let toks = tokens(line);
    if let Some(first) = toks.iter().position(|t| t.kind != Kind::Space) {
        if toks[first].text(line) == ":" {
            // A meta-command: colour its name, leave the arguments alone.
            return toks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let cmd = i == first || (i == first + 1 && t.kind == Kind::Word);
                    (*t, if cmd { Role::Command } else { Role::Plain })
                })
                .collect();
        }
    }
    let mut out = Vec::with_capacity(toks.len());
    let mut in_search = true;
    let mut stage_next = false;
    for (i, t) in toks.iter().enumerate() {
        let next = next_significant(&toks, i);
        let next_text = next.map(|n| n.text(line)).unwrap_or("");
        let role = match t.kind {
            Kind::Space => Role::Plain,
            Kind::Pipe => {
                in_search = false;
                stage_next = true;
                Role::Pipe
            }
            Kind::Str { .. } => Role::Str,
            Kind::QuotedName => Role::Field,
            Kind::Number => Role::Number,
            Kind::Comment { .. } => Role::Comment,
            Kind::Punct => Role::Plain,
            Kind::Word => {
                let w = t.text(line);
                let call = next_text == "(";
                let role = if stage_next {
                    if call && !is_stage_name(w) {
                        Role::Function
                    } else if is_stage_name(w) {
                        Role::Stage
                    } else {
                        Role::Plain
                    }
                } else if is_keyword(w) {
                    Role::Keyword
                } else if in_search {
                    // A search term is a field only in `field=value`.
                    let cmp = next_text == "="
                        || (next_text == "!"
                            && next.is_some_and(|n| line[n.end..].starts_with('=')));
                    if cmp {
                        Role::Field
                    } else {
                        Role::Plain
                    }
                } else if call {
                    Role::Function
                } else {
                    Role::Field
                };
                stage_next = false;
                role
            }
        };
        if !matches!(t.kind, Kind::Space | Kind::Comment { .. } | Kind::Pipe) {
            stage_next = false;
        }
        out.push((*t, role));
    }
    out
}

/// The line with colour codes around its tokens.
pub fn highlight(line: &str) -> String {
    let mut s = String::with_capacity(line.len() * 2);
    for (t, role) in roles(line) {
        let text = t.text(line);
        match role.code() {
            Some(code) => {
                s.push_str(code);
                s.push_str(text);
                s.push_str(RESET);
            }
            None => s.push_str(text),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role_of(line: &str, word: &str) -> Role {
        roles(line)
            .into_iter()
            .find(|(t, _)| t.text(line) == word)
            .map(|(_, r)| r)
            .unwrap_or(Role::Plain)
    }

    #[test]
    fn roles_of_a_query() {
        let q = "_sourceCategory=firewall error | where dest_port in (1883, 8883) and isPrivateIP(src_ip)\n| count by dest_port // c\n| eval p = \"x\"";
        assert_eq!(role_of(q, "_sourceCategory"), Role::Field);
        assert_eq!(role_of(q, "firewall"), Role::Plain);
        assert_eq!(role_of(q, "error"), Role::Plain);
        assert_eq!(role_of(q, "where"), Role::Stage);
        assert_eq!(role_of(q, "dest_port"), Role::Field);
        assert_eq!(role_of(q, "in"), Role::Keyword);
        assert_eq!(role_of(q, "1883"), Role::Number);
        assert_eq!(role_of(q, "isPrivateIP"), Role::Function);
        assert_eq!(role_of(q, "count"), Role::Stage);
        assert_eq!(role_of(q, "by"), Role::Keyword);
        assert_eq!(role_of(q, "// c"), Role::Comment);
        assert_eq!(role_of(q, "\"x\""), Role::Str);
        assert_eq!(role_of(q, "|"), Role::Pipe);
        assert_eq!(
            role_of("* | toLowerCase(u) as u", "toLowerCase"),
            Role::Function
        );
        assert_eq!(role_of("* | wher x", "wher"), Role::Plain);
        assert_eq!(role_of("a != b", "a"), Role::Field);
    }

    #[test]
    fn only_colour_is_added() {
        let q = "x=1 | where a > \"b\" /* open";
        let h = highlight(q);
        let stripped = h
            .split('\x1b')
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part
                } else {
                    part.split_once('m').map(|(_, rest)| rest).unwrap_or("")
                }
            })
            .collect::<String>();
        assert_eq!(stripped, q);
        assert!(h.contains("\x1b[1;35mwhere\x1b[0m"), "{h:?}");
    }

    #[test]
    fn meta_commands() {
        assert_eq!(role_of(":run x", "run"), Role::Command);
        assert_eq!(role_of(":run x", "x"), Role::Plain);
    }
}
