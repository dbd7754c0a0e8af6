//! [`Blobs`] as a folder of files, handed out through signed expiring links that the folder's
//! own router serves (the local stand-in for S3 and its presigned URLs).
//!
//! Layout under the root: `files/{key}` holds the bytes and `types/{key}` the content type given
//! to `put`; both are written to `tmp/` first and renamed into place, so a download never sees a
//! half-written blob.

mod key;
mod route;
mod signing;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{BlobError, Blobs, Clock, MAX_LINK_LIFETIME, SystemClock};
use jiff::SignedDuration;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use key::InvalidKey;
use signing::Signer;

/// Everything but RFC 3986's unreserved characters is escaped: safe in a path segment, a query
/// value and an RFC 5987 `filename*` alike.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

#[derive(Clone)]
pub struct BlobFolder {
    root: PathBuf,
    base_url: String,
    signer: Arc<Signer>,
    clock: Arc<dyn Clock>,
}

impl BlobFolder {
    /// Blobs under `root` (created on the first `put`), linked as `{base_url}/blobs/{key}?...`:
    /// `base_url` is where [`Self::routes`] is served. The signing secret is random, so links
    /// are good for this value's router only (see `signing`).
    pub fn new(root: impl Into<PathBuf>, base_url: &str) -> Result<BlobFolder, BlobError> {
        let signer = Signer::random()
            .map_err(|error| BlobError::Unavailable(format!("no randomness for the link secret: {error}")))?;
        Ok(BlobFolder {
            root: root.into(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            signer: Arc::new(signer),
            clock: Arc::new(SystemClock),
        })
    }

    /// Link expiry runs on `clock` rather than the system's.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> BlobFolder {
        BlobFolder { clock, ..self }
    }

    /// `GET /blobs/{*key}`: the blob of a valid, unexpired link, as a named attachment.
    pub fn routes(&self) -> axum::Router {
        route::routes(self.clone())
    }

    fn file(&self, relative: &Path) -> PathBuf {
        self.root.join("files").join(relative)
    }

    fn content_type_file(&self, relative: &Path) -> PathBuf {
        self.root.join("types").join(relative)
    }
}

fn invalid(error: InvalidKey) -> BlobError {
    BlobError::InvalidKey(error.to_string())
}

/// Writes `bytes` to `target` through a temporary file in `staging`, so readers see the old
/// content or the new, never a part.
fn replace_file(staging: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::create_dir_all(staging)?;
    let mut file = tempfile::NamedTempFile::new_in(staging)?;
    file.write_all(bytes)?;
    file.persist(target).map_err(|error| error.error)?;
    Ok(())
}

#[async_trait]
impl Blobs for BlobFolder {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        let relative = key::relative_path(key).map_err(invalid)?;
        let staging = self.root.join("tmp");
        let (file, type_file) = (self.file(&relative), self.content_type_file(&relative));
        let content_type = content_type.to_owned();
        let key = key.to_owned();
        tokio::task::spawn_blocking(move || {
            // The type first: a reader that finds the new bytes finds their type too.
            replace_file(&staging, &type_file, content_type.as_bytes())?;
            replace_file(&staging, &file, &bytes)
        })
        .await
        .map_err(|join| BlobError::Unavailable(format!("blob task failed: {join}")))?
        .map_err(|error| BlobError::Unavailable(format!("blob {key:?} not written: {error}")))
    }

    async fn link(&self, key: &str, filename: &str, expires_in: SignedDuration) -> Result<String, BlobError> {
        key::relative_path(key).map_err(invalid)?;
        let expires = self.clock.now().as_second().saturating_add(expires_in.min(MAX_LINK_LIFETIME).as_secs());
        let signature = self.signer.sign(key, filename, expires);
        let path: Vec<String> =
            key.split('/').map(|segment| utf8_percent_encode(segment, COMPONENT).to_string()).collect();
        Ok(format!(
            "{}/blobs/{}?filename={}&expires={expires}&signature={signature}",
            self.base_url,
            path.join("/"),
            utf8_percent_encode(filename, COMPONENT),
        ))
    }
}
