//! The ports' contract suites. Each check is a public async fn taking a fresh adapter; the
//! `*_contract_tests!` macros turn them into one `#[tokio::test]` per check for any adapter:
//!
//! ```ignore
//! tests::store_contract_tests!(async { make_store().await });
//! ```

pub mod blobs;
pub mod cache;
pub mod push;
pub mod queue;
pub mod store;
