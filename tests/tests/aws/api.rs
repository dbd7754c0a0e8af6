//! End to end over HTTP with the DynamoDB adapters: the hand-worked scenario answers exactly as on
//! SQLite, the DynamoDB calls of each route are pinned, and writes per ingested event are
//! measured (written to `$AWS_RESULTS_OUT` when set: `tests/measure-aws.sh` keeps them in
//! `tests/aws-results.md`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use aws_adapters::dynamo::{DynamoCache, DynamoStore};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::app::TestApp;
use tests::builders::{batch, call, contact, workspace};
use tests::call_centre;
use tests::scenario::{NOW, WS, app_with_scenario, app_with_scenario_on};
use tests::tokens::token;

use crate::support::{DynamoCalls, dynamo};

async fn scenario_on_dynamodb() -> (TestApp, DynamoCalls) {
    let (client, table, calls) = dynamo().await;
    let app = app_with_scenario_on(
        Arc::new(DynamoStore::new(client.clone(), &table)),
        Arc::new(DynamoCache::new(client, &table)),
    )
    .await;
    calls.take();
    (app, calls)
}

fn calls(entries: &[(&str, usize)]) -> BTreeMap<String, usize> {
    entries.iter().map(|(name, count)| ((*name).to_owned(), *count)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scenario_answers_exactly_as_on_sqlite() {
    let (on_dynamodb, _) = scenario_on_dynamodb().await;
    let on_sqlite = app_with_scenario().await;
    for query in ["", "?include_time_series=false", "?start=2025-03-01&end=2025-03-10"] {
        let (status, dynamodb) = on_dynamodb.stats(WS, "c1", query).await;
        assert_eq!(status, StatusCode::OK, "{dynamodb}");
        assert_eq!(dynamodb, on_sqlite.stats(WS, "c1", query).await.1, "query {query:?}");
    }
    let (_, stats) = on_dynamodb.stats(WS, "c1", "").await;
    assert_eq!(stats["calls"]["total_attempts"], 7);
    assert_eq!(stats["contacts"]["total"], 5);
    assert_eq!(on_dynamodb.stats("ws-other", "c1", "").await.0, StatusCode::NOT_FOUND);
}

/// Events of one busy campaign, as a call platform sends them: two calls per contact state change.
fn busy_campaign_events(count: usize, prefix: &str) -> Vec<Value> {
    let now: jiff::Timestamp = NOW.parse().expect("now");
    (0..count)
        .map(|i| {
            let at = (now - SignedDuration::from_secs(3000 - (i as i64 % 3000))).to_string();
            let id = format!("{prefix}-{i}");
            if i % 3 == 2 {
                contact(&id, &at, "c1", &format!("p{}", i % 400), ["in_progress", "completed", "refused"][(i / 3) % 3])
            } else {
                call(&id, &at, "c1", ["completed", "no_answer", "busy"][i % 3], 30.0 + (i * 7919 % 200) as f64)
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_calls_per_route_are_pinned_and_writes_per_event_are_measured() {
    let mut report =
        String::from("## DynamoDB calls per request (counted on DynamoDB Local)\n\n| request | calls |\n|---|---|\n");
    let mut row = |request: &str, counted: &BTreeMap<String, usize>| {
        let detail: Vec<String> = counted.iter().map(|(op, n)| format!("{n} {op}")).collect();
        let total: usize = counted.values().sum();
        writeln!(report, "| {request} | {total}: {} |", detail.join(", ")).expect("write");
    };

    let (app, counter) = scenario_on_dynamodb().await;
    app.stats(WS, "c1", "").await;
    let (miss, _) = counter.take();
    assert_eq!(miss, calls(&[("GetItem", 1), ("BatchGetItem", 2), ("Query", 2), ("PutItem", 1)]));
    row("GET /api/campaigns/{id}/stats, cache miss", &miss);
    app.stats(WS, "c1", "").await;
    let (hit, _) = counter.take();
    assert_eq!(hit, calls(&[("GetItem", 1)]));
    row("GET /api/campaigns/{id}/stats, cache hit", &hit);
    app.stats(WS, "c1", "?include_time_series=false").await;
    let (no_series, _) = counter.take();
    assert_eq!(no_series, calls(&[("GetItem", 1), ("BatchGetItem", 2), ("PutItem", 1)]));
    row("GET /api/campaigns/{id}/stats?include_time_series=false, miss", &no_series);
    app.stats(WS, "c1", "?start=2025-03-01&end=2025-03-10").await;
    let (ranged, _) = counter.take();
    assert_eq!(ranged, calls(&[("BatchGetItem", 2), ("Query", 2)]), "a chosen range bypasses the cache");
    row("GET /api/campaigns/{id}/stats?start=..&end=.. (not cached)", &ranged);
    let (status, _) = app.post("/api/campaigns/c1/stats/invalidate", &token(WS, "admin"), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (invalidate, _) = counter.take();
    // The campaign's existence, the cached variants of its group (a Query), their deletion.
    assert_eq!(invalidate, calls(&[("BatchGetItem", 1), ("Query", 1), ("BatchWriteItem", 1)]));
    row("POST /api/campaigns/{id}/stats/invalidate", &invalidate);
    // Seed 001's pages of the call-centre scenario (its own clock and table).
    let (client, table, page_counter) = dynamo().await;
    let pages = tests::app::spawn_app_on(
        call_centre::NOW.parse().expect("now"),
        Arc::new(DynamoStore::new(client.clone(), &table)),
        Arc::new(DynamoCache::new(client, &table)),
    )
    .await;
    call_centre::ingest_scenario(&pages).await;
    page_counter.take();
    for (role, expected) in [
        ("admin", calls(&[("BatchGetItem", 2), ("Query", 6)])),
        ("user", calls(&[("BatchGetItem", 3), ("Query", 7)])),
        ("agent", calls(&[("BatchGetItem", 2), ("Query", 4)])),
    ] {
        let (status, page) = pages.get("/api/dashboard/comprehensive/", &token(call_centre::WS, role)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let (page_calls, _) = page_counter.take();
        assert_eq!(page_calls, expected, "{role}'s page");
        row(&format!("GET /api/dashboard/comprehensive/ as {role} (never cached)"), &page_calls);
    }
    let one = batch(vec![call("single", "2025-03-10T14:58:00Z", "c1", "busy", 7.0)]);
    assert_eq!(app.ingest(WS, &one).await.0, StatusCode::ACCEPTED);
    let (ingest_one, _) = counter.take();
    // Markers, entities, one transaction, the extremes read; plus an update per improved extreme.
    assert_eq!(ingest_one.get("TransactWriteItems"), Some(&1));
    assert_eq!(ingest_one.get("BatchGetItem"), Some(&3));
    row("POST /api/v1/events, one new call", &ingest_one);
    assert_eq!(app.ingest(WS, &one).await.1["duplicates"], 1);
    let (duplicate, _) = counter.take();
    assert_eq!(duplicate.get("TransactWriteItems"), None, "a duplicate writes nothing new");
    row("POST /api/v1/events, the same call again (duplicate)", &duplicate);

    writeln!(report, "\n## Writes per ingested event\n\nA busy campaign: two calls per contact state change, all in the last hour, sent through `POST /api/v1/events`. Items written counts every item of every TransactWriteItems, UpdateItem, PutItem and BatchWriteItem.\n\n| batch size | events | requests | DynamoDB calls | items written | items written per event | calls per event |\n|---|---|---|---|---|---|---|").expect("write");
    for (size, total) in [(1usize, 60usize), (25, 500), (500, 1000)] {
        let (client, table, counter) = dynamo().await;
        let app = tests::app::spawn_app_on(
            NOW.parse().expect("now"),
            Arc::new(DynamoStore::new(client.clone(), &table)),
            Arc::new(DynamoCache::new(client, &table)),
        )
        .await;
        app.ingest_ok(WS, vec![workspace("settings", "2025-01-01T00:00:00Z", "America/New_York")]).await;
        counter.take();
        let events = busy_campaign_events(total, &format!("b{size}"));
        for chunk in events.chunks(size) {
            app.ingest_ok(WS, chunk.to_vec()).await;
        }
        let (counted, written) = counter.take();
        let call_count: usize = counted.values().sum();
        let per_event = written as f64 / total as f64;
        writeln!(
            report,
            "| {size} | {total} | {} | {call_count} | {written} | {per_event:.2} | {:.2} |",
            total / size,
            call_count as f64 / total as f64
        )
        .expect("write");
        // One call alone: its marker, the campaign's hour, day and total with the month's due mark
        // (5), the workspace's day and total with theirs (3), its entry in the workspace's recent
        // calls (1), the total's watermark, and now and then a new extreme. At 500, near the floor
        // of this mix: every event's marker, every state change's entity (4/3), and every call's
        // recent-calls entry (2/3).
        let bound = match size {
            1 => 10.0,
            25 => 2.7,
            _ => 2.3,
        };
        assert!(per_event <= bound, "batch {size}: {per_event:.2} items per event (bound {bound})");
        let (_, stats) = app.stats(WS, "c1", "").await;
        assert_eq!(stats["calls"]["total_attempts"], events.len() - events.len() / 3, "every call counted once");
    }
    println!("{report}");
    if let Ok(path) = std::env::var("AWS_RESULTS_OUT") {
        std::fs::write(&path, &report).unwrap_or_else(|error| panic!("{path}: {error}"));
    }
}
