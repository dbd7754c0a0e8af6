use async_trait::async_trait;
use jiff::Timestamp;

/// Why the cache could not answer. A cache failure never fails a request: callers compute the
/// value instead and say so in the log.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The backing service failed or timed out.
    #[error("cache unavailable: {0}")]
    Unavailable(String),
    /// A stored entry could not be read back.
    #[error("cache entry unreadable: {0}")]
    Corrupt(String),
}

/// Where a cached value lives: every variant of one view of one thing shares a `group`
/// (`campaign-stats|<workspace>|<campaign>`), so that all of them are dropped together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey {
    pub group: String,
    pub variant: String,
}

/// A cache of rendered responses.
///
/// Contract (the suite in `tests/src/contracts/cache.rs` checks each point):
/// - `get` returns the value last `put` under `key` if its expiry is after `now`, else `None`
///   (expiry is checked at read: a backing TTL may delete late, never early).
/// - `put` replaces any value under `key`.
/// - `invalidate` removes every variant of `group`, and nothing of another group; a group with
///   nothing in it is not an error.
/// - Groups are opaque; callers put the workspace in every group, so tenants never share entries.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &CacheKey, now: Timestamp) -> Result<Option<String>, CacheError>;
    async fn put(&self, key: &CacheKey, value: &str, expires_at: Timestamp) -> Result<(), CacheError>;
    async fn invalidate(&self, group: &str) -> Result<(), CacheError>;
}
