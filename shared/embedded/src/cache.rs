//! [`Cache`] on SQLite: expiry is stored with the value and checked at read. Keys are few (one
//! per cached view variant) and overwritten in place, so expired rows are not swept.

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{Cache, StoreError};
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

#[async_trait]
impl Cache for SqliteCache {
    async fn get(&self, key: &str, now: Timestamp) -> Result<Option<String>, StoreError> {
        let key = key.to_owned();
        self.db
            .read(move |conn| {
                conn.prepare_cached("SELECT value FROM cache WHERE key = ?1 AND expires_at > ?2")
                    .and_then(|mut stmt| {
                        stmt.query_row(params![key, { now.as_microsecond() }], |row| row.get(0)).optional()
                    })
                    .map_err(sql_error)
            })
            .await
    }

    async fn put(&self, key: &str, value: &str, expires_at: Timestamp) -> Result<(), StoreError> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO cache (key, value, expires_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
                )
                .and_then(|mut stmt| stmt.execute(params![key, value, { expires_at.as_microsecond() }]))
                .map_err(sql_error)?;
                Ok(())
            })
            .await
    }

    async fn delete(&self, keys: &[String]) -> Result<(), StoreError> {
        let keys = keys.to_vec();
        self.db
            .write(move |conn| {
                let mut stmt = conn.prepare_cached("DELETE FROM cache WHERE key = ?1").map_err(sql_error)?;
                for key in keys {
                    stmt.execute(params![key]).map_err(sql_error)?;
                }
                Ok(())
            })
            .await
    }
}
