//! Seed 002's executive and workspace routes over workspaces whose answers were worked out by
//! hand (the numbers are in `tests/tests/suite/executive.rs` and `workspace.rs`), shared by the
//! end-to-end tests on SQLite and on DynamoDB.
//!
//! `NOW` is Wednesday 5 November 2025, 12:00 in New York (17:00 UTC; standard time since Sunday
//! 2 November, daylight time from 9 March).
//!
//! `ws-exec` "Acme Analytics" in America/New_York (first upserted 2025-01-10, then enterprise, 50
//! seats, 10,000 credits reset on 2025-11-20):
//! - users (signed_up_at): u1 Aug 15, u2 Sep 10, u3 Oct 5, u4 Oct 31 23:30 local (Nov 1 03:30Z,
//!   inactive), u5 Nov 3; all active but u4;
//! - subscriptions: s1 100/month from Aug 1; s2 1,200/year from Sep 1; s3 50/month from Sep 5,
//!   cancelled Oct 20; s4 30/month from Aug 10, cancelled Nov 3; s5 80/month from Nov 2; s6
//!   20/month from Oct 10, past due Oct 25;
//! - payments: p5 140 paid Sep 15; p1 100 paid Oct 3; p3 30 failed Oct 10; p4 25 pending Oct 12,
//!   paid Oct 14; p2 50 paid Oct 31 23:30 local; p6 60 paid Nov 4;
//! - sessions: u3 Oct 5, u1 Oct 20; API requests: Oct 6 10:00:10Z (200, 100 ms), 10:00:40Z (503,
//!   300 ms), 10:01:05Z (200, 200 ms), and u2's at Oct 31 23:30 local (200, 400 ms);
//! - agents a1..a4; executions (agent, user, success, credits): Mar 9 06:30Z and 07:15Z (a1, u1)
//!   and Mar 10 03:59Z (a2, u2: still Mar 9 in New York) and 04:00Z (a2, u2: Mar 10); Sep 20 (a1,
//!   u2, 5); Oct 15 (a1, u1, 12.5); Oct 28 (a2, u3, failed, 7.5); Nov 2 05:30Z and 06:30Z (a3,
//!   u1, the second failed: 01:30 local twice, before and after the clocks went back); Nov 3
//!   04:30Z (a2, u1, 1.25: Sunday Nov 2 23:30 local); Nov 4 (a1, u5, 3); today Nov 5: a2 u5 2, a1
//!   u5 failed 1, a3 u4 4, a2 u5 0.5.
//!
//! `ws-exec-b` "Beta GmbH" in Europe/Paris (50 credits, a past reset date): users b1 Sep 1, b2
//! Oct 10, b3 Oct 31 23:30Z (Nov 1 in Paris); executions Oct 5 (b1, 30), Oct 6 (b2, 10), Oct 31
//! 23:30Z (b2, failed, 100: Nov 1 in Paris); a payment of 500 paid Oct 20.
//!
//! `ws-exec-c` "Secret Corp": a workspace the comparison token may not see.

use std::sync::Arc;

use domain::ports::{Cache, RollupStore};
use serde_json::{Value, json};

use crate::app::{TestApp, spawn_app, spawn_app_on};
use crate::builders::event;
use crate::tokens::{claims, hs256};

pub const WS: &str = "ws-exec";
pub const OTHER: &str = "ws-exec-b";
pub const HIDDEN: &str = "ws-exec-c";
/// The hidden workspace's name: no answer to another workspace's caller may hold it.
pub const HIDDEN_NAME: &str = "Secret Corp";
pub const NOW: &str = "2025-11-05T17:00:00Z";

fn upserted(id: &str, at: &str, data: Value) -> Value {
    event(id, "workspace.upserted", at, data)
}

fn user(id: &str, signed_up_at: &str, status: &str) -> Value {
    event(
        &format!("user-{id}"),
        "user.upserted",
        signed_up_at,
        json!({"user_id": id, "signed_up_at": signed_up_at, "status": status}),
    )
}

fn subscription(id: &str, at: &str, price: f64, interval: &str, status: &str) -> Value {
    event(
        &format!("sub-{id}-{status}"),
        "subscription.upserted",
        at,
        json!({"subscription_id": id, "user_id": "u1", "plan_name": "Plan", "plan_price": price, "interval": interval,
               "status": status}),
    )
}

