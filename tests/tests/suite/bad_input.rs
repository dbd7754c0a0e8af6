//! Bad input gets the documented status and error code, names the field, and loses nothing that
//! was already accepted.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::app::{TestApp, spawn_app};
use tests::builders::{batch, call, event};
use tests::tokens::token;

const WS: &str = "ws-main";
const NOW: &str = "2025-03-10T15:00:00Z";

async fn app_with_one_call() -> TestApp {
    let app = spawn_app(NOW.parse().expect("now")).await;
    app.ingest_ok(WS, vec![call("first", "2025-03-10T14:00:00Z", "c1", "completed", 60.0)]).await;
    app
}

fn assert_error(reply: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(reply.0, status, "{}", reply.1);
    assert_eq!(reply.1["success"], false);
    assert_eq!(reply.1["error"]["code"], code, "{}", reply.1);
    assert_eq!(reply.1["error"]["status"], status.as_u16());
    assert!(reply.1["error"]["details"].is_object(), "details is always an object: {}", reply.1);
}

async fn total_attempts(app: &TestApp) -> i64 {
    app.post("/api/campaigns/c1/stats/invalidate", &token(WS, "admin"), &json!({})).await;
    app.stats(WS, "c1", "").await.1["calls"]["total_attempts"].as_i64().expect("count")
}

#[tokio::test]
async fn malformed_or_misshapen_bodies_are_400_naming_what_is_wrong() {
    let app = app_with_one_call().await;
    let service = token(WS, "service");
    let malformed = app.post_raw("/api/v1/events", &service, b"{\"events\": [".to_vec()).await;
    assert_error(&malformed, StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    assert_eq!(malformed.1["error"]["details"]["field"], "body");
    for (body, field) in
        [(json!({"events": "no"}), "events"), (json!([1, 2]), "events"), (json!({"events": []}), "events")]
    {
        let reply = app.post("/api/v1/events", &service, &body).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
        assert_eq!(reply.1["error"]["details"]["field"], field, "{body}");
    }
    assert_eq!(total_attempts(&app).await, 1);
}

#[tokio::test]
async fn each_bad_event_is_rejected_with_its_index_and_field_and_the_rest_are_applied() {
    let app = app_with_one_call().await;
    let mut mistyped = call("e3", "2025-03-10T14:00:00Z", "c1", "busy", 1.0);
    mistyped["data"]["duration_s"] = json!("twelve");
    let mut missing = call("e2", "2025-03-10T14:00:00Z", "c1", "busy", 1.0);
    missing["data"].as_object_mut().expect("data").remove("call_type");
    let events = vec![
        call("e0", "2025-03-10T14:00:00Z", "c1", "completed", 10.0),
        event("e1", "call.teleported", "2025-03-10T14:00:00Z", json!({})),
        missing,
        mistyped,
        call("e4", "2025-03-10T15:06:00Z", "c1", "busy", 1.0),
        call("e5", "2023-01-01T00:00:00Z", "c1", "busy", 1.0),
        call("bad id!", "2025-03-10T14:00:00Z", "c1", "busy", 1.0),
        json!("not an event"),
        call("e8", "2025-03-10T14:01:00Z", "c1", "refused", 10.0),
    ];
    let (status, body) = app.ingest(WS, &batch(events)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["accepted"], 2);
    let rejected: Vec<(i64, &str)> = body["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .map(|r| {
            assert_eq!(r["code"], "VALIDATION_FAILED");
            assert!(!r["message"].as_str().expect("message").is_empty());
            (r["index"].as_i64().expect("index"), r["field"].as_str().expect("field"))
        })
        .collect();
    assert_eq!(
        rejected,
        vec![
            (1, "type"),
            (2, "data.call_type"),
            (3, "data.duration_s"),
            (4, "occurred_at"),
            (5, "occurred_at"),
            (6, "id"),
            (7, "event")
        ]
    );
    assert_eq!(total_attempts(&app).await, 3);
}

#[tokio::test]
async fn more_than_500_events_or_more_than_1_mib_is_413_and_applies_nothing() {
    let app = app_with_one_call().await;
    let many: Vec<Value> =
        (0..501).map(|i| call(&format!("m{i}"), "2025-03-10T14:00:00Z", "c1", "busy", 1.0)).collect();
    let reply = app.ingest(WS, &batch(many)).await;
    assert_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");

    let mut big = call("big", "2025-03-10T14:00:00Z", "c1", "busy", 1.0);
    big["data"]["padding"] = json!("x".repeat(1024 * 1024));
    let reply = app.ingest(WS, &batch(vec![big])).await;
    assert_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");

    let exactly_500: Vec<Value> =
        (0..500).map(|i| call(&format!("ok{i}"), "2025-03-10T14:00:00Z", "c1", "busy", 1.0)).collect();
    app.ingest_ok(WS, exactly_500).await;
    assert_eq!(total_attempts(&app).await, 501);
}

