//! HTTP glue shared by every function's router: who is calling ([`Caller`] from a JWT), what
//! they may do ([`Role`]), how errors look ([`ApiError`], the envelope of spec/API.md), and the
//! layers every router gets (request ids, tracing, panics as 500s, JSON 404/405).

pub mod auth;
mod error;
pub mod extract;
mod layers;
mod routes;
mod services;

pub use auth::{AuthConfig, Authenticator, Caller, Role};
pub use error::{ApiError, ErrorCode, error_envelope};
pub use layers::with_common_layers;
pub use routes::{Route, router};
pub use services::Services;
