//! Realtime delivery rules that hold whatever carries the frames.

use crate::ports::{Connection, Connections, Push, PushError, StoreError};

/// API Gateway WebSocket frames are limited to 32 KB.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// The connection was gone; it has been removed from the registry.
    Removed,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("frame of {0} bytes is over the {MAX_FRAME_BYTES}-byte limit")]
    FrameTooLarge(usize),
    #[error("push failed: {0}")]
    Push(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sends `frame` to `connection`; a connection that answers gone (410) is deleted so that no
/// later broadcast tries it again.
pub async fn deliver(
    push: &dyn Push,
    connections: &dyn Connections,
    connection: &Connection,
    frame: &[u8],
) -> Result<Delivery, DeliveryError> {
    if frame.len() > MAX_FRAME_BYTES {
        return Err(DeliveryError::FrameTooLarge(frame.len()));
    }
    match push.post(&connection.id, frame).await {
        Ok(()) => Ok(Delivery::Sent),
        Err(PushError::Gone) => {
            connections.delete(&connection.workspace, &connection.id).await?;
            Ok(Delivery::Removed)
        }
        Err(PushError::Unavailable(reason)) => Err(DeliveryError::Push(reason)),
    }
}
