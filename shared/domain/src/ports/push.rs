use async_trait::async_trait;
use jiff::Timestamp;

use super::StoreError;
use crate::WorkspaceId;

/// A realtime subscriber's connection (API Gateway WebSocket, or the local runtime's `/ws`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: String,
    pub workspace: WorkspaceId,
    pub user_id: String,
    pub topics: Vec<String>,
    /// When the connection's token expires; it is not served after that.
    pub expires_at: Timestamp,
}

/// Who is connected.
///
/// Contract:
/// - `put` registers or replaces a connection (by workspace and id).
/// - `list` returns the workspace's connections whose `expires_at` is after `now`, and only them.
/// - `delete` removes one; deleting an unknown connection is not an error.
#[async_trait]
pub trait Connections: Send + Sync {
    async fn put(&self, connection: &Connection) -> Result<(), StoreError>;
    async fn list(&self, ws: &WorkspaceId, now: Timestamp) -> Result<Vec<Connection>, StoreError>;
    async fn delete(&self, ws: &WorkspaceId, id: &str) -> Result<(), StoreError>;
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The connection no longer exists (API Gateway answers 410).
    #[error("connection gone")]
    Gone,
    #[error("push unavailable: {0}")]
    Unavailable(String),
}

/// Sends frames to connections.
///
/// Contract: `post` delivers `frame` to a live connection, or returns [`PushError::Gone`] for a
/// connection that has closed or never existed. It does not touch the connection registry: the
/// caller decides what a gone connection means (see [`crate::realtime::deliver`]).
#[async_trait]
pub trait Push: Send + Sync {
    async fn post(&self, connection_id: &str, frame: &[u8]) -> Result<(), PushError>;
}
