//! Rollup cells: named integer fields of one (series, bucket) item, and how they merge.
//!
//! Values are integers (money in micros, durations in milliseconds) so that sums are exact and do
//! not depend on the order events arrive in. They are 128-bit: the event catalog bounds what one
//! event adds to at most [`MAX_CONTRIBUTION`] (10^15), so even 10^20 events, more than any store
//! holds, sum to under 10^35, inside both `i128` and DynamoDB's 38 digits. Merges saturate rather
//! than wrap or panic, and stores refuse a sum they cannot hold instead of changing its type.

use std::collections::BTreeMap;

use crate::time::Bucket;

/// How two values of a field combine. The field name carries it (`min.` / `max.` prefixes), so
/// every store merges the same way without extra metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Min,
    Max,
}

impl Op {
    pub fn of(field: &str) -> Op {
        if field.starts_with("min.") {
            Op::Min
        } else if field.starts_with("max.") {
            Op::Max
        } else {
            Op::Add
        }
    }

    pub fn merge(self, a: Value, b: Value) -> Value {
        match self {
            Op::Add => a.saturating_add(b),
            Op::Min => a.min(b),
            Op::Max => a.max(b),
        }
    }

    /// [`Op::merge`], or `None` where a sum would leave the `i128` range: what stores use, so that
    /// they fail loudly instead of saturating.
    pub fn checked_merge(self, a: Value, b: Value) -> Option<Value> {
        match self {
            Op::Add => a.checked_add(b),
            Op::Min | Op::Max => Some(self.merge(a, b)),
        }
    }

    /// Min and max can be applied any number of times with the same result; sums cannot.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Op::Add)
    }
}

/// A field's value.
pub type Value = i128;

/// The most one event contributes to one field, in absolute value (checked against the catalog's
/// bounds by a test of `series`).
pub const MAX_CONTRIBUTION: Value = 1_000_000_000_000_000;

/// The fields of one item.
pub type Cells = BTreeMap<String, Value>;

/// Merges `from` into `into`, field by field.
pub fn merge_cells(into: &mut Cells, from: &Cells) {
    for (field, &value) in from {
        into.entry(field.clone())
            .and_modify(|current| *current = Op::of(field).merge(*current, value))
            .or_insert(value);
    }
}

/// Identifies one rollup item: a series key (`campaign_calls|c1`) and a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    pub series: String,
    pub bucket: Bucket,
}

impl CellKey {
    pub fn new(series: impl Into<String>, bucket: Bucket) -> CellKey {
        CellKey { series: series.into(), bucket }
    }
}

/// Updates to many items, merged per item and field: one write per item however many events
/// touched it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellUpdates {
    items: BTreeMap<CellKey, Cells>,
}

impl CellUpdates {
    pub fn add(&mut self, key: &CellKey, field: &str, value: Value) {
        let cells = match self.items.get_mut(key) {
            Some(cells) => cells,
            None => self.items.entry(key.clone()).or_default(),
        };
        match cells.get_mut(field) {
            Some(current) => *current = Op::of(field).merge(*current, value),
            None => {
                cells.insert(field.to_owned(), value);
            }
        }
    }

    /// Drops additive fields that net to zero (a gauge moved there and back) and empty items.
    pub fn without_no_ops(mut self) -> CellUpdates {
        for cells in self.items.values_mut() {
            cells.retain(|field, value| *value != 0 || Op::of(field) != Op::Add);
        }
        self.items.retain(|_, cells| !cells.is_empty());
        self
    }

    /// Only the min/max fields.
    pub fn extrema(&self) -> CellUpdates {
        let mut extrema = CellUpdates::default();
        for (key, cells) in &self.items {
            for (field, &value) in cells.iter().filter(|(field, _)| Op::of(field).is_idempotent()) {
                extrema.add(key, field, value);
            }
        }
        extrema
    }

    /// Splits into parts of at most `max_items` items each.
    pub fn split(self, max_items: usize) -> Vec<CellUpdates> {
        let mut parts: Vec<CellUpdates> = Vec::new();
        for (key, cells) in self.items {
            match parts.last_mut() {
                Some(part) if part.len() < max_items.max(1) => {
                    part.items.insert(key, cells);
                }
                _ => parts.push(CellUpdates { items: BTreeMap::from([(key, cells)]) }),
            }
        }
        parts
    }

    pub fn iter(&self) -> impl Iterator<Item = (&CellKey, &Cells)> {
        self.items.iter()
    }

    pub fn keys(&self) -> impl Iterator<Item = &CellKey> {
        self.items.keys()
    }

    /// Number of items (not fields) touched.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, key: &CellKey) -> Option<&Cells> {
        self.items.get(key)
    }
}
