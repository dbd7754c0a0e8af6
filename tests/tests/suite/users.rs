//! Seed 002's users routes end to end over HTTP, on the hand-worked scenario of
//! `tests::users_scenario` (its table says who did what, on which New York day): every number
//! below is counted from those events by hand. Then bad parameters, roles, store calls and the
//! cache; and a property: for random streams delivered with duplicates, in any order and any
//! batch sizes, DAU/WAU/MAU and retention equal a brute-force count of the distinct events.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use domain::WorkspaceId;
use domain::events::{EventLimits, ValidEvent, validate_event};
use domain::ingest::apply_events;
use domain::ports::RollupStore;
use domain::rollup::Rules;
use domain::time::RequestedRange;
use domain::views::workspace_analytics::users::{ActivityQuery, CohortPeriod, UserSort, engagement, ranked_activity};
use embedded::{Db, SqliteCache, SqliteStore};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use proptest::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::builders::{event, workspace};
use tests::overlap::Overlap;
use tests::users_scenario::{WS, app_with_users, app_with_users_on, users_route};

fn ids(answer: &Value) -> Vec<String> {
    answer["data"]["users"]
        .as_array()
        .unwrap_or_else(|| panic!("no users in {answer}"))
        .iter()
        .map(|user| user["user_id"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[tokio::test]
async fn users_activity_counts_each_users_range_and_the_workspaces_distinct_users_as_worked_out_by_hand() {
    let app = app_with_users().await;
    let (status, answer) = users_route(&app, WS, "admin", "activity", "start=2025-03-01&end=2025-03-12").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["success"], true);
    let data = &answer["data"];
    // By executions in the range, most first, ties by user_id: u1 ran 3; u2 and u4 1; the rest 0.
    // u7 was active but never upserted: not a listed user.
    assert_eq!(ids(&answer), ["u1", "u2", "u4", "u3", "u5", "u6", "u8"]);
    assert_eq!((data["total"].as_u64(), data["page"].as_u64()), (Some(7), Some(1)));
    assert_eq!((data["per_page"].as_u64(), data["pages"].as_u64()), (Some(20), Some(1)));
    // u1: a login and a timed session; 2.5 + 1.25 + 0.5 credits; a1 twice, a2 once.
    assert_eq!(
        data["users"][0],
        json!({"user_id": "u1", "email": "ann@agents.test", "last_active": "2025-03-11T15:00:00Z",
               "total_sessions": 2, "total_executions": 3, "credits_consumed": 4.25, "favorite_agents": ["a1", "a2"]})
    );
    assert_eq!(
        data["users"][1],
        json!({"user_id": "u2", "email": "bob@agents.test", "last_active": "2025-03-10T14:00:00Z",
               "total_sessions": 1, "total_executions": 1, "credits_consumed": 4.0, "favorite_agents": ["a3"]})
    );
    // u4's only run was Sunday 23:40 EDT, already Monday in UTC.
    assert_eq!(data["users"][2]["last_active"], "2025-03-10T03:40:00Z");
    assert_eq!(data["users"][2]["favorite_agents"], json!(["a1"]));
    // u5's runs were all in February: none in the range, but their favourites are of all time:
    // a1 and a2 twice each (a tie, by id), then a3 and a4 once each (a3 by id).
    let u5 = &data["users"][4];
    assert_eq!(
        u5,
        &json!({"user_id": "u5", "email": "eve@agents.test", "last_active": "2025-03-12T14:00:00Z",
                "total_sessions": 1, "total_executions": 0, "credits_consumed": 0.0, "favorite_agents": ["a1", "a2", "a3"]})
    );
    assert_eq!(
        data["users"][5],
        json!({"user_id": "u6", "email": "fay@agents.test", "last_active": null,
               "total_sessions": 0, "total_executions": 0, "credits_consumed": 0.0, "favorite_agents": []})
    );
    // Active on Wednesday 12th: u5 and u7. In the week from Monday 10th: u1, u2, u3 (a login at
    // 00:10 on Monday), u5, u7; not u4, whose run at 23:40 on Sunday is UTC's Monday. In March:
    // all but u6. Sessions with a duration: 600 + 1,800 + 300 + 1,000 s over 4 = 925 s, 15.4 min.
    assert_eq!(data["activity_summary"], json!({"dau": 2, "wau": 5, "mau": 7, "avg_session_duration": 15.4}));
    assert_eq!(answer["meta"]["timezone"], "America/New_York");
    assert_eq!(answer["meta"]["watermark"], "2025-03-12T14:45:00Z", "the anonymous run, the newest event");
    assert_eq!(answer["meta"]["cache"], "miss");
}

#[tokio::test]
async fn the_summary_of_a_range_ending_on_the_dst_sunday_counts_that_23_hour_day_and_its_iso_week() {
    let app = app_with_users().await;
    let (status, answer) = users_route(&app, WS, "manager", "activity", "start=2025-03-03&end=2025-03-09").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // Sunday 9th, 00:00 EST to 24:00 EDT: u3 (01:45 EST and 23:50 EDT) and u4 (23:40 EDT). The
    // week of Monday 3rd: u1 (5th, 8th), u2 (7th, 8th), u3, u4, u5 (3rd).
    assert_eq!(answer["data"]["activity_summary"], json!({"dau": 2, "wau": 5, "mau": 7, "avg_session_duration": 30.0}));
    // u3's request at 03:50 UTC on the 10th is the 9th here: inside the range.
    let u3 = answer["data"]["users"].as_array().expect("users").iter().find(|u| u["user_id"] == "u3").cloned();
    assert_eq!(u3.map(|u| u["total_sessions"].clone()), Some(json!(1)), "the session of the 9th");
}

#[tokio::test]
async fn users_activity_pages_and_sorts_by_each_key_with_ties_by_user_id() {
    let app = app_with_users().await;
    let range = "start=2025-03-01&end=2025-03-12";
    let ask = |query: String| {
        let app = &app;
        async move { users_route(app, WS, "admin", "activity", &query).await }
    };
    let mut pages = Vec::new();
    for page in 1..=4 {
        let (status, answer) = ask(format!("{range}&per_page=3&page={page}")).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!((answer["data"]["total"].as_u64(), answer["data"]["pages"].as_u64()), (Some(7), Some(3)));
        assert_eq!(answer["data"]["per_page"], 3);
        pages.push(ids(&answer));
    }
    assert_eq!(pages, [vec!["u1", "u2", "u4"], vec!["u3", "u5", "u6"], vec!["u8"], vec![]]);
    for (sort, order, expected) in [
        ("last_active", "desc", ["u5", "u1", "u2", "u3", "u4", "u8", "u6"]),
        // Never active is older than any instant.
        ("last_active", "asc", ["u6", "u8", "u4", "u3", "u2", "u1", "u5"]),
        ("total_sessions", "desc", ["u1", "u3", "u2", "u5", "u4", "u6", "u8"]),
        ("credits_consumed", "desc", ["u1", "u2", "u4", "u3", "u5", "u6", "u8"]),
        // Ties stay by user_id ascending whatever the order.
        ("total_executions", "asc", ["u3", "u5", "u6", "u8", "u2", "u4", "u1"]),
    ] {
        let (status, answer) = ask(format!("{range}&sort_by={sort}&order={order}")).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(ids(&answer), expected, "{sort} {order}");
    }
}

#[tokio::test]
async fn activity_type_and_user_ids_keep_only_the_users_asked_for() {
    let app = app_with_users().await;
    let range = "start=2025-03-01&end=2025-03-12";
    for (kind, expected) in [
        // u5's session was not a login.
        ("login", vec!["u1", "u2", "u3"]),
        ("execution", vec!["u1", "u2", "u4"]),
        ("api_call", vec!["u2", "u3", "u5", "u8"]),
    ] {
        let (status, answer) =
            users_route(&app, WS, "admin", "activity", &format!("{range}&activity_type={kind}")).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(ids(&answer), expected, "{kind}");
        assert_eq!(answer["data"]["total"], expected.len());
        assert_eq!(answer["data"]["activity_summary"]["mau"], 7, "the summary is the workspace's, unfiltered");
    }
    // `nobody` has no user.upserted; u5 named twice counts once.
    let (status, answer) =
        users_route(&app, WS, "admin", "activity", &format!("{range}&user_ids=u5,nobody,%20u3,u5")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(ids(&answer), ["u3", "u5"]);
    assert_eq!(answer["data"]["users"][1]["favorite_agents"], json!(["a1", "a2", "a3"]));
    // Sunday 9th alone: u3's session and API call, nobody's login.
    let (_, quiet) =
        users_route(&app, WS, "admin", "activity", "start=2025-03-09&end=2025-03-09&activity_type=login").await;
    assert_eq!(ids(&quiet), Vec::<String>::new());
    assert_eq!((quiet["data"]["total"].as_u64(), quiet["data"]["pages"].as_u64()), (Some(0), Some(0)));
    assert!(quiet["data"]["activity_summary"]["avg_session_duration"].is_number(), "u3's session of the 9th");
    let (_, empty) = users_route(&app, WS, "admin", "activity", "start=2025-04-01&end=2025-04-02").await;
    assert!(empty["data"]["activity_summary"]["avg_session_duration"].is_null(), "no session: {empty}");
    assert_eq!(empty["data"]["activity_summary"]["dau"], 0);
}

#[tokio::test]
async fn users_engagement_gives_n_day_retention_by_signup_day_as_worked_out_by_hand() {
    let app = app_with_users().await;
    let (status, answer) =
        users_route(&app, WS, "admin", "engagement", "cohort=daily&start=2025-03-01&end=2025-03-12").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // Daily cohorts: Mar 1 u1, u8; Mar 7 u2 (23:30 EST, the 8th in UTC); Mar 9 u3 (01:30 EST;
    // their later upsert says the 10th, the earliest wins) and u4 (23:30 EDT); Mar 12 u6.
    // 6 users; activated (ran an agent on days 0-6): u1 (day 4), u2 (day 3), u4 (day 0): 50 %.
    // Day 1, over the cohorts of the 11th or before (5 users): u1, u8 (Mar 2), u2 (Mar 8), u3
    // (Mar 10): 80 %. Day 7, cohorts of the 5th or before: u1 (Mar 8) of u1, u8: 50 %. Day 30:
    // no cohort is old enough.
    assert_eq!(
        answer["data"]["engagement_metrics"],
        json!({"activation_rate": 50.0, "retention_day_1": 80.0, "retention_day_7": 50.0, "retention_day_30": null})
    );
    // Mar 1 is 11 days old: u1 active on days 0, 1, 4, 7, 10, u8 on day 1. Mar 9: both on day 0,
    // u3 on day 1. Mar 12 (today): u6 not yet active.
    assert_eq!(
        answer["data"]["cohort_analysis"],
        json!({"cohort": "daily", "cohorts": [
            {"cohort_date": "2025-03-01", "users": 2, "retention": [50.0, 100.0, 0.0, 0.0, 50.0, 0.0, 0.0, 50.0, 0.0, 0.0, 50.0, 0.0]},
            {"cohort_date": "2025-03-07", "users": 1, "retention": [100.0, 100.0, 0.0, 100.0, 0.0, 0.0]},
            {"cohort_date": "2025-03-09", "users": 2, "retention": [100.0, 50.0, 0.0, 0.0]},
            {"cohort_date": "2025-03-12", "users": 1, "retention": [0.0]}
        ]})
    );
    assert!(answer["meta"]["watermark"].is_null(), "cohorts hold no instant");

    // From Feb 10: u5's cohort joins. u5 ran an agent on day 5 (activated), on day 7 (Feb 17),
    // not on day 1, and had a session today, day 30 of Feb 10: a day N may be today.
    let (_, wider) = users_route(&app, WS, "admin", "engagement", "cohort=daily&start=2025-02-10&end=2025-03-12").await;
    assert_eq!(
        wider["data"]["engagement_metrics"],
        json!({"activation_rate": 57.1, "retention_day_1": 66.7, "retention_day_7": 66.7, "retention_day_30": 100.0})
    );
    let feb = &wider["data"]["cohort_analysis"]["cohorts"][0];
    assert_eq!((feb["cohort_date"].as_str(), feb["users"].as_i64()), (Some("2025-02-10"), Some(1)));
    assert_eq!(feb["retention"].as_array().map(Vec::len), Some(31), "days 0 to 30: the longest a row gets");
}

#[tokio::test]
async fn weekly_cohorts_start_on_mondays_in_local_time_and_grow_a_period_a_week() {
    let app = app_with_users().await;
    // The default cohort is weekly. Mondays in the range: the 3rd and the 10th. The week of the
    // 3rd: u2, u3, u4, all active in it; in the week of the 10th, u2 (10th) and u3 (10th, 00:10),
    // not u4, whose only run was Sunday 23:40. The week of the 10th: u6, never active.
    let (status, answer) = users_route(&app, WS, "admin", "engagement", "start=2025-03-01&end=2025-03-12").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["data"]["cohort_analysis"],
        json!({"cohort": "weekly", "cohorts": [
            {"cohort_date": "2025-03-03", "users": 3, "retention": [100.0, 66.7]},
            {"cohort_date": "2025-03-10", "users": 1, "retention": [0.0]}
        ]})
    );
    assert_eq!(answer["data"]["engagement_metrics"]["retention_day_1"], 80.0, "always over daily cohorts");
    // From Monday 24 Feb: u1 and u8 (Saturday 1st) are its cohort; week 1 u1 (5th, 8th), week 2
    // u1 (11th).
    let (_, wider) =
        users_route(&app, WS, "admin", "engagement", "cohort=weekly&start=2025-02-24&end=2025-03-12").await;
    assert_eq!(
        wider["data"]["cohort_analysis"]["cohorts"][0],
        json!({"cohort_date": "2025-02-24", "users": 2, "retention": [100.0, 50.0, 50.0]})
    );
    // The default range, the 30 days to today (Feb 11 to Mar 12): the same cohorts as from Mar 1.
    let (_, default) = users_route(&app, WS, "admin", "engagement", "cohort=daily").await;
    let (_, named) = users_route(&app, WS, "admin", "engagement", "cohort=daily&start=2025-02-11&end=2025-03-12").await;
    assert_eq!(default["data"], named["data"]);
    assert_eq!(default["data"]["cohort_analysis"]["cohorts"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn each_bad_parameter_is_400_naming_it() {
    let app = app_with_users().await;
    let too_many = (0..101).map(|i| format!("u{i}")).collect::<Vec<_>>().join(",");
    for (route, query, field) in [
        ("activity", "user_ids=u1,bad%20id".to_owned(), "user_ids"),
        ("activity", "user_ids=".to_owned(), "user_ids"),
        ("activity", format!("user_ids={too_many}"), "user_ids"),
        ("activity", format!("user_ids={}u1", "u1,".repeat(100)), "user_ids"),
        ("activity", "user_ids=u1,%09u2".to_owned(), "user_ids"),
        ("activity", "activity_type=logout".to_owned(), "activity_type"),
        ("activity", "sort_by=email".to_owned(), "sort_by"),
        ("activity", "order=up".to_owned(), "order"),
        ("activity", "page=0".to_owned(), "page"),
        ("activity", "per_page=101".to_owned(), "per_page"),
        ("activity", "per_page=0".to_owned(), "per_page"),
        ("activity", "start=2025-03-12&end=2025-03-01".to_owned(), "start"),
        ("activity", "start=2024-01-01&end=2025-03-01".to_owned(), "start"),
        ("activity", "end=yesterday".to_owned(), "end"),
        // Its end is today: the start after it is found once the zone is known.
        ("activity", "start=2025-04-01".to_owned(), "start"),
        ("engagement", "cohort=monthly".to_owned(), "cohort"),
        ("engagement", "start=2025-13-01".to_owned(), "start"),
        ("engagement", "start=2025-03-12&end=2025-03-01".to_owned(), "start"),
        ("engagement", "start=2025-04-01".to_owned(), "start"),
    ] {
        let (status, answer) = users_route(&app, WS, "admin", route, &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{route}?{query}: {answer}");
        assert_eq!(answer["error"]["code"], "VALIDATION_FAILED");
        assert_eq!(answer["error"]["details"]["field"], field, "{route}?{query}: {answer}");
    }
    for route in ["activity", "engagement"] {
        let (status, answer) = users_route(&app, WS, "admin", route, "workspace_id=ws-other").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        assert_eq!(answer["error"]["details"]["field"], "workspace_id");
        let (status, _) = users_route(&app, WS, "admin", route, &format!("workspace_id={WS}")).await;
        assert_eq!(status, StatusCode::OK, "its own workspace, named");
    }
}

#[tokio::test]
async fn admins_and_managers_may_read_the_users_routes_and_no_other_role() {
    let app = app_with_users().await;
    for route in ["activity", "engagement"] {
        for role in ["admin", "manager"] {
            let (status, answer) = users_route(&app, WS, role, route, "").await;
            assert_eq!(status, StatusCode::OK, "{role} {route}: {answer}");
        }
        app.store.take();
        for role in ["viewer", "agent", "user", "service"] {
            let (status, answer) = users_route(&app, WS, role, route, "").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role} {route}: {answer}");
            assert_eq!(answer["error"]["code"], "FORBIDDEN");
        }
        assert_eq!(app.store.take(), 0, "refused before any read");
        let (status, elsewhere) = users_route(&app, "ws-elsewhere", "admin", route, "").await;
        assert_eq!(status, StatusCode::OK, "{elsewhere}");
        assert!(!elsewhere.to_string().contains("agents.test"), "another workspace sees none of it: {elsewhere}");
    }
}

#[tokio::test]
async fn store_reads_grow_with_the_users_ranked_and_shown_and_a_cached_answer_reads_nothing() {
    let app = app_with_users().await;
    let range = "start=2025-03-01&end=2025-03-12";
    let reads = |query: String, route: &'static str| {
        let app = &app;
        async move {
            let (status, answer) = users_route(app, WS, "admin", route, &query).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            (app.store.take(), answer["meta"]["cache"].as_str().unwrap_or("?").to_owned())
        }
    };
    // The workspace and the list (2); the cells and the workspace's days, and the 7 users' days
    // (9); the 7 shown users' tallies.
    assert_eq!(reads(range.to_owned(), "activity").await, (2 + 2 + 7 + 7, "miss".to_owned()));
    assert_eq!(reads(range.to_owned(), "activity").await, (0, "hit".to_owned()));
    // A page of 3: 3 tallies.
    assert_eq!(reads(format!("{range}&per_page=3"), "activity").await.0, 2 + 2 + 7 + 3);
    // Two named users found of three: their entities with the workspace (1), the cells and the
    // workspace's days, and their days (4), their tallies (2).
    assert_eq!(reads(format!("{range}&user_ids=u1,u2,nobody"), "activity").await.0, 1 + 2 + 2 + 2);
    // Filtered out users are still read, not shown.
    assert_eq!(reads(format!("{range}&activity_type=login"), "activity").await.0, 2 + 2 + 7 + 3);
    // The workspace and the daily cohorts, at once; with weekly ones, their range too.
    assert_eq!(reads(format!("cohort=daily&{range}"), "engagement").await, (2, "miss".to_owned()));
    assert_eq!(reads(format!("cohort=weekly&{range}"), "engagement").await.0, 3);
    assert_eq!(reads("cohort=daily".to_owned(), "engagement").await.0, 2, "the default range too");
}

#[tokio::test]
async fn each_route_issues_its_independent_reads_together_in_as_few_waves_as_they_allow() {
    let db = Db::in_memory().expect("db");
    let store = Arc::new(Overlap::new(Arc::new(SqliteStore::new(db.clone())), Duration::from_millis(100)));
    let app = app_with_users_on(store.clone(), Arc::new(SqliteCache::new(db))).await;
    store.hold(true);
    store.take_waves(); // the ingest's
    let range = "start=2025-03-01&end=2025-03-12";
    for (route, query, waves) in [
        // The workspace with the list; the cells, the workspace's days and the 7 users' days; the
        // shown users' tallies.
        ("activity", range.to_owned(), vec![2, 9, 7]),
        ("activity", format!("{range}&per_page=3"), vec![2, 9, 3]),
        // The named users' entities with the workspace; then as above for the 2 found.
        ("activity", format!("{range}&user_ids=u1,u2,nobody"), vec![1, 4, 2]),
        ("engagement", format!("cohort=daily&{range}"), vec![2]),
        ("engagement", format!("cohort=weekly&{range}"), vec![3]),
        ("engagement", "cohort=weekly".to_owned(), vec![3]),
    ] {
        let (status, answer) = users_route(&app, WS, "admin", route, &query).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(store.take_waves(), waves, "{route}?{query}");
    }
}

// ---------------------------------------------------------------------------------------------
// The property, at the view level.
// ---------------------------------------------------------------------------------------------

const ZONE: &str = "America/New_York";

fn prop_now() -> Timestamp {
    "2025-03-20T15:00:00Z".parse().expect("now")
}

/// One distinct event: a few users, over the 60 days to `prop_now` (crossing 9 March, when New
/// York's clocks went forward).
#[derive(Debug, Clone)]
enum Fact {
    /// A `user.upserted`, with a `signed_up_at` this many minutes before the upsert, or none.
    Upsert {
        user: u8,
        signed_up_minutes_before: Option<u32>,
    },
    Session {
        user: u8,
        login: bool,
        duration_s: u16,
    },
    /// A run, by a user or anonymous (user 4).
    Execution {
        user: u8,
        agent: u8,
    },
}

const WINDOW_MINUTES: u32 = 60 * 24 * 60;

fn fact() -> impl Strategy<Value = Fact> {
    prop_oneof![
        1 => (0..4u8, prop::option::of(0..(3 * 24 * 60u32)))
            .prop_map(|(user, signed_up_minutes_before)| Fact::Upsert { user, signed_up_minutes_before }),
        3 => (0..4u8, any::<bool>(), 0..4000u16).prop_map(|(user, login, duration_s)| Fact::Session { user, login, duration_s }),
        2 => (0..5u8, 0..3u8).prop_map(|(user, agent)| Fact::Execution { user, agent }),
    ]
}

fn fact_json(index: usize, fact: &Fact, minutes_ago: u32) -> Value {
    let id = format!("p{index}");
    let at = prop_now() - SignedDuration::from_mins(i64::from(minutes_ago));
    let user = |n: &u8| format!("u{n}");
    match fact {
        Fact::Upsert { user: n, signed_up_minutes_before } => {
            let mut data = json!({"user_id": user(n), "email": format!("{}@prop.test", user(n))});
            if let Some(before) = signed_up_minutes_before {
                data["signed_up_at"] = Value::from((at - SignedDuration::from_mins(i64::from(*before))).to_string());
            }
            event(&id, "user.upserted", &at.to_string(), data)
        }
        Fact::Session { user: n, login, duration_s } => {
            let mut data = json!({"user_id": user(n), "kind": if *login { "login" } else { "session" }});
            if !login {
                data["duration_s"] = Value::from(*duration_s);
            }
            event(&id, "user.session", &at.to_string(), data)
        }
        Fact::Execution { user: n, agent } => {
            let mut data = json!({"agent_id": format!("a{agent}"), "success": true, "duration_ms": 100});
            if *n < 4 {
                data["user_id"] = Value::from(user(n));
            }
            event(&id, "agent.execution", &at.to_string(), data)
        }
    }
}

/// What the brute force knows of a user, from the distinct events.
#[derive(Debug, Default)]
struct Known {
    days: BTreeSet<Date>,
    run_days: BTreeSet<Date>,
    sessions: BTreeMap<Date, i64>,
    runs: BTreeMap<Date, i64>,
    signup: Option<Date>,
}

fn known_users(events: &[ValidEvent], tz: &TimeZone) -> BTreeMap<String, Known> {
    let mut users: BTreeMap<String, Known> = BTreeMap::new();
    let local = |at: Timestamp| at.to_zoned(tz.clone()).date();
    for event in events {
        let Some(user) = event.str("user_id") else { continue };
        let known = users.entry(user.to_owned()).or_default();
        let day = local(event.occurred_at);
        match event.type_name() {
            "user.upserted" => {
                let at = event.str("signed_up_at").and_then(|text| text.parse().ok()).unwrap_or(event.occurred_at);
                known.signup = Some(known.signup.map_or(local(at), |signup| signup.min(local(at))));
            }
            kind => {
                known.days.insert(day);
                if kind == "agent.execution" {
                    known.run_days.insert(day);
                    *known.runs.entry(day).or_default() += 1;
                } else {
                    *known.sessions.entry(day).or_default() += 1;
                }
            }
        }
    }
    users
}

fn days_from(from: Date, to: Date) -> i64 {
    i64::from(from.until(to).expect("span").get_days())
}

fn monday(day: Date) -> Date {
    day.checked_sub(i64::from(day.weekday().to_monday_zero_offset()).days()).expect("monday")
}

fn pct(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 100.0 / whole as f64 * 10.0).round() / 10.0)
}

/// The engagement answer's numbers, brute-forced: `(metrics, daily rows, weekly rows)`, a row
/// being `(cohort date, users, retention)`.
type Rows = Vec<(Date, i64, Vec<f64>)>;

fn brute_engagement(users: &BTreeMap<String, Known>, start: Date, end: Date, today: Date) -> (Value, Rows, Rows) {
    let cohort: Vec<&Known> =
        users.values().filter(|known| known.signup.is_some_and(|day| (start..=end).contains(&day))).collect();
    let signup = |known: &Known| known.signup.expect("in a cohort");
    let active_on = |known: &Known, day: Date| known.days.contains(&day);
    let activated = cohort
        .iter()
        .filter(|known| known.run_days.iter().any(|day| (0..7).contains(&days_from(signup(known), *day))))
        .count();
    let retention = |n: i64| {
        let old_enough: Vec<&&Known> = cohort.iter().filter(|known| days_from(signup(known), today) >= n).collect();
        let back = old_enough
            .iter()
            .filter(|known| active_on(known, signup(known).checked_add(n.days()).expect("day")))
            .count();
        pct(back, old_enough.len())
    };
    let metrics = json!({"activation_rate": pct(activated, cohort.len()), "retention_day_1": retention(1),
                         "retention_day_7": retention(7), "retention_day_30": retention(30)});
    let mut daily: BTreeMap<Date, Vec<&Known>> = BTreeMap::new();
    for known in &cohort {
        daily.entry(signup(known)).or_default().push(known);
    }
    let daily_rows = daily
        .iter()
        .map(|(day, members)| {
            let last = days_from(*day, today).min(30);
            let row = (0..=last)
                .map(|k| {
                    let on = day.checked_add(k.days()).expect("day");
                    pct(members.iter().filter(|known| active_on(known, on)).count(), members.len()).expect("users")
                })
                .collect();
            (*day, members.len() as i64, row)
        })
        .collect();
    let mut weekly: BTreeMap<Date, Vec<&Known>> = BTreeMap::new();
    for known in users.values() {
        if let Some(day) = known.signup.filter(|day| (start..=end).contains(&monday(*day))) {
            weekly.entry(monday(day)).or_default().push(known);
        }
    }
    let weekly_rows = weekly
        .iter()
        .map(|(week, members)| {
            let last = (days_from(*week, today) / 7).min(12);
            let row = (0..=last)
                .map(|k| {
                    let active = members
                        .iter()
                        // Activity before the signup day counts in no week, as in no day.
                        .filter(|known| {
                            known.days.range(signup(known)..).any(|day| days_from(*week, *day).div_euclid(7) == k)
                        })
                        .count();
                    pct(active, members.len()).expect("users")
                })
                .collect();
            (*week, members.len() as i64, row)
        })
        .collect();
    (metrics, daily_rows, weekly_rows)
}

fn rows(answer: &domain::views::workspace_analytics::users::UserEngagement) -> Rows {
    answer.cohort_analysis.cohorts.iter().map(|c| (c.cohort_date, c.users, c.retention.clone())).collect()
}

#[derive(Debug, Clone)]
struct Stream {
    facts: Vec<(Fact, u32)>,
    arrivals: Vec<usize>,
    batch_sizes: Vec<usize>,
    /// The range asked: its end this many days before today, its length in days.
    end_days_ago: i64,
    length: i64,
}

fn stream() -> impl Strategy<Value = Stream> {
    prop::collection::vec((fact(), 0..WINDOW_MINUTES), 1..60).prop_flat_map(|facts| {
        let copies = prop::collection::vec(1..=3usize, facts.len());
        let arrivals = copies
            .prop_map(|copies| {
                copies.iter().enumerate().flat_map(|(i, &c)| std::iter::repeat_n(i, c)).collect::<Vec<_>>()
            })
            .prop_shuffle();
        (Just(facts), arrivals, prop::collection::vec(1..25usize, 1..10), 0..40i64, 1..60i64).prop_map(
            |(facts, arrivals, batch_sizes, end_days_ago, length)| Stream {
                facts,
                arrivals,
                batch_sizes,
                end_days_ago,
                length,
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn dau_wau_mau_and_retention_are_the_distinct_events_counts_whatever_the_delivery(plan in stream()) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        runtime.block_on(async {
            let ws = WorkspaceId::parse("ws-prop-users").expect("id");
            let store: Arc<dyn RollupStore> = Arc::new(SqliteStore::new(Db::in_memory().expect("db")));
            let (rules, limits, now) = (Rules::standard(), EventLimits::default(), prop_now());
            let valid = |raw: Value| validate_event(raw, now, &limits).expect("generated events are valid");
            apply_events(store.as_ref(), &rules, &ws, &[valid(workspace("settings", "2025-01-01T00:00:00Z", ZONE))])
                .await
                .expect("settings");
            let originals: Vec<ValidEvent> =
                plan.facts.iter().enumerate().map(|(i, (fact, ago))| valid(fact_json(i, fact, *ago))).collect();
            let mut arrivals = plan.arrivals.iter().map(|&i| originals[i].clone()).peekable();
            let mut sizes = plan.batch_sizes.iter().cycle();
            while arrivals.peek().is_some() {
                let batch: Vec<ValidEvent> = arrivals.by_ref().take(*sizes.next().expect("cycle")).collect();
                apply_events(store.as_ref(), &rules, &ws, &batch).await.expect("apply");
            }

            let tz = TimeZone::get(ZONE).expect("zone");
            let today = now.to_zoned(tz.clone()).date();
            let end = today.checked_sub(plan.end_days_ago.days()).expect("end");
            let start = end.checked_sub((plan.length - 1).days()).expect("start");
            let range = RequestedRange::Dates { start: Some(start), end: Some(end) };
            let users = known_users(&originals, &tz);

            let query = ActivityQuery { user_ids: None, activity_type: None, range, sort: UserSort::DEFAULT, descending: true };
            let activity = ranked_activity(store.as_ref(), &ws, &query, now).await.expect("activity").body;
            let active_in = |inside: &dyn Fn(Date) -> bool| users.values().filter(|k| k.days.iter().any(|d| inside(*d))).count() as i64;
            let summary = activity.activity_summary;
            prop_assert_eq!(summary.dau, active_in(&|day| day == end), "dau of {}", end);
            prop_assert_eq!(summary.wau, active_in(&|day| monday(day) == monday(end)), "wau of {}", end);
            prop_assert_eq!(summary.mau, active_in(&|day| day.first_of_month() == end.first_of_month()), "mau of {}", end);
            // Each listed (upserted) user's range numbers too.
            let in_range = |counts: &BTreeMap<Date, i64>| counts.range(start..=end).map(|(_, n)| n).sum::<i64>();
            let listed: BTreeSet<&String> = users.iter().filter(|(_, k)| k.signup.is_some()).map(|(id, _)| id).collect();
            prop_assert_eq!(activity.users.len(), listed.len());
            for user in &activity.users {
                let known = &users[&user.user_id];
                prop_assert_eq!(user.total_sessions, in_range(&known.sessions), "{}", user.user_id);
                prop_assert_eq!(user.total_executions, in_range(&known.runs), "{}", user.user_id);
            }

            let (metrics, daily, weekly) = brute_engagement(&users, start, end, today);
            let by_day = engagement(store.as_ref(), &ws, CohortPeriod::Daily, range, now).await.expect("daily").body;
            prop_assert_eq!(serde_json::to_value(by_day.engagement_metrics).expect("json"), metrics);
            prop_assert_eq!(rows(&by_day), daily);
            let by_week = engagement(store.as_ref(), &ws, CohortPeriod::Weekly, range, now).await.expect("weekly").body;
            prop_assert_eq!(rows(&by_week), weekly);
            Ok::<(), TestCaseError>(())
        })?;
    }
}
