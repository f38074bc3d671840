//! `withtime f`: stores `f` with the record's time as `f_withtime`, a JSON
//! object `{"time": ms, "value": v}` (time null when the record has none),
//! for `most_recent(f_withtime)` / `least_recent(f_withtime)`, which rank
//! by that time. Sumo does not document the object's shape; this one is
//! sumoq's.

use std::sync::Arc;

use super::args::Args;
use super::{RecordStage, StagePlan};
use crate::ast::GenericStage;
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::plan::expr::FieldRef;
use crate::record::{Name, Record};
use crate::value::Value;

/// A checked `withtime`.
#[derive(Debug)]
pub struct WithtimeStage {
    field: FieldRef,
    out: Name,
}

/// Builds `withtime`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    let (n, quoted, _) = a.expect_field("a field name")?;
    a.finish()?;
    Ok(vec![StagePlan::Record(Arc::new(WithtimeStage {
        field: FieldRef::new(&n, quoted),
        out: Arc::from(format!("{n}_withtime").as_str()),
    }))])
}

/// The time and value of a `withtime` object, if `v` is one.
pub fn unpack(v: &Value) -> Option<(Option<i64>, Value)> {
    let Value::Json(j) = v else { return None };
    let obj = j.as_object()?;
    if obj.len() != 2 {
        return None;
    }
    let time = obj.get("time")?;
    let value = obj.get("value")?;
    Some((time.as_i64(), Value::from_json_ref(value)))
}

impl RecordStage for WithtimeStage {
    fn apply(&self, mut rec: Record, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let v = self.field.get(&rec);
        let time = rec
            .time_ms()
            .map(serde_json::Value::from)
            .unwrap_or(serde_json::Value::Null);
        let obj = serde_json::json!({ "time": time, "value": v.to_json() });
        rec.set(&self.out, Value::Json(Arc::new(obj)));
        out.push(rec);
    }

    fn describe(&self) -> String {
        format!("withtime {} as {}", self.field.name, self.out)
    }
}