fn payment(id: &str, at: &str, amount: f64, status: &str) -> Value {
    event(
        &format!("pay-{id}-{status}"),
        "payment.recorded",
        at,
        json!({"payment_id": id, "user_id": "u1", "amount": amount, "status": status}),
    )
}

fn session(id: &str, at: &str, user: &str) -> Value {
    event(id, "user.session", at, json!({"user_id": user, "duration_s": 60, "kind": "session"}))
}

fn request(id: &str, at: &str, status: u16, latency_ms: u32, user: Option<&str>) -> Value {
    let mut data = json!({"route": "/v1/run", "status": status, "latency_ms": latency_ms});
    if let Some(user) = user {
        data["user_id"] = Value::from(user);
    }
    event(id, "api.request", at, data)
}

/// An agent execution; `credits` 0 leaves the field out.
fn execution(id: &str, at: &str, agent: &str, user: &str, success: bool, credits: f64) -> Value {
    let mut data = json!({"agent_id": agent, "user_id": user, "success": success, "duration_ms": 1200});
    if credits > 0.0 {
        data["credits"] = Value::from(credits);
    }
    event(id, "agent.execution", at, data)
}

fn agent(id: &str, name: &str) -> Value {
    event(
        &format!("agent-{id}"),
        "agent.upserted",
        "2025-02-01T12:00:00Z",
        json!({"agent_id": id, "name": name, "kind": "ai", "status": "active"}),
    )
}

/// `ws-exec`'s settings (ingested first: the zone buckets every later event), then its events.
pub fn acme() -> (Vec<Value>, Vec<Value>) {
    let settings = vec![
        upserted(
            "ws-1",
            "2025-01-10T12:00:00Z",
            json!({"name": "Acme Analytics (old)", "plan": "team", "timezone": "America/New_York"}),
        ),
        upserted(
            "ws-2",
            "2025-06-01T12:00:00Z",
            json!({"name": "Acme Analytics", "plan": "enterprise", "seats": 50, "seats_used": 48, "credits_total": 10000,
                   "credits_reset_date": "2025-11-20", "timezone": "America/New_York"}),
        ),
    ];
    let events = vec![
        user("u1", "2025-08-15T14:00:00Z", "active"),
        user("u2", "2025-09-10T14:00:00Z", "active"),
        user("u3", "2025-10-05T13:00:00Z", "active"),
        user("u4", "2025-11-01T03:30:00Z", "inactive"),
        user("u5", "2025-11-03T15:00:00Z", "active"),
        subscription("s1", "2025-08-01T15:00:00Z", 100.0, "month", "active"),
        subscription("s2", "2025-09-01T15:00:00Z", 1200.0, "year", "active"),
        subscription("s3", "2025-09-05T15:00:00Z", 50.0, "month", "active"),
        subscription("s3", "2025-10-20T15:00:00Z", 50.0, "month", "cancelled"),
        subscription("s4", "2025-08-10T15:00:00Z", 30.0, "month", "active"),
        subscription("s4", "2025-11-03T15:00:00Z", 30.0, "month", "cancelled"),
        subscription("s5", "2025-11-02T15:00:00Z", 80.0, "month", "active"),
        subscription("s6", "2025-10-10T15:00:00Z", 20.0, "month", "active"),
        subscription("s6", "2025-10-25T15:00:00Z", 20.0, "month", "past_due"),
        payment("p5", "2025-09-15T15:00:00Z", 140.0, "paid"),
        payment("p1", "2025-10-03T15:00:00Z", 100.0, "paid"),
        payment("p3", "2025-10-10T15:00:00Z", 30.0, "failed"),
        payment("p4", "2025-10-12T15:00:00Z", 25.0, "pending"),
        payment("p4", "2025-10-14T15:00:00Z", 25.0, "paid"),
        payment("p2", "2025-11-01T03:30:00Z", 50.0, "paid"),
        payment("p6", "2025-11-04T15:00:00Z", 60.0, "paid"),
        session("ss1", "2025-10-05T14:00:00Z", "u3"),
        session("ss2", "2025-10-20T14:00:00Z", "u1"),
        request("r1", "2025-10-06T10:00:10Z", 200, 100, None),
        request("r2", "2025-10-06T10:00:40Z", 503, 300, None),
        request("r3", "2025-10-06T10:01:05Z", 200, 200, None),
        request("r4", "2025-11-01T03:30:00Z", 200, 400, Some("u2")),
        agent("a1", "Support Bot"),
        agent("a2", "Sales Bot"),
        agent("a3", "Research Bot"),
        agent("a4", "Idle Bot"),
        execution("x-s1", "2025-03-09T06:30:00Z", "a1", "u1", true, 0.0),
        execution("x-s2", "2025-03-09T07:15:00Z", "a1", "u1", true, 0.0),
        execution("x-s3", "2025-03-10T03:59:00Z", "a2", "u2", true, 0.0),
        execution("x-s4", "2025-03-10T04:00:00Z", "a2", "u2", true, 0.0),
        execution("x-e0", "2025-09-20T15:00:00Z", "a1", "u2", true, 5.0),
        execution("x-e1", "2025-10-15T14:00:00Z", "a1", "u1", true, 12.5),
        execution("x-e2", "2025-10-28T15:00:00Z", "a2", "u3", false, 7.5),
        execution("x-f1", "2025-11-02T05:30:00Z", "a3", "u1", true, 0.0),
        execution("x-f2", "2025-11-02T06:30:00Z", "a3", "u1", false, 0.0),
        execution("x-w1", "2025-11-03T04:30:00Z", "a2", "u1", true, 1.25),
        execution("x-t1", "2025-11-04T15:00:00Z", "a1", "u5", true, 3.0),
        execution("x-t2", "2025-11-05T14:00:00Z", "a2", "u5", true, 2.0),
        execution("x-t3", "2025-11-05T15:00:00Z", "a1", "u5", false, 1.0),
        execution("x-t4", "2025-11-05T16:00:00Z", "a3", "u4", true, 4.0),
        execution("x-t5", "2025-11-05T16:30:00Z", "a2", "u5", true, 0.5),
    ];
    (settings, events)
}

