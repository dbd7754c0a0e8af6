//! The [`RollupStore`] contract: each check follows a point of the trait's doc comment.

use std::sync::Arc;

use domain::WorkspaceId;
use domain::ports::{CommitError, RollupStore, StoreError};
use domain::rollup::{
    CellKey, CellUpdates, Cells, CommitPlan, Direction, EntityKey, EntityRecord, EntityWrite, EntryKey, EventRecord,
    IndexChange, IndexUpdates, SortRange, Version,
};
use domain::time::Bucket;
use jiff::Timestamp;
use jiff::civil::{Date, date};
use serde_json::{Map, json};

pub fn ws(id: &str) -> WorkspaceId {
    WorkspaceId::parse(id).expect("valid workspace id")
}

fn at(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn event(id: &str, hash: &str) -> EventRecord {
    EventRecord {
        id: id.to_owned(),
        event_type: "call.completed",
        occurred_at: at("2025-03-10T10:00:00Z"),
        hash: hash.to_owned(),
        body: json!({"id": id}).to_string(),
    }
}

fn day(d: Date) -> Bucket {
    Bucket::Day(d)
}

fn hour(text: &str) -> Bucket {
    Bucket::hour_starting(at(text))
}

fn cells(updates: &[(&str, Bucket, &str, i128)]) -> CellUpdates {
    let mut cells = CellUpdates::default();
    for (series, bucket, field, value) in updates {
        cells.add(&CellKey::new(*series, *bucket), field, *value);
    }
    cells
}

fn version(event_id: &str, at_text: &str) -> Version {
    Version { at: at(at_text), event_id: event_id.to_owned() }
}

fn entity_write(key: &EntityKey, expected: Option<Version>, new: Version, state: &str) -> EntityWrite {
    let mut data = Map::new();
    data.insert("state".into(), json!(state));
    EntityWrite {
        key: key.clone(),
        expected: expected.map(|version| version.token()),
        record: EntityRecord { first_seen: new.at, version: new, state: Some(state.to_owned()), data },
    }
}

async fn cell(store: &dyn RollupStore, ws: &WorkspaceId, series: &str, bucket: Bucket) -> Cells {
    let key = CellKey::new(series, bucket);
    store.read_cells(ws, std::slice::from_ref(&key)).await.expect("read").remove(&key).unwrap_or_default()
}

pub async fn a_commit_stores_events_cells_and_entities_together(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let contact = EntityKey::new("contact", &["c1", "p1"]);
    let plan = CommitPlan {
        events: vec![event("e1", "h1"), event("e2", "h2")],
        cells: cells(&[("calls|c1", Bucket::Total, "count", 2), ("calls|c1", Bucket::Total, "max.duration_s", 30)]),
        entities: vec![entity_write(&contact, None, version("e1", "2025-03-10T10:00:00Z"), "pending")],
        ..CommitPlan::default()
    };
    store.commit(&w, &plan).await.expect("commit");

    let found = store.find_events(&w, &["e1".into(), "e2".into(), "e3".into()]).await.expect("find");
    assert_eq!(found.len(), 2);
    assert_eq!(found["e1"], "h1");
    let total = cell(store.as_ref(), &w, "calls|c1", Bucket::Total).await;
    assert_eq!(total, Cells::from([("count".into(), 2), ("max.duration_s".into(), 30)]));
    let entities =
        store.load_entities(&w, &[contact.clone(), EntityKey::new("contact", &["c1", "p2"])]).await.expect("load");
    assert_eq!(entities.len(), 1);
    assert_eq!(entities[&contact].state.as_deref(), Some("pending"));
    assert_eq!(entities[&contact].version, version("e1", "2025-03-10T10:00:00Z"));
    assert_eq!(entities[&contact].data["state"], json!("pending"));
}

pub async fn additive_fields_add_and_extremes_merge_across_commits(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    for (i, (count, duration)) in [(1, 40), (2, 10), (3, 25)].into_iter().enumerate() {
        let plan = CommitPlan {
            events: vec![event(&format!("e{i}"), "h")],
            cells: cells(&[
                ("calls|c1", Bucket::Total, "count", count),
                ("calls|c1", Bucket::Total, "min.duration_s", duration),
                ("calls|c1", Bucket::Total, "max.duration_s", duration),
            ]),
            entities: vec![],
            ..CommitPlan::default()
        };
        store.commit(&w, &plan).await.expect("commit");
    }
    let total = cell(store.as_ref(), &w, "calls|c1", Bucket::Total).await;
    assert_eq!(total["count"], 6);
    assert_eq!(total["min.duration_s"], 10);
    assert_eq!(total["max.duration_s"], 40);
}

pub async fn a_plan_with_a_stored_event_applies_nothing_and_names_every_duplicate(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let first = CommitPlan {
        events: vec![event("e1", "h1"), event("e2", "h2")],
        cells: cells(&[("s", Bucket::Total, "count", 2)]),
        entities: vec![],
        ..CommitPlan::default()
    };
    store.commit(&w, &first).await.expect("commit");
    let contact = EntityKey::new("contact", &["c1", "p1"]);
    let second = CommitPlan {
        events: vec![event("e1", "h1"), event("e3", "h3"), event("e2", "h2")],
        cells: cells(&[("s", Bucket::Total, "count", 3)]),
        entities: vec![entity_write(&contact, None, version("e3", "2025-03-10T10:00:00Z"), "pending")],
        ..CommitPlan::default()
    };
    match store.commit(&w, &second).await {
        Err(CommitError::Duplicates(mut ids)) => {
            ids.sort();
            assert_eq!(ids, vec!["e1".to_owned(), "e2".to_owned()]);
        }
        other => panic!("expected duplicates, got {other:?}"),
    }
    assert_eq!(cell(store.as_ref(), &w, "s", Bucket::Total).await["count"], 2, "no delta applied");
    assert!(store.find_events(&w, &["e3".into()]).await.expect("find").is_empty(), "the new event was not stored");
    assert!(store.load_entities(&w, &[contact]).await.expect("load").is_empty(), "the entity was not written");
}

pub async fn a_plan_with_a_stale_entity_version_applies_nothing_and_names_it(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let (p1, p2) = (EntityKey::new("contact", &["c1", "p1"]), EntityKey::new("contact", &["c1", "p2"]));
    let v1 = version("e1", "2025-03-10T10:00:00Z");
    store
        .commit(
            &w,
            &CommitPlan {
                events: vec![event("e1", "h")],
                cells: CellUpdates::default(),
                entities: vec![entity_write(&p1, None, v1.clone(), "pending")],
                ..CommitPlan::default()
            },
        )
        .await
        .expect("commit");
    // Expecting absence where the entity exists, and a version it never had.
    let stale = CommitPlan {
        events: vec![event("e2", "h")],
        cells: cells(&[("s", Bucket::Total, "count", 1)]),
        entities: vec![
            entity_write(&p1, None, version("e2", "2025-03-10T11:00:00Z"), "completed"),
            entity_write(&p2, Some(v1.clone()), version("e2", "2025-03-10T11:00:00Z"), "completed"),
        ],
        ..CommitPlan::default()
    };
    match store.commit(&w, &stale).await {
        Err(CommitError::StaleEntities(mut keys)) => {
            keys.sort();
            assert_eq!(keys, vec![p1.clone(), p2.clone()]);
        }
        other => panic!("expected stale entities, got {other:?}"),
    }
    assert!(store.find_events(&w, &["e2".into()]).await.expect("find").is_empty());
    assert!(cell(store.as_ref(), &w, "s", Bucket::Total).await.is_empty());
    let loaded = store.load_entities(&w, std::slice::from_ref(&p1)).await.expect("load");
    assert_eq!(loaded[&p1].version, v1);
    // With the right expectation it goes through.
    let fresh = CommitPlan {
        events: vec![event("e2", "h")],
        cells: CellUpdates::default(),
        entities: vec![entity_write(&p1, Some(v1), version("e2", "2025-03-10T11:00:00Z"), "completed")],
        ..CommitPlan::default()
    };
    store.commit(&w, &fresh).await.expect("commit with the current version");
    assert_eq!(
        store.load_entities(&w, std::slice::from_ref(&p1)).await.expect("load")[&p1].state.as_deref(),
        Some("completed")
    );
}

pub async fn workspaces_never_see_each_others_data(store: Arc<dyn RollupStore>) {
    let (a, b) = (ws("ws-a"), ws("ws-b"));
    let contact = EntityKey::new("contact", &["c1", "p1"]);
    let plan = CommitPlan {
        events: vec![event("e1", "h1")],
        cells: cells(&[("s|c1", Bucket::Total, "count", 1), ("s|c1", day(date(2025, 3, 10)), "count", 1)]),
        entities: vec![entity_write(&contact, None, version("e1", "2025-03-10T10:00:00Z"), "pending")],
        ..CommitPlan::default()
    };
    store.commit(&a, &plan).await.expect("commit in a");
    // The same event id and entity in b are new there.
    store.commit(&b, &plan).await.expect("the same id is independent in another workspace");
    store
        .commit(
            &b,
            &CommitPlan {
                events: vec![event("e9", "h")],
                cells: cells(&[("s|c1", Bucket::Total, "count", 5)]),
                entities: vec![],
                ..CommitPlan::default()
            },
        )
        .await
        .expect("commit in b");

    assert_eq!(cell(store.as_ref(), &a, "s|c1", Bucket::Total).await["count"], 1);
    assert_eq!(cell(store.as_ref(), &b, "s|c1", Bucket::Total).await["count"], 6);
    assert!(store.find_events(&a, &["e9".into()]).await.expect("find").is_empty());
    let scanned = store.scan_cells(&a).await.expect("scan");
    assert_eq!(scanned.len(), 2);
    assert!(scanned.iter().all(|(_, cells)| cells["count"] == 1));
    assert!(store.scan_cells(&ws("ws-c")).await.expect("scan").is_empty());
    assert!(store.load_entities(&ws("ws-c"), &[contact]).await.expect("load").is_empty());
}

pub async fn a_range_read_returns_only_that_grain_and_range_in_order(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let plan = CommitPlan {
        events: vec![],
        cells: cells(&[
            ("s|c1", hour("2025-03-10T08:00:00Z"), "count", 1),
            ("s|c1", hour("2025-03-10T09:00:00Z"), "count", 2),
            ("s|c1", hour("2025-03-10T11:00:00Z"), "count", 3),
            ("s|c1", hour("2025-03-10T12:00:00Z"), "count", 4),
            ("s|c1", day(date(2025, 3, 10)), "count", 10),
            ("s|c1", Bucket::Total, "count", 10),
            ("s|c2", hour("2025-03-10T09:00:00Z"), "count", 99),
        ]),
        entities: vec![],
        ..CommitPlan::default()
    };
    store.commit(&w, &plan).await.expect("commit");
    let range =
        store.read_range(&w, "s|c1", hour("2025-03-10T09:00:00Z"), hour("2025-03-10T11:00:00Z")).await.expect("range");
    let counts: Vec<(String, i128)> = range.iter().map(|(bucket, cells)| (bucket.key(), cells["count"])).collect();
    assert_eq!(counts, vec![("h2025-03-10T09".to_owned(), 2), ("h2025-03-10T11".to_owned(), 3)]);
    let days = store.read_range(&w, "s|c1", day(date(2025, 3, 1)), day(date(2025, 3, 31))).await.expect("range");
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].0, day(date(2025, 3, 10)));
}

