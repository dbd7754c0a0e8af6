//! Embedded adapters: every port on one SQLite file in WAL mode. The default for `cargo run` and
//! the reference implementation the contract suites in `tests/` run against.

mod cache;
mod db;
mod store;

pub use cache::SqliteCache;
pub use db::Db;
pub use store::SqliteStore;
