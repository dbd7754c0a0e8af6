//! End to end through HTTP: known events in, stats out, compared with values worked out by hand;
//! then duplicates, late events and conflicts; then the cache and its invalidation; then tenancy;
//! then the download links of the app's blobs.

use domain::WorkspaceId;
use domain::rollup::{CellKey, series_key};
use domain::time::Bucket;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::app::spawn_app;
use tests::builders::{batch, call};
use tests::scenario::{NOW, WS, app_with_scenario, scenario};
use tests::tokens::token;

fn point<'a>(series: &'a Value, key: &str, value: &str) -> &'a Value {
    series.as_array().expect("series").iter().find(|p| p[key] == value).unwrap_or_else(|| panic!("no point {value}"))
}

fn day_total(stats: &Value, date: &str) -> i64 {
    point(&stats["time_series"]["daily"], "date", date)["total_attempts"].as_i64().expect("count")
}

#[tokio::test]
async fn stats_match_the_values_worked_out_by_hand() {
    let app = app_with_scenario().await;
    let (status, stats) = app.stats(WS, "c1", "").await;
    assert_eq!(status, StatusCode::OK, "{stats}");

    assert_eq!(stats["campaign_id"], "c1");
    assert_eq!(stats["campaign_name"], "Spring survey");
    assert_eq!(
        stats["contacts"],
        json!({"total": 5, "pending": 1, "in_progress": 0, "completed": 1, "refused": 1, "not_reached": 1, "excluded": 1})
    );
    assert_eq!(
        stats["calls"],
        json!({"total_attempts": 7, "completed": 1, "refused": 1, "no_answer": 2, "busy": 1, "failed": 1, "other": 1})
    );
    // 1/5 each; answered = 7 - 2 no_answer - 1 busy - 1 failed = 3 of 7.
    assert_eq!(
        stats["rates"],
        json!({"completion_rate": 0.2, "refusal_rate": 0.2, "not_reached_rate": 0.2, "answer_rate": 0.4286})
    );
    assert_eq!(
        stats["duration"],
        json!({"average_seconds": 60.0, "min_seconds": 0.0, "max_seconds": 300.0, "total_seconds": 420.0})
    );
    assert_eq!(stats["meta"]["timezone"], "America/New_York");
    assert_eq!(stats["meta"]["watermark"], "2025-03-10T14:50:00Z");
    assert_eq!(stats["meta"]["source"], "rollup");

    // Hourly: the 24 UTC hours ending with 15:00Z, gaps filled.
    let hourly = &stats["time_series"]["hourly"];
    assert_eq!(hourly.as_array().map(Vec::len), Some(24));
    assert_eq!(hourly[0]["hour"], "2025-03-09T16:00:00Z");
    assert_eq!(hourly[23]["hour"], "2025-03-10T15:00:00Z");
    assert_eq!(point(hourly, "hour", "2025-03-09T23:00:00Z")["busy"], 1);
    assert_eq!(point(hourly, "hour", "2025-03-10T02:00:00Z")["no_answer"], 1);
    assert_eq!(point(hourly, "hour", "2025-03-10T13:00:00Z")["failed"], 1);
    let two_pm = point(hourly, "hour", "2025-03-10T14:00:00Z");
    assert_eq!(
        (two_pm["total_attempts"].as_i64(), two_pm["completed"].as_i64(), two_pm["other"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(two_pm["total_duration_seconds"], 340.0);
    let in_window: i64 =
        hourly.as_array().expect("hours").iter().map(|p| p["total_attempts"].as_i64().expect("n")).sum();
    assert_eq!(in_window, 5, "k1 and k2 are older than 24 h");

    // Daily: 30 local days ending today; k2 (03:30Z Mar 9) is Mar 8 in New York, k4 (02:30Z Mar 10) is Mar 9.
    let daily = &stats["time_series"]["daily"];
    assert_eq!(daily.as_array().map(Vec::len), Some(30));
    assert_eq!(daily[0]["date"], "2025-02-09");
    assert_eq!(daily[29]["date"], "2025-03-10");
    let mar8 = point(daily, "date", "2025-03-08");
    assert_eq!(
        (mar8["total_attempts"].as_i64(), mar8["no_answer"].as_i64(), mar8["refused"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(mar8["total_duration_seconds"], 50.0);
    assert_eq!(day_total(&stats, "2025-03-09"), 2);
    assert_eq!(day_total(&stats, "2025-03-10"), 3);
    assert_eq!(day_total(&stats, "2025-03-07"), 0);
}

#[tokio::test]
async fn the_view_reads_four_items_and_a_cache_hit_reads_none() {
    let app = app_with_scenario().await;
    app.store.take();
    let (_, first) = app.stats(WS, "c1", "").await;
    assert_eq!(first["meta"]["cache"], "miss");
    assert_eq!(app.store.take(), 4, "entities, totals and gauge, hours, days");
    let (_, second) = app.stats(WS, "c1", "").await;
    assert_eq!(second["meta"]["cache"], "hit");
    assert_eq!(app.store.take(), 0);
    let (_, without_series) = app.stats(WS, "c1", "?include_time_series=false").await;
    assert!(without_series.get("time_series").is_none());
    assert_eq!(without_series["calls"]["total_attempts"], 7);
    assert_eq!(app.store.take(), 2, "entities, totals and gauge");
}

#[tokio::test]
async fn duplicates_count_once_late_events_land_in_their_day_and_conflicts_are_not_applied() {
    let app = app_with_scenario().await;
    let (status, replay) = app.ingest(WS, &batch(scenario()[1..].to_vec())).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!((replay["accepted"].as_i64(), replay["duplicates"].as_i64()), (Some(0), Some(18)), "{replay}");
    assert_eq!(replay["conflicts"], json!([]));

    let late = call("k8", "2025-02-20T12:00:00Z", "c1", "completed", 100.0);
    let conflicting = call("k1", "2025-03-08T16:00:00Z", "c1", "completed", 999.0);
    let (_, response) = app.ingest(WS, &batch(vec![late, conflicting])).await;
    assert_eq!((response["accepted"].as_i64(), response["duplicates"].as_i64()), (Some(1), Some(1)), "{response}");
    assert_eq!(response["conflicts"][0]["index"], 1);
    assert_eq!(response["conflicts"][0]["id"], "k1");

    let (_, stats) = app.stats(WS, "c1", "").await;
    assert_eq!(stats["calls"]["total_attempts"], 8);
    assert_eq!(stats["calls"]["completed"], 2);
    assert_eq!(stats["calls"]["no_answer"], 2, "the conflicting k1 did not change its outcome");
    assert_eq!(stats["duration"]["total_seconds"], 520.0);
    assert_eq!(stats["duration"]["max_seconds"], 300.0);
    assert_eq!(stats["duration"]["average_seconds"], 65.0);
    assert_eq!(day_total(&stats, "2025-02-20"), 1);

    // The scheduled fold recomputes the months: February holds the late call.
    rollups::run_once(app.ports.store.as_ref()).await.expect("rollups run");
    let ws = WorkspaceId::parse(WS).expect("id");
    let series = series_key("campaign_calls", &["c1"]);
    let feb = CellKey::new(series.clone(), Bucket::Month { year: 2025, month: 2 });
    let mar = CellKey::new(series, Bucket::Month { year: 2025, month: 3 });
    let months = app.ports.store.read_cells(&ws, &[feb.clone(), mar.clone()]).await.expect("months");
    assert_eq!(months[&feb]["count"], 1);
    assert_eq!(months[&mar]["count"], 7);
    assert_eq!(months[&mar]["min.duration_s"], 0);
    assert_eq!(months[&mar]["max.duration_s"], 300_000);
}

#[tokio::test]
async fn stats_are_cached_for_60_seconds_and_an_admin_can_drop_them() {
    let app = app_with_scenario().await;
    let (_, first) = app.stats(WS, "c1", "").await;
    assert_eq!((first["meta"]["cache"].as_str(), first["calls"]["total_attempts"].as_i64()), (Some("miss"), Some(7)));

    app.ingest_ok(WS, vec![call("n1", "2025-03-10T14:55:00Z", "c1", "completed", 200.0)]).await;
    let (_, cached) = app.stats(WS, "c1", "").await;
    assert_eq!((cached["meta"]["cache"].as_str(), cached["calls"]["total_attempts"].as_i64()), (Some("hit"), Some(7)));

    app.clock.advance(SignedDuration::from_secs(61));
    let (_, expired) = app.stats(WS, "c1", "").await;
    assert_eq!(
        (expired["meta"]["cache"].as_str(), expired["calls"]["total_attempts"].as_i64()),
        (Some("miss"), Some(8))
    );

    app.ingest_ok(WS, vec![call("n2", "2025-03-10T14:56:00Z", "c1", "busy", 3.0)]).await;
    for role in ["manager", "viewer"] {
        let (status, body) = app.post("/api/campaigns/c1/stats/invalidate", &token(WS, role), &json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {body}");
        assert_eq!(body["error"]["code"], "FORBIDDEN");
    }
    let (_, still_cached) = app.stats(WS, "c1", "").await;
    assert_eq!(still_cached["calls"]["total_attempts"], 8);
    let (status, body) = app.post("/api/campaigns/c1/stats/invalidate", &token(WS, "admin"), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, fresh) = app.stats(WS, "c1", "").await;
    assert_eq!((fresh["meta"]["cache"].as_str(), fresh["calls"]["total_attempts"].as_i64()), (Some("miss"), Some(9)));

    let (status, _) = app.post("/api/campaigns/nope/stats/invalidate", &token(WS, "admin"), &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_chosen_range_of_days_bypasses_the_cache() {
    let app = app_with_scenario().await;
    let (status, stats) = app.stats(WS, "c1", "?start=2025-03-08&end=2025-03-09").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["meta"]["cache"], "bypass");
    let days: Vec<&str> = stats["time_series"]["daily"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| d["date"].as_str().expect("date"))
        .collect();
    assert_eq!(days, vec!["2025-03-08", "2025-03-09"]);
    let (_, only_end) = app.stats(WS, "c1", "?end=2025-03-01").await;
    assert_eq!(only_end["time_series"]["daily"][0]["date"], "2025-01-31", "30 days ending on end");
}

#[tokio::test]
async fn another_workspace_sees_neither_the_campaign_nor_its_numbers() {
    let app = app_with_scenario().await;
    let (status, body) = app.stats("ws-other", "c1", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        body,
        json!({"success": false, "error": {"code": "NOT_FOUND", "message": "campaign c1 not found", "status": 404, "details": {}}})
    );

    // The other workspace's own c1 is its own.
    app.ingest_ok("ws-other", vec![call("k1", "2025-03-10T14:00:00Z", "c1", "busy", 4.0)]).await;
    let (_, theirs) = app.stats("ws-other", "c1", "").await;
    assert_eq!(theirs["calls"]["total_attempts"], 1);
    assert_eq!(theirs["contacts"]["total"], 0);
    app.clock.advance(SignedDuration::from_secs(61));
    let (_, ours) = app.stats(WS, "c1", "").await;
    assert_eq!(ours["calls"]["total_attempts"], 7);
}

#[tokio::test]
async fn the_app_serves_its_blob_links_until_they_expire() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let blobs = &app.ports.blobs;
    blobs.put("exports/e1.csv", b"a,b\n1,2\n".to_vec(), "text/csv").await.expect("put");
    let url = blobs.link("exports/e1.csv", "stats.csv", SignedDuration::from_mins(60)).await.expect("link");
    assert!(url.starts_with(&format!("{}/blobs/exports/e1.csv?", app.base)), "{url}");

    let response = app.client.get(&url).send().await.expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("x-request-id"), "the app's layers apply");
    assert_eq!(response.headers()["content-type"], "text/csv");
    assert_eq!(response.headers()["content-disposition"], "attachment; filename=\"stats.csv\"");
    assert_eq!(response.bytes().await.expect("body").as_ref(), b"a,b\n1,2\n");

    // Asked for an hour, capped at 15 minutes.
    app.clock.advance(SignedDuration::from_mins(15));
    let response = app.client.get(&url).send().await.expect("GET");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.expect("JSON envelope");
    assert_eq!(body["error"]["code"], "FORBIDDEN", "{body}");
}
