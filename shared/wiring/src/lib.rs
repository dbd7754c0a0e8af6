//! Configuration: typed, read from the environment once, failing fast with a message that names
//! the variable. The infrastructure template sets these in Lambda; the local runtime supplies
//! development defaults for the ones a laptop lacks.
//!
//! | variable | meaning |
//! |---|---|
//! | `STORAGE` | `sqlite` (default) |
//! | `DATA_DIR` | folder of the SQLite file (`analytics.db`); default `./data` |
//! | `JWT_SECRET` | HS256 secret, at least 32 bytes |
//! | `JWT_JWKS` / `JWT_JWKS_FILE` | a JWKS document (inline / path) for RS256 tokens, keys by `kid` |
//! | `JWT_ISSUER`, `JWT_AUDIENCE` | required `iss` and `aud` |
//! | `LOG_FORMAT` | `json` for JSON lines, else human-readable; `RUST_LOG` filters |

use std::path::PathBuf;
use std::sync::Arc;

use domain::ports::SystemClock;
use embedded::{Db, SqliteCache, SqliteStore};
use jsonwebtoken::jwk::JwkSet;
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

#[derive(Debug, Clone)]
pub enum Storage {
    Sqlite { path: PathBuf },
}

#[derive(Debug, Clone)]
pub struct Config {
    pub auth: AuthConfig,
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
        let storage = match var("STORAGE").as_deref().unwrap_or("sqlite") {
            "sqlite" => {
                let dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "data".to_owned()));
                Storage::Sqlite { path: dir.join("analytics.db") }
            }
            other => {
                return Err(ConfigError::Invalid {
                    name: "STORAGE",
                    reason: format!("unknown storage {other:?}; use sqlite"),
                });
            }
        };
        Ok(Config { auth, storage })
    }

    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Opens storage and builds every port.
    pub async fn services(&self) -> Result<Services, ConfigError> {
        let auth = Arc::new(Authenticator::new(self.auth.clone())?);
        match &self.storage {
            Storage::Sqlite { path } => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|error| ConfigError::Invalid {
                        name: "DATA_DIR",
                        reason: format!("{}: {error}", dir.display()),
                    })?;
                }
                let db = Db::open(path)?;
                Ok(Services {
                    auth,
                    store: Arc::new(SqliteStore::new(db.clone())),
                    cache: Arc::new(SqliteCache::new(db)),
                    clock: Arc::new(SystemClock),
                })
            }
        }
    }
}

fn parse_jwks(name: &'static str, text: &str) -> Result<JwkSet, ConfigError> {
    serde_json::from_str(text).map_err(|error| ConfigError::Invalid { name, reason: error.to_string() })
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
