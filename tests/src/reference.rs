//! What the rollups must be, recomputed the simplest way from the distinct events: every fact
//! added once per bucket, each entity at its newest version (first seen at its oldest event),
//! each gauge, list and tally holding exactly those records. It shares only the definitions
//! (series, entities, gauges, indexes) with the engine, none of its batching, merging, markers,
//! diffs or retries, which is what the exactly-once tests put to the proof.

use std::collections::{BTreeMap, HashMap};

use domain::events::ValidEvent;
use domain::rollup::activity::{self, UserDays};
use domain::rollup::entities::{ENTITIES, EntityDef};
use domain::rollup::indexes::{LISTS, TALLIES};
use domain::rollup::series::{SERIES, field, kept_at};
use domain::rollup::sightings::{self, DISTINCTS};
use domain::rollup::{CellKey, Cells, EntityKey, EntityRecord, IndexEntry, Op};
use domain::time::Bucket;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

pub type CellMap = BTreeMap<CellKey, Cells>;
/// Index entries by (index, sort key, id): their data and count.
pub type IndexMap = BTreeMap<(String, String, String), (Map<String, Value>, i64)>;

fn add(cells: &mut CellMap, key: CellKey, name: &str, value: i128) {
    let item = cells.entry(key).or_default();
    let merged = item.get(name).map_or(value, |current| Op::of(name).merge(*current, value));
    item.insert(name.to_owned(), merged);
}

/// Adds to a day's cell and to its month's, as the fold will have.
fn add_with_month(cells: &mut CellMap, key: CellKey, name: &str, value: i128) {
    if let Bucket::Day(date) = key.bucket {
        add(cells, CellKey::new(key.series.clone(), Bucket::month_of(date)), name, value);
    }
    add(cells, key, name, value);
}

/// Cells after every event was applied once and every month folded.
pub fn expected_cells(events: &[ValidEvent], tz: &TimeZone) -> CellMap {
    let mut cells = CellMap::new();
    for event in events {
        for series in SERIES.iter().filter(|series| series.source == event.type_name()) {
            let Some(key) = series.key_of(event) else {
                continue;
            };
            for (name, value) in series.contributions(event) {
                for grain in series.grains.iter().filter(|grain| kept_at(&name, **grain)) {
                    let cell = CellKey::new(key.clone(), Bucket::of(*grain, event.occurred_at, tz));
                    add_with_month(&mut cells, cell, &name, value);
                }
            }
        }
    }
    for (def, record) in newest_versions(events).into_values() {
        for unit in def.gauges.iter().filter_map(|gauge| gauge.unit(&record, tz)) {
            for (name, value) in &unit.fields {
                add_with_month(&mut cells, unit.cell.clone(), name, *value);
            }
        }
    }
    // A present gauge's watermark: the newest event of its entity type naming that group.
    for event in events {
        let Some(def) = entity_def(event) else { continue };
        for cell in def.gauges.iter().filter_map(|gauge| gauge.watermark_cell(event)) {
            add(&mut cells, cell, field::LATEST, event.occurred_at.as_millisecond().into());
        }
    }
    // Distinct counts: the number of distinct subjects sighted in each cell.
    let mut sighted: BTreeMap<CellKey, std::collections::BTreeSet<EntityKey>> = BTreeMap::new();
    for event in events {
        for sighting in DISTINCTS.iter().flat_map(|def| def.sightings(event, tz)) {
            sighted.entry(sighting.cell).or_default().insert(sighting.marker);
        }
    }
    for (cell, subjects) in sighted {
        add_with_month(&mut cells, cell, sightings::COUNT, subjects.len() as i128);
    }
    for days in user_days(events, tz).values() {
        for (cell, name) in activity::counted(days) {
            add_with_month(&mut cells, cell, &name, 1);
        }
    }
    cells
}

