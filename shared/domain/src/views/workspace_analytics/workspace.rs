//! Seed 002's workspace views: the overview of the caller's workspace today ([`overview`]) and a
//! comparison of several workspaces over a range ([`comparison`]), each in its own zone.
//!
//! Definitions (the routes' OpenAPI descriptions state them too):
//! - **Overview**: `created_at` is when the workspace's first event was seen; `plan` and `seats`
//!   come from its latest `workspace.upserted`; `seats_used` counts users whose latest
//!   `user.upserted` status is `active` (users with an active seat). `reset_date` is the
//!   workspace's `credits_reset_date` when that is after today, else the first day of next local
//!   month; the credit period runs from one month before it to today, and `credits_consumed` is
//!   the credits of its agent executions; `credits_remaining` = max(0, total − consumed), `null`
//!   without a total. Today is the workspace's local day: `active_users_today` are its distinct
//!   active users, `top_agents` the (at most 5) listed agents with the most executions today,
//!   ties by id, agents without any left out.
//! - **Comparison**: each workspace over the same local dates in its own zone (the default range
//!   ends on each one's today). `total_users`, `active_users`, `new_users`, `credits_consumed`
//!   and `total_revenue` as in the executive summary ([`super::executive`]); `total_executions`
//!   the agent executions of the range; `avg_success_rate` the successful ones per 100 of them
//!   (pooled over the range's executions). Rankings order workspace ids by a metric, highest
//!   first, `null` last, ties by id.

use std::collections::BTreeMap;

use futures_util::future::try_join_all;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;
use serde_json::Value;

use super::executive::{
    AnyZone, DEFAULT_DAYS, Totals, active_users, all_time_cell, credits, newest, percent, present_cell, todays,
    users_as_of,
};
use crate::WorkspaceId;
use crate::ports::RollupStore;
use crate::rollup::activity as active;
use crate::rollup::entities::workspace_time_zone;
use crate::rollup::gauges::users;
use crate::rollup::indexes::workspace_analytics::AGENTS;
use crate::rollup::series::{activity, executions, series_key};
use crate::rollup::{CellKey, Direction, EntityKey, SortRange};
use crate::time::{Bucket, DateRange, RequestedRange, add_days, local_today};
use crate::views::call_centre::Days;
use crate::views::read::{self, GaugeReading, Reading};
use crate::views::{ViewError, ViewMeta, Viewed, round_to};

/// The most agents the overview weighs for `top_agents` (the first, by id).
pub const MAX_AGENTS: usize = 1_000;
/// How many agents `top_agents` names.
pub const TOP_AGENTS: usize = 5;
/// The most workspaces one comparison reads.
pub const MAX_COMPARED: usize = 10;

/// `GET /api/v1/dashboard/workspace/overview`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkspaceOverview {
    pub workspace: WorkspaceDetails,
    pub usage: CreditUsage,
    pub activity: TodaysActivity,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkspaceDetails {
    pub id: String,
    /// From the latest `workspace.upserted`; `null` without one (so for the three below).
    pub name: Option<String>,
    /// When the workspace's first `workspace.upserted` happened.
    pub created_at: Option<Timestamp>,
    pub plan: Option<String>,
    pub seats: Option<i64>,
    /// Users whose latest status is `active`: users with an active seat.
    pub seats_used: i64,
    /// The IANA zone its days are counted in.
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = WorkspaceCreditUsage))]
pub struct CreditUsage {
    /// The workspace's `credits_total`; `null` when it never said.
    pub total_credits: Option<f64>,
    /// Credits of agent executions from `period_start` to today.
    pub credits_consumed: f64,
    /// max(0, total − consumed); `null` without a total.
    pub credits_remaining: Option<f64>,
    /// The next reset: `credits_reset_date` if after today, else the first of next month.
    pub reset_date: Date,
    /// One month before `reset_date`: the current credit period's first day.
    pub period_start: Date,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = WorkspaceTodaysActivity))]
pub struct TodaysActivity {
    /// Today, in the workspace's zone.
    pub date: Date,
    /// Distinct users active today (a session, an execution or a request).
    pub active_users_today: i64,
    pub total_executions_today: i64,
    /// Up to 5 agent ids, most executions today first, ties by id.
    pub top_agents: Vec<String>,
    /// The same agents with their numbers.
    pub top_agent_executions: Vec<AgentExecutions>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = WorkspaceTopAgent))]
