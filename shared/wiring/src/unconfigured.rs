//! Stand-ins for ports a cloud function was not configured with: a function that never exports
//! needs no queue or bucket, and one that does gets an error naming the missing variable.

use async_trait::async_trait;
use domain::ports::{Blobs, Push, PushError, Queue, QueueDepth, Received, StoreError};
use jiff::SignedDuration;

pub struct Unconfigured(pub &'static str);

impl Unconfigured {
    fn error(&self) -> StoreError {
        StoreError::Unavailable(format!("{} is not set for this function", self.0))
    }
}

#[async_trait]
impl Queue for Unconfigured {
    async fn send(&self, _: &str) -> Result<String, StoreError> {
        Err(self.error())
    }
    async fn receive(&self, _: usize, _: SignedDuration) -> Result<Vec<Received>, StoreError> {
        Err(self.error())
    }
    async fn ack(&self, _: &str) -> Result<(), StoreError> {
        Err(self.error())
    }
    async fn depth(&self) -> Result<QueueDepth, StoreError> {
        Err(self.error())
    }
}

#[async_trait]
impl Blobs for Unconfigured {
    async fn put(&self, _: &str, _: Vec<u8>, _: &str) -> Result<(), StoreError> {
        Err(self.error())
    }
    async fn link(&self, _: &str, _: &str, _: SignedDuration) -> Result<String, StoreError> {
        Err(self.error())
    }
}

#[async_trait]
impl Push for Unconfigured {
    async fn post(&self, _: &str, _: &[u8]) -> Result<(), PushError> {
        Err(PushError::Unavailable(self.error().to_string()))
    }
}
