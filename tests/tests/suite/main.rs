//! The one integration-test binary: every module shares `tests::app::spawn_app`.

mod api;
mod auth;
mod bad_input;
mod contracts;
mod exactly_once;
mod hostile;
mod payloads;
mod template;
