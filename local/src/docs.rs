//! The API's documentation, served by the local runtime: `/openapi.json`, generated from every
//! function's route table (see `registry`), and `/docs`, Swagger UI over it. The page's assets are
//! in the binary (vendored from npm's swagger-ui-dist by `assets/swagger-ui/refresh.sh`), so the
//! page works offline and loads nothing from elsewhere.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::response::{Redirect, Response};
use axum::routing::get;
use serde_json::Value;

use crate::embedded_assets::{self, Asset};
use crate::registry;

/// The page's files.
const ASSETS: &[Asset] = &[
    ("index.html", "text/html; charset=utf-8", include_bytes!("../assets/docs/index.html")),
    ("docs.js", "text/javascript; charset=utf-8", include_bytes!("../assets/docs/docs.js")),
    ("swagger-ui.css", "text/css; charset=utf-8", include_bytes!("../assets/swagger-ui/swagger-ui.css")),
    (
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/swagger-ui/swagger-ui-bundle.js"),
    ),
    ("favicon-32x32.png", "image/png", include_bytes!("../assets/swagger-ui/favicon-32x32.png")),
];

/// The OpenAPI document, built once.
pub fn openapi_json() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(registry::openapi)
}

pub fn routes() -> Router {
    Router::new()
        .route("/openapi.json", get(|| async { axum::Json(openapi_json()) }))
        .route("/docs", get(|| async { asset("index.html") }))
        .route("/docs/", get(|| async { Redirect::permanent("/docs") }))
        .route("/docs/{file}", get(|Path(file): Path<String>| async move { asset(&file) }))
}

fn asset(name: &str) -> Response {
    embedded_assets::respond(ASSETS, name, "public, max-age=3600")
}
