//! Lambda entry point of the comprehensive function: its ports are the DynamoDB store and the
//! token verifier (secret from SSM), nothing else (the page is never cached).

use std::sync::Arc;

use domain::ports::SystemClock;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    wiring::telemetry::init();
    let aws = wiring::aws::Aws::from_env().await?;
    let state = comprehensive::PageState {
        auth: aws.authenticator().await?,
        store: aws.store().await?,
        clock: Arc::new(SystemClock),
    };
    lambda_http::run(web::with_common_layers(comprehensive::router(state))).await
}
