//! Seed 002, an AI-agent workspace's users:
//! - `GET /api/v1/dashboard/users/activity` (admin, manager): each user's sessions, executions,
//!   credits, last activity and favourite agents over a range, paginated, with the workspace's
//!   exact DAU/WAU/MAU and mean session length;
//! - `GET /api/v1/dashboard/users/engagement` (admin, manager): activation, day-1/7/30
//!   retention and the signup-cohort table.
//!
//! Both answer `{"success": true, "data": ..., "meta": ...}`, cached 60 s per workspace and
//! variant. The definitions are those of [`domain::views::workspace_analytics::users`].

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::response::Response;
use domain::events::is_valid_id;
use domain::ports::{Cache, Clock, RollupStore};
use domain::views::Viewed;
use domain::views::workspace_analytics::users::{
    self, ActivityQuery, ActivityType, CohortPeriod, MAX_USER_IDS, UserActivity, UserActivitySummary, UserEngagement,
    UserSort,
};
use jiff::SignedDuration;
use serde::{Deserialize, Deserializer, Serialize};
use web::extract::{ApiQuery, DatesQuery, Order, OwnWorkspace, Page, Paginated, SortKeys, WorkspaceQuery};
use web::{ApiError, Authenticator, CachedView, Envelope, Ports, Role, Route};

/// `users/activity`, cached 60 s per workspace and variant (seed 002's reads).
pub const ACTIVITY: CachedView = CachedView::new("users-activity", SignedDuration::from_secs(60), Envelope::Data);
/// `users/engagement`, cached 60 s per workspace and variant.
pub const ENGAGEMENT: CachedView = CachedView::new("users-engagement", SignedDuration::from_secs(60), Envelope::Data);

const ROLES: &[Role] = &[Role::Admin, Role::Manager];

/// The ports this function uses.
#[derive(Clone, FromRef)]
pub struct UsersState {
    pub auth: Arc<Authenticator>,
    pub store: Arc<dyn RollupStore>,
    pub cache: Arc<dyn Cache>,
    pub clock: Arc<dyn Clock>,
}

impl From<&Ports> for UsersState {
    fn from(ports: &Ports) -> Self {
        UsersState {
            auth: ports.auth.clone(),
            store: ports.store.clone(),
            cache: ports.cache.clone(),
            clock: ports.clock.clone(),
        }
    }
}

const ACTIVITY_DOC: &str = "The workspace's users (those with a `user.upserted`: the 1,000 newest by signup, or only \
     the ones `user_ids` names, comma-separated, at most 100; an id without a `user.upserted` is left out) over \
     `start`..`end` (local dates of the workspace's zone, inclusive, at most 400 days; default the 30 days ending \
     today). Per user: `email`, from their latest `user.upserted`; in the range, `total_sessions` (`user.session` \
     events, `login` and `session` kinds), `total_executions` (`agent.execution` events) and `credits_consumed` \
     (their credits, in credit units); of all time, `last_active`, the user's newest session, execution or API \
     request (`null` if none), and `favorite_agents`, the three agents the user ran most (ties by agent id). `activity_type` keeps only the users \
     with at least one `login` session (`login`), execution (`execution`) or API request (`api_call`) in the range. \
     Sorted by `sort_by` (default total_executions) in `order` (default desc), ties by user_id ascending; a user \
     never active is older than any instant. `users` is the page asked for (`page`, `per_page` 1 to 100, default \
     20), and `total`, `page`, `per_page` and `pages` place it in the whole list: the pagination fields of every \
     list, with the list under the seed's name `users` instead of `items`. `activity_summary` is the whole \
     workspace's, whatever the filters: `dau`, `wau` and `mau` are exact distinct counts of the users active (a \
     session, an agent execution or an API request naming them) on the range end's local day, in the ISO week \
     (Monday to Sunday) holding it, and in its calendar month; `avg_session_duration` is the mean `duration_s` of the \
     range's sessions that carry one, in minutes (1 decimal), `null` without any. Cached 60 s per workspace and \
     variant.";
const ENGAGEMENT_DOC: &str = "Signup cohorts whose signup day (`cohort=daily`) or signup week's Monday (`cohort=weekly`, \
     the default) is within `start`..`end` (local dates of the workspace's zone, inclusive, at most 400 days; \
     default the 30 days ending today). A user's signup day is the local day of the earliest `signed_up_at` of their \
     `user.upserted` events (an upsert without one counts its own instant); a user is active on a local day with a \
     session, an agent execution or an API request naming them. `cohort_analysis.cohorts` lists the cohorts with \
     users, oldest first: `cohort_date` (the signup day, or the Monday of the signup week), `users`, and \
     `retention[k]`, the percent of the cohort active on day k after the signup day (day 0 is the signup day) or in \
     week k after the signup week (week 0 is the signup week; activity before the signup day counts in no period), \
     for k from 0 to the current day or week, at most 30 days or 12 weeks: the array's length shows the cohort's \
     age. Classic N-day retention: `engagement_metrics` is over the range's daily cohorts, whatever `cohort` says: \
     `activation_rate` = users who ran an agent on days 0 to 6 after signing up / users × 100; `retention_day_N` \
     (N = 1, 7, 30) = users active on day N after signing up / users × 100, over the cohorts that signed up at \
     least N days before today (a younger cohort has no day N yet; day N may be today). Percentages have 1 \
     decimal; a rate with no users to divide by is `null`. `meta.watermark` is `null`: cohorts hold no instant. \
     Cached 60 s per workspace and variant.";

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route<UsersState>> {
    vec![
        Route::get("/api/v1/dashboard/users/activity", activity)
            .roles(ROLES)
            .doc("Users' activity, DAU, WAU and MAU", ACTIVITY_DOC)
            .query::<WorkspaceQuery>()
            .query::<ActivityParams>()
            .query::<DatesQuery>()
            .query::<Page<UserSortKeys>>()
            .returns_view::<UsersActivity>(&ACTIVITY, "A page of users and the workspace's summary."),
        Route::get("/api/v1/dashboard/users/engagement", engagement)
            .roles(ROLES)
            .doc("Activation, retention and signup cohorts", ENGAGEMENT_DOC)
            .query::<WorkspaceQuery>()
            .query::<EngagementParams>()
            .query::<DatesQuery>()
            .returns_view::<UserEngagement>(&ENGAGEMENT, "Engagement metrics and the cohort table."),
    ]
}

