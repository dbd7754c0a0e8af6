//! The AI-agent workspace scenario whose seed-002 agents and leaderboards answers were worked out
//! by hand, shared by the end-to-end tests on SQLite and on DynamoDB.
//!
//! Workspace `ws-ai` ("AI Workspace", America/New_York: EST, UTC−5, until the spring-forward of
//! Sunday 2025-03-09 at 02:00 local, EDT, UTC−4, after). Now: Wednesday 2025-03-12 16:00Z
//! (12:00 EDT). The range the tests ask for is Thursday March 6th to Wednesday 12th; the
//! previous one, February 27th to March 5th. ISO weeks: March 3rd-9th and 10th-16th.
//!
//! Agents (`agent.upserted`): `a_support` "Support Bot" and `a_idle` "Idle Bot" (owned by
//! u_user), `a_sales` "Sales Bot" (u_manager), `u_agent` "Agent Self" (the `agent` role's own).
//! `a_ghost` runs but was never upserted. Users (`user.upserted`): u1 "Uma One", u2 (user name
//! "utwo" only), u3 "Ursula Three", u_user "Una User", u4 (never active).
//!
//! Executions (local time in New York; ✓ success, ✗ failure):
//!
//! | id | UTC | local | agent | user | ok | ms | credits | rating | feature |
//! |---|---|---|---|---|---|---|---|---|---|
//! | e0 | 03-04 15:00 | Tue 4th 10:00 EST | a_support | u3 | ✓ | 1000 | | | search |
//! | e1 | 03-07 14:30 | Fri 7th 09:30 EST | a_support | u1 | ✓ | 2000 | 1.5 | 5 | chat |
//! | e2 | 03-08 14:10 | Sat 8th 09:10 EST | a_support | u2 | ✓ | 1000 | 0.5 | | |
//! | e7 | 03-09 15:00 | Sun 9th 11:00 EDT | a_support | u2 | ✓ | 2000 | | | |
//! | e3 | 03-10 13:20 | Mon 10th 09:20 EDT | a_support | u1 | ✗ | 3000 | 1 | 2 | chat |
//! | e4 | 03-10 18:00 | Mon 10th 14:00 EDT | a_support | u3 | ✓ | 500 | | | |
//! | e5 | 03-11 18:45 | Tue 11th 14:45 EDT | a_support | u1 | ✓ | 1500 | 2.25 | 4 | search |
//! | e6 | 03-11 20:00 | Tue 11th 16:00 EDT | a_support | — | ✓ | 1000 | | | export_csv |
//! | s0 | 03-03 15:00 | Mon 3rd | a_sales | u2 | ✓ | 1000 | | | search |
//! | s9 | 03-05 15:00 | Wed 5th | a_sales | u1 | ✓ | 1000 | | | export_csv |
//! | s1 | 03-10 15:00 | Mon 10th 11:00 EDT | a_sales | u2 | ✓ | 4000 | 3 | | chat |
//! | s2 | 03-12 14:00 | Wed 12th 10:00 EDT | a_sales | u2 | ✗ | 1000 | 1 | | |
//! | g1 | 03-11 15:00 | Tue 11th 11:00 EDT | u_agent | u3 | ✓ | 1000 | | | search |
//! | g2 | 03-11 16:00 | Tue 11th 12:00 EDT | u_agent | u3 | ✓ | 1000 | | | |
//! | x1 | 03-10 12:00 | Mon 10th 08:00 EDT | a_ghost | u_user | ✓ | 1000 | | | |
//! | x2 | 03-10 12:30 | Mon 10th 08:30 EDT | a_ghost | u_user | ✓ | 1000 | | | |
//! | x3 | 03-11 12:00 | Tue 11th 08:00 EDT | a_ghost | u_user | ✓ | 1000 | | | |
//!
//! Sessions: u1 on March 1st (before both ranges), 7th and 11th; u_user on the 12th.
//!
//! Workspace `ws-ai-b` ("Team B", Asia/Tokyo, UTC+9), in the `workspaces` claim of the tests'
//! tokens, every execution a success of `b_bot`: b0, b0b (March 1st JST, v1), b0c (2nd, v2) and
//! b0d (3rd, v2) in the previous range; b1 at 2025-03-05T16:00Z and b4 at 20:00Z, already
//! Thursday 6th in Tokyo (in the range there, though the 5th in New York), by v1; b2 at
//! 2025-03-12T14:59Z (12th 23:59 JST) by v2; b3 at 2025-03-12T15:30Z (13th in Tokyo: after the
//! range, though the 12th in New York) by v1. In its own zone: 3 in the range, 4 before; in New
//! York's it would be 2 and 6.
//!
//! Workspace `ws-ai-c` ("Secret Corp", UTC), outside every claim: 20 successful executions in
//! the range, more than any other. It must never appear.

