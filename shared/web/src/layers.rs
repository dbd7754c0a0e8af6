//! What every router gets, in Lambda, locally and in tests alike.

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::HeaderName;
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::{ApiError, ErrorCode};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Adds JSON 404/405 answers, panics as 500 envelopes, a request id (kept from the caller's
/// `x-request-id` or made) echoed on the response and carried by the request's tracing span.
pub fn with_common_layers(router: Router) -> Router {
    router
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(ErrorCode::MethodNotAllowed, "method not allowed on this route")
        })
        .layer(CatchPanicLayer::custom(|_panic| -> Response { ApiError::internal("handler panicked").into_response() }))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or("-");
            let request_id =
                request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), route, request_id,
                                workspace = tracing::field::Empty, role = tracing::field::Empty)
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}
