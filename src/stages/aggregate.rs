//! Aggregation (SPEC §5): one state per group, groups keyed by the text of
//! their key values (null is its own key), emitted in order of first
//! appearance; without `by`, exactly one row.

use std::collections::HashMap;

use super::agg_state::State;
use super::Operator;
use crate::diag::{Diagnostics, Warning};
use crate::plan::expr::{CExpr, FieldRef};
use crate::record::{Name, Record};
use crate::value::Value;

/// The aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AggFunc {
    /// `count`: records.
    Count,
    /// `count(f)`: non-null values.
    CountOf,
    /// `count_distinct(f)`: distinct texts, null ignored.
    CountDistinct,
    /// `sum(f)`.
    Sum,
    /// `avg(f)`.
    Avg,
    /// `min(f)`.
    Min,
    /// `max(f)`.
    Max,
    /// `stddev(f)`: sample standard deviation.
    Stddev,
    /// `pct(f, p)`.
    Pct(f64),
    /// `first(f)`.
    First,
    /// `last(f)`.
    Last,
    /// `values(f)`: the distinct texts, sorted, one per line.
    Values,
    /// `most_recent(f)`: the value of the latest record (by time).
    MostRecent,
    /// `least_recent(f)`: the value of the earliest record (by time).
    LeastRecent,
}

/// One aggregate of a stage.
#[derive(Clone, Debug)]
pub struct AggSpec {
    /// Which function.
    pub func: AggFunc,
    /// Its argument (none for `count`).
    pub arg: Option<CExpr>,
    /// The output column.
    pub out: Name,
}

/// A checked aggregation.
#[derive(Clone, Debug)]
pub struct AggPlan {
    /// The aggregates in query order.
    pub aggs: Vec<AggSpec>,
    /// The group keys in query order.
    pub by: Vec<FieldRef>,
}

impl AggPlan {
    /// Output columns: keys, then aggregates.
    pub fn columns(&self) -> Vec<Name> {
        self.by
            .iter()
            .map(|k| k.name.clone())
            .chain(self.aggs.iter().map(|a| a.out.clone()))
            .collect()
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        let aggs: Vec<String> = self.aggs.iter().map(|a| a.out.to_string()).collect();
        let by: Vec<String> = self.by.iter().map(|k| k.name.to_string()).collect();
        if by.is_empty() {
            format!("aggregate {}", aggs.join(", "))
        } else {
            format!("aggregate {} by {}", aggs.join(", "), by.join(", "))
        }
    }
}

/// A group: its key values (the first seen), its key's encoded text and
/// its hash, one state per aggregate, and the next group whose key has the
/// same hash (rare).
struct Group {
    keys: Vec<Value>,
    encoded: Box<[u8]>,
    hash: u64,
    next: Option<usize>,
    states: Vec<State>,
}

