//! [`Connections`] on SQLite. Expired rows are filtered at read rather than swept: the local
//! runtime deletes a row when its socket closes, and a broadcast deletes any it finds gone, so
//! only a crashed process leaves rows behind, and those are never listed.

use std::sync::Arc;

use async_trait::async_trait;
use domain::WorkspaceId;
use domain::ports::{Connection, Connections, StoreError};
use jiff::Timestamp;
use rusqlite::params;

use crate::db::{Db, sql_error};

#[derive(Clone)]
pub struct SqliteConnections {
    db: Arc<Db>,
}

impl SqliteConnections {
    pub fn new(db: Arc<Db>) -> SqliteConnections {
        SqliteConnections { db }
    }
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// Unix nanoseconds fit an SQLite integer until the year 2262.
fn nanoseconds(at: Timestamp) -> Result<i64, StoreError> {
    i64::try_from(at.as_nanosecond())
        .map_err(|_| StoreError::Unavailable(format!("{at} is beyond what the connection registry stores")))
}

#[async_trait]
impl Connections for SqliteConnections {
    async fn put(&self, connection: &Connection) -> Result<(), StoreError> {
        let connection = connection.clone();
        let topics = serde_json::to_string(&connection.topics).map_err(corrupt)?;
        let expires_at = nanoseconds(connection.expires_at)?;
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO connections (ws, id, user_id, topics, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT DO UPDATE SET user_id = excluded.user_id, topics = excluded.topics,
                                               expires_at = excluded.expires_at",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![
                        connection.workspace.as_str(),
                        connection.id,
                        connection.user_id,
                        topics,
                        expires_at
                    ])
                })
                .map_err(sql_error)?;
                Ok(())
            })
            .await
    }

    async fn list(&self, ws: &WorkspaceId, now: Timestamp) -> Result<Vec<Connection>, StoreError> {
        let (ws, now) = (ws.clone(), nanoseconds(now)?);
        self.db
            .read(move |conn| {
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT id, user_id, topics, expires_at FROM connections
                         WHERE ws = ?1 AND expires_at > ?2 ORDER BY id",
                    )
                    .map_err(sql_error)?;
                let rows = stmt
                    .query_map(params![ws.as_str(), now], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, i64>(3)?,
                        ))
                    })
                    .map_err(sql_error)?;
                let mut listed = Vec::new();
                for row in rows {
                    let (id, user_id, topics, expires_at) = row.map_err(sql_error)?;
                    listed.push(Connection {
                        id,
                        workspace: ws.clone(),
                        user_id,
                        topics: serde_json::from_str(&topics).map_err(corrupt)?,
                        expires_at: Timestamp::from_nanosecond(expires_at.into()).map_err(corrupt)?,
                    });
                }
                Ok(listed)
            })
            .await
    }

    async fn delete(&self, ws: &WorkspaceId, id: &str) -> Result<(), StoreError> {
        let (ws, id) = (ws.clone(), id.to_owned());
        self.db
            .write(move |conn| {
                conn.prepare_cached("DELETE FROM connections WHERE ws = ?1 AND id = ?2")
                    .and_then(|mut stmt| stmt.execute(params![ws.as_str(), id]))
                    .map_err(sql_error)?;
                Ok(())
            })
            .await
    }
}
