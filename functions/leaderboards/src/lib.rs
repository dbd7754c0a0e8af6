//! Seed 002, leaderboards:
//! - `GET /api/v1/dashboard/leaderboards` (any member: admin, manager, viewer, agent, user):
//!   users, agents, workspaces or features ranked by a score over `start`..`end`, with each
//!   entry's change of rank against the previous equal-length range and the caller's own rank,
//!   as [`domain::views::workspace_analytics::leaderboards`] defines them. Answers
//!   `{"success": true, "data": {...}, "meta"}`; takes `workspace_id` (the caller's own, else
//!   403); cached 60 s per variant (the caller's own entry is part of it).

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::response::Response;
use domain::ports::{Cache, Clock, RollupStore};
use domain::views::workspace_analytics::leaderboards::{
    self, DEFAULT_LIMIT, Leaderboard, LeaderboardType, MAX_LIMIT, Viewer,
};
use jiff::SignedDuration;
use serde::Deserialize;
use web::extract::{ApiQuery, DatesQuery, OwnWorkspace, WorkspaceQuery};
use web::{ApiError, Authenticator, CachedView, Caller, Envelope, Ports, Role, Route};

/// The leaderboard, cached 60 s per type, limit, range and caller.
pub const LEADERBOARD: CachedView = CachedView::new("leaderboards", SignedDuration::from_secs(60), Envelope::Data);

/// Every member of a workspace (not the `service` role, which only sends events).
const ROLES: &[Role] = &[Role::Admin, Role::Manager, Role::Viewer, Role::Agent, Role::User];

/// The ports this function uses.
#[derive(Clone, FromRef)]
pub struct LeaderboardsState {
    pub auth: Arc<Authenticator>,
    pub store: Arc<dyn RollupStore>,
    pub cache: Arc<dyn Cache>,
    pub clock: Arc<dyn Clock>,
}

impl From<&Ports> for LeaderboardsState {
    fn from(ports: &Ports) -> Self {
        LeaderboardsState {
            auth: ports.auth.clone(),
            store: ports.store.clone(),
            cache: ports.cache.clone(),
            clock: ports.clock.clone(),
        }
    }
}

const DOC: &str = "Entities ranked by a score over `start`..`end` (local dates of the workspace's zone, inclusive, at \
     most 400 days; default the 30 days ending today). `leaderboard_type` (required): `users` (score: the user's \
     successful executions; details: executions, success_rate, credits_consumed, sessions; the users listed by \
     `user.upserted`, named by full_name, else user_name, never by email), `agents` (score: successful executions; \
     details: executions, success_rate, avg_execution_time in seconds, user_satisfaction; the agents with an \
     `agent.upserted`), `workspaces` (score: the workspace's successful executions; details: executions, \
     success_rate, active_users = distinct active users in the calendar month of the range's end, credits_consumed; \
     only the caller's workspace and those of the token's `workspaces` claim, each over the same dates in its own \
     zone, never any other) or `features` (score: the executions tagged with the feature; details: executions, \
     success_rate). Ranked: the entities with at least one execution in the range (a score of 0 still ranks); order \
     score descending, then entity_id ascending, and equal scores still get distinct ranks. `limit`: entries shown, \
     1 to 100 (default 10). `change` = the rank in the previous equal-length range − the rank now (positive: moved \
     up), `null` when unranked then. `user_rank`: for users the caller's own row, for agents the best-ranked agent \
     owned by the caller (or, for the agent role, the agent whose id is the caller), for workspaces the caller's \
     workspace, for features null; `percentile` = ranked entries strictly below the caller / ranked entries × 100; \
     null when the caller has no ranked entry. Success rates in percent (2 decimals), credits in credits. At most \
     1,000 users, agents or features are weighed (in list order). Cached 60 s per type, limit, range and caller.";

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route<LeaderboardsState>> {
    vec![
        Route::get("/api/v1/dashboard/leaderboards", get_leaderboard)
            .roles(ROLES)
            .doc("A leaderboard", DOC)
            .query::<WorkspaceQuery>()
            .query::<LeaderboardQuery>()
            .query::<DatesQuery>()
            .returns_view::<Leaderboard>(&LEADERBOARD, "The leaderboard and the caller's own rank."),
    ]
}

pub fn router(state: LeaderboardsState) -> Router {
    web::router(route_table(), state)
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct LeaderboardQuery {
    /// `users`, `agents`, `workspaces` or `features`.
    #[cfg_attr(feature = "openapi", param(inline))]
    pub leaderboard_type: LeaderboardType,
    /// Entries shown, 1 to 100 (default 10).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100, example = 10))]
    pub limit: Option<u32>,
}

async fn get_leaderboard(
    State(state): State<LeaderboardsState>,
    caller: Caller,
    OwnWorkspace(ws): OwnWorkspace,
    ApiQuery(query): ApiQuery<LeaderboardQuery>,
    dates: DatesQuery,
) -> Result<Response, ApiError> {
    let limit = match query.limit {
        None => DEFAULT_LIMIT,
        Some(limit) if (1..=MAX_LIMIT as u32).contains(&limit) => limit as usize,
        Some(_) => return Err(ApiError::validation("limit", format!("must be from 1 to {MAX_LIMIT}"))),
    };
    let kind = query.leaderboard_type;
    let viewer =
        Viewer { user_id: &caller.user_id, is_agent: caller.role == Role::Agent, workspaces: &caller.workspaces };
    // Whose answer it is: the caller's own entry (and, for workspaces, the ones they may see).
    let whose = match kind {
        LeaderboardType::Users => format!("user={}", caller.user_id),
        LeaderboardType::Agents => format!("user={}|agent={}", caller.user_id, viewer.is_agent),
        LeaderboardType::Workspaces => {
            let mut claim: Vec<&str> = caller.workspaces.iter().map(|ws| ws.as_str()).collect();
            claim.sort_unstable();
            format!("workspaces={}", claim.join(","))
        }
        LeaderboardType::Features => String::new(),
    };
    let bound = |date: Option<jiff::civil::Date>| date.map_or_else(|| "-".to_owned(), |date| date.to_string());
    let variant = format!("{limit}|{}..{}|{whose}", bound(dates.start), bound(dates.end));
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let view = async { Ok(leaderboards::leaderboard(store, &ws, kind, viewer, limit, dates.requested(), now).await?) };
    LEADERBOARD.respond(state.cache.as_ref(), now, &ws, kind.as_str(), Some(variant), view).await
}
