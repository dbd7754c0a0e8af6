//! Seed 002's executive dashboard: the KPIs of a range of local days ([`summary`]) and trends of
//! chosen metrics at a chosen granularity ([`trends`]). The workspace overview and comparison
//! ([`super::workspace`]) share the range's totals ([`Totals`]) and the reading of a range before
//! the workspace's zone is known ([`AnyZone`]).
//!
//! Definitions (the routes' OpenAPI descriptions state them too):
//! - **Revenue** is the amount of payments whose latest record is `paid`, on the local day (UTC
//!   hour) of that record; growth compares the range with the equal-length range just before it,
//!   `null` when that one had none.
//! - **MRR** as of the range's last day E is the MRR now (active subscriptions: monthly prices,
//!   yearly ones ÷ 12) minus, for each day after E up to today, the monthly-normalised prices of
//!   the subscriptions first seen that day less those whose latest record turned non-active that
//!   day: a subscription counts from the day it was first seen until the day its latest record
//!   stopped being active, at its latest price. ARR = 12 × MRR.
//! - **Churn rate**: subscriptions whose latest record is `cancelled`, on a day of the range, per
//!   100 subscriptions active at the range's start (active now, less those first seen from the
//!   start to today, plus those lapsed in that time); `null` when none was active.
//! - **Users**: total = users with a `user.upserted` who joined (`signed_up_at`, else their first
//!   event) on or before E; new = joined in the range; active = distinct users active (a session,
//!   an agent execution or an API request with their user_id) in the calendar month of E (MAU).
//! - **Credits**: total = the workspace's `credits_total`; consumed = credits of the range's agent
//!   executions; per user = consumed / active users.
//! - **Uptime** = 100 × (1 − minutes with a 5xx / minutes with traffic) over the range's days: the
//!   percentage of UTC minutes with API traffic in which no request failed with a 5xx. Response
//!   time is the mean `latency_ms` of the range's requests; error rate the share of them with a
//!   5xx status, in percent.
//!
//! A ratio with a zero denominator is `null`; percentages are 0..100.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{self, TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::WorkspaceId;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::activity as active;
use crate::rollup::entities::workspace_time_zone;
use crate::rollup::gauges::{GaugeDef, payments, subscriptions, users};
use crate::rollup::series::{MICRO, MILLI, activity, executions, requests, series_key};
use crate::rollup::sightings::{self, minutes};
use crate::rollup::{CellKey, Cells, EntityKey, merge_cells};
use crate::time::{Bucket, DateRange, RangeError, RequestedRange, add_days, local_today, start_of_local_day};
use crate::views::call_centre::{Days, money};
use crate::views::read::{self, Amount, GaugeReading, Reading};
use crate::views::{ViewError, ViewMeta, Viewed, count, round_to};

/// Days a range covers when the request names no start: the 30 ending with its end.
pub const DEFAULT_DAYS: i64 = 30;
/// The most points a trend's series may have.
pub const MAX_POINTS: usize = 1_000;

/// A requested range in any zone. A range of local dates depends on the zone only through today
/// (its default end), and today's date in any zone lies between those of the zones furthest behind
/// (UTC−12) and ahead (UTC+14) of UTC: so a view reads the days every zone's range lies within at
/// the same time as it reads the workspace, then applies the workspace's own zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnyZone {
    /// From the earliest start to the latest end.
    days: DateRange,
    /// The earliest and latest end.
    ends: (Date, Date),
    /// The fewest days the range covers where it is valid.
    fewest_days: i64,
}

fn furthest_behind() -> TimeZone {
    TimeZone::fixed(tz::offset(-12))
}

fn furthest_ahead() -> TimeZone {
    TimeZone::fixed(tz::offset(14))
}

impl AnyZone {
    /// `requested` in any zone; an error when it is invalid (reversed, too long) in both extreme
    /// zones, and so in every zone (today moves by at most two days between them).
    pub fn of(requested: &RequestedRange, now: Timestamp, default_days: i64) -> Result<AnyZone, RangeError> {
        let resolve = |tz: TimeZone| requested.resolve(&tz, now, default_days);
        if let (Err(error), Err(_)) = (resolve(furthest_behind()), resolve(furthest_ahead())) {
            return Err(error);
        }
        let todays = todays(now);
        let (ends, start, fewest_days) = match *requested {
            RequestedRange::Dates { start, end } => {
                let ends = (end.unwrap_or(todays.start), end.unwrap_or(todays.end));
                let fewest = match start {
                    Some(start) => day_count(DateRange { start, end: ends.0 }).max(1),
                    None => default_days,
                };
                (ends, start.unwrap_or(add_days(ends.0, -(default_days - 1))), fewest)
            }
            RequestedRange::Last(period) => {
                ((todays.start, todays.end), local_today(now - period.duration(), &furthest_behind()), 1)
            }
        };
        Ok(AnyZone { days: DateRange { start: start.min(ends.1), end: ends.1 }, ends, fewest_days })
    }

