//! [`RollupStore`] on DynamoDB.
//!
//! A commit is one TransactWriteItems (at most 100 items; the domain chunks batches to fit):
//! a conditional Put per event (its marker and stored body), a version-conditioned Put per
//! entity, an ADD per live cell item (on one shard), and a due mark per (series, month) whose
//! days it writes. A cancelled transaction names, per item, why: markers that already exist are
//! reported as duplicates, entities whose version moved as stale; conflicts with concurrent
//! transactions are retried with backoff. Min/max cannot be expressed as an ADD, so they are
//! applied after the transaction with conditional updates (idempotent), and the due marks are
//! set again when a day's extremes moved, so a fold never clears a mark before it saw them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, Select, TransactWriteItem, Update};
use domain::WorkspaceId;
use domain::ports::{CommitError, DueFold, RollupStore, StoreError};
use domain::rollup::cells::Value as CellValue;
use domain::rollup::{
    CellKey, Cells, CommitPlan, Direction, EntityKey, EntityRecord, EntryKey, IndexChange, IndexEntry, Op, SortRange,
    merge_cells,
};
use domain::time::Bucket;
use serde_json::{Map, Value};

use super::keys::{self, CELL_SHARDS, FIELD_PREFIX};
use super::{Item, batch_get, corrupt, get_n, get_s, key, n, s, unavailable};
use crate::retry::{ATTEMPTS, backoff};

/// Events are kept for the retention window, then expire (TTL): long after any producer retry.
const EVENT_RETENTION_SECS: i64 = 400 * 24 * 3600;
const MAX_TRANSACTION_ITEMS: usize = 100;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore { client, table: table.into() }
    }
}

/// What each action of a transaction stands for, to read its cancellation reason.
enum Action {
    Marker(String),
    Entity(EntityKey),
    Other,
}

/// An update of several attributes, with placeholder names built once.
struct Expression {
    clauses: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    fn new() -> Expression {
        Expression { clauses: Vec::new(), names: HashMap::new(), values: HashMap::new() }
    }

    fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#a{}", self.names.len());
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }
}

fn field_attribute(field: &str) -> String {
    format!("{FIELD_PREFIX}{field}")
}

fn cells_of(item: &Item) -> Result<Cells, StoreError> {
    let mut cells = Cells::new();
    for (name, value) in item {
        if let Some(field) = name.strip_prefix(FIELD_PREFIX) {
            let AttributeValue::N(number) = value else { return Err(corrupt(format!("cell {name} is not a number"))) };
            cells.insert(field.to_owned(), number.parse().map_err(corrupt)?);
        }
    }
    Ok(cells)
}

/// The key of `cell` on `shard` (months are not sharded).
fn cell_item_key(ws: &WorkspaceId, cell: &CellKey, shard: u8) -> Item {
    let sk =
        if keys::is_sharded(&cell.bucket) { keys::cell_sk(&cell.bucket, shard) } else { keys::month_sk(&cell.bucket) };
    key(keys::series_pk(ws, &cell.series), sk)
}

/// A write DynamoDB refused as invalid: out of range when a number outgrew its 38 digits (an
/// ADD past them is refused, never rounded), else a fault in what this adapter built.
pub(crate) fn validation_error(message: &str) -> StoreError {
    if ["overflow", "magnitude", "precision"].iter().any(|word| message.contains(word)) {
        StoreError::OutOfRange(message.to_owned())
    } else {
        corrupt(message)
    }
}

fn transaction_is_retryable(reasons: &[Option<&str>]) -> bool {
    reasons
        .iter()
        .flatten()
        .any(|code| matches!(*code, "TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded"))
}

