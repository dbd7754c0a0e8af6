//! What views share: typed reads of a rollup item through the measures that wrote it, and series
//! of one grain read with one range query and gap-filled.

use jiff::Timestamp;
use jiff::civil::Date;

use super::count;
use crate::WorkspaceId;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::Cells;
use crate::rollup::cells::Value as CellValue;
use crate::rollup::series::{CountBy, Quantity, field};
use crate::time::{Bucket, DateRange, add_days};

/// A stored quantity: a whole number of 1/`scale` units (milliseconds, micros).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub raw: CellValue,
    pub scale: i64,
}

impl Amount {
    /// In whole units, rounded to 3 decimals.
    pub fn units(self) -> f64 {
        super::round_to(self.raw as f64 / self.scale as f64, 3)
    }

    /// The mean over `n` events (integer division in stored units); `None` for none.
    pub fn per(self, n: i64) -> Option<Amount> {
        (n > 0).then(|| Amount { raw: self.raw / CellValue::from(n), scale: self.scale })
    }
}

/// Typed reads of one item's cells (absent or empty: every count is 0, every extreme `None`).
#[derive(Debug, Clone, Copy)]
pub struct Reading<'a>(Option<&'a Cells>);

impl<'a> Reading<'a> {
    pub fn of(cells: Option<&'a Cells>) -> Reading<'a> {
        Reading(cells)
    }

    fn raw(&self, name: &str) -> Option<CellValue> {
        self.0.and_then(|cells| cells.get(name)).copied()
    }

    /// Events counted (`Measure::Count`).
    pub fn count(&self) -> i64 {
        count(self.raw(field::COUNT).unwrap_or(0))
    }

    /// Events whose `by.field` was `value` (one of `by.values`, or `other`).
    pub fn count_of(&self, by: CountBy, value: &str) -> i64 {
        count(self.raw(&field::count_by(by.field, value)).unwrap_or(0))
    }

    /// The sum of a quantity (`Measure::Sum`).
    pub fn total(&self, quantity: Quantity) -> Amount {
        Amount { raw: self.raw(&field::sum(quantity.field)).unwrap_or(0), scale: quantity.scale }
    }

    /// The least and greatest value seen (`Measure::MinMax`).
    pub fn min(&self, quantity: Quantity) -> Option<Amount> {
        self.raw(&field::min(quantity.field)).map(|raw| Amount { raw, scale: quantity.scale })
    }

    pub fn max(&self, quantity: Quantity) -> Option<Amount> {
        self.raw(&field::max(quantity.field)).map(|raw| Amount { raw, scale: quantity.scale })
    }

    /// The newest `occurred_at` included (`Measure::Latest`, and gauges).
    pub fn latest(&self) -> Option<Timestamp> {
        self.raw(field::LATEST).and_then(|millis| Timestamp::from_millisecond(i64::try_from(millis).ok()?).ok())
    }

    /// Entities currently in `state`, for a gauge.
    pub fn in_state(&self, state: &str) -> i64 {
        count(self.raw(&field::state(state)).unwrap_or(0))
    }
}

/// One point of a series: its bucket and what was stored there (empty when nothing was).
pub type Point = (Bucket, Cells);

/// Pairs every wanted bucket with its stored cells, empty where none (`stored` is ordered).
fn gap_fill(wanted: impl IntoIterator<Item = Bucket>, stored: Vec<(Bucket, Cells)>) -> Vec<Point> {
    let mut stored = stored.into_iter().peekable();
    wanted
        .into_iter()
        .map(|bucket| {
            while stored.next_if(|(at, _)| *at < bucket).is_some() {}
            let cells = stored.next_if(|(at, _)| *at == bucket).map(|(_, cells)| cells).unwrap_or_default();
            (bucket, cells)
        })
        .collect()
}

/// `series` over `hours` (consecutive UTC hour buckets, oldest first): one range read.
pub async fn hourly(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    series: &str,
    hours: &[Bucket],
) -> Result<Vec<Point>, StoreError> {
    let (Some(first), Some(last)) = (hours.first(), hours.last()) else { return Ok(Vec::new()) };
    let stored = store.read_range(ws, series, *first, *last).await?;
    Ok(gap_fill(hours.iter().copied(), stored))
}

/// `series` for each local day of `days`: one range read.
pub async fn daily(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    series: &str,
    days: DateRange,
) -> Result<Vec<(Date, Cells)>, StoreError> {
    let stored = store.read_range(ws, series, Bucket::Day(days.start), Bucket::Day(days.end)).await?;
    Ok(gap_fill(days.days().into_iter().map(Bucket::Day), stored)
        .into_iter()
        .map(|(bucket, cells)| (day_of(bucket).unwrap_or(days.start), cells))
        .collect())
}

/// `series` per ISO week (Monday first) touching `days`, each week summed from the days of it
/// inside `days`: one range read of days.
pub async fn weekly(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    series: &str,
    days: DateRange,
) -> Result<Vec<(Date, Cells)>, StoreError> {
    let mut weeks: Vec<(Date, Cells)> = Vec::new();
    for (day, cells) in daily(store, ws, series, days).await? {
        let monday = add_days(day, -i64::from(day.weekday().to_monday_zero_offset()));
        match weeks.last_mut() {
            Some((week, sum)) if *week == monday => crate::rollup::merge_cells(sum, &cells),
            _ => weeks.push((monday, cells)),
        }
    }
    Ok(weeks)
}

/// `series` per local month touching `days`, from the months the rollups function folds: a
/// month's figure trails ingest by at most one rollups run (a minute). One range read.
pub async fn monthly(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    series: &str,
    days: DateRange,
) -> Result<Vec<Point>, StoreError> {
    let (first, last) = (Bucket::month_of(days.start), Bucket::month_of(days.end));
    let stored = store.read_range(ws, series, first, last).await?;
    let mut months = Vec::new();
    let mut day = days.start.first_of_month();
    while day <= days.end {
        months.push(Bucket::month_of(day));
        match day.last_of_month().tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    Ok(gap_fill(months, stored))
}

fn day_of(bucket: Bucket) -> Option<Date> {
    match bucket {
        Bucket::Day(date) => Some(date),
        _ => None,
    }
}
