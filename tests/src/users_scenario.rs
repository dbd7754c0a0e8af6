//! A workspace of AI-agent users whose seed-002 `users/activity` and `users/engagement` answers
//! were worked out by hand (the numbers are in `tests/tests/suite/users.rs`), shared by the tests
//! on SQLite and on DynamoDB.
//!
//! Workspace `ws-users` in America/New_York; `NOW` is Wednesday 12 March 2025, 11:00 there
//! (15:00 UTC). Daylight time began on Sunday the 9th at 07:00 UTC (02:00 EST became 03:00 EDT),
//! so that day has 23 hours; ISO weeks run Monday 3rd to Sunday 9th and Monday 10th to Sunday
//! 16th. Local times below are New York's.
//!
//! | user | signs up (local day) | activity (local) |
//! |---|---|---|
//! | u1 ann@ | Sat 1 Mar 10:00 | login Mar 1; 600 s session Mar 2; runs a1 Mar 5 (2.5 credits), a2 Mar 8 (1.25), a1 Mar 11 (0.5, failed) |
//! | u2 bob@ | Fri 7 Mar 23:30 EST (8th in UTC) | API call Mar 7 23:45; login Mar 8 00:30; runs a3 Mar 10 (4 credits) |
//! | u3 cy@ | Sun 9 Mar 01:30 EST (a later upsert says the 10th: the earliest wins) | 1,800 s session Mar 9 01:45 EST; API call Mar 9 23:50 EDT (10th in UTC); login Mar 10 00:10 EDT |
//! | u4 dee@ | Sun 9 Mar 23:30 EDT (10th in UTC) | runs a1 Mar 9 23:40 EDT (1 credit): Monday in UTC, Sunday here |
//! | u5 eve@ | Mon 10 Feb (no `signed_up_at`: the upsert's instant) | runs a2 twice Feb 15 (10 credits each), a1 twice Feb 16, a3 and a4 Feb 17; API call Mar 3; 300 s session Mar 12 |
//! | u6 fay@ | Wed 12 Mar (today) | nothing |
//! | u8 gus@ | Sat 1 Mar 15:00 | API call Mar 2 |
//! | u7 (no `user.upserted`) | – | 1,000 s session Mar 12: active, but not a listed user |
//!
//! And an anonymous run of a1 on Mar 12 at 10:45 (the newest event).

use std::sync::Arc;

use domain::ports::{Cache, RollupStore};
use serde_json::{Value, json};

use crate::app::{TestApp, spawn_app, spawn_app_on};
use crate::builders::{event, workspace};

pub const WS: &str = "ws-users";
pub const NOW: &str = "2025-03-12T15:00:00Z";

fn user(id: &str, at: &str, email: &str, signed_up_at: Option<&str>) -> Value {
    let mut data = json!({"user_id": id, "email": email, "status": "active"});
    if let Some(signed_up_at) = signed_up_at {
        data["signed_up_at"] = Value::from(signed_up_at);
    }
    event(&format!("user-{id}-{at}"), "user.upserted", at, data)
}

fn login(id: &str, user: &str, at: &str) -> Value {
    event(id, "user.session", at, json!({"user_id": user, "kind": "login"}))
}

fn session(id: &str, user: &str, at: &str, duration_s: u32) -> Value {
    event(id, "user.session", at, json!({"user_id": user, "kind": "session", "duration_s": duration_s}))
}

fn run(id: &str, user: Option<&str>, agent: &str, at: &str, credits: f64, success: bool) -> Value {
    let mut data = json!({"agent_id": agent, "success": success, "duration_ms": 1200, "credits": credits});
    if let Some(user) = user {
        data["user_id"] = Value::from(user);
    }
    event(id, "agent.execution", at, data)
}

fn api_call(id: &str, user: &str, at: &str) -> Value {
    event(id, "api.request", at, json!({"route": "/v1/agents/run", "status": 200, "latency_ms": 120, "user_id": user}))
}

