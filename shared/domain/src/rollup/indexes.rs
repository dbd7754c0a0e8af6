//! Indexes: what a dashboard lists rather than counts, kept in order as events arrive, so that
//! "the newest ten calls" or "callbacks due before now" is one ordered range read.
//!
//! - A **list** holds one entry per entity (following its newest record: an entity that moves
//!   out of the list's group, filter or order moves its entry, exactly once) or one per event of
//!   a fact type, ordered by an instant or a name, with a few of the record's fields.
//! - A **tally** counts entities or events per member of an open set (an ad's creatives, the
//!   plans of subscriptions): one entry per member, with its count. Open sets live here rather
//!   than in a gauge's cell, because each member is its own entry: no number of members can
//!   outgrow a store's item.
//!
//! Entries are keyed by the index's name and group (`calls_of_user|u1`), then by their sort key
//! and id; every part of a key goes through [`key_part`], so names cannot break keys apart.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::entities::EntityRecord;
use super::gauges::InstantOf;
use super::series::{key_part, series_key};

/// How a list orders its entries.
#[derive(Debug, Clone, Copy)]
pub enum SortBy {
    /// By an instant of the record (for an event: `InstantOf::FirstSeen` is its `occurred_at`).
    Instant(InstantOf),
    /// By a text field's value.
    Field(&'static str),
    /// By the entry's id.
    Id,
}

/// A list of entities or events.
#[derive(Debug)]
pub struct ListDef {
    pub name: &'static str,
    /// The event type: an entity's (the list follows the entity) or a fact's (an entry per event).
    pub source: &'static str,
    /// Data fields that group entries into separate lists; a record missing one is not listed.
    pub group_by: &'static [&'static str],
    pub sort: SortBy,
    /// Which records are listed; all when `None`.
    pub when: Option<fn(&EntityRecord) -> bool>,
    /// The record's fields an entry keeps.
    pub fields: &'static [&'static str],
}

/// Counts per member of an open set.
#[derive(Debug)]
pub struct TallyDef {
    pub name: &'static str,
    pub source: &'static str,
    pub group_by: &'static [&'static str],
    /// The fields whose values name a member; a record missing one is not counted.
    pub member: &'static [&'static str],
    pub when: Option<fn(&EntityRecord) -> bool>,
}

/// Where an entry sits: its index (name and group), sort key and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryKey {
    pub index: String,
    pub sort: String,
    pub id: String,
}

/// One stored entry, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    pub sort: String,
    pub id: String,
    pub data: Map<String, Value>,
    /// A tally's count (0 in lists).
    pub count: i64,
}

/// Which entries of an index to read: sort keys from `from` (inclusive) to `to` (exclusive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SortRange {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl SortRange {
    pub fn all() -> SortRange {
        SortRange::default()
    }

    /// Entries sorted by an instant within `[from, to)`, either bound open.
    pub fn instants(from: Option<Timestamp>, to: Option<Timestamp>) -> SortRange {
        SortRange { from: from.map(instant_key), to: to.map(instant_key) }
    }

    /// Whether `sort` is inside the range.
    pub fn contains(&self, sort: &str) -> bool {
        self.from.as_deref().is_none_or(|from| sort >= from) && self.to.as_deref().is_none_or(|to| sort < to)
    }
}

/// The order entries are read in: by sort key, then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

/// What a commit does to one entry.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexChange {
    /// Writes the entry whole (a list's). `event_at` is the instant of the event it lists, for a
    /// list of events: stores may let such entries expire with the events themselves.
    Set { data: Map<String, Value>, event_at: Option<Timestamp> },
    /// Removes the entry.
    Remove,
    /// Adds `delta` to a tally entry's count (absent: 0) and sets its data.
    Count { data: Map<String, Value>, delta: i64 },
}

/// Entry changes of a plan, one per entry however many events touched it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexUpdates {
    changes: BTreeMap<EntryKey, IndexChange>,
}

impl IndexUpdates {
    /// Records `change`; counts of one entry add up, anything else replaces what was there.
    pub fn apply(&mut self, key: EntryKey, change: IndexChange) {
        match (self.changes.get_mut(&key), change) {
            (Some(IndexChange::Count { data, delta }), IndexChange::Count { data: new, delta: more }) => {
                *data = new;
                *delta += more;
            }
            (_, change) => {
                self.changes.insert(key, change);
            }
        }
    }

    /// Drops counts that net to zero (a member left and came back).
    pub fn without_no_ops(mut self) -> IndexUpdates {
        self.changes.retain(|_, change| !matches!(change, IndexChange::Count { delta: 0, .. }));
        self
    }

    pub fn iter(&self) -> impl Iterator<Item = (&EntryKey, &IndexChange)> {
        self.changes.iter()
    }

