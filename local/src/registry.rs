//! Every function the product deploys, by name (its crate's, its binary's and the template's
//! `Binary:`), with its route table. The local runtime serves their routes from here; the template
//! test, the OpenAPI document and the authorization matrix test read their tables from here.
//! Adding a function is its crate, a line here (and one in `local/Cargo.toml`), and its block in
//! `infra/template.yaml`.

use axum::Router;
use serde_json::Value;
use web::{Ports, RouteSpec};

pub struct Function {
    pub name: &'static str,
    /// Its routes; none for a function that serves no HTTP (a schedule).
    pub routes: fn() -> Vec<RouteSpec>,
    /// Its router over the host's ports; `None` without routes.
    pub router: Option<fn(&Ports) -> Router>,
}

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "ingest",
        routes: || web::specs(ingest::route_table()),
        router: Some(|ports| ingest::router(ports.into())),
    },
    Function {
        name: "campaign-stats",
        routes: || web::specs(campaign_stats::route_table()),
        router: Some(|ports| campaign_stats::router(ports.into())),
    },
    Function {
        name: "campaigns",
        routes: || web::specs(campaigns::route_table()),
        router: Some(|ports| campaigns::router(ports.into())),
    },
    Function {
        name: "comprehensive",
        routes: || web::specs(comprehensive::route_table()),
        router: Some(|ports| comprehensive::router(ports.into())),
    },
    Function {
        name: "users",
        routes: || web::specs(users::route_table()),
        router: Some(|ports| users::router(ports.into())),
    },
    Function {
        name: "executive",
        routes: || web::specs(executive::route_table()),
        router: Some(|ports| executive::router(ports.into())),
    },
    Function {
        name: "workspace",
        routes: || web::specs(workspace::route_table()),
        router: Some(|ports| workspace::router(ports.into())),
    },
    Function {
        name: "agents",
        routes: || web::specs(agents::route_table()),
        router: Some(|ports| agents::router(ports.into())),
    },
    Function {
        name: "leaderboards",
        routes: || web::specs(leaderboards::route_table()),
        router: Some(|ports| leaderboards::router(ports.into())),
    },
    Function { name: "rollups", routes: Vec::new, router: None },
];

/// The function called `name`.
pub fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|function| function.name == name)
}

/// The OpenAPI 3.1 document of every function's routes.
pub fn openapi() -> Value {
    let functions: Vec<(&str, Vec<RouteSpec>)> =
        FUNCTIONS.iter().map(|function| (function.name, (function.routes)())).collect();
    let document = web::routes::openapi::document(
        "Analytics API",
        env!("CARGO_PKG_VERSION"),
        "Dashboards' analytics, computed from pushed events (see the project's README). Every \
         route takes a bearer JWT; errors answer in one envelope.",
        &functions,
    );
    web::routes::openapi::to_json(&document)
}