pub async fn a_long_range_is_read_completely(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let first = date(2024, 2, 1);
    let days: Vec<Date> = domain::time::days_between(first, domain::time::add_days(first, 399));
    for chunk in days.chunks(50) {
        let mut updates = CellUpdates::default();
        for (i, d) in chunk.iter().enumerate() {
            let key = CellKey::new("s|c1", day(*d));
            for field in ["count", "sum.duration_s", "outcome.completed", "outcome.no_answer", "max.at"] {
                updates.add(&key, field, i as i128 + 1);
            }
        }
        store
            .commit(&w, &CommitPlan { events: vec![], cells: updates, entities: vec![], ..CommitPlan::default() })
            .await
            .expect("commit");
    }
    let read = store.read_range(&w, "s|c1", day(days[0]), day(days[399])).await.expect("range");
    assert_eq!(read.len(), 400);
    assert!(read.windows(2).all(|pair| pair[0].0 < pair[1].0), "in order");
    assert!(read.iter().all(|(_, cells)| cells.len() == 5));
}

pub async fn writing_a_day_makes_its_month_due_and_a_fold_needs_the_current_token(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let write_day = |d: Date, count: i128| CommitPlan {
        events: vec![],
        cells: cells(&[("s|c1", day(d), "count", count), ("s|c1", day(d), "max.at", count)]),
        entities: vec![],
        ..CommitPlan::default()
    };
    store.commit(&w, &write_day(date(2025, 3, 10), 2)).await.expect("commit");
    let due = store.due_folds(100).await.expect("due");
    let fold = due.iter().find(|f| f.workspace == w && f.series == "s|c1").expect("the month is due").clone();
    assert_eq!(fold.month, Bucket::Month { year: 2025, month: 3 });

    // A late write after the mark was read: completing with the old token must fail.
    store.commit(&w, &write_day(date(2025, 3, 2), 3)).await.expect("commit");
    let stale = Cells::from([("count".to_owned(), 2)]);
    assert!(!store.complete_fold(&fold, &stale).await.expect("complete"), "a stale token is refused");
    assert!(cell(store.as_ref(), &w, "s|c1", fold.month).await.is_empty(), "nothing stored by a refused fold");

    let fold = store.due_folds(100).await.expect("due").into_iter().find(|f| f.series == "s|c1").expect("still due");
    let month = Cells::from([("count".to_owned(), 5), ("max.at".to_owned(), 3)]);
    assert!(store.complete_fold(&fold, &month).await.expect("complete"));
    assert_eq!(cell(store.as_ref(), &w, "s|c1", fold.month).await, month);
    assert!(store.due_folds(100).await.expect("due").iter().all(|f| f.series != "s|c1"), "no longer due");
    // A second completion with the same token is refused: the mark is gone.
    assert!(!store.complete_fold(&fold, &month).await.expect("complete"));
}

