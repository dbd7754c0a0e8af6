//! The views' shared reads: series of each grain gap-filled from one range read, and typed reads
//! of cells through the measures that wrote them.

use std::sync::Arc;

use domain::WorkspaceId;
use domain::fold::fold_due_months;
use domain::ports::RollupStore;
use domain::rollup::series::campaign_calls;
use domain::rollup::{CellKey, CellUpdates, CommitPlan};
use domain::time::{Bucket, DateRange, last_hours};
use domain::views::read::{self, Reading};
use embedded::{Db, SqliteStore};
use jiff::civil::date;
use tests::counting::CountingStore;

fn ws() -> WorkspaceId {
    WorkspaceId::parse("ws1").expect("id")
}

/// Calls written on some days of February and March 2025, and in two hours of March 10th.
async fn store_with_calls() -> Arc<CountingStore> {
    let store = Arc::new(CountingStore::new(Arc::new(SqliteStore::new(Db::in_memory().expect("db")))));
    let mut cells = CellUpdates::default();
    let days = [(date(2025, 2, 26), 1), (date(2025, 3, 2), 2), (date(2025, 3, 3), 4), (date(2025, 3, 10), 8)];
    for (day, count) in days {
        cells.add(&CellKey::new("s", Bucket::Day(day)), "count", count);
        cells.add(&CellKey::new("s", Bucket::Day(day)), "sum.duration_s", count * 1_500);
    }
    for (hour, count) in [("2025-03-10T09:00:00Z", 3), ("2025-03-10T11:00:00Z", 5)] {
        cells.add(&CellKey::new("s", Bucket::hour_starting(hour.parse().expect("hour"))), "count", count);
    }
    store.commit(&ws(), &CommitPlan { cells, ..CommitPlan::default() }).await.expect("commit");
    store
}

#[tokio::test]
async fn hourly_and_daily_series_have_every_bucket_from_one_read_each() {
    let store = store_with_calls().await;
    store.take();
    let hours = last_hours("2025-03-10T11:30:00Z".parse().expect("now"), 4);
    let hourly = read::hourly(store.as_ref(), &ws(), "s", &hours).await.expect("hours");
    let counts: Vec<i64> = hourly.iter().map(|(_, cells)| Reading::of(Some(cells)).count()).collect();
    assert_eq!(counts, vec![0, 3, 0, 5]);

    let days = DateRange::new(date(2025, 3, 1), date(2025, 3, 4)).expect("range");
    let daily = read::daily(store.as_ref(), &ws(), "s", days).await.expect("days");
    let seen: Vec<(String, i64)> =
        daily.iter().map(|(day, cells)| (day.to_string(), Reading::of(Some(cells)).count())).collect();
    assert_eq!(
        seen,
        vec![("2025-03-01".into(), 0), ("2025-03-02".into(), 2), ("2025-03-03".into(), 4), ("2025-03-04".into(), 0)]
    );
    let seconds = Reading::of(Some(&daily[2].1)).total(campaign_calls::DURATION).units();
    assert_eq!(seconds, 6.0, "4 × 1,500 ms");
    assert_eq!(store.take(), 2, "one range read per series");
}

#[tokio::test]
async fn weeks_start_on_monday_and_months_come_from_folds() {
    let store = store_with_calls().await;
    // Monday February 24th to Sunday March 16th 2025: three ISO weeks.
    let range = DateRange::new(date(2025, 2, 24), date(2025, 3, 16)).expect("range");
    let weekly = read::weekly(store.as_ref(), &ws(), "s", range).await.expect("weeks");
    let weeks: Vec<(String, i64)> =
        weekly.iter().map(|(monday, cells)| (monday.to_string(), Reading::of(Some(cells)).count())).collect();
    assert_eq!(weeks, vec![("2025-02-24".into(), 3), ("2025-03-03".into(), 4), ("2025-03-10".into(), 8)]);

    while fold_due_months(store.as_ref(), 100).await.expect("fold").folded > 0 {}
    let monthly = read::monthly(store.as_ref(), &ws(), "s", range).await.expect("months");
    let months: Vec<(String, i64)> =
        monthly.iter().map(|(month, cells)| (month.key(), Reading::of(Some(cells)).count())).collect();
    assert_eq!(months, vec![("m2025-02".into(), 1), ("m2025-03".into(), 14)]);
}
