//! The [`Connections`] and [`Push`] contracts, and the delivery rule on top of them: a gone
//! connection is deleted. A push factory returns the adapter and a [`PushProbe`] that opens and
//! closes connections on the far side and reports what they received.

use std::sync::Arc;

use async_trait::async_trait;
use domain::WorkspaceId;
use domain::ports::{Connection, Connections, Push, PushError};
use domain::realtime::{Delivery, DeliveryError, MAX_FRAME_BYTES, deliver};
use jiff::{SignedDuration, Timestamp};

/// The far side of a push adapter (API Gateway, or the local hub).
#[async_trait]
pub trait PushProbe: Send + Sync {
    /// Opens a connection and returns its id.
    async fn open(&self) -> String;
    async fn close(&self, id: &str);
    /// Frames the connection received, in order.
    async fn received(&self, id: &str) -> Vec<Vec<u8>>;
}

fn connection(ws: &str, id: &str, expires_at: Timestamp) -> Connection {
    Connection {
        id: id.to_owned(),
        workspace: WorkspaceId::parse(ws).expect("id"),
        user_id: "u1".into(),
        topics: vec!["performance-update".into(), "realtime/metrics".into()],
        expires_at,
    }
}

pub async fn connections_are_listed_per_workspace_until_they_expire(connections: Arc<dyn Connections>) {
    let now: Timestamp = "2025-03-10T12:00:00Z".parse().expect("ts");
    let later = now + SignedDuration::from_mins(10);
    let (a, b) = (WorkspaceId::parse("ws-a").expect("id"), WorkspaceId::parse("ws-b").expect("id"));
    connections.put(&connection("ws-a", "c1", later)).await.expect("put");
    connections.put(&connection("ws-a", "c2", now)).await.expect("put");
    connections.put(&connection("ws-b", "c3", later)).await.expect("put");
    let listed = connections.list(&a, now).await.expect("list");
    assert_eq!(listed, vec![connection("ws-a", "c1", later)], "c2 expired at now; c3 is another workspace's");
    let mut moved = connection("ws-a", "c1", later);
    moved.topics = vec!["lead-insights-update".into()];
    connections.put(&moved).await.expect("replace");
    assert_eq!(connections.list(&a, now).await.expect("list"), vec![moved]);
    connections.delete(&a, "c1").await.expect("delete");
    connections.delete(&a, "never-there").await.expect("deleting an unknown connection");
    assert!(connections.list(&a, now).await.expect("list").is_empty());
    assert_eq!(connections.list(&b, now).await.expect("list").len(), 1);
}

pub async fn a_frame_reaches_a_live_connection_and_a_closed_one_is_gone(
    push: Arc<dyn Push>,
    probe: Arc<dyn PushProbe>,
) {
    let id = probe.open().await;
    push.post(&id, br#"{"topic":"t","seq":1}"#).await.expect("post");
    push.post(&id, br#"{"topic":"t","seq":2}"#).await.expect("post");
    assert_eq!(
        probe.received(&id).await,
        vec![br#"{"topic":"t","seq":1}"#.to_vec(), br#"{"topic":"t","seq":2}"#.to_vec()]
    );
    probe.close(&id).await;
    assert!(matches!(push.post(&id, b"late").await, Err(PushError::Gone)));
    assert!(matches!(push.post("never-opened", b"x").await, Err(PushError::Gone)));
}

pub async fn delivering_to_a_gone_connection_deletes_it(
    push: Arc<dyn Push>,
    probe: Arc<dyn PushProbe>,
    connections: Arc<dyn Connections>,
) {
    let now = Timestamp::now();
    let ws = WorkspaceId::parse("ws-a").expect("id");
    let live = connection("ws-a", &probe.open().await, now + SignedDuration::from_mins(10));
    let closed = connection("ws-a", &probe.open().await, now + SignedDuration::from_mins(10));
    probe.close(&closed.id).await;
    connections.put(&live).await.expect("put");
    connections.put(&closed).await.expect("put");

    assert_eq!(deliver(push.as_ref(), connections.as_ref(), &live, b"{}").await.expect("deliver"), Delivery::Sent);
    assert_eq!(deliver(push.as_ref(), connections.as_ref(), &closed, b"{}").await.expect("deliver"), Delivery::Removed);
    assert_eq!(connections.list(&ws, now).await.expect("list"), vec![live.clone()]);
    let too_large = vec![b'x'; MAX_FRAME_BYTES + 1];
    assert!(matches!(
        deliver(push.as_ref(), connections.as_ref(), &live, &too_large).await,
        Err(DeliveryError::FrameTooLarge(_))
    ));
}

#[macro_export]
macro_rules! connections_contract_tests {
    ($make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn connections_are_listed_per_workspace_until_they_expire() {
            $crate::contracts::push::connections_are_listed_per_workspace_until_they_expire($make.await).await;
        }
    };
}

/// `$make` yields `(Arc<dyn Push>, Arc<dyn PushProbe>, Arc<dyn Connections>)`.
#[macro_export]
macro_rules! push_contract_tests {
    ($make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_frame_reaches_a_live_connection_and_a_closed_one_is_gone() {
            let (push, probe, _) = $make.await;
            $crate::contracts::push::a_frame_reaches_a_live_connection_and_a_closed_one_is_gone(push, probe).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn delivering_to_a_gone_connection_deletes_it() {
            let (push, probe, connections) = $make.await;
            $crate::contracts::push::delivering_to_a_gone_connection_deletes_it(push, probe, connections).await;
        }
    };
}
