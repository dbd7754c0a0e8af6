//! What every router gets, in Lambda, locally and in tests alike.

use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::RequestBodyDeadlineLayer;
use tower_http::trace::TraceLayer;

use crate::{ApiError, ErrorCode};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request target accepted (path and query), in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes (names and values) a request may carry.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// How long a request's body may take to arrive, whole: past it the request is a 408, however
/// steadily it trickles. A slow handler is not cut short (Lambda's own timeout bounds those).
pub const BODY_DEADLINE: Duration = Duration::from_secs(30);

/// Adds JSON 404/405 answers, panics as 500 envelopes, limits on the request target and headers
/// (414 and 431 in the envelope), gzip request bodies (decompressed before any body limit counts
/// them, so a gzip bomb is a 413; another `Content-Encoding` is a 415), the error envelope on any
/// error a layer answers without one, and a request id (kept from the caller's `x-request-id` or
/// made) echoed on the response and carried by the request's tracing span. A body that takes
/// longer than [`BODY_DEADLINE`] to arrive is answered 408.
pub fn with_common_layers(router: Router) -> Router {
    layers(router, BODY_DEADLINE)
}

fn layers(router: Router, body_deadline: Duration) -> Router {
    router
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(ErrorCode::MethodNotAllowed, "method not allowed on this route")
        })
        .layer(CatchPanicLayer::custom(|_panic| -> Response { ApiError::internal("handler panicked").into_response() }))
        .layer(RequestDecompressionLayer::new())
        .layer(RequestBodyDeadlineLayer::new(body_deadline))
        .layer(middleware::from_fn(refuse_oversized_requests))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or("-");
            let request_id =
                request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), route, request_id,
                                workspace = tracing::field::Empty, role = tracing::field::Empty)
        }))
        .layer(middleware::map_response(envelope_bare_errors))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

async fn refuse_oversized_requests(request: Request, next: Next) -> Response {
    let target = request.uri().path_and_query().map_or(0, |target| target.as_str().len());
    if target > MAX_URI_BYTES {
        let message = format!("the request target is {target} bytes; at most {MAX_URI_BYTES} are accepted");
        return ApiError::new(ErrorCode::UriTooLong, message).into_response();
    }
    let headers: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers > MAX_HEADER_BYTES {
        let message = format!("the request headers are {headers} bytes; at most {MAX_HEADER_BYTES} are accepted");
        return ApiError::new(ErrorCode::HeadersTooLarge, message).into_response();
    }
    next.run(request).await
}

/// Gives an error response a layer made without a body (415 for an unknown `Content-Encoding`,
/// say) the envelope every route answers with, keeping its status and headers.
async fn envelope_bare_errors(response: Response) -> Response {
    let status = response.status();
    let is_json =
        response.headers().get(CONTENT_TYPE).is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let message = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => format!("{reason}: send a JSON body, uncompressed or gzip"),
        _ => reason,
    };
    let enveloped = ApiError::new(ErrorCode::of_status(status), message).into_response();
    let (enveloped, body) = enveloped.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(CONTENT_TYPE, enveloped.headers[CONTENT_TYPE].clone());
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use axum::body::{Body, Bytes};
    use axum::http::Request;
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;
    use crate::extract::BodyBytes;

    /// A body whose bytes never come.
    struct Stalled;

    impl http_body::Body for Stalled {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            Poll::Pending
        }
    }

    #[tokio::test]
    async fn a_body_that_does_not_arrive_in_time_is_408_in_the_envelope() {
        let router = Router::new().route("/echo", post(|BodyBytes(body): BodyBytes| async move { body }));
        let app = layers(router, Duration::from_millis(100));
        let request = Request::post("/echo").header("content-type", "application/json").body(Body::new(Stalled));
        let response = app.oneshot(request.expect("request")).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.expect("body");
        let envelope: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(envelope["error"]["code"], "REQUEST_TIMEOUT");
    }
}
