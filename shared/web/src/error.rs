//! The one error type of every route and its envelope:
//! `{"success": false, "error": {"code", "message", "status", "details"}}`, `details` always an
//! object (`{}` when there is nothing to add).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ports::{BlobError, CacheError, QueueError, StoreError};
use domain::views::ViewError;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// Error codes of spec/API.md, plus the statuses the HTTP layers answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    ValidationFailed,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    RequestTimeout,
    Conflict,
    PayloadTooLarge,
    UriTooLong,
    UnsupportedMediaType,
    RateLimited,
    HeadersTooLarge,
    Internal,
    ServiceUnavailable,
}

impl ErrorCode {
    pub const ALL: &[ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::RequestTimeout,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UriTooLong,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RateLimited,
        ErrorCode::HeadersTooLarge,
        ErrorCode::Internal,
        ErrorCode::ServiceUnavailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "VALIDATION_FAILED",
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::RequestTimeout => "REQUEST_TIMEOUT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::UriTooLong => "URI_TOO_LONG",
            ErrorCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::HeadersTooLarge => "HEADERS_TOO_LARGE",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::ValidationFailed => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UriTooLong => StatusCode::URI_TOO_LONG,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The code of an error status a layer answered with; any other 4xx reads as a validation
    /// failure, any other 5xx as internal.
    pub fn of_status(status: StatusCode) -> ErrorCode {
        ErrorCode::ALL.iter().copied().find(|code| code.status() == status).unwrap_or(if status.is_server_error() {
            ErrorCode::Internal
        } else {
            ErrorCode::ValidationFailed
        })
    }
}

/// How long a client should wait before retrying a 503 (seconds).
const RETRY_AFTER_UNAVAILABLE: u64 = 1;

/// An error a route answers with. The cause of a 5xx is logged when the response is made, never
/// sent; an error a handler recovers from is thus never logged as one.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Map<String, Value>,
    /// Seconds, for 429 and 503.
    pub retry_after: Option<u64>,
    /// What went wrong inside, for the log.
    cause: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into(), details: Map::new(), retry_after: None, cause: None }
    }

    /// 400 naming the offending field.
    pub fn validation(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::new(ErrorCode::ValidationFailed, format!("{field}: {message}"))
            .with_details(json!({"field": field, "reason": message}))
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Unauthorized, message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Conflict, message)
    }

    pub fn payload_too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::PayloadTooLarge, message)
    }

    /// 429: the caller may try again after `seconds`.
    pub fn rate_limited(message: impl Into<String>, seconds: u64) -> ApiError {
        ApiError { retry_after: Some(seconds.max(1)), ..ApiError::new(ErrorCode::RateLimited, message) }
    }

    /// 503: a dependency is down, slow or busy; the client may retry after a pause.
    pub fn unavailable(cause: impl std::fmt::Display) -> ApiError {
        ApiError {
            retry_after: Some(RETRY_AFTER_UNAVAILABLE),
            cause: Some(cause.to_string()),
            ..ApiError::new(
                ErrorCode::ServiceUnavailable,
                "the service is busy or a dependency is unavailable; retry shortly",
            )
        }
    }

    /// 500: `cause` goes to the log only.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        ApiError { cause: Some(cause.to_string()), ..ApiError::new(ErrorCode::Internal, "internal error") }
    }

    /// Adds the entries of `details` (an object) to the error's details.
    pub fn with_details(mut self, details: Value) -> ApiError {
        if let Value::Object(entries) = details {
            self.details.extend(entries);
        }
        self
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        if error.is_retryable() { ApiError::unavailable(error) } else { ApiError::internal(error) }
    }
}

impl From<ViewError> for ApiError {
    fn from(error: ViewError) -> ApiError {
        match error {
            ViewError::Store(error) => error.into(),
            // Only a query's `start` can make a range invalid once the zone resolves it (its end
            // defaults to today); every other bound is checked as it is read.
            ViewError::Range(error) => ApiError::validation("start", error.to_string()),
        }
    }
}

impl From<CacheError> for ApiError {
    fn from(error: CacheError) -> ApiError {
        match error {
            CacheError::Unavailable(_) => ApiError::unavailable(error),
            CacheError::Corrupt(_) => ApiError::internal(error),
        }
    }
}

