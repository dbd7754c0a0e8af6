//! Seed 000 end to end over HTTP: the hand-worked scenario of `tests::ads_scenario` through each
//! of the seven routes (local-day boundaries, zero denominators, the trend test on known series,
//! the anomaly and budget rules firing and not firing), store calls per route, tenancy and the
//! roles' portfolios, and bad bodies naming their field.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::ads_scenario::{WS, app_with_ads, dashboard};

fn range(start: &str, end: &str) -> Value {
    json!({"start": start, "end": end})
}

fn metrics_of(campaign: &str, start: &str, end: &str) -> Value {
    json!({"campaign_id": campaign, "date_range": range(start, end)})
}

#[tokio::test]
async fn campaign_metrics_sum_local_days_exactly_and_a_zero_denominator_is_null() {
    let app = app_with_ads().await;
    let ask = |start: &'static str, end: &'static str| {
        let app = &app;
        async move { dashboard(app, WS, "viewer", "campaign_metrics", metrics_of("c1", start, end)).await }
    };
    let (status, body) = ask("2025-03-10", "2025-03-10").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!((body["campaign_id"].as_str(), body["campaign_name"].as_str()), (Some("c1"), Some("Spring Sale")));
    // 23:30Z on the 10th is the 11th in Paris: only d1 is the 10th's.
    assert_eq!(
        body["metrics"],
        json!({"roas": 3.0, "cpa": 10.0, "ctr": 0.04, "cpm": 10.0, "spend": 100.0, "conversions": 10,
               "impressions": 10_000, "clicks": 400, "revenue": 300.0, "conversion_rate": 0.025})
    );
    assert_eq!(body["meta"]["timezone"], "Europe/Paris");
    assert_eq!(body["meta"]["watermark"], "2025-03-11T12:00:00Z");

    let (_, eleventh) = ask("2025-03-11", "2025-03-11").await;
    assert_eq!(
        eleventh["metrics"],
        json!({"roas": 1.0025, "cpa": 20.0, "ctr": 0.025, "cpm": 10.0, "spend": 100.0, "conversions": 5,
               "impressions": 10_000, "clicks": 250, "revenue": 100.25, "conversion_rate": 0.02})
    );
    // 400.25 / 200 = 2.00125, rounded half away from zero; 200 / 15 = 13.333...
    let (_, both) = ask("2025-03-10", "2025-03-11").await;
    assert_eq!((both["metrics"]["roas"].as_f64(), both["metrics"]["cpa"].as_f64()), (Some(2.0013), Some(13.33)));
    assert_eq!(both["metrics"]["ctr"], 0.0325);

    let (_, quiet) = ask("2025-03-12", "2025-03-19").await;
    let metrics = &quiet["metrics"];
    for ratio in ["roas", "cpa", "ctr", "cpm", "conversion_rate"] {
        assert!(metrics[ratio].is_null(), "{ratio} without a denominator: {metrics}");
    }
    assert_eq!((metrics["spend"].as_f64(), metrics["conversions"].as_i64()), (Some(0.0), Some(0)));
}

#[tokio::test]
async fn campaign_metrics_are_three_store_reads_then_cached_per_range_and_scope() {
    let app = app_with_ads().await;
    let body = metrics_of("c1", "2025-03-10", "2025-03-11");
    let (_, first) = dashboard(&app, WS, "viewer", "campaign_metrics", body.clone()).await;
    assert_eq!(first["meta"]["cache"], "miss");
    assert_eq!(app.store.take(), 3, "the entities, the all-time cell, the days");
    let (_, again) = dashboard(&app, WS, "manager", "campaign_metrics", body.clone()).await;
    assert_eq!((again["meta"]["cache"].as_str(), app.store.take()), (Some("hit"), 0));
    assert_eq!(again["metrics"], first["metrics"]);
    // A user's answer is computed for them (their scope is its own variant).
    let (_, owner) = dashboard(&app, WS, "user", "campaign_metrics", body).await;
    assert_eq!((owner["meta"]["cache"].as_str(), app.store.take()), (Some("miss"), 3));
    let (_, other) =
        dashboard(&app, WS, "viewer", "campaign_metrics", metrics_of("c1", "2025-03-10", "2025-03-10")).await;
    assert_eq!(other["meta"]["cache"], "miss", "another range");
}

