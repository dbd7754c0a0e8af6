//! DynamoDB: one table, `pk` (S) and `sk` (S), TTL on `expires_at`. Item layouts and the reasons
//! behind them are in `infra/DATA_MODEL.md`; the key functions here are the only place that
//! spells them.

mod cache;
mod connections;
mod keys;
mod store;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, KeysAndAttributes,
    ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use domain::ports::StoreError;

pub use cache::DynamoCache;
pub use connections::DynamoConnections;
pub use store::DynamoStore;

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) fn unavailable(error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

pub(crate) fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

pub(crate) fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

pub(crate) fn n(number: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

pub(crate) fn key(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

pub(crate) fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(text)) => Ok(text),
        _ => Err(corrupt(format!("item lacks string attribute {name}"))),
    }
}

pub(crate) fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    match item.get(name) {
        Some(AttributeValue::N(number)) => number.parse().map_err(corrupt),
        _ => Err(corrupt(format!("item lacks number attribute {name}"))),
    }
}

/// Reads `keys` with as many BatchGetItem calls as the 100-key limit needs, retrying
/// unprocessed keys with backoff. `projection` limits the attributes returned.
pub(crate) async fn batch_get(
    client: &Client,
    table: &str,
    keys: Vec<Item>,
    projection: Option<(&str, HashMap<String, String>)>,
) -> Result<Vec<Item>, StoreError> {
    let mut found = Vec::new();
    for chunk in keys.chunks(100) {
        let mut pending = chunk.to_vec();
        let mut attempt = 0;
        while !pending.is_empty() {
            let mut request = KeysAndAttributes::builder().set_keys(Some(pending)).consistent_read(true);
            if let Some((expression, names)) = &projection {
                request =
                    request.projection_expression(*expression).set_expression_attribute_names(Some(names.clone()));
            }
            let request = request.build().map_err(corrupt)?;
            let output = client
                .batch_get_item()
                .request_items(table, request)
                .send()
                .await
                .map_err(|e| unavailable(DisplayErrorContext(e)))?;
            if let Some(items) = output.responses.and_then(|mut tables| tables.remove(table)) {
                found.extend(items);
            }
            pending = output
                .unprocessed_keys
                .and_then(|mut tables| tables.remove(table))
                .map(|keys| keys.keys)
                .unwrap_or_default();
            if !pending.is_empty() {
                attempt += 1;
                if attempt >= crate::retry::ATTEMPTS {
                    return Err(StoreError::Contention(attempt as usize));
                }
                crate::retry::backoff(attempt).await;
            }
        }
    }
    Ok(found)
}

/// Whether a table created here deletes expired items ([`create_table_if_missing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeToLive {
    /// As the template declares: DynamoDB deletes items once `expires_at` (epoch seconds) passed.
    On,
    /// For tests that run a simulated clock: TTL compares `expires_at` with the wall clock, so it
    /// would delete what such a test wrote "now" in the past (DynamoDB Local sweeps within
    /// seconds). Expiry is still checked at read, which is what the contract suites test.
    Off,
}

/// Creates the table as `infra/template.yaml` declares it, if it does not exist (emulators,
/// and the local runtime pointed at a fresh DynamoDB). Production tables come from the template.
pub async fn create_table_if_missing(client: &Client, table: &str, ttl: TimeToLive) -> Result<(), StoreError> {
    if client.describe_table().table_name(table).send().await.is_ok() {
        return Ok(());
    }
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(corrupt)
    };
    let key_element = |name: &str, kind: KeyType| {
        KeySchemaElement::builder().attribute_name(name).key_type(kind).build().map_err(corrupt)
    };
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("pk")?)
        .attribute_definitions(attribute("sk")?)
        .key_schema(key_element("pk", KeyType::Hash)?)
        .key_schema(key_element("sk", KeyType::Range)?)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .map_err(corrupt)?,
        )
        .send()
        .await
        .map_err(|e| unavailable(DisplayErrorContext(e)))?;
    if ttl == TimeToLive::Off {
        return Ok(());
    }
    // TTL is best effort here: expiry is checked at read anyway.
    let ttl = TimeToLiveSpecification::builder().enabled(true).attribute_name("expires_at").build().map_err(corrupt)?;
    if let Err(error) = client.update_time_to_live().table_name(table).time_to_live_specification(ttl).send().await {
        tracing::debug!(error = %DisplayErrorContext(error), "TTL not enabled on the table");
    }
    Ok(())
}
