//! A call-centre workspace whose seed-001 pages were worked out by hand (see the numbers in
//! `tests/tests/suite/comprehensive.rs`): users joining on known local days, subscriptions, a
//! payment retried after a failure and one refunded, calls of two users and two agents, calls
//! queued and active, agents in every state, customers of two owners, callbacks overdue, due
//! later today, this week and done. The workspace is in New York; `NOW` is Wednesday 12 March
//! 2025, 11:00 there (15:00 UTC, daylight time since the 9th).

use serde_json::{Value, json};

use crate::builders::{event, workspace};

pub const WS: &str = "ws-calls";
pub const NOW: &str = "2025-03-12T15:00:00Z";

fn user(id: &str, at: &str, data: Value) -> Value {
    event(&format!("user-{id}-{at}"), "user.upserted", at, data)
}

/// Every event of the scenario, in no particular order.
pub fn events() -> Vec<Value> {
    let mut events = vec![workspace("settings", "2025-01-01T00:00:00Z", "America/New_York")];
    events.extend([
        user("u_admin", "2025-01-02T00:00:00Z", json!({"user_id": "u_admin", "email": "admin@acme.test", "full_name": "Ada Admin",
            "role": "admin", "status": "active", "signed_up_at": "2025-01-02T00:00:00Z"})),
        user("u_user", "2025-03-12T13:30:00Z", json!({"user_id": "u_user", "email": "olivia@acme.test", "full_name": "Olivia User",
            "user_name": "olivia", "phone": "+15551234567", "status": "active", "signed_up_at": "2025-03-12T13:30:00Z"})),
        user("u2", "2025-03-10T14:00:00Z", json!({"user_id": "u2", "status": "active", "signed_up_at": "2025-03-10T14:00:00Z"})),
        user("u3", "2025-02-20T00:00:00Z", json!({"user_id": "u3", "status": "inactive", "signed_up_at": "2025-02-20T00:00:00Z"})),
        // No signed_up_at: joined when first seen.
        user("u4", "2025-03-03T12:00:00Z", json!({"user_id": "u4", "status": "active"})),
    ]);
    let subscription = |id: &str, at: &str, data: Value| event(&format!("sub-{id}"), "subscription.upserted", at, data);
    events.extend([
        subscription("s1", "2025-03-01T10:00:00Z", json!({"subscription_id": "s1", "user_id": "u_user", "plan_name": "Pro",
            "plan_price": 99, "interval": "month", "status": "active", "current_period_start": "2025-03-01T00:00:00Z",
            "current_period_end": "2025-03-15T00:00:00Z", "cancel_at_period_end": true, "features": ["Unlimited Calls"],
            "limits": {"call_limit": 1000}})),
        subscription("s2", "2025-03-12T12:00:00Z", json!({"subscription_id": "s2", "user_id": "u2", "plan_name": "Pro",
            "plan_price": 99.0, "status": "active", "current_period_end": "2025-04-01T00:00:00Z", "cancel_at_period_end": false})),
        subscription("s3", "2025-02-25T10:00:00Z", json!({"subscription_id": "s3", "user_id": "u3", "plan_name": "Team | Plus",
            "plan_price": 249, "status": "cancelled"})),
    ]);
    let payment = |id: &str, at: &str, user: &str, amount: f64, status: &str| {
        event(
            &format!("pay-{id}-{status}"),
            "payment.recorded",
            at,
            json!({"payment_id": id, "user_id": user, "amount": amount, "status": status, "description": "Pro Plan - Monthly"}),
        )
    };
    events.extend([
        payment("p1", "2025-03-12T14:00:00Z", "u_user", 99.0, "paid"),
        payment("p2", "2025-03-11T14:00:00Z", "u2", 99.0, "paid"),
        payment("p3", "2025-03-02T10:00:00Z", "u2", 49.5, "failed"),
        payment("p4", "2025-03-05T10:00:00Z", "u3", 249.0, "pending"),
        payment("p5", "2025-03-04T10:00:00Z", "u_user", 20.0, "failed"),
        payment("p5", "2025-03-07T10:00:00Z", "u_user", 20.0, "paid"),
        payment("p6", "2025-02-28T12:00:00Z", "u2", 10.0, "paid"),
        payment("p6", "2025-03-01T12:00:00Z", "u2", 10.0, "refunded"),
    ]);
    let call = |id: &str, at: &str, data: Value| {
        let mut data = data;
        data["call_id"] = Value::from(id);
        event(&format!("call-{id}"), "call.completed", at, data)
    };
    events.extend([
        call(
            "c1",
            "2025-03-12T14:30:00Z",
            json!({"user_id": "u_user", "agent_id": "a1", "call_type": "outbound", "outcome": "converted",
            "duration_s": 330, "satisfaction": 5, "phone_number": "+15550001111", "customer_id": "k1",
            "customer_response": "Very interested"}),
        ),
        call(
            "c2",
            "2025-03-11T15:00:00Z",
            json!({"user_id": "u_user", "agent_id": "a1", "call_type": "inbound", "outcome": "interested",
            "duration_s": 120, "satisfaction": 4}),
        ),
        call(
            "c3",
            "2025-03-05T15:00:00Z",
            json!({"user_id": "u_user", "agent_id": "a1", "call_type": "outbound", "outcome": "no_answer",
            "duration_s": 20}),
        ),
        call(
            "c4",
            "2025-03-12T13:00:00Z",
            json!({"user_id": "u2", "agent_id": "u_agent", "call_type": "inbound", "outcome": "converted",
            "duration_s": 200, "satisfaction": 3}),
        ),
        call(
            "c5",
            "2025-02-20T15:00:00Z",
            json!({"agent_id": "u_agent", "call_type": "outbound", "outcome": "not_interested", "duration_s": 60}),
        ),
        call(
            "c6",
            "2025-03-12T10:00:00Z",
            json!({"user_id": "u2", "call_type": "outbound", "outcome": "completed", "duration_s": 100}),
        ),
    ]);
    let status = |id: &str, at: &str, agent: &str, status: &str| {
        event(
            &format!("status-{id}-{status}"),
            "call.status",
            at,
            json!({"call_id": id, "status": status, "agent_id": agent, "user_id": "u2"}),
        )
    };
    events.extend([
        status("q1", "2025-03-12T14:50:00Z", "u_agent", "queued"),
        status("q2", "2025-03-12T14:55:00Z", "u_agent", "active"),
        status("q3", "2025-03-12T14:40:00Z", "u_agent", "queued"),
        status("q3", "2025-03-12T14:58:00Z", "u_agent", "active"),
        status("q4", "2025-03-12T14:52:00Z", "a1", "queued"),
    ]);
    let agent = |id: &str, data: Value| event(&format!("agent-{id}"), "agent.upserted", "2025-02-01T00:00:00Z", data);
    events.extend([
        agent("a1", json!({"agent_id": "a1", "name": "My Sales Agent", "kind": "ai", "owner_user_id": "u_user", "status": "active",
            "training_level": 85, "personality_type": "professional", "working_hours": {"start": "09:00", "end": "17:00"}})),
        agent("a2", json!({"agent_id": "a2", "kind": "ai", "owner_user_id": "u2", "status": "training", "training_level": 40})),
        agent("u_agent", json!({"agent_id": "u_agent", "name": "Sam Agent", "kind": "human", "status": "active", "training_level": 90})),
        agent("a3", json!({"agent_id": "a3", "kind": "ai", "owner_user_id": "u2", "status": "paused", "training_level": 75})),
    ]);
    let customer = |id: &str, at: &str, data: Value| event(&format!("customer-{id}"), "customer.upserted", at, data);
    events.extend([
        customer(
            "k1",
            "2025-03-12T12:00:00Z",
            json!({"customer_id": "k1", "owner_user_id": "u_user", "temperature": "hot", "phone": "+15550001111"}),
        ),
        customer(
            "k2",
            "2025-03-09T12:00:00Z",
            json!({"customer_id": "k2", "owner_user_id": "u_user", "temperature": "warm", "converted": true}),
        ),
        customer(
            "k3",
            "2025-03-11T12:00:00Z",
            json!({"customer_id": "k3", "owner_user_id": "u2", "temperature": "cold", "do_not_call": true}),
        ),
        customer("k4", "2025-02-10T12:00:00Z", json!({"customer_id": "k4", "owner_user_id": "u2"})),
    ]);
    let callback =
        |id: &str, data: Value| event(&format!("callback-{id}"), "callback.upserted", "2025-03-10T12:00:00Z", data);
    events.extend([
        callback("cb1", json!({"callback_id": "cb1", "owner_user_id": "u_user", "agent_id": "u_agent", "customer_name": "Jane Smith",
            "customer_phone": "+15557654321", "scheduled_at": "2025-03-12T13:00:00Z", "status": "scheduled", "priority_level": "high",
            "reason": "Follow up on pricing"})),
        callback("cb2", json!({"callback_id": "cb2", "owner_user_id": "u_user", "agent_id": "u_agent", "customer_phone": "+15559876543",
            "scheduled_at": "2025-03-13T15:00:00Z", "status": "scheduled"})),
        callback("cb3", json!({"callback_id": "cb3", "owner_user_id": "u_user", "scheduled_at": "2025-03-11T15:00:00Z", "status": "completed"})),
        callback("cb4", json!({"callback_id": "cb4", "owner_user_id": "u2", "agent_id": "a1", "scheduled_at": "2025-03-12T18:00:00Z",
            "status": "scheduled"})),
        callback("cb5", json!({"callback_id": "cb5", "owner_user_id": "u2", "scheduled_at": "2025-03-16T15:00:00Z", "status": "cancelled"})),
    ]);
    events
}

/// An app over SQLite holding the scenario (the workspace's zone first, so that every later event
/// is bucketed in it).
pub async fn app_with_scenario() -> crate::app::TestApp {
    let app = crate::app::spawn_app(NOW.parse().expect("now")).await;
    ingest_scenario(&app).await;
    app
}

pub async fn ingest_scenario(app: &crate::app::TestApp) {
    let mut events = events();
    let rest = events.split_off(1);
    app.ingest_ok(WS, events).await;
    app.ingest_ok(WS, rest).await;
}
