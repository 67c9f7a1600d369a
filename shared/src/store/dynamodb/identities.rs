//! Identity pools, identities and login claims in DynamoDB. An identity and the claims of its
//! logins are written in one TransactWriteItems, each claim conditional on being free, so a
//! login maps to exactly one identity; identity updates are version-checked.
//!
//! Items: `IPOOL#{id}`/`IPOOL` (listed under GSI1 `IPOOLS`), `IDENTITY#{id}`/`IDENTITY`
//! (listed under GSI1 `IDENTITIES#{pool}`), `ILOGIN#{pool}#{login}`/`ILOGIN` → identity id.

use super::keys::{doc_item, get_s, key, n, s, with_gsi1, Item, PK, VERSION};
use super::ops::{build, sdk, CONDITION_FAILED, TRANSACT_MAX};
use super::pools::conflict_if_taken;
use super::DynamoStore;
use crate::error::Error;
use crate::identity::model::{Identity, IdentityPool};
use crate::store::{IdentityStore, Page, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};

const IPOOL_SK: &str = "IPOOL";
const ALL_IPOOLS: &str = "IPOOLS";
const IDENTITY_SK: &str = "IDENTITY";
const ILOGIN_SK: &str = "ILOGIN";
const IDENTITY_ATTR: &str = "identity";

fn ipool_pk(id: &str) -> String {
    format!("IPOOL#{id}")
}
fn identity_pk(id: &str) -> String {
    format!("IDENTITY#{id}")
}
fn identities_of(pool_id: &str) -> String {
    format!("IDENTITIES#{pool_id}")
}
fn login_pk(pool_id: &str, login_key: &str) -> String {
    format!("ILOGIN#{pool_id}#{login_key}")
}

fn ipool_item(pool: &IdentityPool) -> Result<Item, Error> {
    Ok(with_gsi1(
        doc_item(ipool_pk(&pool.id), IPOOL_SK, "identity_pool", pool)?,
        ALL_IPOOLS.into(),
        pool.id.as_str(),
    ))
}

fn identity_item(identity: &Identity) -> Result<Item, Error> {
    let mut item = with_gsi1(
        doc_item(identity_pk(&identity.id), IDENTITY_SK, "identity", identity)?,
        identities_of(&identity.pool_id),
        identity.id.as_str(),
    );
    item.insert(VERSION.into(), n(identity.version));
    Ok(item)
}

fn claim_put(
    table: &str,
    identity: &Identity,
    login_key: &str,
) -> Result<TransactWriteItem, Error> {
    let mut item = key(login_pk(&identity.pool_id, login_key), ILOGIN_SK);
    item.insert(IDENTITY_ATTR.into(), s(identity.id.as_str()));
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .build()
        .map_err(build)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Puts `identity` over its stored `version - 1`.
fn versioned_put(table: &str, identity: &Identity) -> Result<TransactWriteItem, Error> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(identity_item(identity)?))
        .condition_expression("#v = :old")
        .expression_attribute_names("#v", VERSION)
        .expression_attribute_values(":old", n(identity.version.saturating_sub(1)))
        .build()
        .map_err(build)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Deletes `identity` while it is still at its `version`.
