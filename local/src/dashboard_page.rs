//! The dashboard page at `/`: plain HTML, CSS and JavaScript from `assets/dashboard/`, charts
//! drawn with uPlot (vendored from npm by `assets/uplot/refresh.sh`), all compiled into the binary
//! and served under the same strict policy as the docs page. Each dashboard family is one script
//! under `assets/dashboard/families/`, listed here and in `index.html`. The page calls the API on
//! its own origin, so on AWS it is served beside the API by one CloudFront distribution (see
//! `infra/template.yaml`, `DeployDashboardPage`).

use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;

use crate::embedded_assets::{self, Asset};

/// The page's files, by their path under `/dashboard/` (`index.html` is also `/`).
const ASSETS: &[Asset] = &[
    ("index.html", "text/html; charset=utf-8", include_bytes!("../assets/dashboard/index.html")),
    ("style.css", "text/css; charset=utf-8", include_bytes!("../assets/dashboard/style.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../assets/dashboard/app.js")),
    ("charts.js", "text/javascript; charset=utf-8", include_bytes!("../assets/dashboard/charts.js")),
    (
        "families/campaign-stats.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/dashboard/families/campaign-stats.js"),
    ),
    (
        "families/call-centre.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/dashboard/families/call-centre.js"),
    ),
    (
        "families/ad-campaigns.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/dashboard/families/ad-campaigns.js"),
    ),
    (
        "families/workspace-analytics.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/dashboard/families/workspace-analytics.js"),
    ),
    ("uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8", include_bytes!("../assets/uplot/uPlot.iife.min.js")),
    ("uplot/uPlot.min.css", "text/css; charset=utf-8", include_bytes!("../assets/uplot/uPlot.min.css")),
];

pub fn routes() -> Router {
    Router::new()
        .route("/", get(|| async { asset("index.html") }))
        .route("/dashboard/{*path}", get(|Path(path): Path<String>| async move { asset(&path) }))
}

/// Revalidated on every load: a rebuilt runtime's page is seen at once.
fn asset(path: &str) -> Response {
    embedded_assets::respond(ASSETS, path, "no-cache")
}
