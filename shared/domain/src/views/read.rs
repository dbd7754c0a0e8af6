//! What views share: typed reads of a rollup item through the measures that wrote it, and series
//! of one grain read with one range query and gap-filled.

use jiff::Timestamp;
use jiff::civil::Date;

use super::count;
use crate::WorkspaceId;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::Cells;
use crate::rollup::cells::Value as CellValue;
use crate::rollup::gauges::GaugeDef;
use crate::rollup::series::{CountBy, Quantity, SeriesDef, field};
use crate::rollup::{Direction, IndexEntry, SortRange};
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

/// Typed reads of one item's cells (absent or empty: every count is 0, every extreme `None`),
/// as a series wrote them: under the series' prefix where it has one.
#[derive(Debug, Clone, Copy)]
pub struct Reading<'a> {
    cells: Option<&'a Cells>,
    prefix: &'static str,
}

impl<'a> Reading<'a> {
    /// Cells of a series without a prefix.
    pub fn of(cells: Option<&'a Cells>) -> Reading<'a> {
        Reading { cells, prefix: "" }
    }

    /// Cells as `series` wrote them (one source of a shared series).
    pub fn of_series(series: &SeriesDef, cells: Option<&'a Cells>) -> Reading<'a> {
        Reading { cells, prefix: series.prefix }
    }

    fn raw(&self, name: &str) -> Option<CellValue> {
        self.cells.and_then(|cells| cells.get(&field::prefixed(self.prefix, name))).copied()
    }

    /// Events counted (`Measure::Count`).
    pub fn count(&self) -> i64 {
        count(self.raw(field::COUNT).unwrap_or(0))
    }

    /// Events whose `by.field` was `value` (one of `by.values`, or `other`).
    pub fn count_of(&self, by: CountBy, value: &str) -> i64 {
        count(self.raw(&field::count_by(by.field, value)).unwrap_or(0))
    }

    /// Events whose HTTP status `field` was in `class` (`Measure::StatusClass`: 5 for 5xx).
    pub fn status_class(&self, name: &str, class: u8) -> i64 {
        count(self.raw(&field::status_class(name, class)).unwrap_or(0))
    }

    /// Events that carried `field` (`Measure::Counted`).
    pub fn counted(&self, name: &str) -> i64 {
        count(self.raw(&field::counted(name)).unwrap_or(0))
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
}

/// Typed reads of a gauge's cell (see `rollup::gauges`).
#[derive(Debug, Clone, Copy)]
pub struct GaugeReading<'a> {
    cells: Option<&'a Cells>,
    gauge: &'a GaugeDef,
}

impl<'a> GaugeReading<'a> {
    pub fn of(gauge: &'a GaugeDef, cells: Option<&'a Cells>) -> GaugeReading<'a> {
        GaugeReading { cells, gauge }
    }

    /// Entities counted as `state`.
    pub fn count(&self, state: &str) -> i64 {
        count(self.cells.and_then(|cells| cells.get(&self.gauge.count_field(state))).copied().unwrap_or(0))
    }

    /// Every entity the gauge counts, whatever its state.
    pub fn total(&self) -> i64 {
        let Some(cells) = self.cells else { return 0 };
        let counts = cells.iter().filter(|(name, _)| {
            name.strip_prefix(self.gauge.prefix).is_some_and(|state| !state.is_empty() && !state.contains(':'))
        });
        count(counts.map(|(_, value)| *value).sum())
    }

    /// The sum of `quantity` over the entities counted as `state`.
    pub fn sum(&self, state: &str, quantity: Quantity) -> Amount {
        let raw = self.cells.and_then(|cells| cells.get(&self.gauge.sum_field(state, quantity))).copied();
        Amount { raw: raw.unwrap_or(0), scale: quantity.scale }
    }

    /// The newest event of any entity counted here (present gauges only).
    pub fn latest(&self) -> Option<Timestamp> {
        Reading::of(self.cells).latest()
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

/// Only the days of `series` within `days` that were written, in order: for sums over a span
/// that may reach far back (up to today from a range's end), where gap-filling would make a
/// cell of every day of it.
pub async fn written_days(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    series: &str,
    days: DateRange,
) -> Result<Vec<(Date, Cells)>, StoreError> {
    let stored = store.read_range(ws, series, Bucket::Day(days.start), Bucket::Day(days.end)).await?;
    Ok(stored.into_iter().filter_map(|(bucket, cells)| Some((day_of(bucket)?, cells))).collect())
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

/// The newest `limit` entries of a list (by its sort key).
pub async fn newest(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    index: &str,
    limit: usize,
) -> Result<Vec<IndexEntry>, StoreError> {
    store.read_index(ws, index, &SortRange::all(), Direction::Descending, limit).await
}

/// The members of a tally that count anything now, in member order, at most `limit` of them.
pub async fn members(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    tally: &str,
    limit: usize,
) -> Result<Vec<IndexEntry>, StoreError> {
    let entries = store.read_index(ws, tally, &SortRange::all(), Direction::Ascending, limit).await?;
    Ok(entries.into_iter().filter(|entry| entry.count > 0).collect())
}
