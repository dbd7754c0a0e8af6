//! Seed 000, advertising campaigns: the seven `POST /api/v1/dashboard/*` routes, each answering
//! `{"success": true, ...}` with the views of [`domain::views::ads`].
//!
//! Who sees what: admin, manager and viewer see any campaign of their workspace; a user only the
//! campaigns they own (another's is 404, so its existence does not leak). A portfolio (`overview`,
//! `portfolio_report`) is any user's for admin and manager, the caller's own for viewer and user
//! (403 otherwise). Caching: `campaign_metrics` and `overview` are cached 60 s per campaign (user),
//! range and scope; the other routes compute every answer afresh.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::response::Response;
use domain::ports::{Cache, Clock, RollupStore};
use domain::time::RequestedRange;
use domain::views::ads::reports::ReportType;
use domain::views::ads::trends::{DEFAULT_DAYS, MAX_DAYS};
use domain::views::ads::{PerformanceData, Scope, alerts, insights, metrics, reports, trends};
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Deserialize;
use serde_json::{Value, json};
use web::extract::{ApiJson, CampaignId, DateRangeBody, UserId};
use web::{ApiError, Authenticator, CachedView, Caller, Envelope, ErrorCode, Ports, Role, Route};

/// `campaign_metrics`, cached 60 s per campaign, range and scope.
pub const METRICS: CachedView =
    CachedView::new("ads-campaign-metrics", SignedDuration::from_secs(60), Envelope::Success);
/// `overview`, cached 60 s per user and range.
pub const OVERVIEW: CachedView = CachedView::new("ads-overview", SignedDuration::from_secs(60), Envelope::Success);
/// The routes answered afresh every time, in the same envelope.
pub const FRESH: CachedView = CachedView::new("ads", SignedDuration::ZERO, Envelope::Success);

const ROLES: &[Role] = &[Role::Admin, Role::Manager, Role::Viewer, Role::User];
/// The demo's ad campaign and its owner, which the documentation's examples name.
const EXAMPLE_CAMPAIGN: &str = "cmp_ads_spring_sale";
const EXAMPLE_USER: &str = "u_user";

/// The ports this function uses.
#[derive(Clone, FromRef)]
pub struct CampaignsState {
    pub auth: Arc<Authenticator>,
    pub store: Arc<dyn RollupStore>,
    pub cache: Arc<dyn Cache>,
    pub clock: Arc<dyn Clock>,
}

impl From<&Ports> for CampaignsState {
    fn from(ports: &Ports) -> Self {
        CampaignsState {
            auth: ports.auth.clone(),
            store: ports.store.clone(),
            cache: ports.cache.clone(),
            clock: ports.clock.clone(),
        }
    }
}

const METRICS_DOC: &str = "Sums of the campaign's `ad.delivery` events over `date_range` (local dates of the workspace's zone, \
     inclusive, at most 400 days). roas = revenue / spend and ctr = clicks / impressions (4 decimals); cpa = \
     spend / conversions and cpm = spend / impressions × 1000 (currency units, to the cent); conversion_rate = \
     conversions / clicks. A zero denominator is `null`. Money is summed exactly in micros and rounded to cents \
     once. Cached 60 s per campaign, range and scope.";
const OVERVIEW_DOC: &str = "Every ad campaign `user_id` owns (from `campaign.upserted`'s owner_user_id; kind `ads` or none), \
     over `date_range`. `average_roas` is total revenue / total spend and `average_cpa` total spend / total \
     conversions: portfolio-weighted, not a mean of the campaigns' ratios. Admin and manager may ask for any user; \
     viewer and user only for themselves (403). Cached 60 s per user and range.";
const TRENDS_DOC: &str = "For roas, cpa, ctr and spend, the Mann-Kendall test on the daily values of the last `days` \
     complete local days (1 to 365, default 30; today is left out): `increasing` or `decreasing` when the two-sided \
     p-value (normal approximation, tie correction) is under α = 0.05, else `stable`; `insufficient_data` with \
     fewer than 7 daily values. A day without the metric's denominator has no value; spend counts from the first \
     day with delivery. `evidence` gives, per trend, the method, n, S, z, p-value and Sen's slope (per day).";
const INSIGHTS_DOC: &str = "Over `date_range` (optional; default the last 30 local days, today included). \
     `top_performing_creative` / `best_audience_segment`: the highest ROAS among creatives (audiences) with at \
     least 100 clicks and some spend, `null` when none qualifies. `recommended_budget_adjustment` (to the daily \
     budget): ROAS more than 10% below the target ROAS (the campaign's, else 1.0) decreases by the shortfall, more \
     than 10% above increases by the excess, in 5% steps, at most -50% / +20%, judged over 100 clicks or more; \
     otherwise the spend pace decides (mean daily spend of the last 3 complete days × days to the end date against \
     budget − spend before today: over 110% decreases so the budget lasts, under 90% increases to use it), else \
     `Maintain`; `null` without a basis. `optimization_opportunities`: one line per rule that fires (weak creative, \
     few creatives, expand audience, weak audience, high CPA, CTR decreasing, budget runs out). `evidence` gives \
     each rule and its numbers; `performance_data` is checked and echoed as `evidence.client_view`, never used.";
