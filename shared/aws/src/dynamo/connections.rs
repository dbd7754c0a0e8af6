//! [`Connections`] on DynamoDB: one partition per workspace (`W#<ws>#CONN`), one item per
//! connection; expiry (nanoseconds, as given) checked at read and set, in seconds, as the TTL.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::WorkspaceId;
use domain::ports::{Connection, Connections, StoreError};
use jiff::Timestamp;

use super::{Item, corrupt, get_n, get_s, key, keys, n, s, unavailable};

#[derive(Clone)]
pub struct DynamoConnections {
    client: Client,
    table: String,
}

impl DynamoConnections {
    pub fn new(client: Client, table: impl Into<String>) -> DynamoConnections {
        DynamoConnections { client, table: table.into() }
    }
}

fn connection_from(ws: &WorkspaceId, item: &Item) -> Result<Connection, StoreError> {
    let topics = match item.get("topics") {
        Some(AttributeValue::L(list)) => list
            .iter()
            .map(|topic| topic.as_s().cloned().map_err(|_| corrupt("topic is not a string")))
            .collect::<Result<_, _>>()?,
        _ => Vec::new(),
    };
    Ok(Connection {
        id: get_s(item, "sk")?.to_owned(),
        workspace: ws.clone(),
        user_id: get_s(item, "user_id")?.to_owned(),
        topics,
        expires_at: Timestamp::from_nanosecond(get_n(item, "exp_ns")?).map_err(corrupt)?,
    })
}

#[async_trait]
impl Connections for DynamoConnections {
    async fn put(&self, connection: &Connection) -> Result<(), StoreError> {
        let mut item = key(keys::connections_pk(&connection.workspace), &connection.id);
        item.insert("user_id".into(), s(&connection.user_id));
        item.insert("topics".into(), AttributeValue::L(connection.topics.iter().map(s).collect()));
        item.insert("exp_ns".into(), AttributeValue::N(connection.expires_at.as_nanosecond().to_string()));
        item.insert("expires_at".into(), n(connection.expires_at.as_second() + 1));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        Ok(())
    }

    async fn list(&self, ws: &WorkspaceId, now: Timestamp) -> Result<Vec<Connection>, StoreError> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .filter_expression("exp_ns > :now")
            .expression_attribute_values(":pk", s(keys::connections_pk(ws)))
            .expression_attribute_values(":now", AttributeValue::N(now.as_nanosecond().to_string()))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        items.iter().map(|item| connection_from(ws, item)).collect()
    }

    async fn delete(&self, ws: &WorkspaceId, id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::connections_pk(ws), id)))
            .send()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        Ok(())
    }
}
