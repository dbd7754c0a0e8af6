//! The sample payloads of `events/` through the real handlers: HTTP API requests converted by
//! lambda_http and served by each function's router as its Lambda host serves it, the schedule
//! tick through the rollups handler, the SQS batch through the worker shape. Payloads whose
//! handlers come in later work are checked to parse.

use std::sync::Arc;

use aws_lambda_events::event::apigw::ApiGatewayWebsocketProxyRequest;
use aws_lambda_events::event::dynamodb::Event as StreamEvent;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use axum::Router;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::app::spawn_app;
use tests::builders::{Ad, ad_campaign, event};
use tests::tokens::token;
use tower::ServiceExt;

const NOW: &str = "2025-03-10T15:00:00Z";
/// The workspace the tokens of these tests belong to.
const WS: &str = "ws_demo";

fn payload(path: &str) -> Value {
    let path = format!("{}/../events/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .expect("JSON payload")
}

/// The router of the function called `name`, as its Lambda builds it.
fn router(name: &str, ports: &web::Ports) -> Router {
    let function = local::registry::function(name).unwrap_or_else(|| panic!("no function {name}"));
    (function.router.unwrap_or_else(|| panic!("{name} serves no HTTP")))(ports)
}

/// Runs an HTTP API payload, with a token for `role`, through `routes` as `lambda_http` does.
async fn serve(routes: Router, file: &str, role: &str) -> (StatusCode, Value) {
    let mut event = payload(file);
    event["headers"]["authorization"] = Value::from(format!("Bearer {}", token(WS, role)));
    let request = lambda_http::request::from_str(&event.to_string()).expect("an HTTP API v2 payload");
    let request = request.map(|body| axum::body::Body::from(body.to_vec()));
    let response = web::with_common_layers(routes).oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn http_api_payloads_reach_each_route_through_its_lambda_router() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let (status, body) = serve(router("ingest", &app.ports), "http/post-events.json", "service").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["accepted"], 2);

    let (status, body) = serve(router("campaign-stats", &app.ports), "http/get-campaign-stats.json", "viewer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["campaign_id"], "cmp_spring");
    assert_eq!(body["calls"]["completed"], 1);
    assert_eq!(body["contacts"]["completed"], 1);
    assert_eq!(body["duration"]["total_seconds"], 245.5);

    let stats = router("campaign-stats", &app.ports);
    let (status, body) = serve(stats, "http/post-invalidate-campaign-stats.json", "admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["invalidated"], true);

    let page = router("comprehensive", &app.ports);
    let (status, body) = serve(page, "http/get-comprehensive.json", "admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dashboard_type"], "admin_comprehensive");
    assert_eq!(body["call_statistics"]["total_calls"], 1, "the payload's one call");
}

#[tokio::test]
async fn seed_000_payloads_reach_the_campaigns_lambda_router() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let delivery = Ad {
        campaign: "cmp_ads_spring",
        creative: "Banner",
        audience: "Returning",
        impressions: 20_000,
        clicks: 600,
        spend: 150.0,
        conversions: 12,
        revenue: 420.0,
    };
    app.ingest_ok(
        WS,
        vec![
            ad_campaign("sample-cmp", "2025-03-01T08:00:00Z", "cmp_ads_spring", "Spring", "u_user"),
            delivery.event("sample-ad", "2025-03-05T12:00:00Z"),
        ],
    )
    .await;
    let campaigns = || router("campaigns", &app.ports);
    let (status, body) = serve(campaigns(), "http/post-campaign-metrics.json", "user").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["success"].as_bool(), body["campaign_id"].as_str()), (Some(true), Some("cmp_ads_spring")));
    assert_eq!((body["metrics"]["roas"].as_f64(), body["metrics"]["cpa"].as_f64()), (Some(2.8), Some(12.5)));
    let (status, body) = serve(campaigns(), "http/post-dashboard-overview.json", "user").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["overview"]["total_campaigns"].as_i64(), body["overview"]["total_spend"].as_f64()),
        (Some(1), Some(150.0))
    );
    let (status, body) = serve(campaigns(), "http/post-campaign-alerts.json", "viewer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["alerts"]["evidence"]["client_view"]["roas"], 2.5, "the client's view, echoed");
}

