//! The planner: pure code that turns events plus the current entity state into one commit plan
//! (stored events, merged cell deltas, entity writes). It decides everything; stores only apply.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::cells::{CellKey, CellUpdates};
use super::entities::{ENTITIES, EntityDef, EntityKey, EntityRecord, Version};
use super::series::{SERIES, SeriesDef, field, kept_at, series_key};
use crate::events::ValidEvent;
use crate::time::Bucket;

/// The rules the planner applies: which series and entities exist. Production uses
/// [`Rules::standard`]; the catalog is data, so tests can check it like any other input.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub series: &'static [SeriesDef],
    pub entities: &'static [EntityDef],
}

impl Rules {
    pub fn standard() -> Rules {
        Rules { series: SERIES, entities: ENTITIES }
    }

    fn series_for<'a>(&'a self, event_type: &'a str) -> impl Iterator<Item = &'static SeriesDef> + 'a {
        self.series.iter().filter(move |series| series.source == event_type)
    }

    fn entity_for(&self, event_type: &str) -> Option<&'static EntityDef> {
        self.entities.iter().find(|def| def.source == event_type)
    }

    /// The entity an event sets, if any.
    pub fn entity_key(&self, event: &ValidEvent) -> Option<EntityKey> {
        self.entity_for(event.type_name()).and_then(|def| def.key_of(event))
    }

    /// Plans `events` (distinct ids, none stored yet) against `snapshot`. Returns the plan and
    /// the entity state as it will be once the plan commits.
    pub fn plan<'e>(
        &self,
        events: impl IntoIterator<Item = &'e ValidEvent>,
        snapshot: &EntitySnapshot,
        tz: &TimeZone,
    ) -> (CommitPlan, EntitySnapshot) {
        let mut cells = CellUpdates::default();
        let mut after = snapshot.clone();
        let mut written: BTreeMap<EntityKey, Option<Version>> = BTreeMap::new();
        let mut records = Vec::new();

        for event in events {
            records.push(EventRecord::of(event));
            self.add_fact_cells(event, tz, &mut cells);
            let Some(def) = self.entity_for(event.type_name()) else {
                continue;
            };
            let Some(key) = def.key_of(event) else {
                continue;
            };
            let incoming = def.record_of(event);
            let current = after.get(&key);
            if current.is_some_and(|current| current.version >= incoming.version) {
                continue; // an older upsert never overwrites a newer one
            }
            if let Some(gauge) = &def.gauge {
                if let Some((series, state)) = current.and_then(|old| gauge_slot(gauge, old)) {
                    cells.add(&CellKey::new(series, Bucket::Current), &field::state(&state), -1);
                }
                if let Some((series, state)) = gauge_slot(gauge, &incoming) {
                    let key = CellKey::new(series, Bucket::Current);
                    cells.add(&key, &field::state(&state), 1);
                    cells.add(&key, field::LATEST, event.occurred_at.as_millisecond().into());
                }
            }
            written.entry(key.clone()).or_insert_with(|| snapshot.get(&key).map(|record| record.version.clone()));
            after.set(key, incoming);
        }

        // Every written key was set in `after` just above.
        let entities = written
            .into_iter()
            .filter_map(|(key, expected)| {
                let record = after.get(&key).cloned()?;
                Some(EntityWrite { key, expected, record })
            })
            .collect();
        (CommitPlan { events: records, cells: cells.without_no_ops(), entities }, after)
    }

    /// The min/max fields `events` contribute: safe to apply again for events already stored.
    pub fn extrema<'e>(&self, events: impl IntoIterator<Item = &'e ValidEvent>, tz: &TimeZone) -> CellUpdates {
        let mut cells = CellUpdates::default();
        for event in events {
            self.add_fact_cells(event, tz, &mut cells);
        }
        cells.extrema()
    }

    fn add_fact_cells(&self, event: &ValidEvent, tz: &TimeZone, cells: &mut CellUpdates) {
        for series in self.series_for(event.type_name()) {
            let Some(key) = series.key_of(event) else {
                continue;
            };
            let fields = series.contributions(event);
            for grain in series.grains {
                let cell = CellKey::new(key.clone(), Bucket::of(*grain, event.occurred_at, tz));
                for (name, value) in fields.iter().filter(|(name, _)| kept_at(name, *grain)) {
                    cells.add(&cell, name, *value);
                }
            }
        }
    }
}

/// The gauge series and state an entity record counts under, if it is counted.
fn gauge_slot(gauge: &super::entities::GaugeDef, record: &EntityRecord) -> Option<(String, String)> {
    let state = record.state.clone()?;
    let group: Option<Vec<&str>> = gauge.group_by.iter().map(|field| record.str(field)).collect();
    Some((series_key(gauge.series, &group?), state))
}

/// Entity state as loaded from the store, plus what earlier plans of this batch changed.
/// A key loaded and found absent is held as absent; a key never loaded reads as absent too,
/// and the commit's version condition catches it if that was wrong.
#[derive(Debug, Clone, Default)]
pub struct EntitySnapshot {
    records: HashMap<EntityKey, EntityRecord>,
}

impl EntitySnapshot {
    pub fn from_records(records: HashMap<EntityKey, EntityRecord>) -> EntitySnapshot {
        EntitySnapshot { records }
    }

    pub fn get(&self, key: &EntityKey) -> Option<&EntityRecord> {
        self.records.get(key)
    }

    pub fn set(&mut self, key: EntityKey, record: EntityRecord) {
        self.records.insert(key, record);
    }

    pub fn forget(&mut self, key: &EntityKey) {
        self.records.remove(key);
    }

    pub fn workspace_time_zone(&self) -> TimeZone {
        super::entities::workspace_time_zone(self.get(&EntityKey::workspace()))
    }
}

