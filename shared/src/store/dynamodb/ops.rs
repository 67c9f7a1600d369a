//! The request patterns every port shares: error mapping, consistent gets, paged queries,
//! listings under a GSI1 parent, and deletes in chunks.

use super::keys::{from_doc, get_s, key_of, s, Item, DATA, GSI1, GSI1PK, GSI1SK, PK, SK};
use super::DynamoStore;
use crate::error::Error;
use crate::store::Page;
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    Delete, DeleteRequest, KeysAndAttributes, TransactWriteItem, WriteRequest,
};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::time::Duration;

/// Items per BatchWriteItem (the service's limit).
const BATCH_WRITE_MAX: usize = 25;
/// Items per TransactWriteItems (the service's limit).
pub(super) const TRANSACT_MAX: usize = 100;
/// Keys per BatchGetItem (the service's limit).
const BATCH_GET_MAX: usize = 100;
/// Rounds of retrying a batch's unprocessed items before giving up.
const UNPROCESSED_ROUNDS: u32 = 8;
/// Times a transaction is retried when DynamoDB cancels it for a concurrent transaction on
/// the same items (`TransactionConflict`); a retry then meets the winner's condition failure.
const CONFLICT_RETRIES: u32 = 10;
/// The cancellation reason of an item whose condition failed.
pub(super) const CONDITION_FAILED: &str = "ConditionalCheckFailed";

/// Any SDK failure, with its whole cause chain, as a storage fault.
pub(super) fn sdk<E, R>(e: SdkError<E, R>) -> Error
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    Error::Store(DisplayErrorContext(&e).to_string())
}

/// Whether a conditional write was refused by its condition (as opposed to failing).
pub(super) fn refused<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    e.as_service_error().and_then(|se| se.code()) == Some("ConditionalCheckFailedException")
}

/// A request that could not be built (a missing required member: a bug, not data).
pub(super) fn build(e: BuildError) -> Error {
    Error::Store(format!("building a DynamoDB request: {e}"))
}

impl DynamoStore {
    /// A short randomised pause before retrying, growing with `attempt`.
    pub(super) async fn backoff(&self, attempt: u32) {
        let cap_ms = 10u64 << attempt.min(6);
        let ms = cap_ms / 2 + crate::random::up_to(self.random.as_ref(), cap_ms / 2);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    /// One item by key, strongly consistent, limited to `fields` unless empty.
    pub(super) async fn get(&self, key: Item, fields: &[&str]) -> Result<Option<Item>, Error> {
        let mut req = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true);
        if !fields.is_empty() {
            let names: Vec<String> = (0..fields.len()).map(|i| format!("#p{i}")).collect();
            req = req.projection_expression(names.join(", "));
            for (name, field) in names.iter().zip(fields) {
                req = req.expression_attribute_names(name, *field);
            }
        }
        Ok(req.send().await.map_err(sdk)?.item)
    }

    /// The record in one item's `data`, strongly consistent.
    pub(super) async fn get_doc<T: DeserializeOwned>(&self, key: Item) -> Result<Option<T>, Error> {
        self.get(key, &[DATA])
            .await?
            .as_ref()
            .map(from_doc)
            .transpose()
    }

    /// A Query on this table.
    pub(super) fn query(&self) -> QueryFluentBuilder {
        self.client.query().table_name(&self.table)
    }