impl From<QueueError> for ApiError {
    fn from(error: QueueError) -> ApiError {
        match error {
            QueueError::Unavailable(_) => ApiError::unavailable(error),
            QueueError::Corrupt(_) => ApiError::internal(error),
        }
    }
}

impl From<BlobError> for ApiError {
    fn from(error: BlobError) -> ApiError {
        match error {
            BlobError::Unavailable(_) => ApiError::unavailable(error),
            BlobError::InvalidKey(_) => ApiError::internal(error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match (&self.cause, status.is_server_error()) {
            (Some(cause), true) if self.code == ErrorCode::ServiceUnavailable => {
                tracing::warn!(error = %cause, "request failed, retryable")
            }
            (Some(cause), true) => tracing::error!(error = %cause, "request failed"),
            _ => {}
        }
        let body = envelope(self.code, status, self.message, self.details);
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Every error answer: `{"success": false, "error": {...}}`.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorEnvelope {
    /// Always false.
    pub success: bool,
    pub error: ErrorBody,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// `VALIDATION_FAILED`, `UNAUTHORIZED`, `FORBIDDEN`, `NOT_FOUND`, `METHOD_NOT_ALLOWED`,
    /// `REQUEST_TIMEOUT`, `CONFLICT`, `PAYLOAD_TOO_LARGE`, `URI_TOO_LONG`,
    /// `UNSUPPORTED_MEDIA_TYPE`, `RATE_LIMITED`, `HEADERS_TOO_LARGE`, `INTERNAL`,
    /// `SERVICE_UNAVAILABLE`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// The HTTP status, again.
    pub status: u16,
    /// More about it: `field` and `reason` for a validation failure; `{}` when there is nothing.
    pub details: Map<String, Value>,
}

fn envelope(code: ErrorCode, status: StatusCode, message: String, details: Map<String, Value>) -> Value {
    let body = ErrorBody { code: code.as_str().to_owned(), message, status: status.as_u16(), details };
    serde_json::to_value(ErrorEnvelope { success: false, error: body }).unwrap_or_else(|_| json!({"success": false}))
}

/// The envelope of an error answered with `status`, for what writes its responses itself (the
/// local server's rewrite of the HTTP parser's own refusals).
pub fn error_envelope(status: StatusCode, message: impl Into<String>) -> Value {
    envelope(ErrorCode::of_status(status), status, message.into(), Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(error: ApiError) -> (StatusCode, Option<String>, Value) {
        let response = error.into_response();
        let status = response.status();
        let retry = response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap_or_default().to_owned());
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap_or_default();
        (status, retry, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn every_error_carries_details_and_retryable_store_errors_are_503_with_retry_after() {
        let (status, retry, envelope) = body(ApiError::not_found("no such campaign")).await;
        assert_eq!((status, retry), (StatusCode::NOT_FOUND, None));
        assert_eq!(envelope["error"]["details"], json!({}));

        for retryable in [StoreError::Contention(10), StoreError::Unavailable("throttled".into())] {
            let (status, retry, envelope) = body(retryable.into()).await;
            assert_eq!((status, retry.as_deref()), (StatusCode::SERVICE_UNAVAILABLE, Some("1")));
            assert_eq!(envelope["error"]["code"], "SERVICE_UNAVAILABLE");
            assert!(!envelope.to_string().contains("throttled"), "causes are never sent");
        }
        let (status, _, envelope) = body(StoreError::Corrupt("bad row".into()).into()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(envelope["error"]["message"], "internal error");

        let (status, retry, _) = body(ApiError::rate_limited("slow down", 30)).await;
        assert_eq!((status, retry.as_deref()), (StatusCode::TOO_MANY_REQUESTS, Some("30")));
    }

    #[test]
    fn statuses_of_layers_map_to_their_codes() {
        assert_eq!(ErrorCode::of_status(StatusCode::UNSUPPORTED_MEDIA_TYPE), ErrorCode::UnsupportedMediaType);
        assert_eq!(ErrorCode::of_status(StatusCode::IM_A_TEAPOT), ErrorCode::ValidationFailed);
        assert_eq!(ErrorCode::of_status(StatusCode::BAD_GATEWAY), ErrorCode::Internal);
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::of_status(code.status()), *code);
        }
    }
}
