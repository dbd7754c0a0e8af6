//! [`Cache`] on SQLite: expiry is stored with the value and checked at read. Entries are few (one
//! per cached view variant) and overwritten in place, so expired rows are not swept; a group's
//! variants sit together in the primary key, so dropping them is one range delete.

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{Cache, CacheError, CacheKey, StoreError};
use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use crate::db::{Db, sql_error};

#[derive(Clone)]
pub struct SqliteCache {
    db: Arc<Db>,
}

impl SqliteCache {
    pub fn new(db: Arc<Db>) -> SqliteCache {
        SqliteCache { db }
    }
}

fn cache_error(error: StoreError) -> CacheError {
    match error {
        StoreError::Corrupt(reason) | StoreError::OutOfRange(reason) => CacheError::Corrupt(reason),
        other => CacheError::Unavailable(other.to_string()),
    }
}

#[async_trait]
impl Cache for SqliteCache {
    async fn get(&self, key: &CacheKey, now: Timestamp) -> Result<Option<String>, CacheError> {
        let key = key.clone();
        self.db
            .read(move |conn| {
                conn.prepare_cached("SELECT value FROM cache WHERE grp = ?1 AND variant = ?2 AND expires_at > ?3")
                    .and_then(|mut stmt| {
                        stmt.query_row(params![key.group, key.variant, { now.as_microsecond() }], |row| row.get(0))
                            .optional()
                    })
                    .map_err(sql_error)
            })
            .await
            .map_err(cache_error)
    }

    async fn put(&self, key: &CacheKey, value: &str, expires_at: Timestamp) -> Result<(), CacheError> {
        let (key, value) = (key.clone(), value.to_owned());
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO cache (grp, variant, value, expires_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![key.group, key.variant, value, { expires_at.as_microsecond() }])
                })
                .map_err(sql_error)?;
                Ok(())
            })
            .await
            .map_err(cache_error)
    }

    async fn invalidate(&self, group: &str) -> Result<(), CacheError> {
        let group = group.to_owned();
        self.db
            .write(move |conn| {
                conn.prepare_cached("DELETE FROM cache WHERE grp = ?1")
                    .and_then(|mut stmt| stmt.execute(params![group]))
                    .map_err(sql_error)?;
                Ok(())
            })
            .await
            .map_err(cache_error)
    }
}
