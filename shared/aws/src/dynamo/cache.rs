//! [`Cache`] on DynamoDB: one item per key with its expiry in microseconds (checked at read) and
//! in seconds as the table's TTL attribute (which deletes late, never early).

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
use domain::ports::{Cache, StoreError};
use jiff::Timestamp;

use super::{corrupt, get_n, get_s, keys, n, s, unavailable};

#[derive(Clone)]
pub struct DynamoCache {
    client: Client,
    table: String,
}

impl DynamoCache {
    pub fn new(client: Client, table: impl Into<String>) -> DynamoCache {
        DynamoCache { client, table: table.into() }
    }
}

#[async_trait]
impl Cache for DynamoCache {
    async fn get(&self, key: &str, now: Timestamp) -> Result<Option<String>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::cache(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        let Some(item) = output.item else { return Ok(None) };
        if get_n::<i64>(&item, "exp_us")? <= now.as_microsecond() {
            return Ok(None);
        }
        Ok(Some(get_s(&item, "value")?.to_owned()))
    }

    async fn put(&self, key: &str, value: &str, expires_at: Timestamp) -> Result<(), StoreError> {
        let mut item = keys::cache(key);
        item.insert("value".into(), s(value));
        item.insert("exp_us".into(), n(expires_at.as_microsecond()));
        item.insert("expires_at".into(), n(expires_at.as_second() + 1));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        Ok(())
    }

    async fn delete(&self, keys_to_delete: &[String]) -> Result<(), StoreError> {
        for chunk in keys_to_delete.chunks(25) {
            let mut requests = Vec::with_capacity(chunk.len());
            for key in chunk {
                let delete = DeleteRequest::builder().set_key(Some(keys::cache(key))).build().map_err(corrupt)?;
                requests.push(WriteRequest::builder().delete_request(delete).build());
            }
            let mut attempt = 0;
            while !requests.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(|e| unavailable(DisplayErrorContext(e)))?;
                requests =
                    output.unprocessed_items.and_then(|mut tables| tables.remove(&self.table)).unwrap_or_default();
                if !requests.is_empty() {
                    attempt += 1;
                    if attempt >= crate::retry::ATTEMPTS {
                        return Err(StoreError::Contention(attempt as usize));
                    }
                    crate::retry::backoff(attempt).await;
                }
            }
        }
        Ok(())
    }
}
