//! `GroupStore` on DynamoDB: groups under GSI1 by pool, and memberships as items in the
//! member's partition (so deleting the user removes them), listed by group through GSI1.

use super::keys::*;
use super::ops::{build, keys_of, sdk, CONDITION_FAILED};
use super::pools::conflict_if_taken;
use super::users::UserWrite;
use super::DynamoStore;
use crate::error::Error;
use crate::store::{GroupStore, Page, StoreError};
use crate::userpool::model::{Group, User};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, Put, ReturnValue, TransactWriteItem};
use std::collections::HashMap;

/// A group's item.
fn group_item(group: &Group) -> Result<Item, Error> {
    Ok(with_gsi1(
        doc_item(
            group_pk(&group.pool_id, &group.name),
            GROUP_SK,
            "group",
            group,
        )?,
        groups_of(&group.pool_id),
        group.name.as_str(),
    ))
}

/// The write of a membership item (in the member's partition, listed under the group).
pub(super) fn membership_put(
    table: &str,
    pool_id: &str,
    username_key: &str,
    group: &str,
) -> Result<TransactWriteItem, Error> {
    let mut item = with_gsi1(
        key(user_pk(pool_id, username_key), membership_sk(group)),
        members_of(pool_id, group),
        username_key,
    );
    item.insert(KIND.into(), s("membership"));
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .build()
        .map_err(build)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

#[async_trait]
impl GroupStore for DynamoStore {
    async fn create_group(&self, group: &Group) -> Result<(), StoreError> {
        conflict_if_taken(self.put_new(group_item(group)?).await)
    }

    async fn get_group(&self, pool_id: &str, name: &str) -> Result<Option<Group>, Error> {
        self.get_doc(key(group_pk(pool_id, name), GROUP_SK)).await
    }

    async fn update_group(&self, group: &Group) -> Result<(), StoreError> {
        self.put_existing(group_item(group)?).await
    }

    async fn delete_group(&self, pool_id: &str, name: &str) -> Result<bool, Error> {
        let memberships = self.gsi1_keys(members_of(pool_id, name)).await?;
        self.batch_delete(keys_of(&memberships)?).await?;
        let old = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(group_pk(pool_id, name), GROUP_SK)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(old.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn list_groups(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Group>, Error> {
        self.list_under(groups_of(pool_id), after, limit, &|_: &Group| true)
            .await
    }

    async fn set_membership(
        &self,
        user: &User,
        group: &str,
        member: bool,
    ) -> Result<(), StoreError> {
        let mut ops = vec![UserWrite::new(user, &[], &[])?.into_op(&self.table)?];
        ops.push(if member {
            membership_put(&self.table, &user.pool_id, &user.username_key, group)?
        } else {
            let membership_key = key(
                user_pk(&user.pool_id, &user.username_key),
                membership_sk(group),
            );
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(membership_key))
                .build()
                .map_err(build)?;
            TransactWriteItem::builder().delete(delete).build()
        });
        match self.transact(ops).await? {
            Ok(()) => Ok(()),
            Err(codes) if codes.first().is_some_and(|c| c == CONDITION_FAILED) => {
                Err(StoreError::Conflict)
            }
            Err(codes) => Err(Error::Store(format!("set_membership cancelled: {codes:?}")).into()),
        }
    }

    async fn list_members(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<User>, Error> {
        // The memberships' page (GSI1), then the members themselves (BatchGetItem).
        let names = self
            .scan_under(
                members_of(pool_id, group),
                after,
                limit.saturating_add(1),
                |item| Ok(Some(get_s(item, GSI1SK)?.to_string())),
            )
            .await?;
        let more = names.len() > limit;
        let mut names = names;
        names.truncate(limit);
        let keys = names
            .iter()
            .map(|k| key(user_pk(pool_id, k), USER_SK))
            .collect();
        let mut users: HashMap<String, User> = HashMap::new();
        for item in self.batch_get(keys, &[DATA]).await? {
            let user: User = from_doc(&item)?;
            users.insert(user.username_key.clone(), user);
        }
        let next = if more { names.last().cloned() } else { None };
        // A membership whose user was deleted a moment ago is left out.
        Ok(Page {
            items: names.iter().filter_map(|k| users.remove(k)).collect(),
            next,
        })
    }
}