const ALERTS_DOC: &str = "`high_cpa_alert`: CPA over the last 7 complete local days above the target CPA (the campaign's, \
     else the break-even CPA at its target ROAS: revenue per conversion / target ROAS), or spend above it with no \
     conversion. `low_roas_alert`: ROAS over those days below the target ROAS (the campaign's, else 1.0). \
     `budget_exhaustion_alert`: the mean daily spend of the last 3 complete days × the days from today to the end \
     date exceeds budget − spend before today. `performance_anomaly_alert`: the last complete day's ROAS or CTR has a \
     robust z-score (0.6745 × (x − median) / MAD over the 14 days before it, at least 7 of them with a value) \
     beyond ±3.5. Each alert's evidence gives its threshold, value and method; `performance_data` is checked and \
     echoed as `evidence.client_view`, never used.";
const CAMPAIGN_REPORT_DOC: &str = "Over `date_range`: `summary`, a sentence from the computed numbers (the verdict compares \
     ROAS with its target: at or above it `performing well`, within 10% below `close to target`, else \
     `underperforming`; under 100 clicks `too few clicks to judge`); `metrics` as in campaign_metrics; \
     `recommendations` from the insights' rules (the budget adjustment's reason, then each opportunity). \
     `report_type` is `comprehensive` (default: adds the creatives, the audiences and each day) or `summary`.";
const PORTFOLIO_REPORT_DOC: &str = "The overview's portfolio over `date_range`: `summary`, a sentence from the computed \
     numbers (the portfolio's ROAS against the spend-weighted mean of its campaigns' target ROAS); `metrics` as in \
     the overview; `recommendations`, one per campaign a rule names (ROAS at 1.2× its target or more over 100 clicks: \
     scale; under 0.8×: optimize; scheduled in the range with no delivery: check), with their numbers under \
     `evidence`; and each campaign's metrics. Same access as the overview.";

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route<CampaignsState>> {
    vec![
        about_a_campaign(Route::post("/api/v1/dashboard/campaign_metrics", campaign_metrics))
            .doc("A campaign's metrics over a range", METRICS_DOC)
            .body::<CampaignMetricsRequest>()
            .example(|| json!({"campaign_id": EXAMPLE_CAMPAIGN, "date_range": example_range()}))
            .returns_view::<metrics::CampaignMetrics>(&METRICS, "The campaign's metrics."),
        Route::post("/api/v1/dashboard/overview", overview)
            .roles(ROLES)
            .doc("A user's portfolio overview", OVERVIEW_DOC)
            .body::<DashboardOverviewRequest>()
            .example(|| json!({"user_id": EXAMPLE_USER, "date_range": example_range()}))
            .returns_view::<metrics::PortfolioOverview>(&OVERVIEW, "The portfolio's totals."),
        about_a_campaign(Route::post("/api/v1/dashboard/performance_trends", performance_trends))
            .doc("A campaign's trends", TRENDS_DOC)
            .body::<PerformanceTrendsRequest>()
            .example(|| json!({"campaign_id": EXAMPLE_CAMPAIGN, "days": 30}))
            .returns_view::<trends::PerformanceTrends>(&FRESH, "A trend per metric, with its test."),
        about_a_campaign(Route::post("/api/v1/dashboard/insights", campaign_insights))
            .doc("A campaign's insights", INSIGHTS_DOC)
            .body::<InsightsRequest>()
            .example(|| json!({"campaign_id": EXAMPLE_CAMPAIGN, "performance_data": example_client_view()}))
            .returns_view::<insights::CampaignInsights>(&FRESH, "Insights, each with its evidence."),
        about_a_campaign(Route::post("/api/v1/dashboard/alerts", campaign_alerts))
            .doc("A campaign's alerts", ALERTS_DOC)
            .body::<AlertsRequest>()
            .example(|| json!({"campaign_id": EXAMPLE_CAMPAIGN, "performance_data": example_client_view()}))
            .returns_view::<alerts::CampaignAlerts>(&FRESH, "Four alerts, each with its evidence."),
        about_a_campaign(Route::post("/api/v1/dashboard/campaign_report", campaign_report))
            .doc("A campaign's report", CAMPAIGN_REPORT_DOC)
            .body::<CampaignReportRequest>()
            .example(|| {
                json!({"campaign_id": EXAMPLE_CAMPAIGN, "report_type": "comprehensive", "date_range": example_range()})
            })
            .returns_view::<reports::CampaignReportView>(&FRESH, "The report."),
        Route::post("/api/v1/dashboard/portfolio_report", portfolio_report)
            .roles(ROLES)
            .doc("A user's portfolio report", PORTFOLIO_REPORT_DOC)
            .body::<PortfolioReportRequest>()
            .example(|| json!({"user_id": EXAMPLE_USER, "date_range": example_range()}))
            .returns_view::<reports::PortfolioReportView>(&FRESH, "The report."),
    ]
}

