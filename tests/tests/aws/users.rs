//! Seed 002's users routes on DynamoDB Local: the hand-worked users scenario answers exactly as
//! on SQLite, and the DynamoDB calls of each route are pinned (and written to
//! `$AWS_USERS_RESULTS_OUT` when set, for `tests/aws-results.md`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use aws_adapters::dynamo::{DynamoCache, DynamoStore};
use reqwest::StatusCode;
use tests::app::TestApp;
use tests::users_scenario::{WS, app_with_users, app_with_users_on, users_route};

use crate::support::{DynamoCalls, dynamo};

async fn users_on_dynamodb() -> (TestApp, DynamoCalls) {
    let (client, table, calls) = dynamo().await;
    let app = app_with_users_on(
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

const RANGE: &str = "start=2025-03-01&end=2025-03-12";

/// One request, what it reads, its DynamoDB calls and the most of them issued together.
struct Request {
    route: &'static str,
    query: String,
    label: &'static str,
    calls: BTreeMap<String, usize>,
    in_flight: usize,
}

fn request(
    route: &'static str,
    query: String,
    label: &'static str,
    calls: BTreeMap<String, usize>,
    in_flight: usize,
) -> Request {
    Request { route, query, label, calls, in_flight }
}

/// Every request once, in the order both stores are asked. The scenario lists 7 users.
fn requests() -> Vec<Request> {
    let (cache_read, cache_write) = (("GetItem", 1), ("PutItem", 1));
    vec![
        // The workspace and the users list; the cells (the summary's, the watermark's and the 7
        // users' all-time cells: 41 keys, one BatchGetItem), the workspace's days and the 7 users'
        // days, all 9 at once; the 7 shown users' tallies; the cache.
        request(
            "activity",
            RANGE.to_owned(),
            "7 users ranked and shown, cache miss",
            calls(&[cache_read, ("BatchGetItem", 2), ("Query", 16), cache_write]),
            9,
        ),
        request("activity", RANGE.to_owned(), "cache hit", calls(&[cache_read]), 1),
        request(
            "activity",
            format!("{RANGE}&per_page=3"),
            "7 users ranked, 3 shown",
            calls(&[cache_read, ("BatchGetItem", 2), ("Query", 12), cache_write]),
            9,
        ),
        // The named users' entities with the workspace; the cells, the workspace's days and the 2
        // found users' days; their tallies.
        request(
            "activity",
            format!("{RANGE}&user_ids=u1,u2,nobody"),
            "3 users named, 2 found",
            calls(&[cache_read, ("BatchGetItem", 2), ("Query", 5), cache_write]),
            4,
        ),
        // The workspace and the daily cohorts, at once.
        request(
            "engagement",
            format!("cohort=daily&{RANGE}"),
            "daily cohorts",
            calls(&[cache_read, ("BatchGetItem", 1), ("Query", 1), cache_write]),
            2,
        ),
        // The workspace, the daily and the weekly cohorts, at once.
        request(
            "engagement",
            format!("cohort=weekly&{RANGE}"),
            "weekly cohorts",
            calls(&[cache_read, ("BatchGetItem", 1), ("Query", 2), cache_write]),
            3,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_scenario_answers_every_route_exactly_as_on_sqlite() {
    let (on_dynamodb, _) = users_on_dynamodb().await;
    let on_sqlite = app_with_users().await;
    for Request { route, query, .. } in requests() {
        let (status, dynamodb) = users_route(&on_dynamodb, WS, "admin", route, &query).await;
        assert_eq!(status, StatusCode::OK, "{route}?{query}: {dynamodb}");
        let (_, sqlite) = users_route(&on_sqlite, WS, "admin", route, &query).await;
        assert_eq!(dynamodb["data"], sqlite["data"], "{route}?{query}");
    }
    let (_, answer) = users_route(&on_dynamodb, WS, "admin", "activity", RANGE).await;
    assert_eq!(answer["data"]["activity_summary"]["wau"], 5);
    assert_eq!(answer["data"]["users"][0]["favorite_agents"], serde_json::json!(["a1", "a2"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_calls_per_users_route_are_pinned() {
    let (app, counter) = users_on_dynamodb().await;
    let mut report = String::from(
        "## DynamoDB calls per seed-002 users request (counted on DynamoDB Local)\n\n| request | calls | most in flight |\n|---|---|---|\n",
    );
    for Request { route, query, label, calls: expected, in_flight } in requests() {
        let (status, answer) = users_route(&app, WS, "admin", route, &query).await;
        assert_eq!(status, StatusCode::OK, "{route} {label}: {answer}");
        let peak = counter.peak_in_flight();
        let (counted, _) = counter.take();
        assert_eq!(counted, expected, "{route} {label}");
        // How many overlap depends on the emulator's speed (each wave's reads are pinned on
        // SQLite by `suite::users`); never more than are issued together, and more than one
        // wherever reads are issued together.
        assert!((in_flight.min(2)..=in_flight).contains(&peak), "{route} {label}: {peak} in flight at most");
        let detail: Vec<String> = counted.iter().map(|(op, n)| format!("{n} {op}")).collect();
        let total: usize = counted.values().sum();
        writeln!(
            report,
            "| `GET /api/v1/dashboard/users/{route}?{query}`, {label} | {total}: {} | {peak} |",
            detail.join(", ")
        )
        .expect("write");
    }
    println!("{report}");
    if let Ok(path) = std::env::var("AWS_USERS_RESULTS_OUT") {
        std::fs::write(&path, &report).unwrap_or_else(|error| panic!("{path}: {error}"));
    }
}
