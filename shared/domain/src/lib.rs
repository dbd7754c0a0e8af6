//! The analytics domain, with no I/O: the event contract, the rollup engine, time buckets, the
//! views dashboards read, and the ports (traits) through which all of it reaches storage.

pub mod events;
pub mod fold;
pub mod ingest;
pub mod ports;
pub mod realtime;
pub mod rollup;
pub mod time;
pub mod views;

use std::fmt;

/// A tenant. Every stored key starts with it; it comes from the caller's token, never a body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkspaceId(String);

impl WorkspaceId {
    /// A workspace id has the shape of any other id (see [`events::is_valid_id`]).
    pub fn parse(text: &str) -> Option<WorkspaceId> {
        events::is_valid_id(text).then(|| WorkspaceId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WorkspaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
