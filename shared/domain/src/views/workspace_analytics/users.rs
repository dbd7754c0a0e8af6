//! Seed 002's users: each user's activity over a range (sessions, executions, credits, last
//! activity, favourite agents) with the workspace's exact DAU/WAU/MAU and mean session length
//! ([`ranked_activity`], [`add_favorite_agents`]); and engagement: activation, N-day retention
//! and the signup-cohort table ([`engagement`]).
//!
//! Definitions:
//! - A user is someone with a `user.upserted` (the `users_by_join` list, or their entity when
//!   `user_ids` names them). Active means a `user.session`, an `agent.execution` or an
//!   `api.request` naming the user, on a local day of the workspace's zone.
//! - A user's signup day is the local day of the earliest `signed_up_at` of their upserts (an
//!   upsert without one counts its own instant). Cohort `d` holds the users who signed up on day
//!   `d` (daily) or in the ISO week starting Monday `d` (weekly); its `retained.k` are those
//!   active on day `k` after the signup day (day 0 is the signup day), or in week `k` after the
//!   signup week (activity before the signup day counts in none); `activated` those who ran an
//!   agent on days 0 to 6 (`rollup::activity`).
//! - DAU, WAU and MAU are exact distinct counts of active users: of the range end's local day,
//!   of the ISO week (Monday to Sunday) holding it, and of its calendar month.

use std::cmp::Ordering;

use futures_util::{StreamExt, TryStreamExt};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::WorkspaceId;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::activity::{self as active, COHORT_DAYS, COHORT_WEEKS, COHORTS_DAILY, COHORTS_WEEKLY};
use crate::rollup::indexes::call_centre::USERS_BY_JOIN;
use crate::rollup::indexes::workspace_analytics::AGENTS_OF_USER;
use crate::rollup::series::{activity, executions, requests, series_key, sessions};
use crate::rollup::{CellKey, Cells, Direction, EntityKey, EntityRecord, SortRange, merge_cells};
use crate::time::{Bucket, DateRange, RequestedRange, add_days, local_today};
use crate::views::read::{self, Reading};
use crate::views::{ViewError, ViewMeta, Viewed, count, load_with_workspace, round_to};

/// Days a range with no `start` covers: the 30 local days ending with its end.
pub const DEFAULT_DAYS: i64 = 30;
/// The most users ranked: the newest by join of the `users_by_join` list.
pub const MAX_USERS: usize = 1_000;
/// The most ids `user_ids` may name.
pub const MAX_USER_IDS: usize = 100;
/// Favourite agents shown per user.
pub const FAVORITE_AGENTS: usize = 3;
/// The most agents of a user's tally read.
const MAX_AGENTS_OF_USER: usize = 1_000;
/// Range reads of one request in flight at once.
const CONCURRENT_READS: usize = 8;

/// Which activity a user must have had in the range to be listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = UserActivityType))]
#[serde(rename_all = "snake_case")]
pub enum ActivityType {
    /// A `user.session` of kind `login`.
    Login,
    /// An `agent.execution`.
    Execution,
    /// An `api.request`.
    ApiCall,
}

impl ActivityType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityType::Login => "login",
            ActivityType::Execution => "execution",
            ActivityType::ApiCall => "api_call",
        }
    }
}

/// What the users are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    LastActive,
    TotalSessions,
    TotalExecutions,
    CreditsConsumed,
}

impl UserSort {
    pub const ALL: [UserSort; 4] =
        [UserSort::LastActive, UserSort::TotalSessions, UserSort::TotalExecutions, UserSort::CreditsConsumed];
    /// The `sort_by` names, in [`Self::ALL`]'s order.
    pub const NAMES: &'static [&'static str] =
        &["last_active", "total_sessions", "total_executions", "credits_consumed"];
    pub const DEFAULT: UserSort = UserSort::TotalExecutions;

    pub const fn as_str(self) -> &'static str {
        match self {
            UserSort::LastActive => "last_active",
            UserSort::TotalSessions => "total_sessions",
            UserSort::TotalExecutions => "total_executions",
            UserSort::CreditsConsumed => "credits_consumed",
        }
    }

    pub fn from_name(name: &str) -> Option<UserSort> {
        UserSort::ALL.into_iter().find(|sort| sort.as_str() == name)
    }

    /// `a` before `b` in this order, ascending; a user never active is older than any instant.
    fn compare(self, a: &UserActivity, b: &UserActivity) -> Ordering {
        match self {
            UserSort::LastActive => a.last_active.cmp(&b.last_active),
            UserSort::TotalSessions => a.total_sessions.cmp(&b.total_sessions),
            UserSort::TotalExecutions => a.total_executions.cmp(&b.total_executions),
            UserSort::CreditsConsumed => a.credits_consumed.total_cmp(&b.credits_consumed),
        }
    }
}

