//! Cached views: a view declares its name, how long an answer is served from the cache and the
//! envelope it answers in; [`CachedView::respond`] does the rest (the key, hit, miss or bypass,
//! the `meta` block), and [`CachedView::invalidate`] drops every cached variant of one thing.

use std::future::Future;

use axum::Json;
use axum::response::{IntoResponse, Response};
use domain::WorkspaceId;
use domain::ports::{Cache, CacheKey};
use domain::views::{ViewMeta, Viewed};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ApiError;

/// How a view's body sits in the response, per seed (spec/API.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// The body's fields at the top level, `meta` beside them (seeds 001 and 003).
    Bare,
    /// `{"success": true, ...the body's fields, "meta"}` (seed 000).
    Success,
    /// `{"success": true, "data": body, "meta"}` (seeds 002 and 004).
    Data,
}

/// Whether an answer came from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CacheStatus {
    /// Served from the cache.
    Hit,
    /// Computed now, and cached.
    Miss,
    /// Computed now for a request that is not cached (an explicit range, say).
    Bypass,
}

/// The `meta` block of every view's answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseMeta {
    #[serde(flatten)]
    pub view: ViewMeta,
    pub cache: CacheStatus,
}

/// What the cache holds for one variant: the rendered body and its meta.
#[derive(Serialize, Deserialize)]
struct Stored {
    body: Value,
    meta: ViewMeta,
}

#[derive(Debug, Clone, Copy)]
pub struct CachedView {
    /// Names the view in cache keys: `campaign-stats`.
    pub name: &'static str,
    pub ttl: SignedDuration,
    pub envelope: Envelope,
}

impl CachedView {
    pub const fn new(name: &'static str, ttl: SignedDuration, envelope: Envelope) -> CachedView {
        CachedView { name, ttl, envelope }
    }

    /// Every variant of this view of `scope` (a campaign id, say) in `ws`.
    fn group(&self, ws: &WorkspaceId, scope: &str) -> String {
        format!("{}|{ws}|{scope}", self.name)
    }