/// Every event of the scenario but the workspace's settings.
pub fn events() -> Vec<Value> {
    vec![
        user("u1", "2025-03-01T15:00:00Z", "ann@agents.test", Some("2025-03-01T15:00:00Z")),
        user("u2", "2025-03-08T04:30:00Z", "bob@agents.test", Some("2025-03-08T04:30:00Z")),
        user("u3", "2025-03-09T06:30:00Z", "cy@agents.test", Some("2025-03-09T06:30:00Z")),
        user("u3", "2025-03-11T12:00:00Z", "cy@agents.test", Some("2025-03-10T12:00:00Z")),
        user("u4", "2025-03-10T03:30:00Z", "dee@agents.test", Some("2025-03-10T03:30:00Z")),
        user("u5", "2025-02-10T12:00:00Z", "eve@agents.test", None),
        user("u6", "2025-03-12T13:00:00Z", "fay@agents.test", Some("2025-03-12T13:00:00Z")),
        user("u8", "2025-03-01T20:00:00Z", "gus@agents.test", Some("2025-03-01T20:00:00Z")),
        login("s1", "u1", "2025-03-01T16:00:00Z"),
        session("s2", "u1", "2025-03-02T15:00:00Z", 600),
        run("x1", Some("u1"), "a1", "2025-03-05T15:00:00Z", 2.5, true),
        run("x2", Some("u1"), "a2", "2025-03-08T15:00:00Z", 1.25, true),
        run("x3", Some("u1"), "a1", "2025-03-11T15:00:00Z", 0.5, false),
        api_call("r1", "u2", "2025-03-08T04:45:00Z"),
        login("s3", "u2", "2025-03-08T05:30:00Z"),
        run("x4", Some("u2"), "a3", "2025-03-10T14:00:00Z", 4.0, true),
        session("s4", "u3", "2025-03-09T06:45:00Z", 1800),
        api_call("r2", "u3", "2025-03-10T03:50:00Z"),
        login("s5", "u3", "2025-03-10T04:10:00Z"),
        run("x5", Some("u4"), "a1", "2025-03-10T03:40:00Z", 1.0, true),
        run("x6", Some("u5"), "a2", "2025-02-15T15:00:00Z", 10.0, true),
        run("x7", Some("u5"), "a2", "2025-02-15T16:00:00Z", 10.0, true),
        run("x8", Some("u5"), "a1", "2025-02-16T15:00:00Z", 0.0, true),
        run("x9", Some("u5"), "a1", "2025-02-16T16:00:00Z", 0.0, true),
        run("x10", Some("u5"), "a4", "2025-02-17T15:00:00Z", 0.0, true),
        run("x11", Some("u5"), "a3", "2025-02-17T16:00:00Z", 0.0, true),
        api_call("r3", "u5", "2025-03-03T15:00:00Z"),
        session("s6", "u5", "2025-03-12T14:00:00Z", 300),
        api_call("r4", "u8", "2025-03-02T18:00:00Z"),
        session("s7", "u7", "2025-03-12T14:30:00Z", 1000),
        run("x12", None, "a1", "2025-03-12T14:45:00Z", 3.0, true),
    ]
}

pub async fn app_with_users() -> TestApp {
    ingest(spawn_app(NOW.parse().expect("now")).await).await
}

/// The scenario's app over the given store and cache.
pub async fn app_with_users_on(store: Arc<dyn RollupStore>, cache: Arc<dyn Cache>) -> TestApp {
    ingest(spawn_app_on(NOW.parse().expect("now"), store, cache).await).await
}

async fn ingest(app: TestApp) -> TestApp {
    // The zone first, so that every later event is bucketed in it.
    app.ingest_ok(WS, vec![workspace("settings", "2025-01-01T00:00:00Z", "America/New_York")]).await;
    app.ingest_ok(WS, events()).await;
    app.store.take();
    app
}

/// `GET /api/v1/dashboard/users/<route>?<query>` as `role` of `ws`.
pub async fn users_route(app: &TestApp, ws: &str, role: &str, route: &str, query: &str) -> crate::app::Reply {
    app.get(&format!("/api/v1/dashboard/users/{route}?{query}"), &crate::tokens::token(ws, role)).await
}
