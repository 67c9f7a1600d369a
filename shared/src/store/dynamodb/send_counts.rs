//! Message counts on DynamoDB: one item per pool and key, with the window's start and count
//! outside any JSON so conditional UpdateItems can test and change them. At most three
//! requests: count within the open window; else open a new window if the old one is over (or
//! there is none); else, when another caller opened it meanwhile, count within it once more.
//! Every write is conditional, so no interleaving counts past the limit. The item's TTL falls
//! a grace period after its window, so DynamoDB deletes counts nobody uses any more.

use super::keys::*;
use super::ops::{refused, sdk};
use super::DynamoStore;
use crate::error::Error;
use crate::store::SendCountStore;
use async_trait::async_trait;

impl DynamoStore {
    /// Counts one within the open window: only if it is still open and below `limit`.
    async fn count_within(&self, key: Item, over: i64, limit: u32) -> Result<bool, Error> {
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression("ADD #n :one")
            .condition_expression("#w > :over AND #n < :limit")
            .expression_attribute_names("#n", SENDS)
            .expression_attribute_names("#w", WINDOW_START)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":over", n(over))
            .expression_attribute_values(":limit", n(limit))
            .send()
            .await;
        match counted {
            Ok(_) => Ok(true),
            Err(e) if refused(&e) => Ok(false),
            Err(e) => Err(sdk(e)),
        }
    }

    /// Opens a new window holding one message: only if there is none or it is over.
    async fn open_window(
        &self,
        key: Item,
        now_ms: i64,
        window_ms: i64,
        over: i64,
    ) -> Result<bool, Error> {
        let opened = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression("SET #w = :now, #n = :one, #k = :kind, #t = :ttl")
            .condition_expression("attribute_not_exists(#w) OR #w <= :over")
            .expression_attribute_names("#n", SENDS)
            .expression_attribute_names("#w", WINDOW_START)
            .expression_attribute_names("#k", KIND)
            .expression_attribute_names("#t", TTL)
            .expression_attribute_values(":now", n(now_ms))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":kind", s("sends"))
            .expression_attribute_values(":ttl", ttl_after(now_ms.saturating_add(window_ms)))
            .expression_attribute_values(":over", n(over))
            .send()
            .await;
        match opened {
            Ok(_) => Ok(true),
            Err(e) if refused(&e) => Ok(false),
            Err(e) => Err(sdk(e)),
        }
    }
}

#[async_trait]
impl SendCountStore for DynamoStore {
    async fn count_send(
        &self,
        pool_id: &str,
        key: &str,
        now_ms: i64,
        window_ms: i64,
        limit: u32,
    ) -> Result<bool, Error> {
        if limit == 0 {
            return Ok(false);
        }
        let item_key = || super::keys::key(sends_pk(pool_id, key), SENDS_SK);
        let over = now_ms.saturating_sub(window_ms);
        if self.count_within(item_key(), over, limit).await? {
            return Ok(true);
        }
        if self
            .open_window(item_key(), now_ms, window_ms, over)
            .await?
        {
            return Ok(true);
        }
        // The window is open: either it is full, or another caller opened it after our first
        // try. Counting within it once more tells the two apart.
        self.count_within(item_key(), over, limit).await
    }
}