/// The hash of an encoded key: foldhash, seeded once per process, so that
/// every operator of a run (the workers' and the merging one) hashes a key
/// alike and a merged group need not be hashed again.
fn key_hash(key: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    static SEED: std::sync::OnceLock<foldhash::quality::RandomState> = std::sync::OnceLock::new();
    SEED.get_or_init(foldhash::quality::RandomState::default)
        .hash_one(key)
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; fold anything else in anyway.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Writes the group key of `vals` into `buf`: per value a 0 byte for null,
/// else a 1 byte, the text's length and the text. Two keys are the same
/// group exactly when their encodings are equal (SPEC §5: keys match by
/// their text, null is its own key). Ints are written without allocating.
pub(crate) fn encode_key(vals: &[Value], buf: &mut Vec<u8>) {
    buf.clear();
    for v in vals {
        match v {
            Value::Null => buf.push(0),
            Value::Int(i) => {
                let mut digits = itoa::Buffer::new();
                let t = digits.format(*i);
                buf.push(1);
                buf.extend_from_slice(&(t.len() as u32).to_le_bytes());
                buf.extend_from_slice(t.as_bytes());
            }
            other => {
                let t = other.display_text();
                buf.push(1);
                buf.extend_from_slice(&(t.len() as u32).to_le_bytes());
                buf.extend_from_slice(t.as_bytes());
            }
        }
    }
}

/// The running aggregation. Also used per chunk by a parallel run: each
/// chunk's operator is [`merge`](AggOp::merge)d, in input order, into the
/// operator that emits the result.
pub struct AggOp {
    plan: AggPlan,
    /// The first group of each key hash (groups of one hash are chained
    /// through `Group::next`). Keyed by the hash, so the key is stored once,
    /// in its group.
    index: HashMap<u64, usize, std::hash::BuildHasherDefault<Prehashed>>,
    groups: Vec<Group>,
    warned: Vec<bool>,
    /// Reused for each record's key values and encoded key, so that a
    /// record of an existing group allocates nothing.
    key_vals: Vec<Value>,
    key_buf: Vec<u8>,
}

/// The first value an aggregate skipped as non-numeric: the aggregate's
/// index and the warning for it.
pub type Skip = (usize, Warning);

impl AggOp {
    /// An aggregation for a plan.
    pub fn new(plan: AggPlan) -> AggOp {
        let warned = vec![false; plan.aggs.len()];
        AggOp {
            plan,
            index: HashMap::default(),
            groups: Vec::new(),
            warned,
            key_vals: Vec::new(),
            key_buf: Vec::new(),
        }
    }

    fn new_group(&self, keys: Vec<Value>, encoded: Box<[u8]>, hash: u64) -> Group {
        Group {
            keys,
            encoded,
            hash,
            next: None,
            states: self.plan.aggs.iter().map(|a| State::new(a.func)).collect(),
        }
    }

    /// The group with this encoded key and hash, if any.
    fn find(&self, key: &[u8], hash: u64) -> Option<usize> {
        let mut at = self.index.get(&hash).copied();
        while let Some(i) = at {
            let g = self.groups.get(i)?;
            if *g.encoded == *key {
                return Some(i);
            }
            at = g.next;
        }
        None
    }

    /// Appends a group (not present yet) and indexes it.
    fn push_group(&mut self, mut g: Group) -> usize {
        let i = self.groups.len();
        g.next = self.index.insert(g.hash, i);
        self.groups.push(g);
        i
    }

    /// Adds one record. The first value each aggregate of this operator
    /// skips is reported in `skips` (later ones are skipped silently).
    pub fn add(&mut self, rec: &Record, skips: &mut Vec<Skip>) {
        self.key_vals.clear();
        for k in &self.plan.by {
            self.key_vals.push(k.get(rec));
        }
        encode_key(&self.key_vals, &mut self.key_buf);
        let hash = key_hash(&self.key_buf);
        let gi = match self.find(&self.key_buf, hash) {
            Some(i) => i,
            None => {
                let g = self.new_group(self.key_vals.clone(), self.key_buf.as_slice().into(), hash);
                self.push_group(g)
            }
        };
        let group = &mut self.groups[gi];
        for (i, spec) in self.plan.aggs.iter().enumerate() {
            let v = spec.arg.as_ref().map(|a| a.eval(rec));
            if let AggFunc::MostRecent | AggFunc::LeastRecent = spec.func {
                group.states[i].add_timed(spec.func, v.unwrap_or_default(), rec.time_ms());
                continue;
            }
            // Kept only until the first skip is reported (a cheap clone).
            let shown = if self.warned[i] { None } else { v.clone() };
            if !group.states[i].add(spec.func, v) && !self.warned[i] {
                self.warned[i] = true;
                skips.push((
                    i,
                    Warning {
                        kind: "non-numeric value",
                        source: rec.origin.source.to_string(),
                        line: rec.origin.line,
                        message: format!(
                            "`{}` skipped the non-numeric value {:?} (further ones are skipped silently)",
                            spec.out,
                            shown.map(|s| s.display_text().into_owned()).unwrap_or_default()
                        ),
                    },
                ));
            }
        }
    }

    /// Reports a skipped value found by a per-chunk operator, unless this
    /// aggregate has reported one already.
    pub fn report_skip(&mut self, skip: Skip, diag: &mut Diagnostics) {
        let (i, w) = skip;
        if let Some(done) = self.warned.get_mut(i) {
            if !*done {
                *done = true;
                diag.warn(w);
            }
        }
    }

    /// Merges the operator of a later part of the input into this one:
    /// its groups follow in their order of first appearance, states of
    /// groups seen before are merged.
    pub fn merge(&mut self, later: AggOp) {
        for g in later.groups {
            match self.find(&g.encoded, g.hash) {
                Some(i) => {
                    let mine = &mut self.groups[i];
                    for ((st, other), spec) in
                        mine.states.iter_mut().zip(g.states).zip(&self.plan.aggs)
                    {
                        st.merge(spec.func, other);
                    }
                }
                None => {
                    self.push_group(g);
                }
            }
        }
    }

    /// How many groups so far.
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }
}

