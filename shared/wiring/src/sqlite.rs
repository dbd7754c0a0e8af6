//! The ports without a cloud: the store, cache, export queue and connection registry in one
//! SQLite file, and blobs in a folder whose download links this process serves itself.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use domain::ports::{Blobs, Cache, Connections, Queue, RollupStore};
use embedded::{BlobFolder, Db, SqliteCache, SqliteConnections, SqliteQueue, SqliteStore};

use crate::config::ConfigError;

/// The queue of export jobs.
const EXPORTS_QUEUE: &str = "exports";
/// An export job received this many times without success is dead-lettered, not retried again.
const EXPORTS_MAX_RECEIVES: u32 = 5;

/// `analytics.db` and `blobs/` in a data folder.
pub struct Embedded {
    db: Arc<Db>,
    folder: BlobFolder,
}

impl Embedded {
    /// Opens (creating if needed) the file and the folder under `data_dir`; blob links start with
    /// `public_base_url`, where [`Self::routes`] must be served.
    pub fn open(data_dir: &Path, public_base_url: &str) -> Result<Embedded, ConfigError> {
        std::fs::create_dir_all(data_dir).map_err(|error| ConfigError::Invalid {
            name: "DATA_DIR",
            reason: format!("{}: {error}", data_dir.display()),
        })?;
        let db = Db::open(&data_dir.join("analytics.db"))
            .map_err(|error| ConfigError::Unavailable { what: "the SQLite file", reason: error.to_string() })?;
        let folder = BlobFolder::new(data_dir.join("blobs"), public_base_url)
            .map_err(|error| ConfigError::Unavailable { what: "the blob folder", reason: error.to_string() })?;
        Ok(Embedded { db, folder })
    }

    pub fn store(&self) -> Arc<dyn RollupStore> {
        Arc::new(SqliteStore::new(self.db.clone()))
    }

    pub fn cache(&self) -> Arc<dyn Cache> {
        Arc::new(SqliteCache::new(self.db.clone()))
    }

    pub fn queue(&self) -> Arc<dyn Queue> {
        Arc::new(SqliteQueue::new(self.db.clone(), EXPORTS_QUEUE, EXPORTS_MAX_RECEIVES))
    }

    pub fn connections(&self) -> Arc<dyn Connections> {
        Arc::new(SqliteConnections::new(self.db.clone()))
    }

    pub fn blobs(&self) -> Arc<dyn Blobs> {
        Arc::new(self.folder.clone())
    }

    /// The blob folder's download route, to serve beside the API.
    pub fn routes(&self) -> Router {
        self.folder.routes()
    }
}