use std::sync::Arc;

use domain::ports::{Cache, RollupStore};
use serde_json::{Value, json};

use crate::app::{Reply, TestApp, spawn_app, spawn_app_on};
use crate::builders::event;
use crate::tokens::{claims, hs256};

pub const WS: &str = "ws-ai";
/// In the tests' `workspaces` claim.
pub const TEAM_B: &str = "ws-ai-b";
/// In no claim, with more executions than either.
pub const SECRET: &str = "ws-ai-c";
pub const SECRET_NAME: &str = "Secret Corp";
pub const NOW: &str = "2025-03-12T16:00:00Z";
/// The range the tests ask for.
pub const RANGE: &str = "start=2025-03-06&end=2025-03-12";

fn settings(id: &str, name: &str, timezone: &str) -> Value {
    event(id, "workspace.upserted", "2025-01-01T00:00:00Z", json!({"name": name, "timezone": timezone}))
}

fn agent(id: &str, name: &str, owner: &str) -> Value {
    event(
        &format!("up-{id}"),
        "agent.upserted",
        "2025-02-01T00:00:00Z",
        json!({"agent_id": id, "name": name, "kind": "ai", "owner_user_id": owner, "status": "active"}),
    )
}

fn user(id: &str, data: Value) -> Value {
    let mut data = data;
    data["user_id"] = Value::from(id);
    event(&format!("up-{id}"), "user.upserted", "2025-02-01T00:00:00Z", data)
}

/// One execution: `(id, at, agent, user, success, duration_ms, credits, satisfaction, feature)`.
type Run = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    bool,
    i64,
    Option<f64>,
    Option<i64>,
    Option<&'static str>,
);

fn execution((id, at, agent, user, success, duration_ms, credits, satisfaction, feature): Run) -> Value {
    let mut data = json!({"agent_id": agent, "success": success, "duration_ms": duration_ms});
    for (field, value) in [
        ("user_id", user.map(Value::from)),
        ("credits", credits.map(Value::from)),
        ("satisfaction", satisfaction.map(Value::from)),
        ("feature", feature.map(Value::from)),
        ("error_code", (!success).then(|| Value::from("timeout"))),
    ] {
        if let Some(value) = value {
            data[field] = value;
        }
    }
    event(id, "agent.execution", at, data)
}

fn session(id: &str, at: &str, user: &str) -> Value {
    event(id, "user.session", at, json!({"user_id": user, "duration_s": 600, "kind": "session"}))
}

const RUNS: &[Run] = &[
    ("e0", "2025-03-04T15:00:00Z", "a_support", Some("u3"), true, 1000, None, None, Some("search")),
    ("e1", "2025-03-07T14:30:00Z", "a_support", Some("u1"), true, 2000, Some(1.5), Some(5), Some("chat")),
    ("e2", "2025-03-08T14:10:00Z", "a_support", Some("u2"), true, 1000, Some(0.5), None, None),
    ("e7", "2025-03-09T15:00:00Z", "a_support", Some("u2"), true, 2000, None, None, None),
    ("e3", "2025-03-10T13:20:00Z", "a_support", Some("u1"), false, 3000, Some(1.0), Some(2), Some("chat")),
    ("e4", "2025-03-10T18:00:00Z", "a_support", Some("u3"), true, 500, None, None, None),
    ("e5", "2025-03-11T18:45:00Z", "a_support", Some("u1"), true, 1500, Some(2.25), Some(4), Some("search")),
    ("e6", "2025-03-11T20:00:00Z", "a_support", None, true, 1000, None, None, Some("export_csv")),
    ("s0", "2025-03-03T15:00:00Z", "a_sales", Some("u2"), true, 1000, None, None, Some("search")),
    ("s9", "2025-03-05T15:00:00Z", "a_sales", Some("u1"), true, 1000, None, None, Some("export_csv")),
    ("s1", "2025-03-10T15:00:00Z", "a_sales", Some("u2"), true, 4000, Some(3.0), None, Some("chat")),
    ("s2", "2025-03-12T14:00:00Z", "a_sales", Some("u2"), false, 1000, Some(1.0), None, None),
    ("g1", "2025-03-11T15:00:00Z", "u_agent", Some("u3"), true, 1000, None, None, Some("search")),
    ("g2", "2025-03-11T16:00:00Z", "u_agent", Some("u3"), true, 1000, None, None, None),
    ("x1", "2025-03-10T12:00:00Z", "a_ghost", Some("u_user"), true, 1000, None, None, None),
    ("x2", "2025-03-10T12:30:00Z", "a_ghost", Some("u_user"), true, 1000, None, None, None),
    ("x3", "2025-03-11T12:00:00Z", "a_ghost", Some("u_user"), true, 1000, None, None, None),
];

