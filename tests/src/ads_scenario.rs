//! The ad campaigns scenario whose seed-000 answers were worked out by hand, shared by the
//! end-to-end tests on SQLite and on DynamoDB.
//!
//! Workspace `ws-ads` in Europe/Paris (UTC+1 in March 2025), now Thursday 2025-03-20 16:00 local:
//! - `c1` "Spring Sale" (u_user; target ROAS 2, target CPA 10, budget 2,000 to 2025-03-29):
//!   - 2025-03-10 10:00Z, Banner A to Returning: 10,000 impressions, 400 clicks, 100.00 spent,
//!     10 conversions, 300.00 revenue;
//!   - 2025-03-10 23:30Z (already March 11th in Paris), Banner B to Broad: 5,000, 100, 50.50,
//!     0, 0;
//!   - 2025-03-11 12:00Z, Banner A to Broad: 5,000, 150, 49.50, 5, 100.25.
//! - `c2` (u_manager): one delivery on March 10th; `c3` (u_user) a survey, outside any ad
//!   portfolio; `c4` "Idle" (u_user): no delivery.
//! - `c5` "Trend" (u_analyst): day i of March 10th..19th (i = 1..10), 1,000 impressions, 50
//!   clicks, 10·i spent, i conversions, 10·i² revenue: spend and ROAS (= i) rise, CTR (5%) and
//!   CPA (10) stay.
//! - `c6` "Anomaly" (u_analyst; target ROAS 2, target CPA 10, budget 2,000 to 2025-03-29): each
//!   day of March 5th..18th 100 spent, 10 conversions, 50 clicks on 1,000 impressions, revenue
//!   240 and 260 in turn (ROAS median 2.5, MAD 0.1); March 19th the same but 50 revenue (ROAS
//!   0.5: z = 0.6745 × (0.5 − 2.5) / 0.1 = −13.49). 1,500 spent before today, 500 remain, and
//!   10 days at the last 3 days' 100 a day project 1,000.

use std::sync::Arc;

use domain::ports::{Cache, RollupStore};
use jiff::civil::date;
use serde_json::{Value, json};

use crate::app::{TestApp, spawn_app, spawn_app_on};
use crate::builders::{Ad, event, workspace};

pub const WS: &str = "ws-ads";
pub const NOW: &str = "2025-03-20T15:00:00Z";

fn ad_campaign(id: &str, name: &str, owner: &str, extra: Value) -> Value {
    let mut data = json!({"campaign_id": id, "name": name, "kind": "ads", "owner_user_id": owner});
    if let (Some(data), Value::Object(extra)) = (data.as_object_mut(), extra) {
        data.extend(extra);
    }
    event(&format!("up-{id}"), "campaign.upserted", "2025-03-01T08:00:00Z", data)
}

const fn ad(campaign: &'static str, creative: &'static str, audience: &'static str) -> Ad {
    Ad { campaign, creative, audience, impressions: 0, clicks: 0, spend: 0.0, conversions: 0, revenue: 0.0 }
}

pub fn scenario() -> Vec<Value> {
    let targets = json!({"target_roas": 2.0, "target_cpa": 10.0, "budget": 2000.0, "ends_on": "2025-03-29"});
    let mut events = vec![
        workspace("w1", "2025-01-01T00:00:00Z", "Europe/Paris"),
        ad_campaign("c1", "Spring Sale", "u_user", targets.clone()),
        ad_campaign("c2", "Manager's own", "u_manager", json!({})),
        event(
            "up-c3",
            "campaign.upserted",
            "2025-03-01T08:00:00Z",
            json!({"campaign_id": "c3", "name": "A survey", "kind": "survey", "owner_user_id": "u_user"}),
        ),
        ad_campaign("c4", "Idle", "u_user", json!({})),
        ad_campaign("c5", "Trend", "u_analyst", json!({})),
        ad_campaign("c6", "Anomaly", "u_analyst", targets),
    ];
    let c1 = |creative, audience| ad("c1", creative, audience);
    events.extend([
        Ad {
            impressions: 10_000,
            clicks: 400,
            spend: 100.0,
            conversions: 10,
            revenue: 300.0,
            ..c1("Banner A", "Returning")
        }
        .event("d1", "2025-03-10T10:00:00Z"),
        Ad { impressions: 5_000, clicks: 100, spend: 50.5, ..c1("Banner B", "Broad") }
            .event("d2", "2025-03-10T23:30:00Z"),
        Ad { impressions: 5_000, clicks: 150, spend: 49.5, conversions: 5, revenue: 100.25, ..c1("Banner A", "Broad") }
            .event("d3", "2025-03-11T12:00:00Z"),
        Ad { impressions: 1_000, clicks: 10, spend: 10.0, conversions: 1, revenue: 30.0, ..ad("c2", "X", "Y") }
            .event("d4", "2025-03-10T12:00:00Z"),
    ]);
    for i in 1..=10i64 {
        let day = date(2025, 3, 9).checked_add(jiff::Span::new().days(i)).expect("day");
        let trend = Ad {
            impressions: 1_000,
            clicks: 50,
            spend: (10 * i) as f64,
            conversions: i,
            revenue: (10 * i * i) as f64,
            ..ad("c5", "Only", "All")
        };
        events.push(trend.event(&format!("t{i}"), &format!("{day}T11:00:00Z")));
    }
    for k in 0..15i64 {
        let day = date(2025, 3, 5).checked_add(jiff::Span::new().days(k)).expect("day");
        let revenue = match k {
            14 => 50.0,
            k if k % 2 == 0 => 240.0,
            _ => 260.0,
        };
        let steady =
            Ad { impressions: 1_000, clicks: 50, spend: 100.0, conversions: 10, revenue, ..ad("c6", "Only", "All") };
        events.push(steady.event(&format!("a{k}"), &format!("{day}T11:00:00Z")));
    }
    events
}

pub async fn app_with_ads() -> TestApp {
    ingest(spawn_app(NOW.parse().expect("now")).await).await
}

/// The scenario's app over the given store and cache.
pub async fn app_with_ads_on(store: Arc<dyn RollupStore>, cache: Arc<dyn Cache>) -> TestApp {
    ingest(spawn_app_on(NOW.parse().expect("now"), store, cache).await).await
}

async fn ingest(app: TestApp) -> TestApp {
    // Settings first, so the workspace's zone applies to every later event.
    let mut events = scenario();
    let settings = events.remove(0);
    app.ingest_ok(WS, vec![settings]).await;
    app.ingest_ok(WS, events).await;
    app.store.take();
    app
}

/// `POST /api/v1/dashboard/<route>` as `role` of `ws`.
pub async fn dashboard(app: &TestApp, ws: &str, role: &str, route: &str, body: Value) -> crate::app::Reply {
    app.post(&format!("/api/v1/dashboard/{route}"), &crate::tokens::token(ws, role), &body).await
}
