//! The local runtime: every function's routes on one port, as API Gateway routes them in
//! production, with the API's documentation and the dashboard page, plus the scheduled work
//! in-process. Tests build the very same app.

pub mod dashboard_page;
pub mod demo;
pub mod dev_token;
pub mod docs;
mod embedded_assets;
pub mod registry;
pub mod server;

use std::time::Duration;

use axum::Router;
use web::Ports;

/// Every route of every function, the documentation, the dashboard page, and `host_routes` (what
/// the host serves beside them: the storage's own routes, such as the blob folder's download links
/// (see `wiring::host::Runtime`), and `dev_token::routes`), with the layers each Lambda host adds.
pub fn app(ports: &Ports, host_routes: Router) -> Router {
    let api = registry::FUNCTIONS
        .iter()
        .filter_map(|function| function.router)
        .fold(Router::new(), |app, router| app.merge(router(ports)));
    web::with_common_layers(api.merge(docs::routes()).merge(dashboard_page::routes()).merge(host_routes))
}

/// Runs the rollups function every `interval`, as the EventBridge schedule does in AWS.
pub async fn run_rollups_schedule(ports: Ports, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match rollups::run_once(ports.store.as_ref()).await {
            Ok(report) if report.folded + report.deferred + report.failed > 0 => {
                tracing::info!(
                    folded = report.folded,
                    deferred = report.deferred,
                    failed = report.failed,
                    "rollups run"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "rollups run failed; next tick retries"),
        }
    }
}
