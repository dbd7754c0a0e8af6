//! Seed 002, AI agents' analytics, each route answering `{"success": true, "data": {...}, "meta"}`
//! with the views of [`domain::views::workspace_analytics::agents`]:
//! - `GET /api/v1/dashboard/agents/performance` (admin, manager, viewer): every agent's (or the
//!   `agent_ids` asked for) executions, success and error rates, mean time, credits and
//!   satisfaction over `start`..`end`, with aggregates;
//! - `GET /api/v1/dashboard/agents/usage` (admin, manager, viewer): one agent's usage pattern by
//!   `granularity`, its peak hours and busiest weekdays (404 for an agent the workspace does not
//!   have).
//!
//! Both take `workspace_id` (the caller's own, else 403) and are cached 60 s per variant.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::response::Response;
use domain::ports::{Cache, Clock, RollupStore};
use domain::views::workspace_analytics::agents::{
    self, AgentUsage, AgentsPerformance, MAX_POINTS, Usage, UsageGranularity,
};
use jiff::SignedDuration;
use serde::Deserialize;
use web::extract::{AgentId, ApiQuery, DatesQuery, OwnWorkspace, WorkspaceQuery};
use web::{ApiError, Authenticator, CachedView, Envelope, ErrorCode, Ports, Role, Route};

/// `agents/performance`, cached 60 s per range and set of agents.
pub const PERFORMANCE: CachedView =
    CachedView::new("agents-performance", SignedDuration::from_secs(60), Envelope::Data);
/// `agents/usage`, cached 60 s per agent, granularity and range.
pub const USAGE: CachedView = CachedView::new("agents-usage", SignedDuration::from_secs(60), Envelope::Data);

const ROLES: &[Role] = &[Role::Admin, Role::Manager, Role::Viewer];
/// The most ids `agent_ids` may name.
pub const MAX_AGENT_IDS: usize = 100;

/// The ports this function uses.
#[derive(Clone, FromRef)]
pub struct AgentsState {
    pub auth: Arc<Authenticator>,
    pub store: Arc<dyn RollupStore>,
    pub cache: Arc<dyn Cache>,
    pub clock: Arc<dyn Clock>,
}

impl From<&Ports> for AgentsState {
    fn from(ports: &Ports) -> Self {
        AgentsState {
            auth: ports.auth.clone(),
            store: ports.store.clone(),
            cache: ports.cache.clone(),
            clock: ports.clock.clone(),
        }
    }
}

const PERFORMANCE_DOC: &str = "Each agent's `agent.execution` events over `start`..`end` (local dates of the workspace's zone, \
     inclusive, at most 400 days; default the 30 days ending today). `success_rate` and `error_rate`: successful \
     (failed) executions / the range's executions, in percent (2 decimals), `null` without executions; \
     `avg_execution_time`: the mean `duration_ms` in seconds; `credits_consumed`: the sum of `credits`, in credits; \
     `user_satisfaction`: the mean `satisfaction` (1-5) of the rated executions, `null` without ratings. The agents \
     are those with an `agent.upserted` (at most 1,000, by id), every one listed even without executions; executions \
     of an agent never upserted are not shown. `agent_ids` (a comma-separated list, at most 100) keeps those agents \
     only; ids the workspace has no agent of (another workspace's too) are left out and listed in \
     `unknown_agent_ids`. Order: most executions first, ties by agent id. `aggregates` are over the agents listed: \
     `total_agents` counts them, `avg_success_rate` is executions-weighted (Σ successful / Σ executions × 100, not a \
     mean of the agents' rates), `total_executions` sums them. `meta.watermark` is null (many agents). Cached 60 s \
     per range and set of agents.";
