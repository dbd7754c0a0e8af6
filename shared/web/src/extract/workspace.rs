//! Seed 002's `workspace_id` query parameter: the seed's routes name the workspace they read, and
//! it must be the caller's own (`ws`), or the answer is 403. The workspace read is always the
//! token's; the parameter only has to agree with it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::WorkspaceId;
use serde::Deserialize;

use super::ApiQuery;
use crate::{ApiError, Caller};

/// `workspace_id`: optional; when given, the caller's own workspace.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct WorkspaceQuery {
    /// The workspace to read; must be the caller's (403 otherwise). Defaults to it.
    #[cfg_attr(feature = "openapi", param(example = "ws_agents"))]
    pub workspace_id: Option<String>,
}

/// The caller's workspace, checked against `workspace_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnWorkspace(pub WorkspaceId);

impl<S: Send + Sync> FromRequestParts<S> for OwnWorkspace {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let ApiQuery(query) = ApiQuery::<WorkspaceQuery>::from_request_parts(parts, state).await?;
        match query.workspace_id {
            Some(asked) if asked != caller.workspace.as_str() => {
                Err(ApiError::forbidden("workspace_id is not the caller's workspace")
                    .with_details(serde_json::json!({"field": "workspace_id"})))
            }
            _ => Ok(OwnWorkspace(caller.workspace)),
        }
    }
}
