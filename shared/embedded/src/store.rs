//! [`RollupStore`] on SQLite: a commit is one `BEGIN IMMEDIATE` transaction, so markers, cells
//! (min/max included) and entity writes apply together or not at all.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use domain::WorkspaceId;
use domain::ports::{CommitError, DueFold, RollupStore, StoreError};
use domain::rollup::{
    CellKey, Cells, CommitPlan, Direction, EntityKey, EntityRecord, IndexChange, IndexEntry, Op, SortRange,
};
use domain::time::Bucket;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::{Map, Value};

use crate::db::cell_values::{CellValue, OUT_OF_RANGE};
use crate::db::{Db, sql_error};

/// The rollup store of the embedded runtime.
#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<Db>,
}

impl SqliteStore {
    pub fn new(db: Arc<Db>) -> SqliteStore {
        SqliteStore { db }
    }
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// A row that did not read back: a value that is not an integer is corrupt data, not an outage.
fn read_error(error: rusqlite::Error) -> StoreError {
    match error {
        rusqlite::Error::FromSqlConversionFailure(_, _, cause) => corrupt(cause),
        rusqlite::Error::InvalidColumnType(_, name, kind) => corrupt(format!("{name} holds a {kind}")),
        other => sql_error(other),
    }
}

fn parse_bucket(key: &str) -> Result<Bucket, StoreError> {
    Bucket::parse_key(key).ok_or_else(|| corrupt(format!("bad bucket key {key:?}")))
}

fn load_entity(conn: &Connection, ws: &str, key: &str) -> Result<Option<EntityRecord>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT version, state, data FROM entities WHERE ws = ?1 AND key = ?2")
        .map_err(sql_error)?;
    let row = stmt
        .query_row(params![ws, key], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?, row.get::<_, String>(2)?))
        })
        .optional()
        .map_err(sql_error)?;
    let Some((token, state, data)) = row else {
        return Ok(None);
    };
    let data: Map<String, Value> = serde_json::from_str(&data).map_err(corrupt)?;
    EntityRecord::from_token(&token, state, data)
        .map(Some)
        .ok_or_else(|| corrupt(format!("bad entity version {token:?}")))
}

fn stored_version(conn: &Connection, ws: &str, key: &str) -> Result<Option<String>, StoreError> {
    conn.prepare_cached("SELECT version FROM entities WHERE ws = ?1 AND key = ?2")
        .and_then(|mut stmt| stmt.query_row(params![ws, key], |row| row.get(0)).optional())
        .map_err(sql_error)
}

/// Merges a field into its stored value (see `db::cell_values` for why not SQL's own `+`).
fn cell_statement(op: Op) -> &'static str {
    match op {
        Op::Add => {
            "INSERT INTO cells (ws, series, bucket, field, value) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET value = cell_add(value, excluded.value)"
        }
        Op::Min => {
            "INSERT INTO cells (ws, series, bucket, field, value) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET value = cell_min(value, excluded.value)"
        }
        Op::Max => {
            "INSERT INTO cells (ws, series, bucket, field, value) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET value = cell_max(value, excluded.value)"
        }
    }
}

/// A failed cell write: out of range when `cell_add` refused it, else what SQLite said.
fn cell_write_error(error: rusqlite::Error, ws: &str, key: &CellKey, field: &str) -> StoreError {
    if error.to_string().contains(OUT_OF_RANGE) {
        StoreError::OutOfRange(format!("{ws}: {} {} {field}", key.series, key.bucket))
    } else {
        sql_error(error)
    }
}

