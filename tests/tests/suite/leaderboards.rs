//! Seed 002's leaderboards over the hand-worked AI-agent scenario (`tests::agents_scenario`):
//! ranks, scores, changes against the previous range and ties, worked out by hand. The range is
//! March 6th-12th; the previous one February 27th-March 5th.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::agents_scenario::{RANGE, SECRET, SECRET_NAME, TEAM_B, WS, app_with_agents, dashboard, token_with_claim};
use tests::tokens::token;

fn board(kind: &str, extra: &str) -> String {
    format!("workspace_id={WS}&leaderboard_type={kind}&{RANGE}{extra}")
}

/// `(rank, entity_id, entity_name, score, change)` of each entry.
fn ranks(answer: &Value) -> Vec<(i64, String, Value, i64, Value)> {
    answer["data"]["leaderboard"]
        .as_array()
        .expect("leaderboard")
        .iter()
        .map(|entry| {
            (
                entry["rank"].as_i64().unwrap_or(-1),
                entry["entity_id"].as_str().unwrap_or("?").to_owned(),
                entry["entity_name"].clone(),
                entry["score"].as_i64().unwrap_or(-1),
                entry["change"].clone(),
            )
        })
        .collect()
}

fn row(rank: i64, id: &str, name: Value, score: i64, change: Value) -> (i64, String, Value, i64, Value) {
    (rank, id.to_owned(), name, score, change)
}

#[tokio::test]
async fn users_rank_by_successful_executions_ties_by_id_with_their_change_and_the_callers_own_rank() {
    let app = app_with_agents().await;
    let (status, answer) = dashboard(&app, WS, "user", "leaderboards", &board("users", "")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 7, "the workspace and the users list, then a range read per user (5)");
    // Now: u2 3 of 4 (e2 e7 s1, s2 failed), u3 3 (e4 g1 g2), u_user 3 (x1 x2 x3), u1 2 of 3
    // (e1 e5, e3 failed); u4 never ran. Three tie at 3: u2, u3, u_user by id, distinct ranks.
    // Before: u1 (s9), u2 (s0) and u3 (e0) one each: ranks 1, 2, 3 by id.
    assert_eq!(
        ranks(&answer),
        vec![
            row(1, "u2", json!("utwo"), 3, json!(1)),
            row(2, "u3", json!("Ursula Three"), 3, json!(1)),
            row(3, "u_user", json!("Una User"), 3, Value::Null),
            row(4, "u1", json!("Uma One"), 2, json!(-3)),
        ]
    );
    let data = &answer["data"];
    assert_eq!(
        data["leaderboard"][0]["details"],
        json!({"executions": 4, "success_rate": 75.0, "credits_consumed": 4.5, "sessions": 0})
    );
    // Sessions on the 7th and 11th (the one on March 1st is before the range).
    assert_eq!(
        data["leaderboard"][3]["details"],
        json!({"executions": 3, "success_rate": 66.67, "credits_consumed": 4.75, "sessions": 2})
    );
    // One of four ranked entries is below u_user.
    assert_eq!(data["user_rank"], json!({"rank": 3, "score": 3, "percentile": 25.0}));
    assert_eq!(data["ranked_entries"], 4);
    assert_eq!(
        [&data["start"], &data["end"], &data["previous_start"], &data["previous_end"]],
        [&json!("2025-03-06"), &json!("2025-03-12"), &json!("2025-02-27"), &json!("2025-03-05")]
    );
    assert!(!answer.to_string().contains("@ai.test"), "no email is shown: {answer}");

    let (_, admin) = dashboard(&app, WS, "admin", "leaderboards", &board("users", "")).await;
    assert_eq!(admin["data"]["user_rank"], Value::Null, "the admin has no row");
    let (_, top_two) = dashboard(&app, WS, "user", "leaderboards", &board("users", "&limit=2")).await;
    assert_eq!(ranks(&top_two).len(), 2);
    assert_eq!(top_two["data"]["user_rank"]["rank"], 3, "the caller's rank beyond the limit");
}

#[tokio::test]
async fn agents_rank_by_successful_executions_and_the_callers_best_agent_is_their_rank() {
    let app = app_with_agents().await;
    let (status, answer) = dashboard(&app, WS, "user", "leaderboards", &board("agents", "")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 6, "the workspace and the agents list, then a range read per agent (4)");
    // Now: Support Bot 6 of 7, Agent Self 2 of 2, Sales Bot 1 of 2; Idle Bot never ran, a_ghost
    // is not an agent of the list. Before: Sales Bot 2 (s0 s9), Support Bot 1 (e0).
    assert_eq!(
        ranks(&answer),
        vec![
            row(1, "a_support", json!("Support Bot"), 6, json!(1)),
            row(2, "u_agent", json!("Agent Self"), 2, Value::Null),
            row(3, "a_sales", json!("Sales Bot"), 1, json!(-2)),
        ]
    );
    assert_eq!(
        answer["data"]["leaderboard"][0]["details"],
        json!({"executions": 7, "success_rate": 85.71, "avg_execution_time": 1.571, "user_satisfaction": 3.67})
    );
    // u_user owns Support Bot and Idle Bot: the best ranked is 1st of 3.
    assert_eq!(answer["data"]["user_rank"], json!({"rank": 1, "score": 6, "percentile": 66.67}));
    for (role, expected) in [
        ("agent", json!({"rank": 2, "score": 2, "percentile": 33.33})),
        ("manager", json!({"rank": 3, "score": 1, "percentile": 0.0})),
        ("viewer", Value::Null),
    ] {
        let (status, answer) = dashboard(&app, WS, role, "leaderboards", &board("agents", "")).await;
        assert_eq!(status, StatusCode::OK, "{role}: {answer}");
        assert_eq!(answer["data"]["user_rank"], expected, "{role}");
    }
}

