//! Sign-up and confirmation: SignUp, ConfirmSignUp, ResendConfirmationCode, AdminConfirmSignUp,
//! and the emailed confirmation link (`GET /confirmUser`).

use super::clients::client_and_pool;
use super::codes;
use super::credentials::hash_new;
use super::directory::{
    alias_exists, aliases_for, find_user, load_user, modify_user, take_aliases,
};
use super::directory::{
    attribute_map, code_request_user, create_user, internal_username, AttributeInput,
};
use super::messages::{compose, deliver_code, send_code, verification_channel, MessageSource};
use super::model::{CodePurpose, User, UserPool, UserStatus};
use super::pools::load_pool;
use super::shapes::{CodeDeliveryDetails, CodeDeliveryOutput, Empty};
use super::signin::sign_up_session;
use super::users::AdminUserInput;
use super::{password, schema, secret_hash, send_limits};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::ids::{ClientId, ConfirmationCode, Password, SecretHash, Username};
use crate::secret::Secret;
use crate::triggers::events::{post_confirmation, pre_sign_up, ConfirmSource, SignUpSource};
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// SignUp's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpInput {
    client_id: ClientId,
    secret_hash: Option<SecretHash>,
    username: Username,
    password: Option<Password>,
    user_attributes: Option<Vec<AttributeInput>>,
}

/// SignUp's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpOutput {
    /// Whether PreSignUp confirmed the user.
    pub user_confirmed: bool,
    /// The new user's `sub`.
    pub user_sub: String,
    /// Where the confirmation code went, when one was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}

/// SignUp.
pub async fn sign_up(app: &Call<'_>, input: SignUpInput) -> ApiResult<SignUpOutput> {
    let (client, pool) = client_and_pool(app, &input.client_id).await?;
    let username = input.username.as_str();
    secret_hash::check(
        &client,
        username,
        input.secret_hash.as_ref().map(|s| s.expose()),
    )?;
    let password = input
        .password
        .ok_or_else(|| ApiError::missing_member("password"))?;
    let mut attrs = attribute_map(input.user_attributes);
    schema::validate(&pool, &attrs, false)?;
    let (internal, sub) = internal_username(app, &pool, username, &mut attrs)?;
    schema::validate(&pool, &attrs, true)?;
    password::check_policy(&pool.password_policy, password.expose())?;
    let new = hash_new(app, &pool, &internal, password.secret()).await?;
    let now = app.clock.now_millis();
    let mut user = User::new(
        &pool,
        internal,
        sub,
        attrs,
        UserStatus::Unconfirmed,
        Some(new.hash),
        now,
    );
    user.srp = Some(new.srp);
    // Every trigger runs before the user is stored, so a refusal leaves nothing behind.
    let decision = pre_sign_up(app, &pool, &user, SignUpSource::SignUp).await?;
    for (flag, attr) in [
        (decision.auto_verify_email, "email"),
        (decision.auto_verify_phone, "phone_number"),
    ] {
        if flag && user.attributes.contains_key(attr) {
            user.attributes
                .insert(format!("{attr}_verified"), "true".into());
        }
    }
    if decision.auto_confirm {
        user.status = UserStatus::Confirmed;
        create_user(app, &pool, &user, false).await?;
        // PostConfirmation fires only for a user that really exists (a lost race fires
        // nothing); if it refuses, the user is removed again.
        let confirmed = post_confirmation(app, &pool, &user, ConfirmSource::ConfirmSignUp).await;
        if let Err(e) = confirmed {
            app.store.delete_user(&pool.id, &user.username_key).await?;
            return Err(e);
        }
        return Ok(SignUpOutput {
            user_confirmed: true,
            user_sub: user.sub,
            code_delivery_details: None,
        });
    }
    let channel = verification_channel(&pool, &user);
    if let Some(ch) = &channel {
        send_limits::count_destination(app, &pool, &ch.destination).await?;
    }
    let composed = match &channel {
        Some(ch) => Some(compose(app, &pool, &user, MessageSource::SignUp, ch).await?),
        None => None,
    };
    create_user(app, &pool, &user, false).await?;
    let details = match (channel, composed) {
        (Some(ch), Some(composed)) => {
            let purpose = CodePurpose::SignUp;
            let source = MessageSource::SignUp;
            Some(deliver_code(app, &pool, &user, purpose, source, &ch, composed).await?)
        }
        _ => None,
    };
    Ok(SignUpOutput {
        user_confirmed: false,
        user_sub: user.sub,
        code_delivery_details: details,
    })
}

