//! The OpenAPI document and the docs page: served by the local runtime, generated from the
//! registry's route tables, so the document lists exactly the routes served, with their roles.
//! (CI also validates the document against the OpenAPI 3.1 schema: see tests/run.sh.)

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use tests::app::spawn_app;

const NOW: &str = "2025-03-10T15:00:00Z";

#[tokio::test]
async fn the_document_lists_exactly_the_registrys_routes_with_their_roles_and_errors() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let response = app.client.get(format!("{}/openapi.json", app.base)).send().await.expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await.expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["components"]["securitySchemes"]["bearerAuth"].is_object());
    assert!(document["components"]["schemas"]["ErrorEnvelope"].is_object());

    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            documented.insert((method.to_uppercase(), path.clone()));
            let route = format!("{method} {path}");
            for status in ["401", "403", "500", "503"] {
                let error = &operation["responses"][status]["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(error, "#/components/schemas/ErrorEnvelope", "{route} documents {status}");
            }
            assert!(operation["summary"].as_str().is_some_and(|s| !s.is_empty()), "{route} has a summary");
        }
    }
    let mut served = BTreeSet::new();
    for function in local::registry::FUNCTIONS {
        for spec in (function.routes)() {
            let operation = &document["paths"][spec.path][spec.method.as_str().to_lowercase()];
            let roles: Vec<&str> = spec.roles.iter().map(|role| role.as_str()).collect();
            assert_eq!(operation["x-roles"], serde_json::json!(roles), "{} {}", spec.method, spec.path);
            assert_eq!(operation["tags"][0], function.name);
            served.insert((spec.method.to_string(), spec.path.to_owned()));
        }
    }
    assert_eq!(documented, served);
}

#[tokio::test]
async fn the_docs_page_and_its_assets_are_served_from_the_binary() {
    let app = spawn_app(NOW.parse().expect("now")).await;
    let page = app.client.get(format!("{}/docs", app.base)).send().await.expect("GET");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().expect("type").starts_with("text/html"));
    assert!(page.headers()["content-security-policy"].to_str().expect("csp").contains("script-src 'self'"));
    let html = page.text().await.expect("html");
    for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/docs.js"] {
        assert!(html.contains(asset), "the page loads {asset}");
        let response = app.client.get(format!("{}{asset}", app.base)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert!(!response.bytes().await.expect("bytes").is_empty());
    }
    let missing = app.client.get(format!("{}/docs/nothing.js", app.base)).send().await.expect("GET");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.json::<Value>().await.expect("envelope")["error"]["code"], "NOT_FOUND");
}