impl DynamoStore {
    fn marker_put(
        &self,
        ws: &WorkspaceId,
        event: &domain::rollup::EventRecord,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = keys::event(ws, &event.id);
        item.insert("hash".into(), s(&event.hash));
        item.insert("type".into(), s(event.event_type));
        item.insert("at".into(), n(event.occurred_at.as_microsecond()));
        item.insert("body".into(), s(&event.body));
        item.insert("expires_at".into(), n(event.occurred_at.as_second() + EVENT_RETENTION_SECS));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn entity_put(
        &self,
        ws: &WorkspaceId,
        write: &domain::rollup::EntityWrite,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = keys::entity(ws, write.key.as_str());
        item.insert("ver".into(), s(write.record.token()));
        if let Some(state) = &write.record.state {
            item.insert("state".into(), s(state));
        }
        item.insert("data".into(), s(Value::Object(write.record.data.clone()).to_string()));
        let mut put = Put::builder().table_name(&self.table).set_item(Some(item));
        put = match &write.expected {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(token) => {
                put.condition_expression("ver = :expected").expression_attribute_values(":expected", s(token))
            }
        };
        Ok(TransactWriteItem::builder().put(put.build().map_err(corrupt)?).build())
    }

    /// The write of one index entry: a Put of a list's entry (with the events' expiry when it
    /// lists an event), a Delete, or an ADD to a tally's count.
    fn index_write(
        &self,
        ws: &WorkspaceId,
        key: &EntryKey,
        change: &IndexChange,
    ) -> Result<TransactWriteItem, StoreError> {
        let item_key = keys::index_entry(ws, key);
        Ok(match change {
            IndexChange::Set { data, event_at } => {
                let mut item = item_key;
                item.insert("data".into(), s(Value::Object(data.clone()).to_string()));
                item.insert("n".into(), n(0));
                if let Some(at) = event_at {
                    item.insert("expires_at".into(), n(at.as_second() + EVENT_RETENTION_SECS));
                }
                let put = Put::builder().table_name(&self.table).set_item(Some(item)).build().map_err(corrupt)?;
                TransactWriteItem::builder().put(put).build()
            }
            IndexChange::Remove => {
                let delete =
                    Delete::builder().table_name(&self.table).set_key(Some(item_key)).build().map_err(corrupt)?;
                TransactWriteItem::builder().delete(delete).build()
            }
            IndexChange::Count { data, delta } => {
                let update = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(item_key))
                    .update_expression("SET #d = :d ADD #n :delta")
                    .expression_attribute_names("#d", "data")
                    .expression_attribute_names("#n", "n")
                    .expression_attribute_values(":d", s(Value::Object(data.clone()).to_string()))
                    .expression_attribute_values(":delta", n(delta))
                    .build()
                    .map_err(corrupt)?;
                TransactWriteItem::builder().update(update).build()
            }
        })
    }

