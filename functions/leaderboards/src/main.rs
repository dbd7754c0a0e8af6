//! Lambda entry point of the leaderboards function: its ports are the DynamoDB store and cache and
//! the token verifier (secret from SSM), nothing else.

use std::sync::Arc;

use domain::ports::SystemClock;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    wiring::telemetry::init();
    let aws = wiring::aws::Aws::from_env().await?;
    let state = leaderboards::LeaderboardsState {
        auth: aws.authenticator().await?,
        store: aws.store().await?,
        cache: aws.cache(),
        clock: Arc::new(SystemClock),
    };
    lambda_http::run(web::with_common_layers(leaderboards::router(state))).await
}
