//! Typed inputs: extractors whose rejections are [`ApiError`]s in the envelope, each naming the
//! field that was wrong. Ids ([`ids`]), date ranges in the three forms the seeds use ([`range`]),
//! pagination ([`page`]) and seed 002's `workspace_id` ([`workspace`]) are shared by every route
//! that takes them.

pub mod ids;
pub mod page;
pub mod range;
pub mod workspace;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::{ApiError, ErrorCode};

pub use ids::{AgentId, CampaignId, DashboardId, ExportJobId, Id, IdKind, LeadId, UserId};
pub use page::{Order, Page, Paginated, SortKeys};
pub use range::{DateRangeBody, DatesQuery, PeriodQuery};
pub use workspace::{OwnWorkspace, WorkspaceQuery};

/// What every id in a path or body matches (`domain::events::is_valid_id`).
pub const ID_PATTERN: &str = "^[A-Za-z0-9._:@-]{1,128}$";

/// The field a deserialisation error is about, or `whole` for the input itself. A missing field
/// is named itself, under its parent's path (serde reports it at the parent, as "missing field
/// `name`"; an unknown field's path already ends with its name).
fn field_of<E: std::fmt::Display>(error: &serde_path_to_error::Error<E>, whole: &str) -> String {
    let message = error.inner().to_string();
    let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split_once('`')).map(|(name, _)| name);
    match (error.path().to_string(), missing) {
        (path, Some(name)) if path == "." => name.to_owned(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) if path == "." => whole.to_owned(),
        (path, None) => path,
    }
}

/// Query parameters; a bad one is a 400 naming it.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|error| ApiError::validation(&field_of(&error, "query"), error.inner().to_string()))
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
            } else if caused_by_deadline(&rejection) {
                ApiError::new(ErrorCode::RequestTimeout, "the request body did not arrive in time")
            } else {
                ApiError::validation("body", rejection.body_text())
            }
        })
    }
}

/// Whether reading the body failed because its deadline passed (see `layers`).
fn caused_by_deadline(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// A JSON body read into `T`; a bad field is a 400 naming it by its path (`date_range.start`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let BodyBytes(bytes) = BodyBytes::from_request(request, state).await?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|error| ApiError::validation(&field_of(&error, "body"), error.inner().to_string()))?;
        deserializer.end().map_err(|error| ApiError::validation("body", error.to_string()))?;
        Ok(ApiJson(value))
    }
}

/// A yes-or-no query parameter: `true`/`false` or `1`/`0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match String::deserialize(deserializer)?.as_str() {
            "true" | "1" => Ok(Flag(true)),
            "false" | "0" => Ok(Flag(false)),
            _ => Err(serde::de::Error::custom("must be true or false")),
        }
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