    /// The entries of one index partition within `range`, in `direction`, up to `limit` (all
    /// pages); with `count_only`, only how many (each entry still read once, as DynamoDB counts).
    async fn query_index(
        &self,
        ws: &WorkspaceId,
        index: &str,
        range: &SortRange,
        direction: Direction,
        limit: Option<usize>,
    ) -> Result<(Vec<Item>, u64), StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_values(":pk", s(keys::index_pk(ws, index)))
            .scan_index_forward(direction == Direction::Ascending)
            .consistent_read(true);
        let condition = match (&range.from, &range.to) {
            (Some(from), Some(to)) => {
                query = query.expression_attribute_values(":from", s(from)).expression_attribute_values(":to", s(to));
                "pk = :pk AND sk BETWEEN :from AND :to"
            }
            (Some(from), None) => {
                query = query.expression_attribute_values(":from", s(from));
                "pk = :pk AND sk >= :from"
            }
            (None, Some(to)) => {
                query = query.expression_attribute_values(":to", s(to));
                "pk = :pk AND sk < :to"
            }
            (None, None) => "pk = :pk",
        };
        query = query.key_condition_expression(condition);
        if limit.is_none() {
            query = query.select(Select::Count);
        }
        let (mut items, mut counted, mut start) = (Vec::new(), 0u64, None);
        loop {
            let mut page = query.clone().set_exclusive_start_key(start);
            if let Some(limit) = limit {
                page = page.limit(i32::try_from(limit - items.len()).unwrap_or(i32::MAX).clamp(1, 1000));
            }
            let output = page.send().await.map_err(|e| unavailable(DisplayErrorContext(e)))?;
            counted += u64::try_from(output.count()).unwrap_or(0);
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            if start.is_none() || limit.is_some_and(|limit| items.len() >= limit) {
                return Ok((items, counted));
            }
        }
    }

    /// Every item whose partition key starts with `prefix`: a whole-table Scan, for verification
    /// only (the `scan_*` methods), never on a request path.
    async fn scan_partitions(&self, prefix: &str) -> Result<Vec<Item>, StoreError> {
        self.client
            .scan()
            .table_name(&self.table)
            .filter_expression("begins_with(pk, :prefix)")
            .expression_attribute_values(":prefix", s(prefix))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))
    }

    fn index_entry_from(item: &Item) -> Result<IndexEntry, StoreError> {
        let sk = get_s(item, "sk")?;
        let (sort, id) = sk.rsplit_once('#').ok_or_else(|| corrupt(format!("bad index sort key {sk:?}")))?;
        Ok(IndexEntry {
            sort: sort.to_owned(),
            id: id.to_owned(),
            data: serde_json::from_str(get_s(item, "data")?).map_err(corrupt)?,
            count: get_n(item, "n")?,
        })
    }

    /// ADD of the additive fields of one cell item, if it has any.
    fn cell_add(
        &self,
        ws: &WorkspaceId,
        cell: &CellKey,
        cells: &Cells,
        shard: u8,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        let mut expression = Expression::new();
        for (field, value) in cells.iter().filter(|(field, value)| Op::of(field) == Op::Add && **value != 0) {
            let name = expression.name(&field_attribute(field));
            let value = expression.value(n(*value));
            expression.clauses.push(format!("{name} {value}"));
        }
        if expression.clauses.is_empty() {
            return Ok(None);
        }
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(cell_item_key(ws, cell, shard)))
            .update_expression(format!("ADD {}", expression.clauses.join(", ")))
            .set_expression_attribute_names(Some(expression.names))
            .set_expression_attribute_values(Some(expression.values))
            .build()
            .map_err(corrupt)?;
        Ok(Some(TransactWriteItem::builder().update(update).build()))
    }

    /// The due mark of a (series, month): a fresh token, and what the fold needs to find it.
    fn due_mark(ws: &WorkspaceId, series: &str, month: &Bucket, token: &str) -> Expression {
        let mut expression = Expression::new();
        for (attribute, value) in [("token", token), ("ws", ws.as_str()), ("series", series), ("month", &month.key())] {
            let name = expression.name(attribute);
            let value = expression.value(s(value));
            expression.clauses.push(format!("{name} = {value}"));
        }
        expression
    }

    /// Runs one transaction, retrying conflicts; returns per-action cancellation codes if it was
    /// refused for good (a condition failed).
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<Option<Vec<Option<String>>>, StoreError> {
        // One token for every attempt: if an attempt that timed out had in fact committed, the
        // retry is answered as a success instead of running twice.
        let token = uuid::Uuid::new_v4().to_string();
        for attempt in 1..=ATTEMPTS {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .client_request_token(&token)
                .send()
                .await;
            let error = match result {
                Ok(_) => return Ok(None),
                Err(error) => error,
            };
            match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    let reasons = cancelled.cancellation_reasons();
                    if let Some(invalid) = reasons.iter().find(|r| r.code() == Some("ValidationError")) {
                        return Err(validation_error(invalid.message().unwrap_or("a ValidationError")));
                    }
                    let codes: Vec<Option<&str>> = reasons.iter().map(|r| r.code()).collect();
                    if !transaction_is_retryable(&codes) {
                        return Ok(Some(codes.into_iter().map(|code| code.map(str::to_owned)).collect()));
                    }
                }
                Some(
                    TransactWriteItemsError::TransactionInProgressException(_)
                    | TransactWriteItemsError::ProvisionedThroughputExceededException(_)
                    | TransactWriteItemsError::RequestLimitExceeded(_)
                    | TransactWriteItemsError::ThrottlingException(_),
                ) => {}
                Some(invalid) if invalid.code() == Some("ValidationException") => {
                    return Err(validation_error(invalid.message().unwrap_or("a ValidationException")));
                }
                // Timeouts and transport errors included: the SDK has retried them already.
                _ => return Err(unavailable(DisplayErrorContext(error))),
            }
            backoff(attempt).await;
        }
        Err(StoreError::Contention(ATTEMPTS as usize))
    }

    /// Applies min/max fields: reads the stored extremes of every shard (one BatchGetItem), writes
    /// only those the plan improves on, to this commit's shard, each on the condition that it is
    /// still an improvement there. A redelivered duplicate thus writes nothing. Returns the
    /// (series, month) of every day whose extremes moved.
    async fn apply_extrema<'p>(
        &self,
        ws: &WorkspaceId,
        plan: &'p CommitPlan,
        shard: u8,
    ) -> Result<BTreeSet<(&'p str, Bucket)>, StoreError> {
        let wanted: Vec<(&CellKey, Vec<(&String, CellValue)>)> = plan
            .cells
            .iter()
            .map(|(cell, cells)| {
                (
                    cell,
                    cells.iter().filter(|(f, _)| Op::of(f).is_idempotent()).map(|(f, v)| (f, *v)).collect::<Vec<_>>(),
                )
            })
            .filter(|(_, fields)| !fields.is_empty())
            .collect();
        if wanted.is_empty() {
            return Ok(BTreeSet::new());
        }
        // The extremes stored for each cell over all its shards: what a reader sees.
        let mut item_keys = Vec::new();
        for (cell, _) in &wanted {
            let shards = if keys::is_sharded(&cell.bucket) { CELL_SHARDS } else { 1 };
            item_keys.extend((0..shards).map(|shard| cell_item_key(ws, cell, shard)));
        }
        let mut stored: HashMap<(String, Bucket), Cells> = HashMap::new();
        for item in batch_get(&self.client, &self.table, item_keys, None).await? {
            let bucket = keys::bucket_of_sk(get_s(&item, "sk")?).ok_or_else(|| corrupt("bad cell sort key"))?;
            merge_cells(stored.entry((get_s(&item, "pk")?.to_owned(), bucket)).or_default(), &cells_of(&item)?);
        }
        let mut moved = BTreeSet::new();
        for (cell, fields) in wanted {
            let item_key = cell_item_key(ws, cell, shard);
            let current = stored.remove(&(keys::series_pk(ws, &cell.series), cell.bucket)).unwrap_or_default();
            for (field, value) in fields {
                let op = Op::of(field);
                if current.get(field).is_some_and(|&stored| op.merge(stored, value) == stored) {
                    continue;
                }
                let comparison = if op == Op::Min { ">" } else { "<" };
                let result = self
                    .client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(item_key.clone()))
                    .update_expression("SET #f = :v")
                    .condition_expression(format!("attribute_not_exists(#f) OR #f {comparison} :v"))
                    .expression_attribute_names("#f", field_attribute(field))
                    .expression_attribute_values(":v", n(value))
                    .send()
                    .await;
                match result {
                    Ok(_) => {
                        if let Bucket::Day(date) = cell.bucket {
                            moved.insert((cell.series.as_str(), Bucket::month_of(date)));
                        }
                    }
                    // Someone stored an extreme at least as good meanwhile: nothing to do.
                    Err(error)
                        if error.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {}
                    Err(error) => return Err(unavailable(DisplayErrorContext(error))),
                }
            }
        }
        Ok(moved)
    }

    fn entity_from(item: &Item) -> Result<EntityRecord, StoreError> {
        let state = item.get("state").and_then(|v| v.as_s().ok()).cloned();
        let data: Map<String, Value> = serde_json::from_str(get_s(item, "data")?).map_err(corrupt)?;
        EntityRecord::from_token(get_s(item, "ver")?, state, data).ok_or_else(|| corrupt("bad entity version"))
    }
}

