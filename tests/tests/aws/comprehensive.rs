//! Seed 001's pages on DynamoDB: each role's page of the hand-worked call-centre scenario
//! answers exactly as on SQLite, its reads issued at once (the admin page's eight are in flight
//! together; the user page's second round is its agent's calls).

use std::sync::Arc;

use aws_adapters::dynamo::{DynamoCache, DynamoStore};
use reqwest::StatusCode;
use tests::app::spawn_app_on;
use tests::call_centre::{self, NOW, WS};
use tests::tokens::token;

use crate::support::dynamo;

const PAGE: &str = "/api/dashboard/comprehensive/";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_answers_as_on_sqlite_with_its_reads_issued_at_once() {
    let (client, table, counter) = dynamo().await;
    let on_dynamodb = spawn_app_on(
        NOW.parse().expect("now"),
        Arc::new(DynamoStore::new(client.clone(), &table)),
        Arc::new(DynamoCache::new(client, &table)),
    )
    .await;
    call_centre::ingest_scenario(&on_dynamodb).await;
    let on_sqlite = call_centre::app_with_scenario().await;
    for (role, at_once) in [("admin", 8), ("manager", 8), ("user", 9), ("agent", 6)] {
        counter.take();
        let (status, page) = on_dynamodb.get(PAGE, &token(WS, role)).await;
        assert_eq!(status, StatusCode::OK, "{role}: {page}");
        assert_eq!(counter.peak_in_flight(), at_once, "{role}'s reads in flight together");
        assert_eq!(page, on_sqlite.get(PAGE, &token(WS, role)).await.1, "{role}'s page");
    }
}
