//! Entities: the latest state of a thing (a campaign, a contact, an agent) where the newest
//! `occurred_at` wins, and the gauges that count entities per state.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use crate::events::ValidEvent;

/// Counts entities per state within a group (`contact_states|<campaign>`): a state change moves
/// one unit from the old state to the new.
#[derive(Debug)]
pub struct GaugeDef {
    pub series: &'static str,
    /// Data fields that group the gauge; an entity missing one is not counted.
    pub group_by: &'static [&'static str],
}

/// An event type that sets an entity.
#[derive(Debug)]
pub struct EntityDef {
    pub source: &'static str,
    pub kind: &'static str,
    /// Data fields identifying the entity within the workspace; empty for the workspace itself.
    pub id: &'static [&'static str],
    /// The data field holding the entity's state, if it has one.
    pub state: Option<&'static str>,
    pub gauge: Option<GaugeDef>,
}

/// Every entity the product keeps.
pub const ENTITIES: &[EntityDef] = &[
    EntityDef { source: "workspace.upserted", kind: "workspace", id: &[], state: None, gauge: None },
    EntityDef { source: "user.upserted", kind: "user", id: &["user_id"], state: Some("status"), gauge: None },
    EntityDef { source: "agent.upserted", kind: "agent", id: &["agent_id"], state: Some("status"), gauge: None },
    EntityDef {
        source: "campaign.upserted",
        kind: "campaign",
        id: &["campaign_id"],
        state: Some("status"),
        gauge: None,
    },
    EntityDef { source: "customer.upserted", kind: "customer", id: &["customer_id"], state: None, gauge: None },
    EntityDef { source: "lead.upserted", kind: "lead", id: &["lead_id"], state: None, gauge: None },
    EntityDef {
        source: "subscription.upserted",
        kind: "subscription",
        id: &["subscription_id"],
        state: Some("status"),
        gauge: None,
    },
    EntityDef { source: "model.upserted", kind: "model", id: &["model_id"], state: Some("status"), gauge: None },
    EntityDef { source: "call.status", kind: "call", id: &["call_id"], state: Some("status"), gauge: None },
    EntityDef {
        source: "callback.upserted",
        kind: "callback",
        id: &["callback_id"],
        state: Some("status"),
        gauge: None,
    },
    EntityDef {
        source: "contact.state_changed",
        kind: "contact",
        id: &["campaign_id", "contact_id"],
        state: Some("state"),
        gauge: Some(GaugeDef { series: super::series::contact_states::NAME, group_by: &["campaign_id"] }),
    },
    EntityDef { source: "lead.stage_changed", kind: "lead_stage", id: &["lead_id"], state: Some("stage"), gauge: None },
    EntityDef { source: "workflow.run", kind: "workflow_run", id: &["run_id"], state: Some("status"), gauge: None },
];

/// `kind|id1|id2`: unique within a workspace. Ids cannot contain `|`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityKey(String);

impl EntityKey {
    pub fn new(kind: &str, ids: &[&str]) -> EntityKey {
        let mut key = kind.to_owned();
        for id in ids {
            key.push('|');
            key.push_str(id);
        }
        EntityKey(key)
    }

    pub fn workspace() -> EntityKey {
        EntityKey::new("workspace", &[])
    }

    /// Rebuilds a key read back from storage.
    pub fn from_stored(text: String) -> EntityKey {
        EntityKey(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Orders upserts of one entity: by instant, then by event id so equal instants still have one
/// winner whatever the arrival order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub at: Timestamp,
    pub event_id: String,
}

impl Version {
    /// A string that compares equal iff the versions are equal (for conditional writes).
    pub fn token(&self) -> String {
        format!("{}|{}", self.at.as_microsecond(), self.event_id)
    }

    pub fn parse_token(token: &str) -> Option<Version> {
        let (micros, event_id) = token.split_once('|')?;
        let at = Timestamp::from_microsecond(micros.parse().ok()?).ok()?;
        Some(Version { at, event_id: event_id.to_owned() })
    }
}

/// The stored state of one entity.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRecord {
    pub version: Version,
    pub state: Option<String>,
    pub data: Map<String, Value>,
}

impl EntityRecord {
    pub fn str(&self, field: &str) -> Option<&str> {
        self.data.get(field).and_then(Value::as_str)
    }
}

impl EntityDef {
    pub fn key_of(&self, event: &ValidEvent) -> Option<EntityKey> {
        let ids: Option<Vec<&str>> = self.id.iter().map(|field| event.str(field)).collect();
        ids.map(|ids| EntityKey::new(self.kind, &ids))
    }

    pub fn record_of(&self, event: &ValidEvent) -> EntityRecord {
        EntityRecord {
            version: Version { at: event.occurred_at, event_id: event.id.clone() },
            state: self.state.and_then(|field| event.str(field)).map(str::to_owned),
            data: event.data.clone(),
        }
    }
}

/// The workspace's time zone from its entity; UTC until one is set.
pub fn workspace_time_zone(workspace: Option<&EntityRecord>) -> TimeZone {
    workspace.and_then(|ws| ws.str("timezone")).and_then(crate::time::time_zone).unwrap_or(TimeZone::UTC)
}

pub fn entity_def(event_type: &str) -> Option<&'static EntityDef> {
    ENTITIES.iter().find(|def| def.source == event_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entity_reads_fields_its_source_type_declares() {
        for def in ENTITIES {
            let schema = crate::events::schema(def.source).unwrap_or_else(|| panic!("{}", def.kind));
            let gauge_fields = def.gauge.iter().flat_map(|gauge| gauge.group_by.iter());
            for field in def.id.iter().chain(def.state.iter()).chain(gauge_fields) {
                assert!(schema.field(field).is_some(), "{}: {} has no field {field}", def.kind, schema.name);
            }
        }
    }

    #[test]
    fn version_tokens_round_trip_and_order_by_instant_then_id() {
        let early = Version { at: "2025-01-15T10:00:00Z".parse().expect("ts"), event_id: "b".into() };
        let tie = Version { at: early.at, event_id: "c".into() };
        assert!(early < tie);
        assert_eq!(Version::parse_token(&early.token()), Some(early));
    }
}
