//! Every port, for a process that hosts every function: the local runtime, and tests. On SQLite
//! in `DATA_DIR` by default; with `STORAGE=dynamodb` the store, cache and connections are on
//! DynamoDB, and the queue and blobs on SQS and S3 where those are configured (in `DATA_DIR`
//! otherwise). Pushes go to the in-process hub, since WebSocket clients connect to this process.
//!
//! | variable | meaning |
//! |---|---|
//! | `STORAGE` | `sqlite` (default) or `dynamodb` (AWS, or emulators through `AWS_ENDPOINT_URL_DYNAMODB`) |
//! | `DATA_DIR` | folder of the SQLite file (`analytics.db`) and of the blobs (`blobs/`); default `./data` |
//! | `PUBLIC_BASE_URL` | where clients reach this process: the blob folder's download links start with it |

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use domain::ports::SystemClock;
use embedded::PushHub;
use web::Ports;

use crate::aws::Aws;
use crate::config::{AuthSettings, ConfigError, Lookup, var};
use crate::sqlite::Embedded;

pub const DEFAULT_PUBLIC_BASE_URL: &str = "http://127.0.0.1:3000";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Sqlite,
    Dynamodb,
}

#[derive(Debug, Clone)]
pub struct HostConfig {
    pub auth: AuthSettings,
    pub storage: Storage,
    pub data_dir: PathBuf,
    pub public_base_url: String,
}

/// What a host runs: every port, and the routes its storage serves beside the API (the blob
/// folder's download links).
pub struct Runtime {
    pub ports: Ports,
    pub routes: Router,
}

impl HostConfig {
    pub fn from_lookup(lookup: Lookup) -> Result<HostConfig, ConfigError> {
        let storage = match var(lookup, "STORAGE").as_deref().unwrap_or("sqlite") {
            "sqlite" => Storage::Sqlite,
            "dynamodb" => Storage::Dynamodb,
            other => {
                return Err(ConfigError::Invalid {
                    name: "STORAGE",
                    reason: format!("unknown storage {other:?}; use sqlite or dynamodb"),
                });
            }
        };
        Ok(HostConfig {
            auth: AuthSettings::from_lookup(lookup)?,
            storage,
            data_dir: PathBuf::from(var(lookup, "DATA_DIR").unwrap_or_else(|| "data".to_owned())),
            public_base_url: parse_base_url(var(lookup, "PUBLIC_BASE_URL").as_deref())?,
        })
    }

    /// Opens storage and builds every port (`lookup` supplies the AWS settings for DynamoDB).
    pub async fn runtime(&self, lookup: Lookup<'_>) -> Result<Runtime, ConfigError> {
        let aws = match (self.storage, &self.auth.secret_parameter) {
            (Storage::Dynamodb, _) | (_, Some(_)) => Some(Aws::from_lookup(lookup).await?),
            _ => None,
        };
        let auth = match &aws {
            Some(aws) if self.auth.secret_parameter.is_some() => aws.authenticator().await?,
            _ => self.auth.clone().authenticator(None)?,
        };
        let embedded = Embedded::open(&self.data_dir, &self.public_base_url)?;
        let ports = match (&aws, self.storage) {
            (Some(aws), Storage::Dynamodb) => Ports {
                auth,
                store: aws.store().await?,
                cache: aws.cache(),
                clock: Arc::new(SystemClock),
                queue: match aws.settings.exports_queue_url {
                    Some(_) => aws.queue()?,
                    None => embedded.queue(),
                },
                blobs: match aws.settings.exports_bucket {
                    Some(_) => aws.blobs()?,
                    None => embedded.blobs(),
                },
                connections: aws.connections(),
                push: Arc::new(PushHub::new()),
            },
            _ => Ports {
                auth,
                store: embedded.store(),
                cache: embedded.cache(),
                clock: Arc::new(SystemClock),
                queue: embedded.queue(),
                blobs: embedded.blobs(),
                connections: embedded.connections(),
                push: Arc::new(PushHub::new()),
            },
        };
        let routes = embedded.routes();
        Ok(Runtime { ports, routes })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &[(&str, &str)]) -> Result<HostConfig, ConfigError> {
        let extra: Vec<(String, String)> = extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        HostConfig::from_lookup(&move |name: &str| match name {
            "JWT_ISSUER" | "JWT_AUDIENCE" => Some("x".to_owned()),
            _ => extra.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone()),
        })
    }

    #[test]
    fn sqlite_keeps_its_file_and_blobs_in_the_data_dir_and_links_from_the_public_url() {
        let host =
            config(&[("DATA_DIR", "/srv/data"), ("PUBLIC_BASE_URL", "https://api.example.com/")]).expect("config");
        assert_eq!((host.storage, host.data_dir), (Storage::Sqlite, PathBuf::from("/srv/data")));
        assert_eq!(host.public_base_url, "https://api.example.com");
        assert_eq!(config(&[]).expect("config").public_base_url, DEFAULT_PUBLIC_BASE_URL);
        assert_eq!(config(&[("STORAGE", "dynamodb")]).expect("config").storage, Storage::Dynamodb);
        assert!(matches!(config(&[("STORAGE", "mongo")]), Err(ConfigError::Invalid { name: "STORAGE", .. })));
    }

    #[test]
    fn a_public_url_links_cannot_extend_is_refused() {
        for bad in ["api.example.com", "ftp://x", "http://", "https://x/?a=1", "https://x/#top", "http://a b"] {
            assert!(
                matches!(
                    config(&[("PUBLIC_BASE_URL", bad)]),
                    Err(ConfigError::Invalid { name: "PUBLIC_BASE_URL", .. })
                ),
                "{bad:?} must be refused"
            );
        }
    }
}
