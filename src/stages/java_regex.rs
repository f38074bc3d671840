//! Sumo's parsing stages take Java regular expressions; sumoq runs them on
//! Rust's `regex` crate (linear time). This rewrites the Java forms whose
//! meaning differs or that the crate rejects, before compiling:
//!
//! - `\w`, `\d`, `\s` and their negations are ASCII in Java: written as
//!   ASCII classes (the crate's are Unicode, and `\w{1,25}` alone compiles
//!   past the size limit);
//! - a `-` right after a class escape inside `[...]` is a literal in Java
//!   (`[\w-_.]`): escaped;
//! - `\<` and `\>` are literal characters in Java, word boundaries in the
//!   crate: unescaped;
//! - `\Q...\E` quotes text: escaped;
//! - possessive quantifiers (`a++`) and atomic groups (`(?>...)`): made
//!   ordinary (they match the same text on every input where the pattern
//!   has no need to backtrack into them).
//!
//! Look-around and backreferences stay unsupported: the crate reports them.

/// Rewrites a Java regex for the `regex` crate.
pub fn translate(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len() + 16);
    let mut i = 0;
    // Depth of `[...]` nesting (Rust allows nested classes; Java's `[a[b]]`
    // is a union, which reads the same).
    let mut class = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    out.push('\\');
                    break;
                };
                if n == 'Q' {
                    let rest: String = chars[i + 2..].iter().collect();
                    let (quoted, after) = match rest.find("\\E") {
                        Some(p) => (&rest[..p], p + 2),
                        None => (rest.as_str(), rest.len()),
                    };
                    out.push_str(&regex::escape(quoted));
                    i += 2 + rest[..after].chars().count();
                    continue;
                }
                let class_text = match (n, class > 0) {
                    ('w', false) => Some("[0-9A-Za-z_]"),
                    ('W', false) => Some("[^0-9A-Za-z_]"),
                    ('d', false) => Some("[0-9]"),
                    ('D', false) => Some("[^0-9]"),
                    ('s', false) => Some(r"[\t\n\x0B\x0C\r ]"),
                    ('S', false) => Some(r"[^\t\n\x0B\x0C\r ]"),
                    ('w', true) => Some("0-9A-Za-z_"),
                    ('W', true) => Some("[:^word:]"),
                    ('d', true) => Some("0-9"),
                    ('D', true) => Some("[:^digit:]"),
                    ('s', true) => Some(r"\t\n\x0B\x0C\r "),
                    ('S', true) => Some("[:^space:]"),
                    _ => None,
                };
                if let Some(t) = class_text {
                    out.push_str(t);
                    i += 2;
                    // `[\w-.]`: the `-` cannot start a range after a class.
                    if class > 0 && chars.get(i) == Some(&'-') && chars.get(i + 1) != Some(&']') {
                        out.push_str("\\-");
                        i += 1;
                    }
                    continue;
                }
                match n {
                    '<' | '>' => out.push(n),
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
                i += 2;
            }
            '[' => {
                class += 1;
                out.push('[');
                i += 1;
                // `[]` and `[^]` start with a literal `]` in Java.
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            ']' if class > 0 => {
                class -= 1;
                out.push(']');
                i += 1;
            }
            '(' if class == 0
                && chars.get(i + 1) == Some(&'?')
                && chars.get(i + 2) == Some(&'>') =>
            {
                out.push_str("(?:");
                i += 3;
            }
            '*' | '+' | '?' | '}' if class == 0 => {
                out.push(c);
                i += 1;
                // A possessive `+` after a quantifier.
                if chars.get(i) == Some(&'+') && is_quantifier_end(&chars, i - 1) {
                    i += 1;
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// True when the character at `at` ends a quantifier (`*`, `+`, `?` after
/// something quantifiable, or the `}` of `{n,m}`).
fn is_quantifier_end(chars: &[char], at: usize) -> bool {
    match chars.get(at) {
        Some('}') => true,
        Some('*' | '+' | '?') => {
            // `(?` opens a group, not a quantifier.
            !(chars.get(at) == Some(&'?') && at > 0 && chars.get(at - 1) == Some(&'('))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn classes_are_ascii() {
        assert_eq!(translate(r"\w+\d"), "[0-9A-Za-z_]+[0-9]");
        assert_eq!(translate(r"[\w-_.]"), r"[0-9A-Za-z_\-_.]");
        assert_eq!(translate(r"[^\s]"), r"[^\t\n\x0B\x0C\r ]");
        assert_eq!(translate(r"[\S]"), "[[:^space:]]");
    }

    #[test]
    fn java_only_forms() {
        assert_eq!(translate(r"\<a\>"), "<a>");
        assert_eq!(translate(r"\Qa.b\Ec"), r"a\.bc");
        assert_eq!(translate(r"a++b*+(?>c)"), "a+b*(?:c)");
        assert_eq!(translate(r"(?<n>x)+"), "(?<n>x)+");
        assert_eq!(translate(r"\\d"), r"\\d");
        assert_eq!(translate(r"[]a]"), r"[\]a]");
    }

    #[test]
    fn translated_patterns_compile() {
        for p in [
            r"\w{1,25}",
            r"[\w-_.]+$",
            r"(?<a>\S+)\s(?<b>[^\s]+)",
            r"\Q(x)\E",
        ] {
            assert!(regex::Regex::new(&translate(p)).is_ok(), "{p}");
        }
    }
}
