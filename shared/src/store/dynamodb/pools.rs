//! `PoolStore` on DynamoDB: pools, app clients, settings, and deleting a pool with everything
//! in it.

use super::keys::*;
use super::ops::{keys_of, refused, sdk};
use super::DynamoStore;
use crate::error::Error;
use crate::store::{Page, PoolStore, StoreError};
use crate::userpool::model::{AppClient, UserPool};
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure, Select};
use tokio::task::JoinSet;

/// Users deleted at once while deleting a pool.
const DELETE_POOL_PARALLEL_USERS: usize = 8;

impl DynamoStore {
    /// Puts an item only if `condition` on its key holds; `Ok(false)` when it does not.
    async fn put_if(&self, item: Item, condition: &str) -> Result<bool, Error> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(e) if refused(&e) => Ok(false),
            Err(e) => Err(sdk(e)),
        }
    }

    /// Puts an item only if its key is free; `Ok(false)` when it is taken.
    pub(super) async fn put_new(&self, item: Item) -> Result<bool, Error> {
        self.put_if(item, "attribute_not_exists(#pk)").await
    }

    /// Replaces an item only if its key exists; Conflict when it does not.
    pub(super) async fn put_existing(&self, item: Item) -> Result<(), StoreError> {
        match self.put_if(item, "attribute_exists(#pk)").await? {
            true => Ok(()),
            false => Err(StoreError::Conflict),
        }
    }

    /// Replaces an item only if its `version` attribute is still `read` (with `absent_is_zero`,
    /// an item without one counts as version 0); Conflict when it is gone or another write
    /// moved it on. The one versioned write of every record that keeps a version.
    pub(super) async fn put_versioned(
        &self,
        item: Item,
        read: u64,
        absent_is_zero: bool,
    ) -> Result<(), StoreError> {
        let condition = if read == 0 && absent_is_zero {
            "attribute_exists(#pk) AND (attribute_not_exists(#v) OR #v = :read)"
        } else {
            "attribute_exists(#pk) AND #v = :read"
        };
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#v", VERSION)
            .expression_attribute_values(":read", n(read))
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e) if refused(&e) => Err(StoreError::Conflict),
            Err(e) => Err(StoreError::Backend(sdk(e))),
        }
    }

    /// Deletes every user of a pool (a few at a time), each with what is under it.
    async fn delete_pool_users(&self, pool_id: &str) -> Result<(), Error> {
        let users = self.gsi1_keys(users_of(pool_id)).await?;
        let mut running = JoinSet::new();
        for item in users {
            let username_key = get_s(&item, GSI1SK)?.to_string();
            if running.len() >= DELETE_POOL_PARALLEL_USERS {
                join_one(&mut running).await?;
            }
            let store = self.clone();
            let pool = pool_id.to_string();
            running.spawn(async move { store.delete_user_items(&pool, &username_key).await });
        }
        while !running.is_empty() {
            join_one(&mut running).await?;
        }
        Ok(())
    }
}

/// Waits for one of the running deletions.
async fn join_one(running: &mut JoinSet<Result<bool, Error>>) -> Result<(), Error> {
    match running.join_next().await {
        Some(Ok(done)) => done.map(|_| ()),
        Some(Err(e)) => Err(Error::Store(format!("deleting a user: {e}"))),
        None => Ok(()),
    }
}

/// Maps "the key is taken" to Conflict.
pub(super) fn conflict_if_taken(created: Result<bool, Error>) -> Result<(), StoreError> {
    match created {
        Ok(true) => Ok(()),
        Ok(false) => Err(StoreError::Conflict),
        Err(e) => Err(StoreError::Backend(e)),
    }
}

#[async_trait]
impl PoolStore for DynamoStore {
    async fn create_pool(&self, pool: &UserPool) -> Result<(), StoreError> {
        let mut item = with_gsi1(
            doc_item(pool_pk(&pool.id), POOL_SK, "pool", pool)?,
            ALL_POOLS.into(),
            pool.id.as_str(),
        );
        // An imported pool arrives at its version; update_pool's check reads this attribute.
        item.insert(VERSION.into(), n(pool.version));
        conflict_if_taken(self.put_new(item).await)
    }

    async fn update_pool(&self, pool: &UserPool, expected_version: u64) -> Result<(), StoreError> {
        let mut item = with_gsi1(
            doc_item(pool_pk(&pool.id), POOL_SK, "pool", pool)?,
            ALL_POOLS.into(),
            pool.id.as_str(),
        );
        item.insert(VERSION.into(), n(pool.version));
        // Pool items written before versions have none: they are at version 0.
        self.put_versioned(item, expected_version, true).await
    }

    async fn get_pool(&self, pool_id: &str) -> Result<Option<UserPool>, Error> {
        self.get_doc(key(pool_pk(pool_id), POOL_SK)).await
    }

