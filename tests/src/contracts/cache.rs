//! The [`Cache`] contract: each check follows a point of the trait's doc comment.

use std::sync::Arc;

use domain::ports::{Cache, CacheKey};
use jiff::{SignedDuration, Timestamp};

fn at(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn key(group: &str, variant: &str) -> CacheKey {
    CacheKey { group: group.to_owned(), variant: variant.to_owned() }
}

pub async fn a_value_is_served_until_its_expiry_and_not_after(cache: Arc<dyn Cache>) {
    let now = at("2025-03-10T12:00:00Z");
    let k = key("view|ws1|c1", "series=true");
    cache.put(&k, "v1", now + SignedDuration::from_secs(60)).await.expect("put");
    assert_eq!(cache.get(&k, now).await.expect("get").as_deref(), Some("v1"));
    assert_eq!(cache.get(&k, now + SignedDuration::from_secs(59)).await.expect("get").as_deref(), Some("v1"));
    assert_eq!(cache.get(&k, now + SignedDuration::from_secs(60)).await.expect("get"), None);
    assert_eq!(cache.get(&key("view|ws1|c1", "missing"), now).await.expect("get"), None);
}

pub async fn put_replaces_and_invalidate_drops_every_variant_of_a_group_only(cache: Arc<dyn Cache>) {
    let now = at("2025-03-10T12:00:00Z");
    let later = now + SignedDuration::from_secs(60);
    let (a, b) = (key("view|ws1|c1", "a"), key("view|ws1|c1", "b"));
    let (prefix_sibling, other_ws) = (key("view|ws1|c10", "a"), key("view|ws2|c1", "a"));
    cache.put(&a, "old", later).await.expect("put");
    cache.put(&a, "new", later).await.expect("put");
    for other in [&b, &prefix_sibling, &other_ws] {
        cache.put(other, "other", later).await.expect("put");
    }
    assert_eq!(cache.get(&a, now).await.expect("get").as_deref(), Some("new"));
    cache.invalidate("view|ws1|c1").await.expect("invalidate");
    cache.invalidate("view|ws1|never-written").await.expect("an empty group is not an error");
    assert_eq!(cache.get(&a, now).await.expect("get"), None);
    assert_eq!(cache.get(&b, now).await.expect("get"), None, "every variant of the group");
    for kept in [&prefix_sibling, &other_ws] {
        assert_eq!(cache.get(kept, now).await.expect("get").as_deref(), Some("other"), "{kept:?} stays");
    }
}

#[macro_export]
macro_rules! cache_contract_tests {
    ($make:expr) => {
        #[tokio::test]
        async fn a_value_is_served_until_its_expiry_and_not_after() {
            $crate::contracts::cache::a_value_is_served_until_its_expiry_and_not_after($make.await).await;
        }
        #[tokio::test]
        async fn put_replaces_and_invalidate_drops_every_variant_of_a_group_only() {
            $crate::contracts::cache::put_replaces_and_invalidate_drops_every_variant_of_a_group_only($make.await)
                .await;
        }
    };
}