#[async_trait]
impl RollupStore for DynamoStore {
    fn max_items_per_commit(&self) -> usize {
        MAX_TRANSACTION_ITEMS
    }

    async fn find_events(&self, ws: &WorkspaceId, ids: &[String]) -> Result<HashMap<String, String>, StoreError> {
        let keys = ids.iter().map(|id| keys::event(ws, id)).collect();
        let projection = ("pk, #hash", HashMap::from([("#hash".to_owned(), "hash".to_owned())]));
        let prefix = format!("W#{ws}#EVT#");
        let mut found = HashMap::new();
        for item in batch_get(&self.client, &self.table, keys, Some(projection)).await? {
            let id =
                get_s(&item, "pk")?.strip_prefix(&prefix).ok_or_else(|| corrupt("event key of another workspace"))?;
            found.insert(id.to_owned(), get_s(&item, "hash")?.to_owned());
        }
        Ok(found)
    }

    async fn load_entities(
        &self,
        ws: &WorkspaceId,
        keys: &[EntityKey],
    ) -> Result<HashMap<EntityKey, EntityRecord>, StoreError> {
        let prefix = format!("W#{ws}#ENT#");
        let mut found = HashMap::new();
        for item in
            batch_get(&self.client, &self.table, keys.iter().map(|k| keys::entity(ws, k.as_str())).collect(), None)
                .await?
        {
            let entity_key =
                get_s(&item, "pk")?.strip_prefix(&prefix).ok_or_else(|| corrupt("entity key of another workspace"))?;
            found.insert(EntityKey::from_stored(entity_key.to_owned()), Self::entity_from(&item)?);
        }
        Ok(found)
    }

