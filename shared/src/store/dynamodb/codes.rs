//! One-time codes on DynamoDB: one item per user and purpose in the user's partition, with
//! the attempt count outside the JSON so a wrong attempt is one atomic `ADD`.

use super::keys::*;
use super::ops::{refused, sdk};
use super::DynamoStore;
use crate::error::Error;
use crate::userpool::model::{CodePurpose, PendingCode};
use aws_sdk_dynamodb::types::ReturnValue;

/// The key of a user's code for one purpose.
fn code_key(pool_id: &str, username_key: &str, purpose: CodePurpose) -> Item {
    key(user_pk(pool_id, username_key), code_sk(purpose.as_str()))
}

impl DynamoStore {
    /// Stores a code, replacing the user's earlier one for the same purpose (one PutItem).
    pub(super) async fn put_code_item(&self, code: &PendingCode) -> Result<(), Error> {
        let mut item = doc_item(
            user_pk(&code.pool_id, &code.username_key),
            code_sk(code.purpose.as_str()),
            "code",
            code,
        )?;
        item.insert(ATTEMPTS.into(), n(code.attempts));
        item.insert(TTL.into(), ttl_after(code.expires_ms));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    /// A pending code with its current attempt count (one consistent GetItem).
    pub(super) async fn get_code_item(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<Option<PendingCode>, Error> {
        let item = self
            .get(code_key(pool_id, username_key, purpose), &[DATA, ATTEMPTS])
            .await?;
        item.map(|item| {
            let mut code: PendingCode = from_doc(&item)?;
            code.attempts = get_n(&item, ATTEMPTS)?;
            Ok(code)
        })
        .transpose()
    }

    /// Counts a wrong attempt atomically (one UpdateItem ADD, only if the code exists);
    /// the new count, or 0 when there is no code.
    pub(super) async fn count_code_failure(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<u32, Error> {
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(code_key(pool_id, username_key, purpose)))
            .update_expression("ADD #a :one")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#a", ATTEMPTS)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match counted {
            Ok(out) => get_n(&out.attributes.unwrap_or_default(), ATTEMPTS),
            Err(e) if refused(&e) => Ok(0),
            Err(e) => Err(sdk(e)),
        }
    }

    /// Removes a code (one DeleteItem).
    pub(super) async fn delete_code_item(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<(), Error> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(code_key(pool_id, username_key, purpose)))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }
}
