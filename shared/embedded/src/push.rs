//! [`Push`] in-process: each open connection is a channel registered under its id. Whatever
//! serves the socket (the local runtime's WebSocket route) opens the channel, forwards what it
//! receives, and closes it when the socket ends.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use domain::ports::{Push, PushError};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

/// Frames a connection may have waiting. A post never waits for a slow socket, so that one
/// stalled client cannot hold up a broadcast; past this backlog its frames are refused instead.
const BACKLOG: usize = 256;

#[derive(Default)]
pub struct PushHub {
    senders: Mutex<HashMap<String, mpsc::Sender<Vec<u8>>>>,
}

impl PushHub {
    pub fn new() -> PushHub {
        PushHub::default()
    }

    /// Registers connection `id` and returns the frames posted to it, in order. Opening an id
    /// again replaces the earlier channel, whose receiver then ends.
    pub fn open(&self, id: &str) -> mpsc::Receiver<Vec<u8>> {
        let (sender, receiver) = mpsc::channel(BACKLOG);
        self.senders().insert(id.to_owned(), sender);
        receiver
    }

    /// Unregisters `id`: posts to it are [`PushError::Gone`] from now on. Unknown ids are ignored.
    pub fn close(&self, id: &str) {
        self.senders().remove(id);
    }

    fn senders(&self) -> MutexGuard<'_, HashMap<String, mpsc::Sender<Vec<u8>>>> {
        // The map is valid after any panic: every operation on it is a single insert or remove.
        self.senders.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl Push for PushHub {
    async fn post(&self, connection_id: &str, frame: &[u8]) -> Result<(), PushError> {
        let mut senders = self.senders();
        let Some(sender) = senders.get(connection_id) else {
            return Err(PushError::Gone);
        };
        match sender.try_send(frame.to_vec()) {
            Ok(()) => Ok(()),
            // The receiver was dropped without a close (its task ended): the same as closed.
            Err(TrySendError::Closed(_)) => {
                senders.remove(connection_id);
                Err(PushError::Gone)
            }
            Err(TrySendError::Full(_)) => {
                Err(PushError::Unavailable(format!("connection {connection_id} has {BACKLOG} frames waiting")))
            }
        }
    }
}
