//! Ports: what the domain needs from the outside world. Each trait's doc comment is its contract;
//! every adapter (embedded SQLite, AWS) runs the same contract suite in `tests/`.

mod cache;
mod clock;
mod store;

pub use cache::Cache;
pub use clock::{Clock, FixedClock, SystemClock};
pub use store::{CommitError, DueFold, RollupStore, StoreError};