/// `ws-exec-b`'s settings and events.
pub fn beta() -> (Vec<Value>, Vec<Value>) {
    let settings = vec![upserted(
        "b-ws",
        "2025-02-01T09:00:00Z",
        json!({"name": "Beta GmbH", "plan": "team", "seats": 10, "credits_total": 50, "credits_reset_date": "2025-10-01",
               "timezone": "Europe/Paris"}),
    )];
    let events = vec![
        user("b1", "2025-09-01T10:00:00Z", "active"),
        user("b2", "2025-10-10T10:00:00Z", "active"),
        user("b3", "2025-10-31T23:30:00Z", "active"),
        execution("b-e1", "2025-10-05T10:00:00Z", "x1", "b1", true, 30.0),
        execution("b-e2", "2025-10-06T10:00:00Z", "x1", "b2", true, 10.0),
        execution("b-e3", "2025-10-31T23:30:00Z", "x1", "b2", false, 100.0),
        payment("b-p1", "2025-10-20T10:00:00Z", 500.0, "paid"),
    ];
    (settings, events)
}

fn hidden() -> (Vec<Value>, Vec<Value>) {
    let settings = vec![upserted("c-ws", "2025-02-01T09:00:00Z", json!({"name": HIDDEN_NAME, "timezone": "UTC"}))];
    (settings, vec![execution("c-e1", "2025-10-05T10:00:00Z", "z1", "c1", true, 999.0)])
}

/// Ingests the three workspaces, each one's settings first.
pub async fn ingest(app: &TestApp) {
    for (ws, (settings, events)) in [(WS, acme()), (OTHER, beta()), (HIDDEN, hidden())] {
        app.ingest_ok(ws, settings).await;
        app.ingest_ok(ws, events).await;
    }
}

/// An app over SQLite holding the scenario.
pub async fn app_with_scenario() -> TestApp {
    let app = spawn_app(NOW.parse().expect("now")).await;
    ingest(&app).await;
    app
}

/// The same over the given store and cache (DynamoDB Local).
pub async fn app_with_scenario_on(store: Arc<dyn RollupStore>, cache: Arc<dyn Cache>) -> TestApp {
    let app = spawn_app_on(NOW.parse().expect("now"), store, cache).await;
    ingest(&app).await;
    app
}

/// A token of `role` in `ws-exec` whose `workspaces` claim lists `workspaces`.
pub fn token_comparing(role: &str, workspaces: &[&str]) -> String {
    let mut claims = claims(WS, role);
    claims["workspaces"] = json!(workspaces);
    hs256(&claims)
}
