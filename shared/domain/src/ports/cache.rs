use async_trait::async_trait;
use jiff::Timestamp;

use super::StoreError;

/// A cache of rendered responses.
///
/// Contract:
/// - `get` returns the value last `put` under `key` if its expiry is after `now`, else `None`
///   (expiry is checked at read: a backing TTL may delete late, never early).
/// - `put` replaces any value under `key`.
/// - `delete` removes the keys; deleting a missing key is not an error.
/// - Keys are opaque; callers put the workspace in every key, so tenants never share entries.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str, now: Timestamp) -> Result<Option<String>, StoreError>;
    async fn put(&self, key: &str, value: &str, expires_at: Timestamp) -> Result<(), StoreError>;
    async fn delete(&self, keys: &[String]) -> Result<(), StoreError>;
}
