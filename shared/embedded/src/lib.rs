//! Embedded adapters: every port on one machine, without a cloud. The store, cache, queue and
//! connection registry share one SQLite file in WAL mode; blobs are a folder of files with
//! signed links; push is an in-process hub. The default for `cargo run` and the reference
//! implementation the contract suites in `tests/` run against.

mod blobs;
mod cache;
mod connections;
mod db;
mod push;
mod queue;
mod store;

pub use blobs::BlobFolder;
pub use cache::SqliteCache;
pub use connections::SqliteConnections;
pub use db::Db;
pub use push::PushHub;
pub use queue::SqliteQueue;
pub use store::SqliteStore;
