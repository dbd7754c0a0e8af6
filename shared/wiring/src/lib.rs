//! Configuration: typed, read from the environment once, failing fast with a message that names
//! the variable. The infrastructure template sets these in Lambda; the local runtime supplies
//! development defaults for the ones a laptop lacks.
//!
//! | variable | meaning |
//! |---|---|
//! | `STORAGE` | `sqlite` (default) or `dynamodb` (AWS, or emulators through `AWS_ENDPOINT_URL`) |
//! | `DATA_DIR` | folder of the SQLite file (`analytics.db`) and of the blobs (`blobs/`); default `./data` |
//! | `PUBLIC_BASE_URL` | where clients reach this server; the SQLite storage's download links start with it; default `http://127.0.0.1:3000` |
//! | `JWT_SECRET` | HS256 secret, at least 32 bytes |
//! | `JWT_SECRET_PARAMETER` | instead of `JWT_SECRET`: the name of an SSM SecureString holding it, read once at start |
//! | `JWT_JWKS` / `JWT_JWKS_FILE` | a JWKS document (inline / path) for RS256 tokens, keys by `kid` |
//! | `JWT_ISSUER`, `JWT_AUDIENCE` | required `iss` and `aud` |
//! | `LOG_FORMAT` | `json` for JSON lines, else human-readable; `RUST_LOG` filters |
//! | `TABLE_NAME` | `dynamodb`: the table (`infra/template.yaml`, layout in `infra/DATA_MODEL.md`) |
//! | `EXPORTS_QUEUE_URL`, `EXPORTS_DLQ_URL` | `dynamodb`: the export queue and its dead-letter queue |
//! | `EXPORTS_BUCKET` | `dynamodb`: the bucket of export files |
//! | `WEBSOCKET_ENDPOINT` | `dynamodb`: the WebSocket API's management endpoint (`https://{id}.execute-api.{region}.amazonaws.com/{stage}`) |
//! | `DYNAMODB_CREATE_TABLE` | `1`: create the table if missing (emulators, a fresh account's demo; never in Lambda) |
//! | `S3_FORCE_PATH_STYLE` | `1`: path-style S3 URLs (emulators) |
//!
//! With `dynamodb`, region, credentials and endpoints come from the SDK's own variables
//! (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB`, ...). A queue,
//! bucket or WebSocket endpoint left unset is an error only when a function uses it.
//!
//! The SQLite storage keeps every port on the machine: the store, cache, export queue and
//! connection registry in the one file, blobs in a folder whose links are signed with a secret
//! drawn at start (a restart retires outstanding links, which live 15 minutes at most anyway),
//! and push as an in-process hub. Its blob links are served by the process itself, so a process
//! serving HTTP builds a [`Runtime`] and mounts its routes.

use std::path::PathBuf;
use std::sync::Arc;

mod unconfigured;

