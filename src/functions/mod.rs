//! The function registry: every function's name, aliases, argument count,
//! implementation and help text. The planner resolves calls here; the REPL's
//! `:help` and the language reference read the same entries.

pub mod encode;
pub mod format;
pub mod ip;
pub mod math;
pub mod string;
pub mod time_fns;

use crate::value::Value;

/// A function over evaluated arguments.
pub type PureFn = fn(&[Value]) -> Value;

/// How a function is carried out.
#[derive(Clone, Copy, Debug)]
pub enum Imp {
    /// Evaluate every argument, then call.
    Pure(PureFn),
    /// Needs the planner: lazy arguments, or a regex, CIDR or date pattern
    /// compiled once before input is read.
    Special(Special),
}

/// Functions the planner compiles itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// `if(c, a, b)`: only the chosen branch is evaluated.
    If,
    /// `matches(x, "re")`: a regex over the whole value.
    Matches,
    /// `cidr_match(ip, "net")`.
    CidrMatch,
    /// `replace(s, /re/ or "text", r)`.
    Replace,
    /// `formatDate(ms, pattern[, tz])`.
    FormatDate,
    /// `parseDate(text, pattern[, tz])`.
    ParseDate,
    /// `now()`.
    Now,
    /// `queryStartTime()`.
    QueryStart,
    /// `queryEndTime()`.
    QueryEnd,
    /// `queryTimeRange()`.
    QueryRange,
}

/// One function.
#[derive(Debug)]
pub struct FnDef {
    /// The canonical name.
    pub name: &'static str,
    /// Other accepted names (all names are case-insensitive).
    pub aliases: &'static [&'static str],
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments (`usize::MAX` for any number).
    pub max_args: usize,
    /// The implementation.
    pub imp: Imp,
    /// Call syntax, for help and messages.
    pub syntax: &'static str,
    /// What it does, including its null behaviour.
    pub doc: &'static str,
    /// An example query line.
    pub example: &'static str,
}

macro_rules! f {
    ($name:expr, [$($alias:expr),*], $min:expr, $max:expr, $imp:expr, $syn:expr, $doc:expr, $ex:expr) => {
        FnDef {
            name: $name,
            aliases: &[$($alias),*],
            min_args: $min,
            max_args: $max,
            imp: $imp,
            syntax: $syn,
            doc: $doc,
            example: $ex,
        }
    };
}

use Imp::{Pure, Special as Sp};