/// The whole commit, inside one transaction. Checks first, so a refused plan writes nothing.
fn commit_plan(conn: &mut Connection, ws: &str, plan: &CommitPlan) -> Result<Result<(), CommitError>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
    {
        let mut exists = tx.prepare_cached("SELECT 1 FROM events WHERE ws = ?1 AND id = ?2").map_err(sql_error)?;
        let mut duplicates = Vec::new();
        for event in &plan.events {
            if exists.exists(params![ws, event.id]).map_err(sql_error)? {
                duplicates.push(event.id.clone());
            }
        }
        if !duplicates.is_empty() {
            return Ok(Err(CommitError::Duplicates(duplicates)));
        }
        let mut stale = Vec::new();
        for write in &plan.entities {
            let stored = stored_version(&tx, ws, write.key.as_str())?;
            if stored != write.expected {
                stale.push(write.key.clone());
            }
        }
        if !stale.is_empty() {
            return Ok(Err(CommitError::StaleEntities(stale)));
        }

        let mut insert_event = tx
            .prepare_cached(
                "INSERT INTO events (ws, id, type, occurred_at, hash, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(sql_error)?;
        for event in &plan.events {
            insert_event
                .execute(params![
                    ws,
                    event.id,
                    event.event_type,
                    { event.occurred_at.as_microsecond() },
                    event.hash,
                    event.body
                ])
                .map_err(sql_error)?;
        }

        for (key, cells) in plan.cells.iter() {
            let bucket = key.bucket.key();
            for (field, value) in cells {
                tx.prepare_cached(cell_statement(Op::of(field)))
                    .and_then(|mut stmt| stmt.execute(params![ws, key.series, bucket, field, CellValue(*value)]))
                    .map_err(|error| cell_write_error(error, ws, key, field))?;
            }
        }
        let months_due = plan.months_due();
        if !months_due.is_empty() {
            let token: i64 = tx
                .query_row(
                    "UPDATE counters SET value = value + 1 WHERE name = 'commit_seq' RETURNING value",
                    [],
                    |row| row.get(0),
                )
                .map_err(sql_error)?;
            let mut mark = tx
                .prepare_cached(
                    "INSERT INTO due_folds (ws, series, month, token) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO UPDATE SET token = excluded.token",
                )
                .map_err(sql_error)?;
            for (series, month) in months_due {
                mark.execute(params![ws, series, month.key(), token]).map_err(sql_error)?;
            }
        }

        let mut upsert_entity = tx
            .prepare_cached(
                "INSERT INTO entities (ws, key, version, state, data) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT DO UPDATE SET version = excluded.version, state = excluded.state, data = excluded.data",
            )
            .map_err(sql_error)?;
        for write in &plan.entities {
            let data = Value::Object(write.record.data.clone()).to_string();
            upsert_entity
                .execute(params![ws, write.key.as_str(), write.record.token(), write.record.state, data])
                .map_err(sql_error)?;
        }
        apply_index_changes(&tx, ws, plan)?;
    }
    tx.commit().map_err(sql_error)?;
    Ok(Ok(()))
}

fn apply_index_changes(tx: &Connection, ws: &str, plan: &CommitPlan) -> Result<(), StoreError> {
    for (key, change) in plan.index.iter() {
        let keys = params![ws, key.index, key.sort, key.id];
        let result = match change {
            IndexChange::Set { data, .. } => tx
                .prepare_cached(
                    "INSERT INTO index_entries (ws, idx, sort, id, data, count) VALUES (?1, ?2, ?3, ?4, ?5, 0)
                     ON CONFLICT DO UPDATE SET data = excluded.data, count = 0",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![ws, key.index, key.sort, key.id, Value::Object(data.clone()).to_string()])
                }),
            IndexChange::Remove => tx
                .prepare_cached("DELETE FROM index_entries WHERE ws = ?1 AND idx = ?2 AND sort = ?3 AND id = ?4")
                .and_then(|mut stmt| stmt.execute(keys)),
            IndexChange::Count { data, delta } => tx
                .prepare_cached(
                    "INSERT INTO index_entries (ws, idx, sort, id, data, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT DO UPDATE SET data = excluded.data, count = count + excluded.count",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![
                        ws,
                        key.index,
                        key.sort,
                        key.id,
                        Value::Object(data.clone()).to_string(),
                        delta
                    ])
                }),
        };
        result.map_err(sql_error)?;
    }
    Ok(())
}

fn index_entry(row: &rusqlite::Row, first: usize) -> rusqlite::Result<(String, String, String, i64)> {
    Ok((row.get(first)?, row.get(first + 1)?, row.get(first + 2)?, row.get(first + 3)?))
}

fn to_entry((sort, id, data, count): (String, String, String, i64)) -> Result<IndexEntry, StoreError> {
    Ok(IndexEntry { sort, id, data: serde_json::from_str(&data).map_err(corrupt)?, count })
}

/// The SQL condition and bounds of a sort range (`?3` and `?4`, open ends as the extremes).
fn range_bounds(range: &SortRange) -> (String, String) {
    // Sort keys are text of key parts and instants, which never hold U+10FFFF.
    (range.from.clone().unwrap_or_default(), range.to.clone().unwrap_or_else(|| "\u{10FFFF}".to_owned()))
}

fn read_item(conn: &Connection, ws: &str, series: &str, bucket: &str) -> Result<Cells, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT field, value FROM cells WHERE ws = ?1 AND series = ?2 AND bucket = ?3")
        .map_err(sql_error)?;
    let rows = stmt
        .query_map(params![ws, series, bucket], |row| Ok((row.get(0)?, row.get::<_, CellValue>(1)?.0)))
        .map_err(sql_error)?;
    rows.collect::<rusqlite::Result<Cells>>().map_err(read_error)
}

