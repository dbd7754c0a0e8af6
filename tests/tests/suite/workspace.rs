//! Seed 002's workspace routes end to end over `tests::executive_scenario`: the overview today
//! (seats, the credit period and what remains of it, today's activity and top agents) and the
//! comparison of workspaces, each in its own zone, with rankings; the comparison's tenancy (the
//! token's `workspaces` claim), roles, store reads and bad parameters.

use reqwest::StatusCode;
use serde_json::json;
use tests::executive_scenario::{HIDDEN, HIDDEN_NAME, OTHER, WS, app_with_scenario, token_comparing};
use tests::tokens::token;

const OVERVIEW: &str = "/api/v1/dashboard/workspace/overview";
const COMPARISON: &str = "/api/v1/dashboard/workspace/comparison";

#[tokio::test]
async fn the_overview_of_today_is_worked_out_by_hand() {
    let app = app_with_scenario().await;
    app.store.take();
    let (status, answer) = app.get(&format!("{OVERVIEW}?workspace_id={WS}"), &token(WS, "viewer")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 4, "the workspace, the agents, the credit period's days; then today's cells");
    let data = &answer["data"];
    // Created when first upserted (Jan 10), named by the latest upsert; seats used: u1, u2, u3,
    // u5 are active (u4 inactive), whatever the upsert's own seats_used (48) says.
    assert_eq!(
        data["workspace"],
        json!({"id": WS, "name": "Acme Analytics", "created_at": "2025-01-10T12:00:00Z", "plan": "enterprise",
               "seats": 50, "seats_used": 4, "timezone": "America/New_York"})
    );
    // Reset on Nov 20 (after today): the period runs from Oct 20. Its credits: x-e2 7.5 (Oct 28),
    // x-w1 1.25, x-t1 3, today's 2 + 1 + 4 + 0.5.
    assert_eq!(
        data["usage"],
        json!({"total_credits": 10000.0, "credits_consumed": 19.25, "credits_remaining": 9980.75,
               "reset_date": "2025-11-20", "period_start": "2025-10-20"})
    );
    // Today (Nov 5 in New York): u5 and u4 active; a2 ran twice, a1 and a3 once each (a1 first by
    // id), a4 never.
    assert_eq!(
        data["activity"],
        json!({"date": "2025-11-05", "active_users_today": 2, "total_executions_today": 4,
               "top_agents": ["a2", "a1", "a3"],
               "top_agent_executions": [{"agent_id": "a2", "name": "Sales Bot", "executions": 2},
                                        {"agent_id": "a1", "name": "Support Bot", "executions": 1},
                                        {"agent_id": "a3", "name": "Research Bot", "executions": 1}]})
    );
    assert_eq!(answer["meta"]["watermark"], "2025-11-05T16:30:00Z");
    let (_, cached) = app.get(OVERVIEW, &token(WS, "manager")).await;
    assert_eq!((cached["meta"]["cache"].as_str(), app.store.take()), (Some("hit"), 0));
}