/// Every function, in the order the reference lists them.
pub static FUNCTIONS: &[FnDef] = &[
    f!("if", [], 3, 3, Sp(Special::If), "if(cond, then, else)",
       "`then` when cond is true, else `else` (a null condition is false).",
       "| eval level = if(bytes > 1000, \"big\", \"small\")"),
    f!("isNull", [], 1, 1, Pure(string::is_null), "isNull(x)",
       "True when x is missing or null.", "| where isNull(action)"),
    f!("isEmpty", [], 1, 1, Pure(string::is_empty), "isEmpty(x)",
       "True when x is missing, null or \"\".", "| where !isEmpty(user)"),
    f!("isBlank", [], 1, 1, Pure(string::is_blank), "isBlank(x)",
       "True when x is missing, null, \"\" or only white space.", "| where isBlank(user)"),
    f!("isNumeric", [], 1, 1, Pure(string::is_numeric), "isNumeric(x)",
       "True for a number or a numeric string.", "| where isNumeric(port)"),
    f!("starts_with", ["startsWith"], 2, 2, Pure(string::starts_with), "starts_with(s, prefix)",
       "Case-sensitive prefix test on the text; false when either side is null.",
       "| where starts_with(dest_ip, \"10.\")"),
    f!("ends_with", ["endsWith"], 2, 2, Pure(string::ends_with), "ends_with(s, suffix)",
       "Case-sensitive suffix test; false on null.", "| where ends_with(host, \".example.com\")"),
    f!("contains", [], 2, 2, Pure(string::contains), "contains(s, part)",
       "Case-sensitive substring test, also written `s contains part`; an empty part is found only in an empty text (as Sumo documents); false on null.", "| where contains(url, \"/admin\")"),
    f!("matches", [], 2, 2, Sp(Special::Matches), "matches(x, \"regex\")",
       "True when the regex matches the WHOLE text of x (as if wrapped in ^(?:...)$); `(?i)` for case-insensitive; false on null.",
       "| where matches(process_name, \"(?i)mosquitto.*\")"),
    f!("length", [], 1, 1, Pure(string::length), "length(s)",
       "Number of characters; null on null.", "| eval n = length(user)"),
    f!("toLowerCase", ["lower"], 1, 1, Pure(string::to_lower), "toLowerCase(s)",
       "Lower-cased text; null on null.", "| toLowerCase(user) as user"),
    f!("toUpperCase", ["upper"], 1, 1, Pure(string::to_upper), "toUpperCase(s)",
       "Upper-cased text; null on null.", "| toUpperCase(host) as host"),
    f!("trim", [], 1, 1, Pure(string::trim), "trim(s)",
       "Text without white space at both ends; null on null.", "| trim(user) as user"),
    f!("concat", [], 1, usize::MAX, Pure(string::concat), "concat(a, b, ...)",
       "The texts joined; a null argument adds nothing.", "| concat(src_ip, \":\", src_port) as src"),
    f!("substring", [], 2, 3, Pure(string::substring), "substring(s, start[, end])",
       "Characters from start (0-based) to end (exclusive), clamped to the text; null on null.",
       "| substring(user, 0, 3) as prefix"),
    f!("indexOf", [], 2, 2, Pure(string::index_of), "indexOf(s, part)",
       "Character index of the first occurrence, -1 when absent; null on null.",
       "| eval at = indexOf(email, \"@\")"),
    f!("replace", [], 3, 3, Sp(Special::Replace), "replace(s, \"text\" | /regex/, replacement)",
       "Replaces every occurrence of the text, or every match of the regex ($1, ${name} in the replacement); null when any input is null.",
       "| replace(url, /\\?.*/, \"\") as path"),
    f!("num", ["number"], 1, 1, Pure(math::to_num), "num(x)",
       "An int for whole-number text, else a float; null when x is not numeric.", "| num(bytes)"),
    f!("toLong", ["toInt", "long", "int"], 1, 1, Pure(math::to_long), "toLong(x)",
       "An int, fraction truncated; null when not numeric.", "| toLong(duration) as d"),
    f!("toDouble", [], 1, 1, Pure(math::to_double), "toDouble(x)",
       "A float; null when not numeric.", "| toDouble(ratio) as r"),
    f!("toString", [], 1, 1, Pure(math::to_string), "toString(x)",
       "The text of x; null on null.", "| toString(port) as port_text"),
    f!("abs", [], 1, 1, Pure(math::abs), "abs(x)", "Absolute value; null when not numeric.", "| abs(delta) as d"),
    f!("round", [], 1, 2, Pure(math::round), "round(x[, digits])",
       "Rounded half away from zero (an int without digits); null when x or digits is not numeric.", "| round(avg) as a"),
    f!("ceil", [], 1, 1, Pure(math::ceil), "ceil(x)", "Smallest whole number ≥ x, as an int.", "| ceil(x) as c"),
    f!("floor", [], 1, 1, Pure(math::floor), "floor(x)", "Largest whole number ≤ x, as an int.", "| floor(x) as f"),
    f!("sqrt", [], 1, 1, Pure(math::sqrt), "sqrt(x)", "Square root, a float.", "| sqrt(x) as r"),
    f!("pow", [], 2, 2, Pure(math::pow), "pow(x, y)", "x to the power y, a float.", "| pow(2, bits) as n"),
    f!("log", ["ln"], 1, 1, Pure(math::ln), "log(x)", "Natural logarithm, a float.", "| log(bytes) as l"),
    f!("log10", [], 1, 1, Pure(math::log10), "log10(x)", "Base-10 logarithm, a float.", "| log10(bytes) as l"),
    f!("exp", [], 1, 1, Pure(math::exp), "exp(x)", "e to the power x.", "| exp(x) as e"),
    f!("isNaN", [], 1, 1, Pure(math::is_nan), "isNaN(x)", "True for a NaN float.", "| where !isNaN(ratio)"),
    f!("isInfinity", [], 1, 1, Pure(math::is_infinity), "isInfinity(x)", "True for an infinite float.", "| where isInfinity(rate)"),
    f!("min", [], 2, 2, Pure(math::min2), "min(a, b)",
       "The smaller of two values (numeric when both are numbers); null when they do not compare. With one argument, `min` is the aggregate.",
       "| min(a, b) as low"),
    f!("max", [], 2, 2, Pure(math::max2), "max(a, b)",
       "The larger of two values. With one argument, `max` is the aggregate.", "| max(a, b) as high"),
    f!("acos", [], 1, 1, Pure(math::acos), "acos(x)", "Inverse cosine in radians, a float (NaN outside -1..1); null when not numeric.", "| acos(ratio) as angle"),
    f!("asin", [], 1, 1, Pure(math::asin), "asin(x)", "Inverse sine in radians, a float; null when not numeric.", "| asin(ratio) as angle"),
    f!("atan", [], 1, 1, Pure(math::atan), "atan(x)", "Inverse tangent in radians, a float; null when not numeric.", "| atan(slope) as angle"),
    f!("atan2", [], 2, 2, Pure(math::atan2), "atan2(y, x)", "The angle of the point (x, y) in radians, -π to π; null when either is not numeric.", "| atan2(dy, dx) as angle"),
    f!("cbrt", [], 1, 1, Pure(math::cbrt), "cbrt(x)", "Cube root, a float; null when not numeric.", "| cbrt(volume) as side"),
    f!("cos", [], 1, 1, Pure(math::cos), "cos(x)", "Cosine of x radians, a float; null when not numeric.", "| cos(angle) as c"),
    f!("cosh", [], 1, 1, Pure(math::cosh), "cosh(x)", "Hyperbolic cosine, a float; null when not numeric.", "| cosh(x) as c"),
    f!("sin", [], 1, 1, Pure(math::sin), "sin(x)", "Sine of x radians, a float; null when not numeric.", "| sin(angle) as s"),
    f!("sinh", [], 1, 1, Pure(math::sinh), "sinh(x)", "Hyperbolic sine, a float; null when not numeric.", "| sinh(x) as s"),
    f!("tan", [], 1, 1, Pure(math::tan), "tan(x)", "Tangent of x radians, a float; null when not numeric.", "| tan(angle) as t"),
    f!("tanh", [], 1, 1, Pure(math::tanh), "tanh(x)", "Hyperbolic tangent, a float; null when not numeric.", "| tanh(x) as t"),
    f!("expm1", [], 1, 1, Pure(math::expm1), "expm1(x)", "e^x - 1, exact for small x; null when not numeric.", "| expm1(rate) as growth"),
    f!("log1p", [], 1, 1, Pure(math::log1p), "log1p(x)", "ln(1 + x), exact for small x; null when not numeric.", "| log1p(bytes) as l"),
    f!("hypot", [], 2, 2, Pure(math::hypot), "hypot(a, b)", "sqrt(a² + b²) without overflow; null when either is not numeric.", "| hypot(3, 4) as c"),
    f!("toDegrees", [], 1, 1, Pure(math::to_degrees), "toDegrees(x)", "Radians to degrees, a float; null when not numeric.", "| toDegrees(angle) as deg"),
    f!("toRadians", [], 1, 1, Pure(math::to_radians), "toRadians(x)", "Degrees to radians, a float; null when not numeric.", "| toRadians(deg) as angle"),
    f!("haversine", [], 4, 4, Pure(math::haversine), "haversine(lat1, lon1, lat2, lon2)",
       "Great-circle distance in km between two points in degrees, rounded to 2 decimals as Sumo shows it; null when any is not numeric.",
       "| haversine(lat1, long1, lat2, long2) as distance_kms"),
    f!("format", [], 1, usize::MAX, Pure(format::format), "format(\"spec\", a, ...)",
       "Java's String.format: `%s %S %d %x %X %o %f %e %g %b %c %% %n` with flags, width, precision and `%2$s`; decimals round half up. Null when an argument is null or does not fit its conversion (Sumo fails the query).",
       "| format(\"%s: %.2f%%\", host, pct) as line"),
    f!("tourl", [], 1, 2, Pure(encode::to_url), "tourl(url[, text])",
       "Sumo shows `text` as a link to `url`; offline there is nothing to click, so the result is the URL text itself (decision). Null when url is null.",
       "| tourl(concat(\"https://www.virustotal.com/gui/ip-address/\", src_ip), src_ip) as vt"),
    f!("urlencode", [], 1, 1, Pure(encode::urlencode), "urlencode(s)",
       "Java's URLEncoder (UTF-8): letters, digits and `.-*_` stay, space is `+`, other bytes `%XX`; null on null.",
       "| urlencode(url) as encoded"),
    f!("urldecode", [], 1, 1, Pure(encode::urldecode), "urldecode(s)",
       "`%XX` and `+` decoded as UTF-8; text with a broken `%` escape comes back unchanged; null on null.",
       "| urldecode(uri) as decoded"),
    f!("base64Encode", [], 1, 2, Pure(encode::base64_encode), "base64Encode(s[, \"charset\"])",
       "Base64 of the text in the character set (UTF-8 default; US-ASCII, UTF-16, UTF-16BE/LE, UTF-32, UTF-32BE/LE); null on null or an unknown character set.",
       "| base64Encode(user) as b"),
    f!("base64Decode", [], 1, 2, Pure(encode::base64_decode), "base64Decode(s[, \"charset\"])",
       "Decodes base64 and reads the bytes in the character set (UTF-8 default); input that is not base64 comes back unchanged; null on null.",
       "| base64Decode(payload) as text"),
    f!("decToHex", [], 1, 1, Pure(encode::dec_to_hex), "decToHex(n)",
       "Upper-case hexadecimal of a whole number, two's complement when negative; null when not a whole number.",
       "| decToHex(_count) as hex"),
    f!("hexToDec", [], 1, 1, Pure(encode::hex_to_dec), "hexToDec(s)",
       "Up to 16 hex digits read as a 64-bit two's complement number; null when not hex.",
       "| hexToDec(code) as n"),
    f!("isValidIP", [], 1, 1, Pure(ip_valid), "isValidIP(x)", "True for an IPv4 or IPv6 address.", "| where isValidIP(src_ip)"),
    f!("isValidIPv4", [], 1, 1, Pure(ip_valid4), "isValidIPv4(x)", "True for an IPv4 address.", "| where isValidIPv4(src_ip)"),
    f!("isValidIPv6", [], 1, 1, Pure(ip_valid6), "isValidIPv6(x)", "True for an IPv6 address.", "| where isValidIPv6(src_ip)"),
    f!("isPrivateIP", [], 1, 1, Pure(ip_private), "isPrivateIP(x)",
       "True for 10/8, 172.16/12, 192.168/16 and fc00::/7 only (not loopback, link-local or 100.64/10); false for non-IPs.",
       "| where !isPrivateIP(dest_ip)"),
    f!("isPublicIP", [], 1, 1, Pure(ip_public), "isPublicIP(x)",
       "True for a valid address that is not private, loopback, link-local, multicast, unspecified, documentation or reserved.",
       "| where isPublicIP(dest_ip)"),
    f!("cidr_match", ["isInCIDR"], 2, 2, Sp(Special::CidrMatch), "cidr_match(ip, \"net/len\")",
       "True when ip lies in the network (IPv4 or IPv6); false for non-IPs.",
       "| where cidr_match(dest_ip, \"172.16.0.0/12\")"),
    f!("compareCIDRPrefix", [], 3, 3, Pure(ip_compare_prefix), "compareCIDRPrefix(ip1, ip2, len)",
       "True when both addresses share their first len bits; null when either is not an IP.",
       "| where compareCIDRPrefix(src_ip, dest_ip, 24)"),
    f!("maskFromCIDR", [], 1, 1, Pure(ip_mask), "maskFromCIDR(len)", "The IPv4 netmask for a prefix length.", "| maskFromCIDR(21) as mask"),
    f!("getCIDRPrefix", [], 2, 2, Pure(ip_prefix), "getCIDRPrefix(ip, len)", "The network address of ip at the prefix length.", "| getCIDRPrefix(src_ip, 24) as net"),
    f!("ipv4ToNumber", [], 1, 1, Pure(ip_number), "ipv4ToNumber(ip)", "The IPv4 address as an int.", "| ipv4ToNumber(src_ip) as n"),
    f!("formatDate", [], 1, 3, Sp(Special::FormatDate), "formatDate(ms[, \"pattern\"[, \"zone\"]])",
       "Epoch milliseconds (or RFC 3339 / ISO 8601 time text) as text in a Java date pattern (without one, `MM/dd/yyyy HH:mm:ss.SSS Z`, Sumo's US style), UTC unless a zone is given; null when it is neither.",
       "| formatDate(_messageTime, \"yyyy-MM-dd HH:mm:ss\") as time"),
    f!("parseDate", [], 1, 3, Sp(Special::ParseDate), "parseDate(text[, \"pattern\"[, \"zone\"]])",
       "Epoch milliseconds from text in a Java date pattern (RFC 3339 / ISO 8601 without one); null when it does not parse.",
       "| parseDate(UtcTime, \"yyyy-MM-dd HH:mm:ss.SSS\") as t"),
    f!("now", [], 0, 0, Sp(Special::Now), "now()", "The time the query started, epoch milliseconds.", "| eval age = now() - _messageTime"),
    f!("queryStartTime", [], 0, 0, Sp(Special::QueryStart), "queryStartTime()",
       "Start of the search time range, epoch ms. sumoq has no time-range picker: the range is Sumo's default, the 15 minutes before the query started.",
       "| (queryEndTime() - queryStartTime()) / 1000 as seconds"),
    f!("queryEndTime", [], 0, 0, Sp(Special::QueryEnd), "queryEndTime()",
       "End of the search time range: the time the query started, epoch ms.", "| queryEndTime() as end"),
    f!("queryTimeRange", [], 0, 0, Sp(Special::QueryRange), "queryTimeRange()",
       "Length of the search time range in ms: 900000 (15 minutes, see queryStartTime).", "| _count / (queryTimeRange() / 1000) as per_second"),
    f!("fromMillis", ["toMillis"], 1, 1, Pure(time_fns::from_millis), "fromMillis(ms)",
       "A time given in epoch milliseconds, as an int (sumoq's times are milliseconds already); null when not numeric.",
       "| formatDate(fromMillis(event_time), \"yyyy-MM-dd\") as day"),
    f!("fromSeconds", [], 1, 1, Pure(time_fns::from_seconds), "fromSeconds(s)",
       "A time given in epoch seconds, as epoch milliseconds (an int, fraction of a millisecond truncated); null when not numeric.",
       "| formatDate(fromSeconds(ts), \"yyyy-MM-dd\") as day"),
];