/// What `users/activity` asks.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityQuery {
    /// Only these users (valid ids, at most [`MAX_USER_IDS`]); every listed user when `None`.
    pub user_ids: Option<Vec<String>>,
    pub activity_type: Option<ActivityType>,
    pub range: RequestedRange,
    pub sort: UserSort,
    pub descending: bool,
}

/// One user's activity over the range.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserActivity {
    pub user_id: String,
    /// From the user's latest `user.upserted`.
    pub email: Option<String>,
    /// The user's newest activity of any kind, all time; `null` if none.
    pub last_active: Option<Timestamp>,
    /// Sessions (`login` and `session` kinds) in the range.
    pub total_sessions: i64,
    /// Agent executions in the range.
    pub total_executions: i64,
    /// Credits of those executions, in credit units.
    pub credits_consumed: f64,
    /// The user's three most-run agents, all time (ties by agent id).
    pub favorite_agents: Vec<String>,
}

/// The workspace's activity summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserActivitySummary {
    /// Distinct active users on the range end's local day.
    pub dau: i64,
    /// Distinct active users in the ISO week (Monday to Sunday) holding the range end.
    pub wau: i64,
    /// Distinct active users in the calendar month holding the range end.
    pub mau: i64,
    /// Mean length of the range's sessions that carry `duration_s`, in minutes (1 decimal);
    /// `null` without any.
    pub avg_session_duration: Option<f64>,
}

/// Every user that qualifies, ranked, with the workspace's summary; favourite agents not yet
/// read ([`add_favorite_agents`] reads them for a page).
#[derive(Debug, Clone, PartialEq)]
pub struct RankedUsers {
    pub users: Vec<UserActivity>,
    pub activity_summary: UserActivitySummary,
}