    /// Every item a query returns, following LastEvaluatedKey to the end.
    pub(super) async fn query_all(&self, q: QueryFluentBuilder) -> Result<Vec<Item>, Error> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = q
                .clone()
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk)?;
            out.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    /// Every item in a partition, strongly consistent.
    pub(super) async fn partition_items(&self, pk: String) -> Result<Vec<Item>, Error> {
        let q = self
            .query()
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", s(pk))
            .consistent_read(true);
        self.query_all(q).await
    }

    /// The primary keys of every item listed under a GSI1 parent (eventually consistent).
    pub(super) async fn gsi1_keys(&self, parent: String) -> Result<Vec<Item>, Error> {
        let q = self
            .query()
            .index_name(GSI1)
            .key_condition_expression("#pk = :pk")
            .projection_expression("#k, #s, #o")
            .expression_attribute_names("#pk", GSI1PK)
            .expression_attribute_names("#k", PK)
            .expression_attribute_names("#s", SK)
            .expression_attribute_names("#o", GSI1SK)
            .expression_attribute_values(":pk", s(parent));
        self.query_all(q).await
    }

    /// What `pick` takes from the items listed under a GSI1 parent, in GSI1SK order after
    /// `after`, until it has taken `want` (eventually consistent, like every GSI read).
    pub(super) async fn scan_under<T>(
        &self,
        parent: String,
        after: Option<&str>,
        want: usize,
        mut pick: impl FnMut(&Item) -> Result<Option<T>, Error> + Send,
    ) -> Result<Vec<T>, Error> {
        let mut q = self
            .query()
            .index_name(GSI1)
            .expression_attribute_names("#pk", GSI1PK)
            .expression_attribute_values(":pk", s(parent));
        q = match after {
            Some(a) => q
                .key_condition_expression("#pk = :pk AND #sk > :after")
                .expression_attribute_names("#sk", GSI1SK)
                .expression_attribute_values(":after", s(a)),
            None => q.key_condition_expression("#pk = :pk"),
        };
        let mut found = Vec::new();
        let mut start = None;
        while found.len() < want {
            // Ask for what is missing; when `pick` rejects items, ask for more at once.
            let missing = want - found.len();
            let ask = if start.is_none() {
                missing
            } else {
                missing.max(64)
            };
            let page = q
                .clone()
                .limit(i32::try_from(ask.min(1000)).unwrap_or(1000))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk)?;
            for item in page.items() {
                if found.len() < want {
                    found.extend(pick(item)?);
                }
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        Ok(found)
    }

    /// Records listed under a GSI1 parent in GSI1SK order after `after`, keeping those `keep`
    /// accepts (before paging), up to `limit`; `next` is the last returned GSI1SK.
    pub(super) async fn list_under<T: DeserializeOwned + Send>(
        &self,
        parent: String,
        after: Option<&str>,
        limit: usize,
        keep: &(dyn Fn(&T) -> bool + Send + Sync),
    ) -> Result<Page<T>, Error> {
        let found = self
            .scan_under(parent, after, limit.saturating_add(1), |item| {
                let record: T = from_doc(item)?;
                if !keep(&record) {
                    return Ok(None);
                }
                Ok(Some((get_s(item, GSI1SK)?.to_string(), record)))
            })
            .await?;
        Ok(crate::store::paged(found, limit))
    }

    /// Deletes items by key with BatchWriteItem, 25 at a time, retrying unprocessed ones.
    pub(super) async fn batch_delete(&self, keys: Vec<Item>) -> Result<(), Error> {
        for chunk in keys.chunks(BATCH_WRITE_MAX) {
            let mut pending = chunk
                .iter()
                .map(|k| {
                    let del = DeleteRequest::builder()
                        .set_key(Some(k.clone()))
                        .build()
                        .map_err(build)?;
                    Ok(WriteRequest::builder().delete_request(del).build())
                })
                .collect::<Result<Vec<_>, Error>>()?;
            let mut round = 0;
            while !pending.is_empty() {
                if round == UNPROCESSED_ROUNDS {
                    return Err(Error::Store(format!(
                        "BatchWriteItem left {} deletes unprocessed",
                        pending.len()
                    )));
                }
                if round > 0 {
                    self.backoff(round).await;
                }
                let out = self
                    .client
                    .batch_write_item()
                    .set_request_items(Some(HashMap::from([(self.table.clone(), pending)])))
                    .send()
                    .await
                    .map_err(sdk)?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table))
                    .unwrap_or_default();
                round += 1;
            }
        }
        Ok(())
    }

    /// Deletes items by key in transactions of up to 100, in order: whatever must go last
    /// (an owner, whose item lists the others) goes last in `keys`.
    pub(super) async fn transact_delete(&self, keys: &[Item]) -> Result<(), Error> {
        for chunk in keys.chunks(TRANSACT_MAX) {
            if let [only] = chunk {
                self.client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(only.clone()))
                    .send()
                    .await
                    .map_err(sdk)?;
                continue;
            }
            let ops = chunk
                .iter()
                .map(|k| {
                    let del = Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(k.clone()))
                        .build()
                        .map_err(build)?;
                    Ok(TransactWriteItem::builder().delete(del).build())
                })
                .collect::<Result<Vec<_>, Error>>()?;
            // Unconditional deletes are never refused, only retried on conflicts.
            if let Err(codes) = self.transact(ops).await? {
                return Err(Error::Store(format!("delete cancelled: {codes:?}")));
            }
        }
        Ok(())
    }
}

