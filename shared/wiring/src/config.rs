//! Configuration: typed, read once at start, failing fast with a message that names the
//! variable. The infrastructure template sets these in Lambda; the local runtime supplies
//! development defaults for the ones a laptop lacks.
//!
//! | variable | meaning |
//! |---|---|
//! | `JWT_SECRET` | HS256 secret, at least 32 bytes |
//! | `JWT_SECRET_PARAMETER` | instead of `JWT_SECRET`: the name of an SSM SecureString holding it, read once at start |
//! | `JWT_JWKS` / `JWT_JWKS_FILE` | a JWKS document (inline / path) for RS256 tokens, keys by `kid` |
//! | `JWT_ISSUER`, `JWT_AUDIENCE` | required `iss` and `aud` |
//! | `TABLE_NAME` | DynamoDB: the table (`infra/template.yaml`, layout in `infra/DATA_MODEL.md`) |
//! | `DYNAMODB_CREATE_TABLE` | `1`: create the table if missing (emulators, a fresh account's demo; never in Lambda) |
//! | `EXPORTS_QUEUE_URL`, `EXPORTS_DLQ_URL` | the export queue and its dead-letter queue (SQS) |
//! | `EXPORTS_BUCKET` | the bucket of export files (S3) |
//! | `S3_FORCE_PATH_STYLE` | `1`: path-style S3 URLs (emulators) |
//! | `WEBSOCKET_ENDPOINT` | the WebSocket API's management endpoint (`https://{id}.execute-api.{region}.amazonaws.com/{stage}`) |
//! | `LOG_FORMAT` | `json` for JSON lines, else human-readable; `RUST_LOG` filters |
//!
//! The local runtime adds `STORAGE`, `DATA_DIR` and `PUBLIC_BASE_URL` (see `local`). On AWS,
//! region, credentials and endpoints come from the SDK's own variables (`AWS_REGION`,
//! `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB`, ...).

use std::sync::Arc;

use jsonwebtoken::jwk::JwkSet;
use web::auth::AuthConfigError;
use web::{AuthConfig, Authenticator};

/// What stops a process at start. Its `Debug` is its message: it is what a `main` returning this
/// error prints.
#[derive(thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is required")]
    Missing { name: &'static str },
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error(transparent)]
    Auth(#[from] AuthConfigError),
    #[error("{what} could not be opened: {reason}")]
    Unavailable { what: &'static str, reason: String },
}

impl std::fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// How configuration is read: the environment, or it with defaults (the local runtime's).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The environment.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A variable's value, `None` when unset or blank.
pub fn var(lookup: Lookup, name: &str) -> Option<String> {
    lookup(name).filter(|value| !value.trim().is_empty())
}

/// `1`, `true` or `yes`.
pub fn flag(lookup: Lookup, name: &str) -> bool {
    var(lookup, name).is_some_and(|value| matches!(value.as_str(), "1" | "true" | "yes"))
}

pub fn required(lookup: Lookup, name: &'static str) -> Result<String, ConfigError> {
    var(lookup, name).ok_or(ConfigError::Missing { name })
}

/// Token settings (`JWT_*`).
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub config: AuthConfig,
    /// Where to read the HS256 secret from at start when it is not given inline.
    pub secret_parameter: Option<String>,
}

impl AuthSettings {
    pub fn from_lookup(lookup: Lookup) -> Result<AuthSettings, ConfigError> {
        let jwks = match (var(lookup, "JWT_JWKS"), var(lookup, "JWT_JWKS_FILE")) {
            (Some(inline), _) => Some(parse_jwks("JWT_JWKS", &inline)?),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(&path).map_err(|error| ConfigError::Invalid {
                    name: "JWT_JWKS_FILE",
                    reason: format!("{path}: {error}"),
                })?;
                Some(parse_jwks("JWT_JWKS_FILE", &text)?)
            }
            (None, None) => None,
        };
        let config = AuthConfig {
            hs256_secret: var(lookup, "JWT_SECRET").map(String::into_bytes),
            jwks,
            issuer: required(lookup, "JWT_ISSUER")?,
            audience: required(lookup, "JWT_AUDIENCE")?,
        };
        let secret_parameter = var(lookup, "JWT_SECRET_PARAMETER").filter(|_| config.hs256_secret.is_none());
        Ok(AuthSettings { config, secret_parameter })
    }

    /// The authenticator, with the secret read from `secret_parameter` if it came from there.
    pub fn authenticator(self, parameter_secret: Option<String>) -> Result<Arc<Authenticator>, ConfigError> {
        let mut config = self.config;
        if let Some(secret) = parameter_secret {
            config.hs256_secret = Some(secret.into_bytes());
        }
        Ok(Arc::new(Authenticator::new(config)?))
    }
}

