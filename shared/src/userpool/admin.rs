//! Admin user operations: AdminCreateUser (with the invite), AdminSetUserPassword,
//! AdminDisableUser / AdminEnableUser, AdminResetUserPassword, AdminUpdateUserAttributes,
//! AdminDeleteUserAttributes, AdminUserGlobalSignOut.

use super::credentials::{apply_password, hash_new, new_password};
use super::directory::{attribute_map, create_user, internal_username, AttributeInput};
use super::directory::{load_user, modify_user};
use super::enums::{DeliveryMedium, MessageAction};
use super::messages::{dispatch, send_code, verification_channel, Channel, MessageSource};
use super::model::{CodePurpose, OutboundMessage, User, UserPool, UserStatus};
use super::pools::load_pool;
use super::revocation::sign_out_everywhere;
use super::shapes::{Empty, UserType};
use super::users::AdminUserInput;
use super::{attributes, schema};
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{Password, UserPoolId, Username};
use crate::random::string_from;
use crate::secret::Secret;
use crate::triggers::events::{pre_sign_up, SignUpSource};
use crate::triggers::messages::{custom_message, CustomText};
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// AdminCreateUser's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserInput {
    user_pool_id: UserPoolId,
    username: Username,
    user_attributes: Option<Vec<AttributeInput>>,
    temporary_password: Option<Password>,
    message_action: Option<MessageAction>,
    desired_delivery_mediums: Option<Vec<DeliveryMedium>>,
    force_alias_creation: Option<bool>,
}

/// A temporary password that satisfies the pool's policy.
fn generate_temporary(app: &Call<'_>, pool: &UserPool) -> Secret<String> {
    let len = pool.password_policy.minimum_length.max(12) as usize;
    let body = string_from(app.random.as_ref(), crate::random::ALNUM, len - 4);
    // Random letters and digits, then one of each class a policy may require.
    Secret::new(format!("{body}a1A!"))
}

/// Sends the invitation with the temporary password, by the desired mediums.
async fn send_invite(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    temporary: &Secret<String>,
    mediums: &[DeliveryMedium],
    custom: &CustomText,
) -> ApiResult<()> {
    let template = |key: &str, default: &str| {
        let chosen = match key {
            "EmailMessage" => &custom.email_message,
            "SMSMessage" => &custom.sms_message,
            _ => &custom.email_subject,
        };
        if let Some(text) = chosen {
            return text.clone();
        }
        pool.passthrough
            .get("AdminCreateUserConfig")
            .and_then(|c| c.get("InviteMessageTemplate"))
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    for &medium in mediums {
        let (attr, body) = match medium {
            DeliveryMedium::Email => (
                "email",
                template(
                    "EmailMessage",
                    "Your username is {username} and temporary password is {####}. ",
                ),
            ),
            DeliveryMedium::Sms => (
                "phone_number",
                template(
                    "SMSMessage",
                    "Your username is {username} and temporary password is {####}. ",
                ),
            ),
        };
        let Some(destination) = user.attributes.get(attr) else {
            continue;
        };
        let message = body
            .replace("{username}", &user.username)
            .replace("{####}", temporary.expose());
        let msg = OutboundMessage {
            pool_id: pool.id.clone(),
            username: user.username.clone(),
            destination: destination.clone(),
            delivery_medium: medium,
            purpose: "Invitation".into(),
            code: temporary.clone(),
            subject: template("EmailSubject", "Your temporary password"),
            message: Secret::new(message),
            created_ms: app.clock.now_millis(),
        };
        dispatch(app, pool, user, MessageSource::AdminCreateUser, msg).await?;
    }
    Ok(())
}

/// The invitation's texts from CustomMessage (none when no invitation is sent).
async fn invite_text(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    action: Option<MessageAction>,
) -> ApiResult<CustomText> {
    if action == Some(MessageAction::Suppress) {
        return Ok(CustomText::default());
    }
    custom_message(app, pool, user, MessageSource::AdminCreateUser).await
}

/// AdminCreateUser's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserOutput {
    /// The user created (or invited again).
    pub user: UserType,
}

/// AdminCreateUser: FORCE_CHANGE_PASSWORD with a temporary password, invited through the
/// outbox unless MessageAction=SUPPRESS; RESEND re-invites an existing invited user.
pub async fn admin_create_user(
    app: &Call<'_>,
    input: AdminCreateUserInput,
) -> ApiResult<AdminCreateUserOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let action = input.message_action;
    let mediums = input
        .desired_delivery_mediums
        .unwrap_or_else(|| vec![DeliveryMedium::Sms]);
    let temporary = match &input.temporary_password {
        Some(p) => {
            super::password::check_policy(&pool.password_policy, p.expose())?;
            p.secret().clone()
        }
        None => generate_temporary(app, &pool),
    };
    let now = app.clock.now_millis();
    let expires =
        now + i64::from(pool.password_policy.temporary_password_validity_days) * 86_400_000;
    let user = if action == Some(MessageAction::Resend) {
        let existing = load_user(app, &pool, input.username.as_str()).await?;
        if existing.status != UserStatus::ForceChangePassword {
            return Err(ApiError::new(
                ErrorKind::UnsupportedUserState,
                "User is not in FORCE_CHANGE_PASSWORD state.",
            ));
        }
        let new = hash_new(app, &pool, &existing.username, &temporary).await?;
        modify_user(app, &pool, existing, |u| {
            u.password_hash = Some(new.hash.clone());
            u.srp = Some(new.srp.clone());
            u.temporary_password_expires_ms = Some(expires);
            Ok(())
        })
        .await?
    } else {
        let mut attrs = attribute_map(input.user_attributes);
        attributes::validate_admin(&pool, &attrs)?;
        let (internal, sub) = internal_username(app, &pool, input.username.as_str(), &mut attrs)?;
        schema::validate(&pool, &schema::without_verified(&attrs), true)?;
        let new = hash_new(app, &pool, &internal, &temporary).await?;
        let status = UserStatus::ForceChangePassword;
        let mut user = User::new(&pool, internal, sub, attrs, status, Some(new.hash), now);
        user.srp = Some(new.srp);
        user.temporary_password_expires_ms = Some(expires);
        // PreSignUp may refuse (its flags are ignored here, as in Cognito) and CustomMessage
        // may refuse: both run before the user is stored.
        pre_sign_up(app, &pool, &user, SignUpSource::AdminCreateUser).await?;
        let custom = invite_text(app, &pool, &user, action).await?;
        create_user(app, &pool, &user, input.force_alias_creation == Some(true)).await?;
        if action != Some(MessageAction::Suppress) {
            send_invite(app, &pool, &user, &temporary, &mediums, &custom).await?;
        }
        return Ok(AdminCreateUserOutput {
            user: UserType::of(&user, None),
        });
    };
    if action != Some(MessageAction::Suppress) {
        let custom = invite_text(app, &pool, &user, action).await?;
        send_invite(app, &pool, &user, &temporary, &mediums, &custom).await?;
    }
    Ok(AdminCreateUserOutput {
        user: UserType::of(&user, None),
    })
}