    async fn list_pools(&self, after: Option<&str>, limit: usize) -> Result<Page<UserPool>, Error> {
        self.list_under(ALL_POOLS.into(), after, limit, &|_: &UserPool| true)
            .await
    }

    async fn delete_pool(&self, pool_id: &str) -> Result<bool, Error> {
        // Contents first and the pool item last, so a failure part-way leaves a pool that a
        // retried delete finds and finishes.
        self.delete_pool_users(pool_id).await?;
        for listing in [clients_of(pool_id), groups_of(pool_id)] {
            let listed = self.gsi1_keys(listing).await?;
            self.batch_delete(keys_of(&listed)?).await?;
        }
        self.delete_pool_oauth_config(pool_id).await?;
        self.delete_pool_idps(pool_id).await?;
        let outbox = self.partition_items(outbox_pk(pool_id)).await?;
        self.batch_delete(keys_of(&outbox)?).await?;
        let imports = self.partition_items(imports_of(pool_id)).await?;
        self.batch_delete(keys_of(&imports)?).await?;
        let old = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(pool_pk(pool_id), POOL_SK)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(old.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn create_client(&self, client: &AppClient) -> Result<(), StoreError> {
        let mut item = with_gsi1(
            doc_item(client_pk(&client.client_id), CLIENT_SK, "client", client)?,
            clients_of(&client.pool_id),
            client.client_id.as_str(),
        );
        item.insert(POOL_ID.into(), s(client.pool_id.as_str()));
        conflict_if_taken(self.put_new(item).await)
    }

    async fn update_client(&self, client: &AppClient) -> Result<(), StoreError> {
        let mut item = with_gsi1(
            doc_item(client_pk(&client.client_id), CLIENT_SK, "client", client)?,
            clients_of(&client.pool_id),
            client.client_id.as_str(),
        );
        item.insert(POOL_ID.into(), s(client.pool_id.as_str()));
        // Fails both when the client is gone and when it is another pool's.
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(#pk) AND #p = :p")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#p", POOL_ID)
            .expression_attribute_values(":p", s(client.pool_id.as_str()))
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e) if refused(&e) => Err(StoreError::Conflict),
            Err(e) => Err(StoreError::Backend(sdk(e))),
        }
    }

    async fn get_client(&self, client_id: &str) -> Result<Option<AppClient>, Error> {
        self.get_doc(key(client_pk(client_id), CLIENT_SK)).await
    }

    async fn list_clients(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<AppClient>, Error> {
        self.list_under(clients_of(pool_id), after, limit, &|_: &AppClient| true)
            .await
    }

    async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<bool, Error> {
        // The condition fails both when the client is absent and when it is another pool's.
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(client_pk(client_id), CLIENT_SK)))
            .condition_expression("#p = :p")
            .expression_attribute_names("#p", POOL_ID)
            .expression_attribute_values(":p", s(pool_id))
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(true),
            Err(e) if refused(&e) => Ok(false),
            Err(e) => Err(sdk(e)),
        }
    }

    async fn count_users(&self, pool_id: &str) -> Result<u64, Error> {
        let mut total = 0u64;
        let mut start = None;
        loop {
            let page = self
                .query()
                .index_name(GSI1)
                .select(Select::Count)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", GSI1PK)
                .expression_attribute_values(":pk", s(users_of(pool_id)))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk)?;
            total += u64::try_from(page.count).unwrap_or(0);
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(total),
            }
        }
    }

    async fn get_setting(&self, name: &str) -> Result<Option<String>, Error> {
        let item = self
            .get(key(setting_pk(name), SETTING_SK), &[VALUE])
            .await?;
        item.map(|i| get_s(&i, VALUE).map(str::to_string))
            .transpose()
    }

    async fn put_setting_once(&self, name: &str, value: &str) -> Result<String, Error> {
        let mut item = key(setting_pk(name), SETTING_SK);
        item.insert(KIND.into(), s("setting"));
        item.insert(VALUE.into(), s(value));
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let err = match put {
            Ok(_) => return Ok(value.to_string()),
            Err(e) => e,
        };
        let Some(failed) = err
            .as_service_error()
            .filter(|se| se.is_conditional_check_failed_exception())
        else {
            return Err(sdk(err));
        };
        // The failed condition carries the value in force; servers that do not send it
        // back cost one more read.
        if let PutItemError::ConditionalCheckFailedException(c) = failed {
            if let Some(Ok(v)) = c.item().map(|i| get_s(i, VALUE)) {
                return Ok(v.to_string());
            }
        }
        self.get_setting(name)
            .await?
            .ok_or_else(|| Error::Store(format!("setting {name} vanished after a refused write")))
    }
}
