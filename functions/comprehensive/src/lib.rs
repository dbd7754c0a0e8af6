//! Seed 001, a call-centre SaaS's comprehensive dashboard:
//! - `GET /api/dashboard/comprehensive/` (admin, manager, user, agent): the whole page in one
//!   call, chosen by the caller's role: `admin_comprehensive` for admins and managers,
//!   `user_comprehensive` (only the caller's own data) for users, `agent_comprehensive` for agents
//!   (404 `Agent profile not found` for an agent without an `agent.upserted` of their id). The
//!   definitions are those of [`domain::views::call_centre`]. Never cached, as the seed says: each
//!   call reads the rollups afresh (a handful of reads, issued at once).

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::response::Response;
use domain::ports::{Clock, RollupStore};
use domain::views::call_centre::{Page, admin, agent, user};
use domain::views::{ViewError, Viewed};
use jiff::SignedDuration;
use web::{ApiError, Authenticator, CachedView, Caller, Envelope, ErrorCode, Ports, Role, Route};

/// The page: never cached (`meta.cache` is `bypass`), its body at the top level as the seed shows.
pub const PAGE: CachedView = CachedView::new("comprehensive", SignedDuration::ZERO, Envelope::Bare);

/// The ports this function uses.
#[derive(Clone, FromRef)]
pub struct PageState {
    pub auth: Arc<Authenticator>,
    pub store: Arc<dyn RollupStore>,
    pub clock: Arc<dyn Clock>,
}

impl From<&Ports> for PageState {
    fn from(ports: &Ports) -> Self {
        PageState { auth: ports.auth.clone(), store: ports.store.clone(), clock: ports.clock.clone() }
    }
}

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route<PageState>> {
    vec![
        Route::get("/api/dashboard/comprehensive/", get_page)
            .roles(&[Role::Admin, Role::Manager, Role::User, Role::Agent])
            .doc(
                "The whole dashboard page, by role",
                "One call for the page. Admins and managers get `admin_comprehensive` (the workspace's \
                 users, subscriptions, revenue, calls, agents, customers and callbacks); users get \
                 `user_comprehensive` (only their own profile, subscription, AI agent, calls, customers, \
                 callbacks and billing, shown whole); agents get `agent_comprehensive` (their call queue, \
                 own performance and assigned callbacks; 404 `Agent profile not found` without an \
                 `agent.upserted` whose agent_id is the caller). Today, this week (ISO, Monday first) and \
                 this month are local to the workspace's zone. Successful calls ended converted, \
                 interested or completed. Revenue is the amount of payments whose latest record is paid, \
                 on the local day of that record. Overdue callbacks are still scheduled and due before \
                 now. Trends compare the last 7 local days with the 7 before: more than 10 % higher is \
                 up, lower is down, else flat. Customers' phone numbers and emails are masked for roles \
                 that do not own them (`+1******890`). `data_freshness` is real_time when the newest \
                 event included is at most 5 minutes old, recent within an hour, stale beyond, no_data \
                 without events. Never cached.",
            )
            .errors(&[ErrorCode::NotFound])
            .returns_view::<Page>(&PAGE, "The caller's page."),
    ]
}

pub fn router(state: PageState) -> Router {
    web::router(route_table(), state)
}

async fn get_page(State(state): State<PageState>, caller: Caller) -> Result<Response, ApiError> {
    let (store, now, ws) = (state.store.as_ref(), state.clock.now(), &caller.workspace);
    let page = async {
        let viewed = match caller.role {
            Role::Admin | Role::Manager => {
                boxed(admin::admin_page(store, ws, (&caller.user_id, caller.role.as_str()), now).await, Page::Admin)?
            }
            Role::User => boxed(user::user_page(store, ws, &caller.user_id, now).await, Page::User)?,
            Role::Agent => match agent::agent_page(store, ws, &caller.user_id, now).await? {
                Some(viewed) => boxed(Ok(viewed), Page::Agent)?,
                None => return Err(agent_without_profile()),
            },
            // The route's roles keep every other role out before the handler runs.
            Role::Viewer | Role::Service => return Err(ApiError::forbidden("this role has no comprehensive page")),
        };
        Ok(viewed)
    };
    PAGE.respond_uncached(page).await
}

/// A view's answer as one variant of [`Page`].
fn boxed<T>(viewed: Result<Viewed<T>, ViewError>, page: fn(Box<T>) -> Page) -> Result<Viewed<Page>, ApiError> {
    let Viewed { body, meta } = viewed?;
    Ok(Viewed { body: page(Box::new(body)), meta })
}

fn agent_without_profile() -> ApiError {
    ApiError::not_found("Agent profile not found")
        .with_details(serde_json::json!({"hint": "Please contact admin to set up your agent profile"}))
}
