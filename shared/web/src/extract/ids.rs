//! Validated ids from the path: `CampaignId`, `AgentId`, `LeadId`, `DashboardId`, `ExportJobId`
//! (and `UserId`), or from a JSON body (seed 000's `campaign_id`, `user_id`). A malformed one is a
//! 400 naming the parameter or field; whether it exists in the caller's workspace is the view's
//! question (404, for another workspace's too).

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use domain::events::is_valid_id;
use serde::{Deserialize, Deserializer};

use crate::ApiError;

const ID_RULE: &str = "must be 1 to 128 characters of letters, digits and . _ : @ -";

/// A kind of resource named by an id.
pub trait IdKind: Send + Sync + 'static {
    /// The path parameters it goes by, in the seeds' spellings.
    const PARAMS: &'static [&'static str];
    /// Its schema's name in the OpenAPI document: `CampaignId`.
    const NAME: &'static str;
}

macro_rules! id_kinds {
    ($($kind:ident $alias:ident [$($param:literal),+]),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $kind;
        impl IdKind for $kind {
            const PARAMS: &'static [&'static str] = &[$($param),+];
            const NAME: &'static str = stringify!($alias);
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
    User UserId ["user_id", "userId"],
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
            Err(ApiError::validation(field, ID_RULE))
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

/// An id in a JSON body; a malformed one is an error at its field's path.
impl<'de, K: IdKind> Deserialize<'de> for Id<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        if !is_valid_id(&value) {
            return Err(serde::de::Error::custom(ID_RULE));
        }
        Ok(Id { value, kind: PhantomData })
    }
}

#[cfg(feature = "openapi")]
impl<K: IdKind> utoipa::PartialSchema for Id<K> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(super::ID_PATTERN))
            .description(Some("An id: 1 to 128 characters of letters, digits and . _ : @ -"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl<K: IdKind> utoipa::ToSchema for Id<K> {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(K::NAME)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_id_is_checked_as_it_is_read() {
        let id: CampaignId = serde_json::from_str(r#""cmp_ads-1.x""#).expect("valid");
        assert_eq!(id.as_str(), "cmp_ads-1.x");
        for bad in [r#""""#, r#""a b""#, r#""a|b""#, "7"] {
            assert!(serde_json::from_str::<UserId>(bad).is_err(), "{bad}");
        }
    }
}
