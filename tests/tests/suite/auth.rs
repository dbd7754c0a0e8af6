//! Tokens: every way one can be wrong is 401, a role without the right is 403, and neither
//! changes anything.

use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::app::{TestApp, spawn_app};
use tests::builders::{batch, call};
use tests::tokens::{RS256_KID, alg_none, claims, fixture, hs256, hs256_with, rs256, token};

const WS: &str = "ws-main";
const STATS: &str = "/api/campaigns/c1/stats";

async fn app() -> TestApp {
    let app = spawn_app("2025-03-10T15:00:00Z".parse().expect("now")).await;
    app.ingest_ok(WS, vec![call("first", "2025-03-10T14:00:00Z", "c1", "completed", 60.0)]).await;
    app
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().expect("claims").remove(key);
    claims
}

#[tokio::test]
async fn every_kind_of_bad_token_is_401() {
    let app = app().await;
    let valid = claims(WS, "viewer");
    let past = Timestamp::now().as_second() - 3600;
    let cases: Vec<(&str, String)> = vec![
        ("empty bearer", String::new()),
        ("garbage", "not.a.jwt".to_owned()),
        ("alg none", alg_none(&valid)),
        ("wrong signature", hs256_with(&valid, "another-secret-that-is-also-long-enough")),
        ("expired", hs256(&with(valid.clone(), "exp", json!(past)))),
        ("wrong audience", hs256(&with(valid.clone(), "aud", json!("someone-else")))),
        ("wrong issuer", hs256(&with(valid.clone(), "iss", json!("https://evil.example")))),
        ("missing exp", hs256(&without(valid.clone(), "exp"))),
        ("missing sub", hs256(&without(valid.clone(), "sub"))),
        ("missing ws", hs256(&without(valid.clone(), "ws"))),
        ("unknown role", hs256(&with(valid.clone(), "role", json!("superuser")))),
        ("malformed workspace", hs256(&with(valid.clone(), "ws", json!("ws main!")))),
        ("RS256 with an unknown kid", rs256(&valid, "some-other-key")),
        ("issuer as a list", hs256(&with(valid.clone(), "iss", json!([tests::tokens::ISSUER])))),
        ("empty subject", hs256(&with(valid.clone(), "sub", json!("")))),
        ("subject with a separator", hs256(&with(valid.clone(), "sub", json!("auth0|x")))),
        ("workspaces not a list", hs256(&with(valid.clone(), "workspaces", json!("ws-main")))),
        // Algorithm confusion: HS256 signed with the RSA public key as the secret.
        ("HS256 keyed with the public key", hs256_with(&valid, &fixture("rs256-test-jwks.json"))),
    ];
    let anonymous = app.client.get(format!("{}{STATS}", app.base)).send().await.expect("GET");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let body: Value = anonymous.json().await.expect("json");
    assert_eq!(body["error"]["message"], "missing Authorization header");
    for (case, bearer) in cases {
        let (status, body) = app.get(STATS, &bearer).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
        assert_eq!(body["error"]["code"], "UNAUTHORIZED", "{case}");
    }
}

#[tokio::test]
async fn an_unreadable_exp_is_called_invalid_not_missing() {
    let app = app().await;
    for exp in [json!(-5), json!(1e20), json!("tomorrow")] {
        let (status, body) = app.get(STATS, &hs256(&with(claims(WS, "viewer"), "exp", exp.clone()))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{exp}");
        assert_eq!(body["error"]["message"], "token exp claim is invalid", "{exp}");
    }
    let (_, body) = app.get(STATS, &hs256(&without(claims(WS, "viewer"), "exp"))).await;
    assert_eq!(body["error"]["message"], "token lacks the exp claim");
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = app().await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let response = app
            .client
            .get(format!("{}{STATS}", app.base))
            .header("authorization", format!("{scheme} {}", token(WS, "viewer")))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
    }
    let basic = app.client.get(format!("{}{STATS}", app.base)).header("authorization", "Basic dTpw").send().await;
    assert_eq!(basic.expect("GET").status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn rs256_tokens_are_verified_with_the_jwks_key_named_by_kid() {
    let app = app().await;
    let (status, body) = app.get(STATS, &rs256(&claims(WS, "viewer"), RS256_KID)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["calls"]["total_attempts"], 1);
}

#[tokio::test]
async fn a_token_expired_within_the_leeway_still_passes() {
    let app = app().await;
    let just_expired = with(claims(WS, "viewer"), "exp", json!(Timestamp::now().as_second() - 5));
    assert_eq!(app.get(STATS, &hs256(&just_expired)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn each_route_admits_only_its_roles() {
    let app = app().await;
    for (role, expected) in [
        ("admin", StatusCode::OK),
        ("manager", StatusCode::OK),
        ("campaign_manager", StatusCode::OK),
        ("viewer", StatusCode::OK),
        ("agent", StatusCode::FORBIDDEN),
        ("user", StatusCode::FORBIDDEN),
        ("service", StatusCode::FORBIDDEN),
    ] {
        let (status, body) = app.get(STATS, &token(WS, role)).await;
        assert_eq!(status, expected, "GET stats as {role}: {body}");
    }
    let event = |id: &str| batch(vec![call(id, "2025-03-10T14:30:00Z", "c1", "busy", 2.0)]);
    for (role, expected) in [
        ("service", StatusCode::ACCEPTED),
        ("admin", StatusCode::ACCEPTED),
        ("manager", StatusCode::FORBIDDEN),
        ("viewer", StatusCode::FORBIDDEN),
        ("agent", StatusCode::FORBIDDEN),
        ("user", StatusCode::FORBIDDEN),
    ] {
        let (status, body) = app.post("/api/v1/events", &token(WS, role), &event(&format!("by-{role}"))).await;
        assert_eq!(status, expected, "POST events as {role}: {body}");
        if expected == StatusCode::FORBIDDEN {
            assert_eq!(body["error"]["code"], "FORBIDDEN");
        }
    }
    app.post("/api/campaigns/c1/stats/invalidate", &token(WS, "admin"), &json!({})).await;
    let (_, stats) = app.get(STATS, &token(WS, "admin")).await;
    assert_eq!(stats["calls"]["total_attempts"], 3, "the first call, then the service's and the admin's");
}
