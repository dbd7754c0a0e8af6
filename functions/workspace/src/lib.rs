//! Seed 002, an AI-agent workspace platform's workspace dashboard, each route answering
//! `{"success": true, "data": {...}, "meta"}` with the views of
//! [`domain::views::workspace_analytics::workspace`]:
//! - `GET /api/v1/dashboard/workspace/overview` (admin, manager, viewer): the caller's
//!   workspace (`workspace_id`, else 403) today: plan, seats, credits, activity, top agents;
//! - `GET /api/v1/dashboard/workspace/comparison` (admin): metrics of several workspaces over a
//!   range, each in its own zone, with rankings. Every workspace compared must be the caller's own
//!   or in the token's `workspaces` claim (403 naming the first that is not, before anything is
//!   read, so the answer says nothing of whether it exists); the token's role is taken to hold in
//!   each of them, as the issuer lists there the workspaces the caller administers.
//!
//! Both are cached 60 s per workspace and variant.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::response::Response;
use domain::WorkspaceId;
use domain::ports::{Cache, Clock, RollupStore};
use domain::views::workspace_analytics::workspace::{
    self, ComparisonMetric, MAX_COMPARED, WorkspaceComparison, WorkspaceOverview,
};
use jiff::SignedDuration;
use serde::Deserialize;
use serde_json::json;
use web::extract::{ApiQuery, DatesQuery, OwnWorkspace, WorkspaceQuery};
use web::{ApiError, Authenticator, CachedView, Caller, Envelope, Ports, Role, Route};

/// The overview, cached 60 s per workspace.
pub const OVERVIEW: CachedView = CachedView::new("workspace-overview", SignedDuration::from_secs(60), Envelope::Data);
/// The comparison, cached 60 s per caller's workspace and variant (workspaces, metrics, range).
pub const COMPARISON: CachedView =
    CachedView::new("workspace-comparison", SignedDuration::from_secs(60), Envelope::Data);

/// The ports this function uses.
#[derive(Clone, FromRef)]
pub struct WorkspaceState {
    pub auth: Arc<Authenticator>,
    pub store: Arc<dyn RollupStore>,
    pub cache: Arc<dyn Cache>,
    pub clock: Arc<dyn Clock>,
}

impl From<&Ports> for WorkspaceState {
    fn from(ports: &Ports) -> Self {
        WorkspaceState {
            auth: ports.auth.clone(),
            store: ports.store.clone(),
            cache: ports.cache.clone(),
            clock: ports.clock.clone(),
        }
    }
}

const OVERVIEW_DOC: &str = "The caller's workspace today (its local day). `workspace`: `name`, `plan` and `seats` from \
     its latest `workspace.upserted`; `created_at` = when its first event happened; `seats_used` = users whose latest \
     status is active (users with an active seat). `usage`: `reset_date` = the workspace's credits_reset_date if it is \
     after today, else the first day of next local month; the credit period runs from one month before reset_date \
     (`period_start`) to today; `credits_consumed` = credits of the period's agent executions; `total_credits` = \
     credits_total (`null` if unset); `credits_remaining` = max(0, total − consumed), `null` without a total. \
     `activity`: `active_users_today` = distinct users active today (a session, an agent execution or an API request \
     with their user_id); `total_executions_today` = agent executions today; `top_agents` = up to 5 agents of the \
     agents list (agent.upserted; the first 1,000 by id are weighed) with the most executions today, ties by id, \
     agents without one today left out (`top_agent_executions` gives their numbers). Cached 60 s.";