pub async fn an_abandoned_fold_is_no_longer_due_until_a_day_of_it_is_written_again(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let write_day = |count: i128| CommitPlan {
        events: vec![],
        cells: cells(&[("s|c1", day(date(2025, 3, 10)), "count", count)]),
        entities: vec![],
        ..CommitPlan::default()
    };
    store.commit(&w, &write_day(1)).await.expect("commit");
    let due = |store: Arc<dyn RollupStore>| async move {
        store.due_folds(100).await.expect("due").into_iter().find(|f| f.series == "s|c1")
    };
    let fold = due(store.clone()).await.expect("the month is due");
    assert!(store.abandon_fold(&fold).await.expect("abandon"));
    assert!(due(store.clone()).await.is_none(), "no longer due");
    assert!(cell(store.as_ref(), &w, "s|c1", fold.month).await.is_empty(), "no fold was stored");
    assert!(!store.abandon_fold(&fold).await.expect("abandon"), "the mark is gone");

    store.commit(&w, &write_day(1)).await.expect("commit");
    let again = due(store.clone()).await.expect("due again after a new write");
    assert!(!store.abandon_fold(&fold).await.expect("abandon"), "the old token no longer clears it");
    assert!(store.complete_fold(&again, &Cells::from([("count".to_owned(), 2)])).await.expect("complete"));
}

