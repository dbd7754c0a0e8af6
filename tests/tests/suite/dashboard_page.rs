//! The dashboard page at `/`: served by the local runtime from the binary under a strict policy,
//! every file it loads too; and the development token route it signs in with, which no Lambda has.
//! (`local`'s own tests check when that route exists; tests/browser.sh drives the page in Chromium.)

use axum::body::Body;
use axum::http::Request;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::app::spawn_app;
use tower::ServiceExt;

const NOW: &str = "2025-03-10T15:00:00Z";

/// The `src` and `href` values of `html`'s tags.
fn linked_paths(html: &str) -> Vec<&str> {
    [" src=\"", " href=\""]
        .iter()
        .flat_map(|attribute| html.split(attribute).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[tokio::test]
async fn the_dashboard_page_and_every_file_it_loads_are_served_from_the_binary_under_a_strict_policy() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let page = app.client.get(format!("{}/", app.base)).send().await.expect("GET /");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().expect("type").starts_with("text/html"));
    let policy = page.headers()["content-security-policy"].to_str().expect("policy").to_owned();
    for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'"] {
        assert!(policy.contains(directive), "{policy} has {directive}");
    }
    assert!(!policy.contains("http") && !policy.contains("unsafe"), "no other origin, nothing inline: {policy}");
    let html = page.text().await.expect("html");

    let paths = linked_paths(&html);
    let scripts = paths.iter().filter(|path| path.ends_with(".js")).count();
    assert!(scripts >= 4, "uPlot, the charts, the shell and a family at least: {paths:?}");
    for path in paths.into_iter().filter(|path| *path != "data:,") {
        assert!(path.starts_with("/dashboard/"), "{path} is one of the page's own files");
        let response = app.client.get(format!("{}{path}", app.base)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let kind = response.headers()["content-type"].to_str().expect("type").to_owned();
        let expected = if path.ends_with(".js") { "text/javascript" } else { "text/css" };
        assert!(kind.starts_with(expected), "{path}: {kind}");
        assert!(response.headers().contains_key("content-security-policy"), "{path}");
        assert!(!response.bytes().await.expect("bytes").is_empty(), "{path}");
    }

    let missing = app.client.get(format!("{}/dashboard/nothing.js", app.base)).send().await.expect("GET");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.json::<Value>().await.expect("envelope")["error"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn no_lambda_function_has_the_development_token_route() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    for function in local::registry::FUNCTIONS {
        let Some(router) = function.router else { continue };
        let request = Request::post("/dev/token")
            .header("content-type", "application/json")
            .body(Body::from(json!({"role": "viewer"}).to_string()))
            .expect("request");
        let response = web::with_common_layers(router(&app.ports)).oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{}", function.name);
    }
}
