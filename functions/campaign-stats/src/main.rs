//! Lambda entry point of the campaign-stats function.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    wiring::init_tracing();
    let services = wiring::services_from_env().await?;
    lambda_http::run(web::with_common_layers(campaign_stats::routes(services))).await
}
