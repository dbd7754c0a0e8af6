//! The [`Queue`] contract. Factories build a queue whose dead-letter policy moves a message after
//! [`MAX_RECEIVES`] receives.

use std::sync::Arc;
use std::time::Duration;

use domain::ports::{Queue, QueueDepth};
use jiff::SignedDuration;

/// The receive count after which the queues under test dead-letter a message.
pub const MAX_RECEIVES: u32 = 2;

/// Polls `depth` until `check` holds: counts may lag (SQS's are approximate).
async fn eventually(queue: &dyn Queue, check: impl Fn(QueueDepth) -> bool) -> QueueDepth {
    let mut depth = queue.depth().await.expect("depth");
    for _ in 0..50 {
        if check(depth) {
            return depth;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        depth = queue.depth().await.expect("depth");
    }
    depth
}

pub async fn a_message_is_delivered_and_gone_once_acknowledged(queue: Arc<dyn Queue>) {
    let id = queue.send(r#"{"job_id":"j1"}"#).await.expect("send");
    let received = queue.receive(10, SignedDuration::from_secs(30)).await.expect("receive");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].id, id);
    assert_eq!(received[0].body, r#"{"job_id":"j1"}"#);
    assert_eq!(received[0].receive_count, 1);
    queue.ack(&received[0].receipt).await.expect("ack");
    queue.ack(&received[0].receipt).await.expect("a second ack is not an error");
    let depth = eventually(queue.as_ref(), |d| d == QueueDepth::default()).await;
    assert_eq!(depth, QueueDepth::default());
    assert!(queue.receive(10, SignedDuration::from_secs(30)).await.expect("receive").is_empty());
}

pub async fn an_unacknowledged_message_comes_back_after_its_visibility(queue: Arc<dyn Queue>) {
    let id = queue.send("retry me").await.expect("send");
    let first = queue.receive(10, SignedDuration::from_secs(1)).await.expect("receive");
    assert_eq!(first.len(), 1);
    assert!(
        queue.receive(10, SignedDuration::from_secs(1)).await.expect("receive").is_empty(),
        "hidden while in flight"
    );
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let second = queue.receive(10, SignedDuration::from_secs(30)).await.expect("receive");
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, id);
    assert_eq!(second[0].receive_count, 2);
    queue.ack(&second[0].receipt).await.expect("ack");
}

pub async fn a_message_received_too_often_goes_to_the_dead_letter_queue(queue: Arc<dyn Queue>) {
    queue.send("poison").await.expect("send");
    for attempt in 1..=MAX_RECEIVES {
        let received = queue.receive(10, SignedDuration::from_secs(1)).await.expect("receive");
        assert_eq!(received.len(), 1, "delivery {attempt}");
        assert_eq!(received[0].receive_count, attempt);
        tokio::time::sleep(Duration::from_millis(1200)).await;
    }
    assert!(queue.receive(10, SignedDuration::from_secs(1)).await.expect("receive").is_empty(), "not delivered again");
    let depth = eventually(queue.as_ref(), |d| d.dead == 1).await;
    assert_eq!((depth.waiting, depth.in_flight, depth.dead), (0, 0, 1));
}

#[macro_export]
macro_rules! queue_contract_tests {
    ($make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_message_is_delivered_and_gone_once_acknowledged() {
            $crate::contracts::queue::a_message_is_delivered_and_gone_once_acknowledged($make.await).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn an_unacknowledged_message_comes_back_after_its_visibility() {
            $crate::contracts::queue::an_unacknowledged_message_comes_back_after_its_visibility($make.await).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_message_received_too_often_goes_to_the_dead_letter_queue() {
            $crate::contracts::queue::a_message_received_too_often_goes_to_the_dead_letter_queue($make.await).await;
        }
    };
}
