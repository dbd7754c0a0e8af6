//! Seed 002's agents: each agent's performance over a range of local days
//! (`agents/performance`), and one agent's usage pattern by hour, day, week or month, with its
//! peak hours and busiest weekdays (`agents/usage`).
//!
//! Read from `series::executions::BY_AGENT` (`agent_executions|<agent>`: UTC hours and local
//! days), the agents list (`indexes::workspace_analytics::AGENTS`: every agent with an
//! `agent.upserted`) and the agent's distinct users (`sightings::users::OF_AGENT`: hours, days and
//! ISO weeks; `OF_AGENT_MONTHLY`: months).
//!
//! Definitions (the routes' documentation states them too):
//! - `success_rate` and `error_rate`: successful (failed) executions / the range's executions, in
//!   percent to 2 decimals; `null` without executions.
//! - `avg_execution_time`: the mean `duration_ms` in seconds (3 decimals); `null` without
//!   executions. `credits_consumed`: the sum of `credits`, in credits. `user_satisfaction`: the
//!   mean `satisfaction` of the rated executions (2 decimals); `null` without ratings.
//! - `aggregates`: over the agents listed; `avg_success_rate` is executions-weighted (Σ successful
//!   / Σ executions × 100), not a mean of the agents' rates.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::WorkspaceId;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::cells::Value as CellValue;
use crate::rollup::indexes::workspace_analytics::AGENTS;
use crate::rollup::series::{MILLI, SeriesDef, executions, series_key};
use crate::rollup::sightings;
use crate::rollup::{CellKey, Cells, Direction, EntityKey, IndexEntry, SortRange};
use crate::time::{Bucket, DateRange, RequestedRange, add_days, start_of_local_day};
use crate::views::read::{self, Amount, Reading};
use crate::views::{ViewError, ViewMeta, Viewed, count, load_with_workspace, round_to};

/// A range with no `start` covers this many local days, ending with `end` (default today).
pub const DEFAULT_DAYS: i64 = 30;
/// The most agents a workspace's list is read with (by id); agents beyond are not shown.
pub const MAX_AGENTS: usize = 1_000;
/// The most points a usage pattern may have (more is a 400 naming `granularity`).
pub const MAX_POINTS: usize = 1_000;
/// Range reads in flight at once for one request.
pub const CONCURRENT_READS: usize = 16;
/// How many peak hours and busiest days are named.
pub const TOP: usize = 3;

/// `part / whole` in percent, 2 decimals; `None` when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round_to(100.0 * part as f64 / whole as f64, 2))
}

/// Runs `reads` [`CONCURRENT_READS`] at a time, keeping their order. The futures come built (a
/// lazy iterator's closure inside the handler's future would not be `Send` for every lifetime).
pub async fn bounded<T, E, F>(reads: Vec<F>) -> Result<Vec<T>, E>
where
    F: Future<Output = Result<T, E>>,
{
    use futures_util::{StreamExt, TryStreamExt};
    futures_util::stream::iter(reads).buffered(CONCURRENT_READS).try_collect().await
}

/// Executions summed over some buckets of a series of `series::executions`, in stored units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Executions {
    pub count: i64,
    pub succeeded: i64,
    pub failed: i64,
    /// Milliseconds.
    pub duration: CellValue,
    /// Milli-credits.
    pub credits: CellValue,
    /// Thousandths of a rating point, over the rated executions.
    pub satisfaction: CellValue,
    pub rated: i64,
}

impl Executions {
    /// What `series` stored in one bucket (absent: none).
    pub fn read(series: &SeriesDef, cells: Option<&Cells>) -> Executions {
        let reading = Reading::of_series(series, cells);
        Executions {
            count: reading.count(),
            succeeded: reading.count_of(executions::SUCCESS, "true"),
            failed: reading.count_of(executions::SUCCESS, "false"),
            duration: reading.total(executions::DURATION).raw,
            credits: reading.total(executions::CREDITS).raw,
            satisfaction: reading.total(executions::SATISFACTION).raw,
            rated: reading.counted(executions::SATISFACTION.field),
        }
    }

