//! A Latchkey extension to UpdateUserPool: its `Schema` member (which Cognito's UpdateUserPool
//! does not have) changes custom attributes after creation, which Cognito never allows. Only
//! what can change safely may: `Mutable`, `DeveloperOnlyAttribute` and the string or number
//! constraints of an existing `custom:` attribute. New constraints are checked against every
//! user's stored value first; the change is refused, and nothing written, if one does not fit.
//! The data type, `Required` and the standard attributes stay as created.

use super::model::{SchemaAttribute, UserPool};
use super::schema::{validate, SchemaInput};
use crate::error::{ApiError, ApiResult};
use crate::App;
use std::collections::BTreeMap;

/// Users read per page while checking new constraints.
const PAGE: usize = 500;

/// The pool's schema with `changes` applied, or why they cannot be.
pub fn changed_schema(pool: &UserPool, changes: &[SchemaInput]) -> ApiResult<Vec<SchemaAttribute>> {
    let mut schema = pool.schema.clone();
    for change in changes {
        let name = change
            .name
            .as_deref()
            .ok_or_else(|| ApiError::missing_member("schema.member.name"))?;
        if !name.starts_with("custom:") && pool.schema_attribute(name).is_some() {
            return Err(ApiError::invalid(format!(
                "{name} is a standard attribute: only custom attributes can change after creation."
            )));
        }
        let full = if name.starts_with("custom:") {
            name.to_string()
        } else {
            format!("custom:{name}")
        };
        let Some(attr) = schema.iter_mut().find(|a| a.name == full) else {
            return Err(ApiError::invalid(format!(
                "{full} is not a custom attribute of the user pool: add it with AddCustomAttributes. Only custom attributes can change after creation."
            )));
        };
        if change
            .attribute_data_type
            .is_some_and(|t| t != attr.attribute_data_type)
        {
            return Err(ApiError::invalid(format!(
                "The data type of {full} cannot change after creation."
            )));
        }
        if change.required == Some(true) {
            return Err(ApiError::invalid(
                "Required custom attributes are not supported currently.",
            ));
        }
        attr.mutable = change.mutable.unwrap_or(attr.mutable);
        attr.developer_only_attribute = change
            .developer_only_attribute
            .unwrap_or(attr.developer_only_attribute);
        if let Some(c) = &change.string_attribute_constraints {
            attr.string_attribute_constraints = Some(c.clone());
        }
        if let Some(c) = &change.number_attribute_constraints {
            attr.number_attribute_constraints = Some(c.clone());
        }
    }
    Ok(schema)
}

/// Checks every user's values of the changed attributes against `schema`.
pub async fn check_users(app: &App, pool: &UserPool, schema: &[SchemaAttribute]) -> ApiResult<()> {
    let changed: Vec<&str> = schema
        .iter()
        .filter(|a| pool.schema_attribute(&a.name) != Some(*a))
        .map(|a| a.name.as_str())
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let mut target = pool.clone();
    target.schema = schema.to_vec();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .store
            .list_users(&pool.id, after.as_deref(), PAGE, &|_| true)
            .await?;
        for user in &page.items {
            let values: BTreeMap<String, String> = changed
                .iter()
                .filter_map(|n| user.attributes.get(*n).map(|v| (n.to_string(), v.clone())))
                .collect();
            validate(&target, &values, false).map_err(|e| {
                ApiError::invalid(format!(
                    "The schema change does not fit user {}'s stored values: {}",
                    user.username, e.message
                ))
            })?;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(()),
        }
    }
}
