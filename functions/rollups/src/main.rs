//! Lambda entry point of the rollups function (EventBridge schedule).

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    wiring::init_tracing();
    let services = wiring::services_from_env().await?;
    let store = services.store;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let store = store.clone();
        async move {
            let report = rollups::run_once(store.as_ref()).await?;
            tracing::info!(folded = report.folded, deferred = report.deferred, more_due = report.more_due, id = ?event.payload.get("id"), "rollups run");
            Ok::<_, lambda_runtime::Error>(serde_json::to_value(report)?)
        }
    }))
    .await
}
