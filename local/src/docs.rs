//! The API's documentation, served by the local runtime: `/openapi.json`, generated from every
//! function's route table (see `registry`), and `/docs`, Swagger UI over it. The page's assets are
//! in the binary (vendored from npm's swagger-ui-dist by `assets/swagger-ui/refresh.sh`), so the
//! page works offline and loads nothing from elsewhere.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::Value;
use web::ApiError;

use crate::registry;

/// The page's files: name, content type, bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
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

/// Scripts and styles from this server only; `data:` images are the stylesheet's icons.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; frame-ancestors 'none'; \
     form-action 'self'";

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
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(file, _, _)| *file == name) else {
        return ApiError::not_found(format!("no docs asset {name}")).into_response();
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}