#[tokio::test]
async fn features_rank_by_their_tagged_executions_and_nobody_has_a_rank_among_them() {
    let app = app_with_agents().await;
    let (status, answer) = dashboard(&app, WS, "viewer", "leaderboards", &board("features", "")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 5, "the workspace and the features tally, then a range read per feature (3)");
    // Now: chat e1 e3 s1, search e5 g1, export_csv e6. Before: search 2 (e0 s0), export_csv 1 (s9).
    assert_eq!(
        ranks(&answer),
        vec![
            row(1, "chat", json!("chat"), 3, Value::Null),
            row(2, "search", json!("search"), 2, json!(-1)),
            row(3, "export_csv", json!("export_csv"), 1, json!(-1)),
        ]
    );
    assert_eq!(answer["data"]["leaderboard"][0]["details"], json!({"executions": 3, "success_rate": 66.67}));
    assert_eq!(answer["data"]["user_rank"], Value::Null);
}

#[tokio::test]
async fn workspaces_are_the_callers_and_its_claims_each_in_its_own_zone_and_never_another_tenant() {
    let app = app_with_agents().await;
    let bearer = token_with_claim(WS, "viewer", &[TEAM_B]);
    let (status, answer) =
        app.get(&format!("/api/v1/dashboard/leaderboards?{}", board("workspaces", "")), &bearer).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 6, "per workspace: its entity, then its days and its month's active users");
    // AI Workspace: 12 successes of 14 (Support 6/7, Sales 1/2, Agent Self 2/2, a_ghost 3/3), 3
    // before (e0 s0 s9). Team B in Tokyo's days: b1, b4 (the 6th there) and b2 now; b0 to b0d
    // before: 4 (New York's days would give 2 and 6).
    assert_eq!(
        ranks(&answer),
        vec![row(1, WS, json!("AI Workspace"), 12, json!(1)), row(2, TEAM_B, json!("Team B"), 3, json!(-1))]
    );
    // March's active users: u1, u2, u3 and u_user; Team B's v1 and v2.
    assert_eq!(
        answer["data"]["leaderboard"][0]["details"],
        json!({"executions": 14, "success_rate": 85.71, "active_users": 4, "credits_consumed": 9.25})
    );
    assert_eq!(
        answer["data"]["leaderboard"][1]["details"],
        json!({"executions": 3, "success_rate": 100.0, "active_users": 2, "credits_consumed": 0.0})
    );
    assert_eq!(answer["data"]["user_rank"], json!({"rank": 1, "score": 12, "percentile": 50.0}));
    let text = answer.to_string();
    assert!(!text.contains(SECRET_NAME) && !text.contains(SECRET), "{text}");
    assert!(ranks(&answer).iter().all(|(.., score, _)| *score != 20), "Secret Corp's 20 successes never show");

    let (_, alone) = dashboard(&app, WS, "viewer", "leaderboards", &board("workspaces", "")).await;
    assert_eq!(ranks(&alone), vec![row(1, WS, json!("AI Workspace"), 12, json!(0))], "no claim: its own only");
    assert_eq!(alone["data"]["user_rank"]["percentile"], 0.0);
}

#[tokio::test]
async fn every_member_may_ask_but_only_about_their_own_workspace_and_bad_parameters_are_named() {
    let app = app_with_agents().await;
    for role in ["admin", "manager", "viewer", "agent", "user"] {
        let (status, answer) = dashboard(&app, WS, role, "leaderboards", &board("users", "")).await;
        assert_eq!(status, StatusCode::OK, "{role}: {answer}");
    }
    let path = format!("/api/v1/dashboard/leaderboards?{}", board("users", ""));
    assert_eq!(app.get(&path, &token(WS, "service")).await.0, StatusCode::FORBIDDEN);
    let (status, answer) = dashboard(&app, TEAM_B, "admin", "leaderboards", &board("users", "")).await;
    assert_eq!((status, answer["error"]["details"]["field"].as_str()), (StatusCode::FORBIDDEN, Some("workspace_id")));

    for (query, field) in [
        ("", "leaderboard_type"),
        ("leaderboard_type=teams", "leaderboard_type"),
        ("leaderboard_type=users&limit=0", "limit"),
        ("leaderboard_type=users&limit=101", "limit"),
        ("leaderboard_type=users&limit=ten", "limit"),
        ("leaderboard_type=users&start=2025-03-12&end=2025-03-01", "start"),
    ] {
        let (status, answer) = dashboard(&app, WS, "viewer", "leaderboards", query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {answer}");
        assert_eq!(answer["error"]["details"]["field"], field, "{query}: {answer}");
    }
    let (status, answer) = dashboard(&app, WS, "viewer", "leaderboards", "leaderboard_type=users&limit=100").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn a_leaderboard_is_cached_per_caller_whose_own_rank_it_shows() {
    let app = app_with_agents().await;
    let (_, first) = dashboard(&app, WS, "user", "leaderboards", &board("agents", "")).await;
    app.store.take();
    let (_, again) = dashboard(&app, WS, "user", "leaderboards", &board("agents", "")).await;
    assert_eq!((again["meta"]["cache"].as_str(), app.store.take()), (Some("hit"), 0));
    assert_eq!(again["data"], first["data"]);
    let (_, manager) = dashboard(&app, WS, "manager", "leaderboards", &board("agents", "")).await;
    assert_eq!(manager["meta"]["cache"], "miss", "another caller's rank is computed for them");
    assert_eq!(manager["data"]["user_rank"]["rank"], 3);
}