pub async fn a_cells_only_plan_merges_extremes_without_conditions(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let extremes = |low: i128, high: i128| CommitPlan {
        events: vec![],
        cells: cells(&[("s", Bucket::Total, "min.d", low), ("s", Bucket::Total, "max.d", high)]),
        entities: vec![],
        ..CommitPlan::default()
    };
    store.commit(&w, &extremes(5, 50)).await.expect("commit");
    store.commit(&w, &extremes(5, 50)).await.expect("the same extremes again");
    store.commit(&w, &extremes(7, 40)).await.expect("inner extremes");
    assert_eq!(
        cell(store.as_ref(), &w, "s", Bucket::Total).await,
        Cells::from([("min.d".into(), 5), ("max.d".into(), 50)])
    );
}

pub async fn sums_past_64_bits_stay_exact_integers(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let big = i128::from(i64::MAX);
    for value in [big, big, 10i128.pow(30)] {
        let plan = CommitPlan {
            events: vec![],
            cells: cells(&[("s", Bucket::Total, "sum.x", value)]),
            entities: vec![],
            ..CommitPlan::default()
        };
        store.commit(&w, &plan).await.expect("commit");
    }
    assert_eq!(cell(store.as_ref(), &w, "s", Bucket::Total).await["sum.x"], 2 * big + 10i128.pow(30));
}