#[tokio::test]
async fn seed_002_users_payloads_reach_the_users_lambda_router() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let user = json!({"user_id": "u_sample", "email": "sample@agents.test", "signed_up_at": "2025-03-02T09:00:00Z"});
    let run = json!({"agent_id": "a1", "user_id": "u_sample", "success": true, "duration_ms": 900, "credits": 2});
    app.ingest_ok(
        WS,
        vec![
            event("sample-user", "user.upserted", "2025-03-02T09:00:00Z", user),
            event(
                "sample-login",
                "user.session",
                "2025-03-03T09:00:00Z",
                json!({"user_id": "u_sample", "kind": "login"}),
            ),
            event("sample-run", "agent.execution", "2025-03-03T10:00:00Z", run),
        ],
    )
    .await;
    let users = || router("users", &app.ports);
    let (status, body) = serve(users(), "http/get-users-activity.json", "admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["users"],
        json!([{"user_id": "u_sample", "email": "sample@agents.test", "last_active": "2025-03-03T10:00:00Z",
                "total_sessions": 1, "total_executions": 1, "credits_consumed": 2.0, "favorite_agents": ["a1"]}])
    );
    assert_eq!((body["data"]["per_page"].as_u64(), body["data"]["total"].as_u64()), (Some(10), Some(1)));
    // The demo workspace has no zone here: UTC days. The cohort of the 2nd is 8 days old.
    let (status, body) = serve(users(), "http/get-users-engagement.json", "manager").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cohort = &body["data"]["cohort_analysis"]["cohorts"][0];
    assert_eq!((cohort["cohort_date"].as_str(), cohort["users"].as_i64()), (Some("2025-03-02"), Some(1)));
    assert_eq!(cohort["retention"], json!([0.0, 100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]));
    assert_eq!(body["data"]["engagement_metrics"]["activation_rate"], 100.0);
}

#[tokio::test]
async fn seed_002_executive_and_workspace_payloads_reach_their_lambda_routers() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let execution = |id: &str, at: &str, success: bool, credits: f64| {
        event(
            id,
            "agent.execution",
            at,
            json!({"agent_id": "agent_support", "user_id": "u1", "success": success, "duration_ms": 900, "credits": credits}),
        )
    };
    app.ingest_ok(
        WS,
        vec![
            event(
                "sample-agent",
                "agent.upserted",
                "2025-03-01T08:00:00Z",
                json!({"agent_id": "agent_support", "name": "Support"}),
            ),
            execution("sample-x1", "2025-03-05T12:00:00Z", false, 3.0),
            execution("sample-x2", "2025-03-10T12:00:00Z", true, 2.0),
            event(
                "sample-pay",
                "payment.recorded",
                "2025-03-08T12:00:00Z",
                json!({"payment_id": "pay1", "user_id": "u1", "amount": 40.0, "status": "paid"}),
            ),
        ],
    )
    .await;
    let executive = || router("executive", &app.ports);
    let (status, body) = serve(executive(), "http/get-executive-summary.json", "manager").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["revenue_metrics"]["total_revenue"], 40.0);
    assert_eq!(body["data"]["usage_metrics"]["credits_consumed"], 5.0);
    let (status, body) = serve(executive(), "http/get-executive-trends.json", "admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let revenue = &body["data"]["trends"][0];
    assert_eq!((revenue["metric"].as_str(), revenue["data"].as_array().map(Vec::len)), (Some("revenue"), Some(7)));
    assert_eq!(revenue["data"][4], json!({"date": "2025-03-08", "value": 40.0}));

    let workspace = || router("workspace", &app.ports);
    let (status, body) = serve(workspace(), "http/get-workspace-overview.json", "viewer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["activity"]["top_agents"], json!(["agent_support"]));
    let (status, body) = serve(workspace(), "http/get-workspace-comparison.json", "admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["comparisons"][0]["metrics"],
        json!({"total_executions": 2, "credits_consumed": 5.0}),
        "{body}"
    );
}

#[tokio::test]
async fn seed_002_payloads_reach_the_agents_and_leaderboards_lambda_routers() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let run = |id: &str, at: &str, success: bool| {
        event(
            id,
            "agent.execution",
            at,
            json!({"agent_id": "agent_support", "user_id": "u_user", "success": success, "duration_ms": 1200}),
        )
    };
    app.ingest_ok(
        WS,
        vec![
            event(
                "sample-agent",
                "agent.upserted",
                "2025-03-01T08:00:00Z",
                json!({"agent_id": "agent_support", "name": "Support", "owner_user_id": "u_user"}),
            ),
            run("sample-run-1", "2025-03-09T12:00:00Z", true),
            run("sample-run-2", "2025-03-10T12:00:00Z", false),
        ],
    )
    .await;
    let agents = || router("agents", &app.ports);
    let (status, body) = serve(agents(), "http/get-agents-performance.json", "viewer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["agents"][0]["total_executions"], 2);
    assert_eq!(body["data"]["aggregates"]["avg_success_rate"], 50.0);
    let (status, body) = serve(agents(), "http/get-agents-usage.json", "manager").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let executions: Vec<i64> = body["data"]["usage_pattern"]
        .as_array()
        .expect("points")
        .iter()
        .filter_map(|p| p["executions"].as_i64())
        .collect();
    assert_eq!(executions, vec![0, 1, 1], "March 8th, 9th and 10th");
    let (status, body) = serve(router("leaderboards", &app.ports), "http/get-leaderboards.json", "user").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["leaderboard"][0]["entity_id"], "agent_support");
    assert_eq!(body["data"]["user_rank"], json!({"rank": 1, "score": 1, "percentile": 0.0}), "u_user owns it");
}

