//! [`Queue`] on SQS, and the shape of an SQS-triggered worker.
//!
//! In Lambda, the SQS event source mapping receives and deletes messages; the worker only reports
//! which records failed ([`process_batch`]), so one bad job neither blocks nor re-runs the
//! others. The queue's redrive policy moves a message to the dead-letter queue after its
//! maximum receive count. `receive` and `ack` serve hosts that poll (tests, a local worker).

use std::future::Future;

use async_trait::async_trait;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use domain::ports::{Queue, QueueDepth, QueueError, Received};
use jiff::SignedDuration;

fn unavailable(error: impl std::fmt::Display) -> QueueError {
    QueueError::Unavailable(error.to_string())
}

#[derive(Clone)]
pub struct SqsQueue {
    client: Client,
    queue_url: String,
    dead_letter_url: String,
}

impl SqsQueue {
    pub fn new(client: Client, queue_url: impl Into<String>, dead_letter_url: impl Into<String>) -> SqsQueue {
        SqsQueue { client, queue_url: queue_url.into(), dead_letter_url: dead_letter_url.into() }
    }

    async fn count(&self, url: &str, attributes: &[QueueAttributeName]) -> Result<Vec<usize>, QueueError> {
        let output = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .set_attribute_names(Some(attributes.to_vec()))
            .send()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        let values = output.attributes.unwrap_or_default();
        Ok(attributes.iter().map(|name| values.get(name).and_then(|v| v.parse().ok()).unwrap_or(0)).collect())
    }
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, body: &str) -> Result<String, QueueError> {
        let output = self
            .client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        output.message_id.ok_or_else(|| QueueError::Corrupt("SQS returned no message id".into()))
    }

    async fn receive(&self, max: usize, visibility: SignedDuration) -> Result<Vec<Received>, QueueError> {
        let output = self
            .client
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(max.clamp(1, 10) as i32)
            .visibility_timeout(visibility.as_secs().clamp(0, 43_200) as i32)
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        output
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|message| {
                let receive_count = message
                    .attributes
                    .as_ref()
                    .and_then(|attributes| attributes.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|count| count.parse().ok())
                    .unwrap_or(1);
                Ok(Received {
                    id: message.message_id.ok_or_else(|| QueueError::Corrupt("message without id".into()))?,
                    body: message.body.unwrap_or_default(),
                    receipt: message
                        .receipt_handle
                        .ok_or_else(|| QueueError::Corrupt("message without receipt".into()))?,
                    receive_count,
                })
            })
            .collect()
    }

    async fn ack(&self, receipt: &str) -> Result<(), QueueError> {
        match self.client.delete_message().queue_url(&self.queue_url).receipt_handle(receipt).send().await {
            Ok(_) => Ok(()),
            // Already deleted, or a stale receipt of a message since re-received: gone either way.
            Err(error) if error.as_service_error().is_some_and(|e| e.is_receipt_handle_is_invalid()) => Ok(()),
            Err(error) => Err(unavailable(DisplayErrorContext(error))),
        }
    }

    async fn depth(&self) -> Result<QueueDepth, QueueError> {
        let main = self
            .count(
                &self.queue_url,
                &[
                    QueueAttributeName::ApproximateNumberOfMessages,
                    QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
                ],
            )
            .await?;
        let dead = self.count(&self.dead_letter_url, &[QueueAttributeName::ApproximateNumberOfMessages]).await?;
        Ok(QueueDepth { waiting: main[0], in_flight: main[1], dead: dead[0] })
    }
}

/// Runs `handle` on every record of an SQS trigger's batch and reports the failed ones, so SQS
/// redelivers only those (the function's event source mapping must enable
/// `ReportBatchItemFailures`).
pub async fn process_batch<F, Fut, E>(event: SqsEvent, handle: F) -> SqsBatchResponse
where
    F: Fn(Received) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let received = Received {
            id: id.clone(),
            body: record.body.unwrap_or_default(),
            receipt: record.receipt_handle.unwrap_or_default(),
            receive_count: record.attributes.get("ApproximateReceiveCount").and_then(|c| c.parse().ok()).unwrap_or(1),
        };
        if let Err(error) = handle(received).await {
            tracing::warn!(message_id = %id, %error, "message failed; SQS will redeliver it");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}
