//! Views: what a dashboard reads, built from a handful of key lookups and range reads over
//! rollups and entities, never from raw events. One folder per dashboard family; `read` holds
//! what they share (typed reads of cells, gap-filled series).

pub mod ads;
pub mod call_centre;
pub mod read;
pub mod surveys;
pub mod workspace_analytics;

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::WorkspaceId;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::cells::Value as CellValue;
use crate::rollup::entities::workspace_time_zone;
use crate::rollup::{EntityKey, EntityRecord};
use crate::time::RangeError;

/// What a view computed and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Viewed<T> {
    pub body: T,
    pub meta: ViewMeta,
}

/// Where a view's numbers came from (spec/API.md: every response may carry it). The HTTP layer
/// adds whether the answer came from its cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewMeta {
    pub generated_at: Timestamp,
    /// The workspace's IANA zone; dates and days are in it.
    pub timezone: String,
    /// `occurred_at` of the newest event included, if any.
    pub watermark: Option<Timestamp>,
    pub source: Source,
}

impl ViewMeta {
    pub fn from_rollups(now: Timestamp, tz: &TimeZone, watermark: Option<Timestamp>) -> ViewMeta {
        ViewMeta {
            generated_at: now,
            timezone: tz.iana_name().unwrap_or("UTC").to_owned(),
            watermark,
            source: Source::Rollup,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Rollup,
    Live,
}

/// Why a view could not answer.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The requested time range, once resolved in the workspace's zone, is not a valid range.
    #[error("{0}")]
    Range(#[from] RangeError),
}

/// Loads `keys` and the workspace's entity in one read; the workspace's zone comes with them, so
/// a request reads its workspace once.
pub async fn load_with_workspace(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    keys: &[EntityKey],
) -> Result<(TimeZone, HashMap<EntityKey, EntityRecord>), StoreError> {
    let mut all = keys.to_vec();
    all.push(EntityKey::workspace());
    let entities = store.load_entities(ws, &all).await?;
    Ok((workspace_time_zone(entities.get(&EntityKey::workspace())), entities))
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
