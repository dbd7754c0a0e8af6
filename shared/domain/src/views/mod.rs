//! Views: what a dashboard reads, built from a handful of key lookups and range reads over
//! rollups and entities, never from raw events.

pub mod campaign_stats;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::WorkspaceId;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::EntityKey;
use crate::rollup::cells::Value as CellValue;

/// Where a response came from (spec/API.md: every response may carry it).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Meta {
    pub generated_at: Timestamp,
    /// The workspace's IANA zone; dates and days are in it.
    pub timezone: String,
    /// `occurred_at` of the newest event included, if any.
    pub watermark: Option<Timestamp>,
    pub cache: CacheStatus,
    pub source: Source,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CacheStatus {
    Hit,
    Miss,
    Bypass,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Rollup,
    Live,
}

/// A stored count as a JSON integer. Counts grow by one per event, so they never come near
/// `i64::MAX`; saturate rather than wrap should one ever be corrupt.
pub fn count(value: CellValue) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// `part / whole` rounded to 4 decimals; 0 when `whole` is 0.
pub fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 { 0.0 } else { round_to(part as f64 / whole as f64, 4) }
}

pub fn round_to(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

/// A field stored in units of 1/`scale`, back in whole units, rounded to 3 decimals.
pub fn unscaled(value: CellValue, scale: i64) -> f64 {
    round_to(value as f64 / scale as f64, 3)
}

pub fn timestamp_from_millis(millis: CellValue) -> Option<Timestamp> {
    Timestamp::from_millisecond(i64::try_from(millis).ok()?).ok()
}

/// The workspace's IANA zone (UTC until a `workspace.upserted` sets one).
pub async fn workspace_time_zone(store: &dyn RollupStore, ws: &WorkspaceId) -> Result<TimeZone, StoreError> {
    let key = EntityKey::workspace();
    let found = store.load_entities(ws, std::slice::from_ref(&key)).await?;
    Ok(crate::rollup::entities::workspace_time_zone(found.get(&key)))
}