pub struct AgentExecutions {
    pub agent_id: String,
    pub name: Option<String>,
    pub executions: i64,
}

/// The credit period's first day lies at most a month (31 days) before today, so the overview
/// reads the activity's days from this many days before today in any zone.
const CREDIT_PERIOD_DAYS: i64 = 31;

/// The overview of `ws` today. Four reads: the workspace, the agents' list and the activity's
/// days of the credit period at once; then, in the workspace's today, one batch of the users'
/// gauge, the day's active users, the all-time activity and every listed agent's day.
pub async fn overview(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    now: Timestamp,
) -> Result<Viewed<WorkspaceOverview>, ViewError> {
    let todays = todays(now);
    let period_days = DateRange { start: add_days(todays.start, -CREDIT_PERIOD_DAYS), end: todays.end };
    let (workspace_key, agents_list, every_agent) = ([EntityKey::workspace()], AGENTS.key(&[]), SortRange::all());
    let (entities, agents, days) = tokio::try_join!(
        store.load_entities(ws, &workspace_key),
        store.read_index(ws, &agents_list, &every_agent, Direction::Ascending, MAX_AGENTS),
        read::daily(store, ws, activity::WORKSPACE, period_days),
    )?;
    let workspace = entities.get(&EntityKey::workspace());
    let tz = workspace_time_zone(workspace);
    let today = local_today(now, &tz);
    let agents: Vec<(String, Option<String>)> = agents
        .iter()
        .map(|entry| {
            let text = |name: &str| entry.data.get(name).and_then(Value::as_str).map(str::to_owned);
            (text("agent_id").unwrap_or_else(|| entry.id.clone()), text("name"))
        })
        .collect();
    let agent_day = |id: &str| CellKey::new(series_key(executions::BY_AGENT.name, &[id]), Bucket::Day(today));
    let (users_now, dau, all_time) =
        (present_cell(&users::STATUS), CellKey::new(active::DAILY, Bucket::Day(today)), all_time_cell());
    let mut keys = vec![users_now.clone(), dau.clone(), all_time.clone()];
    keys.extend(agents.iter().map(|(id, _)| agent_day(id)));
    let cells = store.read_cells(ws, &keys).await?;

    let days = Days(days);
    let first_of_next_month = today.last_of_month().tomorrow().unwrap_or(today);
    let reset_date = workspace
        .and_then(|ws| ws.str("credits_reset_date"))
        .and_then(|text| text.parse::<Date>().ok())
        .filter(|reset| *reset > today)
        .unwrap_or(first_of_next_month);
    let period_start = reset_date.checked_sub(1.month()).unwrap_or(reset_date);
    let consumed = credits(Totals::over(&days, period_start, today).credits);
    let total_credits = workspace.and_then(|ws| ws.number("credits_total")).map(|total| round_to(total, 3));

    let mut ranked: Vec<AgentExecutions> = agents
        .into_iter()
        .map(|(agent_id, name)| {
            let executions = Reading::of(cells.get(&agent_day(&agent_id))).count();
            AgentExecutions { agent_id, name, executions }
        })
        .filter(|agent| agent.executions > 0)
        .collect();
    ranked.sort_by(|a, b| b.executions.cmp(&a.executions).then_with(|| a.agent_id.cmp(&b.agent_id)));
    ranked.truncate(TOP_AGENTS);

    let text = |name: &str| workspace.and_then(|ws| ws.str(name)).map(str::to_owned);
    let body = WorkspaceOverview {
        workspace: WorkspaceDetails {
            id: ws.to_string(),
            name: text("name"),
            created_at: workspace.map(|ws| ws.first_seen),
            plan: text("plan"),
            seats: workspace.and_then(|ws| ws.data.get("seats")).and_then(Value::as_i64),
            seats_used: GaugeReading::of(&users::STATUS, cells.get(&users_now)).count("active"),
            timezone: tz.iana_name().unwrap_or("UTC").to_owned(),
        },
        usage: CreditUsage {
            total_credits,
            credits_consumed: consumed,
            credits_remaining: total_credits.map(|total| round_to((total - consumed).max(0.0), 3)),
            reset_date,
            period_start,
        },
        activity: TodaysActivity {
            date: today,
            active_users_today: active_users(cells.get(&dau)),
            total_executions_today: Totals::over(&days, today, today).executions,
            top_agents: ranked.iter().map(|agent| agent.agent_id.clone()).collect(),
            top_agent_executions: ranked,
        },
    };
    let watermark = newest([cells.get(&all_time), cells.get(&users_now)]);
    Ok(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, watermark) })
}

