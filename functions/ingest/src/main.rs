//! Lambda entry point of the ingest function.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    wiring::init_tracing();
    let services = wiring::services_from_env().await?;
    lambda_http::run(web::with_common_layers(ingest::routes(services))).await
}