#[tokio::test]
async fn a_user_sees_only_their_own_campaigns_and_another_workspace_sees_none() {
    let app = app_with_ads().await;
    for (role, campaign, expected) in [
        ("user", "c1", StatusCode::OK),
        ("user", "c2", StatusCode::NOT_FOUND),
        ("viewer", "c2", StatusCode::OK),
        ("manager", "c5", StatusCode::OK),
        ("admin", "c1", StatusCode::OK),
        ("viewer", "nope", StatusCode::NOT_FOUND),
    ] {
        for route in ["campaign_metrics", "performance_trends", "insights", "alerts", "campaign_report"] {
            let body = metrics_of(campaign, "2025-03-10", "2025-03-11");
            let body = match route {
                "campaign_metrics" | "campaign_report" => body,
                _ => json!({"campaign_id": campaign}),
            };
            let (status, answer) = dashboard(&app, WS, role, route, body.clone()).await;
            assert_eq!(status, expected, "{role} {route} {campaign}: {answer}");
            if status == StatusCode::NOT_FOUND {
                assert_eq!(answer["error"]["code"], "NOT_FOUND");
                assert!(!answer.to_string().contains("Manager's own"), "{answer}");
            }
            let (status, answer) = dashboard(&app, "ws-elsewhere", "admin", route, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "another workspace: {answer}");
        }
    }
    app.store.take();
    dashboard(&app, WS, "user", "alerts", json!({"campaign_id": "c2"})).await;
    assert_eq!(app.store.take(), 1, "another user's campaign: the entity read, nothing more");
    dashboard(&app, WS, "agent", "alerts", json!({"campaign_id": "c1"})).await;
    assert_eq!(app.store.take(), 0, "a role without access reads nothing");
}

#[tokio::test]
async fn the_overview_weighs_a_users_ad_campaigns_and_each_role_sees_the_portfolios_it_may() {
    let app = app_with_ads().await;
    let body = |user: &str| json!({"user_id": user, "date_range": range("2025-03-10", "2025-03-11")});
    let (status, answer) = dashboard(&app, WS, "user", "overview", body("u_user")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 4, "the owner's list, the entities, a range per campaign (c1, c4)");
    // c1 and c4 (c3 is a survey): the totals of c1, portfolio-weighted.
    assert_eq!(
        answer["overview"],
        json!({"total_campaigns": 2, "total_spend": 200.0, "total_conversions": 15, "average_roas": 2.0013,
               "average_cpa": 13.33, "total_revenue": 400.25, "total_impressions": 20_000, "total_clicks": 650,
               "average_ctr": 0.0325, "campaigns_with_delivery": 1})
    );
    assert_eq!(
        (answer["user_id"].as_str(), answer["date_range"]["start"].as_str()),
        (Some("u_user"), Some("2025-03-10"))
    );
    let (_, cached) = dashboard(&app, WS, "admin", "overview", body("u_user")).await;
    assert_eq!((cached["meta"]["cache"].as_str(), app.store.take()), (Some("hit"), 0));

    for (role, user, expected) in [
        ("admin", "u_manager", StatusCode::OK),
        ("manager", "u_user", StatusCode::OK),
        ("viewer", "u_viewer", StatusCode::OK),
        ("viewer", "u_user", StatusCode::FORBIDDEN),
        ("user", "u_manager", StatusCode::FORBIDDEN),
    ] {
        for route in ["overview", "portfolio_report"] {
            let (status, answer) = dashboard(&app, WS, role, route, body(user)).await;
            assert_eq!(status, expected, "{role} asking for {user}'s {route}: {answer}");
        }
    }
    app.store.take();
    dashboard(&app, WS, "user", "overview", body("u_manager")).await;
    assert_eq!(app.store.take(), 0, "refused before any read");
    let (_, managers) = dashboard(&app, WS, "admin", "overview", body("u_manager")).await;
    assert_eq!(
        (managers["overview"]["total_campaigns"].as_i64(), managers["overview"]["total_spend"].as_f64()),
        (Some(1), Some(10.0))
    );
    let (_, empty) = dashboard(&app, WS, "viewer", "overview", body("u_viewer")).await;
    assert_eq!(empty["overview"]["total_campaigns"], 0);
    assert!(empty["overview"]["average_roas"].is_null() && empty["overview"]["average_cpa"].is_null());
    let (_, elsewhere) = dashboard(&app, "ws-elsewhere", "admin", "overview", body("u_user")).await;
    assert_eq!(elsewhere["overview"]["total_campaigns"], 0, "another workspace's portfolio of the same user id");
}