pub async fn a_sum_the_store_cannot_hold_fails_the_whole_commit_and_changes_nothing(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let start = 10i128.pow(35);
    let first = CommitPlan {
        events: vec![event("e1", "h")],
        cells: cells(&[("s", Bucket::Total, "sum.x", start)]),
        entities: vec![],
        ..CommitPlan::default()
    };
    store.commit(&w, &first).await.expect("commit");
    let overflowing = CommitPlan {
        events: vec![event("e2", "h")],
        cells: cells(&[("s", Bucket::Total, "sum.x", i128::MAX), ("t", Bucket::Total, "count", 1)]),
        entities: vec![],
        ..CommitPlan::default()
    };
    match store.commit(&w, &overflowing).await {
        Err(CommitError::Store(StoreError::OutOfRange(_))) => {}
        other => panic!("expected OutOfRange, got {other:?}"),
    }
    assert_eq!(cell(store.as_ref(), &w, "s", Bucket::Total).await["sum.x"], start, "the stored sum is untouched");
    assert!(cell(store.as_ref(), &w, "t", Bucket::Total).await.is_empty(), "nothing else of the plan applied");
    assert!(store.find_events(&w, &["e2".to_owned()]).await.expect("find").is_empty());
}

pub async fn a_plan_of_the_largest_accepted_size_commits(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let size = store.max_items_per_commit().min(100);
    let events: Vec<EventRecord> = (0..size / 2).map(|i| event(&format!("e{i}"), "h")).collect();
    let mut updates = CellUpdates::default();
    for i in 0..size - events.len() {
        updates.add(&CellKey::new(format!("s|c{i}"), Bucket::Total), "count", 1);
    }
    let plan = CommitPlan { events, cells: updates, entities: vec![], ..CommitPlan::default() };
    assert_eq!(plan.item_count(), size);
    store.commit(&w, &plan).await.expect("a full-size plan commits");
    assert_eq!(store.scan_cells(&w).await.expect("scan").len(), size - size / 2);
}