use aws_adapters::dynamo::{DynamoCache, DynamoConnections, DynamoStore, TimeToLive};
use aws_adapters::push::ApiGatewayPush;
use aws_adapters::s3::S3Blobs;
use aws_adapters::sqs::SqsQueue;
use axum::Router;
use domain::ports::SystemClock;
use embedded::{BlobFolder, Db, PushHub, SqliteCache, SqliteConnections, SqliteQueue, SqliteStore};
use jsonwebtoken::jwk::JwkSet;
use unconfigured::Unconfigured;
use web::auth::AuthConfigError;
use web::{AuthConfig, Authenticator, Services};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is required")]
    Missing { name: &'static str },
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error(transparent)]
    Auth(#[from] AuthConfigError),
    #[error("storage could not be opened: {0}")]
    Storage(#[from] domain::ports::StoreError),
}

/// The queue of export jobs.
const EXPORTS_QUEUE: &str = "exports";
/// An export job received this many times without success is dead-lettered, not retried again.
const EXPORTS_MAX_RECEIVES: u32 = 5;
const DEFAULT_PUBLIC_BASE_URL: &str = "http://127.0.0.1:3000";

#[derive(Debug, Clone)]
pub enum Storage {
    /// `path` is the SQLite file, `blobs` the folder of blobs, linked under `public_base_url`.
    Sqlite { path: PathBuf, blobs: PathBuf, public_base_url: String },
    /// AWS (or emulators): DynamoDB, SQS, S3 and the API Gateway management API.
    Aws(AwsStorage),
}

#[derive(Debug, Clone, Default)]
pub struct AwsStorage {
    pub table: String,
    pub create_table: bool,
    pub exports_queue_url: Option<String>,
    pub exports_dead_letter_url: Option<String>,
    pub exports_bucket: Option<String>,
    pub websocket_endpoint: Option<String>,
    pub s3_force_path_style: bool,
}

impl Storage {
    /// Reads where the ports live (`STORAGE` and what it needs) through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Storage, ConfigError> {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        Ok(match var("STORAGE").as_deref().unwrap_or("sqlite") {
            "sqlite" => {
                let dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "data".to_owned()));
                let public_base_url = parse_base_url(var("PUBLIC_BASE_URL").as_deref())?;
                Storage::Sqlite { path: dir.join("analytics.db"), blobs: dir.join("blobs"), public_base_url }
            }
            "dynamodb" => {
                let flag = |name: &str| var(name).is_some_and(|value| matches!(value.as_str(), "1" | "true" | "yes"));
                Storage::Aws(AwsStorage {
                    table: var("TABLE_NAME").ok_or(ConfigError::Missing { name: "TABLE_NAME" })?,
                    create_table: flag("DYNAMODB_CREATE_TABLE"),
                    exports_queue_url: var("EXPORTS_QUEUE_URL"),
                    exports_dead_letter_url: var("EXPORTS_DLQ_URL"),
                    exports_bucket: var("EXPORTS_BUCKET"),
                    websocket_endpoint: var("WEBSOCKET_ENDPOINT"),
                    s3_force_path_style: flag("S3_FORCE_PATH_STYLE"),
                })
            }
            other => {
                return Err(ConfigError::Invalid {
                    name: "STORAGE",
                    reason: format!("unknown storage {other:?}; use sqlite or dynamodb"),
                });
            }
        })
    }

    /// Opens only the rollup store: for functions that serve no request (the rollups schedule),
    /// so they need neither token settings nor the secret.
    pub async fn open_store(&self) -> Result<Arc<dyn domain::ports::RollupStore>, ConfigError> {
        match self {
            Storage::Sqlite { path, .. } => Ok(Arc::new(SqliteStore::new(open_sqlite(path)?))),
            Storage::Aws(aws) => {
                let dynamo = aws_sdk_dynamodb::Client::new(&aws_adapters::sdk_config().await);
                if aws.create_table {
                    aws_adapters::dynamo::create_table_if_missing(&dynamo, &aws.table, TimeToLive::On).await?;
                }
                Ok(Arc::new(DynamoStore::new(dynamo, &aws.table)))
            }
        }
    }
}

fn open_sqlite(path: &std::path::Path) -> Result<Arc<Db>, ConfigError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|error| ConfigError::Invalid {
            name: "DATA_DIR",
            reason: format!("{}: {error}", dir.display()),
        })?;
    }
    Ok(Db::open(path)?)
}

#[derive(Debug, Clone)]
pub struct Config {
    pub auth: AuthConfig,
    /// Where to read the HS256 secret from at start when it is not given inline.
    pub jwt_secret_parameter: Option<String>,
    pub storage: Storage,
}

