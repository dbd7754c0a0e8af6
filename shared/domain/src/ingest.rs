//! Exactly-once application of a batch of events, over any [`RollupStore`].
//!
//! The store commits event markers, merged deltas and version-checked entity writes atomically;
//! this algorithm reads what it must (stored markers, entity versions), plans with pure code,
//! commits in chunks the store accepts, and re-plans when a commit reports that another writer
//! got there first. It lives here, not in adapters, so every store runs the same logic.

use std::collections::{BTreeSet, HashMap, VecDeque};

use crate::WorkspaceId;
use crate::events::ValidEvent;
use crate::ports::{CommitError, RollupStore, StoreError};
use crate::rollup::{CommitPlan, EntityKey, EntitySnapshot, Rules};

/// What happened to one event of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Stored and applied now.
    Accepted,
    /// Its id was already stored with the same content: acknowledged, not applied again.
    Duplicate,
    /// Its id was already stored with different content: acknowledged, not applied.
    Conflict,
}

/// How many commits of a chunk in a row may lose a race without any of its events turning out
/// stored meanwhile before the batch gives up ([`StoreError::Contention`], which the API answers
/// with 503 and Retry-After). Losing to a producer that stored some of the same events is
/// progress, not a lost race.
const MAX_FRUITLESS_ATTEMPTS: usize = 10;

/// Pauses before a chunk is planned again: a random time up to 2^attempt ms (capped at 128),
/// so that producers racing for the same entities stop colliding in lockstep.
async fn back_off(attempt: usize) {
    let ceiling = 1u64 << attempt.min(7);
    tokio::time::sleep(std::time::Duration::from_micros(fastrand::u64(0..=ceiling * 1000))).await;
}

/// Applies `events` (already validated) to `ws`, each exactly once. Returns one outcome per
/// event, in order. On error, some chunks may have committed: retrying the same batch is safe
/// and reports those events as duplicates.
pub async fn apply_events(
    store: &dyn RollupStore,
    rules: &Rules,
    ws: &WorkspaceId,
    events: &[ValidEvent],
) -> Result<Vec<Outcome>, StoreError> {
    let limit = store.max_items_per_commit();
    if limit < rules.most_items_per_event() {
        return Err(StoreError::Corrupt(format!(
            "the store commits at most {limit} items, and one event may need {}",
            rules.most_items_per_event()
        )));
    }
    let mut outcomes: Vec<Option<Outcome>> = vec![None; events.len()];

    // Repeats inside the batch: the first occurrence stands for the id.
    let mut first_index: HashMap<&str, usize> = HashMap::with_capacity(events.len());
    let mut pending = Vec::with_capacity(events.len());
    for (index, event) in events.iter().enumerate() {
        match first_index.get(event.id.as_str()) {
            Some(&first) => outcomes[index] = Some(compare(&events[first].hash, &event.hash)),
            None => {
                first_index.insert(&event.id, index);
                pending.push(index);
            }
        }
    }

    // Ids stored by an earlier delivery.
    let mut exact_duplicates = Vec::new();
    let ids: Vec<String> = pending.iter().map(|&i| events[i].id.clone()).collect();
    let stored = store.find_events(ws, &ids).await?;
    pending.retain(|&index| match stored.get(&events[index].id) {
        Some(hash) => {
            let outcome = compare(hash, &events[index].hash);
            if outcome == Outcome::Duplicate {
                exact_duplicates.push(index);
            }
            outcomes[index] = Some(outcome);
            false
        }
        None => true,
    });

    let mut keys: BTreeSet<EntityKey> = pending.iter().flat_map(|&i| rules.keys_to_load(&events[i])).collect();
    keys.insert(EntityKey::workspace());
    let keys: Vec<EntityKey> = keys.into_iter().collect();
    let mut snapshot = EntitySnapshot::from_records(store.load_entities(ws, &keys).await?);
    let tz = snapshot.workspace_time_zone();
    // Sightings are bucketed in the zone, so their markers are read once it is known.
    let markers: BTreeSet<EntityKey> = pending.iter().flat_map(|&i| rules.marker_keys(&events[i], &tz)).collect();
    if !markers.is_empty() {
        let markers: Vec<EntityKey> = markers.into_iter().collect();
        for (key, record) in store.load_entities(ws, &markers).await? {
            snapshot.set(key, record);
        }
    }

    let mut chunks: VecDeque<Vec<usize>> = chunk(rules, events, pending, &snapshot, &tz, limit).into();
    while let Some(mut chunk) = chunks.pop_front() {
        let mut fruitless = 0;
        while !chunk.is_empty() {
            let (plan, after) = rules.plan(chunk.iter().map(|&i| &events[i]), &snapshot, &tz);
            if plan.item_count() > limit && chunk.len() > 1 {
                // Entity state moved since chunking; halve and go again.
                let back = chunk.split_off(chunk.len() / 2);
                chunks.push_front(back);
                continue;
            }
            let stored_before = chunk.len();
            match store.commit(ws, &plan).await {
                Ok(()) => {
                    snapshot = after;
                    for &index in &chunk {
                        outcomes[index] = Some(Outcome::Accepted);
                    }
                    break;
                }
                Err(CommitError::Duplicates(ids)) => {
                    // Another delivery of these ids committed since we looked.
                    drop_stored(store, ws, events, &ids, &mut chunk, &mut outcomes).await?;
                }
                Err(CommitError::StaleEntities(keys)) => {
                    let fresh = store.load_entities(ws, &keys).await?;
                    for key in keys {
                        match fresh.get(&key) {
                            Some(record) => snapshot.set(key, record.clone()),
                            None => snapshot.forget(&key),
                        }
                    }
                    // Most often the writer that moved them was another delivery of these very
                    // events: drop what it stored rather than plan it again.
                    let ids: Vec<String> = chunk.iter().map(|&i| events[i].id.clone()).collect();
                    drop_stored(store, ws, events, &ids, &mut chunk, &mut outcomes).await?;
                }
                Err(CommitError::Store(error)) => return Err(error),
            }
            if chunk.len() < stored_before {
                fruitless = 0;
            } else {
                fruitless += 1;
                if fruitless >= MAX_FRUITLESS_ATTEMPTS {
                    return Err(StoreError::Contention(fruitless));
                }
                back_off(fruitless).await;
            }
        }
    }

    // A store may apply min/max after its atomic part; if a crash fell in between, the
    // producer's retry arrives here as duplicates, and re-applying their extremes heals it.
    // Each day cell may bring its month's due mark along: half the limit leaves room for them.
    let extrema = rules.extrema(exact_duplicates.iter().map(|&i| &events[i]), &tz);
    for cells in extrema.split((limit / 2).max(1)) {
        store.commit(ws, &CommitPlan { cells, ..CommitPlan::default() }).await.map_err(|error| match error {
            CommitError::Store(error) => error,
            other => StoreError::Corrupt(format!("a cells-only commit conflicted: {other}")),
        })?;
    }

    outcomes
        .into_iter()
        .collect::<Option<Vec<Outcome>>>()
        .ok_or_else(|| StoreError::Corrupt("an event of the batch was left without an outcome".into()))
}

