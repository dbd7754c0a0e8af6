//! Seed 002's agents and leaderboards on DynamoDB Local: the hand-worked AI-agent scenario
//! answers every route exactly as on SQLite, and the DynamoDB calls of each route are pinned
//! (and written to `$AWS_AGENTS_RESULTS_OUT` when set, for `tests/aws-results.md`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use aws_adapters::dynamo::{DynamoCache, DynamoStore};
use reqwest::StatusCode;
use tests::agents_scenario::{RANGE, TEAM_B, WS, app_with_agents, app_with_agents_on, token_with_claim};
use tests::app::{Reply, TestApp};

use crate::support::{DynamoCalls, dynamo};

async fn agents_on_dynamodb() -> (TestApp, DynamoCalls) {
    let (client, table, calls) = dynamo().await;
    let app = app_with_agents_on(
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

/// Every route once or more, as `(route and query, role)`, in the order both stores are asked;
/// tokens carry Team B in their `workspaces` claim.
fn requests() -> Vec<(String, &'static str)> {
    let usage = |granularity: &str| format!("agents/usage?agent_id=a_support&granularity={granularity}&{RANGE}");
    let board = |kind: &str| format!("leaderboards?leaderboard_type={kind}&{RANGE}");
    vec![
        (format!("agents/performance?{RANGE}"), "viewer"),
        (format!("agents/performance?{RANGE}"), "viewer"),
        (format!("agents/performance?agent_ids=a_sales,b_bot&{RANGE}"), "admin"),
        (usage("hourly"), "viewer"),
        (usage("daily"), "viewer"),
        (usage("weekly"), "viewer"),
        (usage("monthly"), "viewer"),
        (board("users"), "user"),
        (board("agents"), "agent"),
        (board("features"), "viewer"),
        (board("workspaces"), "manager"),
    ]
}

async fn ask(app: &TestApp, route: &str, role: &str) -> Reply {
    app.get(&format!("/api/v1/dashboard/{route}"), &token_with_claim(WS, role, &[TEAM_B])).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agents_scenario_answers_every_route_exactly_as_on_sqlite() {
    let (on_dynamodb, _) = agents_on_dynamodb().await;
    let on_sqlite = app_with_agents().await;
    for (route, role) in requests() {
        let (status, dynamodb) = ask(&on_dynamodb, &route, role).await;
        assert_eq!(status, StatusCode::OK, "{route}: {dynamodb}");
        assert_eq!(dynamodb, ask(&on_sqlite, &route, role).await.1, "{route} as {role}");
    }
    let (_, weekly) =
        ask(&on_dynamodb, &format!("agents/usage?agent_id=a_support&granularity=weekly&{RANGE}"), "admin").await;
    assert_eq!(weekly["data"]["usage_pattern"][0]["unique_users"], 3, "an ISO week's distinct users, on DynamoDB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_calls_per_agents_and_leaderboards_route_are_pinned() {
    let (app, counter) = agents_on_dynamodb().await;
    let mut report = String::from(
        "## DynamoDB calls per seed-002 agents and leaderboards request (counted on DynamoDB Local)\n\n\
         | request | calls |\n|---|---|\n",
    );
    // Cache get and put around each miss; the workspace's entity (BatchGetItem) with the list;
    // usage: the agent with the workspace, and its all-time cell, then three ranges.
    let usage = calls(&[("GetItem", 1), ("BatchGetItem", 2), ("Query", 3), ("PutItem", 1)]);
    // The most calls in flight at once: each round's reads are issued together.
    let expected = [
        ("4 agents, cache miss", calls(&[("GetItem", 1), ("BatchGetItem", 1), ("Query", 5), ("PutItem", 1)]), 4..=4),
        ("cache hit", calls(&[("GetItem", 1)]), 1..=1),
        ("2 ids, 1 known", calls(&[("GetItem", 1), ("BatchGetItem", 1), ("Query", 2), ("PutItem", 1)]), 2..=2),
        ("hourly", usage.clone(), 3..=3),
        ("daily", usage.clone(), 3..=3),
        ("weekly", usage.clone(), 3..=3),
        ("monthly", usage, 3..=3),
        ("5 users", calls(&[("GetItem", 1), ("BatchGetItem", 1), ("Query", 6), ("PutItem", 1)]), 5..=5),
        ("4 agents", calls(&[("GetItem", 1), ("BatchGetItem", 1), ("Query", 5), ("PutItem", 1)]), 4..=4),
        ("3 features", calls(&[("GetItem", 1), ("BatchGetItem", 1), ("Query", 4), ("PutItem", 1)]), 3..=3),
        // Per workspace: its entity, then its days (Query) and its month's active users at once;
        // the two workspaces at once, so one's second round overlaps the other's reads.
        ("2 workspaces", calls(&[("GetItem", 1), ("BatchGetItem", 4), ("Query", 2), ("PutItem", 1)]), 3..=4),
    ];
    for ((route, role), (label, expected, at_once)) in requests().into_iter().zip(expected) {
        let (status, answer) = ask(&app, &route, role).await;
        assert_eq!(status, StatusCode::OK, "{route} {label}: {answer}");
        let peak = counter.peak_in_flight();
        let (counted, _) = counter.take();
        assert_eq!(counted, expected, "{route} {label}");
        assert!(at_once.contains(&peak), "{route} {label}: {peak} reads in flight together, not {at_once:?}");
        let detail: Vec<String> = counted.iter().map(|(op, n)| format!("{n} {op}")).collect();
        let total: usize = counted.values().sum();
        let path = route.split('?').next().unwrap_or(&route);
        writeln!(report, "| `GET /api/v1/dashboard/{path}`, {label} | {total}: {} |", detail.join(", "))
            .expect("write");
    }
    println!("{report}");
    if let Ok(path) = std::env::var("AWS_AGENTS_RESULTS_OUT") {
        std::fs::write(&path, &report).unwrap_or_else(|error| panic!("{path}: {error}"));
    }
}