fn versioned_delete(table: &str, identity: &Identity) -> Result<TransactWriteItem, Error> {
    let delete = Delete::builder()
        .table_name(table)
        .set_key(Some(key(identity_pk(&identity.id), IDENTITY_SK)))
        .condition_expression("#v = :v")
        .expression_attribute_names("#v", VERSION)
        .expression_attribute_values(":v", n(identity.version))
        .build()
        .map_err(build)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// Frees the claim on `login_key` if `owner` holds it (a claim already gone is fine; one held
/// by another identity refuses the write).
fn claim_release(
    table: &str,
    pool_id: &str,
    login_key: &str,
    owner: &str,
) -> Result<TransactWriteItem, Error> {
    let delete = Delete::builder()
        .table_name(table)
        .set_key(Some(key(login_pk(pool_id, login_key), ILOGIN_SK)))
        .condition_expression("attribute_not_exists(#pk) OR #i = :me")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#i", IDENTITY_ATTR)
        .expression_attribute_values(":me", s(owner))
        .build()
        .map_err(build)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// Points the claim on `login_key` from `source` to `destination` (only if `source` holds it).
fn claim_move(
    table: &str,
    source: &Identity,
    destination: &Identity,
    login_key: &str,
) -> Result<TransactWriteItem, Error> {
    let mut item = key(login_pk(&source.pool_id, login_key), ILOGIN_SK);
    item.insert(IDENTITY_ATTR.into(), s(destination.id.as_str()));
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("#i = :from")
        .expression_attribute_names("#i", IDENTITY_ATTR)
        .expression_attribute_values(":from", s(source.id.as_str()))
        .build()
        .map_err(build)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

impl DynamoStore {
    /// Runs one identity transaction; any refused condition is a Conflict.
    async fn identity_transaction(&self, ops: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        if ops.len() > TRANSACT_MAX {
            return Err(Error::Store(format!("{} identity writes is too many", ops.len())).into());
        }
        match self.transact(ops).await? {
            Ok(()) => Ok(()),
            Err(_) => Err(StoreError::Conflict),
        }
    }

    /// Writes an identity (new, or replacing `version - 1`) with new login claims, atomically.
    async fn write_identity(
        &self,
        identity: &Identity,
        new_keys: &[String],
        create: bool,
    ) -> Result<(), StoreError> {
        if new_keys.len() + 1 > TRANSACT_MAX {
            return Err(Error::Store(format!("{} logins is too many", new_keys.len())).into());
        }
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(identity_item(identity)?));
        // DynamoDB refuses names an expression does not use, so each branch names its own.
        put = if create {
            put.condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", PK)
        } else {
            put.condition_expression("#v = :old")
                .expression_attribute_names("#v", VERSION)
                .expression_attribute_values(":old", n(identity.version.saturating_sub(1)))
        };
        let mut ops = vec![TransactWriteItem::builder()
            .put(put.build().map_err(build)?)
            .build()];
        for k in new_keys {
            ops.push(claim_put(&self.table, identity, k)?);
        }
        let Err(codes) = self.transact(ops).await? else {
            return Ok(());
        };
        let failed = |i: usize| codes.get(i).is_some_and(|c| c == CONDITION_FAILED);
        if failed(0) {
            return Err(StoreError::Conflict);
        }
        match (1..=new_keys.len()).find(|&i| failed(i)) {
            Some(i) => Err(StoreError::AliasTaken(new_keys[i - 1].clone())),
            None => Err(Error::Store(format!("identity write cancelled: {codes:?}")).into()),
        }
    }
}

#[async_trait]
impl IdentityStore for DynamoStore {
    async fn create_identity_pool(&self, pool: &IdentityPool) -> Result<(), StoreError> {
        conflict_if_taken(self.put_new(ipool_item(pool)?).await)
    }

    async fn get_identity_pool(&self, id: &str) -> Result<Option<IdentityPool>, Error> {
        self.get_doc(key(ipool_pk(id), IPOOL_SK)).await
    }

    async fn update_identity_pool(&self, pool: &IdentityPool) -> Result<(), StoreError> {
        self.put_existing(ipool_item(pool)?).await
    }

    async fn delete_identity_pool(&self, id: &str) -> Result<bool, Error> {
        // Identities and their claims first, the pool last, so a failure part-way leaves a
        // pool a retried delete finds and finishes.
        let all = |_: &Identity| true;
        loop {
            let page = self.list_under(identities_of(id), None, 100, &all).await?;
            if page.items.is_empty() {
                break;
            }
            let mut doomed: Vec<Item> = Vec::new();
            for identity in &page.items {
                for k in &identity.login_keys {
                    doomed.push(key(login_pk(id, k), ILOGIN_SK));
                }
                doomed.push(key(identity_pk(&identity.id), IDENTITY_SK));
            }
            self.batch_delete(doomed).await?;
        }
        let old = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(ipool_pk(id), IPOOL_SK)))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(old.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn list_identity_pools(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<IdentityPool>, Error> {
        self.list_under(ALL_IPOOLS.into(), after, limit, &|_: &IdentityPool| true)
            .await
    }

    async fn create_identity(&self, identity: &Identity) -> Result<(), StoreError> {
        self.write_identity(identity, &identity.login_keys, true)
            .await
    }

    async fn get_identity(&self, id: &str) -> Result<Option<Identity>, Error> {
        self.get_doc(key(identity_pk(id), IDENTITY_SK)).await
    }

    async fn get_identity_by_login(
        &self,
        pool_id: &str,
        login_key: &str,
    ) -> Result<Option<Identity>, Error> {
        match self
            .get(
                key(login_pk(pool_id, login_key), ILOGIN_SK),
                &[IDENTITY_ATTR],
            )
            .await?
        {
            Some(claim) => self.get_identity(get_s(&claim, IDENTITY_ATTR)?).await,
            None => Ok(None),
        }
    }

    async fn update_identity(
        &self,
        identity: &Identity,
        new_login_keys: &[String],
    ) -> Result<(), StoreError> {
        self.write_identity(identity, new_login_keys, false).await
    }

    async fn release_identity_logins(
        &self,
        identity: &Identity,
        released_login_keys: &[String],
    ) -> Result<(), StoreError> {
        let mut ops = vec![versioned_put(&self.table, identity)?];
        for k in released_login_keys {
            ops.push(claim_release(
                &self.table,
                &identity.pool_id,
                k,
                &identity.id,
            )?);
        }
        self.identity_transaction(ops).await
    }

    async fn merge_identities(
        &self,
        source: &Identity,
        destination: &Identity,
    ) -> Result<(), StoreError> {
        let mut ops = vec![
            versioned_put(&self.table, destination)?,
            versioned_delete(&self.table, source)?,
        ];
        for k in &source.login_keys {
            ops.push(claim_move(&self.table, source, destination, k)?);
        }
        self.identity_transaction(ops).await
    }

    async fn delete_identity(&self, identity: &Identity) -> Result<(), StoreError> {
        let mut ops = vec![versioned_delete(&self.table, identity)?];
        for k in &identity.login_keys {
            ops.push(claim_release(
                &self.table,
                &identity.pool_id,
                k,
                &identity.id,
            )?);
        }
        self.identity_transaction(ops).await
    }

    async fn list_identities(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Identity>, Error> {
        self.list_under(identities_of(pool_id), after, limit, &|_: &Identity| true)
            .await
    }
}