impl Config {
    /// Reads the configuration through `lookup` (the environment, or the environment with
    /// development defaults).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let jwks = match (var("JWT_JWKS"), var("JWT_JWKS_FILE")) {
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
        let auth = AuthConfig {
            hs256_secret: var("JWT_SECRET").map(String::into_bytes),
            jwks,
            issuer: var("JWT_ISSUER").ok_or(ConfigError::Missing { name: "JWT_ISSUER" })?,
            audience: var("JWT_AUDIENCE").ok_or(ConfigError::Missing { name: "JWT_AUDIENCE" })?,
        };
        let storage = Storage::from_lookup(&lookup)?;
        let jwt_secret_parameter = var("JWT_SECRET_PARAMETER").filter(|_| auth.hs256_secret.is_none());
        Ok(Config { auth, jwt_secret_parameter, storage })
    }

    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Opens storage and builds every port.
    pub async fn services(&self) -> Result<Services, ConfigError> {
        Ok(self.runtime().await?.services)
    }

    /// Opens storage and builds every port, with the routes the storage needs served.
    pub async fn runtime(&self) -> Result<Runtime, ConfigError> {
        let sdk = match (&self.storage, &self.jwt_secret_parameter) {
            (Storage::Aws(_), _) | (_, Some(_)) => Some(aws_adapters::sdk_config().await),
            _ => None,
        };
        let mut auth_config = self.auth.clone();
        if let (Some(name), Some(sdk)) = (&self.jwt_secret_parameter, &sdk) {
            auth_config.hs256_secret = Some(read_secret_parameter(sdk, name).await?.into_bytes());
        }
        let auth = Arc::new(Authenticator::new(auth_config)?);
        match &self.storage {
            Storage::Aws(aws) => {
                let sdk = sdk.as_ref().expect("loaded for AWS storage");
                Ok(Runtime { services: aws_services(sdk, aws, auth).await?, routes: Router::new() })
            }
            Storage::Sqlite { path, blobs, public_base_url } => {
                let db = open_sqlite(path)?;
                let blobs = BlobFolder::new(blobs, public_base_url)?;
                let routes = blobs.routes();
                let services = Services {
                    auth,
                    store: Arc::new(SqliteStore::new(db.clone())),
                    cache: Arc::new(SqliteCache::new(db.clone())),
                    clock: Arc::new(SystemClock),
                    blobs: Arc::new(blobs),
                    queue: Arc::new(SqliteQueue::new(db.clone(), EXPORTS_QUEUE, EXPORTS_MAX_RECEIVES)),
                    connections: Arc::new(SqliteConnections::new(db)),
                    push: Arc::new(PushHub::new()),
                };
                Ok(Runtime { services, routes })
            }
        }
    }
}

async fn read_secret_parameter(sdk: &aws_config::SdkConfig, name: &str) -> Result<String, ConfigError> {
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

async fn aws_services(
    sdk: &aws_config::SdkConfig,
    aws: &AwsStorage,
    auth: Arc<Authenticator>,
) -> Result<Services, ConfigError> {
    let dynamo = aws_sdk_dynamodb::Client::new(sdk);
    if aws.create_table {
        aws_adapters::dynamo::create_table_if_missing(&dynamo, &aws.table, TimeToLive::On).await?;
    }
    let queue: Arc<dyn domain::ports::Queue> = match (&aws.exports_queue_url, &aws.exports_dead_letter_url) {
        (Some(queue), Some(dead)) => Arc::new(SqsQueue::new(aws_sdk_sqs::Client::new(sdk), queue, dead)),
        _ => Arc::new(Unconfigured("EXPORTS_QUEUE_URL (with EXPORTS_DLQ_URL)")),
    };
    let blobs: Arc<dyn domain::ports::Blobs> = match &aws.exports_bucket {
        Some(bucket) => {
            let config = aws_sdk_s3::config::Builder::from(sdk).force_path_style(aws.s3_force_path_style).build();
            Arc::new(S3Blobs::new(aws_sdk_s3::Client::from_conf(config), bucket))
        }
        None => Arc::new(Unconfigured("EXPORTS_BUCKET")),
    };
    let push: Arc<dyn domain::ports::Push> = match &aws.websocket_endpoint {
        Some(endpoint) => {
            let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk).endpoint_url(endpoint).build();
            Arc::new(ApiGatewayPush::new(aws_sdk_apigatewaymanagement::Client::from_conf(config)))
        }
        None => Arc::new(Unconfigured("WEBSOCKET_ENDPOINT")),
    };
    Ok(Services {
        auth,
        store: Arc::new(DynamoStore::new(dynamo.clone(), &aws.table)),
        cache: Arc::new(DynamoCache::new(dynamo.clone(), &aws.table)),
        clock: Arc::new(SystemClock),
        blobs,
        queue,
        connections: Arc::new(DynamoConnections::new(dynamo, &aws.table)),
        push,
    })
}

/// An absolute http(s) URL without query or fragment; links append paths to it.
fn parse_base_url(value: Option<&str>) -> Result<String, ConfigError> {
    let url = value.unwrap_or(DEFAULT_PUBLIC_BASE_URL).trim().trim_end_matches('/');
    let host = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")).unwrap_or_default();
    if host.is_empty() || url.contains(['?', '#']) || url.contains(char::is_whitespace) {
        return Err(ConfigError::Invalid {
            name: "PUBLIC_BASE_URL",
            reason: format!("{url:?} is not an http(s) URL without query or fragment"),
        });
    }
    Ok(url.to_owned())
}