fn ip_valid(a: &[Value]) -> Value {
    Value::Bool(a.first().is_some_and(ip::is_valid_ip))
}
fn ip_valid4(a: &[Value]) -> Value {
    Value::Bool(a.first().is_some_and(ip::is_valid_ipv4))
}
fn ip_valid6(a: &[Value]) -> Value {
    Value::Bool(a.first().is_some_and(ip::is_valid_ipv6))
}
fn ip_private(a: &[Value]) -> Value {
    Value::Bool(a.first().is_some_and(ip::is_private_ip))
}
fn ip_public(a: &[Value]) -> Value {
    Value::Bool(a.first().is_some_and(ip::is_public_ip))
}
fn ip_compare_prefix(a: &[Value]) -> Value {
    match (a.first(), a.get(1), a.get(2)) {
        (Some(x), Some(y), Some(n)) => ip::compare_cidr_prefix(x, y, n),
        _ => Value::Null,
    }
}
fn ip_mask(a: &[Value]) -> Value {
    a.first().map(ip::mask_from_cidr).unwrap_or(Value::Null)
}
fn ip_prefix(a: &[Value]) -> Value {
    match (a.first(), a.get(1)) {
        (Some(x), Some(n)) => ip::get_cidr_prefix(x, n),
        _ => Value::Null,
    }
}
fn ip_number(a: &[Value]) -> Value {
    a.first().map(ip::ipv4_to_number).unwrap_or(Value::Null)
}