    /// The sum over `buckets` of `series`.
    pub fn sum<'a>(series: &SeriesDef, buckets: impl IntoIterator<Item = &'a Cells>) -> Executions {
        buckets.into_iter().fold(Executions::default(), |sum, cells| sum.plus(Executions::read(series, Some(cells))))
    }

    pub fn plus(self, other: Executions) -> Executions {
        Executions {
            count: self.count + other.count,
            succeeded: self.succeeded + other.succeeded,
            failed: self.failed + other.failed,
            duration: self.duration + other.duration,
            credits: self.credits + other.credits,
            satisfaction: self.satisfaction + other.satisfaction,
            rated: self.rated + other.rated,
        }
    }

    pub fn success_rate(&self) -> Option<f64> {
        percent(self.succeeded, self.count)
    }

    pub fn error_rate(&self) -> Option<f64> {
        percent(self.failed, self.count)
    }

    /// The mean duration in seconds, 3 decimals.
    pub fn avg_seconds(&self) -> Option<f64> {
        (self.count > 0).then(|| round_to(self.duration as f64 / self.count as f64 / 1000.0, 3))
    }

    /// Credits consumed, in credits (3 decimals: exact, from milli-credits).
    pub fn credits(&self) -> f64 {
        Amount { raw: self.credits, scale: MILLI }.units()
    }

    /// The mean rating of the rated executions, 2 decimals.
    pub fn satisfaction(&self) -> Option<f64> {
        (self.rated > 0).then(|| round_to(self.satisfaction as f64 / MILLI as f64 / self.rated as f64, 2))
    }
}

/// The stored days of `series` from `first` to `last`, inclusive: one range read.
pub async fn stored_days(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    series: &str,
    first: Date,
    last: Date,
) -> Result<Vec<(Date, Cells)>, StoreError> {
    let stored = store.read_range(ws, series, Bucket::Day(first), Bucket::Day(last)).await?;
    Ok(stored
        .into_iter()
        .filter_map(|(bucket, cells)| match bucket {
            Bucket::Day(day) => Some((day, cells)),
            _ => None,
        })
        .collect())
}

/// The executions of `days` that fall within `range`.
pub fn within(series: &SeriesDef, days: &[(Date, Cells)], range: DateRange) -> Executions {
    Executions::sum(series, days.iter().filter(|(day, _)| (range.start..=range.end).contains(day)).map(|(_, c)| c))
}

/// The agents of the workspace (at most [`MAX_AGENTS`], by id): one read of the list.
pub async fn listed_agents(store: &dyn RollupStore, ws: &WorkspaceId) -> Result<Vec<IndexEntry>, StoreError> {
    store.read_index(ws, &AGENTS.key(&[]), &SortRange::all(), Direction::Ascending, MAX_AGENTS).await
}

/// An agent's id as its list entry holds it.
pub fn agent_id(entry: &IndexEntry) -> &str {
    entry.data.get("agent_id").and_then(|id| id.as_str()).unwrap_or(&entry.id)
}

fn entry_text(entry: &IndexEntry, field: &str) -> Option<String> {
    entry.data.get(field).and_then(|value| value.as_str()).map(str::to_owned)
}

/// An agent's name (from its newest `agent.upserted`), if it has one.
pub fn agent_name(entry: &IndexEntry) -> Option<String> {
    entry_text(entry, "name")
}

/// The user who owns an agent, if one is named.
pub fn agent_owner(entry: &IndexEntry) -> Option<String> {
    entry_text(entry, "owner_user_id")
}

/// The local days a range's previous equal-length range covers.
pub fn previous_range(range: DateRange) -> DateRange {
    let days = range.days().len() as i64;
    DateRange { start: add_days(range.start, -days), end: add_days(range.start, -1) }
}

// ---------------------------------------------------------------------------------------------
// agents/performance

/// `data` of `agents/performance`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentsPerformance {
    /// Most executions first; ties by agent id.
    pub agents: Vec<AgentPerformanceRow>,
    pub aggregates: AgentPerformanceAggregates,
    /// Ids of `agent_ids` that name no agent of the workspace (no `agent.upserted`), in the order
    /// asked; empty without `agent_ids`.
    pub unknown_agent_ids: Vec<String>,
    /// The range's first and last local day.
    pub start: Date,
    pub end: Date,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentPerformanceRow {
    pub agent_id: String,
    /// From the agent's newest `agent.upserted`; `null` without a name.
    pub agent_name: Option<String>,
    pub total_executions: i64,
    /// Successful executions / executions, in percent; `null` without executions.
    pub success_rate: Option<f64>,
    /// Mean execution time in seconds; `null` without executions.
    pub avg_execution_time: Option<f64>,
    /// Failed executions / executions, in percent; `null` without executions.
    pub error_rate: Option<f64>,
    /// In credits.
    pub credits_consumed: f64,
    /// Mean rating (1-5) of the rated executions; `null` without ratings.
    pub user_satisfaction: Option<f64>,
    pub successful_executions: i64,
    pub failed_executions: i64,
    pub rated_executions: i64,
}