/// Removes from `chunk` the events among `ids` that are stored now, recording their outcomes.
async fn drop_stored(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    events: &[ValidEvent],
    ids: &[String],
    chunk: &mut Vec<usize>,
    outcomes: &mut [Option<Outcome>],
) -> Result<(), StoreError> {
    let stored = store.find_events(ws, ids).await?;
    chunk.retain(|&index| match stored.get(&events[index].id) {
        Some(hash) => {
            outcomes[index] = Some(compare(hash, &events[index].hash));
            false
        }
        None => true,
    });
    Ok(())
}

fn compare(stored_hash: &str, hash: &str) -> Outcome {
    if stored_hash == hash { Outcome::Duplicate } else { Outcome::Conflict }
}

/// Groups events so that each group's plan stays within `limit` items, counting each item once
/// however many events of the group touch it.
fn chunk(
    rules: &Rules,
    events: &[ValidEvent],
    pending: Vec<usize>,
    snapshot: &EntitySnapshot,
    tz: &jiff::tz::TimeZone,
    limit: usize,
) -> Vec<Vec<usize>> {
    if pending.is_empty() {
        return Vec::new();
    }
    if limit == usize::MAX {
        return vec![pending];
    }
    let (whole, _) = rules.plan(pending.iter().map(|&i| &events[i]), snapshot, tz);
    if whole.item_count() <= limit {
        return vec![pending];
    }
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut items: BTreeSet<String> = BTreeSet::new();
    for index in pending {
        let (alone, _) = rules.plan([&events[index]], snapshot, tz);
        let event_items: Vec<String> = alone
            .cells
            .keys()
            .map(|key| format!("c{}#{}", key.series, key.bucket))
            .chain(alone.entities.iter().map(|write| format!("e{}", write.key.as_str())))
            .chain(alone.months_due().into_iter().map(|(series, month)| format!("m{series}#{month}")))
            .chain(alone.index.keys().map(|key| format!("i{}#{}#{}", key.index, key.sort, key.id)))
            .collect();
        let new_items = 1 + event_items.iter().filter(|item| !items.contains(*item)).count();
        if !current.is_empty() && items.len() + current.len() + new_items > limit {
            chunks.push(std::mem::take(&mut current));
            items.clear();
        }
        current.push(index);
        items.extend(event_items);
    }
    chunks.push(current);
    chunks
}
