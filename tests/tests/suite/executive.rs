//! Seed 002's executive routes end to end over the hand-worked scenario of
//! `tests::executive_scenario`: the summary (revenue and its growth, MRR as of a past end, churn,
//! users, credits, uptime with a minute holding a 5xx), the trends at every granularity (DST
//! days of 23 and 25 hours, an ISO week boundary in local time, exact distinct users), store
//! reads, the cache, roles and bad parameters naming their field.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::executive_scenario::{OTHER, WS, app_with_scenario};
use tests::tokens::token;

const SUMMARY: &str = "/api/v1/dashboard/executive/summary";
const TRENDS: &str = "/api/v1/dashboard/executive/trends";

/// The values of one metric's series, and the dates of its points.
fn series(answer: &Value, metric: &str) -> (Vec<Value>, Vec<String>) {
    let trend = answer["data"]["trends"].as_array().and_then(|trends| trends.iter().find(|t| t["metric"] == metric));
    let points = trend.and_then(|trend| trend["data"].as_array()).cloned().unwrap_or_default();
    let values = points.iter().map(|point| point["value"].clone()).collect();
    let dates = points.iter().map(|point| point["date"].as_str().unwrap_or_default().to_owned()).collect();
    (values, dates)
}

#[tokio::test]
async fn the_summary_of_october_is_worked_out_by_hand() {
    let app = app_with_scenario().await;
    app.store.take();
    let (status, answer) = app.get(&format!("{SUMMARY}?start=2025-10-01&end=2025-10-31"), &token(WS, "manager")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 5, "the workspace, its days, the gauges and MAU, the two minute counts");
    assert_eq!(answer["success"], true);
    let data = &answer["data"];
    // Paid in October (local): p1 100, p4 25 (pending, then paid on the 14th), p2 50 (23:30 on
    // the 31st in New York, November in UTC); p3 failed. Before (Aug 31..Sep 30): p5 140.
    // Growth (175 − 140) / 140 = 25 %. MRR as of Oct 31: s1 100 + s2 1,200/12 + s4 30 = 230 (s3
    // cancelled on the 20th, s6 past due on the 25th, s5 only from Nov 2): the MRR now (s1, s2,
    // s5: 280) less Nov 1..5's net (s5 begun 80, s4 lapsed 30).
    assert_eq!(
        data["revenue_metrics"],
        json!({"total_revenue": 175.0, "mrr": 230.0, "arr": 2760.0, "growth_rate": 25.0, "previous_revenue": 140.0})
    );
    // Joined by Oct 31: u1..u4 (u5 on Nov 3); in October u3 and u4 (23:30 on the 31st, local).
    // Active in October: u1 (execution, session), u3 (session, execution), u2 (the request at
    // 23:30 on the 31st). Churn: s3 cancelled, of s1..s4 active on Oct 1 (active now 3, less
    // begun since 2 (s6, s5), plus lapsed since 3 (s3, s6, s4) = 4): 1 / 4.
    assert_eq!(
        data["user_metrics"],
        json!({"total_users": 4, "active_users": 3, "new_users": 2, "churn_rate": 25.0,
               "subscriptions_cancelled": 1, "subscriptions_active_at_start": 4})
    );
    // 12.5 + 7.5 credits, over 3 active users.
    assert_eq!(
        data["usage_metrics"],
        json!({"total_credits": 10000.0, "credits_consumed": 20.0, "avg_credits_per_user": 6.67})
    );
    // Minutes with traffic: Oct 6 10:00 and 10:01, and Nov 1 03:30Z (Oct 31 locally); 10:00 held
    // the 503: uptime 100 × 2/3. Latency (100 + 300 + 200 + 400) / 4; 1 of 4 requests a 5xx.
    assert_eq!(
        data["performance_metrics"],
        json!({"uptime": 66.6667, "avg_response_time": 250.0, "error_rate": 25.0, "total_requests": 4,
               "minutes_with_traffic": 3, "minutes_with_server_errors": 1})
    );
    assert_eq!(
        data["period"],
        json!({"start": "2025-10-01", "end": "2025-10-31", "days": 31, "previous_start": "2025-08-31",
               "previous_end": "2025-09-30"})
    );
    assert_eq!(answer["meta"]["timezone"], "America/New_York");
    assert_eq!(answer["meta"]["watermark"], "2025-11-05T16:30:00Z", "the newest execution");
    assert_eq!(answer["meta"]["cache"], "miss");

    let (_, again) = app.get(&format!("{SUMMARY}?start=2025-10-01&end=2025-10-31"), &token(WS, "admin")).await;
    assert_eq!((again["meta"]["cache"].as_str(), app.store.take()), (Some("hit"), 0));
    assert_eq!(again["data"], answer["data"]);
}

