//! The projection: which parts of each record a run can ever look at, so
//! that the reader builds only those.
//!
//! A query reads fields by name, and a lookup of a name only ever sees the
//! keys equal to it ignoring ASCII case (SPEC §2), plus `_raw` and the
//! derived `_messageTime`. Up to the first stage that replaces the records
//! (an aggregation) or fixes their columns (`fields a, b`), every name
//! read is collected; past that stage no input key can reach the output.
//! A record holding only the collected keys (all of them, in input order)
//! then gives exactly the same output as the whole record. Whenever a stage
//! might read anything (a generic stage without [`StagePlan::reads`]), or
//! the output shows whole records, the projection is "everything".

use crate::exec::Fer;
use crate::record::{split_path, Name, Seg};
use crate::search::CSearch;
use crate::stages::StagePlan;

/// What a run needs from each record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Projection {
    /// The top-level keys needed, compared ignoring ASCII case; `None`
    /// when every field is needed.
    pub keys: Option<Vec<Name>>,
    /// The record's text (`_raw`) is read.
    pub raw: bool,
    /// `_messageTime` is read, so it must be derived.
    pub message_time: bool,
}

impl Projection {
    /// Everything: every field, the text and the derived time.
    pub fn all() -> Projection {
        Projection {
            keys: None,
            raw: true,
            message_time: true,
        }
    }

    /// The projection of a run of `stages` after `fers` and `search`.
    /// `time_fields` are the names `_messageTime` is derived from.
    pub fn of(
        search: &CSearch,
        stages: &[StagePlan],
        fers: &[Fer],
        time_fields: &[String],
    ) -> Projection {
        let mut need = Need::default();
        for f in fers {
            need.search(&f.scope);
            for s in &f.stages {
                if !need.stage(s) {
                    return Projection::all();
                }
            }
        }
        need.search(search);
        for s in stages {
            if !need.stage(s) {
                return Projection::all();
            }
            if need.state == State::Replaced {
                break;
            }
        }
        if need.state == State::Open {
            // Whole records reach the output.
            return Projection::all();
        }
        if need.message_time {
            // Deriving `_messageTime` reads the record's own key first,
            // then the time fields.
            need.state = State::Open;
            need.name("_messageTime");
            for t in time_fields {
                need.name(t);
            }
        }
        Projection {
            keys: Some(need.keys),
            raw: need.raw,
            message_time: need.message_time,
        }
    }

    /// True when every field is needed.
    pub fn is_all(&self) -> bool {
        self.keys.is_none()
    }
}

/// How far the stages seen so far cut records off from their input keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum State {
    /// Records still carry their input keys.
    #[default]
    Open,
    /// `fields a, b` fixed the visible fields; only `_raw` and
    /// `_messageTime` still come from the input.
    Columns,
    /// An aggregation made new records; nothing of the input is left.
    Replaced,
}

#[derive(Default)]
struct Need {
    keys: Vec<Name>,
    raw: bool,
    message_time: bool,
    state: State,
}

impl Need {
    fn search(&mut self, s: &CSearch) {
        let mut names = Vec::new();
        s.fields_read(&mut names);
        names.iter().for_each(|n| self.name(n));
        self.raw |= s.reads_raw();
    }

    /// Notes one name read: the key itself and, for a path, its first key.
    fn name(&mut self, n: &str) {
        // Tool fields are found in any case (`_messagetime`, `_RAW`).
        match crate::record::tool_field_name(n) {
            Some("_raw") => self.raw = true,
            Some("_messageTime") => self.message_time = true,
            _ => {}
        }
        if self.state != State::Open {
            return;
        }
        self.key(n);
        if let Some(segs) = split_path(n) {
            if let Some(Seg::Key(first)) = segs.first() {
                self.key(first);
            }
        }
    }

    fn key(&mut self, k: &str) {
        if !self.keys.iter().any(|x| x.eq_ignore_ascii_case(k)) {
            self.keys.push(Name::from(k));
        }
    }

    /// Notes a stage; false when it may read any field of the input.
    fn stage(&mut self, s: &StagePlan) -> bool {
        match s.reads() {
            Some(names) => names.iter().for_each(|n| self.name(n)),
            None if self.state == State::Open => return false,
            None => {
                self.raw = true;
                self.message_time = true;
            }
        }
        match s {
            StagePlan::Aggregate(_) => self.state = State::Replaced,
            _ if s.columns().is_some() && self.state == State::Open => {
                self.state = State::Columns;
            }
            _ => {}
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::plan_text;

    fn proj(q: &str) -> Projection {
        let p = plan_text(q).unwrap_or_else(|e| panic!("{q}: {}", e.message));
        let times = vec!["ts".to_string(), "flow.start".to_string()];
        Projection::of(&p.search, &p.stages, &[], &times)
    }

    fn keys(q: &str) -> Vec<String> {
        proj(q)
            .keys
            .unwrap_or_default()
            .iter()
            .map(|k| k.to_string())
            .collect()
    }

    #[test]
    fn aggregation_projects() {
        assert_eq!(keys("* | count by dest_port"), ["dest_port"]);
        assert_eq!(
            keys("cat=x | where a > 1 | eval b = c | count by b, D | where zz = 1"),
            ["cat", "a", "c", "b", "D"]
        );
        assert_eq!(
            keys("* | sum(n.x) as s by Host, host"),
            ["Host", "n.x", "n"]
        );
        let p = proj("* | count by dest_port");
        assert!(!p.raw && !p.message_time);
    }

    #[test]
    fn whole_records_need_everything() {
        assert!(proj("* | where a > 1").is_all());
        assert!(proj("*").is_all());
        assert!(proj("* | sort by a").is_all());
        assert!(proj("* | fields - a").is_all());
    }

    #[test]
    fn fields_then_tool_fields() {
        let p = proj("* | fields a | where _raw = \"x\" | eval t = _messageTime");
        assert_eq!(
            p.keys.unwrap_or_default(),
            ["a", "_messageTime", "ts", "flow.start", "flow"].map(Name::from)
        );
        assert!(p.raw && p.message_time);
        let p = proj("error | min(_messageTime) by x");
        assert!(p.raw && p.message_time);
        // The time fields are needed to derive `_messageTime`.
        let k = keys("error | min(_messageTime) by x");
        assert_eq!(k, ["x", "_messageTime", "ts", "flow.start", "flow"]);
    }
}
