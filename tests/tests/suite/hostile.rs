//! What a hostile probe found, each pinned here: a number that poisoned a campaign and stalled
//! every workspace's rollups, a busy store answering 500, connections held open forever, and
//! errors answered without the envelope.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::WorkspaceId;
use domain::ingest::apply_events;
use domain::ports::RollupStore;
use domain::rollup::{CellKey, Rules, series_key};
use domain::time::Bucket;
use embedded::{Db, SqliteCache, SqliteStore};
use local::server::ServerLimits;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::app::{TestApp, spawn_app, spawn_app_with};
use tests::builders::{ad_delivery, batch, call};
use tests::exactly_once::{Fault, Faulty, valid};
use tests::tokens::{claims, hs256, token};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const WS: &str = "ws-main";
const NOW: &str = "2025-03-10T15:00:00Z";

fn assert_envelope(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["status"], expected.as_u16(), "{body}");
    assert!(body["error"]["details"].is_object(), "{body}");
}

#[tokio::test]
async fn an_out_of_range_number_is_refused_and_the_campaign_keeps_exact_numbers() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let poison = call("poison", "2025-03-10T14:00:00Z", "c1", "completed", 1e16);
    let mut spend = ad_delivery("spend", "2025-03-10T14:00:00Z", "c1", 1.0, 1);
    spend["data"]["spend"] = json!(1e12);
    let (status, reply) = app.ingest(WS, &batch(vec![poison, spend])).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    let fields: Vec<&str> =
        reply["rejected"].as_array().expect("rejected").iter().map(|r| r["field"].as_str().expect("field")).collect();
    assert_eq!(fields, vec!["data.duration_s", "data.spend"]);

    // Later batches of the campaign, the longest call allowed among them, are applied exactly.
    app.ingest_ok(WS, vec![call("day-long", "2025-03-10T14:01:00Z", "c1", "completed", 86_400.0)]).await;
    app.ingest_ok(WS, vec![call("minute", "2025-03-10T14:02:00Z", "c1", "completed", 60.0)]).await;
    let (status, stats) = app.stats(WS, "c1", "").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(
        stats["duration"],
        json!({"average_seconds": 43_230.0, "min_seconds": 60.0, "max_seconds": 86_400.0, "total_seconds": 86_460.0})
    );
}

#[tokio::test]
async fn a_month_that_cannot_be_folded_is_set_aside_and_other_workspaces_still_fold() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("analytics.db");
    let store = SqliteStore::new(Db::open(&path).expect("db"));
    let (poisoned, healthy) = (WorkspaceId::parse("ws-a").expect("id"), WorkspaceId::parse("ws-b").expect("id"));
    for ws in [&poisoned, &healthy] {
        let events = [valid(call("c", "2025-03-10T14:00:00Z", "c1", "completed", 60.0))];
        apply_events(&store, &Rules::standard(), ws, &events).await.expect("apply");
    }
    // What an overflow left in a file of a build before the fix (see the V3 migration).
    rusqlite::Connection::open(&path)
        .expect("open")
        .execute(
            "UPDATE cells SET value = 'overflowed: 9.2e18' WHERE ws = 'ws-a' AND bucket LIKE 'd%' AND field = 'sum.duration_s'",
            [],
        )
        .expect("poison");

    let report = rollups::run_once(&store).await.expect("the run goes on past the poisoned month");
    // The call feeds the campaign's and the workspace's days: four months in all, the poisoned
    // campaign's March alone set aside.
    assert_eq!((report.folded, report.failed), (3, 1), "{report:?}");
    let month = CellKey::new(series_key("campaign_calls", &["c1"]), Bucket::Month { year: 2025, month: 3 });
    let folded = store.read_cells(&healthy, std::slice::from_ref(&month)).await.expect("read");
    assert_eq!(folded[&month]["count"], 1, "the other workspace's month is folded");
    assert!(store.due_folds(10).await.expect("due").is_empty(), "nothing is left to block the next runs");
    let again = rollups::run_once(&store).await.expect("run");
    assert_eq!((again.folded, again.failed), (0, 0));
}

#[tokio::test]
async fn a_store_that_is_down_or_busy_answers_503_with_retry_after_and_a_retry_succeeds() {
    let db = Db::in_memory().expect("db");
    let inner: Arc<dyn RollupStore> = Arc::new(SqliteStore::new(db.clone()));
    let faulty = Faulty {
        inner: inner.clone(),
        faults: Mutex::new(VecDeque::from([Some(Fault::Before)])),
        max_items: inner.max_items_per_commit(),
    };
    let app =
        tests::app::spawn_app_on(NOW.parse().expect("now"), Arc::new(faulty), Arc::new(SqliteCache::new(db))).await;
    let events = batch(vec![call("retried", "2025-03-10T14:00:00Z", "c1", "busy", 1.0)]);
    let response = app
        .client
        .post(format!("{}/api/v1/events", app.base))
        .bearer_auth(token(WS, "service"))
        .json(&events)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.headers().get("retry-after").map(|v| v.as_bytes()), Some(&b"1"[..]));
    let (status, body) = (response.status(), response.json::<Value>().await.expect("json"));
    assert_envelope(status, &body, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE");
    let (status, body) = app.ingest(WS, &events).await;
    assert_eq!((status, body["accepted"].as_i64()), (StatusCode::ACCEPTED, Some(1)), "{body}");
}