/// The range's users and summary. Store reads: the users (the list's newest [`MAX_USERS`], or
/// the named users' entities, with the workspace in either case: 2 reads, or 1 with `user_ids`),
/// then at once one cell read (the summary's three cells, the workspace's all-time cell and every
/// user's), one range read of the workspace's days and one per user, [`CONCURRENT_READS`] at a
/// time.
pub async fn ranked_activity(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    query: &ActivityQuery,
    now: Timestamp,
) -> Result<Viewed<RankedUsers>, ViewError> {
    let (tz, users) = match &query.user_ids {
        Some(ids) => {
            let keys: Vec<EntityKey> = ids.iter().map(|id| user_key(id)).collect();
            let (tz, entities) = load_with_workspace(store, ws, &keys).await?;
            let users = ids.iter().zip(&keys).filter_map(|(id, key)| Some((id.clone(), email(entities.get(key)?))));
            (tz, users.collect::<Vec<_>>())
        }
        None => {
            let (list, all) = (USERS_BY_JOIN.key(&[]), SortRange::all());
            let ((tz, _), entries) = tokio::try_join!(
                load_with_workspace(store, ws, &[]),
                store.read_index(ws, &list, &all, Direction::Descending, MAX_USERS),
            )?;
            let users = entries.into_iter().map(|entry| {
                let email = entry.data.get("email").and_then(|value| value.as_str()).map(str::to_owned);
                (entry.id, email)
            });
            (tz, users.collect())
        }
    };
    let days = query.range.resolve(&tz, now, DEFAULT_DAYS)?.days;
    let (summary_keys, watermark_key) = (summary_cells(days.end), CellKey::new(activity::WORKSPACE, Bucket::Total));
    let totals: Vec<CellKey> = users.iter().map(|(id, _)| CellKey::new(user_series(id), Bucket::Total)).collect();
    let mut cell_keys: Vec<CellKey> = summary_keys.to_vec();
    cell_keys.push(watermark_key.clone());
    cell_keys.extend(totals.iter().cloned());
    // Collected first: a lazy map over borrowed users would make the request's future not Send.
    let user_days: Vec<_> = users.iter().map(|(id, _)| sum_of_days(store, ws, user_series(id), days)).collect();
    let (cells, workspace_days, user_days) = tokio::try_join!(
        store.read_cells(ws, &cell_keys),
        sum_of_days(store, ws, activity::WORKSPACE.to_owned(), days),
        concurrently(user_days),
    )?;

    let mut ranked: Vec<UserActivity> = users
        .into_iter()
        .zip(totals.iter().zip(&user_days))
        .filter(|(_, (_, days))| query.activity_type.is_none_or(|kind| had(days, kind)))
        .map(|((user_id, email), (total, days))| UserActivity {
            user_id,
            email,
            last_active: Reading::of(cells.get(total)).latest(),
            total_sessions: Reading::of_series(&sessions::BY_USER, Some(days)).count(),
            total_executions: Reading::of_series(&executions::BY_USER, Some(days)).count(),
            credits_consumed: Reading::of_series(&executions::BY_USER, Some(days)).total(executions::CREDITS).units(),
            favorite_agents: Vec::new(),
        })
        .collect();
    ranked.sort_by(|a, b| {
        let by = query.sort.compare(a, b);
        let by = if query.descending { by.reverse() } else { by };
        by.then_with(|| a.user_id.cmp(&b.user_id))
    });
    let users_of =
        |key: &CellKey| count(cells.get(key).and_then(|c| c.get(active::field::USERS)).copied().unwrap_or(0));
    let sessions = Reading::of_series(&sessions::WORKSPACE, Some(&workspace_days));
    let timed = sessions.counted(sessions::DURATION.field);
    let activity_summary = UserActivitySummary {
        dau: users_of(&summary_keys[0]),
        wau: users_of(&summary_keys[1]),
        mau: users_of(&summary_keys[2]),
        avg_session_duration: sessions
            .total(sessions::DURATION)
            .per(timed)
            .map(|mean| round_to(mean.raw as f64 / mean.scale as f64 / 60.0, 1)),
    };
    let watermark = Reading::of(cells.get(&watermark_key)).latest();
    Ok(Viewed {
        body: RankedUsers { users: ranked, activity_summary },
        meta: ViewMeta::from_rollups(now, &tz, watermark),
    })
}

/// Fills in each user's favourite agents: the [`FAVORITE_AGENTS`] agents they ran most, all time
/// (from the `agents_of_user|<user>` tally; ties by agent id). One read per user,
/// [`CONCURRENT_READS`] at a time.
pub async fn add_favorite_agents(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    users: &mut [UserActivity],
) -> Result<(), StoreError> {
    let reads: Vec<_> = users
        .iter()
        .map(|user| {
            let tally = AGENTS_OF_USER.key(&[&user.user_id]);
            async move { read::members(store, ws, &tally, MAX_AGENTS_OF_USER).await }
        })
        .collect();
    let tallies = concurrently(reads).await?;
    for (user, members) in users.iter_mut().zip(tallies) {
        let mut agents: Vec<(i64, String)> = members
            .into_iter()
            .filter_map(|entry| Some((entry.count, entry.data.get("agent_id")?.as_str()?.to_owned())))
            .collect();
        agents.sort_by(|(a_runs, a_id), (b_runs, b_id)| b_runs.cmp(a_runs).then_with(|| a_id.cmp(b_id)));
        user.favorite_agents = agents.into_iter().take(FAVORITE_AGENTS).map(|(_, id)| id).collect();
    }
    Ok(())
}

/// The active-users cells of the day, the ISO week and the month holding `end`, in that order.
fn summary_cells(end: Date) -> [CellKey; 3] {
    [
        CellKey::new(active::DAILY, Bucket::Day(end)),
        CellKey::new(active::SERIES, Bucket::week_of(end)),
        CellKey::new(active::SERIES, Bucket::month_of(end)),
    ]
}

fn user_key(user_id: &str) -> EntityKey {
    EntityKey::new("user", &[user_id])
}

fn user_series(user_id: &str) -> String {
    series_key(activity::USER, &[user_id])
}

