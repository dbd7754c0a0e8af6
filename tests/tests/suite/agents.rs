//! Seed 002's agents routes over the hand-worked AI-agent scenario (`tests::agents_scenario`):
//! every number below is counted from its events by hand.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::agents_scenario::{RANGE, TEAM_B, WS, app_with_agents, dashboard};
use tests::tokens::token;

fn usage_of(answer: &Value) -> Vec<(String, i64, i64, f64, i64)> {
    answer["data"]["usage_pattern"]
        .as_array()
        .expect("usage_pattern")
        .iter()
        .map(|point| {
            (
                point["timestamp"].as_str().unwrap_or("?").to_owned(),
                point["executions"].as_i64().unwrap_or(-1),
                point["unique_users"].as_i64().unwrap_or(-1),
                point["credits"].as_f64().unwrap_or(-1.0),
                point["errors"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

fn point(at: &str, executions: i64, users: i64, credits: f64, errors: i64) -> (String, i64, i64, f64, i64) {
    (at.to_owned(), executions, users, credits, errors)
}

#[tokio::test]
async fn performance_lists_every_agent_by_executions_with_rates_times_credits_and_ratings() {
    let app = app_with_agents().await;
    let (status, answer) =
        dashboard(&app, WS, "viewer", "agents/performance", &format!("workspace_id={WS}&{RANGE}")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 6, "the workspace and the agents list, then a range read per agent (4)");
    assert_eq!(answer["success"], true);
    let data = &answer["data"];
    // Support Bot, March 6th-12th: e1 e2 e7 e3 e4 e5 e6 (e0 is on the 4th), e3 failed;
    // 11,000 ms / 7; credits 1.5 + 0.5 + 1 + 2.25; ratings 5, 2 and 4.
    assert_eq!(
        data["agents"][0],
        json!({"agent_id": "a_support", "agent_name": "Support Bot", "total_executions": 7, "success_rate": 85.71,
               "avg_execution_time": 1.571, "error_rate": 14.29, "credits_consumed": 5.25, "user_satisfaction": 3.67,
               "successful_executions": 6, "failed_executions": 1, "rated_executions": 3})
    );
    // Sales Bot and Agent Self tie at 2 executions: by id. s0 and s9 are before the range.
    assert_eq!(
        data["agents"][1],
        json!({"agent_id": "a_sales", "agent_name": "Sales Bot", "total_executions": 2, "success_rate": 50.0,
               "avg_execution_time": 2.5, "error_rate": 50.0, "credits_consumed": 4.0, "user_satisfaction": null,
               "successful_executions": 1, "failed_executions": 1, "rated_executions": 0})
    );
    assert_eq!(
        (data["agents"][2]["agent_id"].as_str(), data["agents"][2]["success_rate"].as_f64()),
        (Some("u_agent"), Some(100.0))
    );
    assert_eq!(
        data["agents"][3],
        json!({"agent_id": "a_idle", "agent_name": "Idle Bot", "total_executions": 0, "success_rate": null,
               "avg_execution_time": null, "error_rate": null, "credits_consumed": 0.0, "user_satisfaction": null,
               "successful_executions": 0, "failed_executions": 0, "rated_executions": 0}),
        "an agent without executions is listed, its rates null"
    );
    assert_eq!(data["agents"].as_array().map(Vec::len), Some(4), "a_ghost ran but was never upserted");
    // Weighted by executions: (6 + 1 + 2) / (7 + 2 + 2) = 81.82 %, not the mean of 85.71, 50 and 100.
    assert_eq!(data["aggregates"], json!({"total_agents": 4, "avg_success_rate": 81.82, "total_executions": 11}));
    assert_eq!((data["start"].as_str(), data["end"].as_str()), (Some("2025-03-06"), Some("2025-03-12")));
    assert_eq!(data["unknown_agent_ids"], json!([]));
    assert_eq!(answer["meta"]["timezone"], "America/New_York");
    assert_eq!(answer["meta"]["cache"], "miss");

    let (_, again) = dashboard(&app, WS, "manager", "agents/performance", &format!("workspace_id={WS}&{RANGE}")).await;
    assert_eq!((again["meta"]["cache"].as_str(), app.store.take()), (Some("hit"), 0));
    assert_eq!(again["data"], answer["data"]);
}

#[tokio::test]
async fn performance_of_some_agents_lists_the_unknown_ones_apart_another_workspaces_included() {
    let app = app_with_agents().await;
    let query = format!("agent_ids=a_sales,b_bot,a_ghost,a_sales&{RANGE}");
    let (status, answer) = dashboard(&app, WS, "admin", "agents/performance", &query).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 3, "a range read for the one known agent only");
    let data = &answer["data"];
    assert_eq!(data["agents"].as_array().map(Vec::len), Some(1));
    assert_eq!(data["agents"][0]["agent_id"], "a_sales");
    // b_bot is Team B's agent, a_ghost was never upserted: neither is this workspace's agent.
    assert_eq!(data["unknown_agent_ids"], json!(["b_bot", "a_ghost"]));
    assert_eq!(data["aggregates"], json!({"total_agents": 1, "avg_success_rate": 50.0, "total_executions": 2}));
}

#[tokio::test]
async fn daily_usage_has_every_local_day_with_its_offset_and_peak_hours_follow_the_local_clock_across_dst() {
    let app = app_with_agents().await;
    let query = format!("agent_id=a_support&granularity=daily&{RANGE}");
    let (status, answer) = dashboard(&app, WS, "viewer", "agents/usage", &query).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 5, "entities and the all-time cell, then days, distinct users and hours");
    // New York springs forward on Sunday the 9th: midnight of the 10th is already EDT.
    assert_eq!(
        usage_of(&answer),
        vec![
            point("2025-03-06T00:00:00-05:00", 0, 0, 0.0, 0),
            point("2025-03-07T00:00:00-05:00", 1, 1, 1.5, 0),
            point("2025-03-08T00:00:00-05:00", 1, 1, 0.5, 0),
            point("2025-03-09T00:00:00-05:00", 1, 1, 0.0, 0),
            point("2025-03-10T00:00:00-04:00", 2, 2, 1.0, 1),
            // e5 by u1 and e6 by nobody: one distinct user.
            point("2025-03-11T00:00:00-04:00", 2, 1, 2.25, 0),
            point("2025-03-12T00:00:00-04:00", 0, 0, 0.0, 0),
        ]
    );
    let data = &answer["data"];
    // Local hours: e1 09:30, e2 09:10 (EST), e3 09:20 (EDT), e4 14:00, e5 14:45, e7 11:00, e6 16:00.
    // In UTC, e3 (13:20Z) is an hour apart from e1 and e2 (14:xxZ): UTC peaks would be 14, 18, 13.
    assert_eq!(data["peak_hours"], json!([9, 14, 11]), "11 and 16 tie at one: the earlier first");
    // Monday and Tuesday 2 each; Friday, Saturday and Sunday 1 each: Friday first.
    assert_eq!(data["busiest_days"], json!(["Monday", "Tuesday", "Friday"]));
    assert_eq!(
        (data["agent_id"].as_str(), data["agent_name"].as_str(), data["granularity"].as_str()),
        (Some("a_support"), Some("Support Bot"), Some("daily"))
    );
    assert_eq!(answer["meta"]["watermark"], "2025-03-11T20:00:00Z", "e6, the agent's newest execution");
}

#[tokio::test]
async fn weekly_unique_users_are_distinct_over_the_whole_iso_week_not_the_sum_of_its_days() {
    let app = app_with_agents().await;
    let query = format!("agent_id=a_support&granularity=weekly&{RANGE}");
    let (status, answer) = dashboard(&app, WS, "viewer", "agents/usage", &query).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 5);
    // Week of March 3rd (whole: e0 on Tuesday the 4th is in, though before the range): u3, u1,
    // u2, u2, 3 distinct where its days sum to 4. Week of the 10th: u1, u3, u1 and nobody, 2
    // distinct where its days in the range sum to 3.
    assert_eq!(
        usage_of(&answer),
        vec![point("2025-03-03T00:00:00-05:00", 4, 3, 2.0, 0), point("2025-03-10T00:00:00-04:00", 4, 2, 3.25, 1)]
    );
    // Peaks count the range's own hours: e0 (10:00 on the 4th) would put 10 before 11.
    assert_eq!(answer["data"]["peak_hours"], json!([9, 14, 11]));
    assert_eq!(answer["data"]["busiest_days"], json!(["Monday", "Tuesday", "Friday"]));
}

#[tokio::test]
async fn monthly_usage_is_the_whole_calendar_month_with_its_exact_distinct_users() {
    let app = app_with_agents().await;
    let query = format!("agent_id=a_support&granularity=monthly&{RANGE}");
    let (status, answer) = dashboard(&app, WS, "viewer", "agents/usage", &query).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 5);
    // e0 to e7 (no fold needed: the days are summed, the month's distinct users kept whole).
    assert_eq!(usage_of(&answer), vec![point("2025-03-01T00:00:00-05:00", 8, 3, 5.25, 1)]);
}

#[tokio::test]
async fn hourly_usage_of_the_spring_forward_day_has_its_23_utc_hours() {
    let app = app_with_agents().await;
    let query = "agent_id=a_support&start=2025-03-09&end=2025-03-09";
    let (status, answer) = dashboard(&app, WS, "viewer", "agents/usage", query).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"]["granularity"], "hourly", "the default");
    let points = usage_of(&answer);
    assert_eq!(points.len(), 23, "midnight EST (05:00Z) to midnight EDT (04:00Z)");
    assert_eq!((points[0].0.as_str(), points[22].0.as_str()), ("2025-03-09T05:00:00Z", "2025-03-10T03:00:00Z"));
    assert_eq!(points[10], point("2025-03-09T15:00:00Z", 1, 1, 0.0, 0), "e7");
    assert_eq!(points.iter().map(|p| p.1).sum::<i64>(), 1);
    assert_eq!(answer["data"]["peak_hours"], json!([11]));
    assert_eq!(answer["data"]["busiest_days"], json!(["Sunday"]));

    // The default range, the 30 days to today: 30 × 24 hours, less the one skipped.
    let (status, answer) = dashboard(&app, WS, "viewer", "agents/usage", "agent_id=a_idle").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(usage_of(&answer).len(), 719);
    assert_eq!((answer["data"]["peak_hours"].clone(), answer["data"]["busiest_days"].clone()), (json!([]), json!([])));
    assert_eq!(answer["data"]["start"], "2025-02-11");
}

#[tokio::test]
async fn usage_of_an_agent_the_workspace_does_not_have_is_not_found() {
    let app = app_with_agents().await;
    for agent in ["b_bot", "a_ghost", "nobody"] {
        let (status, answer) = dashboard(&app, WS, "admin", "agents/usage", &format!("agent_id={agent}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{agent}: {answer}");
        assert_eq!(answer["error"]["code"], "NOT_FOUND");
        assert!(!answer.to_string().contains("B Bot"), "{answer}");
    }
    let (status, _) = dashboard(&app, TEAM_B, "admin", "agents/usage", "agent_id=b_bot").await;
    assert_eq!(status, StatusCode::OK, "in its own workspace");
}

#[tokio::test]
async fn each_bad_parameter_is_a_400_naming_it() {
    let app = app_with_agents().await;
    for (route, query, field) in [
        ("agents/usage", "granularity=daily", "agent_id"),
        ("agents/usage", "agent_id=a%20b", "agent_id"),
        ("agents/usage", "agent_id=a_support&granularity=yearly", "granularity"),
        ("agents/usage", "agent_id=a_support&start=2025-01-01&end=2025-03-12", "granularity"),
        ("agents/usage", "agent_id=a_support&start=2025-03-12&end=2025-03-01", "start"),
        ("agents/usage", "agent_id=a_support&end=2025-13-01", "end"),
        ("agents/performance", "agent_ids=a1,,a2", "agent_ids"),
        ("agents/performance", "agent_ids=", "agent_ids"),
        ("agents/performance", "start=2024-01-01&end=2025-03-01", "start"),
    ] {
        let (status, answer) = dashboard(&app, WS, "admin", route, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{route}?{query}: {answer}");
        assert_eq!(answer["error"]["details"]["field"], field, "{route}?{query}: {answer}");
    }
    let many: Vec<String> = (0..101).map(|i| format!("a{i}")).collect();
    let (status, answer) =
        dashboard(&app, WS, "admin", "agents/performance", &format!("agent_ids={}", many.join(","))).await;
    assert_eq!((status, answer["error"]["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("agent_ids")));
    // 71 days of hours: 1,703 points.
    let (_, answer) =
        dashboard(&app, WS, "admin", "agents/usage", "agent_id=a_support&start=2025-01-01&end=2025-03-12").await;
    assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("1703")), "{answer}");
    let (status, _) = dashboard(
        &app,
        WS,
        "admin",
        "agents/usage",
        "agent_id=a_support&granularity=daily&start=2025-01-01&end=2025-03-12",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "71 days are 71 daily points");
}

#[tokio::test]
async fn only_admins_managers_and_viewers_of_the_workspace_named_may_ask() {
    let app = app_with_agents().await;
    for route in ["agents/performance", "agents/usage?agent_id=a_support"] {
        let path = format!("/api/v1/dashboard/{route}");
        for role in ["agent", "user", "service"] {
            let (status, answer) = app.get(&path, &token(WS, role)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{route} as {role}: {answer}");
        }
        let separator = if route.contains('?') { '&' } else { '?' };
        let (status, answer) = app.get(&format!("{path}{separator}workspace_id={TEAM_B}"), &token(WS, "admin")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{route} of another workspace: {answer}");
        assert_eq!(answer["error"]["details"]["field"], "workspace_id");
    }
    let (status, answer) = dashboard(&app, TEAM_B, "viewer", "agents/performance", RANGE).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"]["agents"].as_array().map(Vec::len), Some(1), "Team B sees its own agent only");
    assert_eq!(answer["data"]["agents"][0]["agent_id"], "b_bot");
}