    /// The view of `scope` in `ws`: for a `variant` (the request's options, normalised), the
    /// cached answer while fresh, else `compute`'s, cached for [`Self::ttl`]; with no variant,
    /// `compute`'s, not cached. A cache that fails is logged and worked around, never an error.
    pub async fn respond<T: Serialize>(
        &self,
        cache: &dyn Cache,
        now: Timestamp,
        ws: &WorkspaceId,
        scope: &str,
        variant: Option<String>,
        compute: impl Future<Output = Result<Viewed<T>, ApiError>>,
    ) -> Result<Response, ApiError> {
        let key = variant.map(|variant| CacheKey { group: self.group(ws, scope), variant });
        if let Some(key) = &key {
            match cache.get(key, now).await {
                Ok(Some(text)) => match serde_json::from_str::<Stored>(&text) {
                    Ok(stored) => return Ok(self.render(stored, CacheStatus::Hit)),
                    Err(error) => tracing::warn!(%error, view = self.name, "unreadable cache entry; recomputing"),
                },
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, view = self.name, "cache read failed; recomputing"),
            }
        }
        let Viewed { body, meta } = compute.await?;
        let stored = Stored { body: serde_json::to_value(body).map_err(ApiError::internal)?, meta };
        let Some(key) = key else { return Ok(self.render(stored, CacheStatus::Bypass)) };
        match serde_json::to_string(&stored) {
            Ok(text) => {
                if let Err(error) = cache.put(&key, &text, now + self.ttl).await {
                    tracing::warn!(%error, view = self.name, "cache write failed");
                }
            }
            Err(error) => tracing::warn!(%error, view = self.name, "answer not cached"),
        }
        Ok(self.render(stored, CacheStatus::Miss))
    }

    /// `compute`'s answer, never cached (`meta.cache` is `bypass`): for views that are always
    /// computed afresh.
    pub async fn respond_uncached<T: Serialize>(
        &self,
        compute: impl Future<Output = Result<Viewed<T>, ApiError>>,
    ) -> Result<Response, ApiError> {
        let Viewed { body, meta } = compute.await?;
        let stored = Stored { body: serde_json::to_value(body).map_err(ApiError::internal)?, meta };
        Ok(self.render(stored, CacheStatus::Bypass))
    }

    /// Drops every cached variant of this view of `scope` in `ws`.
    pub async fn invalidate(&self, cache: &dyn Cache, ws: &WorkspaceId, scope: &str) -> Result<(), ApiError> {
        Ok(cache.invalidate(&self.group(ws, scope)).await?)
    }

    fn render(&self, Stored { body, meta }: Stored, cache: CacheStatus) -> Response {
        let meta = serde_json::to_value(ResponseMeta { view: meta, cache }).unwrap_or(Value::Null);
        let fields = |body: Value| match body {
            Value::Object(fields) => fields,
            other => Map::from_iter([("value".to_owned(), other)]),
        };
        let answer = match self.envelope {
            Envelope::Bare => {
                let mut answer = fields(body);
                answer.insert("meta".to_owned(), meta);
                answer
            }
            Envelope::Success => {
                let mut answer = fields(body);
                answer.insert("success".to_owned(), Value::Bool(true));
                answer.insert("meta".to_owned(), meta);
                answer
            }
            Envelope::Data => Map::from_iter([
                ("success".to_owned(), Value::Bool(true)),
                ("data".to_owned(), body),
                ("meta".to_owned(), meta),
            ]),
        };
        Json(Value::Object(answer)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use async_trait::async_trait;
    use domain::ports::CacheError;
    use domain::views::Source;
    use serde_json::json;

    use super::*;

    #[derive(Default)]
    struct MemoryCache(Mutex<HashMap<CacheKey, (String, Timestamp)>>);

    #[async_trait]
    impl Cache for MemoryCache {
        async fn get(&self, key: &CacheKey, now: Timestamp) -> Result<Option<String>, CacheError> {
            let entries = self.0.lock().map_err(|e| CacheError::Unavailable(e.to_string()))?;
            Ok(entries.get(key).filter(|(_, expires)| *expires > now).map(|(value, _)| value.clone()))
        }
        async fn put(&self, key: &CacheKey, value: &str, expires_at: Timestamp) -> Result<(), CacheError> {
            let mut entries = self.0.lock().map_err(|e| CacheError::Unavailable(e.to_string()))?;
            entries.insert(key.clone(), (value.to_owned(), expires_at));
            Ok(())
        }
        async fn invalidate(&self, group: &str) -> Result<(), CacheError> {
            let mut entries = self.0.lock().map_err(|e| CacheError::Unavailable(e.to_string()))?;
            entries.retain(|key, _| key.group != group);
            Ok(())
        }
    }

    async fn answer(response: Response) -> Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    }

    fn viewed(total: i64, now: Timestamp) -> Viewed<Value> {
        let meta = ViewMeta { generated_at: now, timezone: "UTC".into(), watermark: None, source: Source::Rollup };
        Viewed { body: json!({"total": total}), meta }
    }

    #[tokio::test]
    async fn a_variant_is_computed_once_within_its_ttl_and_every_variant_is_dropped_together() {
        let cache = MemoryCache::default();
        let view = CachedView::new("test-view", SignedDuration::from_secs(60), Envelope::Bare);
        let ws = WorkspaceId::parse("ws1").expect("id");
        let now: Timestamp = "2025-01-15T10:00:00Z".parse().expect("now");
        let ask = |variant: Option<&str>, total: i64, at: Timestamp| {
            view.respond(&cache, at, &ws, "c1", variant.map(str::to_owned), async move { Ok(viewed(total, at)) })
        };
        let first = answer(ask(Some("a"), 1, now).await.expect("answer")).await;
        assert_eq!((first["total"].as_i64(), first["meta"]["cache"].as_str()), (Some(1), Some("miss")));
        let again = answer(ask(Some("a"), 2, now).await.expect("answer")).await;
        assert_eq!((again["total"].as_i64(), again["meta"]["cache"].as_str()), (Some(1), Some("hit")));
        let other = answer(ask(Some("b"), 3, now).await.expect("answer")).await;
        assert_eq!(other["meta"]["cache"], "miss");
        let bypass = answer(ask(None, 4, now).await.expect("answer")).await;
        assert_eq!((bypass["total"].as_i64(), bypass["meta"]["cache"].as_str()), (Some(4), Some("bypass")));
        let expired = answer(ask(Some("a"), 5, now + SignedDuration::from_secs(61)).await.expect("answer")).await;
        assert_eq!(expired["total"], 5);

        view.invalidate(&cache, &ws, "c1").await.expect("invalidate");
        for (variant, total) in [("a", 6), ("b", 7)] {
            let fresh = answer(ask(Some(variant), total, now).await.expect("answer")).await;
            assert_eq!((fresh["total"].as_i64(), fresh["meta"]["cache"].as_str()), (Some(total), Some("miss")));
        }
    }

    #[tokio::test]
    async fn each_envelope_wraps_the_body_as_its_seed_documents() {
        let cache = MemoryCache::default();
        let ws = WorkspaceId::parse("ws1").expect("id");
        let now: Timestamp = "2025-01-15T10:00:00Z".parse().expect("now");
        let mut shapes = Vec::new();
        for envelope in [Envelope::Bare, Envelope::Success, Envelope::Data] {
            let view = CachedView::new("v", SignedDuration::from_secs(60), envelope);
            let response = view.respond(&cache, now, &ws, "s", None, async { Ok(viewed(9, now)) }).await;
            shapes.push(answer(response.expect("answer")).await);
        }
        assert_eq!(shapes[0]["total"], 9);
        assert_eq!(shapes[0]["meta"]["timezone"], "UTC");
        assert_eq!((shapes[1]["success"].as_bool(), shapes[1]["total"].as_i64()), (Some(true), Some(9)));
        assert_eq!((shapes[2]["success"].as_bool(), shapes[2]["data"]["total"].as_i64()), (Some(true), Some(9)));
        assert_eq!(shapes[2]["meta"]["cache"], "bypass");
    }
}
