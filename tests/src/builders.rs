//! Event JSON as producers send it.

use serde_json::{Value, json};

pub fn batch(events: Vec<Value>) -> Value {
    json!({ "events": events })
}

pub fn event(id: &str, kind: &str, at: &str, data: Value) -> Value {
    json!({"id": id, "type": kind, "occurred_at": at, "data": data})
}

pub fn workspace(id: &str, at: &str, timezone: &str) -> Value {
    event(id, "workspace.upserted", at, json!({"name": "Test workspace", "timezone": timezone}))
}

pub fn campaign(id: &str, at: &str, campaign_id: &str, name: &str) -> Value {
    event(id, "campaign.upserted", at, json!({"campaign_id": campaign_id, "name": name, "kind": "survey"}))
}

/// An ad campaign owned by `owner`, with no budget or targets.
pub fn ad_campaign(id: &str, at: &str, campaign_id: &str, name: &str, owner: &str) -> Value {
    event(
        id,
        "campaign.upserted",
        at,
        json!({"campaign_id": campaign_id, "name": name, "kind": "ads", "owner_user_id": owner}),
    )
}

pub fn call(id: &str, at: &str, campaign_id: &str, outcome: &str, duration_s: f64) -> Value {
    event(
        id,
        "call.completed",
        at,
        json!({
            "call_id": format!("call-{id}"), "campaign_id": campaign_id, "call_type": "outbound",
            "outcome": outcome, "duration_s": duration_s,
        }),
    )
}

pub fn contact(id: &str, at: &str, campaign_id: &str, contact_id: &str, state: &str) -> Value {
    event(
        id,
        "contact.state_changed",
        at,
        json!({"campaign_id": campaign_id, "contact_id": contact_id, "state": state}),
    )
}

pub fn ad_delivery(id: &str, at: &str, campaign_id: &str, spend: f64, clicks: i64) -> Value {
    event(
        id,
        "ad.delivery",
        at,
        json!({
            "campaign_id": campaign_id, "impressions": clicks * 40, "clicks": clicks, "spend": spend,
            "conversions": clicks / 10, "revenue": spend * 2.5,
        }),
    )
}

/// One `ad.delivery` of a creative to an audience.
#[derive(Debug, Clone, Copy)]
pub struct Ad {
    pub campaign: &'static str,
    pub creative: &'static str,
    pub audience: &'static str,
    pub impressions: i64,
    pub clicks: i64,
    pub spend: f64,
    pub conversions: i64,
    pub revenue: f64,
}

impl Ad {
    pub fn event(&self, id: &str, at: &str) -> Value {
        event(
            id,
            "ad.delivery",
            at,
            json!({
                "campaign_id": self.campaign, "creative": self.creative, "audience": self.audience,
                "impressions": self.impressions, "clicks": self.clicks, "spend": self.spend,
                "conversions": self.conversions, "revenue": self.revenue,
            }),
        )
    }
}