    async fn commit(&self, ws: &WorkspaceId, plan: &CommitPlan) -> Result<(), CommitError> {
        if plan.item_count() > MAX_TRANSACTION_ITEMS {
            return Err(
                corrupt(format!("a plan of {} items exceeds {MAX_TRANSACTION_ITEMS}", plan.item_count())).into()
            );
        }
        let shard = fastrand::u8(0..CELL_SHARDS);
        let mut items = Vec::with_capacity(plan.item_count());
        let mut actions = Vec::with_capacity(plan.item_count());
        for event in &plan.events {
            items.push(self.marker_put(ws, event)?);
            actions.push(Action::Marker(event.id.clone()));
        }
        for write in &plan.entities {
            items.push(self.entity_put(ws, write)?);
            actions.push(Action::Entity(write.key.clone()));
        }
        for (cell, cells) in plan.cells.iter() {
            if let Some(item) = self.cell_add(ws, cell, cells, shard)? {
                items.push(item);
                actions.push(Action::Other);
            }
        }
        for (key, change) in plan.index.iter() {
            items.push(self.index_write(ws, key, change)?);
            actions.push(Action::Other);
        }
        let token = uuid::Uuid::new_v4().to_string();
        // Months whose days get additive changes; a day whose extremes move is marked after them.
        let months_due: BTreeSet<(&str, Bucket)> = plan
            .cells
            .iter()
            .filter(|(_, cells)| cells.iter().any(|(field, value)| Op::of(field) == Op::Add && *value != 0))
            .filter_map(|(cell, _)| match cell.bucket {
                Bucket::Day(date) => Some((cell.series.as_str(), Bucket::month_of(date))),
                _ => None,
            })
            .collect();
        for (series, month) in &months_due {
            let mark = Self::due_mark(ws, series, month, &token);
            let update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(keys::due(ws, series, month)))
                .update_expression(format!("SET {}", mark.clauses.join(", ")))
                .set_expression_attribute_names(Some(mark.names))
                .set_expression_attribute_values(Some(mark.values))
                .build()
                .map_err(corrupt)?;
            items.push(TransactWriteItem::builder().update(update).build());
            actions.push(Action::Other);
        }