fn parse_jwks(name: &'static str, text: &str) -> Result<JwkSet, ConfigError> {
    serde_json::from_str(text).map_err(|error| ConfigError::Invalid { name, reason: error.to_string() })
}

/// Where the AWS adapters point (`TABLE_NAME` and the rest).
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    pub table: String,
    pub create_table: bool,
    pub exports_queue_url: Option<String>,
    pub exports_dead_letter_url: Option<String>,
    pub exports_bucket: Option<String>,
    pub websocket_endpoint: Option<String>,
    pub s3_force_path_style: bool,
}

impl AwsSettings {
    pub fn from_lookup(lookup: Lookup) -> Result<AwsSettings, ConfigError> {
        Ok(AwsSettings {
            table: required(lookup, "TABLE_NAME")?,
            create_table: flag(lookup, "DYNAMODB_CREATE_TABLE"),
            exports_queue_url: var(lookup, "EXPORTS_QUEUE_URL"),
            exports_dead_letter_url: var(lookup, "EXPORTS_DLQ_URL"),
            exports_bucket: var(lookup, "EXPORTS_BUCKET"),
            websocket_endpoint: var(lookup, "WEBSOCKET_ENDPOINT"),
            s3_force_path_style: flag(lookup, "S3_FORCE_PATH_STYLE"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_invalid_variable_is_named() {
        let none = |_: &str| None;
        let missing = AwsSettings::from_lookup(&none).expect_err("no table");
        assert!(matches!(missing, ConfigError::Missing { name: "TABLE_NAME" }));
        assert_eq!(format!("{missing:?}"), "TABLE_NAME is required", "what main prints when it stops");
        assert!(matches!(AuthSettings::from_lookup(&none), Err(ConfigError::Missing { name: "JWT_ISSUER" })));
        let bad_jwks = |name: &str| match name {
            "JWT_ISSUER" | "JWT_AUDIENCE" => Some("x".to_owned()),
            "JWT_JWKS" => Some("{not json".to_owned()),
            _ => None,
        };
        assert!(matches!(AuthSettings::from_lookup(&bad_jwks), Err(ConfigError::Invalid { name: "JWT_JWKS", .. })));
        let weak = |name: &str| match name {
            "JWT_ISSUER" | "JWT_AUDIENCE" => Some("x".to_owned()),
            "JWT_SECRET" => Some("short".to_owned()),
            _ => None,
        };
        let settings = AuthSettings::from_lookup(&weak).expect("read");
        assert!(matches!(settings.authenticator(None), Err(ConfigError::Auth(AuthConfigError::WeakSecret))));
    }

    #[test]
    fn the_aws_settings_read_what_is_given() {
        let lookup = |name: &str| match name {
            "TABLE_NAME" => Some("analytics".to_owned()),
            "EXPORTS_BUCKET" => Some("exports".to_owned()),
            "S3_FORCE_PATH_STYLE" => Some("1".to_owned()),
            "EXPORTS_QUEUE_URL" => Some("  ".to_owned()),
            _ => None,
        };
        let aws = AwsSettings::from_lookup(&lookup).expect("settings");
        assert_eq!((aws.table.as_str(), aws.exports_bucket.as_deref()), ("analytics", Some("exports")));
        assert!(aws.s3_force_path_style && !aws.create_table);
        assert_eq!(aws.exports_queue_url, None, "blank is unset");
    }
}