/// What a comparison can compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ComparisonMetric {
    TotalUsers,
    ActiveUsers,
    NewUsers,
    CreditsConsumed,
    TotalExecutions,
    AvgSuccessRate,
    TotalRevenue,
}

impl ComparisonMetric {
    pub const ALL: [ComparisonMetric; 7] = [
        ComparisonMetric::TotalUsers,
        ComparisonMetric::ActiveUsers,
        ComparisonMetric::NewUsers,
        ComparisonMetric::CreditsConsumed,
        ComparisonMetric::TotalExecutions,
        ComparisonMetric::AvgSuccessRate,
        ComparisonMetric::TotalRevenue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ComparisonMetric::TotalUsers => "total_users",
            ComparisonMetric::ActiveUsers => "active_users",
            ComparisonMetric::NewUsers => "new_users",
            ComparisonMetric::CreditsConsumed => "credits_consumed",
            ComparisonMetric::TotalExecutions => "total_executions",
            ComparisonMetric::AvgSuccessRate => "avg_success_rate",
            ComparisonMetric::TotalRevenue => "total_revenue",
        }
    }

    pub fn parse(name: &str) -> Option<ComparisonMetric> {
        ComparisonMetric::ALL.into_iter().find(|metric| metric.as_str() == name)
    }

    fn of(self, measured: &Measured) -> Value {
        let totals = &measured.totals;
        match self {
            ComparisonMetric::TotalUsers => Value::from(measured.total_users),
            ComparisonMetric::ActiveUsers => Value::from(measured.active_users),
            ComparisonMetric::NewUsers => Value::from(totals.joined),
            ComparisonMetric::CreditsConsumed => Value::from(credits(totals.credits)),
            ComparisonMetric::TotalExecutions => Value::from(totals.executions),
            ComparisonMetric::AvgSuccessRate => {
                Value::from(percent(totals.successful_executions as f64, totals.executions as f64, 2))
            }
            ComparisonMetric::TotalRevenue => Value::from(totals.revenue()),
        }
    }
}

/// The rankings every comparison has, under the seed's names, whatever metrics it shows.
const NAMED_RANKINGS: [(&str, ComparisonMetric); 2] =
    [("by_users", ComparisonMetric::TotalUsers), ("by_usage", ComparisonMetric::CreditsConsumed)];

/// `GET /api/v1/dashboard/workspace/comparison`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkspaceComparison {
    /// In the order asked.
    pub comparisons: Vec<ComparedWorkspace>,
    /// Workspace ids by a metric, highest first (`null` last, ties by id): `by_users`
    /// (total_users) and `by_usage` (credits_consumed) always, and `by_<metric>` for each metric
    /// asked.
    pub rankings: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComparedWorkspace {
    pub workspace_id: String,
    /// From its latest `workspace.upserted`; `null` without one.
    pub workspace_name: Option<String>,
    /// Its zone, and the local days of it that were summed.
    pub timezone: String,
    pub start: Date,
    pub end: Date,
    /// The metrics asked, by name: counts, amounts (credits, revenue) and a percentage (`null`
    /// without executions).
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Option<f64>>))]
    pub metrics: BTreeMap<String, Value>,
}

/// One workspace's numbers over the range.
struct Measured {
    id: WorkspaceId,
    name: Option<String>,
    tz: jiff::tz::TimeZone,
    range: DateRange,
    totals: Totals,
    total_users: i64,
    active_users: i64,
    watermark: Option<Timestamp>,
}

/// `ws` over `requested` in its own zone. Three reads, at once: the workspace; its activity days
/// from the range's earliest start in any zone to today; the users' gauge, the all-time activity
/// and the active users of the month(s) the range may end in.
async fn measure(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    requested: &RequestedRange,
    any: &AnyZone,
    now: Timestamp,
) -> Result<Measured, ViewError> {
    let span = any.days();
    let activity_days = DateRange { start: span.start, end: span.end.max(todays(now).end) };
    let (users_now, all_time) = (present_cell(&users::STATUS), all_time_cell());
    let mut keys = vec![users_now.clone(), all_time.clone()];
    keys.extend(any.end_months().into_iter().map(|month| CellKey::new(active::SERIES, month)));
    let workspace_key = [EntityKey::workspace()];
    let (entities, days, cells) = tokio::try_join!(
        store.load_entities(ws, &workspace_key),
        read::written_days(store, ws, activity::WORKSPACE, activity_days),
        store.read_cells(ws, &keys),
    )?;
    let workspace = entities.get(&EntityKey::workspace());
    let tz = workspace_time_zone(workspace);
    let range = requested.resolve(&tz, now, DEFAULT_DAYS)?.days;
    let days = Days(days);
    Ok(Measured {
        id: ws.clone(),
        name: workspace.and_then(|ws| ws.str("name")).map(str::to_owned),
        totals: Totals::over(&days, range.start, range.end),
        total_users: users_as_of(cells.get(&users_now), &days, range.end, local_today(now, &tz)),
        active_users: active_users(cells.get(&CellKey::new(active::SERIES, Bucket::month_of(range.end)))),
        watermark: newest([cells.get(&all_time), cells.get(&users_now)]),
        tz,
        range,
    })
}