fn email(user: &EntityRecord) -> Option<String> {
    user.str("email").map(str::to_owned)
}

/// Whether the summed days hold activity of `kind`.
fn had(days: &Cells, kind: ActivityType) -> bool {
    match kind {
        ActivityType::Login => Reading::of_series(&sessions::BY_USER, Some(days)).count_of(sessions::KIND, "login") > 0,
        ActivityType::Execution => Reading::of_series(&executions::BY_USER, Some(days)).count() > 0,
        ActivityType::ApiCall => Reading::of_series(&requests::BY_USER, Some(days)).count() > 0,
    }
}

/// `series` summed over the local days of `days`: one range read.
async fn sum_of_days(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    series: String,
    days: DateRange,
) -> Result<Cells, StoreError> {
    let mut sum = Cells::new();
    for (_, cells) in store.read_range(ws, &series, Bucket::Day(days.start), Bucket::Day(days.end)).await? {
        merge_cells(&mut sum, &cells);
    }
    Ok(sum)
}

/// Runs `reads` [`CONCURRENT_READS`] at a time, keeping their order.
async fn concurrently<T, F>(reads: impl IntoIterator<Item = F>) -> Result<Vec<T>, StoreError>
where
    F: Future<Output = Result<T, StoreError>>,
{
    futures_util::stream::iter(reads).buffered(CONCURRENT_READS).try_collect().await
}

/// Cohorts by signup day or by signup week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CohortPeriod {
    Daily,
    #[default]
    Weekly,
}

/// `users/engagement`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserEngagement {
    pub engagement_metrics: EngagementMetrics,
    pub cohort_analysis: CohortAnalysis,
}

/// Over the daily cohorts of the range, in percent (1 decimal); `null` without users to divide by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngagementMetrics {
    /// Users who ran an agent on days 0 to 6 after signing up / users.
    pub activation_rate: Option<f64>,
    /// Users active on day N after signing up / users, over the cohorts at least N days old.
    pub retention_day_1: Option<f64>,
    pub retention_day_7: Option<f64>,
    pub retention_day_30: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortAnalysis {
    /// `daily` or `weekly`, as asked.
    pub cohort: CohortPeriod,
    /// Cohorts with at least one user, oldest first.
    pub cohorts: Vec<SignupCohort>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupCohort {
    /// The signup day, or the Monday of the signup week.
    pub cohort_date: Date,
    pub users: i64,
    /// Percent of the cohort active in period k after signup (1 decimal), for k from 0 to the
    /// current period (at most 30 days or 12 weeks): its length is the cohort's age.
    pub retention: Vec<f64>,
}

/// The days N of `retention_day_N`.
const RETENTION_DAYS: [i64; 3] = [1, 7, 30];

/// Engagement over the cohorts whose signup day (or week's Monday) is in the range. Store reads,
/// all issued at once: the workspace, the daily cohorts, and the weekly ones when asked (2 or 3).
/// A range without an end ends today in the workspace's zone, unknown until the workspace is
/// read: the cohorts are then read over the days it may be in any zone, and cut to it after.
pub async fn engagement(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    period: CohortPeriod,
    range: RequestedRange,
    now: Timestamp,
) -> Result<Viewed<UserEngagement>, ViewError> {
    let wide = days_in_any_zone(range, now);
    let weeks = (period == CohortPeriod::Weekly).then(|| mondays(wide)).flatten();
    let weekly = async {
        match weeks {
            Some((first, last)) => store.read_range(ws, COHORTS_WEEKLY, Bucket::Week(first), Bucket::Week(last)).await,
            None => Ok(Vec::new()),
        }
    };
    let ((tz, _), daily, weekly) = tokio::try_join!(
        load_with_workspace(store, ws, &[]),
        store.read_range(ws, COHORTS_DAILY, Bucket::Day(wide.start), Bucket::Day(wide.end)),
        weekly,
    )?;
    let days = range.resolve(&tz, now, DEFAULT_DAYS)?.days;
    let today = local_today(now, &tz);
    let within = |bucket: &Bucket| match *bucket {
        Bucket::Day(day) | Bucket::Week(day) => (days.start..=days.end).contains(&day),
        _ => false,
    };
    let daily: Vec<(Date, Cohort)> = daily
        .iter()
        .filter(|(bucket, _)| within(bucket))
        .filter_map(|(bucket, cells)| Cohort::of(bucket, cells))
        .collect();
    let engagement_metrics = metrics(&daily, today);
    let cohorts = match period {
        CohortPeriod::Daily => {
            daily.iter().map(|(day, cohort)| cohort.row(*day, days_since(*day, today).min(COHORT_DAYS))).collect()
        }
        CohortPeriod::Weekly => weekly
            .iter()
            .filter(|(bucket, _)| within(bucket))
            .filter_map(|(bucket, cells)| Cohort::of(bucket, cells))
            .map(|(monday, cohort)| cohort.row(monday, days_since(monday, today).div_euclid(7).min(COHORT_WEEKS)))
            .collect(),
    };
    let body = UserEngagement { engagement_metrics, cohort_analysis: CohortAnalysis { cohort: period, cohorts } };
    // Cohorts hold no instant: nothing to give as the newest event included.
    Ok(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, None) })
}