    /// From the earliest start to the latest end.
    pub fn days(&self) -> DateRange {
        self.days
    }

    /// The fewest local days the range covers in any zone where it is valid.
    pub fn fewest_days(&self) -> i64 {
        self.fewest_days
    }

    /// The months the range's last day may fall in.
    pub fn end_months(&self) -> BTreeSet<Bucket> {
        [self.ends.0, self.ends.1].into_iter().map(Bucket::month_of).collect()
    }
}

/// Today's local date in any zone: from the zone furthest behind UTC to the one furthest ahead.
pub fn todays(now: Timestamp) -> DateRange {
    DateRange { start: local_today(now, &furthest_behind()), end: local_today(now, &furthest_ahead()) }
}

/// Days in `days`, both ends included.
pub fn day_count(days: DateRange) -> i64 {
    days.start.until(days.end).map(|span| i64::from(span.get_days())).unwrap_or(0) + 1
}

/// The first and last UTC hour (in hours since the epoch) overlapping the local days of `days` in
/// `tz`: from the start of the first day to the end of the last (23 or 25 hours on a DST day; in a
/// zone with a half-hour offset the first and last hours straddle local midnight).
fn hour_span(days: DateRange, tz: &TimeZone) -> Option<(i64, i64)> {
    let from = start_of_local_day(days.start, tz)?;
    let to = start_of_local_day(add_days(days.end, 1), tz)?;
    Some((from.as_second().div_euclid(3600), (to.as_second() - 1).div_euclid(3600)))
}

/// The UTC hour buckets of [`hour_span`], oldest first.
pub fn hours_of(days: DateRange, tz: &TimeZone) -> Vec<Bucket> {
    hour_span(days, tz).map(|(first, last)| (first..=last).map(Bucket::Hour).collect()).unwrap_or_default()
}

/// A percentage of `part / whole`, rounded to `decimals`; `None` when `whole` is not positive.
pub fn percent(part: f64, whole: f64, decimals: i32) -> Option<f64> {
    (whole > 0.0).then(|| round_to(100.0 * part / whole, decimals))
}

/// Credits in credit units (stored in milli-credits), to 3 decimals.
pub fn credits(milli: i128) -> f64 {
    Amount { raw: milli, scale: MILLI }.units()
}

/// The cell of a gauge of the present, with no group.
pub fn present_cell(gauge: &GaugeDef) -> CellKey {
    CellKey::new(series_key(gauge.series, &[]), Bucket::Current)
}

/// The workspace's activity, all time (its `max.at` is the newest execution, session or request).
pub fn all_time_cell() -> CellKey {
    CellKey::new(activity::WORKSPACE, Bucket::Total)
}

/// A first-sighting count (distinct users of an hour, minutes with traffic).
fn distinct(cells: Option<&Cells>) -> i64 {
    count(cells.and_then(|cells| cells.get(sightings::COUNT)).copied().unwrap_or(0))
}

/// Distinct users of an active-users bucket (a day, an ISO week, a month).
pub fn active_users(cells: Option<&Cells>) -> i64 {
    count(cells.and_then(|cells| cells.get(active::field::USERS)).copied().unwrap_or(0))
}

/// What a workspace's activity days add up to over a range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Paid payments, in micros.
    pub revenue: i128,
    /// Agent executions' credits, in milli-credits.
    pub credits: i128,
    pub executions: i64,
    pub successful_executions: i64,
    /// Users who joined.
    pub joined: i64,
    pub requests: i64,
    pub server_errors: i64,
    /// Requests' latency, in milliseconds.
    pub latency_ms: i128,
}

