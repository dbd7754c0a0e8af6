//! Seed 002's executive and workspace routes on DynamoDB Local: the hand-worked scenario of
//! `tests::executive_scenario` answers each route exactly as on SQLite, the DynamoDB calls of
//! each route are pinned with how many are in flight together (and written to
//! `$AWS_EXECUTIVE_RESULTS_OUT` when set, for `tests/aws-results.md`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use aws_adapters::dynamo::{DynamoCache, DynamoStore};
use reqwest::StatusCode;
use tests::executive_scenario::{OTHER, WS, app_with_scenario, app_with_scenario_on, token_comparing};

use crate::support::dynamo;

fn calls(entries: &[(&str, usize)]) -> BTreeMap<String, usize> {
    entries.iter().map(|(name, count)| ((*name).to_owned(), *count)).collect()
}

/// Each route once (and one again, from the cache), with the DynamoDB calls it makes and how
/// many of them are in flight at once.
fn requests() -> Vec<(String, BTreeMap<String, usize>, usize)> {
    let cached = |path: &str| (path.to_owned(), calls(&[("GetItem", 1)]), 1);
    let summary = "/api/v1/dashboard/executive/summary?start=2025-10-01&end=2025-10-31";
    let comparison =
        format!("/api/v1/dashboard/workspace/comparison?workspace_ids={WS},{OTHER}&start=2025-10-01&end=2025-10-31");
    vec![
        // The cache, then the workspace and the cells (2 BatchGetItem) with the days and the two
        // minute counts (3 Query), all at once; then the cache's write.
        (summary.to_owned(), calls(&[("GetItem", 1), ("BatchGetItem", 2), ("Query", 3), ("PutItem", 1)]), 5),
        cached(summary),
        (
            "/api/v1/dashboard/executive/trends?start=2025-10-30&end=2025-11-02&metrics=revenue,users,executions"
                .to_owned(),
            calls(&[("GetItem", 1), ("BatchGetItem", 2), ("Query", 2), ("PutItem", 1)]),
            4,
        ),
        (
            "/api/v1/dashboard/executive/trends?start=2025-11-02&end=2025-11-02&granularity=hourly&metrics=executions"
                .to_owned(),
            calls(&[("GetItem", 1), ("BatchGetItem", 2), ("Query", 1), ("PutItem", 1)]),
            3,
        ),
        // The workspace, the agents' list and the days at once; then today's cells.
        (
            "/api/v1/dashboard/workspace/overview".to_owned(),
            calls(&[("GetItem", 1), ("BatchGetItem", 2), ("Query", 2), ("PutItem", 1)]),
            3,
        ),
        // Three reads per workspace, both workspaces' at once.
        (comparison.clone(), calls(&[("GetItem", 1), ("BatchGetItem", 4), ("Query", 2), ("PutItem", 1)]), 6),
        cached(&comparison),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_002_executive_and_workspace_routes_answer_as_on_sqlite_with_their_dynamodb_calls_pinned() {
    let (client, table, counter) = dynamo().await;
    let on_dynamodb = app_with_scenario_on(
        Arc::new(DynamoStore::new(client.clone(), &table)),
        Arc::new(DynamoCache::new(client, &table)),
    )
    .await;
    let on_sqlite = app_with_scenario().await;
    let admin = token_comparing("admin", &[OTHER]);
    let mut report = String::from(
        "## DynamoDB calls per seed-002 executive and workspace request (counted on DynamoDB Local)\n\n\
         | request | calls | in flight at once |\n|---|---|---|\n",
    );
    counter.take();
    for (path, expected, at_once) in requests() {
        let (status, answer) = on_dynamodb.get(&path, &admin).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        let peak = counter.peak_in_flight();
        let (counted, _) = counter.take();
        assert_eq!(counted, expected, "{path}");
        assert_eq!(peak, at_once, "{path}: calls in flight together");
        let (_, expected_answer) = on_sqlite.get(&path, &admin).await;
        assert_eq!(answer["data"], expected_answer["data"], "{path}");
        let detail: Vec<String> = counted.iter().map(|(op, n)| format!("{n} {op}")).collect();
        let total: usize = counted.values().sum();
        writeln!(report, "| `GET {path}` | {total}: {} | {peak} |", detail.join(", ")).expect("write");
    }
    println!("{report}");
    if let Ok(path) = std::env::var("AWS_EXECUTIVE_RESULTS_OUT") {
        std::fs::write(&path, &report).unwrap_or_else(|error| panic!("{path}: {error}"));
    }
}