#[tokio::test]
async fn bad_stats_parameters_are_400_naming_the_parameter() {
    let app = app_with_one_call().await;
    for (query, field) in [
        ("?start=2025-03-09&end=2025-03-01", "start"),
        ("?start=2024-01-01&end=2025-03-01", "start"),
        ("?start=yesterday", "start"),
        ("?end=2025-13-01", "end"),
        ("?include_time_series=maybe", "include_time_series"),
    ] {
        let reply = app.stats(WS, "c1", query).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
        assert_eq!(reply.1["error"]["details"]["field"], field, "{query}");
    }
    let reply = app.stats(WS, "bad%20id", "").await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    assert_eq!(reply.1["error"]["details"]["field"], "campaign_id");
    assert_error(&app.stats(WS, "c404", "").await, StatusCode::NOT_FOUND, "NOT_FOUND");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_envelope() {
    let app = app_with_one_call().await;
    assert_error(&app.get("/api/nothing/here", &token(WS, "admin")).await, StatusCode::NOT_FOUND, "NOT_FOUND");
    assert_error(
        &app.get("/api/v1/events", &token(WS, "admin")).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
    );
}

#[tokio::test]
async fn a_repeated_key_rejects_that_event_alone_naming_the_key() {
    let app = app_with_one_call().await;
    let good = call("dup-0", "2025-03-10T14:00:00Z", "c1", "busy", 1.0).to_string();
    let repeated = r#"{"id": "dup-1", "type": "call.completed", "occurred_at": "2025-03-10T14:00:00Z",
        "data": {"call_id": "x", "campaign_id": "c1", "call_type": "outbound", "outcome": "busy",
                 "duration_s": 1, "duration_s": 1e16}}"#;
    let body = format!(r#"{{"events": [{good}, {repeated}]}}"#);
    let (status, reply) = app.post_raw("/api/v1/events", &token(WS, "service"), body.into_bytes()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    assert_eq!(reply["accepted"], 1);
    assert_eq!(reply["rejected"][0]["index"], 1);
    assert_eq!(reply["rejected"][0]["field"], "data.duration_s");
    assert_eq!(total_attempts(&app).await, 2);
}

#[tokio::test]
async fn timestamps_must_be_strict_rfc_3339() {
    let app = app_with_one_call().await;
    let events = ["2025-03-10T14:00:00+25:00", "2025-03-10T14:59:60Z", "2025-03-10T14:00:00Z[Europe/Paris]"]
        .iter()
        .enumerate()
        .map(|(i, at)| call(&format!("lenient-{i}"), at, "c1", "busy", 1.0))
        .collect();
    let (_, reply) = app.ingest(WS, &batch(events)).await;
    assert_eq!(reply["accepted"], 0, "{reply}");
    let fields: Vec<&str> =
        reply["rejected"].as_array().expect("rejected").iter().map(|r| r["field"].as_str().expect("field")).collect();
    assert_eq!(fields, vec!["occurred_at"; 3]);
}

#[tokio::test]
async fn a_body_not_declared_as_json_is_415_in_the_envelope() {
    let app = app_with_one_call().await;
    let body = batch(vec![call("typed", "2025-03-10T14:00:00Z", "c1", "busy", 1.0)]).to_string();
    for content_type in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
        let mut request = app.client.post(format!("{}/api/v1/events", app.base)).bearer_auth(token(WS, "service"));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.body(body.clone()).send().await.expect("POST");
        let reply = (response.status(), response.json::<Value>().await.unwrap_or(Value::Null));
        assert_error(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
    }
    assert_eq!(total_attempts(&app).await, 1);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("compress");
    encoder.finish().expect("compress")
}

#[tokio::test]
async fn gzip_bodies_are_read_and_a_gzip_bomb_is_413() {
    let app = app_with_one_call().await;
    let post = |body: Vec<u8>, encoding: &'static str| {
        app.client
            .post(format!("{}/api/v1/events", app.base))
            .bearer_auth(token(WS, "service"))
            .header("content-type", "application/json")
            .header("content-encoding", encoding)
            .body(body)
            .send()
    };
    let events = batch(vec![call("zipped", "2025-03-10T14:00:00Z", "c1", "busy", 1.0)]).to_string();
    let response = post(gzip(events.as_bytes()), "gzip").await.expect("POST");
    assert_eq!(response.status(), StatusCode::ACCEPTED);

    // 64 MiB of spaces inside a JSON array: about 64 KiB on the wire.
    let mut bomb = b"{\"events\": [".to_vec();
    bomb.extend(std::iter::repeat_n(b' ', 64 << 20));
    bomb.extend(b"]}");
    let compressed = gzip(&bomb);
    assert!(compressed.len() < 200 * 1024);
    let response = post(compressed, "gzip").await.expect("POST");
    let reply = (response.status(), response.json::<Value>().await.unwrap_or(Value::Null));
    assert_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");

    let response = post(events.into_bytes(), "br").await.expect("POST");
    let reply = (response.status(), response.json::<Value>().await.unwrap_or(Value::Null));
    assert_error(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
    assert_eq!(total_attempts(&app).await, 2);
}