const COMPARISON_DOC: &str = "Metrics of each of `workspace_ids` (1 to 10, comma-separated; default the caller's \
     workspace and those of the token's `workspaces` claim, at most 10) over `start`..`end`: the same local dates in \
     each workspace's own zone, inclusive, at most 400 days (default the 30 days ending on each one's today). Each \
     workspace must be the caller's own or in the token's `workspaces` claim, else 403 naming the first that is not \
     (nothing is read for it, so the answer says nothing of whether it exists); the caller's role (admin) is taken to \
     hold in each. `metrics` (default all): `total_users` = users who joined (signed_up_at, else their first event) on \
     or before `end`; `active_users` = distinct users active in the calendar month of `end` (MAU); `new_users` = \
     joined in the range; `credits_consumed` = credits of the range's agent executions; `total_executions` = agent \
     executions of the range; `avg_success_rate` = successful executions per 100 executions of the range (pooled, 2 \
     decimals; `null` without executions); `total_revenue` = amounts of payments whose latest record is paid, on the \
     local day of that record. `rankings`: workspace ids ordered by a metric, highest first (`null` last, ties by id): \
     `by_users` (total_users) and `by_usage` (credits_consumed) always, and `by_<metric>` for each metric asked. \
     Cached 60 s per variant.";

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route<WorkspaceState>> {
    vec![
        Route::get("/api/v1/dashboard/workspace/overview", get_overview)
            .roles(&[Role::Admin, Role::Manager, Role::Viewer])
            .doc("The workspace today", OVERVIEW_DOC)
            .query::<WorkspaceQuery>()
            .returns_view::<WorkspaceOverview>(&OVERVIEW, "Plan, seats, credits and today's activity."),
        Route::get("/api/v1/dashboard/workspace/comparison", get_comparison)
            .roles(&[Role::Admin])
            .doc("Workspaces compared", COMPARISON_DOC)
            .query::<ComparisonQuery>()
            .query::<DatesQuery>()
            .returns_view::<WorkspaceComparison>(&COMPARISON, "Each workspace's metrics, and rankings."),
    ]
}

pub fn router(state: WorkspaceState) -> Router {
    web::router(route_table(), state)
}

/// `workspace_ids`: 1 to 10 workspace ids, comma-separated; repeats count once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct WorkspaceList(pub Vec<WorkspaceId>);

impl TryFrom<String> for WorkspaceList {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let mut workspaces: Vec<WorkspaceId> = Vec::new();
        for id in text.split(',') {
            let ws = WorkspaceId::parse(id).ok_or_else(|| format!("{id:?} is not a workspace id"))?;
            if !workspaces.contains(&ws) {
                workspaces.push(ws);
            }
        }
        if workspaces.len() > MAX_COMPARED {
            return Err(format!("{} workspaces; at most {MAX_COMPARED} may be compared", workspaces.len()));
        }
        Ok(WorkspaceList(workspaces))
    }
}

/// The comparison's `metrics`: names from [`ComparisonMetric`], comma-separated; repeats count
/// once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct MetricList(pub Vec<ComparisonMetric>);

impl TryFrom<String> for MetricList {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let known = || ComparisonMetric::ALL.map(ComparisonMetric::as_str).join(", ");
        if text.is_empty() {
            return Err(format!("name at least one metric of: {}", known()));
        }
        let mut metrics = Vec::new();
        for name in text.split(',') {
            let metric =
                ComparisonMetric::parse(name).ok_or_else(|| format!("unknown metric {name:?}; known: {}", known()))?;
            if !metrics.contains(&metric) {
                metrics.push(metric);
            }
        }
        Ok(MetricList(metrics))
    }
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ComparisonQuery {
    /// 1 to 10 workspace ids, comma-separated: the caller's own or in its token's `workspaces`
    /// claim (403 otherwise). Default: the caller's and the claim's, at most 10.
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = "^[A-Za-z0-9._:@-]{1,128}(,[A-Za-z0-9._:@-]{1,128}){0,9}$", example = "ws_agents"))]
    pub workspace_ids: Option<WorkspaceList>,
    /// Comma-separated, no spaces: total_users, active_users, new_users, credits_consumed,
    /// total_executions, avg_success_rate, total_revenue (default all).
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = "^(total_users|active_users|new_users|credits_consumed|total_executions|avg_success_rate|total_revenue)(,(total_users|active_users|new_users|credits_consumed|total_executions|avg_success_rate|total_revenue))*$", example = "total_users,credits_consumed,avg_success_rate"))]
    pub metrics: Option<MetricList>,
}