/// `workspaces` by `metric`: highest first, `null` last, ties by id.
fn ranking(measured: &[Measured], metric: ComparisonMetric) -> Vec<String> {
    let mut ranked: Vec<(Option<f64>, &str)> =
        measured.iter().map(|each| (metric.of(each).as_f64(), each.id.as_str())).collect();
    ranked.sort_by(|(a, a_id), (b, b_id)| {
        let by_value = match (a, b) {
            (Some(a), Some(b)) => b.total_cmp(a),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_value.then_with(|| a_id.cmp(b_id))
    });
    ranked.into_iter().map(|(_, id)| id.to_owned()).collect()
}

/// `metrics` of each of `workspaces` (whom the caller may compare is the caller's question) over
/// `requested` (default: the 30 local days ending on each one's today), and the rankings. Three
/// reads per workspace ([`measure`]), every workspace's issued at once. `meta.timezone` is the
/// first workspace's; each comparison names its own.
pub async fn comparison(
    store: &dyn RollupStore,
    workspaces: &[WorkspaceId],
    metrics: &[ComparisonMetric],
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Viewed<WorkspaceComparison>, ViewError> {
    let any = AnyZone::of(&requested, now, DEFAULT_DAYS)?;
    let measured = try_join_all(workspaces.iter().map(|ws| measure(store, ws, &requested, &any, now))).await?;
    let comparisons = measured
        .iter()
        .map(|each| ComparedWorkspace {
            workspace_id: each.id.to_string(),
            workspace_name: each.name.clone(),
            timezone: each.tz.iana_name().unwrap_or("UTC").to_owned(),
            start: each.range.start,
            end: each.range.end,
            metrics: metrics.iter().map(|metric| (metric.as_str().to_owned(), metric.of(each))).collect(),
        })
        .collect();
    let mut rankings: BTreeMap<String, Vec<String>> =
        NAMED_RANKINGS.iter().map(|(name, metric)| ((*name).to_owned(), ranking(&measured, *metric))).collect();
    for metric in metrics {
        rankings.insert(format!("by_{}", metric.as_str()), ranking(&measured, *metric));
    }
    let tz = measured.first().map_or(jiff::tz::TimeZone::UTC, |first| first.tz.clone());
    let watermark = measured.iter().filter_map(|each| each.watermark).max();
    Ok(Viewed {
        body: WorkspaceComparison { comparisons, rankings },
        meta: ViewMeta::from_rollups(now, &tz, watermark),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(id: &str, executions: i64, successes: i64) -> Measured {
        Measured {
            id: WorkspaceId::parse(id).expect("id"),
            name: None,
            tz: jiff::tz::TimeZone::UTC,
            range: DateRange { start: jiff::civil::date(2025, 1, 1), end: jiff::civil::date(2025, 1, 1) },
            totals: Totals { executions, successful_executions: successes, ..Totals::default() },
            total_users: 0,
            active_users: 0,
            watermark: None,
        }
    }

    #[test]
    fn rankings_put_the_highest_first_ties_by_id_and_nulls_last() {
        let all = [measured("ws-c", 4, 2), measured("ws-a", 0, 0), measured("ws-b", 2, 1), measured("ws-d", 1, 1)];
        assert_eq!(ranking(&all, ComparisonMetric::TotalExecutions), ["ws-c", "ws-b", "ws-d", "ws-a"]);
        // 50 %, null (no executions), 50 %, 100 %.
        assert_eq!(ranking(&all, ComparisonMetric::AvgSuccessRate), ["ws-d", "ws-b", "ws-c", "ws-a"]);
    }
}