impl AggOp {
    /// The result rows, one per group in order of first appearance, made
    /// as they are taken (so a run with many groups does not hold every
    /// row at once).
    pub fn into_rows(mut self) -> impl Iterator<Item = Record> {
        if self.groups.is_empty() && self.plan.by.is_empty() {
            let g = self.new_group(Vec::new(), Box::default(), 0);
            self.groups.push(g);
        }
        self.index = HashMap::default();
        let plan = self.plan;
        self.groups.into_iter().map(move |g| row(&plan, g))
    }
}

/// The output row of a group.
fn row(plan: &AggPlan, g: Group) -> Record {
    let mut rec = Record::default();
    rec.fields.reserve(plan.by.len() + plan.aggs.len());
    for (k, v) in plan.by.iter().zip(g.keys) {
        rec.fields.push((k.name.clone(), v));
    }
    for (spec, st) in plan.aggs.iter().zip(&g.states) {
        rec.fields.push((spec.out.clone(), st.result(spec.func)));
    }
    rec
}

impl Operator for AggOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, diag: &mut Diagnostics) {
        let mut skips = Vec::new();
        self.add(&rec, &mut skips);
        for (_, w) in skips {
            diag.warn(w);
        }
    }

    fn finish(&mut self, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        if self.groups.is_empty() && self.plan.by.is_empty() {
            let g = self.new_group(Vec::new(), Box::default(), 0);
            self.groups.push(g);
        }
        for g in self.groups.drain(..) {
            out.push(row(&self.plan, g));
        }
        self.index.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_with_one_hash_are_chained() {
        let plan = match crate::plan::plan_text("* | count by a") {
            Ok(p) => p,
            Err(e) => panic!("{}", e.message),
        };
        let Some(crate::stages::StagePlan::Aggregate(a)) = plan.stages.first() else {
            panic!("not an aggregation");
        };
        let mut op = AggOp::new(a.clone());
        for k in [&b"x"[..], b"y", b"z"] {
            let g = op.new_group(Vec::new(), k.into(), 7);
            op.push_group(g);
        }
        assert_eq!(op.find(b"x", 7), Some(0));
        assert_eq!(op.find(b"y", 7), Some(1));
        assert_eq!(op.find(b"z", 7), Some(2));
        assert_eq!(op.find(b"w", 7), None);
        assert_eq!(op.find(b"x", 8), None);
    }

    #[test]
    fn keys_encode_by_text_and_null_apart() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        encode_key(&[Value::Int(443), Value::Null], &mut a);
        encode_key(&[Value::str("443"), Value::Null], &mut b);
        assert_eq!(a, b);
        encode_key(&[Value::str(""), Value::Null], &mut b);
        encode_key(&[Value::Null, Value::Null], &mut a);
        assert_ne!(a, b);
        // Lengths keep ("ab", "c") apart from ("a", "bc").
        encode_key(&[Value::str("ab"), Value::str("c")], &mut a);
        encode_key(&[Value::str("a"), Value::str("bc")], &mut b);
        assert_ne!(a, b);
    }
}