#[tokio::test]
async fn the_schedule_tick_runs_the_rollups_handler() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    app.ingest_ok(
        WS,
        payload("http/post-events.json")["body"]
            .as_str()
            .map(|b| {
                let body: Value = serde_json::from_str(b).expect("events body");
                body["events"].as_array().expect("events").clone()
            })
            .expect("body"),
    )
    .await;
    let tick: EventBridgeEvent =
        serde_json::from_value(payload("schedule/rollups-tick.json")).expect("a schedule event");
    let first = rollups::handle_schedule(app.ports.store.as_ref(), tick.clone()).await.expect("run");
    assert_eq!(first.folded, 3, "March of the campaign's calls, of the workspace's and of the agent's");
    let again = rollups::handle_schedule(app.ports.store.as_ref(), tick).await.expect("run");
    assert_eq!((again.folded, again.deferred), (0, 0), "a second tick finds nothing due");
}

#[tokio::test]
async fn an_sqs_batch_reports_exactly_the_records_that_failed() {
    let event: SqsEvent = serde_json::from_value(payload("sqs/export-jobs.json")).expect("an SQS event");
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let response = aws_adapters::sqs::process_batch(event, |message| {
        let seen = seen.clone();
        async move {
            seen.lock().expect("lock").push((message.id.clone(), message.receive_count));
            let job: Value = serde_json::from_str(&message.body).map_err(|e| e.to_string())?;
            if job["format"] == "json" { Err("no exporter for json yet".to_owned()) } else { Ok(()) }
        }
    })
    .await;
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, vec!["2e1424d4-f796-459a-8184-9c92662be6da"]);
    assert_eq!(seen.lock().expect("lock").iter().map(|(_, count)| *count).collect::<Vec<_>>(), vec![1, 3]);
}

#[test]
fn stream_and_websocket_payloads_parse_into_their_lambda_types() {
    let stream: StreamEvent =
        serde_json::from_value(payload("dynamodb/stream-cell-update.json")).expect("a stream event");
    let keys = &stream.records[0].change.keys;
    assert!(format!("{keys:?}").contains("W#ws_demo#S#campaign_calls|cmp_spring"));
    for (file, route) in [
        ("websocket/connect.json", "$connect"),
        ("websocket/subscribe.json", "$default"),
        ("websocket/disconnect.json", "$disconnect"),
    ] {
        let request: ApiGatewayWebsocketProxyRequest =
            serde_json::from_value(payload(file)).expect("a WebSocket event");
        assert_eq!(request.request_context.route_key.as_deref(), Some(route), "{file}");
        assert_eq!(request.request_context.connection_id.as_deref(), Some("Jk_AbcDEFGhIjKw="));
    }
}