impl Totals {
    /// The totals of the days of `days` from `from` to `to`, inclusive.
    pub fn over(days: &Days, from: Date, to: Date) -> Totals {
        let mut totals = Totals::default();
        for (_, cells) in days.0.iter().filter(|(day, _)| (from..=to).contains(day)) {
            let cells = Some(cells);
            let ran = Reading::of_series(&executions::WORKSPACE, cells);
            let called = Reading::of_series(&requests::WORKSPACE, cells);
            totals.revenue += GaugeReading::of(&payments::BY_DAY, cells).sum("paid", payments::AMOUNT).raw;
            totals.credits += ran.total(executions::CREDITS).raw;
            totals.executions += ran.count();
            totals.successful_executions += ran.count_of(executions::SUCCESS, "true");
            totals.joined += GaugeReading::of(&users::JOINED, cells).count("all");
            totals.requests += called.count();
            totals.server_errors += called.status_class(requests::STATUS, 5);
            totals.latency_ms += called.total(requests::LATENCY).raw;
        }
        totals
    }

    pub fn revenue(&self) -> f64 {
        money(Amount { raw: self.revenue, scale: MICRO })
    }
}

/// Users with a `user.upserted` who joined on or before `end`: every user now, less those who
/// joined after `end` (up to `today`).
pub fn users_as_of(users_now: Option<&Cells>, days: &Days, end: Date, today: Date) -> i64 {
    let joined_since = Totals::over(days, add_days(end, 1), today).joined;
    GaugeReading::of(&users::STATUS, users_now).total() - joined_since
}

/// The newest instant any of `cells` has seen.
pub fn newest<'a>(cells: impl IntoIterator<Item = Option<&'a Cells>>) -> Option<Timestamp> {
    cells.into_iter().filter_map(|cells| Reading::of(cells).latest()).max()
}

/// `GET /api/v1/dashboard/executive/summary`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExecutiveSummary {
    pub revenue_metrics: RevenueMetrics,
    pub user_metrics: UserMetrics,
    pub usage_metrics: UsageMetrics,
    pub performance_metrics: PerformanceMetrics,
    /// The range summed and the one it is compared with.
    pub period: SummaryPeriod,
}

/// Local dates of the workspace's zone, inclusive.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ExecutiveSummaryPeriod))]
pub struct SummaryPeriod {
    pub start: Date,
    pub end: Date,
    pub days: i64,
    /// The equal-length range just before: what `growth_rate` compares with.
    pub previous_start: Date,
    pub previous_end: Date,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ExecutiveRevenueMetrics))]
pub struct RevenueMetrics {
    /// Paid payments of the range, in currency units (to the cent).
    pub total_revenue: f64,
    /// Monthly recurring revenue as of the range's last day.
    pub mrr: f64,
    /// 12 × `mrr`.
    pub arr: f64,
    /// (total_revenue − previous_revenue) / previous_revenue × 100, 2 decimals; `null` when the
    /// previous range had no revenue.
    pub growth_rate: Option<f64>,
    /// Paid payments of the previous range.
    pub previous_revenue: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ExecutiveUserMetrics))]
pub struct UserMetrics {
    /// Users who joined on or before the range's last day.
    pub total_users: i64,
    /// Distinct users active in the calendar month of the range's last day (MAU).
    pub active_users: i64,
    /// Users who joined in the range.
    pub new_users: i64,
    /// Subscriptions cancelled in the range per 100 active at its start, 2 decimals; `null` when
    /// none was active.
    pub churn_rate: Option<f64>,
    /// The churn rate's numerator and denominator.
    pub subscriptions_cancelled: i64,
    pub subscriptions_active_at_start: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ExecutiveUsageMetrics))]
pub struct UsageMetrics {
    /// The workspace's `credits_total`; `null` when it never said.
    pub total_credits: Option<f64>,
    /// Credits of the range's agent executions.
    pub credits_consumed: f64,
    /// `credits_consumed` / `active_users`, 2 decimals; `null` without active users.
    pub avg_credits_per_user: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ExecutivePerformanceMetrics))]
pub struct PerformanceMetrics {
    /// The percentage of UTC minutes with API traffic in which no request failed with a 5xx, 4
    /// decimals; `null` without traffic.
    pub uptime: Option<f64>,
    /// Mean `latency_ms` of the range's API requests, 2 decimals; `null` without requests.
    pub avg_response_time: Option<f64>,
    /// Requests with a 5xx status per 100 requests, 4 decimals; `null` without requests.
    pub error_rate: Option<f64>,
    pub total_requests: i64,
    pub minutes_with_traffic: i64,
    pub minutes_with_server_errors: i64,
}

/// The statuses `subscriptions::lapsed` names, each with a `_month` and a `_year` state.
const LAPSED_STATUSES: [&str; 3] = ["cancelled", "past_due", "inactive"];