fn parse_jwks(name: &'static str, text: &str) -> Result<JwkSet, ConfigError> {
    serde_json::from_str(text).map_err(|error| ConfigError::Invalid { name, reason: error.to_string() })
}

/// What a process serving HTTP itself runs: the services, and the routes its storage needs served
/// beside the API (the SQLite storage's blob links; none for cloud storage, whose links point
/// elsewhere).
pub struct Runtime {
    pub services: Services,
    pub routes: Router,
}

/// The rollup store alone, from the environment (see [`Storage::open_store`]).
pub async fn store_from_env() -> Result<Arc<dyn domain::ports::RollupStore>, ConfigError> {
    Storage::from_lookup(|name| std::env::var(name).ok())?.open_store().await
}

/// The services of a Lambda function, from its environment.
pub async fn services_from_env() -> Result<Services, ConfigError> {
    Config::from_env()?.services().await
}

/// Structured logs: JSON lines when `LOG_FORMAT=json` (what CloudWatch wants), else text;
/// `RUST_LOG` filters (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = if std::env::var("LOG_FORMAT").is_ok_and(|format| format.eq_ignore_ascii_case("json")) {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
    if let Err(error) = result {
        eprintln!("logging was already initialised: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamodb_needs_a_table_and_reads_the_rest_when_given() {
        let config = |table: Option<&str>| {
            Config::from_lookup(|name| match name {
                "JWT_ISSUER" | "JWT_AUDIENCE" => Some("x".to_owned()),
                "STORAGE" => Some("dynamodb".to_owned()),
                "TABLE_NAME" => table.map(str::to_owned),
                "EXPORTS_BUCKET" => Some("exports".to_owned()),
                "JWT_SECRET_PARAMETER" => Some("/analytics/jwt-secret".to_owned()),
                _ => None,
            })
        };
        assert!(matches!(config(None), Err(ConfigError::Missing { name: "TABLE_NAME" })));
        let config = config(Some("analytics")).expect("config");
        assert_eq!(config.jwt_secret_parameter.as_deref(), Some("/analytics/jwt-secret"));
        let Storage::Aws(aws) = config.storage else { panic!("aws storage") };
        assert_eq!(
            (aws.table.as_str(), aws.exports_bucket.as_deref(), aws.exports_queue_url),
            ("analytics", Some("exports"), None)
        );
    }

    fn storage(public_base_url: Option<&str>) -> Result<Storage, ConfigError> {
        Config::from_lookup(|name| match name {
            "JWT_ISSUER" | "JWT_AUDIENCE" => Some("x".to_owned()),
            "DATA_DIR" => Some("/srv/data".to_owned()),
            "PUBLIC_BASE_URL" => public_base_url.map(str::to_owned),
            _ => None,
        })
        .map(|config| config.storage)
    }

    #[test]
    fn sqlite_keeps_its_file_and_blobs_in_the_data_dir_and_links_from_the_public_url() {
        let Ok(Storage::Sqlite { path, blobs, public_base_url }) = storage(Some("https://api.example.com/")) else {
            panic!("sqlite storage")
        };
        assert_eq!(path, PathBuf::from("/srv/data/analytics.db"));
        assert_eq!(blobs, PathBuf::from("/srv/data/blobs"));
        assert_eq!(public_base_url, "https://api.example.com");
        let Ok(Storage::Sqlite { public_base_url, .. }) = storage(None) else { panic!("sqlite storage") };
        assert_eq!(public_base_url, DEFAULT_PUBLIC_BASE_URL);
    }

    #[test]
    fn a_public_url_links_cannot_extend_is_refused() {
        for bad in ["api.example.com", "ftp://x", "http://", "https://x/?a=1", "https://x/#top", "http://a b"] {
            assert!(
                matches!(storage(Some(bad)), Err(ConfigError::Invalid { name: "PUBLIC_BASE_URL", .. })),
                "{bad:?} must be refused"
            );
        }
    }
}