/// AdminSetUserPassword's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserPasswordInput {
    user_pool_id: UserPoolId,
    username: Username,
    password: Password,
    permanent: Option<bool>,
}

/// AdminSetUserPassword: Permanent → CONFIRMED, else FORCE_CHANGE_PASSWORD.
pub async fn admin_set_user_password(
    app: &Call<'_>,
    input: AdminSetUserPasswordInput,
) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    let hash = new_password(app, &pool, &user, input.password.secret()).await?;
    let permanent = input.permanent.unwrap_or(false);
    let expires = app.clock.now_millis()
        + i64::from(pool.password_policy.temporary_password_validity_days) * 86_400_000;
    modify_user(app, &pool, user, |u| {
        apply_password(&pool, u, hash.clone());
        if permanent {
            u.status = UserStatus::Confirmed;
        } else {
            u.status = UserStatus::ForceChangePassword;
            u.temporary_password_expires_ms = Some(expires);
        }
        Ok(())
    })
    .await?;
    Ok(Empty {})
}

/// AdminDisableUser: sign-in refused ("User is disabled.") and every session ended.
pub async fn admin_disable_user(app: &Call<'_>, input: AdminUserInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    disable_user(app, &pool, user).await?;
    Ok(Empty {})
}

/// Disables a user and ends its sessions (AdminDisableUser, and AdminDisableProviderForUser
/// for a native or federated user).
pub async fn disable_user(app: &App, pool: &UserPool, user: User) -> ApiResult<()> {
    let user = modify_user(app, pool, user, |u| {
        u.enabled = false;
        Ok(())
    })
    .await?;
    sign_out_everywhere(app, pool, user).await
}

/// AdminEnableUser.
pub async fn admin_enable_user(app: &Call<'_>, input: AdminUserInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    modify_user(app, &pool, user, |u| {
        u.enabled = true;
        Ok(())
    })
    .await?;
    Ok(Empty {})
}

/// AdminResetUserPassword: RESET_REQUIRED, and a recovery code by the verified channel.
pub async fn admin_reset_user_password(app: &Call<'_>, input: AdminUserInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    let channel = super::recovery::recovery_channel(&pool, &user)?;
    let user = modify_user(app, &pool, user, |u| {
        u.status = UserStatus::ResetRequired;
        Ok(())
    })
    .await?;
    sign_out_everywhere(app, &pool, user.clone()).await?;
    send_code(
        app,
        &pool,
        &user,
        CodePurpose::ForgotPassword,
        MessageSource::ForgotPassword,
        &channel,
    )
    .await?;
    Ok(Empty {})
}

/// AdminUpdateUserAttributes' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUpdateAttributesInput {
    user_pool_id: UserPoolId,
    username: Username,
    user_attributes: Vec<AttributeInput>,
}

/// AdminUpdateUserAttributes: may set `*_verified`; a changed auto-verified email or phone
/// becomes unverified and gets a code unless the same call marks it verified.
pub async fn admin_update_user_attributes(
    app: &Call<'_>,
    input: AdminUpdateAttributesInput,
) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    let updates = attribute_map(Some(input.user_attributes));
    attributes::validate_admin(&pool, &updates)?;
    attributes::update(app, &pool, user, updates, false).await?;
    Ok(Empty {})
}

/// AdminDeleteUserAttributes' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminDeleteAttributesInput {
    user_pool_id: UserPoolId,
    username: Username,
    user_attribute_names: Vec<String>,
}

/// AdminDeleteUserAttributes.
pub async fn admin_delete_user_attributes(
    app: &Call<'_>,
    input: AdminDeleteAttributesInput,
) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    attributes::delete(app, &pool, user, &input.user_attribute_names).await?;
    Ok(Empty {})
}

/// AdminUserGlobalSignOut.
pub async fn admin_user_global_sign_out(app: &Call<'_>, input: AdminUserInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    sign_out_everywhere(app, &pool, user).await?;
    Ok(Empty {})
}

/// The channel a verification code goes to for this user, if any (re-exported for callers).
pub fn channel_for(pool: &UserPool, user: &User) -> Option<Channel> {
    verification_channel(pool, user)
}