#[tokio::test]
async fn mrr_and_churn_follow_the_range_end_through_the_subscriptions_history() {
    let app = app_with_scenario().await;
    let ask = |query: &'static str| {
        let app = &app;
        async move { app.get(&format!("{SUMMARY}?{query}"), &token(WS, "admin")).await.1["data"].clone() }
    };
    // Nov 2: s1 100, s2 100, s4 30 (cancelled only on the 3rd), s5 80.
    let november = ask("start=2025-11-01&end=2025-11-02").await;
    assert_eq!(
        (november["revenue_metrics"]["mrr"].as_f64(), november["revenue_metrics"]["arr"].as_f64()),
        (Some(310.0), Some(3720.0))
    );
    // September: s1, s2, s3, s4 active at its end (280); on Sep 1 only s1 and s4 (s2 first seen
    // that day): nothing cancelled of 2, churn 0. Revenue: p5 140 against nothing before: null.
    let september = ask("start=2025-09-01&end=2025-09-30").await;
    assert_eq!(september["revenue_metrics"]["mrr"], 280.0);
    assert_eq!(
        (september["revenue_metrics"]["growth_rate"].clone(), september["revenue_metrics"]["total_revenue"].as_f64()),
        (Value::Null, Some(140.0))
    );
    assert_eq!(
        (&september["user_metrics"]["churn_rate"], &september["user_metrics"]["subscriptions_active_at_start"]),
        (&json!(0.0), &json!(2))
    );
    // Users who joined by Sep 30: u1, u2; active in September: u2 (the execution of the 20th).
    assert_eq!(
        (september["user_metrics"]["total_users"].as_i64(), september["user_metrics"]["active_users"].as_i64()),
        (Some(2), Some(1))
    );
    // No traffic, no execution in August: uptime, response time, error rate and credits per user
    // are null, not 0 or NaN.
    let august = ask("start=2025-08-01&end=2025-08-31").await;
    let performance = &august["performance_metrics"];
    assert_eq!(
        [&performance["uptime"], &performance["avg_response_time"], &performance["error_rate"]],
        [&Value::Null, &Value::Null, &Value::Null]
    );
    assert_eq!(august["usage_metrics"]["avg_credits_per_user"], Value::Null);
    assert_eq!(august["user_metrics"]["churn_rate"], Value::Null, "no subscription was active on Aug 1");
    // Today's range by default: the 30 local days ending Nov 5.
    let default = ask("").await;
    assert_eq!(
        (default["period"]["start"].as_str(), default["period"]["end"].as_str()),
        (Some("2025-10-07"), Some("2025-11-05"))
    );
    assert_eq!(default["revenue_metrics"]["mrr"], 280.0, "the MRR now");
}