/// Groups `(bucket, field, value)` rows, ordered by bucket, into items.
fn group_rows(
    rows: impl Iterator<Item = rusqlite::Result<(String, String, CellValue)>>,
) -> Result<Vec<(Bucket, Cells)>, StoreError> {
    let mut items: Vec<(String, Cells)> = Vec::new();
    for row in rows {
        let (bucket, field, CellValue(value)) = row.map_err(read_error)?;
        match items.last_mut() {
            Some((last, cells)) if *last == bucket => {
                cells.insert(field, value);
            }
            _ => items.push((bucket, Cells::from([(field, value)]))),
        }
    }
    items.into_iter().map(|(bucket, cells)| Ok((parse_bucket(&bucket)?, cells))).collect()
}

#[async_trait]
impl RollupStore for SqliteStore {
    fn max_items_per_commit(&self) -> usize {
        usize::MAX
    }

    async fn find_events(&self, ws: &WorkspaceId, ids: &[String]) -> Result<HashMap<String, String>, StoreError> {
        let (ws, ids) = (ws.clone(), ids.to_vec());
        self.db
            .read(move |conn| {
                let mut stmt =
                    conn.prepare_cached("SELECT hash FROM events WHERE ws = ?1 AND id = ?2").map_err(sql_error)?;
                let mut found = HashMap::new();
                for id in ids {
                    let hash: Option<String> =
                        stmt.query_row(params![ws.as_str(), id], |row| row.get(0)).optional().map_err(sql_error)?;
                    if let Some(hash) = hash {
                        found.insert(id, hash);
                    }
                }
                Ok(found)
            })
            .await
    }

    async fn load_entities(
        &self,
        ws: &WorkspaceId,
        keys: &[EntityKey],
    ) -> Result<HashMap<EntityKey, EntityRecord>, StoreError> {
        let (ws, keys) = (ws.clone(), keys.to_vec());
        self.db
            .read(move |conn| {
                let mut found = HashMap::new();
                for key in keys {
                    if let Some(record) = load_entity(conn, ws.as_str(), key.as_str())? {
                        found.insert(key, record);
                    }
                }
                Ok(found)
            })
            .await
    }

    async fn commit(&self, ws: &WorkspaceId, plan: &CommitPlan) -> Result<(), CommitError> {
        let (ws, plan) = (ws.clone(), plan.clone());
        self.db.write(move |conn| commit_plan(conn, ws.as_str(), &plan)).await?
    }

    async fn read_cells(&self, ws: &WorkspaceId, keys: &[CellKey]) -> Result<HashMap<CellKey, Cells>, StoreError> {
        let (ws, keys) = (ws.clone(), keys.to_vec());
        self.db
            .read(move |conn| {
                let mut found = HashMap::new();
                for key in keys {
                    let cells = read_item(conn, ws.as_str(), &key.series, &key.bucket.key())?;
                    if !cells.is_empty() {
                        found.insert(key, cells);
                    }
                }
                Ok(found)
            })
            .await
    }

