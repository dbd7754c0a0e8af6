//! The campaign scenario whose stats were worked out by hand (see [`scenario`]), shared by the
//! end-to-end tests on SQLite and on DynamoDB.

use std::sync::Arc;

use domain::ports::{Cache, RollupStore};
use serde_json::Value;

use crate::app::{TestApp, spawn_app, spawn_app_on};
use crate::builders::{call, campaign, contact, workspace};

pub const WS: &str = "ws-main";

/// Monday 2025-03-10 11:00 in New York (EDT, UTC-4; DST began Sunday 2025-03-09 at 07:00Z).
pub const NOW: &str = "2025-03-10T15:00:00Z";

/// The scenario every test here starts from. By hand:
/// contacts p1 completed, p2 refused, p3 pending, p4 not_reached, p5 excluded;
/// calls k1..k7: no_answer 30 s (Mar 8 local), refused 20 s (03:30Z Mar 9 = Mar 8 22:30 EST),
/// busy 5 s (23:00Z Mar 9 = Mar 9 local), no_answer 25 s (02:30Z Mar 10 = Mar 9 22:30 EDT),
/// failed 0 s, completed 300 s, voicemail 40 s (Mar 10).
pub fn scenario() -> Vec<Value> {
    vec![
        workspace("w1", "2025-01-01T00:00:00Z", "America/New_York"),
        campaign("cmp1", "2025-02-01T00:00:00Z", "c1", "Spring survey"),
        contact("s1", "2025-03-01T14:00:00Z", "c1", "p1", "pending"),
        contact("s2", "2025-03-01T14:00:00Z", "c1", "p2", "pending"),
        contact("s3", "2025-03-01T14:00:00Z", "c1", "p3", "pending"),
        contact("s4", "2025-03-01T14:00:00Z", "c1", "p4", "pending"),
        contact("s5", "2025-03-01T14:00:00Z", "c1", "p5", "pending"),
        contact("s6", "2025-03-01T14:05:00Z", "c1", "p5", "excluded"),
        contact("s7", "2025-03-08T16:00:00Z", "c1", "p4", "in_progress"),
        contact("s8", "2025-03-09T03:30:00Z", "c1", "p2", "refused"),
        contact("s9", "2025-03-10T13:00:00Z", "c1", "p4", "not_reached"),
        contact("s10", "2025-03-10T14:10:00Z", "c1", "p1", "completed"),
        call("k1", "2025-03-08T16:00:00Z", "c1", "no_answer", 30.0),
        call("k2", "2025-03-09T03:30:00Z", "c1", "refused", 20.0),
        call("k3", "2025-03-09T23:00:00Z", "c1", "busy", 5.0),
        call("k4", "2025-03-10T02:30:00Z", "c1", "no_answer", 25.0),
        call("k5", "2025-03-10T13:00:00Z", "c1", "failed", 0.0),
        call("k6", "2025-03-10T14:10:00Z", "c1", "completed", 300.0),
        call("k7", "2025-03-10T14:50:00Z", "c1", "voicemail", 40.0),
    ]
}

pub async fn app_with_scenario() -> TestApp {
    ingest_scenario(spawn_app(NOW.parse().expect("now")).await).await
}

/// The scenario's app over the given store and cache.
pub async fn app_with_scenario_on(store: Arc<dyn RollupStore>, cache: Arc<dyn Cache>) -> TestApp {
    ingest_scenario(spawn_app_on(NOW.parse().expect("now"), store, cache).await).await
}

async fn ingest_scenario(app: TestApp) -> TestApp {
    // Settings first, so the workspace's zone applies to every later event.
    let mut events = scenario();
    let settings = events.remove(0);
    app.ingest_ok(WS, vec![settings]).await;
    app.ingest_ok(WS, events).await;
    app
}