/// Each user's activity as the definition states it: the local days of their activity events,
/// of their executions, the earliest signup of their upserts, and the window of days kept.
fn user_days(events: &[ValidEvent], tz: &TimeZone) -> BTreeMap<EntityKey, UserDays> {
    let mut users: BTreeMap<EntityKey, UserDays> = BTreeMap::new();
    let local = |at: jiff::Timestamp| at.to_zoned(tz.clone()).date();
    for event in events {
        let Some(key) = activity::key_of(event) else { continue };
        let days = users.entry(key).or_default();
        if event.type_name() == activity::SIGNUP_SOURCE {
            let at = event.str("signed_up_at").and_then(domain::events::parse_timestamp).unwrap_or(event.occurred_at);
            days.signup = Some(days.signup.map_or(local(at), |known| known.min(local(at))));
        } else {
            days.days.insert(local(event.occurred_at));
            if event.type_name() == "agent.execution" {
                days.execution_days.insert(local(event.occurred_at));
            }
        }
    }
    for days in users.values_mut() {
        days.trim();
    }
    users
}

/// Every list entry and tally count the events make: one per record of an entity (its newest),
/// one per event of a fact.
pub fn expected_index(events: &[ValidEvent]) -> IndexMap {
    let mut index = IndexMap::new();
    let list = |source: &str, id: &str, record: &EntityRecord, index: &mut IndexMap| {
        for def in LISTS.iter().filter(|def| def.source == source) {
            if let Some((key, data)) = def.entry(id, record) {
                index.insert((key.index, key.sort, key.id), (data, 0));
            }
        }
        for def in TALLIES.iter().filter(|def| def.source == source) {
            if let Some((key, data)) = def.member(record) {
                let entry = index.entry((key.index, key.sort, key.id)).or_insert((Map::new(), 0));
                *entry = (data, entry.1 + 1);
            }
        }
    };
    for (key, (def, record)) in newest_versions(events) {
        list(def.source, key.ids(), &record, &mut index);
    }
    for event in events.iter().filter(|event| entity_def(event).is_none()) {
        list(event.type_name(), &event.id, &EntityRecord::of_event(event), &mut index);
    }
    index
}

/// Each entity at the version of its newest event, first seen at its oldest; each sighting's
/// marker; each user's activity record.
pub fn expected_entities(events: &[ValidEvent], tz: &TimeZone) -> HashMap<EntityKey, EntityRecord> {
    let mut entities: HashMap<EntityKey, EntityRecord> =
        newest_versions(events).into_iter().map(|(key, (_, record))| (key, record)).collect();
    for event in events {
        for sighting in DISTINCTS.iter().flat_map(|def| def.sightings(event, tz)) {
            entities.insert(sighting.marker, sightings::marker());
        }
    }
    for (key, days) in user_days(events, tz) {
        entities.insert(key, activity::record(&days));
    }
    entities
}

fn entity_def(event: &ValidEvent) -> Option<&'static EntityDef> {
    ENTITIES.iter().find(|def| def.source == event.type_name())
}

fn newest_versions(events: &[ValidEvent]) -> HashMap<EntityKey, (&'static EntityDef, EntityRecord)> {
    let mut entities: HashMap<EntityKey, (&'static EntityDef, EntityRecord)> = HashMap::new();
    for event in events {
        let Some(def) = entity_def(event) else { continue };
        let Some(key) = def.key_of(event) else {
            continue;
        };
        let record = def.record_of(event);
        match entities.get_mut(&key) {
            Some((_, current)) => {
                let first_seen = current.first_seen.min(record.first_seen);
                if current.version < record.version {
                    *current = record;
                }
                current.first_seen = first_seen;
            }
            None => {
                entities.insert(key, (def, record));
            }
        }
    }
    entities
}

/// Drops additive fields equal to zero and items left empty: a gauge that moved away from a
/// state keeps a stored 0 that the recomputation never wrote.
pub fn normalised(cells: impl IntoIterator<Item = (CellKey, Cells)>) -> CellMap {
    cells
        .into_iter()
        .map(|(key, mut item)| {
            item.retain(|name, value| *value != 0 || Op::of(name) != Op::Add);
            (key, item)
        })
        .filter(|(_, item)| !item.is_empty())
        .collect()
}

/// Stored entries as [`IndexMap`], without tally members whose count came back to zero (a
/// store keeps them; the recomputation never made them).
pub fn normalised_index(entries: impl IntoIterator<Item = (String, IndexEntry)>) -> IndexMap {
    let is_tally = |index: &str| TALLIES.iter().any(|tally| index.split('|').next() == Some(tally.name));
    entries
        .into_iter()
        .filter(|(index, entry)| !(is_tally(index) && entry.count == 0))
        .map(|(index, entry)| ((index, entry.sort, entry.id), (entry.data, entry.count)))
        .collect()
}
