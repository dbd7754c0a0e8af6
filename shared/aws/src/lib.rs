//! AWS adapters of the ports: DynamoDB for the rollup store, the cache and the connection
//! registry; SQS for the queue (and the worker shape Lambda's SQS trigger wants); S3 for blobs
//! behind presigned links; the API Gateway management API for pushes. They translate; every
//! decision lives in `domain`. The table layout is documented in `infra/DATA_MODEL.md`.

#[cfg(feature = "dynamodb")]
pub mod dynamo;
#[cfg(feature = "push")]
pub mod push;
#[cfg(feature = "dynamodb")]
mod retry;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "sqs")]
pub mod sqs;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use aws_smithy_http_client::tls;

/// The SDK configuration every client is built from: region, credentials and endpoints from the
/// environment (`AWS_REGION`, `AWS_ENDPOINT_URL[_<SERVICE>]`, ...), bounded time per attempt and
/// per operation, and the standard retry mode (exponential backoff with jitter on throttling and
/// transient errors).
pub async fn sdk_config() -> SdkConfig {
    config_loader().load().await
}

/// [`sdk_config`] before loading, for callers that set endpoints or credentials themselves
/// (tests against emulators).
pub fn config_loader() -> ConfigLoader {
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_attempt_timeout(Duration::from_secs(3))
                .operation_timeout(Duration::from_secs(10))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(4))
}
