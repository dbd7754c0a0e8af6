//! [`Cache`] on DynamoDB: one partition per group (`C#<group>`), one item per variant, each with
//! its expiry in microseconds (checked at read) and in seconds as the table's TTL attribute (which
//! deletes late, never early). Dropping a group is a Query of its partition and a BatchWriteItem.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
use domain::ports::{Cache, CacheError, CacheKey};
use jiff::Timestamp;

use super::{Item, get_n, get_s, keys, n, s};

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

fn unavailable(error: impl std::fmt::Display) -> CacheError {
    CacheError::Unavailable(error.to_string())
}

fn corrupt(error: impl std::fmt::Display) -> CacheError {
    CacheError::Corrupt(error.to_string())
}

#[async_trait]
impl Cache for DynamoCache {
    async fn get(&self, key: &CacheKey, now: Timestamp) -> Result<Option<String>, CacheError> {
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
        if get_n::<i64>(&item, "exp_us").map_err(corrupt)? <= now.as_microsecond() {
            return Ok(None);
        }
        Ok(Some(get_s(&item, "value").map_err(corrupt)?.to_owned()))
    }

    async fn put(&self, key: &CacheKey, value: &str, expires_at: Timestamp) -> Result<(), CacheError> {
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

    async fn invalidate(&self, group: &str) -> Result<(), CacheError> {
        let variants: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(keys::cache_pk(group)))
            .projection_expression("pk, sk")
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        for chunk in variants.chunks(25) {
            let mut requests = Vec::with_capacity(chunk.len());
            for key in chunk {
                let delete = DeleteRequest::builder().set_key(Some(key.clone())).build().map_err(corrupt)?;
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
                        return Err(unavailable(format!("deletes still unprocessed after {attempt} attempts")));
                    }
                    crate::retry::backoff(attempt).await;
                }
            }
        }
        Ok(())
    }
}