impl AgentPerformanceRow {
    fn of(entry: &IndexEntry, runs: Executions) -> AgentPerformanceRow {
        AgentPerformanceRow {
            agent_id: agent_id(entry).to_owned(),
            agent_name: agent_name(entry),
            total_executions: runs.count,
            success_rate: runs.success_rate(),
            avg_execution_time: runs.avg_seconds(),
            error_rate: runs.error_rate(),
            credits_consumed: runs.credits(),
            user_satisfaction: runs.satisfaction(),
            successful_executions: runs.succeeded,
            failed_executions: runs.failed,
            rated_executions: runs.rated,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentPerformanceAggregates {
    /// The agents listed in `agents`.
    pub total_agents: i64,
    /// Σ successful / Σ executions of the agents listed, in percent (executions-weighted);
    /// `null` without executions.
    pub avg_success_rate: Option<f64>,
    pub total_executions: i64,
}

/// The performance of the workspace's agents over `requested` (local days), or of `wanted`
/// only. Store reads: the workspace and the agents list at once, then one range read of days
/// per agent shown, [`CONCURRENT_READS`] at a time: 2 + agents.
pub async fn performance(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    wanted: Option<&[String]>,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Viewed<AgentsPerformance>, ViewError> {
    let ((tz, _), listed) = tokio::try_join!(load_with_workspace(store, ws, &[]), listed_agents(store, ws))?;
    let range = requested.resolve(&tz, now, DEFAULT_DAYS)?.days;
    let (agents, unknown_agent_ids) = match wanted {
        None => (listed, Vec::new()),
        Some(ids) => {
            let mut by_id: HashMap<String, IndexEntry> =
                listed.into_iter().map(|entry| (agent_id(&entry).to_owned(), entry)).collect();
            let mut agents = Vec::new();
            let mut unknown = Vec::new();
            for id in ids {
                match by_id.remove(id) {
                    Some(entry) => agents.push(entry),
                    None if !unknown.contains(id) && !agents.iter().any(|a| agent_id(a) == id) => {
                        unknown.push(id.clone())
                    }
                    None => {}
                }
            }
            (agents, unknown)
        }
    };
    let series = &executions::BY_AGENT;
    let keys: Vec<String> = agents.iter().map(|entry| series_key(series.name, &[agent_id(entry)])).collect();
    let reads: Vec<_> = keys.iter().map(|key| stored_days(store, ws, key, range.start, range.end)).collect();
    let days = bounded(reads).await?;
    let mut rows: Vec<AgentPerformanceRow> = agents
        .iter()
        .zip(days)
        .map(|(entry, days)| AgentPerformanceRow::of(entry, Executions::sum(series, days.iter().map(|(_, c)| c))))
        .collect();
    rows.sort_by(|a, b| b.total_executions.cmp(&a.total_executions).then_with(|| a.agent_id.cmp(&b.agent_id)));
    let total_executions = rows.iter().map(|row| row.total_executions).sum();
    let succeeded = rows.iter().map(|row| row.successful_executions).sum();
    let aggregates = AgentPerformanceAggregates {
        total_agents: rows.len() as i64,
        avg_success_rate: percent(succeeded, total_executions),
        total_executions,
    };
    let body = AgentsPerformance { agents: rows, aggregates, unknown_agent_ids, start: range.start, end: range.end };
    Ok(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, None) })
}

// ---------------------------------------------------------------------------------------------
// agents/usage

/// How finely a usage pattern is bucketed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum UsageGranularity {
    /// UTC hours.
    #[default]
    Hourly,
    /// Local days.
    Daily,
    /// Local ISO weeks, Monday first.
    Weekly,
    /// Local calendar months.
    Monthly,
}

impl UsageGranularity {
    pub fn as_str(self) -> &'static str {
        match self {
            UsageGranularity::Hourly => "hourly",
            UsageGranularity::Daily => "daily",
            UsageGranularity::Weekly => "weekly",
            UsageGranularity::Monthly => "monthly",
        }
    }
}

