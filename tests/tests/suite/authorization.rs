//! The authorization matrix, generated from the registry of functions: every route × every role,
//! plus no token, a bad token and a token of another workspace. 401, 403 and 404 come exactly
//! where spec/API.md says, and a caller of another workspace never sees this workspace's data.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::app::{TestApp, spawn_app};
use tests::builders::{ad_campaign, ad_delivery, call, campaign, event};
use tests::tokens::{claims, hs256_with, token};
use web::{Role, RouteSpec};

const WS: &str = "ws-owner";
const STRANGER: &str = "ws-stranger";
/// Only this workspace's data says this: it must never reach another workspace's caller.
const MARKER: &str = "Owner's private campaign";
const NOW: &str = "2025-03-10T15:00:00Z";

/// A resource of `WS` for each path parameter a route may have. A new kind of path parameter
/// needs one here (and its seeding in [`seeded_app`]).
fn resource(param: &str) -> &'static str {
    match param {
        "campaign_id" => "c1",
        other => panic!("no resource for the path parameter {other}: seed one in seeded_app and name it here"),
    }
}

/// The agent profile of the `agent` role's token (seed 001's agent page needs one), in each
/// workspace.
fn agent_profile(id: &str) -> Value {
    event(
        id,
        "agent.upserted",
        "2025-03-01T00:00:00Z",
        json!({"agent_id": "u_agent", "kind": "human", "status": "active"}),
    )
}

/// Body fields that name a resource of `WS` (which [`seeded_app`] seeds under the id the route's
/// example uses): like a path parameter, another workspace's caller finds no such resource.
const BODY_RESOURCES: &[&str] = &["campaign_id"];
/// Query parameters a route needs to answer, by path; those naming a resource of `WS` (seeded in
/// [`seeded_app`]) are listed in [`QUERY_RESOURCES`] too: another workspace's caller finds none.
const QUERIES: &[(&str, &str)] = &[
    ("/api/v1/dashboard/agents/usage", "agent_id=a_owner"),
    ("/api/v1/dashboard/leaderboards", "leaderboard_type=agents"),
];
const QUERY_RESOURCES: &[&str] = &["/api/v1/dashboard/agents/usage"];
/// The ad campaign the examples of seed 000's routes name, owned by the `user` role's user.
const AD_CAMPAIGN: &str = "cmp_ads_spring_sale";

fn names_a_resource(spec: &RouteSpec) -> bool {
    let body = spec.example.map(|example| example()).unwrap_or(Value::Null);
    !spec.path_params().is_empty()
        || BODY_RESOURCES.iter().any(|field| body.get(field).is_some())
        || QUERY_RESOURCES.contains(&spec.path)
}

async fn seeded_app() -> TestApp {
    let app = spawn_app(NOW.parse().expect("now")).await;
    app.ingest_ok(
        WS,
        vec![
            campaign("owner-1", "2025-03-10T10:00:00Z", "c1", MARKER),
            call("owner-2", "2025-03-10T14:00:00Z", "c1", "completed", 60.0),
            agent_profile("owner-5"),
            ad_campaign("owner-3", "2025-03-01T10:00:00Z", AD_CAMPAIGN, MARKER, "u_user"),
            ad_delivery("owner-4", "2025-03-10T12:00:00Z", AD_CAMPAIGN, 12.5, 30),
            event("owner-6", "agent.upserted", "2025-03-01T00:00:00Z", json!({"agent_id": "a_owner", "name": MARKER})),
            event(
                "owner-7",
                "agent.execution",
                "2025-03-10T13:00:00Z",
                json!({"agent_id": "a_owner", "user_id": "u_user", "success": true, "duration_ms": 900}),
            ),
        ],
    )
    .await;
    app.ingest_ok(STRANGER, vec![agent_profile("stranger-1")]).await;
    app
}

fn path_of(spec: &RouteSpec) -> String {
    let path = spec
        .path_params()
        .iter()
        .fold(spec.path.to_owned(), |path, param| path.replace(&format!("{{{param}}}"), resource(param)));
    match QUERIES.iter().find(|(route, _)| *route == spec.path) {
        Some((_, query)) => format!("{path}?{query}"),
        None => path,
    }
}

/// Calls the route as a client would, with `bearer` if any. A body's `user_id` is the caller's
/// own (`u_<role>`, as the tokens say): whose portfolio a role may see is tested with the routes.
async fn call_route(app: &TestApp, spec: &RouteSpec, bearer: Option<&str>, role: Role) -> (StatusCode, String) {
    let url = format!("{}{}", app.base, path_of(spec));
    let mut request = app.client.request(spec.method.clone(), url);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    if spec.takes_body {
        let example =
            spec.example.unwrap_or_else(|| panic!("{} {} takes a body but has no example", spec.method, spec.path));
        let mut body = example();
        if body.get("user_id").is_some() {
            body["user_id"] = Value::from(format!("u_{}", role.as_str()));
        }
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    (response.status(), response.text().await.expect("body"))
}

fn is_envelope(body: &str, status: StatusCode) -> bool {
    serde_json::from_str::<Value>(body).is_ok_and(|body| body["error"]["status"] == status.as_u16())
}

#[tokio::test]
async fn every_route_answers_each_role_and_each_bad_token_as_the_spec_says() {
    let app = seeded_app().await;
    let mut routes = 0;
    for function in local::registry::FUNCTIONS {
        for spec in (function.routes)() {
            routes += 1;
            let route = format!("{} {}", spec.method, spec.path);
            assert!(!spec.roles.is_empty(), "{route} declares no roles");

            let valid = claims(WS, "admin");
            for (case, bearer) in [
                ("no token", None),
                ("not a token", Some("not-a-token".to_owned())),
                ("signed with another key", Some(hs256_with(&valid, "another-secret-that-is-also-long-enough"))),
            ] {
                let (status, body) = call_route(&app, &spec, bearer.as_deref(), Role::Admin).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{route}, {case}: {body}");
                assert!(is_envelope(&body, status), "{route}, {case}: {body}");
            }

            for role in Role::ALL {
                let allowed = spec.roles.contains(&role);
                let (status, body) = call_route(&app, &spec, Some(&token(WS, role.as_str())), role).await;
                if allowed {
                    assert!(status.is_success(), "{route} as {}: {status} {body}", role.as_str());
                } else {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{route} as {}: {body}", role.as_str());
                    assert!(is_envelope(&body, status), "{route}: {body}");
                }

                // The same role in another workspace: this workspace's resources do not exist
                // there, and nothing of this workspace shows.
                let (status, body) = call_route(&app, &spec, Some(&token(STRANGER, role.as_str())), role).await;
                let expected = match (allowed, names_a_resource(&spec)) {
                    (false, _) => Some(StatusCode::FORBIDDEN),
                    (true, true) => Some(StatusCode::NOT_FOUND),
                    (true, false) => None,
                };
                match expected {
                    Some(expected) => {
                        assert_eq!(status, expected, "{route} as {} of {STRANGER}: {body}", role.as_str())
                    }
                    None => assert!(status.is_success(), "{route} as {} of {STRANGER}: {status} {body}", role.as_str()),
                }
                assert!(!body.contains(MARKER), "{route} showed {WS}'s data to {STRANGER}: {body}");
            }
        }
    }
    assert!(routes >= 3, "the registry's routes were walked");
}
