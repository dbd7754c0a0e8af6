//! Seed 001's page for each role, over the hand-worked call-centre scenario
//! (`tests::call_centre`): every number below is counted from its events by hand.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::call_centre::{WS, app_with_scenario};
use tests::tokens::{claims, hs256, token};

const PAGE: &str = "/api/dashboard/comprehensive/";

fn of<'a>(page: &'a Value, section: &str) -> &'a Value {
    &page[section]
}

#[tokio::test]
async fn the_admin_page_counts_everyone_as_worked_out_by_hand() {
    let app = app_with_scenario().await;
    app.store.take();
    let (status, page) = app.get(PAGE, &token(WS, "admin")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(app.store.take(), 8, "eight reads, issued at once");
    assert_eq!(page["dashboard_type"], "admin_comprehensive");
    assert_eq!(
        page["user_info"],
        json!({"id": "u_admin", "email": "admin@acme.test", "role": "admin", "full_name": "Ada Admin"})
    );
    // Joined today: u_user; this week (from Monday 10th): also u2; this month: also u4 (first seen
    // on the 3rd, no signed_up_at). u3 is inactive.
    assert_eq!(
        of(&page, "summary_stats"),
        &json!({"total_users": 5, "active_users": 4, "new_users_today": 1, "new_users_this_week": 2, "new_users_this_month": 3})
    );
    let subscriptions = of(&page, "subscription_metrics");
    assert_eq!(
        (subscriptions["total_subscriptions"].as_i64(), subscriptions["active_subscriptions"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(
        (subscriptions["cancelled_subscriptions"].as_i64(), subscriptions["new_subscriptions_today"].as_i64()),
        (Some(1), Some(1))
    );
    // The cancelled Team plan is not counted; 99 and 99.0 are the same price.
    assert_eq!(
        subscriptions["subscription_by_plans"],
        json!([{"plan__name": "Pro", "plan__price": "99.00", "count": 2}])
    );
    // Paid: p1 (today) 99, p2 (Tuesday) 99, p5 (failed, then paid on the 7th) 20; p6 was refunded.
    assert_eq!(
        of(&page, "billing_revenue"),
        &json!({"total_revenue": 218.0, "revenue_today": 99.0, "revenue_this_week": 198.0, "revenue_this_month": 218.0,
                "pending_payments": 1, "failed_payments": 1})
    );
    let calls = of(&page, "call_statistics");
    assert_eq!(
        [&calls["total_calls"], &calls["calls_today"], &calls["calls_this_week"], &calls["calls_this_month"]],
        [&json!(6), &json!(3), &json!(4), &json!(5)]
    );
    assert_eq!((calls["successful_calls"].as_i64(), calls["converted_calls"].as_i64()), (Some(4), Some(2)));
    assert_eq!((calls["active_calls"].as_i64(), calls["queued_calls"].as_i64()), (Some(2), Some(2)));
    assert_eq!(
        calls["calls_by_type"],
        json!([{"call_type": "inbound", "count": 2}, {"call_type": "outbound", "count": 4}])
    );
    assert_eq!(
        calls["calls_by_outcome"],
        json!([{"outcome": "completed", "count": 1}, {"outcome": "no_answer", "count": 1}, {"outcome": "converted", "count": 2},
               {"outcome": "interested", "count": 1}, {"outcome": "not_interested", "count": 1}])
    );
    // Handled (an agent named): c1-c5, converted c1 and c4, rated 5, 4 and 3.
    assert_eq!(
        of(&page, "ai_agent_metrics"),
        &json!({"total_agents": 4, "active_agents": 2, "training_agents": 1, "learning_agents": 0, "paused_agents": 1,
                "agents_ready_for_calls": 2,
                "performance": {"total_calls_handled": 5, "total_conversions": 2, "avg_conversion_rate": 40.0, "avg_customer_satisfaction": 4.0}})
    );
    assert_eq!(
        of(&page, "customer_management"),
        &json!({"total_customers": 4, "hot_leads": 1, "warm_leads": 1, "cold_leads": 1, "converted_customers": 1,
                "do_not_call_list": 1, "new_customers_today": 1, "new_customers_this_week": 2})
    );
    // cb1 was due at 09:00 today and is still scheduled: overdue. Due today: cb1, cb4; this week
    // (Monday 10th to Sunday 16th): all five.
    assert_eq!(
        of(&page, "callback_management"),
        &json!({"total_callbacks": 5, "scheduled_callbacks": 3, "completed_callbacks": 1, "cancelled_callbacks": 1,
                "overdue_callbacks": 1, "callbacks_today": 2, "callbacks_this_week": 5})
    );
    let recent = of(&page, "recent_activities");
    let ids = |list: &Value| {
        list.as_array()
            .expect("list")
            .iter()
            .map(|item| item["id"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&recent["new_users"]), ["u_user", "u2", "u4", "u3", "u_admin"]);
    assert_eq!(ids(&recent["new_subscriptions"]), ["s2", "s1", "s3"]);
    assert_eq!(ids(&recent["recent_calls"]), ["c1", "c4", "c6", "c2", "c3", "c5"]);
    let newest_call = &recent["recent_calls"][0];
    assert_eq!(newest_call["phone_number"], "+1*******111", "a customer's number is masked for an admin");
    assert_eq!(
        (newest_call["duration"].as_str(), newest_call["initiated_at"].as_str()),
        (Some("00:05:30"), Some("2025-03-12T14:24:30Z"))
    );

    let alerts: Vec<(&str, &str, i64)> = page["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .map(|a| {
            (a["type"].as_str().unwrap_or(""), a["title"].as_str().unwrap_or(""), a["count"].as_i64().unwrap_or(-1))
        })
        .collect();
    assert_eq!(
        alerts,
        [
            ("error", "Failed Payments", 1),
            ("error", "Overdue Callbacks", 1),
            ("warning", "Subscriptions Expiring", 1),
            ("warning", "Low Agent Training", 1)
        ]
    );
    assert_eq!(page["alerts"][0]["message"], "1 payment failed. Immediate attention required.");
    // Last 7 days (6th-12th) against the 7 before (27th Feb-5th March).
    assert_eq!(
        page["performance_trends"]["user_growth"],
        json!({"today": 1.0, "week": 2.0, "month": 3.0, "trend": "up", "last_7_days": 2.0, "previous_7_days": 1.0})
    );
    assert_eq!(page["performance_trends"]["revenue_growth"]["trend"], "up");
    assert_eq!(page["performance_trends"]["revenue_growth"]["previous_7_days"], 0.0);
    let actions: Vec<(&str, i64)> = page["quick_actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| (a["id"].as_str().unwrap_or(""), a["count"].as_i64().unwrap_or(-1)))
        .collect();
    assert_eq!(&actions[..2], [("view_all_users", 5), ("manage_subscriptions", 2)]);
    assert_eq!(
        (page["generated_at"].as_str(), page["data_freshness"].as_str()),
        (Some("2025-03-12T15:00:00Z"), Some("real_time"))
    );
    assert_eq!(
        (page["meta"]["watermark"].as_str(), page["meta"]["cache"].as_str()),
        (Some("2025-03-12T14:58:00Z"), Some("bypass"))
    );
    assert_eq!(page["meta"]["timezone"], "America/New_York");

    let (status, manager) = app.get(PAGE, &token(WS, "manager")).await;
    assert_eq!((status, manager["dashboard_type"].as_str()), (StatusCode::OK, Some("admin_comprehensive")));
}

#[tokio::test]
async fn the_user_page_shows_only_the_callers_own_data_unmasked() {
    let app = app_with_scenario().await;
    app.store.take();
    let (status, page) = app.get(PAGE, &token(WS, "user")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(app.store.take(), 10, "nine reads at once, then the agent's calls");
    assert_eq!(page["dashboard_type"], "user_comprehensive");
    let profile = &page["user_profile"];
    assert_eq!((profile["id"].as_str(), profile["phone"].as_str()), (Some("u_user"), Some("+15551234567")));
    assert_eq!(
        (profile["date_joined"].as_str(), profile["account_status"].as_str()),
        (Some("2025-03-12T13:30:00Z"), Some("active"))
    );
    let subscription = &page["subscription_info"];
    // The period ends at 2025-03-15T00:00Z: 2 days 9 hours from now, 3 days rounded up.
    assert_eq!((subscription["id"].as_str(), subscription["days_remaining"].as_i64()), (Some("s1"), Some(3)));
    assert_eq!(
        (subscription["plan_price"].as_f64(), subscription["cancel_at_period_end"].as_bool()),
        (Some(99.0), Some(true))
    );
    assert_eq!(subscription["features"], json!(["Unlimited Calls"]));
    let agent = &page["ai_agent_info"];
    assert_eq!((agent["id"].as_str(), agent["is_ready_for_calls"].as_bool()), (Some("a1"), Some(true)));
    // a1 handled c1 (converted, 5), c2 (interested, 4) and c3 (no answer).
    assert_eq!(
        agent["performance"],
        json!({"calls_handled": 3, "successful_conversions": 1, "conversion_rate": 33.3, "customer_satisfaction": 4.5})
    );
    assert_eq!(agent["working_hours"], json!({"start": "09:00", "end": "17:00"}));
    let calls = &page["call_statistics"];
    assert_eq!(
        [
            &calls["total_calls"],
            &calls["calls_today"],
            &calls["calls_this_week"],
            &calls["calls_this_month"],
            &calls["successful_calls"],
            &calls["converted_calls"],
            &calls["success_rate"]
        ],
        [&json!(3), &json!(1), &json!(2), &json!(3), &json!(2), &json!(1), &json!(66.7)]
    );
    assert_eq!(calls["recent_calls"][0]["phone_number"], "+15550001111", "the user's own call, whole");
    assert_eq!(calls["recent_calls"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        page["customer_management"],
        json!({"total_customers": 2, "hot_leads": 1, "warm_leads": 1, "cold_leads": 0, "converted_customers": 1,
               "new_customers_today": 1, "conversion_rate": 50.0})
    );
    let callbacks = &page["callback_management"];
    assert_eq!(
        [
            &callbacks["total_callbacks"],
            &callbacks["scheduled_callbacks"],
            &callbacks["completed_callbacks"],
            &callbacks["overdue_callbacks"],
            &callbacks["callbacks_today"]
        ],
        [&json!(3), &json!(2), &json!(1), &json!(1), &json!(1)]
    );
    assert_eq!(callbacks["upcoming_callbacks"][0]["id"], "cb2");
    assert_eq!(callbacks["upcoming_callbacks"][0]["customer_phone"], "+15559876543");
    // s1 ends with its period: nothing will be billed next.
    let billing = &page["billing_info"];
    assert_eq!((billing["next_billing_date"].clone(), billing["total_spent"].as_f64()), (Value::Null, Some(119.0)));
    let payments: Vec<&str> =
        billing["recent_payments"].as_array().expect("payments").iter().filter_map(|p| p["id"].as_str()).collect();
    assert_eq!(payments, ["p1", "p5"]);
    let alerts: Vec<&str> =
        page["alerts"].as_array().expect("alerts").iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(alerts, ["Overdue Callbacks", "Subscription Expiring"]);
    assert_eq!(page["alerts"][0]["message"], "You have 1 overdue callback");
    assert_eq!(
        page["summary"],
        json!({"account_status": "active", "agent_ready": true, "calls_today": 1, "pending_callbacks": 2, "conversion_rate": 66.7})
    );
    let start_call = &page["quick_actions"][0];
    assert_eq!((start_call["id"].as_str(), start_call["enabled"].as_bool()), (Some("start_call"), Some(true)));
    let text = page.to_string();
    assert!(!text.contains("u2") && !text.contains("u_agent\""), "nobody else's records: {text}");
}

#[tokio::test]
async fn the_agent_page_shows_its_queue_performance_and_callbacks_with_customers_masked() {
    let app = app_with_scenario().await;
    app.store.take();
    let (status, page) = app.get(PAGE, &token(WS, "agent")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(app.store.take(), 6, "six reads, issued at once");
    assert_eq!(page["dashboard_type"], "agent_comprehensive");
    assert_eq!(page["agent_profile"]["name"], "Sam Agent");
    assert_eq!(page["agent_profile"]["is_ready_for_calls"], true);
    // q1 queued at 14:50 (10 minutes ago); q2 and q3 active.
    let queue = &page["call_queue"];
    assert_eq!((queue["queued_calls"].as_i64(), queue["active_calls"].as_i64()), (Some(1), Some(2)));
    assert_eq!(
        queue["waiting"],
        json!([{"call_id": "q1", "user_id": "u2", "queued_since": "2025-03-12T14:50:00Z", "waiting_seconds": 600}])
    );
    // Handled c4 (today, converted, 3, 200 s) and c5 (February, 60 s).
    let performance = &page["performance"];
    assert_eq!(
        [
            &performance["calls_handled"],
            &performance["successful_conversions"],
            &performance["calls_today"],
            &performance["calls_this_month"],
            &performance["conversion_rate_today"],
            &performance["avg_call_duration_seconds"],
            &performance["customer_satisfaction"]
        ],
        [&json!(2), &json!(1), &json!(1), &json!(1), &json!(100.0), &json!(130.0), &json!(3.0)]
    );
    let callbacks = &page["callbacks"];
    assert_eq!((callbacks["assigned_callbacks"].as_i64(), callbacks["overdue_callbacks"].as_i64()), (Some(2), Some(1)));
    assert_eq!(callbacks["upcoming_callbacks"][0]["customer_phone"], "+1*******543", "not the agent's customer");
    let alerts: Vec<&str> =
        page["alerts"].as_array().expect("alerts").iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(alerts, ["Callers Waiting", "Overdue Callbacks"]);
}

#[tokio::test]
async fn an_agent_without_a_profile_is_told_so_and_a_viewer_has_no_page() {
    let app = app_with_scenario().await;
    let mut stranger = claims(WS, "agent");
    stranger["sub"] = json!("u_nobody");
    let (status, body) = app.get(PAGE, &hs256(&stranger)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["message"], "Agent profile not found");
    assert_eq!(body["error"]["details"]["hint"], "Please contact admin to set up your agent profile");
    for role in ["viewer", "service"] {
        let (status, body) = app.get(PAGE, &token(WS, role)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {body}");
    }
}

#[tokio::test]
async fn another_workspace_sees_none_of_it() {
    let app = app_with_scenario().await;
    let (status, page) = app.get(PAGE, &token("ws-elsewhere", "admin")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["summary_stats"]["total_users"], 0);
    assert_eq!(page["call_statistics"]["total_calls"], 0);
    assert_eq!(page["recent_activities"]["recent_calls"], json!([]));
    assert_eq!(page["data_freshness"], "no_data");
    let (status, _) = app.get(PAGE, &token("ws-elsewhere", "agent")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the agent has no profile there");
}
