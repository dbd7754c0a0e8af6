//! Ports: what the domain needs from the outside world. Each trait's doc comment is its contract;
//! every adapter (embedded SQLite, AWS) runs the same contract suite in `tests/`.

mod blobs;
mod cache;
mod clock;
mod push;
mod queue;
mod store;

pub use blobs::{BlobError, Blobs, MAX_LINK_LIFETIME};
pub use cache::{Cache, CacheError, CacheKey};
pub use clock::{Clock, FixedClock, SystemClock};
pub use push::{Connection, Connections, Push, PushError};
pub use queue::{Queue, QueueDepth, QueueError, Received};
pub use store::{CommitError, DueFold, RollupStore, StoreError};
