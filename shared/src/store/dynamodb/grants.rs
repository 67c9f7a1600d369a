//! Grants on DynamoDB: one item per handle hash (`GRANT#{hash}` / `GRANT`), the record as
//! JSON with its expiry beside it; taking one is one DeleteItem returning the old item, so of
//! two concurrent takers exactly one gets it. The TTL lets DynamoDB drop grants nobody took.

use super::keys::*;
use super::ops::sdk;
use super::DynamoStore;
use crate::error::Error;
use crate::store::GrantStore;
use crate::userpool::model::GrantRecord;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;

/// Sort key of a grant's item.
const GRANT_SK: &str = "GRANT";
/// A grant's expiry (N, epoch ms), outside `data` so reads can test it.
const EXPIRES_MS: &str = "expires_ms";

fn grant_key(handle_hash: &str) -> Item {
    key(format!("GRANT#{handle_hash}"), GRANT_SK)
}

/// The grant in `item`, unless it expired at `now_ms`.
fn live(item: Option<Item>, now_ms: i64) -> Result<Option<GrantRecord>, Error> {
    // DeleteItem's ALL_OLD of an item that was not there may come back as an empty map.
    let Some(item) = item.filter(|i| !i.is_empty()) else {
        return Ok(None);
    };
    let grant: GrantRecord = from_doc(&item)?;
    Ok((grant.expires_ms > now_ms).then_some(grant))
}

#[async_trait]
impl GrantStore for DynamoStore {
    async fn put_grant(&self, grant: &GrantRecord) -> Result<(), Error> {
        let pk = format!("GRANT#{}", grant.handle_hash);
        let mut item = doc_item(pk, GRANT_SK, "grant", grant)?;
        item.insert(EXPIRES_MS.into(), n(grant.expires_ms));
        item.insert(TTL.into(), ttl_after(grant.expires_ms));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn get_grant(
        &self,
        handle_hash: &str,
        now_ms: i64,
    ) -> Result<Option<GrantRecord>, Error> {
        live(self.get(grant_key(handle_hash), &[DATA]).await?, now_ms)
    }

    async fn take_grant(
        &self,
        handle_hash: &str,
        now_ms: i64,
    ) -> Result<Option<GrantRecord>, Error> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(grant_key(handle_hash)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        live(out.attributes, now_ms)
    }
}