pub async fn concurrent_commits_of_one_event_apply_it_once(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let plan = CommitPlan {
        events: vec![event("e1", "h")],
        cells: cells(&[("s", Bucket::Total, "count", 1)]),
        entities: vec![],
        ..CommitPlan::default()
    };
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let (store, w, plan) = (store.clone(), w.clone(), plan.clone());
            tokio::spawn(async move { store.commit(&w, &plan).await })
        })
        .collect();
    let mut committed = 0;
    for racer in racers {
        match racer.await.expect("task") {
            Ok(()) => committed += 1,
            Err(CommitError::Duplicates(ids)) => assert_eq!(ids, vec!["e1".to_owned()]),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(committed, 1);
    assert_eq!(cell(store.as_ref(), &w, "s", Bucket::Total).await["count"], 1);
}

fn entry(index: &str, sort: &str, id: &str) -> EntryKey {
    EntryKey { index: index.to_owned(), sort: sort.to_owned(), id: id.to_owned() }
}

fn set(label: &str) -> IndexChange {
    let mut data = Map::new();
    data.insert("label".into(), json!(label));
    IndexChange::Set { data, event_at: Some(at("2025-03-10T10:00:00Z")) }
}

fn index_plan(changes: Vec<(EntryKey, IndexChange)>) -> CommitPlan {
    let mut index = IndexUpdates::default();
    for (key, change) in changes {
        index.apply(key, change);
    }
    CommitPlan { index, ..CommitPlan::default() }
}

async fn ids(
    store: &dyn RollupStore,
    w: &WorkspaceId,
    index: &str,
    range: SortRange,
    direction: Direction,
    limit: usize,
) -> Vec<String> {
    let entries = store.read_index(w, index, &range, direction, limit).await.expect("read index");
    entries.into_iter().map(|entry| format!("{}#{}", entry.sort, entry.id)).collect()
}

fn between(from: Option<&str>, to: Option<&str>) -> SortRange {
    SortRange { from: from.map(str::to_owned), to: to.map(str::to_owned) }
}

pub async fn index_entries_read_back_in_sort_order_within_a_range(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let list = "calls_of_user|u1";
    let plan = index_plan(vec![
        (entry(list, "2025-03-10T10:00:00.000000Z", "e2"), set("second")),
        (entry(list, "2025-03-10T09:00:00.000000Z", "e1"), set("first")),
        (entry(list, "2025-03-10T10:00:00.000000Z", "e3"), set("third")),
        (entry(list, "2025-03-11T08:00:00.000000Z", "e4"), set("fourth")),
        (entry("calls_of_user|u10", "2025-03-10T10:00:00.000000Z", "x"), set("another list")),
    ]);
    store.commit(&w, &plan).await.expect("commit");
    let all = ids(store.as_ref(), &w, list, SortRange::all(), Direction::Ascending, 10).await;
    assert_eq!(
        all,
        [
            "2025-03-10T09:00:00.000000Z#e1",
            "2025-03-10T10:00:00.000000Z#e2",
            "2025-03-10T10:00:00.000000Z#e3",
            "2025-03-11T08:00:00.000000Z#e4"
        ]
    );
    let newest = ids(store.as_ref(), &w, list, SortRange::all(), Direction::Descending, 2).await;
    assert_eq!(newest, ["2025-03-11T08:00:00.000000Z#e4", "2025-03-10T10:00:00.000000Z#e3"]);
    // [from, to): the entries sorted exactly at `from` are in, those at `to` are out.
    let range = between(Some("2025-03-10T10:00:00.000000Z"), Some("2025-03-11T08:00:00.000000Z"));
    assert_eq!(ids(store.as_ref(), &w, list, range.clone(), Direction::Ascending, 10).await.len(), 2);
    assert_eq!(store.count_index(&w, list, &range).await.expect("count"), 2);
    let before = between(None, Some("2025-03-10T10:00:00.000000Z"));
    assert_eq!(
        ids(store.as_ref(), &w, list, before.clone(), Direction::Descending, 10).await,
        ["2025-03-10T09:00:00.000000Z#e1"]
    );
    assert_eq!(store.count_index(&w, list, &before).await.expect("count"), 1);
    let after = between(Some("2025-03-10T10:00:00.000001Z"), None);
    assert_eq!(store.count_index(&w, list, &after).await.expect("count"), 1);
    assert_eq!(store.count_index(&w, list, &SortRange::all()).await.expect("count"), 4);
    let empty = between(Some("2025-03-12"), Some("2025-03-01"));
    assert!(ids(store.as_ref(), &w, list, empty.clone(), Direction::Ascending, 10).await.is_empty());
    assert_eq!(store.count_index(&w, list, &empty).await.expect("count"), 0);

    let read = store.read_index(&w, list, &SortRange::all(), Direction::Ascending, 1).await.expect("read");
    assert_eq!((read[0].data["label"].as_str(), read[0].count), (Some("first"), 0));
}

pub async fn index_changes_set_remove_and_count_entries(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let (list, tally) = ("callbacks_open", "subscription_plans");
    let plan = |changes| index_plan(changes);
    let member = |label: &str, delta: i64| {
        let mut data = Map::new();
        data.insert("plan_name".into(), json!(label));
        IndexChange::Count { data, delta }
    };
    store
        .commit(
            &w,
            &plan(vec![
                (entry(list, "2025-03-10T09:00:00.000000Z", "cb1"), set("due at nine")),
                (entry(list, "2025-03-10T11:00:00.000000Z", "cb2"), set("due at eleven")),
                (entry(tally, "Pro|99", ""), member("Pro", 1)),
            ]),
        )
        .await
        .expect("commit");
    store
        .commit(
            &w,
            &plan(vec![
                (entry(list, "2025-03-10T09:00:00.000000Z", "cb1"), IndexChange::Remove),
                (entry(list, "2025-03-10T11:00:00.000000Z", "cb2"), set("moved")),
                (entry(list, "2025-03-10T12:00:00.000000Z", "cb9"), IndexChange::Remove),
                (entry(tally, "Pro|99", ""), member("Pro (renamed)", 2)),
                (entry(tally, "Free|0", ""), member("Free", -1)),
            ]),
        )
        .await
        .expect("a removal of an absent entry is no error");
    let entries = store.read_index(&w, list, &SortRange::all(), Direction::Ascending, 10).await.expect("read");
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].id.as_str(), entries[0].data["label"].as_str()), ("cb2", Some("moved")));
    let members = store.read_index(&w, tally, &SortRange::all(), Direction::Ascending, 10).await.expect("read");
    let counts: Vec<(String, i64, String)> = members
        .iter()
        .map(|m| (m.sort.clone(), m.count, m.data["plan_name"].as_str().unwrap_or_default().to_owned()))
        .collect();
    assert_eq!(
        counts,
        vec![("Free|0".to_owned(), -1, "Free".to_owned()), ("Pro|99".to_owned(), 3, "Pro (renamed)".to_owned())]
    );
}

