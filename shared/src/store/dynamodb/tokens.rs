//! `TokenStore` on DynamoDB: refresh tokens found by hash, each referenced from its user's
//! partition so listing, revoking and deleting a user's tokens need no index. `revoked` and
//! `rotated_ms` live outside the JSON so revoking is one SET and rotating is conditional.

use super::keys::*;
use super::ops::{build, refused, sdk, CONDITION_FAILED};
use super::DynamoStore;
use crate::error::Error;
use crate::store::{StoreError, TokenStore};
use crate::userpool::model::{RefreshRecord, User};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

/// The two Puts that store a refresh token: its item (only if new: a hash collision must
/// fail, not overwrite someone's session) and its reference in the user's partition.
fn put_token_ops(table: &str, record: &RefreshRecord) -> Result<[TransactWriteItem; 2], Error> {
    let ttl = ttl_after(record.expires_ms);
    let mut token = doc_item(
        refresh_pk(&record.token_hash),
        REFRESH_SK,
        "refresh",
        record,
    )?;
    token.insert(TTL.into(), ttl.clone());
    token.insert(REVOKED.into(), AttributeValue::Bool(record.revoked));
    if let Some(at) = record.rotated_ms {
        token.insert(ROTATED_MS.into(), n(at));
    }
    let mut reference = key(
        user_pk(&record.pool_id, &record.username_key),
        refresh_ref_sk(&record.token_hash),
    );
    reference.insert(KIND.into(), s("refresh_ref"));
    reference.insert(TTL.into(), ttl);
    let token = Put::builder()
        .table_name(table)
        .set_item(Some(token))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .build()
        .map_err(build)?;
    let reference = Put::builder()
        .table_name(table)
        .set_item(Some(reference))
        .build()
        .map_err(build)?;
    Ok([
        TransactWriteItem::builder().put(token).build(),
        TransactWriteItem::builder().put(reference).build(),
    ])
}

/// A refresh record from its item: the JSON, with the live `revoked` and `rotated_ms`.
fn record_of(item: &Item) -> Result<RefreshRecord, Error> {
    let mut record: RefreshRecord = from_doc(item)?;
    if let Some(AttributeValue::Bool(revoked)) = item.get(REVOKED) {
        record.revoked = *revoked;
    }
    if item.contains_key(ROTATED_MS) {
        record.rotated_ms = Some(get_n(item, ROTATED_MS)?);
    }
    Ok(record)
}

/// The attributes a record is read from.
const RECORD_FIELDS: &[&str] = &[DATA, REVOKED, ROTATED_MS];

#[async_trait]
impl TokenStore for DynamoStore {
    async fn list_refresh_tokens(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> Result<Vec<RefreshRecord>, Error> {
        let q = self
            .query()
            .consistent_read(true)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :rt)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(user_pk(pool_id, username_key)))
            .expression_attribute_values(":rt", s(REFRESH_REF_PREFIX))
            .projection_expression("#sk");
        let mut keys = Vec::new();
        for reference in self.query_all(q).await? {
            if let Some(hash) = get_s(&reference, SK)?.strip_prefix(REFRESH_REF_PREFIX) {
                keys.push(key(refresh_pk(hash), REFRESH_SK));
            }
        }
        // A reference can outlive its token by a moment (TTL deletes them separately).
        self.batch_get(keys, RECORD_FIELDS)
            .await?
            .iter()
            .map(record_of)
            .collect()
    }

    async fn revoke_refresh_tokens(
        &self,
        pool_id: &str,
        username_key: &str,
        origin_jti: Option<&str>,
    ) -> Result<(), Error> {
        let tokens = self.list_refresh_tokens(pool_id, username_key).await?;
        let chosen = tokens
            .iter()
            .filter(|r| !r.revoked && origin_jti.is_none_or(|o| r.origin_jti == o));
        for record in chosen {
            // Only an existing token is marked, so an expired one is not brought back as a
            // record without data.
            let marked = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(refresh_pk(&record.token_hash), REFRESH_SK)))
                .update_expression("SET #r = :t")
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#r", REVOKED)
                .expression_attribute_names("#pk", PK)
                .expression_attribute_values(":t", AttributeValue::Bool(true))
                .send()
                .await;
            match marked {
                Ok(_) => {}
                Err(e) if refused(&e) => {}
                Err(e) => return Err(sdk(e)),
            }
        }
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        now_ms: i64,
        new: &RefreshRecord,
    ) -> Result<(), StoreError> {
        let mark = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(refresh_pk(old_hash), REFRESH_SK)))
            .update_expression("SET #rot = :now")
            .condition_expression("attribute_exists(#pk) AND attribute_not_exists(#rot)")
            .expression_attribute_names("#rot", ROTATED_MS)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":now", n(now_ms))
            .build()
            .map_err(build)?;
        let mut ops = vec![TransactWriteItem::builder().update(mark).build()];
        ops.extend(put_token_ops(&self.table, new)?);
        match self.transact(ops).await? {
            Ok(()) => Ok(()),
            Err(codes) if codes.first().is_some_and(|c| c == CONDITION_FAILED) => {
                Err(StoreError::Conflict)
            }
            Err(codes) => {
                Err(Error::Store(format!("rotate_refresh_token cancelled: {codes:?}")).into())
            }
        }
    }

    async fn put_refresh_token(&self, record: &RefreshRecord) -> Result<(), Error> {
        let ops = put_token_ops(&self.table, record)?;
        match self.transact(ops.to_vec()).await? {
            Ok(()) => Ok(()),
            Err(codes) => Err(Error::Store(format!(
                "refresh token hash already stored: {codes:?}"
            ))),
        }
    }

    async fn get_refresh_token(&self, token_hash: &str) -> Result<Option<RefreshRecord>, Error> {
        let item = self
            .get(key(refresh_pk(token_hash), REFRESH_SK), RECORD_FIELDS)
            .await?;
        item.as_ref().map(record_of).transpose()
    }

    async fn get_refresh_session(
        &self,
        token_hash: &str,
        pool_id: &str,
        username_key: &str,
    ) -> Result<(Option<RefreshRecord>, Option<User>), Error> {
        // One BatchGetItem (strongly consistent) for both items.
        let token_pk = refresh_pk(token_hash);
        let keys = vec![
            key(token_pk.clone(), REFRESH_SK),
            key(user_pk(pool_id, username_key), USER_SK),
        ];
        let mut fields: Vec<&str> = vec![PK];
        fields.extend_from_slice(RECORD_FIELDS);
        let items = self.batch_get(keys, &fields).await?;
        let (mut record, mut user) = (None, None);
        for item in &items {
            if get_s(item, PK)? == token_pk {
                record = Some(record_of(item)?);
            } else {
                user = Some(from_doc(item)?);
            }
        }
        Ok((record, user))
    }
}
