use async_trait::async_trait;
use jiff::SignedDuration;

/// Why a blob could not be stored or linked.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The backing service failed or timed out; the operation may be retried.
    #[error("blob storage unavailable: {0}")]
    Unavailable(String),
    /// The key cannot name a blob (it would leave the folder, or is empty).
    #[error("invalid blob key: {0}")]
    InvalidKey(String),
}

/// The longest a download link may live (exports: "links expire within 15 minutes").
pub const MAX_LINK_LIFETIME: SignedDuration = SignedDuration::from_mins(15);

/// Private files (exports), handed out through short-lived links.
///
/// Contract:
/// - `put` stores `bytes` under `key`, replacing any blob there. Nothing is publicly readable.
/// - `link` returns a URL that GETs the blob, with `Content-Disposition: attachment` naming
///   `filename`, until `expires_in` has passed (capped at [`MAX_LINK_LIFETIME`]); after that, or if
///   any part of the URL is altered, the GET is refused (4xx).
#[async_trait]
pub trait Blobs: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError>;
    async fn link(&self, key: &str, filename: &str, expires_in: SignedDuration) -> Result<String, BlobError>;
}