/// A route about the campaign its body names: one the caller cannot see is 404.
fn about_a_campaign(route: Route<CampaignsState>) -> Route<CampaignsState> {
    route.roles(ROLES).errors(&[ErrorCode::NotFound])
}

pub fn router(state: CampaignsState) -> Router {
    web::router(route_table(), state)
}

/// The last 30 days (UTC dates) up to today, so that the examples show data.
fn example_range() -> Value {
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let start = today.checked_sub(29.days()).unwrap_or(today);
    json!({"start": start.to_string(), "end": today.to_string()})
}

fn example_client_view() -> Value {
    json!({"roas": 2.5, "cpa": 15.0, "ctr": 0.05, "cpm": 10.0})
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignMetricsRequest {
    /// A campaign of the caller's workspace.
    #[cfg_attr(feature = "openapi", schema(example = "cmp_ads_spring_sale"))]
    pub campaign_id: CampaignId,
    pub date_range: DateRangeBody,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DashboardOverviewRequest {
    /// Whose portfolio: any user for admin and manager, the caller for viewer and user.
    #[cfg_attr(feature = "openapi", schema(example = "u_user"))]
    pub user_id: UserId,
    pub date_range: DateRangeBody,
}

/// 1 to 365 days: a JSON integer, which JSON Schema lets a client write `30.0` too.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "f64")]
pub struct TrendDays(u16);

impl TryFrom<f64> for TrendDays {
    type Error = String;

    fn try_from(days: f64) -> Result<Self, String> {
        if days.fract() == 0.0 && (1.0..=f64::from(MAX_DAYS)).contains(&days) {
            Ok(TrendDays(days as u16))
        } else {
            Err(format!("must be a whole number of days from 1 to {MAX_DAYS}"))
        }
    }
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PerformanceTrendsRequest {
    #[cfg_attr(feature = "openapi", schema(example = "cmp_ads_spring_sale"))]
    pub campaign_id: CampaignId,
    /// Complete local days to test, 1 to 365 (default 30).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u16>, minimum = 1, maximum = 365, example = 30))]
    pub days: Option<TrendDays>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InsightsRequest {
    #[cfg_attr(feature = "openapi", schema(example = "cmp_ads_spring_sale"))]
    pub campaign_id: CampaignId,
    /// The client's own view: checked, echoed as `evidence.client_view`, never used.
    pub performance_data: Option<PerformanceData>,
    /// Default: the last 30 local days, today included.
    pub date_range: Option<DateRangeBody>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AlertsRequest {
    #[cfg_attr(feature = "openapi", schema(example = "cmp_ads_spring_sale"))]
    pub campaign_id: CampaignId,
    /// The client's own view: checked, echoed as `evidence.client_view`, never used.
    pub performance_data: Option<PerformanceData>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignReportRequest {
    #[cfg_attr(feature = "openapi", schema(example = "cmp_ads_spring_sale"))]
    pub campaign_id: CampaignId,
    /// `comprehensive` (default) or `summary`.
    pub report_type: Option<ReportType>,
    pub date_range: DateRangeBody,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PortfolioReportRequest {
    /// Whose portfolio: any user for admin and manager, the caller for viewer and user.
    #[cfg_attr(feature = "openapi", schema(example = "u_user"))]
    pub user_id: UserId,
    pub date_range: DateRangeBody,
}

/// The campaigns `caller` may see.
fn scope(caller: &Caller) -> Scope<'_> {
    match caller.role {
        Role::User => Scope::OwnedBy(&caller.user_id),
        _ => Scope::Workspace,
    }
}

/// `user` if `caller` may see that user's portfolio, else 403.
fn portfolio_of<'a>(caller: &Caller, user: &'a UserId) -> Result<&'a str, ApiError> {
    match caller.role {
        Role::Admin | Role::Manager => Ok(user.as_str()),
        _ if user.as_str() == caller.user_id => Ok(user.as_str()),
        role => Err(ApiError::forbidden(format!("the {} role may only see its own portfolio", role.as_str()))),
    }
}

fn not_found(campaign: &CampaignId) -> ApiError {
    ApiError::not_found(format!("campaign {campaign} not found"))
}

/// A range as a cache variant.
fn range_variant(range: &DateRangeBody) -> String {
    format!("{}..{}", range.start, range.end)
}

async fn campaign_metrics(
    State(state): State<CampaignsState>,
    caller: Caller,
    ApiJson(body): ApiJson<CampaignMetricsRequest>,
) -> Result<Response, ApiError> {
    let (store, now, ws, scope) = (state.store.as_ref(), state.clock.now(), &caller.workspace, scope(&caller));
    // The scope is part of the variant: a user's answer is computed, and cached, for them.
    let variant = format!("{}|{}", range_variant(&body.date_range), scope.variant());
    let view = async {
        metrics::campaign_metrics(store, ws, &body.campaign_id, scope, body.date_range.requested(), now)
            .await?
            .ok_or_else(|| not_found(&body.campaign_id))
    };
    METRICS.respond(state.cache.as_ref(), now, ws, &body.campaign_id, Some(variant), view).await
}

async fn overview(
    State(state): State<CampaignsState>,
    caller: Caller,
    ApiJson(body): ApiJson<DashboardOverviewRequest>,
) -> Result<Response, ApiError> {
    let user = portfolio_of(&caller, &body.user_id)?;
    let (store, now, ws) = (state.store.as_ref(), state.clock.now(), &caller.workspace);
    let view = async { Ok(metrics::overview(store, ws, user, body.date_range.requested(), now).await?) };
    let scope = format!("user:{user}");
    OVERVIEW.respond(state.cache.as_ref(), now, ws, &scope, Some(range_variant(&body.date_range)), view).await
}

async fn performance_trends(
    State(state): State<CampaignsState>,
    caller: Caller,
    ApiJson(body): ApiJson<PerformanceTrendsRequest>,
) -> Result<Response, ApiError> {
    let (store, now, ws) = (state.store.as_ref(), state.clock.now(), &caller.workspace);
    let days = body.days.map_or(DEFAULT_DAYS, |TrendDays(days)| days);
    let view = async {
        trends::performance_trends(store, ws, &body.campaign_id, scope(&caller), days, now)
            .await?
            .ok_or_else(|| not_found(&body.campaign_id))
    };
    FRESH.respond(state.cache.as_ref(), now, ws, &body.campaign_id, None, view).await
}

async fn campaign_insights(
    State(state): State<CampaignsState>,
    caller: Caller,
    ApiJson(body): ApiJson<InsightsRequest>,
) -> Result<Response, ApiError> {
    let (store, now, ws) = (state.store.as_ref(), state.clock.now(), &caller.workspace);
    let range = body.date_range.map_or(RequestedRange::Dates { start: None, end: None }, |range| range.requested());
    let view = async {
        insights::insights(store, ws, &body.campaign_id, scope(&caller), range, body.performance_data, now)
            .await?
            .ok_or_else(|| not_found(&body.campaign_id))
    };
    FRESH.respond(state.cache.as_ref(), now, ws, &body.campaign_id, None, view).await
}

async fn campaign_alerts(
    State(state): State<CampaignsState>,
    caller: Caller,
    ApiJson(body): ApiJson<AlertsRequest>,
) -> Result<Response, ApiError> {
    let (store, now, ws) = (state.store.as_ref(), state.clock.now(), &caller.workspace);
    let view = async {
        alerts::alerts(store, ws, &body.campaign_id, scope(&caller), body.performance_data, now)
            .await?
            .ok_or_else(|| not_found(&body.campaign_id))
    };
    FRESH.respond(state.cache.as_ref(), now, ws, &body.campaign_id, None, view).await
}

async fn campaign_report(
    State(state): State<CampaignsState>,
    caller: Caller,
    ApiJson(body): ApiJson<CampaignReportRequest>,
) -> Result<Response, ApiError> {
    let (store, now, ws) = (state.store.as_ref(), state.clock.now(), &caller.workspace);
    let report_type = body.report_type.unwrap_or_default();
    let view = async {
        let range = body.date_range.requested();
        reports::campaign_report(store, ws, &body.campaign_id, scope(&caller), range, report_type, now)
            .await?
            .ok_or_else(|| not_found(&body.campaign_id))
    };
    FRESH.respond(state.cache.as_ref(), now, ws, &body.campaign_id, None, view).await
}

async fn portfolio_report(
    State(state): State<CampaignsState>,
    caller: Caller,
    ApiJson(body): ApiJson<PortfolioReportRequest>,
) -> Result<Response, ApiError> {
    let user = portfolio_of(&caller, &body.user_id)?;
    let (store, now, ws) = (state.store.as_ref(), state.clock.now(), &caller.workspace);
    let view = async { Ok(reports::portfolio_report(store, ws, user, body.date_range.requested(), now).await?) };
    FRESH.respond(state.cache.as_ref(), now, ws, user, None, view).await
}
