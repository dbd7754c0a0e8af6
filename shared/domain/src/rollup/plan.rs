//! The planner: pure code that turns events plus the current entity state into one commit plan
//! (stored events, merged cell deltas, entity writes). It decides everything; stores only apply.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::activity;
use super::cells::{CellKey, CellUpdates};
use super::entities::{ENTITIES, EntityDef, EntityKey, EntityRecord};
use super::indexes::{IndexChange, IndexUpdates, LISTS, ListDef, TALLIES, TallyDef};
use super::series::{SERIES, SeriesDef, field, kept_at};
use super::sightings::{self, DISTINCTS, DistinctDef};
use crate::events::ValidEvent;
use crate::time::Bucket;

/// The rules the planner applies: which series, entities and indexes exist. Production uses
/// [`Rules::standard`]; the catalog is data, so tests can check it like any other input.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub series: &'static [SeriesDef],
    pub entities: &'static [EntityDef],
    pub lists: &'static [ListDef],
    pub tallies: &'static [TallyDef],
    pub distincts: &'static [DistinctDef],
}

impl Rules {
    pub fn standard() -> Rules {
        Rules { series: SERIES, entities: ENTITIES, lists: LISTS, tallies: TALLIES, distincts: DISTINCTS }
    }

    fn series_for<'a>(&'a self, event_type: &'a str) -> impl Iterator<Item = &'static SeriesDef> + 'a {
        self.series.iter().filter(move |series| series.source == event_type)
    }

    fn lists_for<'a>(&'a self, event_type: &'a str) -> impl Iterator<Item = &'static ListDef> + 'a {
        self.lists.iter().filter(move |list| list.source == event_type)
    }

    fn tallies_for<'a>(&'a self, event_type: &'a str) -> impl Iterator<Item = &'static TallyDef> + 'a {
        self.tallies.iter().filter(move |tally| tally.source == event_type)
    }

    pub fn entity_for(&self, event_type: &str) -> Option<&'static EntityDef> {
        self.entities.iter().find(|def| def.source == event_type)
    }

    /// The entity an event sets, if any.
    pub fn entity_key(&self, event: &ValidEvent) -> Option<EntityKey> {
        self.entity_for(event.type_name()).and_then(|def| def.key_of(event))
    }

    /// The records planning `event` reads: the entity it sets and the user's activity record.
    /// Its sighting markers depend on the workspace's zone ([`Self::marker_keys`]).
    pub fn keys_to_load(&self, event: &ValidEvent) -> impl Iterator<Item = EntityKey> {
        self.entity_key(event).into_iter().chain(activity::key_of(event))
    }

    /// The sighting markers planning `event` in `tz` reads.
    pub fn marker_keys<'a>(&'a self, event: &'a ValidEvent, tz: &'a TimeZone) -> impl Iterator<Item = EntityKey> + 'a {
        self.distincts.iter().flat_map(move |def| def.sightings(event, tz)).map(|sighting| sighting.marker)
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
        let mut index = IndexUpdates::default();
        let mut after = snapshot.clone();
        let mut written: BTreeMap<EntityKey, &'static EntityDef> = BTreeMap::new();
        let mut active_users = std::collections::BTreeSet::new();
        let mut entities = Vec::new();
        let mut records = Vec::new();

        for event in events {
            records.push(EventRecord::of(event));
            self.add_fact_cells(event, tz, &mut cells);
            for sighting in self.distincts.iter().flat_map(|def| def.sightings(event, tz)) {
                if after.get(&sighting.marker).is_none() {
                    let marker = sightings::marker();
                    after.set(sighting.marker.clone(), marker.clone());
                    entities.push(EntityWrite { key: sighting.marker, expected: None, record: marker });
                    cells.add(&sighting.cell, sightings::COUNT, 1);
                }
            }
            if let Some(key) = activity::key_of(event)
                && let Some(record) = activity::apply(after.get(&key), event, tz)
            {
                after.set(key.clone(), record);
                active_users.insert(key);
            }
            let Some(def) = self.entity_for(event.type_name()) else {
                self.add_fact_entries(event, &mut index);
                continue;
            };
            for cell in def.gauges.iter().filter_map(|gauge| gauge.watermark_cell(event)) {
                cells.add(&cell, field::LATEST, event.occurred_at.as_millisecond().into());
            }
            let Some(key) = def.key_of(event) else {
                continue;
            };
            if let Some(record) = def.apply(after.get(&key), event) {
                written.insert(key.clone(), def);
                after.set(key, record);
            }
        }

        // Each written entity moves its gauge units and index entries once, from what was stored
        // to what will be: whatever its events did in between nets out. So does each activity
        // record, with what it counts.
        for key in active_users {
            let (before, Some(now)) = (snapshot.get(&key), after.get(&key)) else { continue };
            for ((cell, name), delta) in activity::moved(before, now) {
                cells.add(&cell, &name, delta);
            }
            entities.push(EntityWrite { key, expected: before.map(EntityRecord::token), record: now.clone() });
        }
        for (key, def) in written {
            let (before, Some(now)) = (snapshot.get(&key), after.get(&key)) else { continue };
            self.move_entity(def, &key, before, now, tz, &mut cells, &mut index);
            entities.push(EntityWrite { key, expected: before.map(EntityRecord::token), record: now.clone() });
        }
        let plan =
            CommitPlan { events: records, cells: cells.without_no_ops(), entities, index: index.without_no_ops() };
        (plan, after)
    }

    #[allow(clippy::too_many_arguments)]
    fn move_entity(
        &self,
        def: &EntityDef,
        key: &EntityKey,
        before: Option<&EntityRecord>,
        now: &EntityRecord,
        tz: &TimeZone,
        cells: &mut CellUpdates,
        index: &mut IndexUpdates,
    ) {
        for gauge in def.gauges {
            let (old, new) = (before.and_then(|record| gauge.unit(record, tz)), gauge.unit(now, tz));
            if old == new {
                continue;
            }
            for (unit, sign) in [(old, -1), (new, 1)] {
                let Some(unit) = unit else { continue };
                for (name, value) in &unit.fields {
                    cells.add(&unit.cell, name, sign * value);
                }
            }
        }
        let id = key.ids();
        for list in self.lists_for(def.source) {
            let (old, new) = (before.and_then(|record| list.entry(id, record)), list.entry(id, now));
            if old == new {
                continue;
            }
            if let Some((old_key, _)) = &old
                && new.as_ref().is_none_or(|(new_key, _)| new_key != old_key)
            {
                index.apply(old_key.clone(), IndexChange::Remove);
            }
            if let Some((new_key, data)) = new {
                index.apply(new_key, IndexChange::Set { data, event_at: None });
            }
        }
        for tally in self.tallies_for(def.source) {
            let (old, new) = (before.and_then(|record| tally.member(record)), tally.member(now));
            if old.as_ref().map(|(key, _)| key) == new.as_ref().map(|(key, _)| key) {
                continue;
            }
            for (member, delta) in [(old, -1), (new, 1)] {
                if let Some((entry, data)) = member {
                    index.apply(entry, IndexChange::Count { data, delta });
                }
            }
        }
    }

    /// The entries a fact (an event of a type without an entity) adds: one per list, and one
    /// more in its member of each tally.
    fn add_fact_entries(&self, event: &ValidEvent, index: &mut IndexUpdates) {
        let record = EntityRecord::of_event(event);
        for list in self.lists_for(event.type_name()) {
            if let Some((key, data)) = list.entry(&event.id, &record) {
                index.apply(key, IndexChange::Set { data, event_at: Some(event.occurred_at) });
            }
        }
        for tally in self.tallies_for(event.type_name()) {
            if let Some((key, data)) = tally.member(&record) {
                index.apply(key, IndexChange::Count { data, delta: 1 });
            }
        }
    }

    /// The most items the plan of one event can hold, whatever the state it meets: its marker,
    /// each series' buckets with the month due, and for an entity its write and, per gauge, the
    /// cells it leaves, enters and marks (with their months), per list an entry removed and one
    /// set, per tally a member left and one joined. A store whose transactions hold fewer
    /// could not commit some single event, so [`crate::ingest::apply_events`] refuses to run.
    pub fn most_items_per_event(&self) -> usize {
        let catalog = crate::events::CATALOG.iter().map(|schema| schema.name);
        catalog.map(|event_type| self.most_items_of(event_type)).max().unwrap_or(1)
    }

    fn most_items_of(&self, event_type: &str) -> usize {
        let months = |grains: &[crate::time::Grain]| grains.contains(&crate::time::Grain::Day) as usize;
        let series: usize = self.series_for(event_type).map(|s| s.grains.len() + months(s.grains)).sum();
        let indexes = 2 * (self.lists_for(event_type).count() + self.tallies_for(event_type).count());
        let entity = self.entity_for(event_type).map_or(0, |def| {
            let gauges: usize = def
                .gauges
                .iter()
                .map(|gauge| match gauge.at {
                    super::gauges::GaugeAt::Now => 3,
                    super::gauges::GaugeAt::Day(_) => 4,
                    super::gauges::GaugeAt::Hour(_) => 3,
                })
                .sum();
            1 + gauges
        });
        let sightings: usize = self
            .distincts
            .iter()
            .filter(|def| def.sources.contains(&event_type))
            .map(|def| 2 * def.grains.len() + months(def.grains))
            .sum();
        let active = activity::ACTIVE_SOURCES.contains(&event_type) || event_type == activity::SIGNUP_SOURCE;
        1 + series + indexes + entity + sightings + if active { activity::MOST_ITEMS } else { 0 }
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

/// Sets an entity, on condition that its stored record's token ([`EntityRecord::token`]) is
/// still `expected` (`None`: absent).
#[derive(Debug, Clone, PartialEq)]
pub struct EntityWrite {
    pub key: EntityKey,
    pub expected: Option<String>,
    pub record: EntityRecord,
}

/// What one atomic commit writes. See [`crate::ports::RollupStore::commit`] for the contract.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommitPlan {
    pub events: Vec<EventRecord>,
    pub cells: CellUpdates,
    pub entities: Vec<EntityWrite>,
    pub index: IndexUpdates,
}

