//! The ports' contract suites on the embedded adapters: an in-memory database, and a file in WAL
//! mode (where reads go through the pool of read connections); blobs in a temporary folder served
//! on a free port; push through the in-process hub.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::ports::{Blobs, Cache, Connections, Push, Queue, RollupStore};
use embedded::{BlobFolder, Db, PushHub, SqliteCache, SqliteConnections, SqliteQueue, SqliteStore};
use tests::contracts::push::PushProbe;
use tests::contracts::queue::MAX_RECEIVES;
use tokio::sync::mpsc;

/// A temporary folder that lives as long as the test process.
fn temp_dir() -> std::path::PathBuf {
    tempfile::tempdir().expect("temp dir").keep()
}

/// A database file in a temporary folder.
fn file_db() -> Arc<Db> {
    Db::open(&temp_dir().join("contract.db")).expect("open database file")
}

/// A blob folder whose router serves its links on a free loopback port, for the test's lifetime.
async fn served_blobs() -> Arc<dyn Blobs> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let folder = BlobFolder::new(temp_dir().join("blobs"), &base).expect("blob folder");
    let routes = folder.routes();
    tokio::spawn(async move { axum::serve(listener, routes).await.expect("blob server runs") });
    Arc::new(folder)
}

/// A connection's channel and the frames taken from it so far.
type Channel = (mpsc::Receiver<Vec<u8>>, Vec<Vec<u8>>);

/// The far side of the hub: it opens channels as the local WebSocket route will, and keeps what
/// they received.
struct HubProbe {
    hub: Arc<PushHub>,
    next_id: AtomicUsize,
    open: Mutex<HashMap<String, Channel>>,
}

#[async_trait]
impl PushProbe for HubProbe {
    async fn open(&self) -> String {
        let id = format!("conn-{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let receiver = self.hub.open(&id);
        self.open.lock().expect("probe lock").insert(id.clone(), (receiver, Vec::new()));
        id
    }

    async fn close(&self, id: &str) {
        self.hub.close(id);
    }

    async fn received(&self, id: &str) -> Vec<Vec<u8>> {
        let mut open = self.open.lock().expect("probe lock");
        let Some((receiver, frames)) = open.get_mut(id) else {
            return Vec::new();
        };
        while let Ok(frame) = receiver.try_recv() {
            frames.push(frame);
        }
        frames.clone()
    }
}

fn hub_with_probe() -> (Arc<dyn Push>, Arc<dyn PushProbe>) {
    let hub = Arc::new(PushHub::new());
    let probe = HubProbe { hub: hub.clone(), next_id: AtomicUsize::new(0), open: Mutex::new(HashMap::new()) };
    (hub, Arc::new(probe))
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

mod sqlite_queue {
    use super::*;
    tests::queue_contract_tests!(async {
        Arc::new(SqliteQueue::new(file_db(), "contract", MAX_RECEIVES)) as Arc<dyn Queue>
    });
}

mod blob_folder {
    use super::*;
    tests::blob_contract_tests!(served_blobs());
    tests::blob_link_security_tests!(served_blobs());
}

mod sqlite_connections {
    use super::*;
    tests::connections_contract_tests!(async { Arc::new(SqliteConnections::new(file_db())) as Arc<dyn Connections> });
}

mod push_hub {
    use super::*;
    tests::push_contract_tests!(async {
        let (push, probe) = hub_with_probe();
        (push, probe, Arc::new(SqliteConnections::new(file_db())) as Arc<dyn Connections>)
    });
}