/// A stored cohort's counts.
struct Cohort<'a> {
    cells: &'a Cells,
    users: i64,
}

impl<'a> Cohort<'a> {
    /// The cohort of a day or week bucket, if it has users.
    fn of(bucket: &Bucket, cells: &'a Cells) -> Option<(Date, Cohort<'a>)> {
        let (Bucket::Day(day) | Bucket::Week(day)) = *bucket else { return None };
        let users = Self::field(cells, active::field::USERS);
        (users > 0).then_some((day, Cohort { cells, users }))
    }

    fn field(cells: &Cells, name: &str) -> i64 {
        count(cells.get(name).copied().unwrap_or(0))
    }

    fn retained(&self, k: i64) -> i64 {
        Self::field(self.cells, &active::field::retained(k))
    }

    /// The table's row: retention for periods 0 to `last`.
    fn row(&self, date: Date, last: i64) -> SignupCohort {
        let retention = (0..=last).filter_map(|k| percent(self.retained(k), self.users)).collect();
        SignupCohort { cohort_date: date, users: self.users, retention }
    }
}

fn metrics(daily: &[(Date, Cohort)], today: Date) -> EngagementMetrics {
    let users: i64 = daily.iter().map(|(_, cohort)| cohort.users).sum();
    let activated: i64 = daily.iter().map(|(_, cohort)| Cohort::field(cohort.cells, active::field::ACTIVATED)).sum();
    let [day_1, day_7, day_30] = RETENTION_DAYS.map(|n| {
        let old_enough = daily.iter().filter(|(day, _)| days_since(*day, today) >= n);
        let (retained, users) = old_enough
            .fold((0, 0), |(retained, users), (_, cohort)| (retained + cohort.retained(n), users + cohort.users));
        percent(retained, users)
    });
    EngagementMetrics {
        activation_rate: percent(activated, users),
        retention_day_1: day_1,
        retention_day_7: day_7,
        retention_day_30: day_30,
    }
}

/// `part / whole` in percent, 1 decimal; `None` when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round_to(part as f64 * 100.0 / whole as f64, 1))
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
fn days_since(from: Date, to: Date) -> i64 {
    from.until(to).map(|span| i64::from(span.get_days())).unwrap_or(0)
}

/// The days that `range` may resolve to in any zone (UTC−12 to UTC+14): its own dates when it
/// names both; else today is one of the UTC date's day before, day or day after. Never longer
/// than a valid range could reach, whatever `start` says.
fn days_in_any_zone(range: RequestedRange, now: Timestamp) -> DateRange {
    let utc_today = local_today(now, &TimeZone::UTC);
    let (start, end) = match range {
        RequestedRange::Dates { start, end } => (start, end),
        RequestedRange::Last(_) => (None, None),
    };
    let (earliest_end, latest_end) = end.map_or((add_days(utc_today, -1), add_days(utc_today, 1)), |end| (end, end));
    let start = start.unwrap_or_else(|| add_days(earliest_end, -(DEFAULT_DAYS - 1)));
    let start = start.max(add_days(latest_end, -(crate::time::MAX_RANGE_DAYS - 1)));
    DateRange { start: start.min(latest_end), end: latest_end }
}

