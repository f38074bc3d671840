//! `transpose row R[, ...] column C[, ...] [as NAMES]`: Sumo's pivot of an
//! aggregated table. One output row per distinct row key; one column per
//! distinct column value; the cell is the row's remaining (value) field.
//!
//! Decisions (Sumo's page leaves them open): the value field is the first
//! visible field of the input row that is neither a row nor a column field;
//! two input rows for the same cell keep the first value; a row whose
//! column field is null adds no cell; several column fields make the column
//! name from their texts joined with `_`. Dynamic columns come out in
//! alphabetical (code-point) order, as Sumo's page says, and every output
//! row has every column (null where there is no cell).

use std::collections::HashMap;
use std::sync::Arc;

use super::args::Args;
use super::keys::{field_list, key_of, text_of, Key};
use super::{HoldStage, Operator, StagePlan};
use crate::ast::{GenericStage, Tok};
use crate::diag::Diagnostics;
use crate::error::QueryError;
use crate::plan::expr::FieldRef;
use crate::record::{Name, Record};
use crate::value::Value;

/// One entry of the `as` list.
#[derive(Clone, Debug, PartialEq)]
enum OutCol {
    /// A named column.
    Named(Name),
    /// `*`: every dynamic column not named.
    Rest,
}

/// A checked `transpose`.
#[derive(Debug)]
pub struct TransposeStage {
    rows: Vec<FieldRef>,
    cols: Vec<FieldRef>,
    out: Option<Vec<OutCol>>,
}

/// Builds `transpose`.
pub fn build(g: &GenericStage, text: &str) -> Result<Vec<StagePlan>, QueryError> {
    let mut a = Args::new(g, text);
    a.expect_word("row")?;
    let rows = field_list(&mut a)?;
    a.expect_word("column")?;
    let cols = field_list(&mut a)?;
    let out = if a.eat_word("as") {
        let mut list = Vec::new();
        while let Some(t) = a.next_token() {
            // `as [a, b]` is written in Sumo's docs; the brackets add nothing.
            let item = match &t.kind {
                Tok::Comma => continue,
                Tok::Word(w) => w.trim_matches(|c| c == '[' || c == ']').to_string(),
                Tok::Name(n) => n.clone(),
                Tok::Num(n) => n.clone(),
                _ => {
                    return Err(QueryError::new(
                        "`transpose`: expected a column name or `*` in the `as` list",
                        t.span,
                    ))
                }
            };
            match item.as_str() {
                "" => {}
                "*" => list.push(OutCol::Rest),
                s => list.push(OutCol::Named(Arc::from(s))),
            }
        }
        if list.is_empty() {
            return Err(a.error("column names or `*` after `as`"));
        }
        Some(list)
    } else {
        None
    };
    a.finish()?;
    Ok(vec![StagePlan::Hold(Arc::new(TransposeStage {
        rows,
        cols,
        out,
    }))])
}

impl HoldStage for TransposeStage {
    fn operator(&self) -> Box<dyn Operator> {
        Box::new(TransposeOp {
            rows: self.rows.clone(),
            cols: self.cols.clone(),
            out: self.out.clone(),
            index: HashMap::new(),
            table: Vec::new(),
        })
    }

    fn describe(&self) -> String {
        let names = |v: &[FieldRef]| {
            v.iter()
                .map(|f| f.name.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "transpose row {} column {}",
            names(&self.rows),
            names(&self.cols)
        )
    }

    fn columns(&self) -> Option<Vec<Name>> {
        // Only a list without `*` fixes the columns before the data is seen.
        let out = self.out.as_ref()?;
        let mut v: Vec<Name> = self.rows.iter().map(|f| f.name.clone()).collect();
        for c in out {
            match c {
                OutCol::Named(n) => v.push(n.clone()),
                OutCol::Rest => return None,
            }
        }
        Some(v)
    }
}

struct Row {
    keys: Vec<Value>,
    cells: HashMap<String, Value>,
}

struct TransposeOp {
    rows: Vec<FieldRef>,
    cols: Vec<FieldRef>,
    out: Option<Vec<OutCol>>,
    index: HashMap<Key, usize>,
    table: Vec<Row>,
}

impl TransposeOp {
    fn is_key_field(&self, name: &str) -> bool {
        self.rows
            .iter()
            .chain(&self.cols)
            .any(|f| f.name.eq_ignore_ascii_case(name))
    }
}

impl Operator for TransposeOp {
    fn push(&mut self, rec: Record, _out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let key = key_of(&self.rows, &rec);
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.table.push(Row {
                    keys: self.rows.iter().map(|f| f.get(&rec)).collect(),
                    cells: HashMap::new(),
                });
                self.index.insert(key, self.table.len() - 1);
                self.table.len() - 1
            }
        };
        let parts: Option<Vec<String>> = self.cols.iter().map(|f| text_of(&f.get(&rec))).collect();
        let Some(parts) = parts else {
            return;
        };
        let col = parts.join("_");
        let value = rec
            .fields
            .iter()
            .find(|(n, _)| !self.is_key_field(n))
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null);
        if let Some(row) = self.table.get_mut(i) {
            row.cells.entry(col).or_insert(value);
        }
    }

    fn finish(&mut self, out: &mut Vec<Record>, _diag: &mut Diagnostics) {
        let mut dynamic: Vec<&String> = self.table.iter().flat_map(|r| r.cells.keys()).collect();
        dynamic.sort();
        dynamic.dedup();
        let columns: Vec<String> = match &self.out {
            None => dynamic.iter().map(|s| s.to_string()).collect(),
            Some(list) => {
                let named: Vec<&str> = list
                    .iter()
                    .filter_map(|c| match c {
                        OutCol::Named(n) => Some(&**n),
                        OutCol::Rest => None,
                    })
                    .collect();
                let mut v = Vec::new();
                for c in list {
                    match c {
                        OutCol::Named(n) => v.push(n.to_string()),
                        OutCol::Rest => v.extend(
                            dynamic
                                .iter()
                                .filter(|d| !named.contains(&d.as_str()))
                                .map(|d| d.to_string()),
                        ),
                    }
                }
                v
            }
        };
        let names: Vec<Name> = columns.iter().map(|c| Arc::from(c.as_str())).collect();
        for row in self.table.drain(..) {
            let mut rec = Record::default();
            for (f, v) in self.rows.iter().zip(row.keys) {
                rec.fields.push((f.name.clone(), v));
            }
            for (c, n) in columns.iter().zip(&names) {
                let v = row.cells.get(c).cloned().unwrap_or(Value::Null);
                // `set` keeps one field per name if a column value repeats a
                // row field's name.
                rec.set(n, v);
            }
            out.push(rec);
        }
        self.index.clear();
    }
}