#[tokio::test]
async fn trends_are_tested_on_the_complete_days_a_rising_series_increasing_a_constant_one_stable() {
    let app = app_with_ads().await;
    let (status, answer) =
        dashboard(&app, WS, "viewer", "performance_trends", json!({"campaign_id": "c5", "days": 10})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 3, "the entities, the all-time cell, the days");
    let trends = &answer["trends"];
    assert_eq!(
        (&trends["roas_trend"], &trends["spend_trend"], &trends["ctr_trend"], &trends["cpa_trend"]),
        (&json!("increasing"), &json!("increasing"), &json!("stable"), &json!("stable"))
    );
    let evidence = &trends["evidence"];
    assert_eq!(evidence["window"], range("2025-03-10", "2025-03-19"), "the 10 complete days before today");
    // Strictly increasing over 10 days: S = 45, Var(S) = 125, z = 44 / √125.
    let spend = &evidence["spend_trend"];
    assert_eq!(
        (spend["method"].as_str(), spend["n"].as_i64(), spend["s"].as_i64()),
        (Some("mann_kendall"), Some(10), Some(45))
    );
    assert_eq!((spend["z"].as_f64(), spend["slope"].as_f64()), (Some(3.9355), Some(10.0)));
    assert!(spend["p_value"].as_f64().is_some_and(|p| (p - 8.3e-5).abs() < 1e-6), "{spend}");
    assert_eq!(evidence["roas_trend"]["slope"], 1.0);
    assert_eq!((evidence["ctr_trend"]["s"].as_i64(), evidence["ctr_trend"]["p_value"].as_f64()), (Some(0), Some(1.0)));

    // Six days are too few; the default is 30 days; out of range is refused (below).
    let (_, short) = dashboard(&app, WS, "viewer", "performance_trends", json!({"campaign_id": "c5", "days": 6})).await;
    for metric in ["roas_trend", "cpa_trend", "ctr_trend", "spend_trend"] {
        assert_eq!(short["trends"][metric], "insufficient_data", "{metric}");
        assert!(short["trends"]["evidence"][metric]["p_value"].is_null());
    }
    let (status, _) =
        dashboard(&app, WS, "viewer", "performance_trends", json!({"campaign_id": "c5", "days": 10.0})).await;
    assert_eq!(status, StatusCode::OK, "a JSON integer may be written 10.0");
    let (_, default) = dashboard(&app, WS, "viewer", "performance_trends", json!({"campaign_id": "c5"})).await;
    assert_eq!(default["trends"]["evidence"]["window"], range("2025-02-18", "2025-03-19"));
    assert_eq!(default["trends"]["evidence"]["spend_trend"]["n"], 10, "spend counts from the first day with delivery");
}

#[tokio::test]
async fn alerts_fire_on_a_planted_anomaly_and_an_exhausting_budget_and_not_otherwise() {
    let app = app_with_ads().await;
    let client_view = json!({"roas": 99.0, "cpa": 0.5});
    let (status, answer) =
        dashboard(&app, WS, "viewer", "alerts", json!({"campaign_id": "c6", "performance_data": client_view})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.take(), 3, "the entities, the all-time cell, the last 16 days");
    let alerts = &answer["alerts"];
    assert_eq!(
        (
            &alerts["high_cpa_alert"],
            &alerts["low_roas_alert"],
            &alerts["budget_exhaustion_alert"],
            &alerts["performance_anomaly_alert"]
        ),
        (&json!(false), &json!(false), &json!(true), &json!(true))
    );
    let evidence = &alerts["evidence"];
    // Last 7 complete days: 700 spent, 70 conversions (CPA 10, not above 10), 1,550 earned (2.2143).
    let cpa = &evidence["high_cpa_alert"];
    assert_eq!(
        (cpa["threshold"].as_f64(), cpa["value"].as_f64(), cpa["threshold_source"].as_str()),
        (Some(10.0), Some(10.0), Some("campaign"))
    );
    assert_eq!(evidence["low_roas_alert"]["value"], 2.2143);
    let budget = &evidence["budget_exhaustion_alert"];
    assert_eq!((budget["threshold"].as_f64(), budget["value"].as_f64()), (Some(500.0), Some(1000.0)));
    assert_eq!(
        (budget["pace"]["days_left"].as_i64(), budget["pace"]["runs_out_on"].as_str()),
        (Some(10), Some("2025-03-24"))
    );
    let anomaly = &evidence["performance_anomaly_alert"];
    assert_eq!((anomaly["day"].as_str(), anomaly["threshold"].as_f64()), (Some("2025-03-19"), Some(3.5)));
    assert_eq!(
        (anomaly["roas"]["median"].as_f64(), anomaly["roas"]["mad"].as_f64(), anomaly["roas"]["z"].as_f64()),
        (Some(2.5), Some(0.1), Some(-13.49))
    );
    assert_eq!((anomaly["ctr"]["z"].as_f64(), anomaly["value"].as_f64()), (Some(0.0), Some(13.49)));
    assert_eq!(evidence["client_view"], client_view, "echoed, never used");

    // A rising but ordinary series: nothing fires (z = 0.6745 × (10 − 5) / 2 = 1.69).
    let (_, calm) = dashboard(&app, WS, "viewer", "alerts", json!({"campaign_id": "c5"})).await;
    for alert in ["high_cpa_alert", "low_roas_alert", "budget_exhaustion_alert", "performance_anomaly_alert"] {
        assert_eq!(calm["alerts"][alert], false, "{alert}: {calm}");
    }
    assert_eq!(calm["alerts"]["evidence"]["performance_anomaly_alert"]["roas"]["z"], 1.6863);
    assert_eq!(calm["alerts"]["evidence"]["low_roas_alert"]["threshold_source"], "default");
    assert!(calm["alerts"]["evidence"]["client_view"].is_null());
    // No delivery in the last 7 days: every value null, nothing fires.
    let (_, idle) = dashboard(&app, WS, "viewer", "alerts", json!({"campaign_id": "c1"})).await;
    assert!(idle["alerts"]["evidence"]["high_cpa_alert"]["value"].is_null());
    assert!(idle["alerts"]["evidence"]["low_roas_alert"]["value"].is_null());
    assert_eq!(idle["alerts"]["budget_exhaustion_alert"], false);
}