/// `data` of `agents/usage`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentUsage {
    pub agent_id: String,
    pub agent_name: Option<String>,
    pub granularity: UsageGranularity,
    /// The range's first and last local day.
    pub start: Date,
    pub end: Date,
    /// One point per bucket, oldest first, gap-filled with zeros.
    pub usage_pattern: Vec<AgentUsagePoint>,
    /// The (at most three) local hours of day, 0-23, with the most executions over the range;
    /// ties: the earlier hour first. Empty without executions.
    pub peak_hours: Vec<u8>,
    /// The (at most three) weekdays with the most executions over the range's local days; ties
    /// in weekday order from Monday. Empty without executions.
    pub busiest_days: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentUsagePoint {
    /// RFC 3339 start of the bucket: a UTC hour as `2025-03-09T14:00:00Z`; a local day, week or
    /// month as the instant its first local day starts, with the zone's offset then
    /// (`2025-03-09T00:00:00-05:00`).
    pub timestamp: String,
    pub executions: i64,
    /// Distinct users of the agent in the bucket (executions naming a user_id), exact.
    pub unique_users: i64,
    /// In credits.
    pub credits: f64,
    /// Failed executions.
    pub errors: i64,
}

/// What `usage` found.
#[derive(Debug, Clone, PartialEq)]
pub enum Usage {
    Found(Box<Viewed<AgentUsage>>),
    /// No `agent.upserted` names this agent in the workspace.
    UnknownAgent,
    /// The range at this granularity has more than [`MAX_POINTS`] buckets.
    TooManyPoints {
        points: usize,
    },
}

/// The UTC hours that overlap `[from, to)`, oldest first.
pub fn hours_overlapping(from: Timestamp, to: Timestamp) -> Vec<Bucket> {
    let first = from.as_second().div_euclid(3600);
    let last = (to.as_second() - 1).div_euclid(3600);
    (first..=last).map(Bucket::Hour).collect()
}

fn monday_of(day: Date) -> Date {
    add_days(day, -i64::from(day.weekday().to_monday_zero_offset()))
}

/// Every value of `start_of` over the days of `range`, in order, once each.
fn periods(range: DateRange, start_of: fn(Date) -> Date) -> Vec<Date> {
    let mut periods: Vec<Date> = Vec::new();
    for day in range.days() {
        let period = start_of(day);
        if periods.last() != Some(&period) {
            periods.push(period);
        }
    }
    periods
}

/// The instant local `day` starts, with the zone's offset then.
fn local_start(day: Date, tz: &TimeZone) -> String {
    match start_of_local_day(day, tz) {
        Some(at) => at.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        None => day.to_string(),
    }
}

fn distinct(cells: Option<&Cells>) -> i64 {
    count(cells.and_then(|cells| cells.get(sightings::COUNT)).copied().unwrap_or(0))
}

fn point(timestamp: String, runs: Executions, unique_users: i64) -> AgentUsagePoint {
    AgentUsagePoint { timestamp, executions: runs.count, unique_users, credits: runs.credits(), errors: runs.failed }
}

/// The [`TOP`] keys with the most executions (more than none), ties by key order.
fn top<K: Copy + Ord>(counts: impl IntoIterator<Item = (K, i64)>) -> Vec<K> {
    let mut ranked: Vec<(K, i64)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    ranked.sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| a.cmp(b)));
    ranked.into_iter().take(TOP).map(|(key, _)| key).collect()
}

/// The local hours of day with the most executions over `hours` of the agent's series.
fn peak_hours(hours: &[read::Point], tz: &TimeZone) -> Vec<u8> {
    let mut by_hour = [0i64; 24];
    for (bucket, cells) in hours {
        if let Some(start) = bucket.hour_start() {
            let hour = usize::try_from(start.to_zoned(tz.clone()).hour()).unwrap_or(0) % 24;
            by_hour[hour] += Executions::read(&executions::BY_AGENT, Some(cells)).count;
        }
    }
    top((0u8..24).zip(by_hour))
}

/// Weekday names, Monday first (`Weekday::to_monday_zero_offset` order).
const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// The weekdays with the most executions over the days of `days` within `range`.
fn busiest_days(days: &[(Date, Cells)], range: DateRange) -> Vec<&'static str> {
    let mut by_weekday = [0i64; 7];
    for (day, cells) in days.iter().filter(|(day, _)| (range.start..=range.end).contains(day)) {
        let offset = usize::try_from(day.weekday().to_monday_zero_offset()).unwrap_or(0) % 7;
        by_weekday[offset] += Executions::read(&executions::BY_AGENT, Some(cells)).count;
    }
    top((0..7).zip(by_weekday)).into_iter().map(|offset: usize| WEEKDAYS[offset]).collect()
}