const USAGE_DOC: &str = "One agent's executions by `granularity`: `hourly` (default; UTC hours overlapping the range), \
     `daily` (local days), `weekly` (ISO weeks, Monday first) or `monthly` (calendar months) of the workspace's zone, \
     over `start`..`end` (local dates, inclusive, at most 400 days; default the 30 days ending today). More than \
     1,000 points is 400 naming `granularity`. Every bucket is listed (gap-filled with zeros): `timestamp` is its \
     start in RFC 3339, `Z` for a UTC hour, and for a local day, week or month the instant its first local day \
     starts with the zone's offset then (`2025-03-09T00:00:00-05:00`); weekly and monthly points are whole weeks and \
     months, the first and last possibly holding days outside the range. `executions`, `errors` (failed \
     executions), `credits` (in credits) and `unique_users` (exact distinct users who ran the agent in the \
     bucket, kept per hour, day, week and month, so a week is not the sum of its days). `peak_hours`: the (at most \
     three) local hours of day, 0-23, with the most executions over the range's hours (DST-correct: an hour counts \
     at its local hour then), ties to the earlier hour; `busiest_days`: the (at most three) weekday names with the \
     most executions over the range's local days, ties in weekday order from Monday; both empty without \
     executions. An agent without an `agent.upserted` in the workspace (another workspace's too) is 404. \
     `meta.watermark` is the agent's newest execution. Cached 60 s per agent, granularity and range.";

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route<AgentsState>> {
    vec![
        Route::get("/api/v1/dashboard/agents/performance", get_performance)
            .roles(ROLES)
            .doc("Agents' performance over a range", PERFORMANCE_DOC)
            .query::<WorkspaceQuery>()
            .query::<PerformanceQuery>()
            .query::<DatesQuery>()
            .returns_view::<AgentsPerformance>(&PERFORMANCE, "Each agent's performance and the aggregates."),
        Route::get("/api/v1/dashboard/agents/usage", get_usage)
            .roles(ROLES)
            .doc("An agent's usage pattern", USAGE_DOC)
            .query::<WorkspaceQuery>()
            .query::<UsageQuery>()
            .query::<DatesQuery>()
            .errors(&[ErrorCode::NotFound])
            .returns_view::<AgentUsage>(&USAGE, "The agent's usage pattern, peak hours and busiest days."),
    ]
}

pub fn router(state: AgentsState) -> Router {
    web::router(route_table(), state)
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PerformanceQuery {
    /// Agents to show, comma-separated (at most 100); every agent by default.
    #[cfg_attr(feature = "openapi", param(example = "agent_support,agent_sales"))]
    pub agent_ids: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct UsageQuery {
    /// An agent of the caller's workspace.
    #[cfg_attr(feature = "openapi", param(inline, example = "agent_support"))]
    pub agent_id: AgentId,
    /// `hourly` (default), `daily`, `weekly` or `monthly`.
    #[cfg_attr(feature = "openapi", param(inline))]
    pub granularity: Option<UsageGranularity>,
}

/// `agent_ids` as ids, in the order given, each once; 400 naming `agent_ids` if one is not an id.
fn agent_ids(list: &str) -> Result<Vec<String>, ApiError> {
    let mut ids: Vec<String> = Vec::new();
    for id in list.split(',').map(str::trim) {
        let id = AgentId::parse("agent_ids", id)?;
        if !ids.iter().any(|known| known == id.as_str()) {
            ids.push(id.to_string());
        }
    }
    if ids.len() > MAX_AGENT_IDS {
        return Err(ApiError::validation("agent_ids", format!("at most {MAX_AGENT_IDS} agents")));
    }
    Ok(ids)
}

/// A range as a cache variant.
fn dates_variant(dates: &DatesQuery) -> String {
    let bound = |date: Option<jiff::civil::Date>| date.map_or_else(|| "-".to_owned(), |date| date.to_string());
    format!("{}..{}", bound(dates.start), bound(dates.end))
}

async fn get_performance(
    State(state): State<AgentsState>,
    OwnWorkspace(ws): OwnWorkspace,
    ApiQuery(query): ApiQuery<PerformanceQuery>,
    dates: DatesQuery,
) -> Result<Response, ApiError> {
    let wanted = query.agent_ids.as_deref().map(agent_ids).transpose()?;
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let mut sorted = wanted.clone().unwrap_or_default();
    sorted.sort_unstable();
    let variant = format!("{}|{}", dates_variant(&dates), if wanted.is_some() { sorted.join(",") } else { "*".into() });
    let view = async { Ok(agents::performance(store, &ws, wanted.as_deref(), dates.requested(), now).await?) };
    PERFORMANCE.respond(state.cache.as_ref(), now, &ws, "agents", Some(variant), view).await
}

async fn get_usage(
    State(state): State<AgentsState>,
    OwnWorkspace(ws): OwnWorkspace,
    ApiQuery(query): ApiQuery<UsageQuery>,
    dates: DatesQuery,
) -> Result<Response, ApiError> {
    let granularity = query.granularity.unwrap_or_default();
    let (store, now, agent) = (state.store.as_ref(), state.clock.now(), &query.agent_id);
    let view = async {
        match agents::usage(store, &ws, agent, granularity, dates.requested(), now).await? {
            Usage::Found(viewed) => Ok(*viewed),
            Usage::UnknownAgent => Err(ApiError::not_found(format!("agent {agent} not found"))),
            Usage::TooManyPoints { points } => Err(ApiError::validation(
                "granularity",
                format!("{} over this range is {points} points; at most {MAX_POINTS}", granularity.as_str()),
            )),
        }
    };
    let variant = format!("{}|{}", granularity.as_str(), dates_variant(&dates));
    USAGE.respond(state.cache.as_ref(), now, &ws, agent, Some(variant), view).await
}