pub fn router(state: UsersState) -> Router {
    web::router(route_table(), state)
}

/// What `users/activity` sorts by.
pub struct UserSortKeys;

impl SortKeys for UserSortKeys {
    const ALLOWED: &'static [&'static str] = UserSort::NAMES;
    const DEFAULT: &'static str = UserSort::DEFAULT.as_str();
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
struct ActivityParams {
    /// Only these users: 1 to 100 comma-separated ids (spaces around them allowed).
    #[cfg_attr(
        feature = "openapi",
        param(
            value_type = Option<String>,
            pattern = "^ *[A-Za-z0-9._:@-]{1,128} *(, *[A-Za-z0-9._:@-]{1,128} *){0,99}$",
            example = "u_admin,u_manager"
        )
    )]
    user_ids: Option<UserIds>,
    /// Only users with a `login` session, an `execution` or an `api_call` in the range.
    #[cfg_attr(feature = "openapi", param(inline))]
    activity_type: Option<ActivityType>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
struct EngagementParams {
    /// Cohorts by signup day or by signup week (default `weekly`).
    #[cfg_attr(feature = "openapi", param(inline))]
    cohort: Option<CohortPeriod>,
}

/// `user_ids`: 1 to [`MAX_USER_IDS`] ids, comma-separated, spaces around them allowed (the
/// pattern documented above), each kept once.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserIds(Vec<String>);

impl<'de> Deserialize<'de> for UserIds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let named: Vec<&str> = text.split(',').map(|id| id.trim_matches(' ')).collect();
        if named.len() > MAX_USER_IDS {
            return Err(serde::de::Error::custom(format!("names more than {MAX_USER_IDS} users")));
        }
        let mut ids: Vec<String> = Vec::new();
        for id in named {
            if !is_valid_id(id) {
                return Err(serde::de::Error::custom(
                    "must be comma-separated ids of 1 to 128 letters, digits and . _ : @ -",
                ));
            }
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
        }
        Ok(UserIds(ids))
    }
}

/// `users/activity`'s data: a page of the users, in the kit's pagination ([`Paginated`]) with the
/// list named `users` as the seed has it, and the workspace's summary.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsersActivity {
    /// The page's users.
    pub users: Vec<UserActivity>,
    /// Users in the whole list.
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    /// Pages in the whole list (0 for an empty one).
    pub pages: u32,
    pub activity_summary: UserActivitySummary,
}

impl UsersActivity {
    fn new(page: Paginated<UserActivity>, activity_summary: UserActivitySummary) -> UsersActivity {
        let Paginated { items, total, page, per_page, pages } = page;
        UsersActivity { users: items, total, page, per_page, pages, activity_summary }
    }
}

/// The request's dates as a cache variant: as asked (a default is resolved by the view).
fn dates_variant(dates: &DatesQuery) -> String {
    let bound = |date: Option<jiff::civil::Date>| date.map_or_else(|| "-".to_owned(), |date| date.to_string());
    format!("{}..{}", bound(dates.start), bound(dates.end))
}

async fn activity(
    State(state): State<UsersState>,
    OwnWorkspace(ws): OwnWorkspace,
    ApiQuery(params): ApiQuery<ActivityParams>,
    dates: DatesQuery,
    page: Page<UserSortKeys>,
) -> Result<Response, ApiError> {
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let query = ActivityQuery {
        user_ids: params.user_ids.map(|UserIds(ids)| ids),
        activity_type: params.activity_type,
        range: dates.requested(),
        sort: UserSort::from_name(page.sort_by).unwrap_or(UserSort::DEFAULT),
        descending: page.order == Order::Desc,
    };
    let mut named = query.user_ids.clone().unwrap_or_default();
    named.sort_unstable();
    let variant = format!(
        "{}|users={}|type={}|{}:{:?}|{}x{}",
        dates_variant(&dates),
        named.join(","),
        query.activity_type.map_or("any", ActivityType::as_str),
        query.sort.as_str(),
        page.order,
        page.page,
        page.per_page
    );
    let view = async {
        let Viewed { body: ranked, meta } = users::ranked_activity(store, &ws, &query, now).await?;
        let mut listed = page.of(ranked.users);
        users::add_favorite_agents(store, &ws, &mut listed.items).await?;
        Ok(Viewed { body: UsersActivity::new(listed, ranked.activity_summary), meta })
    };
    ACTIVITY.respond(state.cache.as_ref(), now, &ws, "users", Some(variant), view).await
}

async fn engagement(
    State(state): State<UsersState>,
    OwnWorkspace(ws): OwnWorkspace,
    ApiQuery(params): ApiQuery<EngagementParams>,
    dates: DatesQuery,
) -> Result<Response, ApiError> {
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let period = params.cohort.unwrap_or_default();
    let variant = format!("{}|{period:?}", dates_variant(&dates));
    let view = async { Ok(users::engagement(store, &ws, period, dates.requested(), now).await?) };
    ENGAGEMENT.respond(state.cache.as_ref(), now, &ws, "cohorts", Some(variant), view).await
}