async fn get_overview(
    State(state): State<WorkspaceState>,
    OwnWorkspace(ws): OwnWorkspace,
) -> Result<Response, ApiError> {
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let view = async { Ok(workspace::overview(store, &ws, now).await?) };
    OVERVIEW.respond(state.cache.as_ref(), now, &ws, "overview", Some("today".to_owned()), view).await
}

/// The workspaces a caller may compare: its own and its claim's.
fn may_compare(caller: &Caller, ws: &WorkspaceId) -> bool {
    *ws == caller.workspace || caller.workspaces.contains(ws)
}

async fn get_comparison(
    State(state): State<WorkspaceState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ComparisonQuery>,
    dates: DatesQuery,
) -> Result<Response, ApiError> {
    let workspaces = match query.workspace_ids {
        Some(WorkspaceList(workspaces)) => workspaces,
        None => {
            let mut workspaces = vec![caller.workspace.clone()];
            for ws in &caller.workspaces {
                if !workspaces.contains(ws) {
                    workspaces.push(ws.clone());
                }
            }
            workspaces.truncate(MAX_COMPARED);
            workspaces
        }
    };
    if let Some(denied) = workspaces.iter().find(|ws| !may_compare(&caller, ws)) {
        return Err(ApiError::forbidden(format!("workspace_ids: {denied} is not a workspace the caller may compare"))
            .with_details(json!({"field": "workspace_ids", "workspace_id": denied.as_str()})));
    }
    let metrics = query.metrics.map_or_else(|| ComparisonMetric::ALL.to_vec(), |MetricList(metrics)| metrics);
    let ids: Vec<&str> = workspaces.iter().map(WorkspaceId::as_str).collect();
    let names: Vec<&str> = metrics.iter().map(|metric| metric.as_str()).collect();
    let dates_variant = format!(
        "{}..{}",
        dates.start.map(|date| date.to_string()).unwrap_or_default(),
        dates.end.map(|date| date.to_string()).unwrap_or_default()
    );
    let variant = format!("{}|{}|{dates_variant}", ids.join(","), names.join(","));
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let view = async { Ok(workspace::comparison(store, &workspaces, &metrics, dates.requested(), now).await?) };
    COMPARISON.respond(state.cache.as_ref(), now, &caller.workspace, "comparison", Some(variant), view).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_workspaces_is_one_to_ten_ids() {
        let list = |text: &str| WorkspaceList::try_from(text.to_owned());
        let ids = |ids: &[&str]| ids.iter().map(|id| WorkspaceId::parse(id).expect("id")).collect::<Vec<_>>();
        assert_eq!(list("ws_a,ws_b,ws_a"), Ok(WorkspaceList(ids(&["ws_a", "ws_b"]))));
        assert!(list("").is_err(), "no id");
        assert!(list("ws_a,,ws_b").is_err_and(|reason| reason.contains("\"\"")));
        assert!(list("ws a").is_err());
        let eleven: Vec<String> = (0..11).map(|i| format!("ws_{i}")).collect();
        assert!(list(&eleven.join(",")).is_err_and(|reason| reason.contains("at most 10")));
        assert!(list(&eleven[..10].join(",")).is_ok());
    }

    #[test]
    fn a_metrics_list_names_the_metric_it_does_not_know() {
        let list = |text: &str| MetricList::try_from(text.to_owned());
        assert_eq!(list("new_users"), Ok(MetricList(vec![ComparisonMetric::NewUsers])));
        assert!(list("new_users,profit").is_err_and(|reason| reason.contains("\"profit\"")));
        assert!(list("").is_err());
    }
}
