//! Entities: the latest state of a thing (a campaign, a contact, an agent) where the newest
//! `occurred_at` wins, with the instant it was first seen; the gauges that count them are in
//! [`super::gauges`], the lists that order them in [`super::indexes`].

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use super::gauges::{self, GaugeDef};
use crate::events::ValidEvent;

/// An event type that sets an entity.
#[derive(Debug)]
pub struct EntityDef {
    pub source: &'static str,
    pub kind: &'static str,
    /// Data fields identifying the entity within the workspace; empty for the workspace itself.
    pub id: &'static [&'static str],
    /// The data field holding the entity's state, if it has one.
    pub state: Option<&'static str>,
    /// What counts the entity ([`super::gauges`]).
    pub gauges: &'static [GaugeDef],
}

const fn entity(
    source: &'static str,
    kind: &'static str,
    id: &'static [&'static str],
    state: Option<&'static str>,
    gauges: &'static [GaugeDef],
) -> EntityDef {
    EntityDef { source, kind, id, state, gauges }
}

/// Every entity the product keeps.
pub const ENTITIES: &[EntityDef] = &[
    entity("workspace.upserted", "workspace", &[], None, &[]),
    entity("user.upserted", "user", &["user_id"], Some("status"), &[gauges::users::STATUS, gauges::users::JOINED]),
    entity(
        "agent.upserted",
        "agent",
        &["agent_id"],
        Some("status"),
        &[gauges::agents::STATUS, gauges::agents::READINESS, gauges::agents::TRAINING],
    ),
    entity("campaign.upserted", "campaign", &["campaign_id"], Some("status"), &[]),
    entity(
        "customer.upserted",
        "customer",
        &["customer_id"],
        None,
        &[
            gauges::customers::TEMPERATURE,
            gauges::customers::CONVERTED,
            gauges::customers::DO_NOT_CALL,
            gauges::customers::ADDED,
            gauges::customers::OWNED_TEMPERATURE,
            gauges::customers::OWNED_CONVERTED,
            gauges::customers::OWNED_DO_NOT_CALL,
            gauges::customers::OWNED_ADDED,
        ],
    ),
    entity("lead.upserted", "lead", &["lead_id"], None, &[]),
    entity(
        "subscription.upserted",
        "subscription",
        &["subscription_id"],
        Some("status"),
        &[
            gauges::subscriptions::STATUS,
            gauges::subscriptions::STARTED,
            gauges::subscriptions::ENDING,
            gauges::subscriptions::MRR,
            gauges::subscriptions::BEGUN,
            gauges::subscriptions::LAPSED,
        ],
    ),
    entity(
        "payment.recorded",
        "payment",
        &["payment_id"],
        Some("status"),
        &[
            gauges::payments::STATUS,
            gauges::payments::BY_DAY,
            gauges::payments::BY_HOUR,
            gauges::payments::OWNED_STATUS,
        ],
    ),
    entity("model.upserted", "model", &["model_id"], Some("status"), &[]),
    entity(
        "call.status",
        "call",
        &["call_id"],
        Some("status"),
        &[gauges::live_calls::STATUS, gauges::live_calls::BY_AGENT],
    ),
    entity(
        "callback.upserted",
        "callback",
        &["callback_id"],
        Some("status"),
        &[
            gauges::callbacks::STATUS,
            gauges::callbacks::DUE,
            gauges::callbacks::OWNED_STATUS,
            gauges::callbacks::OWNED_DUE,
            gauges::callbacks::ASSIGNED_STATUS,
        ],
    ),
    entity(
        "contact.state_changed",
        "contact",
        &["campaign_id", "contact_id"],
        Some("state"),
        &[gauges::contacts::STATES],
    ),
    entity("lead.stage_changed", "lead_stage", &["lead_id"], Some("stage"), &[]),
    entity("workflow.run", "workflow_run", &["run_id"], Some("status"), &[]),
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

    /// The ids after the kind: `c1|p1` of `contact|c1|p1` (empty for the workspace).
    pub fn ids(&self) -> &str {
        self.0.split_once('|').map_or("", |(_, ids)| ids)
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
    /// The newest event's: whose data this is.
    pub version: Version,
    /// The oldest `occurred_at` of any of its events: when it appeared, whatever order its
    /// events arrived in (an older event that arrives late moves it back, and nothing else).
    pub first_seen: Timestamp,
    pub state: Option<String>,
    pub data: Map<String, Value>,
}

impl EntityRecord {
    pub fn str(&self, field: &str) -> Option<&str> {
        self.data.get(field).and_then(Value::as_str)
    }

    pub fn number(&self, field: &str) -> Option<f64> {
        self.data.get(field).and_then(Value::as_f64)
    }

    pub fn bool(&self, field: &str) -> Option<bool> {
        self.data.get(field).and_then(Value::as_bool)
    }

    /// A timestamp field (validated as RFC 3339 at ingest).
    pub fn instant(&self, field: &str) -> Option<Timestamp> {
        self.str(field).and_then(crate::events::parse_timestamp)
    }

    /// What a conditional write compares: a string equal iff version and first-seen instant are.
    /// A record first seen at its own version's instant (every record stored before first-seen
    /// instants were kept) has the plain version token.
    pub fn token(&self) -> String {
        if self.first_seen == self.version.at {
            self.version.token()
        } else {
            format!("{}|{}", self.version.token(), self.first_seen.as_microsecond())
        }
    }

    /// The record whose [`Self::token`] is `token`, with its state and data.
    pub fn from_token(token: &str, state: Option<String>, data: Map<String, Value>) -> Option<EntityRecord> {
        let (version, first_seen) = match token.rsplit_once('|') {
            Some((version, micros)) if version.contains('|') => {
                (Version::parse_token(version)?, Timestamp::from_microsecond(micros.parse().ok()?).ok()?)
            }
            _ => {
                let version = Version::parse_token(token)?;
                let at = version.at;
                (version, at)
            }
        };
        Some(EntityRecord { version, first_seen, state, data })
    }

    /// A fact seen as a record of its own, for the lists and tallies of events
    /// ([`super::indexes`]): its id and instant, its data.
    pub fn of_event(event: &ValidEvent) -> EntityRecord {
        EntityRecord {
            version: Version { at: event.occurred_at, event_id: event.id.clone() },
            first_seen: event.occurred_at,
            state: None,
            data: event.data.clone(),
        }
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
            first_seen: event.occurred_at,
            state: self.state.and_then(|field| event.str(field)).map(str::to_owned),
            data: event.data.clone(),
        }
    }

    /// The entity once `event` is applied to its `current` record, or `None` if the event
    /// changes nothing. The newest event's data wins; an older one only moves the first-seen
    /// instant back, if it is older still.
    pub fn apply(&self, current: Option<&EntityRecord>, event: &ValidEvent) -> Option<EntityRecord> {
        let incoming = self.record_of(event);
        match current {
            None => Some(incoming),
            Some(current) if current.version < incoming.version => {
                Some(EntityRecord { first_seen: current.first_seen.min(event.occurred_at), ..incoming })
            }
            Some(current) if event.occurred_at < current.first_seen => {
                Some(EntityRecord { first_seen: event.occurred_at, ..current.clone() })
            }
            Some(_) => None,
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
            for field in def.id.iter().chain(def.state.iter()) {
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

    #[test]
    fn a_record_token_carries_the_first_seen_instant_only_when_it_differs() {
        let version = Version { at: "2025-01-15T10:00:00Z".parse().expect("ts"), event_id: "e2".into() };
        let plain = EntityRecord { version: version.clone(), first_seen: version.at, state: None, data: Map::new() };
        assert_eq!(plain.token(), version.token(), "what records stored before first-seen instants carry");
        let moved = EntityRecord { first_seen: "2025-01-01T00:00:00Z".parse().expect("ts"), ..plain.clone() };
        assert_ne!(moved.token(), plain.token());
        for record in [plain, moved] {
            assert_eq!(EntityRecord::from_token(&record.token(), None, Map::new()), Some(record));
        }
    }
}
