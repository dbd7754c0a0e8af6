//! The ports' contract suites on the embedded adapters: an in-memory database, and a file in WAL
//! mode (where reads go through the pool of read connections).

use std::sync::Arc;

use domain::ports::{Cache, RollupStore};
use embedded::{Db, SqliteCache, SqliteStore};

/// A database file in a temporary folder that lives as long as the test process.
fn file_db() -> Arc<Db> {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    Db::open(&dir.join("contract.db")).expect("open database file")
}

mod sqlite_in_memory_store {
    use super::*;
    tests::store_contract_tests!(async {
        Arc::new(SqliteStore::new(Db::in_memory().expect("db"))) as Arc<dyn RollupStore>
    });
}

mod sqlite_file_store {
    use super::*;
    tests::store_contract_tests!(async { Arc::new(SqliteStore::new(file_db())) as Arc<dyn RollupStore> });
}

mod sqlite_cache {
    use super::*;
    tests::cache_contract_tests!(async { Arc::new(SqliteCache::new(file_db())) as Arc<dyn Cache> });
}
