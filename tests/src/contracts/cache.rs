//! The [`Cache`] contract.

use std::sync::Arc;

use domain::ports::Cache;
use jiff::{SignedDuration, Timestamp};

fn at(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

pub async fn a_value_is_served_until_its_expiry_and_not_after(cache: Arc<dyn Cache>) {
    let now = at("2025-03-10T12:00:00Z");
    cache.put("ws1|k", "v1", now + SignedDuration::from_secs(60)).await.expect("put");
    assert_eq!(cache.get("ws1|k", now).await.expect("get").as_deref(), Some("v1"));
    assert_eq!(cache.get("ws1|k", now + SignedDuration::from_secs(59)).await.expect("get").as_deref(), Some("v1"));
    assert_eq!(cache.get("ws1|k", now + SignedDuration::from_secs(60)).await.expect("get"), None);
    assert_eq!(cache.get("ws1|missing", now).await.expect("get"), None);
}

pub async fn put_replaces_and_delete_removes(cache: Arc<dyn Cache>) {
    let now = at("2025-03-10T12:00:00Z");
    let later = now + SignedDuration::from_secs(60);
    cache.put("ws1|a", "old", later).await.expect("put");
    cache.put("ws1|a", "new", later).await.expect("put");
    cache.put("ws1|b", "other", later).await.expect("put");
    assert_eq!(cache.get("ws1|a", now).await.expect("get").as_deref(), Some("new"));
    cache.delete(&["ws1|a".to_owned(), "ws1|never-written".to_owned()]).await.expect("delete");
    assert_eq!(cache.get("ws1|a", now).await.expect("get"), None);
    assert_eq!(cache.get("ws1|b", now).await.expect("get").as_deref(), Some("other"), "other keys stay");
}

#[macro_export]
macro_rules! cache_contract_tests {
    ($make:expr) => {
        #[tokio::test]
        async fn a_value_is_served_until_its_expiry_and_not_after() {
            $crate::contracts::cache::a_value_is_served_until_its_expiry_and_not_after($make.await).await;
        }
        #[tokio::test]
        async fn put_replaces_and_delete_removes() {
            $crate::contracts::cache::put_replaces_and_delete_removes($make.await).await;
        }
    };
}