#[tokio::test]
async fn daily_trends_gap_fill_every_local_day_of_each_metric() {
    let app = app_with_scenario().await;
    app.store.take();
    let query =
        "start=2025-10-30&end=2025-11-02&granularity=daily&metrics=revenue,users,usage,executions,errors,credits";
    let (status, answer) = app.get(&format!("{TRENDS}?{query}"), &token(WS, "manager")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 4, "the workspace, the days, the daily active users, the all-time cell");
    let metrics: Vec<&str> = answer["data"]["trends"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|trend| trend["metric"].as_str())
        .collect();
    assert_eq!(metrics, ["revenue", "users", "usage", "executions", "errors", "credits"], "in the order asked");
    let (revenue, dates) = series(&answer, "revenue");
    assert_eq!(dates, ["2025-10-30", "2025-10-31", "2025-11-01", "2025-11-02"]);
    // p2 and u2's request at 23:30 on the 31st (local); Nov 2: x-f1 and x-f2 (01:30, twice) and
    // x-w1 (23:30), all u1's, x-f2 failed, x-w1 1.25 credits.
    assert_eq!(revenue, [json!(0.0), json!(50.0), json!(0.0), json!(0.0)]);
    assert_eq!(series(&answer, "users").0, [json!(0), json!(1), json!(0), json!(1)]);
    assert_eq!(series(&answer, "usage").0, [json!(0), json!(1), json!(0), json!(0)]);
    assert_eq!(series(&answer, "executions").0, [json!(0), json!(0), json!(0), json!(3)]);
    assert_eq!(series(&answer, "errors").0, [json!(0), json!(0), json!(0), json!(1)]);
    assert_eq!(series(&answer, "credits").0, [json!(0.0), json!(0.0), json!(0.0), json!(1.25)]);
    assert_eq!(
        (answer["data"]["granularity"].as_str(), answer["data"]["start"].as_str(), answer["data"]["end"].as_str()),
        (Some("daily"), Some("2025-10-30"), Some("2025-11-02"))
    );

    // Only users: the activity is not read.
    let (_, users) =
        app.get(&format!("{TRENDS}?start=2025-10-30&end=2025-11-02&metrics=users"), &token(WS, "admin")).await;
    assert_eq!((series(&users, "users").0.len(), app.store.take()), (4, 3));
    // By default: revenue, users, usage, daily, the 30 days ending today.
    let (_, default) = app.get(TRENDS, &token(WS, "admin")).await;
    let (_, dates) = series(&default, "usage");
    assert_eq!(
        (dates.len(), dates.first().map(String::as_str), dates.last().map(String::as_str)),
        (30, Some("2025-10-07"), Some("2025-11-05"))
    );
    assert_eq!(default["data"]["trends"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn hourly_trends_run_from_local_midnight_to_local_midnight_through_dst_changes() {
    let app = app_with_scenario().await;
    let hourly = |day: &'static str, metrics: &'static str| {
        let app = &app;
        async move {
            let query = format!("start={day}&end={day}&granularity=hourly&metrics={metrics}");
            let (status, answer) = app.get(&format!("{TRENDS}?{query}"), &token(WS, "admin")).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            answer
        }
    };
    // Spring forward: midnight EST is 05:00Z, the next midnight (EDT) 04:00Z: 23 hours.
    let spring = hourly("2025-03-09", "executions,users").await;
    let (executions, dates) = series(&spring, "executions");
    assert_eq!(
        (dates.len(), dates[0].as_str(), dates[22].as_str()),
        (23, "2025-03-09T05:00:00Z", "2025-03-10T03:00:00Z")
    );
    let ones: Vec<usize> = executions.iter().enumerate().filter(|(_, v)| **v == json!(1)).map(|(i, _)| i).collect();
    // 06:30Z, 07:15Z and 03:59Z on the 10th (23:59 local); 04:00Z on the 10th is the next day.
    assert_eq!(ones, [1, 2, 22]);
    assert_eq!(executions.iter().filter(|v| **v == json!(0)).count(), 20);
    let (users, _) = series(&spring, "users");
    assert_eq!((users[1].clone(), users[2].clone(), users[22].clone()), (json!(1), json!(1), json!(1)));

    // Fall back: 04:00Z to 04:00Z the next day, 25 hours; 01:30 local happens twice (05:30Z,
    // 06:30Z) and 23:30 local is 04:30Z on Nov 3.
    let autumn = hourly("2025-11-02", "executions,errors").await;
    let (executions, dates) = series(&autumn, "executions");
    assert_eq!(
        (dates.len(), dates[0].as_str(), dates[24].as_str()),
        (25, "2025-11-02T04:00:00Z", "2025-11-03T04:00:00Z")
    );
    let ones: Vec<usize> = executions.iter().enumerate().filter(|(_, v)| **v == json!(1)).map(|(i, _)| i).collect();
    assert_eq!(ones, [1, 2, 24]);
    assert_eq!(series(&autumn, "errors").0[2], json!(1), "x-f2, the second 01:30, failed");

    // Hourly revenue is the UTC hour of the payment: p2 at 03:30Z, the last hour of Oct 31 (EDT).
    let (revenue, dates) = series(&hourly("2025-10-31", "revenue").await, "revenue");
    assert_eq!((dates.len(), dates[23].as_str(), revenue[23].clone()), (24, "2025-11-01T03:00:00Z", json!(50.0)));
}

#[tokio::test]
async fn weekly_and_monthly_trends_count_whole_local_weeks_and_months_with_exact_users() {
    let app = app_with_scenario().await;
    let (status, weekly) = app
        .get(
            &format!("{TRENDS}?start=2025-10-26&end=2025-11-04&granularity=weekly&metrics=executions,users"),
            &token(WS, "admin"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{weekly}");
    let (executions, dates) = series(&weekly, "executions");
    assert_eq!(dates, ["2025-10-20", "2025-10-27", "2025-11-03"], "the ISO weeks' Mondays");
    // x-w1 at 04:30Z on Monday Nov 3 is Sunday 23:30 in New York: the week of Oct 27 (with x-e2,
    // x-f1, x-f2); Nov 3's week has x-t1..x-t5.
    assert_eq!(executions, [json!(0), json!(4), json!(5)]);
    // Distinct users of each whole week: u1 on Oct 20 (before the range's start, inside its first
    // week); u3, u2, u1; u5 (Nov 4 and 5) and u4: 2, where a sum of days would say 3.
    assert_eq!(series(&weekly, "users").0, [json!(1), json!(3), json!(2)]);

    let (status, monthly) = app
        .get(
            &format!("{TRENDS}?start=2025-10-15&end=2025-11-05&granularity=monthly&metrics=executions,users,revenue"),
            &token(WS, "admin"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{monthly}");
    let (executions, dates) = series(&monthly, "executions");
    assert_eq!((dates, executions), (vec!["2025-10".to_owned(), "2025-11".to_owned()], vec![json!(2), json!(8)]));
    // October's MAU u1, u2, u3; November's u1, u5, u4 (its days sum to 4: u5 on two days).
    assert_eq!(series(&monthly, "users").0, [json!(3), json!(3)]);
    assert_eq!(series(&monthly, "revenue").0, [json!(175.0), json!(60.0)]);
}

#[tokio::test]
async fn a_series_of_more_than_a_thousand_points_is_refused_naming_granularity() {
    let app = app_with_scenario().await;
    // 41 local days with the fall-back hour: 985 hours.
    let (status, answer) = app
        .get(&format!("{TRENDS}?start=2025-09-25&end=2025-11-04&granularity=hourly&metrics=usage"), &token(WS, "admin"))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(series(&answer, "usage").0.len(), 985);
    app.store.take();
    let (status, answer) = app
        .get(&format!("{TRENDS}?start=2025-09-24&end=2025-11-04&granularity=hourly&metrics=usage"), &token(WS, "admin"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"]["details"]["field"], "granularity");
    assert_eq!(app.store.take(), 0, "42 days are over 1,000 hours in any zone: refused before reading");
    // The same 42 days daily are 42 points.
    let (status, _) =
        app.get(&format!("{TRENDS}?start=2025-09-24&end=2025-11-04&metrics=usage"), &token(WS, "admin")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_parameters_are_refused_naming_the_field() {
    let app = app_with_scenario().await;
    let admin = token(WS, "admin");
    for (path, field, says) in [
        (format!("{TRENDS}?metrics=revenue,profit"), "metrics", "profit"),
        (format!("{TRENDS}?metrics="), "metrics", "at least one"),
        (format!("{TRENDS}?granularity=yearly"), "granularity", "yearly"),
        (format!("{TRENDS}?start=2025-11-02&end=2025-11-01"), "start", "after"),
        (format!("{SUMMARY}?start=2024-01-01&end=2025-11-01"), "start", "400"),
        (format!("{SUMMARY}?end=11/01/2025"), "end", ""),
        // A start after today in every zone, with the end defaulting to today.
        (format!("{SUMMARY}?start=2025-11-08"), "start", "after"),
    ] {
        let (status, answer) = app.get(&path, &admin).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {answer}");
        assert_eq!(answer["error"]["details"]["field"], field, "{path}: {answer}");
        assert!(answer["error"]["message"].as_str().unwrap_or_default().contains(says), "{path}: {answer}");
    }
    for path in [format!("{SUMMARY}?workspace_id={OTHER}"), format!("{TRENDS}?workspace_id={OTHER}")] {
        let (status, answer) = app.get(&path, &admin).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        assert_eq!(answer["error"]["details"]["field"], "workspace_id");
    }
    let (status, _) = app.get(&format!("{SUMMARY}?workspace_id={WS}"), &admin).await;
    assert_eq!(status, StatusCode::OK, "the caller's own workspace named");
}

#[tokio::test]
async fn only_admins_and_managers_see_the_executive_routes() {
    let app = app_with_scenario().await;
    for path in [SUMMARY, TRENDS] {
        for (role, expected) in [
            ("admin", StatusCode::OK),
            ("manager", StatusCode::OK),
            ("viewer", StatusCode::FORBIDDEN),
            ("user", StatusCode::FORBIDDEN),
            ("agent", StatusCode::FORBIDDEN),
            ("service", StatusCode::FORBIDDEN),
        ] {
            assert_eq!(app.get(path, &token(WS, role)).await.0, expected, "{path} as {role}");
        }
    }
    // Another workspace's admin sees its own numbers, none of these.
    let (status, answer) = app.get(&format!("{SUMMARY}?start=2025-10-01&end=2025-10-31"), &token(OTHER, "admin")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["data"]["revenue_metrics"]["total_revenue"], 500.0, "Beta's own payment");
    assert_eq!(answer["meta"]["timezone"], "Europe/Paris");
}
