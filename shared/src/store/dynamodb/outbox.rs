//! `OutboxStore` on DynamoDB: messages in their pool's partition (and under GSI1 for the
//! all-pools listing), with increasing ids from an atomic counter item.

use super::keys::*;
use super::ops::sdk;
use super::DynamoStore;
use crate::error::Error;
use crate::store::OutboxStore;
use crate::userpool::model::OutboundMessage;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn append_outbox(&self, msg: &OutboundMessage) -> Result<i64, Error> {
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(COUNTER_PK, COUNTER_SK)))
            .update_expression("ADD #v :one SET #k = :kind")
            .expression_attribute_names("#v", VALUE)
            .expression_attribute_names("#k", KIND)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":kind", s("counter"))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(sdk)?;
        let id: i64 = get_n(&counted.attributes.unwrap_or_default(), VALUE)?;
        let mut item = with_gsi1(
            doc_item(outbox_pk(&msg.pool_id), outbox_sk(id), "outbox", msg)?,
            ALL_OUTBOX.into(),
            outbox_sk(id),
        );
        item.insert(USERNAME.into(), s(msg.username.as_str()));
        item.insert(
            TTL.into(),
            n(msg.created_ms.div_euclid(1000) + OUTBOX_KEEP_SECS),
        );
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk)?;
        Ok(id)
    }

    async fn list_outbox(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<(i64, OutboundMessage)>, Error> {
        // One pool: its partition, strongly consistent. All pools: GSI1's OUTBOX listing.
        let mut q = match pool_id {
            Some(pool) => self
                .query()
                .consistent_read(true)
                .expression_attribute_names("#pk", PK)
                .expression_attribute_values(":pk", s(outbox_pk(pool))),
            None => self
                .query()
                .index_name(GSI1)
                .expression_attribute_names("#pk", GSI1PK)
                .expression_attribute_values(":pk", s(ALL_OUTBOX)),
        }
        .key_condition_expression("#pk = :pk");
        if let Some(user) = username {
            q = q
                .filter_expression("#u = :u")
                .expression_attribute_names("#u", USERNAME)
                .expression_attribute_values(":u", s(user));
        }
        self.query_all(q)
            .await?
            .iter()
            .map(|item| {
                let id = get_s(item, SK)?
                    .parse()
                    .map_err(|_| Error::Decode("outbox sort key is not an id".into()))?;
                Ok((id, from_doc(item)?))
            })
            .collect()
    }
}