/// The first and last Monday within `days`, if any.
fn mondays(days: DateRange) -> Option<(Date, Date)> {
    let since_monday = i64::from(days.start.weekday().to_monday_zero_offset());
    let first = if since_monday == 0 { days.start } else { add_days(days.start, 7 - since_monday) };
    let Bucket::Week(last) = Bucket::week_of(days.end) else { return None };
    (first <= last).then_some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cells(fields: &[(&str, i128)]) -> Cells {
        fields.iter().map(|(name, value)| ((*name).to_owned(), *value)).collect()
    }

    #[test]
    fn every_sort_name_reads_back_and_the_default_is_executions() {
        for (sort, name) in UserSort::ALL.iter().zip(UserSort::NAMES) {
            assert_eq!(UserSort::from_name(name), Some(*sort));
            assert_eq!(sort.as_str(), *name);
        }
        assert_eq!(UserSort::DEFAULT.as_str(), "total_executions");
        assert_eq!(UserSort::from_name("email"), None);
    }

    #[test]
    fn a_range_without_an_end_is_read_over_the_days_today_may_be_anywhere() {
        let now: Timestamp = "2025-03-10T02:00:00Z".parse().expect("ts");
        let default = days_in_any_zone(RequestedRange::Dates { start: None, end: None }, now);
        // Today is the 9th (UTC−12) to the 11th (UTC+14): 30 days back from the 9th to the 11th.
        assert_eq!((default.start, default.end), (date(2025, 2, 8), date(2025, 3, 11)));
        let named = days_in_any_zone(
            RequestedRange::Dates { start: Some(date(2025, 1, 1)), end: Some(date(2025, 1, 31)) },
            now,
        );
        assert_eq!((named.start, named.end), (date(2025, 1, 1), date(2025, 1, 31)));
        let ancient = days_in_any_zone(RequestedRange::Dates { start: Some(date(2000, 1, 1)), end: None }, now);
        assert_eq!(ancient.start, add_days(date(2025, 3, 11), -399), "no valid range reaches further back");
    }

    #[test]
    fn the_mondays_of_a_range_are_those_on_or_after_its_start() {
        let range = |start, end| DateRange { start, end };
        // Wednesday 5th to Monday 17th March 2025: Mondays 10th and 17th.
        assert_eq!(mondays(range(date(2025, 3, 5), date(2025, 3, 17))), Some((date(2025, 3, 10), date(2025, 3, 17))));
        assert_eq!(mondays(range(date(2025, 3, 10), date(2025, 3, 12))), Some((date(2025, 3, 10), date(2025, 3, 10))));
        assert_eq!(mondays(range(date(2025, 3, 11), date(2025, 3, 16))), None, "no Monday in Tuesday to Sunday");
    }

    #[test]
    fn retention_needs_cohorts_old_enough_and_a_zero_denominator_is_null() {
        let today = date(2025, 3, 10);
        // 4 users on the 1st (9 days old): 3 activated, 2 back on day 1, 1 on day 7. 2 users on the
        // 9th (1 day old): 1 back on day 1, not old enough for day 7.
        let old = cells(&[("users", 4), ("activated", 3), ("retained.0", 4), ("retained.1", 2), ("retained.7", 1)]);
        let young = cells(&[("users", 2), ("retained.0", 1), ("retained.1", 1)]);
        let daily = [
            Cohort::of(&Bucket::Day(date(2025, 3, 1)), &old).expect("cohort"),
            Cohort::of(&Bucket::Day(date(2025, 3, 9)), &young).expect("cohort"),
        ];
        let metrics = metrics(&daily, today);
        assert_eq!(metrics.activation_rate, Some(50.0), "3 of 6");
        assert_eq!(metrics.retention_day_1, Some(50.0), "3 of 6");
        assert_eq!(metrics.retention_day_7, Some(25.0), "1 of the 4 old enough");
        assert_eq!(metrics.retention_day_30, None, "no cohort is 30 days old");
        let row = daily[1].1.row(date(2025, 3, 9), days_since(date(2025, 3, 9), today));
        assert_eq!(row.retention, [50.0, 50.0], "day 0 and day 1: the cohort's age");
        assert!(Cohort::of(&Bucket::Day(today), &cells(&[("users", 0)])).is_none());
        assert_eq!(percent(1, 3), Some(33.3));
    }
}
