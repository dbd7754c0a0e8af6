//! Lambda entry point of the rollups function (EventBridge schedule). It serves no request, so it
//! opens only the rollup store: no token settings, no secret.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    wiring::telemetry::init();
    let store = wiring::aws::Aws::from_env().await?.store().await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<EventBridgeEvent>| {
        let store = store.clone();
        async move { Ok::<_, lambda_runtime::Error>(rollups::handle_schedule(store.as_ref(), event.payload).await?) }
    }))
    .await
}
