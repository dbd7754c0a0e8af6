//! The ports' contract suites on the AWS adapters, against emulators.

use std::sync::Arc;

use aws_adapters::dynamo::{DynamoCache, DynamoConnections, DynamoStore};
use aws_adapters::push::ApiGatewayPush;
use domain::ports::{Blobs, Cache, Connections, Push, Queue, RollupStore};
use tests::contracts::push::PushProbe;

use crate::support::{FakeManagementApi, dynamo, s3_bucket, sdk, sqs_queue};

mod dynamodb_store {
    use super::*;
    tests::store_contract_tests!(async {
        let (client, table, _) = dynamo().await;
        Arc::new(DynamoStore::new(client, table)) as Arc<dyn RollupStore>
    });
}

mod dynamodb_cache {
    use super::*;
    tests::cache_contract_tests!(async {
        let (client, table, _) = dynamo().await;
        Arc::new(DynamoCache::new(client, table)) as Arc<dyn Cache>
    });
}

mod dynamodb_connections {
    use super::*;
    tests::connections_contract_tests!(async {
        let (client, table, _) = dynamo().await;
        Arc::new(DynamoConnections::new(client, table)) as Arc<dyn Connections>
    });
}

mod sqs_queue_on_moto {
    use super::*;
    tests::queue_contract_tests!(async {
        Arc::new(sqs_queue(tests::contracts::queue::MAX_RECEIVES).await) as Arc<dyn Queue>
    });
}

mod s3_blobs_on_moto {
    use super::*;
    tests::blob_contract_tests!(async { Arc::new(s3_bucket("MOTO_ENDPOINT", "test", "test").await) as Arc<dyn Blobs> });
}

/// s3s-fs checks presigned signatures and expiry, which moto does not.
mod s3_blobs_on_s3s {
    use super::*;
    async fn blobs() -> Arc<dyn Blobs> {
        let (key, secret) = (crate::support::endpoint("S3S_ACCESS_KEY"), crate::support::endpoint("S3S_SECRET_KEY"));
        Arc::new(s3_bucket("S3S_ENDPOINT", &key, &secret).await)
    }
    tests::blob_contract_tests!(blobs());
    tests::blob_link_security_tests!(blobs());
}

mod api_gateway_push {
    use super::*;
    async fn parts() -> (Arc<dyn Push>, Arc<dyn PushProbe>, Arc<dyn Connections>) {
        let fake = FakeManagementApi::default();
        let config = sdk(&fake.start().await, "test", "test").await;
        let push = ApiGatewayPush::new(aws_sdk_apigatewaymanagement::Client::new(&config));
        let (client, table, _) = dynamo().await;
        (Arc::new(push), Arc::new(fake), Arc::new(DynamoConnections::new(client, table)))
    }
    tests::push_contract_tests!(parts());
}

/// moto's management API checks the request's SigV4 scope (service `execute-api`) and path, which
/// the fake does not; it never answers 410, so the contract suite above runs on the fake.
#[tokio::test]
async fn a_frame_posted_through_the_sdk_is_accepted_by_moto() {
    let config = sdk(&crate::support::endpoint("MOTO_ENDPOINT"), "test", "test").await;
    let push = ApiGatewayPush::new(aws_sdk_apigatewaymanagement::Client::new(&config));
    push.post("moto-connection", br#"{"topic":"t","seq":1}"#).await.expect("moto accepts a signed post");
}