async fn app_with_limits(limits: ServerLimits) -> TestApp {
    let db = Db::in_memory().expect("db");
    let now = NOW.parse().expect("now");
    spawn_app_with(now, Arc::new(SqliteStore::new(db.clone())), Arc::new(SqliteCache::new(db)), limits).await
}

/// Reads until the server closes the connection; how long that took.
async fn time_to_close(stream: &mut TcpStream) -> Duration {
    let started = std::time::Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return started.elapsed(),
            Ok(Ok(_)) => {}
            Err(_) => panic!("the connection was still open after 10 s"),
        }
    }
}

#[tokio::test]
async fn silent_and_idle_connections_are_closed_after_the_header_read_timeout() {
    let limits = ServerLimits { header_read_timeout: Duration::from_millis(300), ..ServerLimits::default() };
    let app = app_with_limits(limits).await;
    let address = app.base.trim_start_matches("http://").to_owned();

    let mut silent = TcpStream::connect(&address).await.expect("connect");
    assert!(time_to_close(&mut silent).await < Duration::from_secs(5));

    let mut idle = TcpStream::connect(&address).await.expect("connect");
    idle.write_all(b"GET /api/nothing HTTP/1.1\r\nhost: x\r\n\r\n").await.expect("send");
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.expect("a response");
    assert_eq!(&first, b"HTTP/1.1 404");
    assert!(time_to_close(&mut idle).await < Duration::from_secs(5), "kept alive, then closed when idle");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_until_one_ends() {
    let limits = ServerLimits { max_connections: 2, ..ServerLimits::default() };
    let app = app_with_limits(limits).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let first = TcpStream::connect(&address).await.expect("connect");
    let _second = TcpStream::connect(&address).await.expect("connect");
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut third = TcpStream::connect(&address).await.expect("the backlog takes it");
    third.write_all(b"GET /api/nothing HTTP/1.1\r\nhost: x\r\n\r\n").await.expect("send");
    let mut answer = [0u8; 12];
    let waited = tokio::time::timeout(Duration::from_millis(300), third.read_exact(&mut answer)).await;
    assert!(waited.is_err(), "not served while two connections are open");
    drop(first);
    tokio::time::timeout(Duration::from_secs(5), third.read_exact(&mut answer))
        .await
        .expect("served once a slot is free")
        .expect("read");
    assert_eq!(&answer, b"HTTP/1.1 404");
}

#[tokio::test]
async fn every_error_status_answers_in_the_envelope_with_details() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let (status, body) = app.get("/api/nothing", &token(WS, "admin")).await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, "NOT_FOUND");
    let (status, body) = app.get("/api/campaigns/c1/stats", "not-a-token").await;
    assert_envelope(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    let (status, body) = app.get("/api/campaigns/c1/stats", &token(WS, "agent")).await;
    assert_envelope(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");

    // A 560 KB token: over the API's header limit, under the HTTP parser's.
    let mut huge = claims(WS, "viewer");
    huge["padding"] = json!("x".repeat(560 * 1024));
    let (status, body) = app.get("/api/campaigns/c1/stats", &hs256(&huge)).await;
    assert_envelope(status, &body, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "HEADERS_TOO_LARGE");

    // A 10 KB target is refused by the API, a 100 KB one by the HTTP parser (no client library
    // builds one, so it goes over a raw connection): both in the envelope.
    let path = format!("/api/campaigns/c1/stats?pad={}", "y".repeat(10_000));
    let (status, body) = app.get(&path, &token(WS, "viewer")).await;
    assert_envelope(status, &body, StatusCode::URI_TOO_LONG, "URI_TOO_LONG");
    let mut raw = TcpStream::connect(app.base.trim_start_matches("http://")).await.expect("connect");
    let request = format!("GET /api/campaigns/c1/stats?pad={} HTTP/1.1\r\nhost: x\r\n\r\n", "y".repeat(100_000));
    raw.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    raw.read_to_string(&mut response).await.expect("the response, then the connection closes");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 414"), "{head}");
    let body: Value = serde_json::from_str(body).expect("a JSON body");
    assert_envelope(StatusCode::URI_TOO_LONG, &body, StatusCode::URI_TOO_LONG, "URI_TOO_LONG");
}
