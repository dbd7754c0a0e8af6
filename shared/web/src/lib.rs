//! The HTTP kit every function's router is built with: who is calling ([`Caller`] from a JWT) and
//! what they may do ([`Role`]); route tables that declare each route once ([`routes`]); typed
//! inputs ([`extract`]); cached views ([`view`]); the error envelope ([`ApiError`]); and the
//! layers every router gets.

pub mod auth;
pub mod error;
pub mod extract;
mod layers;
mod ports;
pub mod routes;
pub mod view;

pub use auth::{AuthConfig, Authenticator, Caller, Role};
pub use error::{ApiError, ErrorCode, error_envelope};
pub use layers::{MAX_HEADER_BYTES, MAX_URI_BYTES, with_common_layers};
pub use ports::Ports;
pub use routes::{Route, RouteSpec, router, specs};
pub use view::{CachedView, Envelope};
