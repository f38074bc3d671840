//! Compiled expressions: names resolved, functions bound, regexes, CIDRs
//! and date patterns compiled. Evaluation reads a record and never fails:
//! a value that does not fit gives null (SPEC §3).

use std::sync::Arc;

use regex::Regex;

use crate::functions::{self, PureFn};
use crate::record::{Name, Record, Seg};
use crate::value::{arith, negate, ArithOp, Value};

/// A field reference with its path split once, at plan time.
#[derive(Clone, Debug)]
pub struct FieldRef {
    /// The name as written.
    pub name: Name,
    /// `a.b[0]` segments, or `None` for a plain or `%"quoted"` name.
    pub path: Option<Vec<Seg>>,
}

impl FieldRef {
    /// A reference to a name; `quoted` names are never split.
    pub fn new(name: &str, quoted: bool) -> FieldRef {
        FieldRef {
            name: Arc::from(name),
            path: if quoted {
                None
            } else {
                crate::record::split_path(name)
            },
        }
    }

    /// Reads the field from a record.
    pub fn get(&self, rec: &Record) -> Value {
        rec.lookup(&self.name, self.path.as_deref())
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A regex, either fixed at plan time or built from a field's value.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// Compiled once.
    Fixed(Regex),
    /// Compiled per record from a value (a field holding a pattern).
    Dynamic(Box<CExpr>),
}

/// How a dynamic pattern's text becomes a regex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    /// A regex matched over the whole value.
    WholeRegex,
    /// A Sumo wildcard pattern (`*` any run), over the whole value.
    Wildcard,
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub enum CExpr {
    /// A constant.
    Const(Value),
    /// A field.
    Field(FieldRef),
    /// A pure function call.
    Call(&'static str, PureFn, Vec<CExpr>),
    /// `!x`.
    Not(Box<CExpr>),
    /// `-x`.
    Neg(Box<CExpr>),
    /// `a and b` (short-circuit).
    And(Box<CExpr>, Box<CExpr>),
    /// `a or b` (short-circuit).
    Or(Box<CExpr>, Box<CExpr>),
    /// A comparison.
    Cmp(CmpOp, Box<CExpr>, Box<CExpr>),
    /// Arithmetic.
    Arith(ArithOp, Box<CExpr>, Box<CExpr>),
    /// `x in (...)`.
    In(Box<CExpr>, Vec<CExpr>, bool),
    /// A regex or wildcard test; `find` means anywhere in the value.
    Match {
        /// The tested value.
        expr: Box<CExpr>,
        /// The pattern.
        pattern: Pattern,
        /// How a dynamic pattern is read.
        kind: PatternKind,
        /// Negated form.
        negated: bool,
    },
    /// `if(c, a, b)` and `c ? a : b`.
    If(Box<CExpr>, Box<CExpr>, Box<CExpr>),
    /// `cidr_match(ip, net)` with a fixed network.
    Cidr(Box<CExpr>, ipnet::IpNet),
    /// `cidr_match(ip, field)`.
    CidrDyn(Box<CExpr>, Box<CExpr>),
    /// `replace(s, /re/, r)`.
    RegexReplace(Box<CExpr>, Regex, Box<CExpr>),
    /// `formatDate(ms, pattern, zone)`.
    FormatDate(Box<CExpr>, String, Option<String>),
    /// `parseDate(text, pattern, zone)`.
    ParseDate(Box<CExpr>, Option<crate::time::DatePattern>, Option<String>),
}

/// Anchors a regex so it must match the whole value.
pub fn whole_regex(src: &str) -> String {
    format!("^(?:{src})$")
}

/// Turns a Sumo wildcard pattern into a whole-value regex: `*` any run of
/// characters, `?` (when `question` is set) one character.
pub fn wildcard_regex(pat: &str, case_insensitive: bool, question: bool) -> String {
    let mut out = String::from(if case_insensitive { "(?is)^" } else { "(?s)^" });
    for c in pat.chars() {
        match c {
            '*' => out.push_str(".*"),
            '?' if question => out.push('.'),
            c => out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out.push('$');
    out
}

/// Size limit for every regex compiled from a query or a value.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a regex with the project's size limit.
pub fn build_regex(src: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(src)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

impl CExpr {
    /// Evaluates against a record.
    pub fn eval(&self, rec: &Record) -> Value {
        match self {
            CExpr::Const(v) => v.clone(),
            CExpr::Field(f) => f.get(rec),
            CExpr::Call(_, f, args) => {
                let vals: Vec<Value> = args.iter().map(|a| a.eval(rec)).collect();
                f(&vals)
            }
            CExpr::Not(e) => Value::Bool(!e.eval(rec).truthy()),
            CExpr::Neg(e) => negate(&e.eval(rec)),
            CExpr::And(a, b) => Value::Bool(a.eval(rec).truthy() && b.eval(rec).truthy()),
            CExpr::Or(a, b) => Value::Bool(a.eval(rec).truthy() || b.eval(rec).truthy()),
            CExpr::Cmp(op, a, b) => {
                let (x, y) = (a.eval_cow(rec), b.eval_cow(rec));
                Value::Bool(compare(*op, &x, &y))
            }
            CExpr::Arith(op, a, b) => arith(*op, &a.eval(rec), &b.eval(rec)),
            CExpr::In(e, list, negated) => {
                let x = e.eval(rec);
                let found = list.iter().any(|l| x.equals(&l.eval_cow(rec)));
                Value::Bool(found != *negated)
            }
            CExpr::Match {
                expr,
                pattern,
                kind,
                negated,
            } => {
                let x = expr.eval(rec);
                let hit = match x.text() {
                    None => false,
                    Some(t) => match pattern {
                        Pattern::Fixed(re) => re.is_match(&t),
                        Pattern::Dynamic(p) => match p.eval(rec).text() {
                            None => false,
                            Some(pt) => {
                                let src = match kind {
                                    PatternKind::WholeRegex => whole_regex(&pt),
                                    PatternKind::Wildcard => wildcard_regex(&pt, false, false),
                                };
                                build_regex(&src).map(|re| re.is_match(&t)).unwrap_or(false)
                            }
                        },
                    },
                };
                // A null operand makes the predicate false (SPEC §3); its
                // negation is then true, so `!matches(null, ..)` holds.
                Value::Bool(if x.is_null() {
                    *negated
                } else {
                    hit != *negated
                })
            }
            CExpr::If(c, a, b) => {
                if c.eval(rec).truthy() {
                    a.eval(rec)
                } else {
                    b.eval(rec)
                }
            }
            CExpr::Cidr(e, net) => Value::Bool(functions::ip::cidr_match(&e.eval(rec), net)),
            CExpr::CidrDyn(e, n) => {
                let net = n
                    .eval(rec)
                    .text()
                    .and_then(|t| functions::ip::parse_cidr(&t));
                Value::Bool(match net {
                    Some(net) => functions::ip::cidr_match(&e.eval(rec), &net),
                    None => false,
                })
            }
            CExpr::RegexReplace(s, re, r) => match (s.eval(rec).text(), r.eval(rec).text()) {
                (Some(s), Some(r)) => Value::from(re.replace_all(&s, r.as_ref()).into_owned()),
                _ => Value::Null,
            },
            CExpr::FormatDate(e, p, z) => {
                functions::time_fns::format_date(&e.eval(rec), p, z.as_deref())
            }
            CExpr::ParseDate(e, p, z) => {
                functions::time_fns::parse_date(&e.eval(rec), p.as_ref(), z.as_deref())
            }
        }
    }

    /// Evaluates without copying a constant: a constant string is shared
    /// by every thread running the plan, and copying it would make them
    /// all write its reference count.
    fn eval_cow(&self, rec: &Record) -> std::borrow::Cow<'_, Value> {
        match self {
            CExpr::Const(v) => std::borrow::Cow::Borrowed(v),
            e => std::borrow::Cow::Owned(e.eval(rec)),
        }
    }

    /// Every field name the expression reads (for `:explain` and, later,
    /// projection of only the needed fields).
    pub fn fields_read(&self, out: &mut Vec<Name>) {
        let mut push = |n: &Name| {
            if !out.contains(n) {
                out.push(n.clone());
            }
        };
        match self {
            CExpr::Const(_) => {}
            CExpr::Field(f) => push(&f.name),
            CExpr::Call(_, _, args) => args.iter().for_each(|a| a.fields_read(out)),
            CExpr::Not(e) | CExpr::Neg(e) | CExpr::Cidr(e, _) => e.fields_read(out),
            CExpr::FormatDate(e, _, _) | CExpr::ParseDate(e, _, _) => e.fields_read(out),
            CExpr::And(a, b)
            | CExpr::Or(a, b)
            | CExpr::Cmp(_, a, b)
            | CExpr::Arith(_, a, b)
            | CExpr::CidrDyn(a, b)
            | CExpr::RegexReplace(a, _, b) => {
                a.fields_read(out);
                b.fields_read(out);
            }
            CExpr::In(e, list, _) => {
                e.fields_read(out);
                list.iter().for_each(|a| a.fields_read(out));
            }
            CExpr::Match { expr, pattern, .. } => {
                expr.fields_read(out);
                if let Pattern::Dynamic(p) = pattern {
                    p.fields_read(out);
                }
            }
            CExpr::If(c, a, b) => {
                c.fields_read(out);
                a.fields_read(out);
                b.fields_read(out);
            }
        }
    }
}

/// Applies a comparison operator with the Value rules.
pub fn compare(op: CmpOp, x: &Value, y: &Value) -> bool {
    use std::cmp::Ordering::*;
    match op {
        CmpOp::Eq => x.equals(y),
        CmpOp::Ne => !x.equals(y),
        CmpOp::Lt => x.compare(y) == Some(Less),
        CmpOp::Le => matches!(x.compare(y), Some(Less | Equal)),
        CmpOp::Gt => x.compare(y) == Some(Greater),
        CmpOp::Ge => matches!(x.compare(y), Some(Greater | Equal)),
    }
}
