//! Shared test support: the app on port 0, tokens good and bad, event builders, a store that
//! counts its calls, the ports' contract suites (run by every adapter) and an independent
//! recomputation of rollups from distinct events.

pub mod ads_scenario;
pub mod agents_scenario;
pub mod app;
pub mod builders;
pub mod call_centre;
pub mod contracts;
pub mod counting;
pub mod exactly_once;
pub mod executive_scenario;
pub mod overlap;
pub mod reference;
pub mod scenario;
pub mod tokens;
pub mod users_scenario;