/// ConfirmSignUp's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpInput {
    client_id: ClientId,
    secret_hash: Option<SecretHash>,
    username: Username,
    confirmation_code: ConfirmationCode,
    force_alias_creation: Option<bool>,
}

fn cannot_confirm(user: &User) -> ApiError {
    ApiError::not_authorized(format!(
        "User cannot be confirmed. Current status is {}",
        user.status.as_str()
    ))
}

/// ConfirmSignUp's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpOutput {
    /// Signs the user in through USER_AUTH without asking again (a bearer: never in `Debug`).
    pub session: Secret<String>,
}

/// ConfirmSignUp: checks the code, confirms the user and marks the code's channel verified;
/// the reply's Session signs the user in (USER_AUTH).
pub async fn confirm_sign_up(
    app: &Call<'_>,
    input: ConfirmSignUpInput,
) -> ApiResult<ConfirmSignUpOutput> {
    let (client, pool, user) = code_request_user(
        app,
        &input.client_id,
        &input.username,
        input.secret_hash.as_ref(),
    )
    .await?;
    let code = input.confirmation_code.expose();
    let force = input.force_alias_creation == Some(true);
    let user = confirm_user(app, &pool, user, code, force).await?;
    let session = sign_up_session::issue(app, &client, &user).await?;
    Ok(ConfirmSignUpOutput { session })
}

/// The one confirmation of a signed-up user by code (ConfirmSignUp, and the emailed link's
/// `GET /confirmUser`): the code's checks and single use, PostConfirmation, the status and the
/// code's channel marked verified. `force` takes a verified alias from its holder.
pub async fn confirm_user(
    app: &Call<'_>,
    pool: &UserPool,
    user: User,
    code: &str,
    force: bool,
) -> ApiResult<User> {
    if user.status != UserStatus::Unconfirmed {
        return Err(cannot_confirm(&user));
    }
    let verified = verification_channel(pool, &user).map(|c| format!("{}_verified", c.attribute));
    let mut after = user.clone();
    if let Some(v) = &verified {
        after.attributes.insert(v.clone(), "true".into());
    }
    if !force {
        // Refuse before the code is spent, so the client can retry it with ForceAliasCreation.
        for alias in aliases_for(pool, &after) {
            let holder = app.store.get_user_by_alias(&pool.id, &alias).await?;
            if holder.is_some_and(|h| h.username_key != user.username_key) {
                return Err(alias_exists(&alias));
            }
        }
    }
    let key = &user.username_key;
    codes::verify(app, &pool.id, key, CodePurpose::SignUp, code).await?;
    let mut confirmed = after.clone();
    confirmed.status = UserStatus::Confirmed;
    post_confirmation(app, pool, &confirmed, ConfirmSource::ConfirmSignUp).await?;
    codes::consume(app, &pool.id, key, CodePurpose::SignUp).await?;
    if force {
        take_aliases(app, pool, &after).await?;
    }
    modify_user(app, pool, user, |u| {
        if u.status != UserStatus::Unconfirmed {
            return Err(cannot_confirm(u));
        }
        u.status = UserStatus::Confirmed;
        if let Some(v) = &verified {
            u.attributes.insert(v.clone(), "true".into());
        }
        Ok(())
    })
    .await
}

/// ResendConfirmationCode's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendInput {
    client_id: ClientId,
    secret_hash: Option<SecretHash>,
    username: Username,
}