/// Subscriptions of a gauge cell counted under `{prefix}month` and `{prefix}year` states: how many,
/// and their monthly prices in twelfths of a micro (12 × a monthly price, a yearly one as it is),
/// which keeps the yearly ÷ 12 exact in integers.
fn priced(reading: GaugeReading<'_>, prefix: &str) -> (i64, i128) {
    let (month, year) = (format!("{prefix}month"), format!("{prefix}year"));
    let price = |state: &str| reading.sum(state, subscriptions::PRICE).raw;
    (reading.count(&month) + reading.count(&year), 12 * price(&month) + price(&year))
}

/// Subscriptions first seen on a day, less those whose latest record lapsed that day.
fn net_begun(day: &Cells) -> (i64, i128) {
    let (begun, begun_price) = priced(GaugeReading::of(&subscriptions::BEGUN, Some(day)), "");
    let lapsed = GaugeReading::of(&subscriptions::LAPSED, Some(day));
    LAPSED_STATUSES.iter().fold((begun, begun_price), |(n, price), status| {
        let (gone, gone_price) = priced(lapsed, &format!("{status}_"));
        (n - gone, price - gone_price)
    })
}

fn cancelled(day: &Cells) -> i64 {
    priced(GaugeReading::of(&subscriptions::LAPSED, Some(day)), "cancelled_").0
}

/// The executive summary of `requested` (default: the 30 local days ending today). Five reads,
/// issued at once: the workspace; its activity days from the previous range's start to today; the
/// subscriptions' and users' present gauges, the all-time activity and the active users of the
/// month(s) the range may end in; the minutes with traffic and with a 5xx of the range's days.
pub async fn summary(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Viewed<ExecutiveSummary>, ViewError> {
    let any = AnyZone::of(&requested, now, DEFAULT_DAYS)?;
    let span = any.days();
    let activity_days = DateRange { start: add_days(span.start, -day_count(span)), end: span.end.max(todays(now).end) };
    let (subscriptions_now, users_now, all_time) =
        (present_cell(&subscriptions::MRR), present_cell(&users::STATUS), all_time_cell());
    let mut keys = vec![subscriptions_now.clone(), users_now.clone(), all_time.clone()];
    keys.extend(any.end_months().into_iter().map(|month| CellKey::new(active::SERIES, month)));
    let workspace_key = [EntityKey::workspace()];
    let (entities, days, cells, with_traffic, failing) = tokio::try_join!(
        store.load_entities(ws, &workspace_key),
        read::written_days(store, ws, activity::WORKSPACE, activity_days),
        store.read_cells(ws, &keys),
        read::daily(store, ws, minutes::WITH_TRAFFIC.name, span),
        read::daily(store, ws, minutes::FAILING.name, span),
    )?;
    let workspace = entities.get(&EntityKey::workspace());
    let tz = workspace_time_zone(workspace);
    let range = requested.resolve(&tz, now, DEFAULT_DAYS)?.days;
    let today = local_today(now, &tz);
    let length = day_count(range);
    let previous = DateRange { start: add_days(range.start, -length), end: add_days(range.start, -1) };
    let days = Days(days);
    let (this, before) =
        (Totals::over(&days, range.start, range.end), Totals::over(&days, previous.start, previous.end));

    let (active_now, mrr_now) = priced(GaugeReading::of(&subscriptions::MRR, cells.get(&subscriptions_now)), "");
    let net_since = |from: Date| -> (i64, i128) {
        days.0
            .iter()
            .filter(|(day, _)| (from..=today).contains(day))
            .map(|(_, cells)| net_begun(cells))
            .fold((0, 0), |(n, price), (more, more_price)| (n + more, price + more_price))
    };
    let mrr_twelfths = mrr_now - net_since(add_days(range.end, 1)).1;
    let mrr = money(Amount { raw: mrr_twelfths, scale: 12 * MICRO });
    let active_at_start = active_now - net_since(range.start).0;
    let cancelled_in_range = days.sum(range.start, range.end, cancelled);

    let mau = active_users(cells.get(&CellKey::new(active::SERIES, Bucket::month_of(range.end))));
    let consumed = credits(this.credits);
    let total_credits = workspace.and_then(|ws| ws.number("credits_total")).map(|total| round_to(total, 3));
    let minutes_with_traffic = Days(with_traffic).sum(range.start, range.end, |day| distinct(Some(day)));
    let minutes_failing = Days(failing).sum(range.start, range.end, |day| distinct(Some(day)));
    let body = ExecutiveSummary {
        revenue_metrics: RevenueMetrics {
            total_revenue: this.revenue(),
            mrr,
            arr: money(Amount { raw: mrr_twelfths, scale: MICRO }),
            growth_rate: (before.revenue > 0)
                .then(|| round_to((this.revenue - before.revenue) as f64 / before.revenue as f64 * 100.0, 2)),
            previous_revenue: before.revenue(),
        },
        user_metrics: UserMetrics {
            total_users: users_as_of(cells.get(&users_now), &days, range.end, today),
            active_users: mau,
            new_users: this.joined,
            churn_rate: percent(cancelled_in_range as f64, active_at_start as f64, 2),
            subscriptions_cancelled: cancelled_in_range,
            subscriptions_active_at_start: active_at_start,
        },
        usage_metrics: UsageMetrics {
            total_credits,
            credits_consumed: consumed,
            avg_credits_per_user: (mau > 0).then(|| round_to(consumed / mau as f64, 2)),
        },
        performance_metrics: PerformanceMetrics {
            uptime: percent((minutes_with_traffic - minutes_failing) as f64, minutes_with_traffic as f64, 4),
            avg_response_time: (this.requests > 0).then(|| round_to(this.latency_ms as f64 / this.requests as f64, 2)),
            error_rate: percent(this.server_errors as f64, this.requests as f64, 4),
            total_requests: this.requests,
            minutes_with_traffic,
            minutes_with_server_errors: minutes_failing,
        },
        period: SummaryPeriod {
            start: range.start,
            end: range.end,
            days: length,
            previous_start: previous.start,
            previous_end: previous.end,
        },
    };
    let watermark = newest([cells.get(&all_time), cells.get(&subscriptions_now), cells.get(&users_now)]);
    Ok(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, watermark) })
}