        if !items.is_empty()
            && let Some(codes) = self.transact(items).await?
        {
            let failed = |index: usize| codes.get(index).and_then(Option::as_deref) == Some("ConditionalCheckFailed");
            let mut duplicates = Vec::new();
            let mut stale = Vec::new();
            for (_, action) in actions.into_iter().enumerate().filter(|(index, _)| failed(*index)) {
                match action {
                    Action::Marker(id) => duplicates.push(id),
                    Action::Entity(key) => stale.push(key),
                    Action::Other => {}
                }
            }
            return Err(match (duplicates.is_empty(), stale.is_empty()) {
                (false, _) => CommitError::Duplicates(duplicates),
                (true, false) => CommitError::StaleEntities(stale),
                (true, true) => corrupt(format!("transaction cancelled: {codes:?}")).into(),
            });
        }

        let moved = self.apply_extrema(ws, plan, shard).await?;
        if !moved.is_empty() {
            let token = uuid::Uuid::new_v4().to_string();
            for (series, month) in &moved {
                let mark = Self::due_mark(ws, series, month, &token);
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(keys::due(ws, series, month)))
                    .update_expression(format!("SET {}", mark.clauses.join(", ")))
                    .set_expression_attribute_names(Some(mark.names))
                    .set_expression_attribute_values(Some(mark.values))
                    .send()
                    .await
                    .map_err(|e| unavailable(DisplayErrorContext(e)))?;
            }
        }
        Ok(())
    }

    async fn read_cells(&self, ws: &WorkspaceId, keys: &[CellKey]) -> Result<HashMap<CellKey, Cells>, StoreError> {
        let mut item_keys = Vec::new();
        for cell in keys {
            let shards = if keys::is_sharded(&cell.bucket) { CELL_SHARDS } else { 1 };
            item_keys.extend((0..shards).map(|shard| cell_item_key(ws, cell, shard)));
        }
        let series_of: HashMap<String, &str> =
            keys.iter().map(|cell| (keys::series_pk(ws, &cell.series), cell.series.as_str())).collect();
        let mut found: HashMap<CellKey, Cells> = HashMap::new();
        for item in batch_get(&self.client, &self.table, item_keys, None).await? {
            let series = series_of.get(get_s(&item, "pk")?).ok_or_else(|| corrupt("unexpected item"))?;
            let bucket = keys::bucket_of_sk(get_s(&item, "sk")?).ok_or_else(|| corrupt("bad cell sort key"))?;
            merge_cells(found.entry(CellKey::new(*series, bucket)).or_default(), &cells_of(&item)?);
        }
        found.retain(|_, cells| !cells.is_empty());
        Ok(found)
    }

    async fn read_range(
        &self,
        ws: &WorkspaceId,
        series: &str,
        from: Bucket,
        to: Bucket,
    ) -> Result<Vec<(Bucket, Cells)>, StoreError> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(keys::series_pk(ws, series)))
            .expression_attribute_values(":from", s(from.key()))
            // `#` sorts before the shard digits and `~` after them: every shard of `to` is in.
            .expression_attribute_values(":to", s(format!("{}#~", to.key())))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| unavailable(DisplayErrorContext(e)))?;
        let mut buckets: BTreeMap<Bucket, Cells> = BTreeMap::new();
        for item in &items {
            let bucket = keys::bucket_of_sk(get_s(item, "sk")?).ok_or_else(|| corrupt("bad cell sort key"))?;
            if bucket.grain() == from.grain() {
                merge_cells(buckets.entry(bucket).or_default(), &cells_of(item)?);
            }
        }
        Ok(buckets.into_iter().filter(|(_, cells)| !cells.is_empty()).collect())
    }

    async fn read_index(
        &self,
        ws: &WorkspaceId,
        index: &str,
        range: &SortRange,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        if limit == 0 || range.from.is_some() && range.from >= range.to && range.to.is_some() {
            return Ok(Vec::new());
        }
        let (items, _) = self.query_index(ws, index, range, direction, Some(limit)).await?;
        items.iter().take(limit).map(Self::index_entry_from).collect()
    }

    async fn count_index(&self, ws: &WorkspaceId, index: &str, range: &SortRange) -> Result<u64, StoreError> {
        if range.from.is_some() && range.from >= range.to && range.to.is_some() {
            return Ok(0);
        }
        Ok(self.query_index(ws, index, range, Direction::Ascending, None).await?.1)
    }

    async fn scan_index(&self, ws: &WorkspaceId) -> Result<Vec<(String, IndexEntry)>, StoreError> {
        let prefix = format!("W#{ws}#I#");
        let items = self.scan_partitions(&prefix).await?;
        let mut entries = Vec::with_capacity(items.len());
        for item in &items {
            let index = get_s(item, "pk")?.strip_prefix(&prefix).ok_or_else(|| corrupt("unexpected item"))?;
            entries.push((index.to_owned(), Self::index_entry_from(item)?));
        }
        entries.sort_by(|(a, x), (b, y)| (a, &x.sort, &x.id).cmp(&(b, &y.sort, &y.id)));
        Ok(entries)
    }

    async fn due_folds(&self, limit: usize) -> Result<Vec<DueFold>, StoreError> {
        let mut due = Vec::new();
        for partition in keys::due_partitions() {
            if due.len() >= limit {
                break;
            }
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(partition))
                .limit((limit - due.len()).min(1000) as i32)
                .send()
                .await
                .map_err(|e| unavailable(DisplayErrorContext(e)))?;
            for item in output.items() {
                let ws = get_s(item, "ws")?;
                due.push(DueFold {
                    workspace: WorkspaceId::parse(ws).ok_or_else(|| corrupt(format!("bad workspace {ws:?}")))?,
                    series: get_s(item, "series")?.to_owned(),
                    month: Bucket::parse_key(get_s(item, "month")?).ok_or_else(|| corrupt("bad month"))?,
                    token: get_s(item, "token")?.to_owned(),
                });
            }
        }
        Ok(due)
    }

    async fn complete_fold(&self, fold: &DueFold, cells: &Cells) -> Result<bool, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::due(&fold.workspace, &fold.series, &fold.month)))
            .condition_expression("#token = :token")
            .expression_attribute_names("#token", "token")
            .expression_attribute_values(":token", s(&fold.token))
            .build()
            .map_err(corrupt)?;
        let mut month = key(keys::series_pk(&fold.workspace, &fold.series), keys::month_sk(&fold.month));
        for (field, value) in cells {
            month.insert(field_attribute(field), n(*value));
        }
        let put = Put::builder().table_name(&self.table).set_item(Some(month)).build().map_err(corrupt)?;
        let items =
            vec![TransactWriteItem::builder().delete(delete).build(), TransactWriteItem::builder().put(put).build()];
        Ok(self.transact(items).await?.is_none())
    }

    async fn abandon_fold(&self, fold: &DueFold) -> Result<bool, StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(keys::due(&fold.workspace, &fold.series, &fold.month)))
            .condition_expression("#token = :token")
            .expression_attribute_names("#token", "token")
            .expression_attribute_values(":token", s(&fold.token))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Ok(false)
            }
            Err(error) => Err(unavailable(DisplayErrorContext(error))),
        }
    }

    async fn scan_cells(&self, ws: &WorkspaceId) -> Result<Vec<(CellKey, Cells)>, StoreError> {
        let prefix = format!("W#{ws}#S#");
        let items = self.scan_partitions(&prefix).await?;
        let mut cells: BTreeMap<CellKey, Cells> = BTreeMap::new();
        for item in &items {
            let series = get_s(item, "pk")?.strip_prefix(&prefix).ok_or_else(|| corrupt("unexpected item"))?;
            let bucket = keys::bucket_of_sk(get_s(item, "sk")?).ok_or_else(|| corrupt("bad cell sort key"))?;
            merge_cells(cells.entry(CellKey::new(series, bucket)).or_default(), &cells_of(item)?);
        }
        Ok(cells.into_iter().filter(|(_, c)| !c.is_empty()).collect())
    }
}
