//! Validated ids from the path: `CampaignId`, `AgentId`, `LeadId`, `DashboardId`, `ExportJobId`.
//! A malformed one is a 400 naming the path parameter; whether it exists in the caller's
//! workspace is the view's question (404, for another workspace's too).

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use domain::events::is_valid_id;

use crate::ApiError;

/// A kind of resource named by an id.
pub trait IdKind: Send + Sync + 'static {
    /// The path parameters it goes by, in the seeds' spellings.
    const PARAMS: &'static [&'static str];
}

macro_rules! id_kinds {
    ($($kind:ident $alias:ident [$($param:literal),+]),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $kind;
        impl IdKind for $kind {
            const PARAMS: &'static [&'static str] = &[$($param),+];
        }
        pub type $alias = Id<$kind>;
    )*};
}

id_kinds! {
    Campaign CampaignId ["campaign_id", "campaignId"],
    Agent AgentId ["agent_id", "agentId"],
    Lead LeadId ["lead_id", "leadId"],
    Dashboard DashboardId ["dashboard_id", "dashboardId"],
    ExportJob ExportJobId ["job_id", "export_id", "exportId"],
}

/// An id of a `K`: 1 to 128 characters of letters, digits and `. _ : @ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Id<K> {
    value: String,
    kind: PhantomData<K>,
}

impl<K: IdKind> Id<K> {
    /// `value` as an id, or a 400 naming `field`.
    pub fn parse(field: &str, value: &str) -> Result<Id<K>, ApiError> {
        if is_valid_id(value) {
            Ok(Id { value: value.to_owned(), kind: PhantomData })
        } else {
            Err(ApiError::validation(field, "must be 1 to 128 characters of letters, digits and . _ : @ -"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl<K> Deref for Id<K> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.value
    }
}

impl<K> fmt::Display for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl<K: IdKind, S: Send + Sync> FromRequestParts<S> for Id<K> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::validation("path", rejection.body_text()))?;
        let (name, value) = params
            .iter()
            .find(|(name, _)| K::PARAMS.contains(name))
            .ok_or_else(|| ApiError::internal(format!("the route has none of the path parameters {:?}", K::PARAMS)))?;
        Id::parse(name, value)
    }
}
