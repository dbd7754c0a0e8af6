//! Configuration: typed, read from the environment once, failing fast with a message that names
//! the variable. The infrastructure template sets these in Lambda; the local runtime supplies
//! development defaults for the ones a laptop lacks.
//!
//! | variable | meaning |
//! |---|---|
//! | `STORAGE` | `sqlite` (default) |
//! | `DATA_DIR` | folder of the SQLite file (`analytics.db`) and of the blobs (`blobs/`); default `./data` |
//! | `PUBLIC_BASE_URL` | where clients reach this server; the SQLite storage's download links start with it; default `http://127.0.0.1:3000` |
//! | `JWT_SECRET` | HS256 secret, at least 32 bytes |
//! | `JWT_JWKS` / `JWT_JWKS_FILE` | a JWKS document (inline / path) for RS256 tokens, keys by `kid` |
//! | `JWT_ISSUER`, `JWT_AUDIENCE` | required `iss` and `aud` |
//! | `LOG_FORMAT` | `json` for JSON lines, else human-readable; `RUST_LOG` filters |
//!
//! The SQLite storage keeps every port on the machine: the store, cache, export queue and
//! connection registry in the one file, blobs in a folder whose links are signed with a secret
//! drawn at start (a restart retires outstanding links, which live 15 minutes at most anyway),
//! and push as an in-process hub. Its blob links are served by the process itself, so a process
//! serving HTTP builds a [`Runtime`] and mounts its routes.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use domain::ports::SystemClock;
use embedded::{BlobFolder, Db, PushHub, SqliteCache, SqliteConnections, SqliteQueue, SqliteStore};
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

/// The queue of export jobs.
const EXPORTS_QUEUE: &str = "exports";
/// An export job received this many times without success is dead-lettered, not retried again.
const EXPORTS_MAX_RECEIVES: u32 = 5;
const DEFAULT_PUBLIC_BASE_URL: &str = "http://127.0.0.1:3000";

#[derive(Debug, Clone)]
pub enum Storage {
    /// `path` is the SQLite file, `blobs` the folder of blobs, linked under `public_base_url`.
    Sqlite { path: PathBuf, blobs: PathBuf, public_base_url: String },
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
                let public_base_url = parse_base_url(var("PUBLIC_BASE_URL").as_deref())?;
                Storage::Sqlite { path: dir.join("analytics.db"), blobs: dir.join("blobs"), public_base_url }
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
        Ok(self.runtime().await?.services)
    }

    /// Opens storage and builds every port, with the routes the storage needs served.
    pub async fn runtime(&self) -> Result<Runtime, ConfigError> {
        let auth = Arc::new(Authenticator::new(self.auth.clone())?);
        match &self.storage {
            Storage::Sqlite { path, blobs, public_base_url } => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|error| ConfigError::Invalid {
                        name: "DATA_DIR",
                        reason: format!("{}: {error}", dir.display()),
                    })?;
                }
                let db = Db::open(path)?;
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
        let Storage::Sqlite { path, blobs, public_base_url } =
            storage(Some("https://api.example.com/")).expect("config");
        assert_eq!(path, PathBuf::from("/srv/data/analytics.db"));
        assert_eq!(blobs, PathBuf::from("/srv/data/blobs"));
        assert_eq!(public_base_url, "https://api.example.com");
        let Storage::Sqlite { public_base_url, .. } = storage(None).expect("config");
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