pub async fn a_refused_commit_changes_no_index_entry(store: Arc<dyn RollupStore>) {
    let w = ws("ws1");
    let list = "calls_recent";
    let mut first = index_plan(vec![(entry(list, "2025-03-10T09:00:00.000000Z", "e1"), set("kept"))]);
    first.events = vec![event("e1", "h1")];
    store.commit(&w, &first).await.expect("commit");
    let mut again = index_plan(vec![
        (entry(list, "2025-03-10T09:00:00.000000Z", "e1"), IndexChange::Remove),
        (entry(list, "2025-03-10T10:00:00.000000Z", "e2"), set("not kept")),
    ]);
    again.events = vec![event("e1", "h1"), event("e2", "h2")];
    assert!(matches!(store.commit(&w, &again).await, Err(CommitError::Duplicates(_))));
    let kept = ids(store.as_ref(), &w, list, SortRange::all(), Direction::Ascending, 10).await;
    assert_eq!(kept, ["2025-03-10T09:00:00.000000Z#e1"]);
}

pub async fn index_entries_of_one_workspace_are_invisible_to_another(store: Arc<dyn RollupStore>) {
    let (a, b) = (ws("ws-a"), ws("ws-b"));
    let list = "users_by_join";
    store
        .commit(&a, &index_plan(vec![(entry(list, "2025-03-10T09:00:00.000000Z", "u1"), set("a's user"))]))
        .await
        .expect("commit");
    assert!(ids(store.as_ref(), &b, list, SortRange::all(), Direction::Ascending, 10).await.is_empty());
    assert_eq!(store.count_index(&b, list, &SortRange::all()).await.expect("count"), 0);
    assert!(store.scan_index(&b).await.expect("scan").is_empty());
    let scanned = store.scan_index(&a).await.expect("scan");
    assert_eq!(scanned.len(), 1);
    assert_eq!((scanned[0].0.as_str(), scanned[0].1.id.as_str()), (list, "u1"));
}

pub async fn an_entity_whose_first_seen_instant_moved_reads_back_and_is_written_on_its_token(
    store: Arc<dyn RollupStore>,
) {
    let w = ws("ws1");
    let key = EntityKey::new("customer", &["k1"]);
    let mut write = entity_write(&key, None, version("e2", "2025-03-10T11:00:00Z"), "hot");
    write.record.first_seen = at("2025-03-01T08:00:00Z");
    store.commit(&w, &CommitPlan { entities: vec![write.clone()], ..CommitPlan::default() }).await.expect("commit");
    let loaded = store.load_entities(&w, std::slice::from_ref(&key)).await.expect("load");
    assert_eq!(loaded[&key], write.record);
    // The version alone is not the stored record's token any more.
    let mut on_version =
        entity_write(&key, Some(version("e2", "2025-03-10T11:00:00Z")), version("e3", "2025-03-10T12:00:00Z"), "cold");
    on_version.record.first_seen = write.record.first_seen;
    assert!(matches!(
        store.commit(&w, &CommitPlan { entities: vec![on_version.clone()], ..CommitPlan::default() }).await,
        Err(CommitError::StaleEntities(_))
    ));
    on_version.expected = Some(write.record.token());
    store.commit(&w, &CommitPlan { entities: vec![on_version], ..CommitPlan::default() }).await.expect("on its token");
}

#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::store_contract_tests!(@each $make;
            a_commit_stores_events_cells_and_entities_together,
            additive_fields_add_and_extremes_merge_across_commits,
            a_plan_with_a_stored_event_applies_nothing_and_names_every_duplicate,
            a_plan_with_a_stale_entity_version_applies_nothing_and_names_it,
            workspaces_never_see_each_others_data,
            a_range_read_returns_only_that_grain_and_range_in_order,
            a_long_range_is_read_completely,
            writing_a_day_makes_its_month_due_and_a_fold_needs_the_current_token,
            an_abandoned_fold_is_no_longer_due_until_a_day_of_it_is_written_again,
            a_cells_only_plan_merges_extremes_without_conditions,
            sums_past_64_bits_stay_exact_integers,
            a_sum_the_store_cannot_hold_fails_the_whole_commit_and_changes_nothing,
            a_plan_of_the_largest_accepted_size_commits,
            concurrent_commits_of_one_event_apply_it_once,
            index_entries_read_back_in_sort_order_within_a_range,
            index_changes_set_remove_and_count_entries,
            a_refused_commit_changes_no_index_entry,
            index_entries_of_one_workspace_are_invisible_to_another,
            an_entity_whose_first_seen_instant_moved_reads_back_and_is_written_on_its_token,
        );
    };
    (@each $make:expr; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                $crate::contracts::store::$check($make.await).await;
            }
        )*
    };
}
