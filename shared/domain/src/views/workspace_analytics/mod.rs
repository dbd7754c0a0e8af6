//! Seed 002, an AI-agent workspace platform's analytics: executive KPIs and trends, agents'
//! performance and usage, users' activity and engagement, the workspace's overview and
//! comparison, and leaderboards. Read from `rollup::series::{executions, sessions, requests}`,
//! the users' activity records (`rollup::activity`: exact DAU/WAU/MAU and cohorts), the distinct
//! counts of `rollup::sightings` and the subscription and payment gauges.

pub mod agents;
pub mod executive;
pub mod leaderboards;
pub mod users;
pub mod workspace;
