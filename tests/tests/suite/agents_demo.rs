//! Seed 002's demo part (`local::demo::agents`) as the local runtime seeds it: every event it
//! generates is stored once, a second start (the same day or the next) adds nothing, and the
//! stored data holds what the generator counted: its members and their accounts, and agent runs
//! in New York's afternoons on both sides of the end of US daylight saving time.

use std::sync::Arc;

use domain::WorkspaceId;
use domain::rollup::{CellKey, EntityKey};
use domain::time::Bucket;
use embedded::{Db, SqliteCache, SqliteStore};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use local::demo::agents::{self, STUDIO, TENANTS};

/// Its 60 days cross 2026-11-01 06:00Z, when New York falls back from UTC-4 to UTC-5.
const NOW: &str = "2026-11-20T18:00:00Z";
const DST_END: &str = "2026-11-01T06:00:00Z";
const TYPES: [&str; 7] = [
    "user.upserted",
    "agent.upserted",
    "user.session",
    "agent.execution",
    "api.request",
    "subscription.upserted",
    "payment.recorded",
];

/// How many events of `kind` the file holds for `ws`.
fn stored_count(db: &rusqlite::Connection, ws: &str, kind: &str) -> usize {
    let count: i64 = db
        .query_row("SELECT COUNT(*) FROM events WHERE ws = ?1 AND type = ?2", (ws, kind), |row| row.get(0))
        .expect("count");
    count as usize
}

/// The mean local hour of the studio's stored runs in `[from, to)`, with their number.
fn runs_by_local_hour(db: &rusqlite::Connection, from: Timestamp, to: Timestamp) -> (usize, f64) {
    let tz = TimeZone::get(STUDIO.time_zone).expect("zone");
    let mut statement = db
        .prepare(
            "SELECT occurred_at FROM events WHERE ws = ?1 AND type = 'agent.execution' \
             AND occurred_at >= ?2 AND occurred_at < ?3",
        )
        .expect("query");
    let hours: Vec<f64> = statement
        .query_map((STUDIO.workspace, from.as_microsecond(), to.as_microsecond()), |row| row.get::<_, i64>(0))
        .expect("rows")
        .map(|micros| {
            let at = Timestamp::from_microsecond(micros.expect("occurred_at")).expect("instant");
            let local = at.to_zoned(tz.clone());
            f64::from(local.hour()) + f64::from(local.minute()) / 60.0
        })
        .collect();
    (hours.len(), hours.iter().sum::<f64>() / hours.len().max(1) as f64)
}

#[tokio::test]
async fn the_agents_demo_stores_every_event_once_and_its_runs_keep_local_hours_across_the_dst_change() {
    let now: Timestamp = NOW.parse().expect("now");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("analytics.db");
    let db = Db::open(&path).expect("db");
    let store = Arc::new(SqliteStore::new(db.clone()));
    let ports =
        tests::app::test_ports(now, dir.path(), "http://127.0.0.1:1", store, Arc::new(SqliteCache::new(db))).ports;

    let ingested = agents::seed(&ports, now).await.expect("seeded");
    let file = rusqlite::Connection::open(&path).expect("open");
    let mut generated_total = 0;
    for tenant in TENANTS {
        let generated = agents::generate(tenant, now);
        for kind in TYPES {
            let count = generated.events.count(kind);
            assert_eq!(stored_count(&file, tenant.workspace, kind), count, "{} {kind}", tenant.workspace);
            generated_total += count;
        }
        // The settings, then the part: nothing else.
        assert_eq!(stored_count(&file, tenant.workspace, "workspace.upserted"), 1);
        generated_total += 1;

        let ws = WorkspaceId::parse(tenant.workspace).expect("id");
        let users = CellKey::new("users_now", Bucket::Current);
        let cells = ports.store.read_cells(&ws, std::slice::from_ref(&users)).await.expect("read");
        let (active, inactive) = (cells[&users]["status.active"], cells[&users].get("status.inactive").copied());
        assert_eq!(active + inactive.unwrap_or(0), tenant.users as i128, "{}", tenant.workspace);
        assert_eq!(active, i128::from(generated.seats_used), "{}", tenant.workspace);
        let settings = ports.store.load_entities(&ws, &[EntityKey::workspace()]).await.expect("load");
        let settings = &settings[&EntityKey::workspace()];
        assert_eq!(settings.number("seats_used"), Some(generated.seats_used as f64));
        assert_eq!(settings.str("timezone"), Some(tenant.time_zone));
        assert_eq!(settings.str("credits_reset_date"), Some("2026-12-01"));
    }
    assert_eq!(ingested, generated_total, "every event generated is stored, none twice");
    let newest: i64 = file.query_row("SELECT MAX(occurred_at) FROM events", [], |row| row.get(0)).expect("max");
    assert!(newest < now.as_microsecond(), "nothing after now");

    // Runs on both sides of the change, at the same local hours (the afternoon's peak): a
    // generator blind to the change would shift the later side's local hours by one.
    let dst_end: Timestamp = DST_END.parse().expect("instant");
    let (before, hour_before) = runs_by_local_hour(&file, now - SignedDuration::from_hours(24 * 61), dst_end);
    let (after, hour_after) = runs_by_local_hour(&file, dst_end, now);
    assert_eq!(before + after, agents::generate(&STUDIO, now).events.count("agent.execution"));
    assert!(before > 1_000 && after > 1_000, "runs before {before}, after {after}");
    assert!((12.5..15.0).contains(&hour_before), "mean local hour before the change {hour_before:.2}");
    assert!((hour_after - hour_before).abs() < 0.25, "mean local hour {hour_before:.2} before, {hour_after:.2} after");

    // A second start the same day, and one the next day, find the part seeded.
    assert_eq!(agents::seed(&ports, now).await.expect("seeded again"), 0);
    assert_eq!(agents::seed(&ports, now + SignedDuration::from_hours(24)).await.expect("next day"), 0);
    let total: i64 = file.query_row("SELECT COUNT(*) FROM events", [], |row| row.get(0)).expect("count");
    assert_eq!(total as usize, generated_total);
}
