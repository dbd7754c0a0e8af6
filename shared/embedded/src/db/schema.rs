//! The schema as a list of migrations: a file at version `n` (SQLite's `user_version`) has had
//! the first `n` applied, so opening an older file applies only the steps it lacks.

use domain::ports::StoreError;
use rusqlite::{Connection, TransactionBehavior};

use super::unavailable;

/// Step `i` brings a file from version `i` to `i + 1`. Append only: a shipped step never changes,
/// since files in the wild already ran it.
const MIGRATIONS: &[&str] =
    &[V1_ENGINE, V2_QUEUE_AND_CONNECTIONS, V3_WIDE_CELL_VALUES, V4_CACHE_GROUPS, V5_INDEX_ENTRIES];

const V1_ENGINE: &str = "
-- Each stored event is its own exactly-once marker: (ws, id) is unique.
CREATE TABLE IF NOT EXISTS events (
    ws          TEXT NOT NULL,
    id          TEXT NOT NULL,
    type        TEXT NOT NULL,
    occurred_at INTEGER NOT NULL, -- Unix microseconds
    hash        TEXT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (ws, id)
);
-- One row per field of a rollup item; a range of buckets is one ordered index range.
CREATE TABLE IF NOT EXISTS cells (
    ws     TEXT NOT NULL,
    series TEXT NOT NULL,
    bucket TEXT NOT NULL,
    field  TEXT NOT NULL,
    value  INTEGER NOT NULL,
    PRIMARY KEY (ws, series, bucket, field)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities (
    ws      TEXT NOT NULL,
    key     TEXT NOT NULL,
    version TEXT NOT NULL,
    state   TEXT,
    data    TEXT NOT NULL,
    PRIMARY KEY (ws, key)
);
-- Months whose days were written since they were last folded. `token` is the commit sequence
-- of the latest such write: never reused, so a slow folder cannot clear a newer mark.
CREATE TABLE IF NOT EXISTS due_folds (
    ws     TEXT NOT NULL,
    series TEXT NOT NULL,
    month  TEXT NOT NULL,
    token  INTEGER NOT NULL,
    PRIMARY KEY (ws, series, month)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cache (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    expires_at INTEGER NOT NULL -- Unix microseconds
);
CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO counters (name, value) VALUES ('commit_seq', 0);
";

const V2_QUEUE_AND_CONNECTIONS: &str = "
-- Messages of every named queue, delivered in `seq` order. A message is hidden until
-- `visible_at`; `receipt` names its current delivery only, so acknowledging an older delivery
-- finds nothing. A dead message stays for inspection but is never delivered again.
CREATE TABLE IF NOT EXISTS queue_messages (
    seq           INTEGER PRIMARY KEY,
    queue         TEXT NOT NULL,
    id            TEXT NOT NULL UNIQUE,
    body          TEXT NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    visible_at    INTEGER NOT NULL, -- Unix microseconds
    receipt       TEXT UNIQUE,      -- NULL until the first delivery
    dead          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS queue_messages_ready ON queue_messages (queue, dead, visible_at);
-- Realtime subscribers. Rows are deleted when a socket closes or a push finds it gone.
CREATE TABLE IF NOT EXISTS connections (
    ws         TEXT NOT NULL,
    id         TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    topics     TEXT NOT NULL,    -- JSON array of strings
    expires_at INTEGER NOT NULL, -- Unix nanoseconds, so a token's expiry reads back exactly
    PRIMARY KEY (ws, id)
) WITHOUT ROWID;
";

const V3_WIDE_CELL_VALUES: &str = "
-- Cell values are 128-bit (see cell_values.rs): INTEGER while they fit 64 bits, decimal TEXT
-- beyond, in a column without type affinity so that SQLite converts neither. A sum a build before
-- this one let overflow into a REAL is kept as text that no longer reads as a number, so it fails
-- loudly where it is read instead of silently counting as something.
CREATE TABLE cells_v3 (
    ws     TEXT NOT NULL,
    series TEXT NOT NULL,
    bucket TEXT NOT NULL,
    field  TEXT NOT NULL,
    value  NOT NULL CHECK (typeof(value) IN ('integer', 'text')),
    PRIMARY KEY (ws, series, bucket, field)
) WITHOUT ROWID;
INSERT INTO cells_v3 (ws, series, bucket, field, value)
    SELECT ws, series, bucket, field,
           CASE typeof(value) WHEN 'integer' THEN value ELSE 'overflowed: ' || value END
    FROM cells;
DROP TABLE cells;
ALTER TABLE cells_v3 RENAME TO cells;
";

const V4_CACHE_GROUPS: &str = "
-- Cached views are keyed by a group (one view of one thing in one workspace) and a variant, so
-- that every variant of a group is dropped at once. Cached answers are disposable: not carried over.
DROP TABLE cache;
CREATE TABLE cache (
    grp        TEXT NOT NULL,
    variant    TEXT NOT NULL,
    value      TEXT NOT NULL,
    expires_at INTEGER NOT NULL, -- Unix microseconds
    PRIMARY KEY (grp, variant)
) WITHOUT ROWID;
";

const V5_INDEX_ENTRIES: &str = "
-- Lists and tallies (domain::rollup::indexes): one row per entry, in sort order within an index,
-- so that the newest entries or a range of instants is one ordered index range.
CREATE TABLE index_entries (
    ws    TEXT NOT NULL,
    idx   TEXT NOT NULL,
    sort  TEXT NOT NULL,
    id    TEXT NOT NULL,
    data  TEXT NOT NULL,             -- JSON object
    count INTEGER NOT NULL DEFAULT 0, -- a tally's count
    PRIMARY KEY (ws, idx, sort, id)
) WITHOUT ROWID;
";

/// Brings the database to the newest schema. One immediate transaction, so two processes
/// opening the same old file do not both run a step.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let newest = MIGRATIONS.len();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(unavailable)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(unavailable)?;
    let Some(pending) = usize::try_from(version).ok().and_then(|applied| MIGRATIONS.get(applied..)) else {
        return Err(StoreError::Corrupt(format!(
            "the database has schema version {version}; this build knows up to {newest}"
        )));
    };
    for step in pending {
        tx.execute_batch(step).map_err(unavailable)?;
    }
    tx.pragma_update(None, "user_version", newest as i64).map_err(unavailable)?;
    tx.commit().map_err(unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Db;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0)).expect("user_version")
    }

    #[test]
    fn a_version_1_file_is_brought_forward_and_keeps_its_data() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("old.db");
        {
            // What the version 1 build left behind.
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(V1_ENGINE).expect("v1 schema");
            conn.execute(
                "INSERT INTO events (ws, id, type, occurred_at, hash, body) VALUES ('ws1', 'e1', 't', 0, 'h', '{}')",
                [],
            )
            .expect("an event");
            conn.pragma_update(None, "user_version", 1).expect("version 1");
        }
        drop(Db::open(&path).expect("open and migrate"));

        let conn = Connection::open(&path).expect("reopen");
        assert_eq!(version(&conn), MIGRATIONS.len() as i64);
        let events: i64 = conn.query_row("SELECT count(*) FROM events", [], |row| row.get(0)).expect("count");
        assert_eq!(events, 1, "data of version 1 survives");
        conn.execute("INSERT INTO queue_messages (queue, id, body, visible_at) VALUES ('q', 'm1', 'b', 0)", [])
            .expect("the queue table exists");
        conn.execute(
            "INSERT INTO connections (ws, id, user_id, topics, expires_at) VALUES ('ws1', 'c1', 'u1', '[]', 0)",
            [],
        )
        .expect("the connections table exists");
    }

    #[test]
    fn a_version_2_file_keeps_its_cells_and_a_sum_that_overflowed_into_a_real_reads_as_corrupt() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("v2.db");
        {
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(V1_ENGINE).expect("v1");
            conn.execute_batch(V2_QUEUE_AND_CONNECTIONS).expect("v2");
            conn.execute_batch(
                "INSERT INTO cells VALUES ('ws1', 's', 't', 'count', 7);
                 INSERT INTO cells VALUES ('ws1', 's', 't', 'sum.duration_s', 9223372036854775807);
                 UPDATE cells SET value = value + 1 WHERE field = 'sum.duration_s';",
            )
            .expect("a v2 file with an overflowed sum");
            conn.pragma_update(None, "user_version", 2).expect("version 2");
        }
        drop(Db::open(&path).expect("open and migrate"));
        let conn = Connection::open(&path).expect("reopen");
        let rows: Vec<(String, String)> = conn
            .prepare("SELECT field, typeof(value) || ':' || value FROM cells ORDER BY field")
            .and_then(|mut stmt| stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect())
            .expect("cells");
        assert_eq!(rows[0], ("count".to_owned(), "integer:7".to_owned()));
        assert!(rows[1].1.starts_with("text:overflowed: 9.2"), "{:?}", rows[1]);
        let real = conn.execute("INSERT INTO cells VALUES ('ws1', 's', 't', 'x', 1.5)", []);
        assert!(real.is_err(), "a REAL can no longer be stored");
    }

    #[test]
    fn opening_a_current_file_again_changes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("current.db");
        drop(Db::open(&path).expect("create"));
        drop(Db::open(&path).expect("reopen"));
        assert_eq!(version(&Connection::open(&path).expect("open")), MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_file_from_a_newer_build_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("newer.db");
        Connection::open(&path).expect("open").pragma_update(None, "user_version", 99).expect("version");
        assert!(matches!(Db::open(&path), Err(StoreError::Corrupt(_))));
    }
}
