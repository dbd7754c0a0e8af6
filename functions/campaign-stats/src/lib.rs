//! Seed 003, voice survey campaign stats:
//! - `GET /api/campaigns/{campaign_id}/stats` (admin, manager, viewer): the view of
//!   [`domain::views::campaign_stats`], cached 60 s per campaign; `include_time_series=false`
//!   leaves the series out; `start`/`end` (local dates) pick the days of the daily series and
//!   bypass the cache.
//! - `POST /api/campaigns/{campaign_id}/stats/invalidate` (admin): drops the cached stats.

use axum::extract::State;
use axum::{Json, Router};
use domain::WorkspaceId;
use domain::events::is_valid_id;
use domain::time::{DateRange, add_days, local_today};
use domain::views::CacheStatus;
use domain::views::campaign_stats::{DEFAULT_DAYS, StatsOptions, campaign_exists, campaign_stats};
use jiff::SignedDuration;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Value, json};
use web::extract::{ApiPath, ApiQuery};
use web::{ApiError, Caller, Role, Route, Services};

/// How long computed stats are served from the cache (seed 003).
pub const CACHE_TTL: SignedDuration = SignedDuration::from_secs(60);

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route> {
    vec![
        Route::get("/api/campaigns/{campaign_id}/stats", get_stats),
        Route::post("/api/campaigns/{campaign_id}/stats/invalidate", invalidate),
    ]
}

pub fn routes(services: Services) -> Router {
    web::router(route_table()).with_state(services)
}

#[derive(Debug, Deserialize)]
struct StatsQuery {
    include_time_series: Option<String>,
    start: Option<String>,
    end: Option<String>,
}

fn cache_key(ws: &WorkspaceId, campaign_id: &str, include_time_series: bool) -> String {
    format!("campaign-stats|{ws}|{campaign_id}|series={include_time_series}")
}

fn checked_campaign_id(campaign_id: &str) -> Result<(), ApiError> {
    if is_valid_id(campaign_id) {
        Ok(())
    } else {
        Err(ApiError::validation("campaign_id", "must be 1 to 128 characters of letters, digits and . _ : @ -"))
    }
}

fn parse_flag(name: &str, value: Option<&str>) -> Result<bool, ApiError> {
    match value {
        None | Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(_) => Err(ApiError::validation(name, "must be true or false")),
    }
}

fn parse_date(name: &str, value: Option<&str>) -> Result<Option<Date>, ApiError> {
    value
        .map(|text| text.parse::<Date>().map_err(|_| ApiError::validation(name, "must be a date as YYYY-MM-DD")))
        .transpose()
}

async fn get_stats(
    State(services): State<Services>,
    caller: Caller,
    ApiPath(campaign_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Admin, Role::Manager, Role::Viewer])?;
    checked_campaign_id(&campaign_id)?;
    let include_time_series = parse_flag("include_time_series", query.include_time_series.as_deref())?;
    let start = parse_date("start", query.start.as_deref())?;
    let end = parse_date("end", query.end.as_deref())?;
    let now = services.clock.now();
    let ws = &caller.workspace;

    let days = match (start, end) {
        (None, None) => None,
        (start, end) => {
            // One bound alone: the other is DEFAULT_DAYS away, or today.
            let end = match end {
                Some(end) => end,
                None => local_today(now, &workspace_zone(&services, ws).await?),
            };
            let start = start.unwrap_or_else(|| add_days(end, -(DEFAULT_DAYS - 1)));
            Some(DateRange::new(start, end).map_err(|error| ApiError::validation("start", error.to_string()))?)
        }
    };
    let options = StatsOptions { include_time_series, days };
    let key = (days.is_none()).then(|| cache_key(ws, &campaign_id, include_time_series));

    if let Some(key) = &key {
        match services.cache.get(key, now).await {
            Ok(Some(cached)) => match serde_json::from_str::<Value>(&cached) {
                Ok(mut stats) => {
                    stats["meta"]["cache"] = json!(CacheStatus::Hit);
                    return Ok(Json(stats));
                }
                Err(error) => tracing::warn!(%error, "unreadable cache entry; recomputing"),
            },
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cache read failed; recomputing"),
        }
    }

    let mut stats = campaign_stats(services.store.as_ref(), ws, &campaign_id, &options, now)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("campaign {campaign_id} not found")))?;
    stats.meta.cache = if key.is_some() { CacheStatus::Miss } else { CacheStatus::Bypass };
    let body = serde_json::to_value(&stats).map_err(ApiError::internal)?;
    if let Some(key) = &key
        && let Err(error) = services.cache.put(key, &body.to_string(), now + CACHE_TTL).await
    {
        tracing::warn!(%error, "cache write failed");
    }
    Ok(Json(body))
}

async fn workspace_zone(services: &Services, ws: &WorkspaceId) -> Result<jiff::tz::TimeZone, ApiError> {
    Ok(domain::views::workspace_time_zone(services.store.as_ref(), ws).await?)
}

async fn invalidate(
    State(services): State<Services>,
    caller: Caller,
    ApiPath(campaign_id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Admin])?;
    checked_campaign_id(&campaign_id)?;
    let ws = &caller.workspace;
    if !campaign_exists(services.store.as_ref(), ws, &campaign_id).await? {
        return Err(ApiError::not_found(format!("campaign {campaign_id} not found")));
    }
    services.cache.delete(&[cache_key(ws, &campaign_id, true), cache_key(ws, &campaign_id, false)]).await?;
    Ok(Json(json!({"success": true, "campaign_id": campaign_id, "invalidated": true})))
}