    pub fn keys(&self) -> impl Iterator<Item = &EntryKey> {
        self.changes.keys()
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn get(&self, key: &EntryKey) -> Option<&IndexChange> {
        self.changes.get(key)
    }
}

/// An instant as a sort key: fixed width, so that text order is time order.
pub fn instant_key(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Reads back an [`instant_key`].
pub fn parse_instant_key(key: &str) -> Option<Timestamp> {
    key.parse().ok()
}

fn group_key(name: &str, group_by: &[&str], record: &EntityRecord) -> Option<String> {
    let values: Option<Vec<&str>> = group_by.iter().map(|field| record.str(field)).collect();
    values.map(|values| series_key(name, &values))
}

/// A member's value as text: strings as they are, numbers in their shortest form.
fn member_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => number.as_f64().map(|n| n.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

impl ListDef {
    /// Where `record` (the entity or event whose entry id is `id`) sits, and what its entry
    /// holds; `None` if it is not listed.
    pub fn entry(&self, id: &str, record: &EntityRecord) -> Option<(EntryKey, Map<String, Value>)> {
        if self.when.is_some_and(|when| !when(record)) {
            return None;
        }
        let index = group_key(self.name, self.group_by, record)?;
        let sort = match self.sort {
            SortBy::Instant(instant) => instant_key(instant.of(record)?),
            SortBy::Field(name) => key_part(record.str(name)?),
            SortBy::Id => key_part(id),
        };
        let data = self
            .fields
            .iter()
            .filter_map(|name| record.data.get(*name).filter(|v| !v.is_null()).map(|v| ((*name).to_owned(), v.clone())))
            .collect();
        Some((EntryKey { index, sort, id: key_part(id) }, data))
    }

    /// The index key of one group of this list: `calls_of_user|u1`.
    pub fn key(&self, group: &[&str]) -> String {
        series_key(self.name, group)
    }
}

impl TallyDef {
    /// The member `record` counts under, with the member's field values; `None` if it is not
    /// counted.
    pub fn member(&self, record: &EntityRecord) -> Option<(EntryKey, Map<String, Value>)> {
        if self.when.is_some_and(|when| !when(record)) {
            return None;
        }
        let index = group_key(self.name, self.group_by, record)?;
        let mut parts = Vec::with_capacity(self.member.len());
        let mut data = Map::new();
        for name in self.member {
            let value = record.data.get(*name)?;
            parts.push(key_part(&member_text(value)?));
            data.insert((*name).to_owned(), value.clone());
        }
        Some((EntryKey { index, sort: parts.join("|"), id: String::new() }, data))
    }

    pub fn key(&self, group: &[&str]) -> String {
        series_key(self.name, group)
    }
}

fn in_state(record: &EntityRecord, state: &str) -> bool {
    record.state.as_deref() == Some(state)
}

/// Seed 000: the creatives and audiences an ad campaign delivered to, with their delivery counts.
pub mod ads {
    use super::*;

    pub const CREATIVES: TallyDef = TallyDef {
        name: "campaign_creatives",
        source: "ad.delivery",
        group_by: &["campaign_id"],
        member: &["creative"],
        when: None,
    };
    pub const AUDIENCES: TallyDef = TallyDef {
        name: "campaign_audiences",
        source: "ad.delivery",
        group_by: &["campaign_id"],
        member: &["audience"],
        when: None,
    };
    /// The campaigns a user owns, by id.
    pub const CAMPAIGNS_OF_OWNER: ListDef = ListDef {
        name: "campaigns_of_owner",
        source: "campaign.upserted",
        group_by: &["owner_user_id"],
        sort: SortBy::Id,
        when: None,
        fields: &["campaign_id", "name", "kind", "status"],
    };
}

/// Seed 001: the lists of a call-centre dashboard.
pub mod call_centre {
    use super::*;

    const CALL_FIELDS: &[&str] = &[
        "call_id",
        "user_id",
        "agent_id",
        "customer_id",
        "phone_number",
        "call_type",
        "outcome",
        "duration_s",
        "customer_response",
    ];
    const SUBSCRIPTION_FIELDS: &[&str] = &[
        "subscription_id",
        "user_id",
        "plan_name",
        "plan_price",
        "interval",
        "status",
        "current_period_start",
        "current_period_end",
        "cancel_at_period_end",
        "features",
        "limits",
    ];
    const CALLBACK_FIELDS: &[&str] = &[
        "callback_id",
        "owner_user_id",
        "agent_id",
        "customer_id",
        "customer_name",
        "customer_phone",
        "scheduled_at",
        "priority_level",
        "reason",
    ];
    const DUE_AT: SortBy = SortBy::Instant(InstantOf::Field("scheduled_at"));
    const BY_CHANGE: SortBy = SortBy::Instant(InstantOf::LastChange);

    /// Users by the instant they joined (`signed_up_at`, else first seen).
    pub const USERS_BY_JOIN: ListDef = ListDef {
        name: "users_by_join",
        source: "user.upserted",
        group_by: &[],
        sort: SortBy::Instant(InstantOf::FieldOrFirstSeen("signed_up_at")),
        when: None,
        fields: &["user_id", "email", "full_name", "user_name", "role", "status", "signed_up_at"],
    };
    /// Subscriptions by their latest change.
    pub const SUBSCRIPTIONS_BY_CHANGE: ListDef = ListDef {
        name: "subscriptions_by_change",
        source: "subscription.upserted",
        group_by: &[],
        sort: BY_CHANGE,
        when: None,
        fields: SUBSCRIPTION_FIELDS,
    };
    pub const SUBSCRIPTIONS_OF_USER: ListDef =
        ListDef { name: "subscriptions_of_user", group_by: &["user_id"], ..SUBSCRIPTIONS_BY_CHANGE };
    /// Active subscriptions by plan (name and price).
    pub const PLANS: TallyDef = TallyDef {
        name: "subscription_plans",
        source: "subscription.upserted",
        group_by: &[],
        member: &["plan_name", "plan_price"],
        when: Some(is_active),
    };
    pub const PAYMENTS_OF_USER: ListDef = ListDef {
        name: "payments_of_user",
        source: "payment.recorded",
        group_by: &["user_id"],
        sort: BY_CHANGE,
        when: None,
        fields: &["payment_id", "amount", "currency", "status", "description"],
    };
    /// Completed calls by their instant, per workspace and per user.
    pub const CALLS: ListDef = ListDef {
        name: "calls_recent",
        source: "call.completed",
        group_by: &[],
        sort: SortBy::Instant(InstantOf::FirstSeen),
        when: None,
        fields: CALL_FIELDS,
    };
    pub const CALLS_OF_USER: ListDef = ListDef { name: "calls_of_user", group_by: &["user_id"], ..CALLS };
    /// Calls waiting for an agent, oldest first.
    pub const QUEUE_OF_AGENT: ListDef = ListDef {
        name: "queue_of_agent",
        source: "call.status",
        group_by: &["agent_id"],
        sort: BY_CHANGE,
        when: Some(is_queued),
        fields: &["call_id", "user_id", "agent_id", "status"],
    };
    /// Scheduled callbacks by when they are due: per workspace, per owning user, per agent.
    pub const OPEN_CALLBACKS: ListDef = ListDef {
        name: "callbacks_open",
        source: "callback.upserted",
        group_by: &[],
        sort: DUE_AT,
        when: Some(is_scheduled),
        fields: CALLBACK_FIELDS,
    };
    pub const OPEN_CALLBACKS_OF_OWNER: ListDef =
        ListDef { name: "callbacks_open_of_owner", group_by: &["owner_user_id"], ..OPEN_CALLBACKS };
    pub const OPEN_CALLBACKS_OF_AGENT: ListDef =
        ListDef { name: "callbacks_open_of_agent", group_by: &["agent_id"], ..OPEN_CALLBACKS };
    /// The agents a user owns, by id.
    pub const AGENTS_OF_OWNER: ListDef = ListDef {
        name: "agents_of_owner",
        source: "agent.upserted",
        group_by: &["owner_user_id"],
        sort: SortBy::Id,
        when: None,
        fields: &["agent_id", "name", "kind", "status", "training_level", "personality_type", "working_hours"],
    };

    pub fn is_active(subscription: &EntityRecord) -> bool {
        in_state(subscription, "active")
    }

    pub fn is_queued(call: &EntityRecord) -> bool {
        in_state(call, "queued")
    }

    pub fn is_scheduled(callback: &EntityRecord) -> bool {
        in_state(callback, "scheduled")
    }
}

/// Seed 002: what the workspace-analytics views enumerate before reading each one's series.
pub mod workspace_analytics {
    use super::*;

    /// Every agent of the workspace, by id.
    pub const AGENTS: ListDef = ListDef {
        name: "agents",
        source: "agent.upserted",
        group_by: &[],
        sort: SortBy::Id,
        when: None,
        fields: &["agent_id", "name", "kind", "status", "owner_user_id"],
    };
    /// Executions per feature tag, all time (each has `series::executions::BY_FEATURE`).
    pub const FEATURES: TallyDef =
        TallyDef { name: "features", source: "agent.execution", group_by: &[], member: &["feature"], when: None };
    /// Requests per API route, all time (each has `series::requests::BY_ROUTE`).
    pub const ENDPOINTS: TallyDef =
        TallyDef { name: "endpoints", source: "api.request", group_by: &[], member: &["route"], when: None };
    /// A user's executions per agent, all time: their favourite agents.
    pub const AGENTS_OF_USER: TallyDef = TallyDef {
        name: "agents_of_user",
        source: "agent.execution",
        group_by: &["user_id"],
        member: &["agent_id"],
        when: None,
    };
}

/// Every list the product maintains.
pub const LISTS: &[ListDef] = &[
    workspace_analytics::AGENTS,
    ads::CAMPAIGNS_OF_OWNER,
    call_centre::USERS_BY_JOIN,
    call_centre::SUBSCRIPTIONS_BY_CHANGE,
    call_centre::SUBSCRIPTIONS_OF_USER,
    call_centre::PAYMENTS_OF_USER,
    call_centre::CALLS,
    call_centre::CALLS_OF_USER,
    call_centre::QUEUE_OF_AGENT,
    call_centre::OPEN_CALLBACKS,
    call_centre::OPEN_CALLBACKS_OF_OWNER,
    call_centre::OPEN_CALLBACKS_OF_AGENT,
    call_centre::AGENTS_OF_OWNER,
];

/// Every tally the product maintains.
pub const TALLIES: &[TallyDef] = &[
    ads::CREATIVES,
    ads::AUDIENCES,
    call_centre::PLANS,
    workspace_analytics::FEATURES,
    workspace_analytics::ENDPOINTS,
    workspace_analytics::AGENTS_OF_USER,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Kind;

    #[test]
    fn every_index_reads_fields_its_source_declares() {
        for list in LISTS {
            let schema = crate::events::schema(list.source).unwrap_or_else(|| panic!("{}", list.name));
            let mut fields: Vec<&str> = list.group_by.iter().chain(list.fields).copied().collect();
            match list.sort {
                SortBy::Instant(InstantOf::Field(name) | InstantOf::FieldOrFirstSeen(name)) => {
                    assert!(matches!(schema.field(name).map(|f| f.kind), Some(Kind::Timestamp)), "{name}");
                }
                SortBy::Field(name) => fields.push(name),
                _ => {}
            }
            for name in fields {
                assert!(schema.field(name).is_some(), "{}: {} has no field {name}", list.name, schema.name);
            }
        }
        for tally in TALLIES {
            let schema = crate::events::schema(tally.source).unwrap_or_else(|| panic!("{}", tally.name));
            for name in tally.group_by.iter().chain(tally.member) {
                assert!(schema.field(name).is_some(), "{}: {} has no field {name}", tally.name, schema.name);
            }
        }
        let mut names: Vec<&str> = LISTS.iter().map(|l| l.name).chain(TALLIES.iter().map(|t| t.name)).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), LISTS.len() + TALLIES.len(), "index names are unique");
    }

    #[test]
    fn instant_keys_sort_as_time_and_read_back() {
        let early: Timestamp = "2025-01-15T09:59:59.5Z".parse().expect("ts");
        let late: Timestamp = "2025-01-15T10:00:00Z".parse().expect("ts");
        assert_eq!(instant_key(late), "2025-01-15T10:00:00.000000Z");
        assert!(instant_key(early) < instant_key(late));
        assert_eq!(parse_instant_key(&instant_key(early)), Some(early));
    }

    fn record(data: Value, state: Option<&str>) -> EntityRecord {
        let at = "2025-01-15T10:00:00Z".parse().expect("ts");
        EntityRecord {
            version: super::super::Version { at, event_id: "e1".into() },
            first_seen: at,
            state: state.map(str::to_owned),
            data: data.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn a_tally_member_is_named_by_its_fields_safely_and_a_list_keeps_only_its_fields() {
        let subscription = record(
            serde_json::json!({"subscription_id": "s1", "user_id": "u1", "plan_name": "Pro | Plan", "plan_price": 99.0, "secret": "x"}),
            Some("active"),
        );
        let (key, data) = call_centre::PLANS.member(&subscription).expect("counted");
        assert_eq!((key.index.as_str(), key.sort.as_str()), ("subscription_plans", "Pro%20%7C%20Plan|99"));
        assert_eq!(data["plan_price"], 99.0);
        let cancelled = record(serde_json::json!({"plan_name": "Pro", "plan_price": 99}), Some("cancelled"));
        assert_eq!(call_centre::PLANS.member(&cancelled), None);

        let (key, data) = call_centre::SUBSCRIPTIONS_OF_USER.entry("s1", &subscription).expect("listed");
        assert_eq!((key.index.as_str(), key.id.as_str()), ("subscriptions_of_user|u1", "s1"));
        assert_eq!(key.sort, "2025-01-15T10:00:00.000000Z");
        assert!(!data.contains_key("secret"));
    }
}
