//! Builds ports from configuration. Each part is behind a cargo feature, so each Lambda links
//! only what it uses: `config` (always), `telemetry`, the AWS ports one SDK at a time (`aws`:
//! features `dynamodb`, `sqs`, `s3`, `push`, and `ssm` for the token secret), the embedded ports
//! (`sqlite`), and `host`: every port, for the local runtime and tests. Missing or invalid configuration is an error at start, naming the
//! variable, never on a first request.

#[cfg(feature = "aws")]
pub mod aws;
pub mod config;
#[cfg(feature = "host")]
pub mod host;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "telemetry")]
pub mod telemetry;

pub use config::{AuthSettings, ConfigError};
