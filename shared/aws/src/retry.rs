//! Backoff with full jitter for what the SDK's own retries do not cover: cancelled transactions
//! (conflicts, throttling inside a transaction) and unprocessed batch keys.

use std::time::Duration;

/// Attempts made before giving up.
pub const ATTEMPTS: u32 = 6;

/// Sleeps a random time up to `base * 2^attempt`, capped at one second.
pub async fn backoff(attempt: u32) {
    let ceiling = Duration::from_millis(25).saturating_mul(1 << attempt.min(6)).min(Duration::from_secs(1));
    let pause = ceiling.mul_f64(fastrand::f64());
    tokio::time::sleep(pause).await;
}
