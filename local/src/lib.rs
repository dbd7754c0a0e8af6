//! The local runtime: every function's routes on one port, as API Gateway routes them in
//! production, with the API's documentation, plus the scheduled work in-process. Tests build the
//! very same app.

pub mod demo;
pub mod docs;
pub mod registry;
pub mod server;

use std::time::Duration;

use axum::Router;
use web::Ports;

/// Every route of every function, the documentation, and `storage_routes` (what the storage
/// serves itself, such as the blob folder's download links: see `wiring::host::Runtime`), with
/// the layers each Lambda host adds.
pub fn app(ports: &Ports, storage_routes: Router) -> Router {
    let api = registry::FUNCTIONS
        .iter()
        .filter_map(|function| function.router)
        .fold(Router::new(), |app, router| app.merge(router(ports)));
    web::with_common_layers(api.merge(docs::routes()).merge(storage_routes))
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
