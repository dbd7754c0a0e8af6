//! `spawn_app`: the local runtime's app, over SQLite and a temporary blob folder, served on
//! 127.0.0.1:0 with a clock the test moves by hand.

use std::sync::Arc;

use axum::Router;
use domain::ports::{Cache, FixedClock, RollupStore};
use embedded::{BlobFolder, Db, PushHub, SqliteCache, SqliteConnections, SqliteQueue, SqliteStore};
use jiff::Timestamp;
use local::server::ServerLimits;
use reqwest::StatusCode;
use serde_json::Value;
use web::{AuthConfig, Authenticator, Ports};

use crate::counting::CountingStore;
use crate::tokens::{self, AUDIENCE, ISSUER, SECRET};

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<FixedClock>,
    /// The app's store, counting calls.
    pub store: Arc<CountingStore>,
    pub ports: Ports,
    server: tokio::task::JoinHandle<()>,
    _blobs: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// What [`test_ports`] builds.
pub struct TestPorts {
    pub ports: Ports,
    /// The blob folder's download route, to serve beside the API.
    pub blob_routes: Router,
    pub clock: Arc<FixedClock>,
    pub store: Arc<CountingStore>,
}

/// Ports over `inner` and `cache` (SQLite, or the AWS adapters on emulators), an in-memory
/// SQLite database for the other ports, and blobs under `blob_dir` linked from `base_url`, every
/// port on the same fixed clock, accepting HS256 tokens signed with [`SECRET`] and RS256 tokens
/// of the fixture JWKS.
pub fn test_ports(
    now: Timestamp,
    blob_dir: &std::path::Path,
    base_url: &str,
    inner: Arc<dyn RollupStore>,
    cache: Arc<dyn Cache>,
) -> TestPorts {
    let db = Db::in_memory().expect("in-memory database");
    let clock = Arc::new(FixedClock::new(now));
    let store = Arc::new(CountingStore::new(inner));
    let jwks = serde_json::from_str(&tokens::fixture("rs256-test-jwks.json")).expect("fixture JWKS");
    let auth = Authenticator::new(AuthConfig {
        hs256_secret: Some(SECRET.as_bytes().to_vec()),
        jwks: Some(jwks),
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
    })
    .expect("auth config");
    let blobs = BlobFolder::new(blob_dir, base_url).expect("blob folder").with_clock(clock.clone());
    let blob_routes = blobs.routes();
    let ports = Ports {
        auth: Arc::new(auth),
        store: store.clone(),
        cache,
        clock: clock.clone(),
        blobs: Arc::new(blobs),
        queue: Arc::new(SqliteQueue::new(db.clone(), "exports", 5).with_clock(clock.clone())),
        connections: Arc::new(SqliteConnections::new(db)),
        push: Arc::new(PushHub::new()),
    };
    TestPorts { ports, blob_routes, clock, store }
}

/// Serves every route on a free loopback port; the server stops when the app is dropped.
pub async fn spawn_app(now: Timestamp) -> TestApp {
    let db = Db::in_memory().expect("in-memory database");
    spawn_app_on(now, Arc::new(SqliteStore::new(db.clone())), Arc::new(SqliteCache::new(db))).await
}

/// [`spawn_app`] over the given rollup store and cache.
pub async fn spawn_app_on(now: Timestamp, store: Arc<dyn RollupStore>, cache: Arc<dyn Cache>) -> TestApp {
    spawn_app_with(now, store, cache, ServerLimits::default()).await
}

/// [`spawn_app_on`] behind a server with the given limits.
pub async fn spawn_app_with(
    now: Timestamp,
    store: Arc<dyn RollupStore>,
    cache: Arc<dyn Cache>,
    limits: ServerLimits,
) -> TestApp {
    // A 500's cause is only logged: show warnings and errors beside a failing test's output.
    let _ = tracing_subscriber::fmt().with_env_filter("warn").with_test_writer().try_init();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let blob_dir = tempfile::tempdir().expect("temp dir");
    let TestPorts { ports, blob_routes, clock, store } = test_ports(now, blob_dir.path(), &base, store, cache);
    let app = local::app(&ports, blob_routes);
    let server = tokio::spawn(local::server::serve(listener, app, limits, std::future::pending()));
    TestApp { base, client: reqwest::Client::new(), clock, store, ports, server, _blobs: blob_dir }
}

/// A response's status and JSON body (`Value::Null` when the body is not JSON).
pub type Reply = (StatusCode, Value);

async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let text = response.text().await.expect("response body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

impl TestApp {
    pub async fn get(&self, path: &str, token: &str) -> Reply {
        reply(self.client.get(format!("{}{path}", self.base)).bearer_auth(token).send().await.expect("GET")).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        let request = self.client.post(format!("{}{path}", self.base)).bearer_auth(token).json(body);
        reply(request.send().await.expect("POST")).await
    }

    pub async fn post_raw(&self, path: &str, token: &str, body: Vec<u8>) -> Reply {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body);
        reply(request.send().await.expect("POST")).await
    }

    pub async fn ingest(&self, ws: &str, body: &Value) -> Reply {
        self.post("/api/v1/events", &tokens::token(ws, "service"), body).await
    }

    /// Ingests and insists every event was accepted.
    pub async fn ingest_ok(&self, ws: &str, events: Vec<Value>) {
        let count = events.len();
        let (status, body) = self.ingest(ws, &crate::builders::batch(events)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["accepted"], count, "{body}");
    }

    pub async fn stats(&self, ws: &str, campaign: &str, query: &str) -> Reply {
        self.get(&format!("/api/campaigns/{campaign}/stats{query}"), &tokens::token(ws, "viewer")).await
    }
}
