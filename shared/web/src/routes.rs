//! A function's route table: the router is built from it, and the infrastructure template's
//! routes are checked against it (`tests/tests/suite/template.rs`), so the two cannot drift.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::MethodRouter;

use crate::Services;

pub struct Route {
    pub method: Method,
    /// In axum's and API Gateway's common syntax: `/api/campaigns/{campaign_id}/stats`.
    pub path: &'static str,
    handler: MethodRouter<Services>,
}

impl Route {
    pub fn get<H: Handler<T, Services>, T: 'static>(path: &'static str, handler: H) -> Route {
        Route { method: Method::GET, path, handler: axum::routing::get(handler) }
    }

    pub fn post<H: Handler<T, Services>, T: 'static>(path: &'static str, handler: H) -> Route {
        Route { method: Method::POST, path, handler: axum::routing::post(handler) }
    }
}

/// The router of a route table (routes on one path merge their methods).
pub fn router(table: Vec<Route>) -> Router<Services> {
    table.into_iter().fold(Router::new(), |router, route| router.route(route.path, route.handler))
}
