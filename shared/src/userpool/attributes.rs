//! User attributes after sign-up: the one update path (admin and self-service), deletion, and
//! verification of changed email / phone numbers. Self-service operations: UpdateUserAttributes,
//! GetUserAttributeVerificationCode, VerifyUserAttribute, DeleteUserAttributes, DeleteUser.

use super::access::authorize_access;
use super::codes;
use super::directory::modify_user;
use super::directory::{attribute_map, AttributeInput};
use super::messages::{send_code, Channel, MessageSource};
use super::model::{AppClient, CodePurpose, User, UserPool};
use super::schema;
use super::send_limits;
use super::shapes::{CodeDeliveryDetails, CodeDeliveryOutput, Empty};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::ids::{AccessToken, ConfirmationCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const VERIFIED: &[&str] = &["email_verified", "phone_number_verified"];

/// Checks attributes an administrator supplies: like sign-up, but `*_verified` may be set.
pub fn validate_admin(pool: &UserPool, attrs: &BTreeMap<String, String>) -> ApiResult<()> {
    for name in VERIFIED {
        if let Some(v) = attrs.get(*name) {
            if super::model::parse_bool(v).is_none() {
                return Err(ApiError::invalid(format!(
                    "Attributes did not conform to the schema: {name}: Boolean must be true or false"
                )));
            }
        }
    }
    let rest: BTreeMap<String, String> = attrs
        .iter()
        .filter(|(k, _)| !VERIFIED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    schema::validate(pool, &rest, false)
}

fn purpose_of(attribute: &str) -> Option<CodePurpose> {
    match attribute {
        "email" => Some(CodePurpose::VerifyEmail),
        "phone_number" => Some(CodePurpose::VerifyPhone),
        _ => None,
    }
}

/// Applies validated `updates`. A changed email or phone becomes unverified unless the same
/// update marks it verified, and gets a code when the pool auto-verifies it. Returns the
/// CodeDeliveryDetails of the codes sent. A user's own update (`by_user`) counts its codes
/// toward the message limits, before anything is written; an administrator's does not.
pub async fn update(
    app: &Call<'_>,
    pool: &UserPool,
    user: User,
    updates: BTreeMap<String, String>,
    by_user: bool,
) -> ApiResult<Vec<CodeDeliveryDetails>> {
    for (name, value) in &updates {
        let immutable = pool.schema_attribute(name).is_some_and(|a| !a.mutable);
        if immutable && user.attributes.get(name).is_some_and(|old| old != value) {
            return Err(ApiError::invalid(format!(
                "Cannot modify the non-mutable attribute {name}"
            )));
        }
    }
    let changed: Vec<&str> = ["email", "phone_number"]
        .into_iter()
        .filter(|a| {
            updates
                .get(*a)
                .is_some_and(|v| user.attributes.get(*a) != Some(v))
        })
        .filter(|a| !updates.contains_key(&format!("{a}_verified")))
        .collect();
    if by_user {
        let mut after = user.clone();
        after.attributes.extend(updates.clone());
        for attr in changed.iter().filter(|a| pool.auto_verifies(a)) {
            if let Some(ch) = Channel::of(&after, attr) {
                let kind = send_limits::Kind::Verification;
                let to = &ch.destination;
                send_limits::count_request(app, pool, kind, &user.username_key, to).await?;
            }
        }
    }
    let user = modify_user(app, pool, user, |u| {
        u.attributes.extend(updates.clone());
        for attr in &changed {
            u.attributes
                .insert(format!("{attr}_verified"), "false".into());
        }
        Ok(())
    })
    .await?;
    let mut sent = Vec::new();
    for attr in changed.into_iter().filter(|a| pool.auto_verifies(a)) {
        if let (Some(ch), Some(purpose)) = (Channel::of(&user, attr), purpose_of(attr)) {
            let source = MessageSource::UpdateUserAttribute;
            sent.push(send_code(app, pool, &user, purpose, source, &ch).await?);
        }
    }
    Ok(sent)
}

/// Removes attributes (never `sub` or a required one), with their verified flags.
pub async fn delete(
    app: &Call<'_>,
    pool: &UserPool,
    user: User,
    names: &[String],
) -> ApiResult<()> {
    for name in names {
        let Some(def) = pool.schema_attribute(name) else {
            return Err(schema::unknown_attribute(name));
        };
        if def.required || name == "sub" {
            return Err(ApiError::invalid(format!(
                "Cannot delete required attribute {name}"
            )));
        }
    }
    modify_user(app, pool, user, |u| {
        for name in names {
            u.attributes.remove(name);
            u.attributes.remove(&format!("{name}_verified"));
        }
        Ok(())
    })
    .await?;
    Ok(())
}

fn check_writable(client: &AppClient, names: impl Iterator<Item = String>) -> ApiResult<()> {
    for name in names {
        let allowed = client
            .write_attributes
            .as_ref()
            .is_none_or(|w| w.contains(&name));
        if !allowed {
            return Err(ApiError::not_authorized(
                "A client attempted to write unauthorized attribute",
            ));
        }
    }
    Ok(())
}

/// UpdateUserAttributes' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesInput {
    user_attributes: Vec<AttributeInput>,
    access_token: AccessToken,
}

/// UpdateUserAttributes' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesOutput {
    /// The codes sent for changed email / phone numbers (may be empty).
    pub code_delivery_details_list: Vec<CodeDeliveryDetails>,
}

