//! What the rollups must be, recomputed the simplest way from the distinct events: every fact
//! added once per bucket, each entity at its newest version, each gauge counting those. It shares
//! only the series and entity definitions with the engine, none of its batching, merging,
//! markers or retries, which is what the exactly-once tests put to the proof.

use std::collections::{BTreeMap, HashMap};

use domain::events::ValidEvent;
use domain::rollup::entities::{ENTITIES, EntityDef};
use domain::rollup::series::{SERIES, field, kept_at, series_key};
use domain::rollup::{CellKey, Cells, EntityKey, EntityRecord, Op};
use domain::time::{Bucket, Grain};
use jiff::tz::TimeZone;

pub type CellMap = BTreeMap<CellKey, Cells>;

fn add(cells: &mut CellMap, key: CellKey, name: &str, value: i128) {
    let item = cells.entry(key).or_default();
    let merged = item.get(name).map_or(value, |current| Op::of(name).merge(*current, value));
    item.insert(name.to_owned(), merged);
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
                    add(&mut cells, CellKey::new(key.clone(), Bucket::of(*grain, event.occurred_at, tz)), &name, value);
                    if *grain == Grain::Day {
                        add(
                            &mut cells,
                            CellKey::new(key.clone(), Bucket::of(Grain::Month, event.occurred_at, tz)),
                            &name,
                            value,
                        );
                    }
                }
            }
        }
    }
    for (def, record) in newest_versions(events).into_values() {
        let Some(gauge) = &def.gauge else { continue };
        let Some(state) = &record.state else { continue };
        let group: Option<Vec<&str>> = gauge.group_by.iter().map(|f| record.str(f)).collect();
        let Some(group) = group else { continue };
        let gauge_key = CellKey::new(series_key(gauge.series, &group), Bucket::Current);
        add(&mut cells, gauge_key, &field::state(state), 1);
    }
    // The gauge's watermark: the newest event of any entity it counts.
    for event in events {
        let Some(def) = ENTITIES.iter().find(|def| def.source == event.type_name()) else {
            continue;
        };
        let Some(gauge) = &def.gauge else { continue };
        let group: Option<Vec<&str>> = gauge.group_by.iter().map(|f| event.str(f)).collect();
        if let Some(group) = group {
            add(
                &mut cells,
                CellKey::new(series_key(gauge.series, &group), Bucket::Current),
                field::LATEST,
                event.occurred_at.as_millisecond().into(),
            );
        }
    }
    cells
}

/// Each entity at the version of its newest event.
pub fn expected_entities(events: &[ValidEvent]) -> HashMap<EntityKey, EntityRecord> {
    newest_versions(events).into_iter().map(|(key, (_, record))| (key, record)).collect()
}

fn newest_versions(events: &[ValidEvent]) -> HashMap<EntityKey, (&'static EntityDef, EntityRecord)> {
    let mut entities: HashMap<EntityKey, (&'static EntityDef, EntityRecord)> = HashMap::new();
    for event in events {
        let Some(def) = ENTITIES.iter().find(|def| def.source == event.type_name()) else {
            continue;
        };
        let Some(key) = def.key_of(event) else {
            continue;
        };
        let record = def.record_of(event);
        if entities.get(&key).is_none_or(|(_, current)| current.version < record.version) {
            entities.insert(key, (def, record));
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