/// One event as stored: its marker (workspace + id) and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub id: String,
    pub event_type: &'static str,
    pub occurred_at: Timestamp,
    pub hash: String,
    pub body: String,
}

impl EventRecord {
    pub fn of(event: &ValidEvent) -> EventRecord {
        EventRecord {
            id: event.id.clone(),
            event_type: event.type_name(),
            occurred_at: event.occurred_at,
            hash: event.hash.clone(),
            body: event.body.clone(),
        }
    }
}

/// Sets an entity, on condition that its stored version is still `expected` (`None`: absent).
#[derive(Debug, Clone, PartialEq)]
pub struct EntityWrite {
    pub key: EntityKey,
    pub expected: Option<Version>,
    pub record: EntityRecord,
}

/// What one atomic commit writes. See [`crate::ports::RollupStore::commit`] for the contract.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommitPlan {
    pub events: Vec<EventRecord>,
    pub cells: CellUpdates,
    pub entities: Vec<EntityWrite>,
}

impl CommitPlan {
    /// Items the commit writes: what a store with a per-transaction limit counts. Each
    /// (series, month) whose days are written counts too: its due-for-folding mark is written in
    /// the same transaction.
    pub fn item_count(&self) -> usize {
        self.events.len() + self.cells.len() + self.entities.len() + self.months_due().len()
    }

    /// The (series, month) pairs whose days this plan writes.
    pub fn months_due(&self) -> std::collections::BTreeSet<(&str, Bucket)> {
        self.cells
            .keys()
            .filter_map(|key| match key.bucket {
                Bucket::Day(date) => Some((key.series.as_str(), Bucket::month_of(date))),
                _ => None,
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.item_count() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EventLimits, validate_event};
    use serde_json::{Value, json};

    fn event(id: &str, at: &str, kind: &str, data: Value) -> ValidEvent {
        let now = "2025-02-01T00:00:00Z".parse().expect("ts");
        validate_event(json!({"id": id, "type": kind, "occurred_at": at, "data": data}), now, &EventLimits::default())
            .expect("valid event")
    }

    fn contact(id: &str, at: &str, state: &str) -> ValidEvent {
        event(id, at, "contact.state_changed", json!({"campaign_id": "c1", "contact_id": "p1", "state": state}))
    }

    fn gauge(plan: &CommitPlan) -> Vec<(String, i128)> {
        let key = CellKey::new("contact_states|c1", Bucket::Current);
        plan.cells
            .get(&key)
            .map(|cells| cells.iter().filter(|(f, _)| f.starts_with("state.")).map(|(f, v)| (f.clone(), *v)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn calls_in_one_hour_merge_into_one_item_per_bucket() {
        let calls: Vec<ValidEvent> = (0..3)
            .map(|i| {
                event(
                    &format!("e{i}"),
                    &format!("2025-01-15T10:0{i}:00Z"),
                    "call.completed",
                    json!({
                    "call_id": format!("c{i}"), "campaign_id": "cmp", "call_type": "outbound",
                    "outcome": "completed", "duration_s": 10 * (i + 1)}),
                )
            })
            .collect();
        let (plan, _) = Rules::standard().plan(&calls, &EntitySnapshot::default(), &TimeZone::UTC);
        assert_eq!(plan.cells.len(), 3, "hour, day and total");
        let hour =
            plan.cells.get(&CellKey::new("campaign_calls|cmp", Bucket::parse_key("h2025-01-15T10").expect("key")));
        let hour = hour.expect("hour item");
        assert_eq!(hour["count"], 3);
        assert_eq!(hour["sum.duration_s"], 60_000);
        assert_eq!(hour["min.duration_s"], 10_000);
        assert_eq!(hour["max.duration_s"], 30_000);
    }

    #[test]
    fn a_state_change_moves_one_unit_and_an_older_one_moves_nothing() {
        let rules = Rules::standard();
        let (first, after) =
            rules.plan(&[contact("e1", "2025-01-15T10:00:00Z", "pending")], &EntitySnapshot::default(), &TimeZone::UTC);
        assert_eq!(gauge(&first), vec![("state.pending".into(), 1)]);
        assert_eq!(first.entities[0].expected, None);

        let (second, after) = rules.plan(&[contact("e2", "2025-01-15T11:00:00Z", "completed")], &after, &TimeZone::UTC);
        assert_eq!(gauge(&second), vec![("state.completed".into(), 1), ("state.pending".into(), -1)]);
        assert_eq!(second.entities[0].expected.as_ref().map(|v| v.event_id.as_str()), Some("e1"));

        let (late, _) = rules.plan(&[contact("e0", "2025-01-15T09:00:00Z", "refused")], &after, &TimeZone::UTC);
        assert!(gauge(&late).is_empty());
        assert!(late.entities.is_empty());
        assert_eq!(late.events.len(), 1, "the late event is still stored");
    }

    #[test]
    fn several_changes_of_one_entity_in_a_batch_net_out_to_one_write() {
        let batch = [
            contact("e2", "2025-01-15T11:00:00Z", "in_progress"),
            contact("e1", "2025-01-15T10:00:00Z", "pending"),
            contact("e3", "2025-01-15T12:00:00Z", "completed"),
        ];
        let (plan, after) = Rules::standard().plan(&batch, &EntitySnapshot::default(), &TimeZone::UTC);
        assert_eq!(gauge(&plan), vec![("state.completed".into(), 1)]);
        assert_eq!(plan.entities.len(), 1);
        assert_eq!(
            after.get(&EntityKey::new("contact", &["c1", "p1"])).and_then(|r| r.state.as_deref()),
            Some("completed")
        );
    }
}