/// ResendConfirmationCode: a new code supersedes the old one.
pub async fn resend_confirmation_code(
    app: &Call<'_>,
    input: ResendInput,
) -> ApiResult<CodeDeliveryOutput> {
    let (client, pool) = client_and_pool(app, &input.client_id).await?;
    let name = input.username.as_str();
    secret_hash::check(
        &client,
        name,
        input.secret_hash.as_ref().map(|s| s.expose()),
    )?;
    let kind = send_limits::Kind::Confirmation;
    let Some(user) = find_user(app, &pool, name).await? else {
        if client.hides_user_existence() {
            // Counted like a real user's requests, so the limit tells nobody who exists.
            send_limits::count_user(app, &pool, kind, &pool.username_key(name)).await?;
            return Ok(CodeDeliveryOutput {
                code_delivery_details: super::messages::simulated_details(&pool, name),
            });
        }
        return Err(ApiError::user_not_found());
    };
    if user.status != UserStatus::Unconfirmed {
        return Err(ApiError::invalid("User is already confirmed."));
    }
    let Some(ch) = verification_channel(&pool, &user) else {
        return Err(ApiError::invalid("Auto verification not turned on."));
    };
    send_limits::count_request(app, &pool, kind, &user.username_key, &ch.destination).await?;
    let (purpose, source) = (CodePurpose::SignUp, MessageSource::ResendCode);
    let details = send_code(app, &pool, &user, purpose, source, &ch).await?;
    Ok(CodeDeliveryOutput {
        code_delivery_details: details,
    })
}

/// AdminConfirmSignUp: confirms without a code (does not verify email or phone).
pub async fn admin_confirm_sign_up(app: &Call<'_>, input: AdminUserInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    if user.status != UserStatus::Unconfirmed {
        return Err(cannot_confirm(&user));
    }
    let key = user.username_key.clone();
    let mut confirmed = user.clone();
    confirmed.status = UserStatus::Confirmed;
    post_confirmation(app, &pool, &confirmed, ConfirmSource::ConfirmSignUp).await?;
    modify_user(app, &pool, user, |u| {
        if u.status != UserStatus::Unconfirmed {
            return Err(cannot_confirm(u));
        }
        u.status = UserStatus::Confirmed;
        Ok(())
    })
    .await?;
    app.store
        .delete_code(&pool.id, &key, CodePurpose::SignUp)
        .await?;
    Ok(Empty {})
}

/// The query of `GET /confirmUser`.
#[derive(Deserialize)]
pub struct ConfirmQuery {
    client_id: Option<String>,
    user_name: Option<String>,
    confirmation_code: Option<String>,
}

fn required(value: Option<String>, name: &str) -> ApiResult<String> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::invalid(format!("Missing required parameter {name}")))
}

/// `GET /confirmUser?client_id=&user_name=&confirmation_code=`: confirms the user as
/// ConfirmSignUp does (the same checks, triggers, single use and expiry). No secret hash: the
/// link is the proof, as in Cognito.
pub async fn confirm_by_link(app: &App, query: &str) -> ApiResult<()> {
    let q: ConfirmQuery = serde_urlencoded::from_str(query)
        .map_err(|_| ApiError::invalid("The link is not a confirmation link."))?;
    let client_id = ClientId::parse(required(q.client_id, "client_id")?)?;
    let username = required(q.user_name, "user_name")?;
    let code = required(q.confirmation_code, "confirmation_code")?;
    let (client, pool) = client_and_pool(app, &client_id).await?;
    let input = Value::Object(Map::from_iter([(
        "ClientId".to_string(),
        Value::String(client_id.as_str().into()),
    )]));
    let call = Call::new(app, &input);
    match find_user(app, &pool, &username).await? {
        Some(user) => confirm_user(&call, &pool, user, &code, false)
            .await
            .map(|_| ()),
        None if client.hides_user_existence() => Err(codes::mismatch()),
        None => Err(ApiError::user_not_found()),
    }
}
