//! Seed 003, voice survey campaign stats:
//! - `GET /api/campaigns/{campaign_id}/stats` (admin, manager, viewer): the view of
//!   [`domain::views::surveys::campaign_stats`], cached 60 s per campaign and variant;
//!   `include_time_series=false` leaves the series out; `start`/`end` (local dates) pick the days
//!   of the daily series and bypass the cache.
//! - `POST /api/campaigns/{campaign_id}/stats/invalidate` (admin): drops every cached variant.

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::response::Response;
use axum::{Json, Router};
use domain::ports::{Cache, Clock, RollupStore};
use domain::views::surveys::campaign_stats::{CampaignStats, StatsOptions, campaign_exists, campaign_stats};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use web::extract::{ApiQuery, CampaignId, DatesQuery, Flag};
use web::{ApiError, Authenticator, CachedView, Caller, Envelope, Ports, Role, Route};

/// The stats view: cached 60 s (seed 003), the stats object at the top level with `meta`.
pub const STATS: CachedView = CachedView::new("campaign-stats", SignedDuration::from_secs(60), Envelope::Bare);

/// The campaign the documentation's examples name (one of the local runtime's demo campaigns).
const EXAMPLE_CAMPAIGN: &str = "cmp_csat_q4";

/// The ports this function uses.
#[derive(Clone, FromRef)]
pub struct StatsState {
    pub auth: Arc<Authenticator>,
    pub store: Arc<dyn RollupStore>,
    pub cache: Arc<dyn Cache>,
    pub clock: Arc<dyn Clock>,
}

impl From<&Ports> for StatsState {
    fn from(ports: &Ports) -> Self {
        StatsState {
            auth: ports.auth.clone(),
            store: ports.store.clone(),
            cache: ports.cache.clone(),
            clock: ports.clock.clone(),
        }
    }
}

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route<StatsState>> {
    vec![
        Route::get("/api/campaigns/{campaign_id}/stats", get_stats)
            .roles(&[Role::Admin, Role::Manager, Role::Viewer])
            .doc(
                "A survey campaign's stats",
                "Contacts by current state, call attempts by outcome, rates, durations, and the hourly \\
                 (last 24 UTC hours) and daily (last 30 local days, or `start`..`end`) series. Rates: \\
                 completion, refusal and not-reached are contacts in that state / all contacts; answer \\
                 rate is attempts someone picked up (not no_answer, busy or failed) / all attempts. \\
                 Cached 60 s per campaign and variant; a request with `start` or `end` is not cached.",
            )
            .path_example("campaign_id", EXAMPLE_CAMPAIGN)
            .query::<StatsQuery>()
            .query::<DatesQuery>()
            .returns_view::<CampaignStats>(&STATS, "The campaign's stats."),
        Route::post("/api/campaigns/{campaign_id}/stats/invalidate", invalidate)
            .roles(&[Role::Admin])
            .doc("Drop a campaign's cached stats", "The next stats request of the campaign computes them afresh.")
            .path_example("campaign_id", EXAMPLE_CAMPAIGN)
            .returns::<Invalidated>(200, "The cached stats are gone."),
    ]
}

pub fn router(state: StatsState) -> Router {
    web::router(route_table(), state)
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
struct StatsQuery {
    /// `false` leaves out `time_series` (default `true`).
    #[cfg_attr(feature = "openapi", param(value_type = Option<bool>))]
    include_time_series: Option<Flag>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invalidated {
    pub success: bool,
    pub campaign_id: String,
    pub invalidated: bool,
}

async fn get_stats(
    State(state): State<StatsState>,
    caller: Caller,
    campaign: CampaignId,
    ApiQuery(query): ApiQuery<StatsQuery>,
    dates: DatesQuery,
) -> Result<Response, ApiError> {
    let include_time_series = query.include_time_series.is_none_or(|Flag(on)| on);
    let options = StatsOptions { include_time_series, days: dates.requested() };
    // A chosen range of days is a one-off question: answered afresh, not cached.
    let variant = dates.is_default().then(|| format!("series={include_time_series}"));
    let (store, now, ws) = (state.store.as_ref(), state.clock.now(), &caller.workspace);
    let stats = async {
        campaign_stats(store, ws, &campaign, &options, now)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("campaign {campaign} not found")))
    };
    STATS.respond(state.cache.as_ref(), now, ws, &campaign, variant, stats).await
}

async fn invalidate(
    State(state): State<StatsState>,
    caller: Caller,
    campaign: CampaignId,
) -> Result<Json<Invalidated>, ApiError> {
    if !campaign_exists(state.store.as_ref(), &caller.workspace, &campaign).await? {
        return Err(ApiError::not_found(format!("campaign {campaign} not found")));
    }
    STATS.invalidate(state.cache.as_ref(), &caller.workspace, &campaign).await?;
    Ok(Json(Invalidated { success: true, campaign_id: campaign.to_string(), invalidated: true }))
}