impl CommitPlan {
    /// Items the commit writes: what a store with a per-transaction limit counts (each index
    /// entry is one). Each (series, month) whose days are written counts too: its
    /// due-for-folding mark is written in the same transaction.
    pub fn item_count(&self) -> usize {
        self.events.len() + self.cells.len() + self.entities.len() + self.index.len() + self.months_due().len()
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
    fn the_plan_of_any_one_event_fits_a_dynamodb_transaction() {
        let most = Rules::standard().most_items_per_event();
        assert!(most <= 100, "one event may need {most} items");
    }

    #[test]
    fn no_single_event_plans_more_items_than_the_bound() {
        let rules = Rules::standard();
        let customer = |id: &str, at: &str, owner: &str| {
            event(
                id,
                at,
                "customer.upserted",
                json!({"customer_id": "k1", "owner_user_id": owner, "temperature": "hot"}),
            )
        };
        let (_, after) =
            rules.plan(&[customer("e2", "2025-01-15T10:00:00Z", "u1")], &EntitySnapshot::default(), &TimeZone::UTC);
        let (moved, _) = rules.plan(&[customer("e3", "2025-01-16T10:00:00Z", "u2")], &after, &TimeZone::UTC);
        let (late, _) = rules.plan(&[customer("e1", "2025-01-10T10:00:00Z", "u3")], &after, &TimeZone::UTC);
        for plan in [moved, late] {
            assert!(plan.item_count() <= rules.most_items_of("customer.upserted"), "{}", plan.item_count());
        }
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
        let campaign_items = plan.cells.keys().filter(|key| key.series == "campaign_calls|cmp").count();
        assert_eq!(campaign_items, 3, "hour, day and total");
        let hour =
            plan.cells.get(&CellKey::new("campaign_calls|cmp", Bucket::parse_key("h2025-01-15T10").expect("key")));
        let hour = hour.expect("hour item");
        assert_eq!(hour["count"], 3);
        assert_eq!(hour["sum.duration_s"], 60_000);
        assert_eq!(hour["min.duration_s"], 10_000);
        assert_eq!(hour["max.duration_s"], 30_000);
    }

    #[test]
    fn a_state_change_moves_one_unit_and_an_older_one_only_moves_the_first_seen_instant() {
        let rules = Rules::standard();
        let (first, after) =
            rules.plan(&[contact("e1", "2025-01-15T10:00:00Z", "pending")], &EntitySnapshot::default(), &TimeZone::UTC);
        assert_eq!(gauge(&first), vec![("state.pending".into(), 1)]);
        assert_eq!(first.entities[0].expected, None);

        let (second, after) = rules.plan(&[contact("e2", "2025-01-15T11:00:00Z", "completed")], &after, &TimeZone::UTC);
        assert_eq!(gauge(&second), vec![("state.completed".into(), 1), ("state.pending".into(), -1)]);
        assert_eq!(second.entities[0].expected, first.entities[0].record.token().into());

        let (late, after) = rules.plan(&[contact("e0", "2025-01-15T09:00:00Z", "refused")], &after, &TimeZone::UTC);
        assert!(gauge(&late).is_empty());
        assert_eq!(late.events.len(), 1, "the late event is still stored");
        let record = &late.entities[0].record;
        assert_eq!((record.state.as_deref(), record.version.event_id.as_str()), (Some("completed"), "e2"));
        assert_eq!(record.first_seen, "2025-01-15T09:00:00Z".parse::<Timestamp>().expect("ts"));

        let (later_still, _) = rules.plan(&[contact("e-1", "2025-01-15T09:30:00Z", "pending")], &after, &TimeZone::UTC);
        assert!(later_still.entities.is_empty(), "neither newer nor older than what is known");
    }

    fn customer(id: &str, at: &str, owner: &str, temperature: &str) -> ValidEvent {
        event(
            id,
            at,
            "customer.upserted",
            json!({"customer_id": "k1", "owner_user_id": owner, "temperature": temperature}),
        )
    }

    #[test]
    fn an_entity_that_changes_owner_moves_its_gauge_unit_and_a_late_first_event_moves_its_day() {
        let rules = Rules::standard();
        let (first, after) = rules.plan(
            &[customer("e1", "2025-01-15T10:00:00Z", "u1", "hot")],
            &EntitySnapshot::default(),
            &TimeZone::UTC,
        );
        let owned = |plan: &CommitPlan, owner: &str| {
            plan.cells
                .get(&CellKey::new(format!("customers_now|{owner}"), Bucket::Current))
                .and_then(|c| c.get("temperature.hot"))
                .copied()
        };
        assert_eq!(owned(&first, "u1"), Some(1));
        let added = |plan: &CommitPlan, day: &str| {
            plan.cells
                .get(&CellKey::new("workspace_activity", Bucket::parse_key(day).expect("day")))
                .and_then(|c| c.get("customers_added.all"))
                .copied()
        };
        assert_eq!(added(&first, "d2025-01-15"), Some(1));

        let (moved, after) = rules.plan(&[customer("e2", "2025-01-16T10:00:00Z", "u2", "hot")], &after, &TimeZone::UTC);
        assert_eq!((owned(&moved, "u1"), owned(&moved, "u2")), (Some(-1), Some(1)));
        assert_eq!(added(&moved, "d2025-01-15"), None, "still first seen on the 15th");

        let (late, _) = rules.plan(&[customer("e0", "2025-01-10T10:00:00Z", "u9", "cold")], &after, &TimeZone::UTC);
        assert_eq!((added(&late, "d2025-01-15"), added(&late, "d2025-01-10")), (Some(-1), Some(1)));
        assert_eq!(owned(&late, "u2"), None, "an older event does not change what the customer is");
    }

    #[test]
    fn list_entries_follow_their_entity_and_facts_add_one_entry_each() {
        let rules = Rules::standard();
        let callback = |id: &str, at: &str, status: &str, due: &str| {
            event(
                id,
                at,
                "callback.upserted",
                json!({"callback_id": "cb1", "owner_user_id": "u1", "scheduled_at": due, "status": status}),
            )
        };
        let open = |plan: &CommitPlan| -> Vec<(String, IndexChange)> {
            plan.index
                .iter()
                .filter(|(key, _)| key.index == "callbacks_open_of_owner|u1")
                .map(|(key, change)| (key.sort.clone(), change.clone()))
                .collect()
        };
        let (first, after) = rules.plan(
            &[callback("e1", "2025-01-15T10:00:00Z", "scheduled", "2025-01-16T09:00:00Z")],
            &EntitySnapshot::default(),
            &TimeZone::UTC,
        );
        assert!(
            matches!(&open(&first)[..], [(sort, IndexChange::Set { .. })] if sort == "2025-01-16T09:00:00.000000Z")
        );
        let (rescheduled, after) = rules.plan(
            &[callback("e2", "2025-01-15T11:00:00Z", "scheduled", "2025-01-17T09:00:00Z")],
            &after,
            &TimeZone::UTC,
        );
        let changes = open(&rescheduled);
        assert_eq!(changes.len(), 2);
        assert!(matches!(&changes[0], (sort, IndexChange::Remove) if sort.starts_with("2025-01-16")));
        let (done, _) = rules.plan(
            &[callback("e3", "2025-01-15T12:00:00Z", "completed", "2025-01-17T09:00:00Z")],
            &after,
            &TimeZone::UTC,
        );
        assert!(matches!(&open(&done)[..], [(_, IndexChange::Remove)]));

        let calls: Vec<ValidEvent> = (0..2)
            .map(|i| {
                event(&format!("c{i}"), "2025-01-15T10:00:00Z", "call.completed",
                    json!({"call_id": format!("call{i}"), "user_id": "u1", "call_type": "inbound", "outcome": "converted", "duration_s": 30}))
            })
            .collect();
        let (plan, _) = rules.plan(&calls, &EntitySnapshot::default(), &TimeZone::UTC);
        let listed = plan.index.keys().filter(|key| key.index == "calls_of_user|u1").count();
        assert_eq!(listed, 2);
    }

    #[test]
    fn a_tally_counts_members_of_an_open_set_once_per_event() {
        let deliveries: Vec<ValidEvent> = ["Banner A", "Banner A", "Video | B"]
            .iter()
            .enumerate()
            .map(|(i, creative)| {
                event(&format!("d{i}"), "2025-01-15T10:00:00Z", "ad.delivery",
                    json!({"campaign_id": "c1", "creative": creative, "impressions": 10, "clicks": 1, "spend": 1.5, "conversions": 0, "revenue": 0}))
            })
            .collect();
        let (plan, _) = Rules::standard().plan(&deliveries, &EntitySnapshot::default(), &TimeZone::UTC);
        let counts: Vec<(String, i64)> = plan
            .index
            .iter()
            .filter_map(|(key, change)| match change {
                IndexChange::Count { delta, .. } if key.index == "campaign_creatives|c1" => {
                    Some((key.sort.clone(), *delta))
                }
                _ => None,
            })
            .collect();
        assert_eq!(counts, vec![("Banner%20A".to_owned(), 2), ("Video%20%7C%20B".to_owned(), 1)]);
        assert!(plan.cells.get(&CellKey::new("campaign_creative|c1|Banner%20A", Bucket::Total)).is_some());
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
