//! AddCustomAttributes: new `custom:` attributes in a pool's schema, with the checks
//! CreateUserPool's schema has (one definition in `schema`), written over the version read.

use super::pools::modify_pool;
use super::schema::{add_custom, SchemaInput};
use super::shapes::Empty;
use crate::error::ApiResult;
use crate::ids::UserPoolId;
use crate::App;
use serde::Deserialize;

/// AddCustomAttributes' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddCustomAttributesInput {
    user_pool_id: UserPoolId,
    custom_attributes: Vec<SchemaInput>,
}

/// AddCustomAttributes. Attributes cannot be removed or changed afterwards, as in Cognito.
pub async fn add_custom_attributes(app: &App, input: AddCustomAttributesInput) -> ApiResult<Empty> {
    modify_pool(app, input.user_pool_id.as_str(), |pool| {
        add_custom(
            &mut pool.schema,
            &input.custom_attributes,
            "customAttributes",
        )?;
        Ok(Empty {})
    })
    .await
}
