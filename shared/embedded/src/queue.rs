//! [`Queue`] on SQLite: a named queue's messages are rows of `queue_messages`. Each receive is one
//! immediate transaction, so two receivers never get the same delivery, and messages survive a
//! restart like everything else in the file.

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{Clock, Queue, QueueDepth, QueueError, Received, StoreError, SystemClock};
use jiff::SignedDuration;
use rusqlite::{Connection, TransactionBehavior, params};

use crate::db::{Db, sql_error};

#[derive(Clone)]
pub struct SqliteQueue {
    db: Arc<Db>,
    name: String,
    max_receives: u32,
    clock: Arc<dyn Clock>,
}

impl SqliteQueue {
    /// The queue `name` in `db`, which dead-letters a message once it has been received
    /// `max_receives` times (at least once).
    pub fn new(db: Arc<Db>, name: impl Into<String>, max_receives: u32) -> SqliteQueue {
        SqliteQueue { db, name: name.into(), max_receives: max_receives.max(1), clock: Arc::new(SystemClock) }
    }

    /// Visibility timeouts run on `clock` rather than the system's.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> SqliteQueue {
        SqliteQueue { clock, ..self }
    }

    fn now(&self) -> i64 {
        self.clock.now().as_microsecond()
    }
}

/// The queue shares the database with the store; its failures are the queue's to report.
fn queue_error(error: StoreError) -> QueueError {
    match error {
        StoreError::Corrupt(reason) | StoreError::OutOfRange(reason) => QueueError::Corrupt(reason),
        other => QueueError::Unavailable(other.to_string()),
    }
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// Dead-letters the messages that are due again but have had all their deliveries. Done before
/// every receive and count rather than when a visibility lapses, since nothing runs then.
fn bury_exhausted(conn: &Connection, queue: &str, max_receives: u32, now: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE queue_messages SET dead = 1
         WHERE queue = ?1 AND dead = 0 AND visible_at <= ?2 AND receive_count >= ?3",
    )
    .and_then(|mut stmt| stmt.execute(params![queue, now, max_receives]))
    .map_err(sql_error)?;
    Ok(())
}

fn receive_batch(
    conn: &mut Connection,
    queue: &SqliteQueue,
    max: usize,
    now: i64,
    hidden_until: i64,
) -> Result<Vec<Received>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
    bury_exhausted(&tx, &queue.name, queue.max_receives, now)?;
    let mut delivered = {
        let mut stmt = tx
            .prepare_cached(
                "UPDATE queue_messages
                 SET receive_count = receive_count + 1, visible_at = ?3, receipt = lower(hex(randomblob(16)))
                 WHERE seq IN (SELECT seq FROM queue_messages
                               WHERE queue = ?1 AND dead = 0 AND visible_at <= ?2 ORDER BY seq LIMIT ?4)
                 RETURNING seq, id, body, receipt, receive_count",
            )
            .map_err(sql_error)?;
        let rows = stmt
            .query_map(params![queue.name, now, hidden_until, i64::try_from(max).unwrap_or(i64::MAX)], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, i64>(4)?,
                ))
            })
            .map_err(sql_error)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql_error)?
    };
    tx.commit().map_err(sql_error)?;
    // RETURNING does not promise an order; deliver oldest first.
    delivered.sort_unstable_by_key(|row| row.0);
    delivered
        .into_iter()
        .map(|(_, id, body, receipt, count)| {
            let receive_count = u32::try_from(count).map_err(|_| corrupt(format!("receive count {count}")))?;
            Ok(Received { id, body, receipt, receive_count })
        })
        .collect()
}

#[async_trait]
impl Queue for SqliteQueue {
    async fn send(&self, body: &str) -> Result<String, QueueError> {
        let (queue, body, now) = (self.name.clone(), body.to_owned(), self.now());
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO queue_messages (queue, id, body, visible_at)
                     VALUES (?1, lower(hex(randomblob(16))), ?2, ?3) RETURNING id",
                )
                .and_then(|mut stmt| stmt.query_row(params![queue, body, now], |row| row.get(0)))
                .map_err(sql_error)
            })
            .await
            .map_err(queue_error)
    }

    async fn receive(&self, max: usize, visibility: SignedDuration) -> Result<Vec<Received>, QueueError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let now = self.now();
        let hidden_for = i64::try_from(visibility.as_micros().max(0)).unwrap_or(i64::MAX);
        let queue = self.clone();
        self.db
            .write(move |conn| receive_batch(conn, &queue, max, now, now.saturating_add(hidden_for)))
            .await
            .map_err(queue_error)
    }

    async fn ack(&self, receipt: &str) -> Result<(), QueueError> {
        let (queue, receipt) = (self.name.clone(), receipt.to_owned());
        self.db
            .write(move |conn| {
                // A dead message is out of the consumers' hands: like SQS, its last receipt no
                // longer deletes it.
                conn.prepare_cached("DELETE FROM queue_messages WHERE queue = ?1 AND receipt = ?2 AND dead = 0")
                    .and_then(|mut stmt| stmt.execute(params![queue, receipt]))
                    .map_err(sql_error)?;
                Ok(())
            })
            .await
            .map_err(queue_error)
    }

    async fn depth(&self) -> Result<QueueDepth, QueueError> {
        let (queue, max_receives, now) = (self.name.clone(), self.max_receives, self.now());
        self.db
            .write(move |conn| {
                bury_exhausted(conn, &queue, max_receives, now)?;
                let (waiting, in_flight, dead): (i64, i64, i64) = conn
                    .prepare_cached(
                        "SELECT coalesce(sum(dead = 0 AND visible_at <= ?2), 0),
                                coalesce(sum(dead = 0 AND visible_at > ?2), 0),
                                coalesce(sum(dead = 1), 0)
                         FROM queue_messages WHERE queue = ?1",
                    )
                    .and_then(|mut stmt| {
                        stmt.query_row(params![queue, now], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                    })
                    .map_err(sql_error)?;
                let count = |n: i64| usize::try_from(n).map_err(|_| corrupt(format!("message count {n}")));
                Ok(QueueDepth { waiting: count(waiting)?, in_flight: count(in_flight)?, dead: count(dead)? })
            })
            .await
            .map_err(queue_error)
    }
}