/// The usage pattern of `agent` over `requested` at `granularity`. Store reads: the workspace
/// with the agent, and the agent's all-time cell (the watermark), at once; then three range
/// reads at once: the executions' and the distinct users' buckets of the granularity, and the
/// hours (for `peak_hours`) or the days (for `busiest_days`) the granularity does not read
/// already. 5 in all, whatever the granularity.
///
/// Weekly and monthly points are whole ISO weeks and calendar months (their distinct users are
/// kept whole): the first and last may hold days outside the range. Hourly points are the UTC
/// hours overlapping the range. `peak_hours` and `busiest_days` count the range's own hours and
/// days.
pub async fn usage(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    agent: &str,
    granularity: UsageGranularity,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Usage, ViewError> {
    let series_def = &executions::BY_AGENT;
    let key = EntityKey::new("agent", &[agent]);
    let series = series_key(series_def.name, &[agent]);
    let total = CellKey::new(series.clone(), Bucket::Total);
    let ((tz, entities), totals) = tokio::try_join!(
        load_with_workspace(store, ws, std::slice::from_ref(&key)),
        store.read_cells(ws, std::slice::from_ref(&total)),
    )?;
    let Some(record) = entities.get(&key) else { return Ok(Usage::UnknownAgent) };
    let range = requested.resolve(&tz, now, DEFAULT_DAYS)?;
    let days = range.days;
    let hours = hours_overlapping(range.from, range.to);
    let whole = |start_of: fn(Date) -> Date, end_of: fn(Date) -> Date| DateRange {
        start: start_of(days.start),
        end: end_of(days.end),
    };
    let weeks = whole(monday_of, |day| add_days(monday_of(day), 6));
    let months = whole(Date::first_of_month, Date::last_of_month);
    let points = match granularity {
        UsageGranularity::Hourly => hours.len(),
        UsageGranularity::Daily => days.days().len(),
        UsageGranularity::Weekly => periods(weeks, monday_of).len(),
        UsageGranularity::Monthly => periods(months, Date::first_of_month).len(),
    };
    if points > MAX_POINTS {
        return Ok(Usage::TooManyPoints { points });
    }
    let users_series = series_key(sightings::users::OF_AGENT.name, &[agent]);
    let runs = |cells: &Cells| Executions::read(series_def, Some(cells));
    let (usage_pattern, peak_hours, busiest_days) = match granularity {
        UsageGranularity::Hourly => {
            let (runs_by_hour, users, by_day) = tokio::try_join!(
                read::hourly(store, ws, &series, &hours),
                read::hourly(store, ws, &users_series, &hours),
                stored_days(store, ws, &series, days.start, days.end),
            )?;
            let pattern = runs_by_hour
                .iter()
                .zip(&users)
                .map(|((bucket, cells), (_, seen))| {
                    let at = bucket.hour_start().map_or_else(|| bucket.key(), |start| start.to_string());
                    point(at, runs(cells), distinct(Some(seen)))
                })
                .collect();
            (pattern, peak_hours(&runs_by_hour, &tz), busiest_days(&by_day, days))
        }
        UsageGranularity::Daily => {
            let (by_day, users, runs_by_hour) = tokio::try_join!(
                read::daily(store, ws, &series, days),
                read::daily(store, ws, &users_series, days),
                read::hourly(store, ws, &series, &hours),
            )?;
            let pattern = by_day
                .iter()
                .zip(&users)
                .map(|((day, cells), (_, seen))| point(local_start(*day, &tz), runs(cells), distinct(Some(seen))))
                .collect();
            (pattern, peak_hours(&runs_by_hour, &tz), busiest_days(&by_day, days))
        }
        UsageGranularity::Weekly | UsageGranularity::Monthly => {
            let weekly = granularity == UsageGranularity::Weekly;
            let (span, start_of): (DateRange, fn(Date) -> Date) =
                if weekly { (weeks, monday_of) } else { (months, Date::first_of_month) };
            let (users_series, first, last) = if weekly {
                (users_series, Bucket::Week(weeks.start), Bucket::week_of(weeks.end))
            } else {
                let monthly = series_key(sightings::users::OF_AGENT_MONTHLY.name, &[agent]);
                (monthly, Bucket::month_of(months.start), Bucket::month_of(months.end))
            };
            let (by_day, users, runs_by_hour) = tokio::try_join!(
                stored_days(store, ws, &series, span.start, span.end),
                store.read_range(ws, &users_series, first, last),
                read::hourly(store, ws, &series, &hours),
            )?;
            let users: HashMap<Date, &Cells> = users
                .iter()
                .filter_map(|(bucket, cells)| match *bucket {
                    Bucket::Week(monday) => Some((monday, cells)),
                    Bucket::Month { .. } => bucket.month_days().map(|(first, _)| (first, cells)),
                    _ => None,
                })
                .collect();
            let mut sums: BTreeMap<Date, Executions> = BTreeMap::new();
            for (day, cells) in &by_day {
                let sum = sums.entry(start_of(*day)).or_default();
                *sum = sum.plus(runs(cells));
            }
            let pattern = periods(span, start_of)
                .into_iter()
                .map(|first| {
                    let sum = sums.get(&first).copied().unwrap_or_default();
                    point(local_start(first, &tz), sum, distinct(users.get(&first).copied()))
                })
                .collect();
            (pattern, peak_hours(&runs_by_hour, &tz), busiest_days(&by_day, days))
        }
    };
    let watermark = Reading::of(totals.get(&total)).latest();
    let body = AgentUsage {
        agent_id: agent.to_owned(),
        agent_name: record.str("name").map(str::to_owned),
        granularity,
        start: days.start,
        end: days.end,
        usage_pattern,
        peak_hours,
        busiest_days,
    };
    Ok(Usage::Found(Box::new(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, watermark) })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    #[test]
    fn rates_are_percent_of_the_executions_and_null_without_any() {
        let runs =
            Executions { count: 8, succeeded: 7, failed: 1, duration: 10_000, credits: 2_500, ..Default::default() };
        assert_eq!((runs.success_rate(), runs.error_rate()), (Some(87.5), Some(12.5)));
        assert_eq!((runs.avg_seconds(), runs.credits(), runs.satisfaction()), (Some(1.25), 2.5, None));
        let none = Executions::default();
        assert_eq!((none.success_rate(), none.error_rate(), none.avg_seconds()), (None, None, None));
        let rated = Executions { count: 3, rated: 2, satisfaction: 9_000, ..Default::default() };
        assert_eq!(rated.satisfaction(), Some(4.5), "the mean of the rated executions only");
    }

    #[test]
    fn the_top_three_are_ranked_by_executions_then_by_key_and_zeros_are_left_out() {
        assert_eq!(top([(9u8, 2), (3, 5), (14, 2), (8, 2), (1, 0)]), vec![3, 8, 9]);
        assert_eq!(top([(4u8, 0)]), Vec::<u8>::new());
    }

    #[test]
    fn the_hours_overlapping_a_half_hour_zones_day_include_both_edges() {
        let kolkata = crate::time::time_zone("Asia/Kolkata").expect("zone");
        let from = start_of_local_day(date(2025, 1, 15), &kolkata).expect("start");
        let to = start_of_local_day(date(2025, 1, 16), &kolkata).expect("end");
        let hours = hours_overlapping(from, to);
        assert_eq!(hours.len(), 25, "18:30Z to 18:30Z touches 25 UTC hours");
        assert_eq!(hours[0], Bucket::hour_starting(ts("2025-01-14T18:00:00Z")));
        let new_york = crate::time::time_zone("America/New_York").expect("zone");
        let spring = |day| start_of_local_day(day, &new_york).expect("start");
        assert_eq!(hours_overlapping(spring(date(2025, 3, 9)), spring(date(2025, 3, 10))).len(), 23);
    }

    #[test]
    fn local_buckets_are_named_by_the_instant_their_first_day_starts_with_its_offset() {
        let new_york = crate::time::time_zone("America/New_York").expect("zone");
        assert_eq!(local_start(date(2025, 3, 9), &new_york), "2025-03-09T00:00:00-05:00");
        assert_eq!(local_start(date(2025, 3, 10), &new_york), "2025-03-10T00:00:00-04:00");
        let weeks = periods(DateRange { start: date(2025, 3, 5), end: date(2025, 3, 18) }, monday_of);
        assert_eq!(weeks, vec![date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17)]);
    }

    #[test]
    fn the_previous_range_has_the_same_length_and_ends_the_day_before() {
        let range = DateRange { start: date(2025, 3, 1), end: date(2025, 3, 10) };
        assert_eq!(previous_range(range), DateRange { start: date(2025, 2, 19), end: date(2025, 2, 28) });
    }
}
