//! `UserStore` on DynamoDB: users and their alias claims (one transaction), versioned updates
//! that can move claims, listing, and deletion with everything under a user.

use super::keys::*;
use super::ops::{build, refused, sdk, CONDITION_FAILED, TRANSACT_MAX};
use super::DynamoStore;
use crate::error::Error;
use crate::store::{Page, StoreError, UserPredicate, UserStore};
use crate::userpool::model::{CodePurpose, PendingCode, User};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use std::collections::HashMap;

/// The versioned replacement of a user item: `SET data, version` (plus alias-map edits) on
/// the condition that the stored version is the one the caller read.
pub(super) struct UserWrite {
    key: Item,
    update: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

/// The condition every user replacement carries.
const VERSION_READ: &str = "#v = :read";

impl UserWrite {
    /// Replaces `user`, adding `claim` to and removing `release` from its alias map.
    pub(super) fn new(user: &User, claim: &[&str], release: &[&str]) -> Result<Self, StoreError> {
        let Some(read) = user.version.checked_sub(1) else {
            return Err(StoreError::Conflict);
        };
        let mut update = "SET #d = :d, #v = :v".to_string();
        let mut names = HashMap::from([
            ("#d".to_string(), DATA.to_string()),
            ("#v".to_string(), VERSION.to_string()),
        ]);
        let data = serde_json::to_string(user).map_err(Error::from)?;
        let mut values = HashMap::from([
            (":d".to_string(), s(data)),
            (":v".to_string(), n(user.version)),
            (":read".to_string(), n(read)),
        ]);
        for (i, alias) in claim.iter().enumerate() {
            update.push_str(&format!(", #al.#c{i} = :t"));
            names.insert(format!("#c{i}"), alias.to_string());
        }
        if !claim.is_empty() {
            values.insert(":t".into(), AttributeValue::Bool(true));
        }
        for (i, alias) in release.iter().enumerate() {
            update.push_str(if i == 0 { " REMOVE " } else { ", " });
            update.push_str(&format!("#al.#r{i}"));
            names.insert(format!("#r{i}"), alias.to_string());
        }
        if !claim.is_empty() || !release.is_empty() {
            names.insert("#al".into(), ALIASES.into());
        }
        Ok(Self {
            key: key(user_pk(&user.pool_id, &user.username_key), USER_SK),
            update,
            names,
            values,
        })
    }

    /// As an item of a transaction.
    pub(super) fn into_op(self, table: &str) -> Result<TransactWriteItem, Error> {
        let update = Update::builder()
            .table_name(table)
            .set_key(Some(self.key))
            .update_expression(self.update)
            .condition_expression(VERSION_READ)
            .set_expression_attribute_names(Some(self.names))
            .set_expression_attribute_values(Some(self.values))
            .build()
            .map_err(build)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}

/// A Put of `item` that only creates, or (with `owner`) also overwrites a claim `owner` holds.
fn claim_op(table: &str, item: Item, owner: Option<&str>) -> Result<TransactWriteItem, Error> {
    let mut put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .expression_attribute_names("#pk", PK);
    put = match owner {
        None => put.condition_expression("attribute_not_exists(#pk)"),
        Some(me) => put
            .condition_expression("attribute_not_exists(#pk) OR #u = :me")
            .expression_attribute_names("#u", USERNAME)
            .expression_attribute_values(":me", s(me)),
    };
    Ok(TransactWriteItem::builder()
        .put(put.build().map_err(build)?)
        .build())
}

/// An alias claim item.
fn claim_item(pool_id: &str, alias: &str, username_key: &str) -> Item {
    let mut claim = key(alias_pk(pool_id, alias), ALIAS_SK);
    claim.insert(KIND.into(), s("alias"));
    claim.insert(USERNAME.into(), s(username_key));
    claim
}

/// `list` without repeats, in order, leaving out what `except` holds.
fn distinct<'a>(list: &'a [String], except: &[&str]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::with_capacity(list.len());
    for item in list {
        if !out.contains(&item.as_str()) && !except.contains(&item.as_str()) {
            out.push(item);
        }
    }
    out
}

impl DynamoStore {
    /// Creates a user and claims `aliases` in one transaction, with `more` (items of the
    /// user's own partition, e.g. memberships) in the same transaction.
    pub(super) async fn create_user_with(
        &self,
        user: &User,
        aliases: &[String],
        more: Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let claims = distinct(aliases, &[]);
        if claims.len() + more.len() >= TRANSACT_MAX {
            let items = claims.len() + more.len() + 1;
            return Err(Error::Store(format!("{items} items is too many for one user")).into());
        }
        let mut item = with_gsi1(
            doc_item(
                user_pk(&user.pool_id, &user.username_key),
                USER_SK,
                "user",
                user,
            )?,
            users_of(&user.pool_id),
            user.username_key.as_str(),
        );
        item.insert(VERSION.into(), n(user.version));
        let held = claims
            .iter()
            .map(|a| (a.to_string(), AttributeValue::Bool(true)));
        item.insert(ALIASES.into(), AttributeValue::M(held.collect()));
        // A user with no claims and nothing else to write is one item: a conditional PutItem
        // is as atomic as a transaction of one, at half its write units.
        if claims.is_empty() && more.is_empty() {
            return match self.put_new(item).await? {
                true => Ok(()),
                false => Err(StoreError::UsernameTaken),
            };
        }
        let mut ops = vec![claim_op(&self.table, item, None)?];
        for alias in &claims {
            let claim = claim_item(&user.pool_id, alias, &user.username_key);
            ops.push(claim_op(&self.table, claim, None)?);
        }
        ops.extend(more);
        let Err(codes) = self.transact(ops).await? else {
            return Ok(());
        };
        let failed = |i: usize| codes.get(i).is_some_and(|c| c == CONDITION_FAILED);
        if failed(0) {
            return Err(StoreError::UsernameTaken);
        }
        match (1..=claims.len()).find(|&i| failed(i)) {
            Some(i) => Err(StoreError::AliasTaken(claims[i - 1].to_string())),
            None => Err(Error::Store(format!("create_user cancelled: {codes:?}")).into()),
        }
    }

