//! Exactly once on the embedded store: see `tests::exactly_once` for the property.

use std::sync::Arc;

use domain::WorkspaceId;
use domain::events::ValidEvent;
use domain::fold::fold_due_months;
use domain::ingest::apply_events;
use domain::ports::RollupStore;
use domain::rollup::Rules;
use embedded::{Db, SqliteStore};
use jiff::tz::TimeZone;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use tests::builders;
use tests::exactly_once::{Spec, ZONE, deliver, delivery, event_json, fold_everything, valid};
use tests::reference::{expected_cells, normalised};

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_delivery_of_a_stream_gives_the_rollups_of_its_distinct_events(plan in delivery(50)) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let store: Arc<dyn RollupStore> = Arc::new(SqliteStore::new(Db::in_memory().expect("db")));
        let observed = runtime.block_on(deliver(store, plan));
        prop_assert_eq!(&observed.cells, &observed.expected_cells);
        prop_assert_eq!(&observed.index, &observed.expected_index);
        prop_assert_eq!(&observed.entities, &observed.expected_entities);
        prop_assert_eq!(&observed.stored_hashes, &observed.expected_hashes);
        prop_assert!(observed.conflict_outcomes.iter().all(|o| *o == domain::ingest::Outcome::Conflict));
    }
}

/// Producers racing with the same events, and the rollups schedule running alongside, still
/// give exactly the recomputed rollups.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_producers_and_folds_give_the_rollups_of_the_distinct_events() {
    let ws = WorkspaceId::parse("ws-race").expect("id");
    let store: Arc<dyn RollupStore> = Arc::new(SqliteStore::new(Db::in_memory().expect("db")));
    let rules = Rules::standard();
    apply_events(store.as_ref(), &rules, &ws, &[valid(builders::workspace("settings", "2025-01-01T00:00:00Z", ZONE))])
        .await
        .expect("settings");
    let events: Vec<ValidEvent> = (0..300)
        .map(|i| {
            let spec = match i % 3 {
                0 => {
                    Spec::Call { campaign: (i % 2) as u8, outcome: (i % 6) as u8, duration_ds: (i * 37 % 5000) as u16 }
                }
                1 => Spec::Contact { campaign: (i % 2) as u8, contact: (i % 7) as u8, state: (i % 6) as u8 },
                _ => Spec::Call { campaign: 1, outcome: 0, duration_ds: 1 },
            };
            valid(event_json(i, &spec, (i as u32 * 7919) % (35 * 24 * 60), false))
        })
        .collect();
    let producers: Vec<_> = (0..4)
        .map(|producer| {
            let (store, ws, mut events) = (store.clone(), ws.clone(), events.clone());
            events.rotate_left(producer * 75);
            tokio::spawn(async move {
                for batch in events.chunks(40) {
                    apply_events(store.as_ref(), &Rules::standard(), &ws, batch).await.expect("apply");
                }
            })
        })
        .collect();
    let folder = {
        let store = store.clone();
        tokio::spawn(async move {
            for _ in 0..50 {
                fold_due_months(store.as_ref(), 10).await.expect("fold");
                tokio::task::yield_now().await;
            }
        })
    };
    for producer in producers {
        producer.await.expect("producer");
    }
    folder.await.expect("folder");
    fold_everything(store.as_ref()).await;
    let tz = TimeZone::get(ZONE).expect("zone");
    assert_eq!(normalised(store.scan_cells(&ws).await.expect("scan")), normalised(expected_cells(&events, &tz)));
}

/// Four producers redelivering the same 16,000 events in different orders, on a WAL file as in
/// the local runtime, all get their batches acknowledged (no contention error) and the rollups
/// are exactly those of the distinct events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_producers_redelivering_the_same_events_all_succeed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn RollupStore> = Arc::new(SqliteStore::new(Db::open(&dir.path().join("race.db")).expect("db")));
    let ws = WorkspaceId::parse("ws-race").expect("id");
    apply_events(
        store.as_ref(),
        &Rules::standard(),
        &ws,
        &[valid(builders::workspace("settings", "2025-01-01T00:00:00Z", ZONE))],
    )
    .await
    .expect("settings");
    // Contacts moving through several states (entity contention) and their calls.
    let events: Vec<ValidEvent> = (0..16_000)
        .map(|i| {
            let spec = if i % 2 == 0 {
                Spec::Contact { campaign: (i % 3 % 2) as u8, contact: (i / 2 % 200) as u8, state: (i / 400 % 6) as u8 }
            } else {
                Spec::Call { campaign: (i % 2) as u8, outcome: (i % 6) as u8, duration_ds: (i % 5000) as u16 }
            };
            valid(event_json(i, &spec, (i as u32 * 7919) % (10 * 24 * 60), false))
        })
        .collect();
    let producers: Vec<_> = (0..4)
        .map(|producer| {
            let (store, ws, mut events) = (store.clone(), ws.clone(), events.clone());
            events.shuffle(&mut StdRng::seed_from_u64(producer));
            tokio::spawn(async move {
                for batch in events.chunks(100) {
                    apply_events(store.as_ref(), &Rules::standard(), &ws, batch).await?;
                }
                Ok::<_, domain::ports::StoreError>(())
            })
        })
        .collect();
    for producer in producers {
        producer.await.expect("producer task").expect("every batch acknowledged");
    }
    fold_everything(store.as_ref()).await;
    let tz = TimeZone::get(ZONE).expect("zone");
    assert_eq!(normalised(store.scan_cells(&ws).await.expect("scan")), normalised(expected_cells(&events, &tz)));
}