#[tokio::test]
async fn a_past_reset_date_gives_way_to_the_first_of_next_month_and_nothing_remains_of_an_overspent_total() {
    let app = app_with_scenario().await;
    let (status, answer) = app.get(OVERVIEW, &token(OTHER, "admin")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // Beta's reset date (Oct 1) is past: the next reset is Dec 1, the period from Nov 1 in Paris,
    // when b-e3 (100 credits, Oct 31 23:30Z) ran; its total is 50.
    assert_eq!(
        answer["data"]["usage"],
        json!({"total_credits": 50.0, "credits_consumed": 100.0, "credits_remaining": 0.0,
               "reset_date": "2025-12-01", "period_start": "2025-11-01"})
    );
    assert_eq!(answer["data"]["activity"]["top_agents"], json!([]), "no agent listed, none ran today");
    // A workspace with no event at all.
    let (status, empty) = app.get(OVERVIEW, &token("ws-empty", "viewer")).await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(
        (
            &empty["data"]["workspace"]["name"],
            &empty["data"]["workspace"]["created_at"],
            &empty["data"]["usage"]["credits_remaining"]
        ),
        (&json!(null), &json!(null), &json!(null))
    );
}

#[tokio::test]
async fn the_comparison_reads_each_workspace_in_its_own_zone_and_ranks_them() {
    let app = app_with_scenario().await;
    let admin = token_comparing("admin", &[OTHER]);
    app.store.take();
    let path = format!("{COMPARISON}?workspace_ids={WS},{OTHER}&start=2025-10-01&end=2025-10-31");
    let (status, answer) = app.get(&path, &admin).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 6, "three reads per workspace");
    // Acme as in the executive summary of October. Beta in Paris: b3 joined and b-e3 ran on Nov 1
    // there (Oct 31 23:30Z), so neither is October's: 2 users by Oct 31, 1 new (b2), 30 + 10
    // credits, 2 executions both successful, 500 paid; active in October: b1, b2.
    assert_eq!(
        answer["data"]["comparisons"],
        json!([
            {"workspace_id": WS, "workspace_name": "Acme Analytics", "timezone": "America/New_York",
             "start": "2025-10-01", "end": "2025-10-31",
             "metrics": {"total_users": 4, "active_users": 3, "new_users": 2, "credits_consumed": 20.0,
                         "total_executions": 2, "avg_success_rate": 50.0, "total_revenue": 175.0}},
            {"workspace_id": OTHER, "workspace_name": "Beta GmbH", "timezone": "Europe/Paris",
             "start": "2025-10-01", "end": "2025-10-31",
             "metrics": {"total_users": 2, "active_users": 2, "new_users": 1, "credits_consumed": 40.0,
                         "total_executions": 2, "avg_success_rate": 100.0, "total_revenue": 500.0}}
        ])
    );
    // Ties (2 executions each) by id.
    let (acme, beta) = (json!([WS, OTHER]), json!([OTHER, WS]));
    assert_eq!(
        answer["data"]["rankings"],
        json!({"by_users": acme, "by_usage": beta, "by_total_users": acme, "by_active_users": acme,
               "by_new_users": acme, "by_credits_consumed": beta, "by_total_executions": acme,
               "by_avg_success_rate": beta, "by_total_revenue": beta})
    );

    // Chosen metrics: only those, and their rankings beside the two named ones.
    let (_, chosen) = app
        .get(
            &format!("{COMPARISON}?workspace_ids={OTHER}&metrics=total_revenue&start=2025-10-01&end=2025-10-31"),
            &admin,
        )
        .await;
    assert_eq!(chosen["data"]["comparisons"][0]["metrics"], json!({"total_revenue": 500.0}));
    assert_eq!(
        chosen["data"]["rankings"],
        json!({"by_users": [OTHER], "by_usage": [OTHER], "by_total_revenue": [OTHER]})
    );
    // By default: the caller's workspace and its claim's.
    let (_, default) = app.get(COMPARISON, &admin).await;
    let ids: Vec<&str> = default["data"]["comparisons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|each| each["workspace_id"].as_str())
        .collect();
    assert_eq!(ids, [WS, OTHER]);
}

#[tokio::test]
async fn a_workspace_outside_the_tokens_claim_is_forbidden_and_never_shown() {
    let app = app_with_scenario().await;
    let admin = token_comparing("admin", &[OTHER]);
    app.store.take();
    for ids in [format!("{WS},{HIDDEN}"), HIDDEN.to_owned(), format!("{HIDDEN},ws-that-does-not-exist")] {
        let (status, answer) = app.get(&format!("{COMPARISON}?workspace_ids={ids}"), &admin).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{ids}: {answer}");
        assert_eq!(answer["error"]["details"]["workspace_id"], HIDDEN, "the first not in the claim");
        assert!(!answer.to_string().contains(HIDDEN_NAME), "{answer}");
    }
    // One that does not exist answers exactly as one that does: nothing tells them apart.
    let (status, unknown) = app.get(&format!("{COMPARISON}?workspace_ids=ws-that-does-not-exist"), &admin).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(unknown["error"]["details"]["workspace_id"], "ws-that-does-not-exist");
    assert_eq!(app.store.take(), 0, "refused before any read");
    // Without the claim, even the other workspace is out of reach.
    let (status, _) = app.get(&format!("{COMPARISON}?workspace_ids={OTHER}"), &token(WS, "admin")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Managers and viewers may not compare, claim or not.
    for role in ["manager", "viewer", "user", "agent", "service"] {
        let (status, answer) =
            app.get(&format!("{COMPARISON}?workspace_ids={WS}"), &token_comparing(role, &[OTHER])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {answer}");
    }
}

#[tokio::test]
async fn bad_comparison_and_overview_parameters_are_refused_naming_the_field() {
    let app = app_with_scenario().await;
    let admin = token_comparing("admin", &[OTHER]);
    let eleven: Vec<String> = (0..11).map(|i| format!("ws-{i}")).collect();
    for (query, field, says) in [
        (format!("workspace_ids={}", eleven.join(",")), "workspace_ids", "at most 10"),
        ("workspace_ids=".to_owned(), "workspace_ids", "not a workspace id"),
        (format!("workspace_ids={WS},ws%20b"), "workspace_ids", "not a workspace id"),
        ("metrics=total_users,profit".to_owned(), "metrics", "profit"),
        ("metrics=".to_owned(), "metrics", "at least one"),
        ("start=2025-10-31&end=2025-10-01".to_owned(), "start", "after"),
    ] {
        let (status, answer) = app.get(&format!("{COMPARISON}?{query}"), &admin).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {answer}");
        assert_eq!(answer["error"]["details"]["field"], field, "{query}: {answer}");
        assert!(answer["error"]["message"].as_str().unwrap_or_default().contains(says), "{query}: {answer}");
    }
    let (status, answer) = app.get(&format!("{OVERVIEW}?workspace_id={OTHER}"), &token(WS, "admin")).await;
    assert_eq!((status, &answer["error"]["details"]["field"]), (StatusCode::FORBIDDEN, &json!("workspace_id")));
    for (role, expected) in
        [("viewer", StatusCode::OK), ("user", StatusCode::FORBIDDEN), ("agent", StatusCode::FORBIDDEN)]
    {
        assert_eq!(app.get(OVERVIEW, &token(WS, role)).await.0, expected, "the overview as {role}");
    }
}