    async fn read_range(
        &self,
        ws: &WorkspaceId,
        series: &str,
        from: Bucket,
        to: Bucket,
    ) -> Result<Vec<(Bucket, Cells)>, StoreError> {
        let (ws, series) = (ws.clone(), series.to_owned());
        self.db
            .read(move |conn| {
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT bucket, field, value FROM cells
                         WHERE ws = ?1 AND series = ?2 AND bucket BETWEEN ?3 AND ?4 ORDER BY bucket",
                    )
                    .map_err(sql_error)?;
                let rows = stmt
                    .query_map(params![ws.as_str(), series, from.key(), to.key()], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })
                    .map_err(sql_error)?;
                group_rows(rows)
            })
            .await
    }

    async fn read_index(
        &self,
        ws: &WorkspaceId,
        index: &str,
        range: &SortRange,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let (ws, index, (from, to)) = (ws.clone(), index.to_owned(), range_bounds(range));
        let order = match direction {
            Direction::Ascending => "ASC",
            Direction::Descending => "DESC",
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.db
            .read(move |conn| {
                let sql = format!(
                    "SELECT sort, id, data, count FROM index_entries
                     WHERE ws = ?1 AND idx = ?2 AND sort >= ?3 AND sort < ?4 ORDER BY sort {order}, id {order} LIMIT ?5"
                );
                let mut stmt = conn.prepare_cached(&sql).map_err(sql_error)?;
                let rows = stmt
                    .query_map(params![ws.as_str(), index, from, to, limit], |row| index_entry(row, 0))
                    .map_err(sql_error)?;
                rows.map(|row| to_entry(row.map_err(read_error)?)).collect()
            })
            .await
    }

    async fn count_index(&self, ws: &WorkspaceId, index: &str, range: &SortRange) -> Result<u64, StoreError> {
        let (ws, index, (from, to)) = (ws.clone(), index.to_owned(), range_bounds(range));
        self.db
            .read(move |conn| {
                let count: i64 = conn
                    .prepare_cached(
                        "SELECT count(*) FROM index_entries WHERE ws = ?1 AND idx = ?2 AND sort >= ?3 AND sort < ?4",
                    )
                    .and_then(|mut stmt| stmt.query_row(params![ws.as_str(), index, from, to], |row| row.get(0)))
                    .map_err(sql_error)?;
                Ok(u64::try_from(count).unwrap_or(0))
            })
            .await
    }

    async fn scan_index(&self, ws: &WorkspaceId) -> Result<Vec<(String, IndexEntry)>, StoreError> {
        let ws = ws.clone();
        self.db
            .read(move |conn| {
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT idx, sort, id, data, count FROM index_entries WHERE ws = ?1 ORDER BY idx, sort, id",
                    )
                    .map_err(sql_error)?;
                let rows = stmt
                    .query_map(params![ws.as_str()], |row| Ok((row.get::<_, String>(0)?, index_entry(row, 1)?)))
                    .map_err(sql_error)?;
                rows.map(|row| {
                    let (index, entry) = row.map_err(read_error)?;
                    Ok((index, to_entry(entry)?))
                })
                .collect()
            })
            .await
    }

    async fn due_folds(&self, limit: usize) -> Result<Vec<DueFold>, StoreError> {
        self.db
            .read(move |conn| {
                let mut stmt = conn
                    .prepare_cached("SELECT ws, series, month, token FROM due_folds ORDER BY token LIMIT ?1")
                    .map_err(sql_error)?;
                let rows = stmt
                    .query_map(params![limit as i64], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, i64>(3)?,
                        ))
                    })
                    .map_err(sql_error)?;
                let mut due = Vec::new();
                for row in rows {
                    let (ws, series, month, token) = row.map_err(sql_error)?;
                    due.push(DueFold {
                        workspace: WorkspaceId::parse(&ws).ok_or_else(|| corrupt(format!("bad workspace {ws:?}")))?,
                        series,
                        month: parse_bucket(&month)?,
                        token: token.to_string(),
                    });
                }
                Ok(due)
            })
            .await
    }

    async fn complete_fold(&self, fold: &DueFold, cells: &Cells) -> Result<bool, StoreError> {
        let (fold, cells) = (fold.clone(), cells.clone());
        self.db
            .write(move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
                let ws = fold.workspace.as_str();
                let month = fold.month.key();
                let token: i64 = fold.token.parse().map_err(corrupt)?;
                let cleared = tx
                    .execute(
                        "DELETE FROM due_folds WHERE ws = ?1 AND series = ?2 AND month = ?3 AND token = ?4",
                        params![ws, fold.series, month, token],
                    )
                    .map_err(sql_error)?;
                if cleared == 0 {
                    return Ok(false); // a day changed after the mark was read: stays due
                }
                tx.execute(
                    "DELETE FROM cells WHERE ws = ?1 AND series = ?2 AND bucket = ?3",
                    params![ws, fold.series, month],
                )
                .map_err(sql_error)?;
                for (field, value) in &cells {
                    tx.execute(
                        "INSERT INTO cells (ws, series, bucket, field, value) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![ws, fold.series, month, field, CellValue(*value)],
                    )
                    .map_err(sql_error)?;
                }
                tx.commit().map_err(sql_error)?;
                Ok(true)
            })
            .await
    }

    async fn abandon_fold(&self, fold: &DueFold) -> Result<bool, StoreError> {
        let fold = fold.clone();
        let token: i64 = fold.token.parse().map_err(corrupt)?;
        self.db
            .write(move |conn| {
                conn.execute(
                    "DELETE FROM due_folds WHERE ws = ?1 AND series = ?2 AND month = ?3 AND token = ?4",
                    params![fold.workspace.as_str(), fold.series, fold.month.key(), token],
                )
                .map(|cleared| cleared > 0)
                .map_err(sql_error)
            })
            .await
    }

    async fn scan_cells(&self, ws: &WorkspaceId) -> Result<Vec<(CellKey, Cells)>, StoreError> {
        let ws = ws.clone();
        self.db
            .read(move |conn| {
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT series, bucket, field, value FROM cells WHERE ws = ?1 ORDER BY series, bucket",
                    )
                    .map_err(sql_error)?;
                let rows = stmt
                    .query_map(params![ws.as_str()], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, CellValue>(3)?.0,
                        ))
                    })
                    .map_err(sql_error)?;
                let mut items: Vec<(CellKey, Cells)> = Vec::new();
                for row in rows {
                    let (series, bucket, field, value) = row.map_err(read_error)?;
                    let key = CellKey::new(series, parse_bucket(&bucket)?);
                    match items.last_mut() {
                        Some((last, cells)) if *last == key => {
                            cells.insert(field, value);
                        }
                        _ => items.push((key, Cells::from([(field, value)]))),
                    }
                }
                Ok(items)
            })
            .await
    }
}
