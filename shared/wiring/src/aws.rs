//! The ports on AWS, one constructor per port, each behind the feature of its SDK: a Lambda asks
//! for the ports it uses and links only those SDKs. A port whose settings are missing is an
//! error at start, naming the variable.

use std::sync::Arc;

use aws_config::SdkConfig;

use crate::config::{AwsSettings, ConfigError, Lookup, env};

/// The SDK configuration and the settings of every AWS port.
pub struct Aws {
    pub sdk: SdkConfig,
    pub settings: AwsSettings,
}

impl Aws {
    /// From the environment: `TABLE_NAME` is required; the SDK's own variables say where.
    pub async fn from_env() -> Result<Aws, ConfigError> {
        Aws::from_lookup(&env).await
    }

    pub async fn from_lookup(lookup: Lookup<'_>) -> Result<Aws, ConfigError> {
        let settings = AwsSettings::from_lookup(lookup)?;
        Ok(Aws { sdk: aws_adapters::sdk_config().await, settings })
    }
}

#[cfg(feature = "dynamodb")]
mod dynamodb {
    use aws_adapters::dynamo::{DynamoCache, DynamoConnections, DynamoStore, TimeToLive};
    use domain::ports::{Cache, Connections, RollupStore};

    use super::*;

    impl Aws {
        fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
            aws_sdk_dynamodb::Client::new(&self.sdk)
        }

        /// The rollup store; with `DYNAMODB_CREATE_TABLE=1`, creates the table first if missing.
        pub async fn store(&self) -> Result<Arc<dyn RollupStore>, ConfigError> {
            if self.settings.create_table {
                aws_adapters::dynamo::create_table_if_missing(&self.dynamodb(), &self.settings.table, TimeToLive::On)
                    .await
                    .map_err(|error| ConfigError::Unavailable {
                        what: "the DynamoDB table",
                        reason: error.to_string(),
                    })?;
            }
            Ok(Arc::new(DynamoStore::new(self.dynamodb(), &self.settings.table)))
        }

        pub fn cache(&self) -> Arc<dyn Cache> {
            Arc::new(DynamoCache::new(self.dynamodb(), &self.settings.table))
        }

        pub fn connections(&self) -> Arc<dyn Connections> {
            Arc::new(DynamoConnections::new(self.dynamodb(), &self.settings.table))
        }
    }
}

#[cfg(feature = "sqs")]
impl Aws {
    /// The export queue (`EXPORTS_QUEUE_URL` and `EXPORTS_DLQ_URL`).
    pub fn queue(&self) -> Result<Arc<dyn domain::ports::Queue>, ConfigError> {
        let queue =
            self.settings.exports_queue_url.as_ref().ok_or(ConfigError::Missing { name: "EXPORTS_QUEUE_URL" })?;
        let dead =
            self.settings.exports_dead_letter_url.as_ref().ok_or(ConfigError::Missing { name: "EXPORTS_DLQ_URL" })?;
        let client = aws_sdk_sqs::Client::new(&self.sdk);
        Ok(Arc::new(aws_adapters::sqs::SqsQueue::new(client, queue, dead)))
    }
}

#[cfg(feature = "s3")]
impl Aws {
    /// The bucket of export files (`EXPORTS_BUCKET`).
    pub fn blobs(&self) -> Result<Arc<dyn domain::ports::Blobs>, ConfigError> {
        let bucket = self.settings.exports_bucket.as_ref().ok_or(ConfigError::Missing { name: "EXPORTS_BUCKET" })?;
        let config =
            aws_sdk_s3::config::Builder::from(&self.sdk).force_path_style(self.settings.s3_force_path_style).build();
        Ok(Arc::new(aws_adapters::s3::S3Blobs::new(aws_sdk_s3::Client::from_conf(config), bucket)))
    }
}

#[cfg(feature = "push")]
impl Aws {
    /// Pushes to WebSocket clients (`WEBSOCKET_ENDPOINT`).
    pub fn push(&self) -> Result<Arc<dyn domain::ports::Push>, ConfigError> {
        let endpoint =
            self.settings.websocket_endpoint.as_ref().ok_or(ConfigError::Missing { name: "WEBSOCKET_ENDPOINT" })?;
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(&self.sdk).endpoint_url(endpoint).build();
        let client = aws_sdk_apigatewaymanagement::Client::from_conf(config);
        Ok(Arc::new(aws_adapters::push::ApiGatewayPush::new(client)))
    }
}

#[cfg(feature = "ssm")]
impl Aws {
    /// The token verifier (`JWT_*`), its HS256 secret read from SSM at start when
    /// `JWT_SECRET_PARAMETER` names it.
    pub async fn authenticator(&self) -> Result<Arc<web::Authenticator>, ConfigError> {
        let settings = crate::config::AuthSettings::from_lookup(&env)?;
        let secret = match &settings.secret_parameter {
            Some(name) => Some(read_secret_parameter(&self.sdk, name).await?),
            None => None,
        };
        settings.authenticator(secret)
    }
}

#[cfg(feature = "ssm")]
async fn read_secret_parameter(sdk: &SdkConfig, name: &str) -> Result<String, ConfigError> {
    let output = aws_sdk_ssm::Client::new(sdk).get_parameter().name(name).with_decryption(true).send().await.map_err(
        |error| ConfigError::Invalid {
            name: "JWT_SECRET_PARAMETER",
            reason: aws_sdk_ssm::error::DisplayErrorContext(error).to_string(),
        },
    )?;
    output
        .parameter
        .and_then(|parameter| parameter.value)
        .ok_or(ConfigError::Invalid { name: "JWT_SECRET_PARAMETER", reason: format!("parameter {name} has no value") })
}