/// `ws-ai`'s events after its settings.
pub fn scenario() -> Vec<Value> {
    let mut events = vec![
        agent("a_support", "Support Bot", "u_user"),
        agent("a_idle", "Idle Bot", "u_user"),
        agent("a_sales", "Sales Bot", "u_manager"),
        agent("u_agent", "Agent Self", "u_admin"),
        user("u1", json!({"full_name": "Uma One", "email": "uma@ai.test"})),
        user("u2", json!({"user_name": "utwo", "email": "u2@ai.test"})),
        user("u3", json!({"full_name": "Ursula Three"})),
        user("u_user", json!({"full_name": "Una User"})),
        user("u4", json!({"full_name": "Idle Person"})),
        session("se1", "2025-03-01T15:00:00Z", "u1"),
        session("se2", "2025-03-07T15:00:00Z", "u1"),
        session("se3", "2025-03-11T15:00:00Z", "u1"),
        session("se4", "2025-03-12T15:00:00Z", "u_user"),
    ];
    events.extend(RUNS.iter().copied().map(execution));
    events
}

/// A successful execution of `agent` by `user`, a second long.
fn plain_run(id: &str, at: &str, agent: &str, user: &str) -> Value {
    event(id, "agent.execution", at, json!({"agent_id": agent, "user_id": user, "success": true, "duration_ms": 1000}))
}

fn team_b() -> Vec<Value> {
    let run = |id, at, user| plain_run(id, at, "b_bot", user);
    vec![
        agent("b_bot", "B Bot", "v1"),
        run("b0", "2025-02-28T16:00:00Z", "v1"),
        run("b0b", "2025-02-28T17:00:00Z", "v1"),
        run("b0c", "2025-03-02T01:00:00Z", "v2"),
        run("b0d", "2025-03-03T01:00:00Z", "v2"),
        run("b1", "2025-03-05T16:00:00Z", "v1"),
        run("b4", "2025-03-05T20:00:00Z", "v1"),
        run("b2", "2025-03-12T14:59:00Z", "v2"),
        run("b3", "2025-03-12T15:30:00Z", "v1"),
    ]
}

fn secret() -> Vec<Value> {
    let runs =
        (0..20).map(|i| plain_run(&format!("c{i}"), &format!("2025-03-{:02}T12:{i:02}:00Z", 6 + i % 6), "c_bot", "w1"));
    std::iter::once(agent("c_bot", SECRET_NAME, "w1")).chain(runs).collect()
}

pub async fn app_with_agents() -> TestApp {
    ingest(spawn_app(NOW.parse().expect("now")).await).await
}

/// The scenario's app over the given store and cache.
pub async fn app_with_agents_on(store: Arc<dyn RollupStore>, cache: Arc<dyn Cache>) -> TestApp {
    ingest(spawn_app_on(NOW.parse().expect("now"), store, cache).await).await
}

async fn ingest(app: TestApp) -> TestApp {
    // Settings first, so each workspace's zone applies to every later event.
    for (ws, name, zone, events) in [
        (WS, "AI Workspace", "America/New_York", scenario()),
        (TEAM_B, "Team B", "Asia/Tokyo", team_b()),
        (SECRET, SECRET_NAME, "UTC", secret()),
    ] {
        app.ingest_ok(ws, vec![settings(&format!("ws-{ws}"), name, zone)]).await;
        app.ingest_ok(ws, events).await;
    }
    app.store.take();
    app
}

/// A token of `role` in `ws` whose `workspaces` claim holds `claim`.
pub fn token_with_claim(ws: &str, role: &str, claim: &[&str]) -> String {
    let mut claims = claims(ws, role);
    claims["workspaces"] = json!(claim);
    hs256(&claims)
}

/// `GET /api/v1/dashboard/<route>?<query>` as `role` of `ws`.
pub async fn dashboard(app: &TestApp, ws: &str, role: &str, route: &str, query: &str) -> Reply {
    app.get(&format!("/api/v1/dashboard/{route}?{query}"), &crate::tokens::token(ws, role)).await
}
