//! The local runtime: every function's routes merged on one port, as API Gateway routes them in
//! production, plus the scheduled work in-process. Tests build the very same app.

pub mod demo;
pub mod server;

use std::time::Duration;

use axum::Router;
use web::Services;

/// Every route of every function, plus `storage_routes` (what the storage serves itself, such as
/// the embedded blobs' download links: see `wiring::Runtime`), with the layers each Lambda host
/// adds.
pub fn app(services: Services, storage_routes: Router) -> Router {
    let routes = Router::new()
        .merge(ingest::routes(services.clone()))
        .merge(campaign_stats::routes(services))
        .merge(storage_routes);
    web::with_common_layers(routes)
}

/// Runs the rollups function every `interval`, as the EventBridge schedule does in AWS.
pub async fn run_rollups_schedule(services: Services, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match rollups::run_once(services.store.as_ref()).await {
            Ok(report) if report.folded + report.deferred > 0 => {
                tracing::info!(folded = report.folded, deferred = report.deferred, "rollups run");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "rollups run failed; next tick retries"),
        }
    }
}
