//! Password recovery and change: ForgotPassword, ConfirmForgotPassword, ChangePassword.

use super::access::authorize_access;
use super::clients::client_and_pool;
use super::codes;
use super::credentials::{apply_password, new_password};
use super::directory::{find_user, modify_user};
use super::lockout;
use super::messages::{send_code, simulated_details, Channel, MessageSource};
use super::model::{CodePurpose, User, UserPool, UserStatus};
use super::secret_hash;
use super::send_limits;
use super::shapes::{CodeDeliveryOutput, Empty};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::ids::{AccessToken, ClientId, ConfirmationCode, Password, SecretHash, Username};
use crate::triggers::events::{post_confirmation, ConfirmSource};
use crate::triggers::migration::MigrationSource;
use serde::Deserialize;
use serde_json::Value;

/// The recovery channel per AccountRecoverySetting (default: verified email, then verified
/// phone number).
pub fn recovery_channel(pool: &UserPool, user: &User) -> ApiResult<Channel> {
    let mut mechanisms: Vec<(i64, String)> = pool
        .passthrough
        .get("AccountRecoverySetting")
        .and_then(|s| s.get("RecoveryMechanisms"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|m| {
                    Some((
                        m.get("Priority")?.as_i64()?,
                        m.get("Name")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_else(|| {
            vec![
                (1, "verified_email".into()),
                (2, "verified_phone_number".into()),
            ]
        });
    mechanisms.sort();
    if mechanisms.iter().any(|(_, m)| m == "admin_only") {
        return Err(ApiError::not_authorized(
            "User password cannot be reset in the current state.",
        ));
    }
    let verified = |attr: &str| user.is_verified(attr);
    mechanisms
        .iter()
        .filter_map(|(_, m)| m.strip_prefix("verified_"))
        .filter(|attr| verified(attr))
        .find_map(|attr| Channel::of(user, attr))
        .ok_or_else(|| {
            ApiError::invalid(
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            )
        })
}

/// ForgotPassword's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPasswordInput {
    client_id: ClientId,
    secret_hash: Option<SecretHash>,
    username: Username,
}

/// ForgotPassword: a 1-hour code by the recovery channel.
pub async fn forgot_password(
    app: &Call<'_>,
    input: ForgotPasswordInput,
) -> ApiResult<CodeDeliveryOutput> {
    let (client, pool) = client_and_pool(app, &input.client_id).await?;
    let name = input.username.as_str();
    secret_hash::check(
        &client,
        name,
        input.secret_hash.as_ref().map(|s| s.expose()),
    )?;
    let mut user = find_user(app, &pool, name).await?;
    if user.is_none() {
        let source = MigrationSource::ForgotPassword;
        user = super::migration::migrate(app, &pool, name, None, source).await?;
    }
    let kind = send_limits::Kind::Recovery;
    let Some(user) = user else {
        if client.hides_user_existence() {
            // Counted like a real user's requests, so the limit tells nobody who exists.
            send_limits::count_user(app, &pool, kind, &pool.username_key(name)).await?;
            return Ok(CodeDeliveryOutput {
                code_delivery_details: simulated_details(&pool, name),
            });
        }
        return Err(ApiError::user_not_found());
    };
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    let channel = recovery_channel(&pool, &user)?;
    let to = &channel.destination;
    send_limits::count_request(app, &pool, kind, &user.username_key, to).await?;
    let source = MessageSource::ForgotPassword;
    let purpose = CodePurpose::ForgotPassword;
    let details = send_code(app, &pool, &user, purpose, source, &channel).await?;
    Ok(CodeDeliveryOutput {
        code_delivery_details: details,
    })
}

/// ConfirmForgotPassword's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPasswordInput {
    client_id: ClientId,
    secret_hash: Option<SecretHash>,
    username: Username,
    confirmation_code: ConfirmationCode,
    password: Password,
}

/// ConfirmForgotPassword: the policy is checked before the code is spent.
pub async fn confirm_forgot_password(
    app: &Call<'_>,
    input: ConfirmForgotPasswordInput,
) -> ApiResult<Empty> {
    let (_, pool, user) = super::directory::code_request_user(
        app,
        &input.client_id,
        &input.username,
        input.secret_hash.as_ref(),
    )
    .await?;
    let hash = new_password(app, &pool, &user, input.password.secret()).await?;
    let (key, purpose) = (&user.username_key, CodePurpose::ForgotPassword);
    codes::verify(
        app,
        &pool.id,
        key,
        purpose,
        input.confirmation_code.expose(),
    )
    .await?;
    let mut confirmed = user.clone();
    if matches!(
        confirmed.status,
        UserStatus::ResetRequired | UserStatus::ForceChangePassword
    ) {
        confirmed.status = UserStatus::Confirmed;
    }
    let source = ConfirmSource::ConfirmForgotPassword;
    post_confirmation(app, &pool, &confirmed, source).await?;
    codes::consume(app, &pool.id, key, purpose).await?;
    modify_user(app, &pool, user, |u| {
        apply_password(&pool, u, hash.clone());
        if matches!(
            u.status,
            UserStatus::ResetRequired | UserStatus::ForceChangePassword
        ) {
            u.status = UserStatus::Confirmed;
        }
        Ok(())
    })
    .await?;
    Ok(Empty {})
}

/// ChangePassword's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangePasswordInput {
    previous_password: Option<Password>,
    proposed_password: Password,
    access_token: AccessToken,
}

/// ChangePassword: the previous password is checked (and counts toward lockout).
pub async fn change_password(app: &Call<'_>, input: ChangePasswordInput) -> ApiResult<Empty> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    let now = app.clock.now_millis();
    lockout::check(&ctx.user.lockout, now)?;
    let previous = input
        .previous_password
        .ok_or_else(|| ApiError::missing_member("previousPassword"))?;
    if !app
        .hasher
        .verify(previous.secret(), ctx.user.password_hash.as_ref())
        .await?
    {
        modify_user(app, &ctx.pool, ctx.user, |u| {
            u.lockout = lockout::after_failure(&u.lockout, now);
            Ok(())
        })
        .await?;
        return Err(ApiError::bad_credentials());
    }
    let hash = new_password(app, &ctx.pool, &ctx.user, input.proposed_password.secret()).await?;
    modify_user(app, &ctx.pool, ctx.user, |u| {
        apply_password(&ctx.pool, u, hash.clone());
        Ok(())
    })
    .await?;
    Ok(Empty {})
}
