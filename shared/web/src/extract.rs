//! Extractors whose rejections are [`ApiError`]s in the envelope, naming what was wrong.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::{ApiError, ErrorCode};

/// Query parameters; a bad one is a 400 that says which.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(value)| ApiQuery(value)).map_err(
            |rejection: QueryRejection| {
                ApiError::validation(
                    "query",
                    rejection.body_text().trim_start_matches("Failed to deserialize query string: "),
                )
            },
        )
    }
}

/// Path parameters.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection: PathRejection| ApiError::validation("path", rejection.body_text()))
    }
}

/// The raw bytes of a JSON body, within the route's `DefaultBodyLimit` (counted after a gzip
/// `Content-Encoding` is undone; see `layers`): over it is 413 PAYLOAD_TOO_LARGE. A body that is
/// not declared as JSON is 415.
pub struct BodyBytes(pub Bytes);

/// `application/json` or `application/<something>+json`, parameters allowed.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<S: Send + Sync> FromRequest<S> for BodyBytes {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request.headers().get(CONTENT_TYPE).map(|value| value.to_str().unwrap_or("?"));
        if !content_type.is_some_and(is_json) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "the body must be JSON with Content-Type: application/json (got {})",
                    content_type.unwrap_or("none")
                ),
            ));
        }
        Bytes::from_request(request, state).await.map(BodyBytes).map_err(|rejection: BytesRejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::payload_too_large("the request body is over the size limit")
            } else {
                ApiError::validation("body", rejection.body_text())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_media_types_are_recognised_with_parameters_and_suffixes() {
        for json in ["application/json", "Application/JSON; charset=utf-8", "application/vnd.api+json"] {
            assert!(is_json(json), "{json}");
        }
        for other in ["text/plain", "application/x-www-form-urlencoded", "application/jsonp", "json", ""] {
            assert!(!is_json(other), "{other}");
        }
    }
}
