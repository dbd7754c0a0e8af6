//! Seed 002, an AI-agent workspace platform's executive dashboard, each route answering
//! `{"success": true, "data": {...}, "meta"}` with the views of
//! [`domain::views::workspace_analytics::executive`]:
//! - `GET /api/v1/dashboard/executive/summary` (admin, manager): revenue, users, usage and
//!   performance KPIs of a range of local days;
//! - `GET /api/v1/dashboard/executive/trends` (admin, manager): gap-filled series of chosen
//!   metrics, hourly, daily, weekly or monthly.
//!
//! Both take `workspace_id` (the caller's own, else 403) and `start`/`end`, and are cached 60 s
//! per workspace and variant (the parameters as given).

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::response::Response;
use domain::ports::{Cache, Clock, RollupStore};
use domain::views::workspace_analytics::executive::{
    self, ExecutiveSummary, ExecutiveTrends, Granularity, TrendMetric, TrendsError,
};
use jiff::SignedDuration;
use serde::Deserialize;
use web::extract::{ApiQuery, DatesQuery, OwnWorkspace, WorkspaceQuery};
use web::{ApiError, Authenticator, CachedView, Envelope, Ports, Role, Route};

/// The summary, cached 60 s per workspace and range.
pub const SUMMARY: CachedView = CachedView::new("executive-summary", SignedDuration::from_secs(60), Envelope::Data);
/// The trends, cached 60 s per workspace, range, granularity and metrics.
pub const TRENDS: CachedView = CachedView::new("executive-trends", SignedDuration::from_secs(60), Envelope::Data);

const ROLES: &[Role] = &[Role::Admin, Role::Manager];
/// The metrics of a trends request that names none (the seed's example).
pub const DEFAULT_METRICS: [TrendMetric; 3] = [TrendMetric::Revenue, TrendMetric::Users, TrendMetric::Usage];

/// The ports this function uses.
#[derive(Clone, FromRef)]
pub struct ExecutiveState {
    pub auth: Arc<Authenticator>,
    pub store: Arc<dyn RollupStore>,
    pub cache: Arc<dyn Cache>,
    pub clock: Arc<dyn Clock>,
}

impl From<&Ports> for ExecutiveState {
    fn from(ports: &Ports) -> Self {
        ExecutiveState {
            auth: ports.auth.clone(),
            store: ports.store.clone(),
            cache: ports.cache.clone(),
            clock: ports.clock.clone(),
        }
    }
}

const SUMMARY_DOC: &str = "KPIs of `start`..`end` (local dates of the workspace's zone, inclusive, at most 400 days; \
     default the 30 days ending today). Revenue: `total_revenue` is the amount of payments whose latest record is \
     paid, on the local day of that record; `growth_rate` = (total_revenue − previous_revenue) / previous_revenue × \
     100 over the equal-length range just before (`period.previous_*`), `null` when that had no revenue. `mrr` as of \
     the range's last day E = the MRR now (active subscriptions: monthly prices, yearly ones ÷ 12) minus, for the \
     days after E up to today, the monthly-normalised prices of subscriptions first seen those days less those whose \
     latest record turned non-active those days: a subscription counts, at its latest price, from the day it was \
     first seen until the day its latest record stopped being active. `arr` = 12 × mrr. Users: `total_users` = users \
     with a `user.upserted` who joined (signed_up_at, else their first event) on or before E; `new_users` = joined in \
     the range; `active_users` = distinct users active (a session, an agent execution or an API request with their \
     user_id) in the calendar month of E, the MAU; `churn_rate` = subscriptions whose latest record is cancelled, on \
     a day of the range, per 100 active at the range's start (active now, less those first seen from the start to \
     today, plus those lapsed then), `null` when none was. Usage: `total_credits` = the workspace's credits_total \
     (`null` if unset); `credits_consumed` = credits of the range's agent executions; `avg_credits_per_user` = \
     credits_consumed / active_users (`null` without active users). Performance: `uptime` = 100 × (1 − minutes with \
     a 5xx / minutes with traffic) over the range's days: the percentage of UTC minutes with API traffic in which no \
     request failed with a 5xx (`null` without traffic); `avg_response_time` = mean latency_ms of the range's API \
     requests, in ms; `error_rate` = requests with a 5xx per 100 requests. Money in currency units to the cent, \
     credits to 3 decimals; rates 0..100 (uptime and error_rate to 4 decimals, the others to 2); a zero denominator \
     is `null`. Cached 60 s per workspace and range.";