/// How finely a trend is bucketed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ExecutiveGranularity))]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// UTC hours.
    Hourly,
    /// Local days.
    #[default]
    Daily,
    /// Local ISO weeks (Monday to Sunday).
    Weekly,
    /// Local calendar months.
    Monthly,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Hourly => "hourly",
            Granularity::Daily => "daily",
            Granularity::Weekly => "weekly",
            Granularity::Monthly => "monthly",
        }
    }

    /// The points of a series over the local days `days` in `tz`: hours overlapping them, each
    /// day, or every ISO week or month touching them (whole, so that a week's or a month's
    /// distinct users and its sums count the same days).
    pub fn points(self, days: DateRange, tz: &TimeZone) -> Vec<Bucket> {
        match self {
            Granularity::Hourly => hours_of(days, tz),
            Granularity::Daily => days.days().into_iter().map(Bucket::Day).collect(),
            Granularity::Weekly => {
                let (mut week, last) = (Bucket::week_of(days.start), Bucket::week_of(days.end));
                let mut weeks = Vec::new();
                while let Bucket::Week(monday) = week
                    && week <= last
                {
                    weeks.push(week);
                    week = Bucket::Week(add_days(monday, 7));
                }
                weeks
            }
            Granularity::Monthly => {
                let mut months = Vec::new();
                let mut day = days.start.first_of_month();
                while day <= days.end {
                    months.push(Bucket::month_of(day));
                    match day.last_of_month().tomorrow() {
                        Ok(next) => day = next,
                        Err(_) => break,
                    }
                }
                months
            }
        }
    }

    /// The point a stored bucket of the activity counts in: itself for hours and days, its ISO
    /// week or month for a day.
    fn point_of(self, bucket: Bucket) -> Bucket {
        match (self, bucket) {
            (Granularity::Weekly, Bucket::Day(day)) => Bucket::week_of(day),
            (Granularity::Monthly, Bucket::Day(day)) => Bucket::month_of(day),
            _ => bucket,
        }
    }

    /// The local days a series' points cover: whole weeks and months for those.
    fn covered(self, days: DateRange) -> DateRange {
        match self {
            Granularity::Hourly | Granularity::Daily => days,
            Granularity::Weekly => {
                let monday = |day: Date| add_days(day, -i64::from(day.weekday().to_monday_zero_offset()));
                DateRange { start: monday(days.start), end: add_days(monday(days.end), 6) }
            }
            Granularity::Monthly => DateRange { start: days.start.first_of_month(), end: days.end.last_of_month() },
        }
    }
}

