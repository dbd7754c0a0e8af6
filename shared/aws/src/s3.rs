//! [`Blobs`] on S3: private objects (the bucket blocks public access and encrypts by default),
//! read through presigned GET links that download as attachments and live at most 15 minutes.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use domain::ports::{BlobError, Blobs, MAX_LINK_LIFETIME};
use jiff::SignedDuration;

fn unavailable(error: impl std::fmt::Display) -> BlobError {
    BlobError::Unavailable(error.to_string())
}

#[derive(Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
}

impl S3Blobs {
    pub fn new(client: Client, bucket: impl Into<String>) -> S3Blobs {
        S3Blobs { client, bucket: bucket.into() }
    }
}

/// `attachment; filename="..."` with the name reduced to characters safe in a header.
pub fn attachment(filename: &str) -> String {
    let safe: String = filename
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    format!("attachment; filename=\"{safe}\"")
}

#[async_trait]
impl Blobs for S3Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        Ok(())
    }

    async fn link(&self, key: &str, filename: &str, expires_in: SignedDuration) -> Result<String, BlobError> {
        let lifetime = expires_in.clamp(SignedDuration::from_secs(1), MAX_LINK_LIFETIME).unsigned_abs();
        let config = PresigningConfig::expires_in(lifetime).map_err(unavailable)?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(attachment(filename))
            .presigned(config)
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        Ok(request.uri().to_owned())
    }
}
