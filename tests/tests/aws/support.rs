//! Clients for the emulators that `tests/emulators/start.sh` runs, fresh resources per test,
//! a counter of DynamoDB calls, and a fake of the API Gateway management API.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_adapters::dynamo::TimeToLive;
use aws_config::{Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use tests::contracts::push::PushProbe;

/// An emulator's endpoint from the environment `tests/emulators/start.sh` writes.
pub fn endpoint(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: start the emulators (tests/emulators/start.sh, then source .tools/emulators/env), or run ./tests/run.sh")
    })
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

pub async fn sdk(endpoint: &str, key: &str, secret: &str) -> SdkConfig {
    aws_adapters::config_loader()
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(key, secret, None, None, "emulator")))
        .load()
        .await
}

/// Counts DynamoDB operations by name, the items each write touches, and how many were in
/// flight at once.
#[derive(Debug, Clone, Default)]
pub struct DynamoCalls {
    calls: Arc<Mutex<BTreeMap<String, usize>>>,
    items_written: Arc<Mutex<usize>>,
    /// (in flight now, the most in flight since the last `take`).
    in_flight: Arc<Mutex<(usize, usize)>>,
}

impl DynamoCalls {
    /// Calls by operation since the last `take`, and items written.
    pub fn take(&self) -> (BTreeMap<String, usize>, usize) {
        self.in_flight.lock().expect("lock").1 = 0;
        let calls = std::mem::take(&mut *self.calls.lock().expect("lock"));
        let written = std::mem::take(&mut *self.items_written.lock().expect("lock"));
        (calls, written)
    }

    /// The most calls in flight at once since the last `take`.
    pub fn peak_in_flight(&self) -> usize {
        self.in_flight.lock().expect("lock").1
    }
}

impl Intercept for DynamoCalls {
    fn name(&self) -> &'static str {
        "DynamoCalls"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map(|m| m.name().to_owned()).unwrap_or_else(|| "?".into());
        let input = context.input();
        let written = if let Some(transaction) = input.downcast_ref::<TransactWriteItemsInput>() {
            transaction.transact_items().len()
        } else if let Some(batch) = input.downcast_ref::<BatchWriteItemInput>() {
            batch.request_items().map(|tables| tables.values().map(Vec::len).sum()).unwrap_or(0)
        } else {
            usize::from(matches!(operation.as_str(), "PutItem" | "UpdateItem" | "DeleteItem"))
        };
        *self.calls.lock().expect("lock").entry(operation).or_default() += 1;
        *self.items_written.lock().expect("lock") += written;
        let mut in_flight = self.in_flight.lock().expect("lock");
        in_flight.0 += 1;
        in_flight.1 = in_flight.1.max(in_flight.0);
        Ok(())
    }

    fn read_after_execution(
        &self,
        _: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let mut in_flight = self.in_flight.lock().expect("lock");
        in_flight.0 = in_flight.0.saturating_sub(1);
        Ok(())
    }
}

/// A DynamoDB client on DynamoDB Local with a fresh table, and its call counter.
pub async fn dynamo() -> (aws_sdk_dynamodb::Client, String, DynamoCalls) {
    let config = sdk(&endpoint("DYNAMODB_ENDPOINT"), "test", "test").await;
    let calls = DynamoCalls::default();
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&config).interceptor(calls.clone()).build(),
    );
    let table = unique("analytics");
    // The tests' clock is fixed in the past: TTL would delete what they write (see TimeToLive).
    aws_adapters::dynamo::create_table_if_missing(&client, &table, TimeToLive::Off).await.expect("create table");
    calls.take();
    (client, table, calls)
}

/// A queue on moto with a dead-letter queue after `max_receives`, as the template declares.
pub async fn sqs_queue(max_receives: u32) -> aws_adapters::sqs::SqsQueue {
    let config = sdk(&endpoint("MOTO_ENDPOINT"), "test", "test").await;
    let client = aws_sdk_sqs::Client::new(&config);
    let dead = client.create_queue().queue_name(unique("exports-dlq")).send().await.expect("create DLQ");
    let dead_url = dead.queue_url.expect("DLQ url");
    let attributes = client
        .get_queue_attributes()
        .queue_url(&dead_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("DLQ arn");
    let arn = attributes
        .attributes
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn).cloned())
        .expect("arn");
    let policy = format!(r#"{{"deadLetterTargetArn":"{arn}","maxReceiveCount":"{max_receives}"}}"#);
    let queue = client
        .create_queue()
        .queue_name(unique("exports"))
        .attributes(aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy, policy)
        .send()
        .await
        .expect("create queue");
    aws_adapters::sqs::SqsQueue::new(client, queue.queue_url.expect("url"), dead_url)
}

/// A fresh bucket on `endpoint` (moto, or s3s-fs with its keys), path-style as emulators need.
pub async fn s3_bucket(endpoint_var: &str, key: &str, secret: &str) -> aws_adapters::s3::S3Blobs {
    let config = sdk(&endpoint(endpoint_var), key, secret).await;
    let client =
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
    let bucket = unique("exports");
    client.create_bucket().bucket(&bucket).send().await.expect("create bucket");
    aws_adapters::s3::S3Blobs::new(client, bucket)
}

/// A stand-in for the API Gateway management API: `POST /@connections/{id}` records frames for
/// open connections and answers 410 Gone (as AWS does) for any other.
#[derive(Clone, Default)]
pub struct FakeManagementApi {
    open: Arc<Mutex<HashSet<String>>>,
    frames: Arc<Mutex<HashMap<String, Vec<Vec<u8>>>>>,
}

async fn post_to_connection(
    State(api): State<FakeManagementApi>,
    Path(id): Path<String>,
    body: Bytes,
) -> (StatusCode, HeaderMap, String) {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().expect("header"));
    if api.open.lock().expect("lock").contains(&id) {
        api.frames.lock().expect("lock").entry(id).or_default().push(body.to_vec());
        (StatusCode::OK, headers, String::new())
    } else {
        headers.insert("x-amzn-errortype", "GoneException".parse().expect("header"));
        (StatusCode::GONE, headers, r#"{"message":"Gone"}"#.to_owned())
    }
}

impl FakeManagementApi {
    /// Serves the fake on a free loopback port; returns its endpoint.
    pub async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let app = Router::new().route("/@connections/{id}", post(post_to_connection)).with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        format!("http://{address}")
    }
}

#[async_trait]
impl PushProbe for FakeManagementApi {
    async fn open(&self) -> String {
        let id = unique("conn");
        self.open.lock().expect("lock").insert(id.clone());
        id
    }
    async fn close(&self, id: &str) {
        self.open.lock().expect("lock").remove(id);
    }
    async fn received(&self, id: &str) -> Vec<Vec<u8>> {
        self.frames.lock().expect("lock").get(id).cloned().unwrap_or_default()
    }
}