const TRENDS_DOC: &str = "A series per metric of `metrics` (default revenue,users,usage), every point of `start`..`end` \
     (local dates, inclusive, at most 400 days; default the 30 days ending today) present, 0 where nothing happened. \
     `granularity`: `hourly` = the UTC hours from the start of the local start day to the end of the local end day \
     (23 or 25 on a DST day; a point's `date` is the hour's start, `2025-01-15T10:00:00Z`), `daily` = local days \
     (`2025-01-15`, the default), `weekly` = local ISO weeks, Monday to Sunday (`date` is the Monday), `monthly` = \
     local calendar months (`2025-01`); weekly and monthly points are the whole weeks and months touching the range, so \
     that their sums and distinct users count the same days. At most 1,000 points per series (hourly: 41 days), else \
     400 naming `granularity`. Metrics: `revenue` = amounts of payments whose latest record is paid (by the UTC hour or \
     local day of that record); `users` = distinct users active in the point (a session, an agent execution or an API \
     request with their user_id), exact: never a sum of smaller points; `usage` = API requests; `executions` = agent \
     executions; `errors` = agent executions that failed (success false); `credits` = credits of agent executions. An \
     unknown metric is 400 naming `metrics`. Cached 60 s per workspace and variant.";

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route<ExecutiveState>> {
    vec![
        Route::get("/api/v1/dashboard/executive/summary", get_summary)
            .roles(ROLES)
            .doc("Executive KPIs of a range", SUMMARY_DOC)
            .query::<WorkspaceQuery>()
            .query::<DatesQuery>()
            .returns_view::<ExecutiveSummary>(&SUMMARY, "Revenue, users, usage and performance of the range."),
        Route::get("/api/v1/dashboard/executive/trends", get_trends)
            .roles(ROLES)
            .doc("Executive metrics over time", TRENDS_DOC)
            .query::<WorkspaceQuery>()
            .query::<DatesQuery>()
            .query::<TrendsQuery>()
            .returns_view::<ExecutiveTrends>(&TRENDS, "A gap-filled series per metric."),
    ]
}

pub fn router(state: ExecutiveState) -> Router {
    web::router(route_table(), state)
}

/// `metrics`: names from [`TrendMetric`], comma-separated; repeats count once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct MetricList(pub Vec<TrendMetric>);

impl TryFrom<String> for MetricList {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let known = || TrendMetric::ALL.map(TrendMetric::as_str).join(", ");
        if text.is_empty() {
            return Err(format!("name at least one metric of: {}", known()));
        }
        let mut metrics = Vec::new();
        for name in text.split(',') {
            let metric =
                TrendMetric::parse(name).ok_or_else(|| format!("unknown metric {name:?}; known: {}", known()))?;
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
pub struct TrendsQuery {
    /// Comma-separated, no spaces: revenue, users, usage, executions, errors, credits (default
    /// revenue,users,usage).
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = "^(revenue|users|usage|executions|errors|credits)(,(revenue|users|usage|executions|errors|credits))*$", example = "revenue,users,usage"))]
    pub metrics: Option<MetricList>,
    /// hourly, daily (default), weekly or monthly.
    #[cfg_attr(feature = "openapi", param(inline))]
    pub granularity: Option<Granularity>,
}

/// The range as asked (an absent bound is the view's default), as a cache variant.
fn dates_variant(dates: &DatesQuery) -> String {
    let text = |date: Option<jiff::civil::Date>| date.map(|date| date.to_string()).unwrap_or_default();
    format!("{}..{}", text(dates.start), text(dates.end))
}

async fn get_summary(
    State(state): State<ExecutiveState>,
    OwnWorkspace(ws): OwnWorkspace,
    dates: DatesQuery,
) -> Result<Response, ApiError> {
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let view = async { Ok(executive::summary(store, &ws, dates.requested(), now).await?) };
    SUMMARY.respond(state.cache.as_ref(), now, &ws, "summary", Some(dates_variant(&dates)), view).await
}

async fn get_trends(
    State(state): State<ExecutiveState>,
    OwnWorkspace(ws): OwnWorkspace,
    dates: DatesQuery,
    ApiQuery(query): ApiQuery<TrendsQuery>,
) -> Result<Response, ApiError> {
    let metrics = query.metrics.map_or_else(|| DEFAULT_METRICS.to_vec(), |MetricList(metrics)| metrics);
    let granularity = query.granularity.unwrap_or_default();
    let names: Vec<&str> = metrics.iter().map(|metric| metric.as_str()).collect();
    let variant = format!("{}|{}|{}", dates_variant(&dates), granularity.as_str(), names.join(","));
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let view = async {
        executive::trends(store, &ws, &metrics, granularity, dates.requested(), now).await.map_err(
            |error| match error {
                TrendsError::View(error) => ApiError::from(error),
                too_many @ TrendsError::TooManyPoints { .. } => {
                    ApiError::validation("granularity", too_many.to_string())
                }
            },
        )
    };
    TRENDS.respond(state.cache.as_ref(), now, &ws, "trends", Some(variant), view).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metrics_list_names_the_metric_it_does_not_know() {
        let list = |text: &str| MetricList::try_from(text.to_owned());
        assert_eq!(list("users,revenue,users"), Ok(MetricList(vec![TrendMetric::Users, TrendMetric::Revenue])));
        assert!(list("revenue,profit").is_err_and(|reason| reason.contains("\"profit\"")));
        assert!(list("").is_err());
        assert!(list("revenue, users").is_err(), "no spaces, as the documented pattern says");
    }
}