#[tokio::test]
async fn insights_name_the_best_creative_and_audience_and_every_rule_that_fires_with_its_numbers() {
    let app = app_with_ads().await;
    let body = json!({"campaign_id": "c1", "date_range": range("2025-03-10", "2025-03-11")});
    let (status, answer) = dashboard(&app, WS, "user", "insights", body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // Entities and all-time cell, the range and the pace window apart (2), each tally and its 2 members.
    assert_eq!(app.store.take(), 10);
    let insights = &answer["insights"];
    assert_eq!(insights["top_performing_creative"], "Banner A", "ROAS 400.25 / 149.50 = 2.68 over 550 clicks");
    assert_eq!(insights["best_audience_segment"], "Returning", "ROAS 3 over 400 clicks");
    assert_eq!(insights["recommended_budget_adjustment"], "Maintain", "ROAS 2.0013 within 10% of 2, no spend pace");
    assert_eq!(
        insights["optimization_opportunities"],
        json!([
            "Pause or rework creative 'Banner B': ROAS 0.00 against 2.68 for 'Banner A'",
            "Test new creative variations: only 2 creatives delivered from 2025-03-10 to 2025-03-11",
            "Expand audience 'Returning': ROAS 3.00 against a target of 2.00",
            "Narrow or exclude audience 'Broad': ROAS 1.00 against a target of 2.00",
            "Adjust bidding strategy: CPA 13.33 is above the target of 10.00",
        ])
    );
    let evidence = &insights["evidence"];
    let creatives = &evidence["top_performing_creative"];
    assert_eq!((creatives["metric"].as_str(), creatives["min_clicks"].as_i64()), (Some("roas"), Some(100)));
    assert_eq!(creatives["candidates"][0]["metrics"]["roas"], 2.6773);
    assert_eq!(creatives["candidates"][1]["metrics"]["clicks"], 100);
    let budget = &evidence["recommended_budget_adjustment"];
    assert_eq!((budget["rule"].as_str(), budget["percent"].as_i64()), (Some("on_target"), Some(0)));
    assert_eq!(budget["pace"]["remaining_budget"], 1800.0);
    assert_eq!(evidence["optimization_opportunities"][4]["rule"], "high_cpa");
    assert_eq!(
        (
            evidence["optimization_opportunities"][4]["observed"].as_f64(),
            evidence["optimization_opportunities"][4]["reference"].as_f64()
        ),
        (Some(13.33), Some(10.0))
    );

    // The default range (the last 30 days, today included) covers the pace window: one range read.
    let (_, default) = dashboard(&app, WS, "user", "insights", json!({"campaign_id": "c1"})).await;
    assert_eq!(default["insights"]["evidence"]["window"], range("2025-02-19", "2025-03-20"));
    assert_eq!(app.store.take(), 9);
    // Nothing delivered: nothing qualifies and nothing is recommended.
    let (_, idle) = dashboard(&app, WS, "user", "insights", json!({"campaign_id": "c4"})).await;
    let idle = &idle["insights"];
    assert!(idle["top_performing_creative"].is_null() && idle["best_audience_segment"].is_null());
    assert!(idle["recommended_budget_adjustment"].is_null());
    assert_eq!(idle["optimization_opportunities"], json!([]));
    // The spend pace that runs out before the end date is an opportunity of its own.
    let (_, rushing) = dashboard(&app, WS, "viewer", "insights", json!({"campaign_id": "c6"})).await;
    let rules: Vec<&str> = rushing["insights"]["evidence"]["optimization_opportunities"]
        .as_array()
        .expect("opportunities")
        .iter()
        .filter_map(|o| o["rule"].as_str())
        .collect();
    assert!(rules.contains(&"budget_runs_out"), "{rules:?}");
}

#[tokio::test]
async fn reports_summarise_the_computed_numbers_and_recommend_by_the_insights_rules() {
    let app = app_with_ads().await;
    let body = |report_type: &str| json!({"campaign_id": "c1", "report_type": report_type, "date_range": range("2025-03-10", "2025-03-11")});
    let (status, answer) = dashboard(&app, WS, "viewer", "campaign_report", body("comprehensive")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let report = &answer["report"];
    assert_eq!(
        report["summary"],
        "Campaign 'Spring Sale' performing well with ROAS of 2.0013 against a target of 2: 200.00 spent, 15 conversions \
         (CPA 13.33), CTR 3.25%, from 2025-03-10 to 2025-03-11."
    );
    assert_eq!(report["metrics"]["roas"], 2.0013);
    assert_eq!(report["recommendations"][0], "Maintain the daily budget: ROAS within 10% of its target");
    assert_eq!(report["recommendations"].as_array().map(Vec::len), Some(6), "the budget and the five opportunities");
    assert_eq!(report["daily"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["daily"][1]["date"], "2025-03-11");
    assert_eq!(report["creatives"][0]["name"], "Banner A");
    let (_, summary) = dashboard(&app, WS, "viewer", "campaign_report", body("summary")).await;
    assert_eq!(summary["report_type"], "summary");
    for part in ["creatives", "audiences", "daily"] {
        assert!(summary["report"].get(part).is_none(), "{part} is only in a comprehensive report");
    }
    assert_eq!(summary["report"]["recommendations"], report["recommendations"]);

    let portfolio = json!({"user_id": "u_user", "date_range": range("2025-03-10", "2025-03-11")});
    let (status, answer) = dashboard(&app, WS, "user", "portfolio_report", portfolio).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let report = &answer["report"];
    assert_eq!(
        report["summary"],
        "Portfolio performing well with average ROAS of 2.0013 against a spend-weighted target of 2: 200.00 spent \
         across 1 campaign, 15 conversions (average CPA 13.33), from 2025-03-10 to 2025-03-11."
    );
    assert_eq!(report["metrics"]["total_campaigns"], 2);
    assert_eq!(
        report["recommendations"],
        json!(["Check campaign 'Idle': no delivery from 2025-03-10 to 2025-03-11 (status, budget, targeting)"])
    );
    assert_eq!(report["evidence"][0]["rule"], "idle_campaign");
    assert_eq!(report["campaigns"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_bad_body_is_400_naming_its_field() {
    let app = app_with_ads().await;
    let good_range = range("2025-03-10", "2025-03-11");
    for (route, body, field) in [
        ("campaign_metrics", json!({"date_range": good_range}), "campaign_id"),
        ("campaign_metrics", json!({"campaign_id": "c1"}), "date_range"),
        ("campaign_metrics", json!({"campaign_id": "c 1", "date_range": good_range}), "campaign_id"),
        (
            "campaign_metrics",
            json!({"campaign_id": "c1", "date_range": range("2025-03-11", "2025-03-10")}),
            "date_range",
        ),
        (
            "campaign_metrics",
            json!({"campaign_id": "c1", "date_range": range("2024-01-01", "2025-03-10")}),
            "date_range",
        ),
        (
            "campaign_metrics",
            json!({"campaign_id": "c1", "date_range": range("yesterday", "2025-03-10")}),
            "date_range.start",
        ),
        ("campaign_metrics", json!({"campaign_id": "c1", "date_range": {"start": "2025-03-10"}}), "date_range.end"),
        ("campaign_metrics", json!({"campaign_id": "c1", "date_range": good_range, "extra": 1}), "extra"),
        ("overview", json!({"date_range": good_range}), "user_id"),
        ("performance_trends", json!({"days": 30}), "campaign_id"),
        ("performance_trends", json!({"campaign_id": "c1", "days": 0}), "days"),
        ("performance_trends", json!({"campaign_id": "c1", "days": 366}), "days"),
        ("performance_trends", json!({"campaign_id": "c1", "days": -1}), "days"),
        ("performance_trends", json!({"campaign_id": "c1", "days": 7.5}), "days"),
        ("performance_trends", json!({"campaign_id": "c1", "days": "30"}), "days"),
        ("insights", json!({"campaign_id": "c1", "performance_data": {"roas": -1}}), "performance_data.roas"),
        ("insights", json!({"campaign_id": "c1", "performance_data": {"spend": 1}}), "performance_data.spend"),
        ("alerts", json!({"performance_data": {"roas": 2.5}}), "campaign_id"),
        (
            "campaign_report",
            json!({"campaign_id": "c1", "report_type": "weekly", "date_range": good_range}),
            "report_type",
        ),
        ("portfolio_report", json!({"user_id": "u_user"}), "date_range"),
    ] {
        let (status, answer) = dashboard(&app, WS, "admin", route, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{route} {body}: {answer}");
        assert_eq!(answer["error"]["code"], "VALIDATION_FAILED");
        assert_eq!(answer["error"]["details"]["field"], field, "{route} {body}: {answer}");
    }
}

/// The demo's ad account at `now`: its settings, then its part as the local runtime seeds it.
async fn demo_at(now: &str) -> tests::app::TestApp {
    use rand::SeedableRng;
    let now: jiff::Timestamp = now.parse().expect("now");
    let app = tests::app::spawn_app(now).await;
    let demo = local::demo::DEMO_WORKSPACE;
    app.ingest_ok(demo, vec![tests::builders::workspace("settings", "2024-11-01T00:00:00Z", "Europe/Paris")]).await;
    let events = local::demo::ads::events(now, &mut rand::rngs::StdRng::seed_from_u64(local::demo::ads::SEED));
    let ws = domain::WorkspaceId::parse(demo).expect("id");
    local::demo::ingest(&app.ports, &ws, events, now).await.expect("demo ingested");
    app
}

#[tokio::test]
async fn the_demo_plants_fire_exactly_the_alerts_and_trend_they_were_planted_for() {
    // A winter and a summer day (UTC+1 and UTC+2), morning and evening.
    for now in ["2025-01-15T07:30:00Z", "2025-07-02T18:45:00Z"] {
        let app = demo_at(now).await;
        let demo = local::demo::DEMO_WORKSPACE;
        let mut fired = Vec::new();
        for campaign in [
            "cmp_ads_spring_sale",
            "cmp_ads_brand_awareness",
            "cmp_ads_retargeting",
            "cmp_ads_summer_launch",
            "cmp_ads_newsletter",
            "cmp_ads_partner",
        ] {
            let (status, answer) = dashboard(&app, demo, "admin", "alerts", json!({"campaign_id": campaign})).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            for alert in ["high_cpa_alert", "low_roas_alert", "budget_exhaustion_alert", "performance_anomaly_alert"] {
                if answer["alerts"][alert] == true {
                    fired.push((campaign, alert));
                }
            }
        }
        assert_eq!(
            fired,
            vec![
                ("cmp_ads_brand_awareness", "high_cpa_alert"),
                ("cmp_ads_brand_awareness", "low_roas_alert"),
                ("cmp_ads_retargeting", "performance_anomaly_alert"),
                ("cmp_ads_summer_launch", "budget_exhaustion_alert"),
            ],
            "at {now}"
        );
        let (_, trends) = dashboard(
            &app,
            demo,
            "user",
            "performance_trends",
            json!({"campaign_id": "cmp_ads_newsletter", "days": 60}),
        )
        .await;
        assert_eq!(trends["trends"]["roas_trend"], "increasing", "at {now}");
        let (_, portfolio) = dashboard(
            &app,
            demo,
            "user",
            "overview",
            json!({"user_id": "u_user", "date_range": {"start": "2024-12-01", "end": "2025-07-31"}}),
        )
        .await;
        assert_eq!(portfolio["overview"]["total_campaigns"], 5, "u_manager's campaign is not u_user's");
    }
}