/// UpdateUserAttributes.
pub async fn update_user_attributes(
    app: &Call<'_>,
    input: UpdateUserAttributesInput,
) -> ApiResult<UpdateUserAttributesOutput> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    let updates = attribute_map(Some(input.user_attributes));
    check_writable(&ctx.client, updates.keys().cloned())?;
    schema::validate(&ctx.pool, &updates, false)?;
    let sent = update(app, &ctx.pool, ctx.user, updates, true).await?;
    Ok(UpdateUserAttributesOutput {
        code_delivery_details_list: sent,
    })
}

/// GetUserAttributeVerificationCode's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerificationCodeInput {
    access_token: AccessToken,
    attribute_name: String,
}

/// GetUserAttributeVerificationCode.
pub async fn get_user_attribute_verification_code(
    app: &Call<'_>,
    input: VerificationCodeInput,
) -> ApiResult<CodeDeliveryOutput> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    let name = input.attribute_name.as_str();
    let purpose = purpose_of(name)
        .ok_or_else(|| ApiError::invalid(format!("Invalid attribute name: {name}")))?;
    let channel = Channel::of(&ctx.user, name)
        .ok_or_else(|| ApiError::invalid(format!("User does not have a {name} attribute.")))?;
    let kind = send_limits::Kind::Verification;
    let key = &ctx.user.username_key;
    send_limits::count_request(app, &ctx.pool, kind, key, &channel.destination).await?;
    let source = MessageSource::VerifyUserAttribute;
    let details = send_code(app, &ctx.pool, &ctx.user, purpose, source, &channel).await?;
    Ok(CodeDeliveryOutput {
        code_delivery_details: details,
    })
}

/// VerifyUserAttribute's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyAttributeInput {
    access_token: AccessToken,
    attribute_name: String,
    code: ConfirmationCode,
}

/// VerifyUserAttribute: the code marks the attribute verified (and claims it as an alias).
pub async fn verify_user_attribute(
    app: &Call<'_>,
    input: VerifyAttributeInput,
) -> ApiResult<Empty> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    let name = input.attribute_name.clone();
    let purpose = purpose_of(&name)
        .ok_or_else(|| ApiError::invalid(format!("Invalid attribute name: {name}")))?;
    codes::redeem(
        app,
        &ctx.pool.id,
        &ctx.user.username_key,
        purpose,
        input.code.expose(),
    )
    .await?;
    modify_user(app, &ctx.pool, ctx.user, |u| {
        u.attributes
            .insert(format!("{name}_verified"), "true".into());
        Ok(())
    })
    .await?;
    Ok(Empty {})
}

/// DeleteUserAttributes' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteAttributesInput {
    user_attribute_names: Vec<String>,
    access_token: AccessToken,
}

/// DeleteUserAttributes.
pub async fn delete_user_attributes(
    app: &Call<'_>,
    input: DeleteAttributesInput,
) -> ApiResult<Empty> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    check_writable(&ctx.client, input.user_attribute_names.iter().cloned())?;
    delete(app, &ctx.pool, ctx.user, &input.user_attribute_names).await?;
    Ok(Empty {})
}

/// DeleteUser's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserInput {
    access_token: AccessToken,
}

/// DeleteUser: the token's user deletes themself.
pub async fn delete_user(app: &Call<'_>, input: DeleteUserInput) -> ApiResult<Empty> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    app.store
        .delete_user(&ctx.pool.id, &ctx.user.username_key)
        .await?;
    Ok(Empty {})
}