/// A point's `date`: `2025-01-15T10:00:00Z` (an hour's start), `2025-01-15` (a day, or a week's
/// Monday), `2025-01` (a month).
pub fn point_label(bucket: Bucket) -> String {
    match bucket {
        Bucket::Hour(_) => {
            bucket.hour_start().map(|at| at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
        }
        Bucket::Day(day) | Bucket::Week(day) => day.to_string(),
        Bucket::Month { year, month } => format!("{year:04}-{month:02}"),
        Bucket::Total | Bucket::Current => bucket.key(),
    }
}

/// What a trend can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ExecutiveTrendMetric))]
#[serde(rename_all = "lowercase")]
pub enum TrendMetric {
    /// Paid payments' amounts, in currency units.
    Revenue,
    /// Distinct active users of the point (never a sum of smaller points).
    Users,
    /// API requests.
    Usage,
    /// Agent executions.
    Executions,
    /// Agent executions that failed (`success` false).
    Errors,
    /// Credits of agent executions.
    Credits,
}

impl TrendMetric {
    pub const ALL: [TrendMetric; 6] = [
        TrendMetric::Revenue,
        TrendMetric::Users,
        TrendMetric::Usage,
        TrendMetric::Executions,
        TrendMetric::Errors,
        TrendMetric::Credits,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TrendMetric::Revenue => "revenue",
            TrendMetric::Users => "users",
            TrendMetric::Usage => "usage",
            TrendMetric::Executions => "executions",
            TrendMetric::Errors => "errors",
            TrendMetric::Credits => "credits",
        }
    }

    pub fn parse(name: &str) -> Option<TrendMetric> {
        TrendMetric::ALL.into_iter().find(|metric| metric.as_str() == name)
    }

    /// The metric at one point, from the activity summed there and the point's distinct users.
    fn value(self, granularity: Granularity, activity: Option<&Cells>, users: Option<&Cells>) -> Value {
        let ran = Reading::of_series(&executions::WORKSPACE, activity);
        match self {
            TrendMetric::Revenue => {
                let paid = if granularity == Granularity::Hourly { &payments::BY_HOUR } else { &payments::BY_DAY };
                Value::from(money(GaugeReading::of(paid, activity).sum("paid", payments::AMOUNT)))
            }
            TrendMetric::Users if granularity == Granularity::Hourly => Value::from(distinct(users)),
            TrendMetric::Users => Value::from(active_users(users)),
            TrendMetric::Usage => Value::from(Reading::of_series(&requests::WORKSPACE, activity).count()),
            TrendMetric::Executions => Value::from(ran.count()),
            TrendMetric::Errors => Value::from(ran.count_of(executions::SUCCESS, "false")),
            TrendMetric::Credits => Value::from(credits(ran.total(executions::CREDITS).raw)),
        }
    }
}

/// `GET /api/v1/dashboard/executive/trends`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExecutiveTrends {
    /// One series per metric asked, in the order asked.
    pub trends: Vec<MetricTrend>,
    pub granularity: Granularity,
    /// The local days asked for, inclusive (weekly and monthly points cover whole weeks and
    /// months around them).
    pub start: Date,
    pub end: Date,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ExecutiveMetricTrend))]
pub struct MetricTrend {
    pub metric: TrendMetric,
    /// Every point of the range, oldest first; 0 where nothing happened.
    pub data: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ExecutiveTrendPoint))]
pub struct TrendPoint {
    /// `2025-01-15T10:00:00Z` (hourly: the UTC hour's start), `2025-01-15` (daily; weekly: the
    /// ISO week's Monday), `2025-01` (monthly).
    pub date: String,
    /// A count, or an amount (revenue to the cent, credits to 3 decimals).
    #[cfg_attr(feature = "openapi", schema(value_type = f64))]
    pub value: Value,
}

/// Why trends could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum TrendsError {
    #[error(transparent)]
    View(#[from] ViewError),
    /// A series would have more than [`MAX_POINTS`] points: at least `points`.
    #[error("at least {points} points per series, over the {MAX_POINTS} allowed (hourly: at most 41 days)")]
    TooManyPoints { points: i64 },
}

impl From<StoreError> for TrendsError {
    fn from(error: StoreError) -> Self {
        TrendsError::View(error.into())
    }
}

impl From<RangeError> for TrendsError {
    fn from(error: RangeError) -> Self {
        TrendsError::View(error.into())
    }
}