/// Finds a function by any of its names, ignoring case.
pub fn lookup(name: &str) -> Option<&'static FnDef> {
    FUNCTIONS.iter().find(|f| {
        f.name.eq_ignore_ascii_case(name) || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// Every name a function can be called by (for suggestions and completion).
pub fn all_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS
        .iter()
        .flat_map(|f| std::iter::once(f.name).chain(f.aliases.iter().copied()))
}

/// The function reference as a Markdown table (kept in docs/LANGUAGE.md
/// between marker comments; a test checks it matches this registry).
pub fn markdown_table() -> String {
    let mut out =
        String::from("| function | what it does (null behaviour) | example |\n|---|---|---|\n");
    for f in FUNCTIONS {
        let mut names = format!("`{}`", f.syntax);
        if !f.aliases.is_empty() {
            let a: Vec<String> = f.aliases.iter().map(|a| format!("`{a}`")).collect();
            names.push_str(&format!(" (also {})", a.join(", ")));
        }
        out.push_str(&format!(
            "| {} | {} | `{}` |\n",
            names.replace('|', "\\|"),
            f.doc.replace('|', "\\|"),
            f.example.replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEGIN: &str = "<!-- functions:begin (generated from src/functions/mod.rs) -->\n";
    const END: &str = "<!-- functions:end -->";

    /// The reference's function table is generated from the registry;
    /// `UPDATE_DOCS=1 cargo test` rewrites it.
    #[test]
    fn language_reference_lists_every_function() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/LANGUAGE.md");
        let doc = std::fs::read_to_string(path).expect("docs/LANGUAGE.md");
        let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
            panic!("docs/LANGUAGE.md lacks the function table markers");
        };
        let current = &doc[b + BEGIN.len()..e];
        let want = markdown_table();
        if current != want {
            if std::env::var_os("UPDATE_DOCS").is_some() {
                let new = format!("{}{}{}", &doc[..b + BEGIN.len()], want, &doc[e..]);
                std::fs::write(path, new).expect("write docs");
            } else {
                panic!("docs/LANGUAGE.md's function table is stale: run UPDATE_DOCS=1 cargo test");
            }
        }
    }

    #[test]
    fn names_are_unique_ignoring_case() {
        let names: Vec<String> = all_names().map(|n| n.to_ascii_lowercase()).collect();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[i + 1..].contains(n), "duplicate function name {n}");
        }
    }
}
