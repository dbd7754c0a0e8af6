use async_trait::async_trait;
use jiff::SignedDuration;

/// Why the queue could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The backing service failed or timed out; the operation may be retried.
    #[error("queue unavailable: {0}")]
    Unavailable(String),
    /// The queue answered with something that does not read back (a receipt, a count).
    #[error("queue answer unreadable: {0}")]
    Corrupt(String),
}

/// A message handed to a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub id: String,
    pub body: String,
    /// What [`Queue::ack`] takes; valid for this delivery only.
    pub receipt: String,
    /// 1 on the first delivery, 2 on the next, ...
    pub receive_count: u32,
}

/// Approximate message counts (for the status route and alarms).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDepth {
    pub waiting: usize,
    pub in_flight: usize,
    pub dead: usize,
}

/// A durable work queue with a dead-letter queue (export jobs).
///
/// Contract:
/// - `send` enqueues; the message is delivered by a later `receive` (at least once).
/// - `receive` returns up to `max` messages, each hidden from other receivers for `visibility`.
///   A message not acknowledged within that time is delivered again with `receive_count` one
///   higher. A message already received the queue's maximum number of times is moved to the
///   dead-letter queue instead of being delivered again.
/// - `ack` removes a delivered message for good; acknowledging twice is not an error.
/// - `depth` counts waiting, in-flight and dead messages; counts may lag a little (SQS's are
///   approximate).
#[async_trait]
pub trait Queue: Send + Sync {
    async fn send(&self, body: &str) -> Result<String, QueueError>;
    async fn receive(&self, max: usize, visibility: SignedDuration) -> Result<Vec<Received>, QueueError>;
    async fn ack(&self, receipt: &str) -> Result<(), QueueError>;
    async fn depth(&self) -> Result<QueueDepth, QueueError>;
}