impl DynamoStore {
    /// Runs a transaction whose items carry conditions, retrying transaction conflicts. A
    /// refused one gives its cancellation reason codes (one per item, in order).
    pub(super) async fn transact(
        &self,
        ops: Vec<TransactWriteItem>,
    ) -> Result<Result<(), Vec<String>>, Error> {
        let mut attempt = 0;
        loop {
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(ops.clone()))
                .send()
                .await;
            let err = match sent {
                Ok(_) => return Ok(Ok(())),
                Err(e) => e,
            };
            if let Some(TransactWriteItemsError::TransactionCanceledException(c)) =
                err.as_service_error()
            {
                let codes: Vec<String> = c
                    .cancellation_reasons()
                    .iter()
                    .map(|r| r.code().unwrap_or("None").to_string())
                    .collect();
                if codes.iter().any(|c| c == CONDITION_FAILED) {
                    return Ok(Err(codes));
                }
                if codes.iter().any(|c| c == "TransactionConflict") && attempt < CONFLICT_RETRIES {
                    attempt += 1;
                    self.backoff(attempt).await;
                    continue;
                }
            }
            return Err(sdk(err));
        }
    }

    /// Items by key, strongly consistent, 100 keys a request, retrying unprocessed keys.
    /// Absent items are left out; the order is not the keys' order.
    pub(super) async fn batch_get(
        &self,
        keys: Vec<Item>,
        fields: &[&str],
    ) -> Result<Vec<Item>, Error> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(BATCH_GET_MAX) {
            let mut wanted = KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .consistent_read(true);
            if !fields.is_empty() {
                let names: Vec<String> = (0..fields.len()).map(|i| format!("#p{i}")).collect();
                wanted = wanted.projection_expression(names.join(", "));
                for (name, field) in names.iter().zip(fields) {
                    wanted = wanted.expression_attribute_names(name, *field);
                }
            }
            let mut pending = Some(wanted.build().map_err(build)?);
            let mut round = 0;
            while let Some(request) = pending.take() {
                if round == UNPROCESSED_ROUNDS {
                    return Err(Error::Store("BatchGetItem left keys unprocessed".into()));
                }
                if round > 0 {
                    self.backoff(round).await;
                }
                let got = self
                    .client
                    .batch_get_item()
                    .request_items(self.table.clone(), request)
                    .send()
                    .await
                    .map_err(sdk)?;
                if let Some(mut found) = got.responses {
                    out.extend(found.remove(&self.table).unwrap_or_default());
                }
                pending = got
                    .unprocessed_keys
                    .and_then(|mut m| m.remove(&self.table))
                    .filter(|k| !k.keys().is_empty());
                round += 1;
            }
        }
        Ok(out)
    }
}

/// The primary keys of `items`.
pub(super) fn keys_of(items: &[Item]) -> Result<Vec<Item>, Error> {
    items.iter().map(key_of).collect()
}
