//! The one integration-test binary: every module shares `tests::app::spawn_app`.

mod ads;
mod agents;
mod agents_demo;
mod api;
mod auth;
mod authorization;
mod bad_input;
mod comprehensive;
mod contracts;
mod dashboard_page;
mod exactly_once;
mod executive;
mod hostile;
mod leaderboards;
mod openapi;
mod payloads;
mod template;
mod users;
mod views;
mod workspace;