/// The range read of `series` from `from` to `to`, when `wanted`.
async fn read_if(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    wanted: bool,
    series: &str,
    (from, to): (Bucket, Bucket),
) -> Result<Vec<(Bucket, Cells)>, StoreError> {
    if wanted { store.read_range(ws, series, from, to).await } else { Ok(Vec::new()) }
}

/// The trends of `metrics` over `requested` (default: the 30 local days ending today). At most
/// four reads, issued at once: the workspace; the activity's hours or days (unless only users are
/// asked); the distinct users' hours, days, weeks or months (when asked); the all-time activity
/// (the watermark). Each is read over the range in any zone ([`AnyZone`]), then cut to the
/// workspace's.
pub async fn trends(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    metrics: &[TrendMetric],
    granularity: Granularity,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Viewed<ExecutiveTrends>, TrendsError> {
    let any = AnyZone::of(&requested, now, DEFAULT_DAYS)?;
    // Hourly, n local days have 24n − 1 to 24n + 2 points whatever the zone: refused before any
    // read when that many are already too many (the exact count is checked below).
    if granularity == Granularity::Hourly && 24 * any.fewest_days() - 1 > MAX_POINTS as i64 {
        return Err(TrendsError::TooManyPoints { points: 24 * any.fewest_days() - 1 });
    }
    let span = granularity.covered(any.days());
    let (activity_range, users_series, users_range) = match granularity {
        Granularity::Hourly => {
            let first = hour_span(span, &furthest_ahead()).map_or(0, |(first, _)| first);
            let last = hour_span(span, &furthest_behind()).map_or(first, |(_, last)| last);
            let hours = (Bucket::Hour(first), Bucket::Hour(last));
            (hours, sightings::users::HOURLY.name, hours)
        }
        Granularity::Daily => {
            let days = (Bucket::Day(span.start), Bucket::Day(span.end));
            (days, active::DAILY, days)
        }
        Granularity::Weekly => (
            (Bucket::Day(span.start), Bucket::Day(span.end)),
            active::SERIES,
            (Bucket::week_of(span.start), Bucket::week_of(span.end)),
        ),
        Granularity::Monthly => (
            (Bucket::Day(span.start), Bucket::Day(span.end)),
            active::SERIES,
            (Bucket::month_of(span.start), Bucket::month_of(span.end)),
        ),
    };
    let wants_users = metrics.contains(&TrendMetric::Users);
    let wants_activity = metrics.iter().any(|metric| *metric != TrendMetric::Users);
    let all_time = all_time_cell();
    let workspace_key = [EntityKey::workspace()];
    let (entities, activity_cells, user_cells, cells) = tokio::try_join!(
        store.load_entities(ws, &workspace_key),
        read_if(store, ws, wants_activity, activity::WORKSPACE, activity_range),
        read_if(store, ws, wants_users, users_series, users_range),
        store.read_cells(ws, std::slice::from_ref(&all_time)),
    )?;
    let tz = workspace_time_zone(entities.get(&EntityKey::workspace()));
    let range = requested.resolve(&tz, now, DEFAULT_DAYS)?.days;
    let points = granularity.points(range, &tz);
    if points.len() > MAX_POINTS {
        return Err(TrendsError::TooManyPoints { points: i64::try_from(points.len()).unwrap_or(i64::MAX) });
    }
    let mut activity: BTreeMap<Bucket, Cells> = BTreeMap::new();
    for (bucket, cells) in activity_cells {
        merge_cells(activity.entry(granularity.point_of(bucket)).or_default(), &cells);
    }
    let users: BTreeMap<Bucket, Cells> = user_cells.into_iter().collect();
    let trends = metrics
        .iter()
        .map(|metric| MetricTrend {
            metric: *metric,
            data: points
                .iter()
                .map(|point| TrendPoint {
                    date: point_label(*point),
                    value: metric.value(granularity, activity.get(point), users.get(point)),
                })
                .collect(),
        })
        .collect();
    let body = ExecutiveTrends { trends, granularity, start: range.start, end: range.end };
    Ok(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, newest([cells.get(&all_time)])) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    fn new_york() -> TimeZone {
        crate::time::time_zone("America/New_York").expect("zone")
    }

    fn one_day(day: Date) -> DateRange {
        DateRange { start: day, end: day }
    }

    #[test]
    fn a_dst_day_has_23_or_25_hourly_points_from_local_midnight_to_local_midnight() {
        let spring = Granularity::Hourly.points(one_day(date(2025, 3, 9)), &new_york());
        assert_eq!(spring.len(), 23);
        assert_eq!(point_label(spring[0]), "2025-03-09T05:00:00Z");
        assert_eq!(point_label(spring[22]), "2025-03-10T03:00:00Z");
        let autumn = Granularity::Hourly.points(one_day(date(2025, 11, 2)), &new_york());
        assert_eq!(autumn.len(), 25);
        assert_eq!(
            (point_label(autumn[0]), point_label(autumn[24])),
            ("2025-11-02T04:00:00Z".into(), "2025-11-03T04:00:00Z".into())
        );
        let kolkata = crate::time::time_zone("Asia/Kolkata").expect("zone");
        let straddling = Granularity::Hourly.points(one_day(date(2025, 1, 15)), &kolkata);
        assert_eq!(straddling.len(), 25, "18:30Z to 18:30Z: the first and last hours are half inside");
    }

    #[test]
    fn weekly_points_are_every_iso_week_touching_the_range_and_monthly_every_month() {
        let range = DateRange { start: date(2025, 10, 26), end: date(2025, 11, 4) };
        let weeks: Vec<String> =
            Granularity::Weekly.points(range, &TimeZone::UTC).into_iter().map(point_label).collect();
        assert_eq!(weeks, ["2025-10-20", "2025-10-27", "2025-11-03"]);
        assert_eq!(Granularity::Weekly.covered(range), DateRange { start: date(2025, 10, 20), end: date(2025, 11, 9) });
        let months: Vec<String> =
            Granularity::Monthly.points(range, &TimeZone::UTC).into_iter().map(point_label).collect();
        assert_eq!(months, ["2025-10", "2025-11"]);
        assert_eq!(Granularity::Weekly.point_of(Bucket::Day(date(2025, 11, 2))), Bucket::Week(date(2025, 10, 27)));
    }

    #[test]
    fn a_range_resolves_between_the_zones_furthest_behind_and_ahead_of_utc() {
        // 11:00Z on the 15th: still the 14th at UTC−12, already 01:00 on the 16th at UTC+14.
        let now = ts("2025-01-15T11:00:00Z");
        let default = AnyZone::of(&RequestedRange::Dates { start: None, end: None }, now, 30).expect("range");
        assert_eq!(default.days(), DateRange { start: date(2024, 12, 16), end: date(2025, 1, 16) });
        assert_eq!(default.fewest_days(), 30);
        assert_eq!(todays(now), DateRange { start: date(2025, 1, 14), end: date(2025, 1, 16) });
        // A start of tomorrow is valid only where tomorrow is today.
        let tomorrow = RequestedRange::Dates { start: Some(date(2025, 1, 16)), end: None };
        assert_eq!(AnyZone::of(&tomorrow, now, 30).map(|any| any.days()), Ok(one_day(date(2025, 1, 16))));
        let later = RequestedRange::Dates { start: Some(date(2025, 1, 17)), end: None };
        assert!(AnyZone::of(&later, now, 30).is_err(), "reversed in every zone");
        let open = AnyZone::of(&RequestedRange::Dates { start: Some(date(2025, 1, 1)), end: None }, now, 30);
        assert_eq!(open.map(|any| (any.fewest_days(), any.end_months().len())), Ok((14, 1)));
        // 399 days where today is the 14th, 401 (too long) where it is the 16th: valid where it is
        // the 15th, so the days up to the 16th are read.
        let long = RequestedRange::Dates { start: Some(add_days(date(2025, 1, 16), -400)), end: None };
        let long = AnyZone::of(&long, now, 30).expect("valid somewhere");
        assert_eq!((long.days().end, long.fewest_days()), (date(2025, 1, 16), 399));
    }

    #[test]
    fn yearly_prices_count_as_a_twelfth_exactly() {
        let mut day = Cells::new();
        day.insert("subscriptions_begun.year".into(), 1);
        day.insert("subscriptions_begun.year:plan_price".into(), 100_000_000);
        day.insert("subscriptions_lapsed.cancelled_month".into(), 1);
        day.insert("subscriptions_lapsed.cancelled_month:plan_price".into(), 5_000_000);
        let (n, twelfths) = net_begun(&day);
        assert_eq!((n, twelfths), (0, 100_000_000 - 12 * 5_000_000));
        assert_eq!(money(Amount { raw: twelfths, scale: 12 * MICRO }), 3.33, "100/12 − 5 = 3.333…");
        assert_eq!(cancelled(&day), 1);
    }
}