    /// Deletes a user's codes, refresh tokens (and their references), memberships and alias
    /// claims, then the user item, whose alias map is how the claims are found: a failure
    /// part-way leaves the user in place for a retried delete. Whether the user existed.
    pub(super) async fn delete_user_items(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> Result<bool, Error> {
        let items = self.partition_items(user_pk(pool_id, username_key)).await?;
        let mut keys = Vec::with_capacity(items.len() * 2);
        let mut user = None;
        for item in &items {
            let sk = get_s(item, SK)?;
            if sk == USER_SK {
                for alias in map_keys(item, ALIASES) {
                    keys.push(key(alias_pk(pool_id, &alias), ALIAS_SK));
                }
                user = Some(key_of(item)?);
            } else {
                if let Some(hash) = sk.strip_prefix(REFRESH_REF_PREFIX) {
                    keys.push(key(refresh_pk(hash), REFRESH_SK));
                }
                keys.push(key_of(item)?);
            }
        }
        let existed = user.is_some();
        keys.extend(user);
        self.transact_delete(&keys).await?;
        Ok(existed)
    }
}

#[async_trait]
impl UserStore for DynamoStore {
    async fn create_user(&self, user: &User, aliases: &[String]) -> Result<(), StoreError> {
        self.create_user_with(user, aliases, Vec::new()).await
    }

    async fn get_user(&self, pool_id: &str, username_key: &str) -> Result<Option<User>, Error> {
        self.get_doc(key(user_pk(pool_id, username_key), USER_SK))
            .await
    }

    async fn get_user_by_alias(&self, pool_id: &str, alias: &str) -> Result<Option<User>, Error> {
        let claim = self
            .get(key(alias_pk(pool_id, alias), ALIAS_SK), &[USERNAME])
            .await?;
        match claim {
            Some(claim) => self.get_user(pool_id, get_s(&claim, USERNAME)?).await,
            None => Ok(None),
        }
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        // An UpdateItem rather than a Put, so the alias map and index keys stay as they are.
        let write = UserWrite::new(user, &[], &[])?;
        let updated = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(write.key))
            .update_expression(write.update)
            .condition_expression(VERSION_READ)
            .set_expression_attribute_names(Some(write.names))
            .set_expression_attribute_values(Some(write.values))
            .send()
            .await;
        match updated {
            Ok(_) => Ok(()),
            Err(e) if refused(&e) => Err(StoreError::Conflict),
            Err(e) => Err(sdk(e).into()),
        }
    }

    async fn update_user_and_aliases(
        &self,
        user: &User,
        claim: &[String],
        release: &[String],
    ) -> Result<(), StoreError> {
        let claims = distinct(claim, &[]);
        let releases = distinct(release, &claims);
        if claims.is_empty() && releases.is_empty() {
            // One item: a conditional UpdateItem is as atomic as a transaction of one, and
            // costs half the write units.
            return self.update_user(user).await;
        }
        if claims.len() + releases.len() >= TRANSACT_MAX {
            return Err(Error::Store("too many alias changes in one update".into()).into());
        }
        let me = user.username_key.as_str();
        let mut ops = vec![UserWrite::new(user, &claims, &releases)?.into_op(&self.table)?];
        for alias in &claims {
            let item = claim_item(&user.pool_id, alias, me);
            ops.push(claim_op(&self.table, item, Some(me))?);
        }
        for alias in &releases {
            // Only this user's claim is released; a claim someone else holds refuses it all.
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(alias_pk(&user.pool_id, alias), ALIAS_SK)))
                .condition_expression("attribute_not_exists(#pk) OR #u = :me")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#u", USERNAME)
                .expression_attribute_values(":me", s(me))
                .build()
                .map_err(build)?;
            ops.push(TransactWriteItem::builder().delete(delete).build());
        }
        let Err(codes) = self.transact(ops).await? else {
            return Ok(());
        };
        let failed = |i: usize| codes.get(i).is_some_and(|c| c == CONDITION_FAILED);
        if failed(0) {
            return Err(StoreError::Conflict);
        }
        match (1..=claims.len()).find(|&i| failed(i)) {
            Some(i) => Err(StoreError::AliasTaken(claims[i - 1].to_string())),
            None => Err(StoreError::Conflict),
        }
    }

    async fn delete_user(&self, pool_id: &str, username_key: &str) -> Result<bool, Error> {
        self.delete_user_items(pool_id, username_key).await
    }

    async fn list_users(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
        keep: &UserPredicate,
    ) -> Result<Page<User>, Error> {
        self.list_under(users_of(pool_id), after, limit, keep).await
    }

    async fn put_code(&self, code: &PendingCode) -> Result<(), Error> {
        self.put_code_item(code).await
    }

    async fn get_code(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<Option<PendingCode>, Error> {
        self.get_code_item(pool_id, username_key, purpose).await
    }

    async fn record_code_failure(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<u32, Error> {
        self.count_code_failure(pool_id, username_key, purpose)
            .await
    }

    async fn delete_code(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<(), Error> {
        self.delete_code_item(pool_id, username_key, purpose).await
    }
}
