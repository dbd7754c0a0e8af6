//! Seed 000 on DynamoDB Local: the hand-worked ads scenario answers every route exactly as on
//! SQLite, and the DynamoDB calls of each route are pinned (and written to `$AWS_ADS_RESULTS_OUT`
//! when set, for `tests/aws-results.md`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use aws_adapters::dynamo::{DynamoCache, DynamoStore};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::ads_scenario::{WS, app_with_ads, app_with_ads_on, dashboard};
use tests::app::TestApp;

use crate::support::{DynamoCalls, dynamo};

async fn ads_on_dynamodb() -> (TestApp, DynamoCalls) {
    let (client, table, calls) = dynamo().await;
    let app =
        app_with_ads_on(Arc::new(DynamoStore::new(client.clone(), &table)), Arc::new(DynamoCache::new(client, &table)))
            .await;
    calls.take();
    (app, calls)
}

fn calls(entries: &[(&str, usize)]) -> BTreeMap<String, usize> {
    entries.iter().map(|(name, count)| ((*name).to_owned(), *count)).collect()
}

fn range() -> Value {
    json!({"start": "2025-03-10", "end": "2025-03-11"})
}

/// Every route once, as `(route, role, body)`, in the order both stores are asked.
fn requests() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("campaign_metrics", "viewer", json!({"campaign_id": "c1", "date_range": range()})),
        ("campaign_metrics", "viewer", json!({"campaign_id": "c1", "date_range": range()})),
        ("overview", "user", json!({"user_id": "u_user", "date_range": range()})),
        ("overview", "user", json!({"user_id": "u_user", "date_range": range()})),
        ("performance_trends", "viewer", json!({"campaign_id": "c5", "days": 10})),
        ("insights", "user", json!({"campaign_id": "c1", "date_range": range()})),
        ("insights", "viewer", json!({"campaign_id": "c6"})),
        ("alerts", "viewer", json!({"campaign_id": "c6"})),
        ("campaign_report", "viewer", json!({"campaign_id": "c1", "date_range": range()})),
        ("portfolio_report", "user", json!({"user_id": "u_user", "date_range": range()})),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ads_scenario_answers_every_route_exactly_as_on_sqlite() {
    let (on_dynamodb, _) = ads_on_dynamodb().await;
    let on_sqlite = app_with_ads().await;
    for (route, role, body) in requests() {
        let (status, dynamodb) = dashboard(&on_dynamodb, WS, role, route, body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{route}: {dynamodb}");
        assert_eq!(dynamodb, dashboard(&on_sqlite, WS, role, route, body.clone()).await.1, "{route} {body}");
    }
    let (_, alerts) = dashboard(&on_dynamodb, WS, "viewer", "alerts", json!({"campaign_id": "c6"})).await;
    assert_eq!(alerts["alerts"]["performance_anomaly_alert"], true);
    assert_eq!(alerts["alerts"]["budget_exhaustion_alert"], true);
    let (status, _) = dashboard(&on_dynamodb, "ws-elsewhere", "admin", "alerts", json!({"campaign_id": "c6"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_calls_per_seed_000_route_are_pinned() {
    let (app, counter) = ads_on_dynamodb().await;
    let mut report = String::from(
        "## DynamoDB calls per seed-000 request (counted on DynamoDB Local)\n\n| request | calls |\n|---|---|\n",
    );
    // The entities (campaign and workspace) and the campaign's all-time cell: 2 BatchGetItem.
    let expected = [
        ("cache miss", calls(&[("GetItem", 1), ("BatchGetItem", 2), ("Query", 1), ("PutItem", 1)])),
        ("cache hit", calls(&[("GetItem", 1)])),
        // The owner's list, the entities, a range per campaign (2), and the cache.
        ("of 2 campaigns, cache miss", calls(&[("GetItem", 1), ("Query", 3), ("BatchGetItem", 1), ("PutItem", 1)])),
        ("cache hit", calls(&[("GetItem", 1)])),
        ("", calls(&[("BatchGetItem", 2), ("Query", 1)])),
        // The range and the pace window apart (2), each tally (2), each member's range (2 + 2).
        (
            "a range apart from the pace window, 2 creatives and 2 audiences",
            calls(&[("BatchGetItem", 2), ("Query", 8)]),
        ),
        ("the default range, 1 creative and 1 audience", calls(&[("BatchGetItem", 2), ("Query", 5)])),
        ("", calls(&[("BatchGetItem", 2), ("Query", 1)])),
        ("as insights", calls(&[("BatchGetItem", 2), ("Query", 8)])),
        ("of 2 campaigns", calls(&[("Query", 3), ("BatchGetItem", 1)])),
    ];
    for ((route, role, body), (label, expected)) in requests().into_iter().zip(expected) {
        let (status, answer) = dashboard(&app, WS, role, route, body).await;
        assert_eq!(status, StatusCode::OK, "{route} {label}: {answer}");
        let (counted, _) = counter.take();
        assert_eq!(counted, expected, "{route} {label}");
        let detail: Vec<String> = counted.iter().map(|(op, n)| format!("{n} {op}")).collect();
        let total: usize = counted.values().sum();
        let label = if label.is_empty() { String::new() } else { format!(", {label}") };
        writeln!(report, "| `POST /api/v1/dashboard/{route}`{label} | {total}: {} |", detail.join(", "))
            .expect("write");
    }
    println!("{report}");
    if let Ok(path) = std::env::var("AWS_ADS_RESULTS_OUT") {
        std::fs::write(&path, &report).unwrap_or_else(|error| panic!("{path}: {error}"));
    }
}
