//! Sign-in: InitiateAuth and AdminInitiateAuth with USER_PASSWORD_AUTH,
//! ADMIN_USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH. Unknown users cost one argon2 verify,
//! exactly like a wrong password; failures count toward lockout.

use super::challenges::{new_password_required, param, required, Params};
use super::clients::{load_client, load_pool_client};
use super::migration::migrate;
use super::model::{AppClient, User, UserPool, UserStatus};
use super::pools::load_pool;
use super::tokens::TokenSource;
use super::users::{find_user, modify_user};
use super::{lockout, mfa, refresh, secret_hash, srp_auth, unknown_lockout};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{ClientId, UserPoolId};
use crate::secret::Secret;
use crate::triggers::events::pre_authentication;
use crate::triggers::migration::MigrationSource;
use crate::App;
use serde::Deserialize;
use serde_json::{json, Value};

const FLOWS: &[&str] = &[
    "USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN",
    "CUSTOM_AUTH",
    "ADMIN_NO_SRP_AUTH",
    "USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
    "USER_AUTH",
];

/// InitiateAuth's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthInput {
    /// The flow.
    pub auth_flow: String,
    auth_parameters: Option<Params>,
    client_id: ClientId,
}

/// AdminInitiateAuth's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminInitiateAuthInput {
    user_pool_id: UserPoolId,
    client_id: ClientId,
    auth_flow: String,
    auth_parameters: Option<Params>,
}

fn check_flow(flow: &str) -> ApiResult<()> {
    if FLOWS.contains(&flow) {
        Ok(())
    } else {
        Err(ApiError::constraint(
            "authFlow",
            &format!("Member must satisfy enum value set: [{}]", FLOWS.join(", ")),
        ))
    }
}

fn not_enabled(flow: &str) -> ApiError {
    ApiError::invalid(format!("{flow} flow not enabled for this client"))
}

fn not_supported() -> ApiError {
    ApiError::invalid("Initiate Auth method not supported.")
}

/// Whether refresh is allowed: ALLOW_REFRESH_TOKEN_AUTH, or always with legacy flow values.
fn allows_refresh(client: &AppClient) -> bool {
    client.allows("ALLOW_REFRESH_TOKEN_AUTH", None) || client.legacy_flows_only()
}

/// Whether USER_SRP_AUTH is allowed: ALLOW_USER_SRP_AUTH, or always with legacy flow values.
fn allows_srp(client: &AppClient) -> bool {
    client.allows("ALLOW_USER_SRP_AUTH", None) || client.legacy_flows_only()
}

/// InitiateAuth.
pub async fn initiate_auth(app: &App, input: InitiateAuthInput) -> ApiResult<Value> {
    check_flow(&input.auth_flow)?;
    let client = load_client(app, input.client_id.as_str()).await?;
    let pool = load_pool(app, &client.pool_id).await?;
    let params = &input.auth_parameters;
    match input.auth_flow.as_str() {
        "USER_PASSWORD_AUTH" => {
            if !client.allows("ALLOW_USER_PASSWORD_AUTH", Some("USER_PASSWORD_AUTH")) {
                return Err(not_enabled("USER_PASSWORD_AUTH"));
            }
            password_auth(app, &pool, &client, params).await
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            if !allows_refresh(&client) {
                return Err(not_enabled("REFRESH_TOKEN_AUTH"));
            }
            refresh(app, &pool, &client, params).await
        }
        "USER_SRP_AUTH" => {
            if !allows_srp(&client) {
                return Err(not_enabled("USER_SRP_AUTH"));
            }
            srp_auth::start(app, &pool, &client, params).await
        }
        "CUSTOM_AUTH" => custom_auth(app, &pool, &client, params).await,
        // ADMIN_* flows belong to AdminInitiateAuth; USER_AUTH is not built yet (see the
        // README's feature table).
        _ => Err(not_supported()),
    }
}

/// AdminInitiateAuth.
pub async fn admin_initiate_auth(app: &App, input: AdminInitiateAuthInput) -> ApiResult<Value> {
    check_flow(&input.auth_flow)?;
    let client =
        load_pool_client(app, input.user_pool_id.as_str(), input.client_id.as_str()).await?;
    let pool = load_pool(app, &client.pool_id).await?;
    let params = &input.auth_parameters;
    match input.auth_flow.as_str() {
        flow @ ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH") => {
            if !client.allows("ALLOW_ADMIN_USER_PASSWORD_AUTH", Some("ADMIN_NO_SRP_AUTH")) {
                return Err(not_enabled(flow));
            }
            password_auth(app, &pool, &client, params).await
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            if !allows_refresh(&client) {
                return Err(not_enabled("REFRESH_TOKEN_AUTH"));
            }
            refresh(app, &pool, &client, params).await
        }
        "USER_SRP_AUTH" => {
            if !allows_srp(&client) {
                return Err(not_enabled("USER_SRP_AUTH"));
            }
            srp_auth::start(app, &pool, &client, params).await
        }
        "CUSTOM_AUTH" => custom_auth(app, &pool, &client, params).await,
        _ => Err(not_supported()),
    }
}

/// CUSTOM_AUTH, when the client allows it.
async fn custom_auth(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    params: &Option<Params>,
) -> ApiResult<Value> {
    if !client.allows("ALLOW_CUSTOM_AUTH", Some("CUSTOM_AUTH_FLOW_ONLY")) {
        return Err(not_enabled("CUSTOM_AUTH"));
    }
    super::custom_auth::start(app, pool, client, params).await
}

/// USERNAME + PASSWORD: lockout, verify, status, then tokens or the next challenge.
async fn password_auth(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    params: &Option<Params>,
) -> ApiResult<Value> {
    let username = required(params, "USERNAME")?;
    let password = Secret::new(required(params, "PASSWORD")?.to_string());
    secret_hash::check(client, username, param(params, "SECRET_HASH"))?;
    let mut user = find_user(app, pool, username).await?;
    if user.is_none() {
        // An unknown user may be migrated in, with this password (checked below like any).
        let source = MigrationSource::Authentication;
        user = migrate(app, pool, username, Some(&password), source).await?;
    }
    let now = app.clock.now_millis();
    let hides = client.hides_user_existence();
    let locked = match &user {
        Some(u) => lockout::check(&u.lockout, now),
        None if hides => unknown_lockout::check(app, pool, username).await,
        None => Ok(()),
    };
    if let Err(refusal) = locked {
        // A locked name costs a hash like any other answer, so the time of a refusal tells
        // nothing about whether the name is a user.
        if hides {
            app.hasher.verify(&password, None).await?;
        }
        return Err(refusal);
    }
    if let Some(u) = &user {
        pre_authentication(app, pool, u).await?;
    }
    let hash = user.as_ref().and_then(|u| u.password_hash.as_ref());
    let password_ok = app.hasher.verify(&password, hash).await?;
    let Some(user) = user else {
        if !hides {
            return Err(ApiError::user_not_found());
        }
        unknown_lockout::record_failure(app, pool, username).await?;
        return Err(ApiError::bad_credentials());
    };
    after_first_factor_check(app, pool, client, user, password_ok, now).await
}

/// After a password (or SRP claim) was checked: unconfirmed and disabled users, lockout on
/// failure, then the status-driven next step (reset, new password, MFA, tokens).
pub async fn after_first_factor_check(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    password_ok: bool,
    now: i64,
) -> ApiResult<Value> {
    if user.status == UserStatus::Unconfirmed && (password_ok || !client.hides_user_existence()) {
        return Err(ApiError::new(
            ErrorKind::UserNotConfirmed,
            "User is not confirmed.",
        ));
    }
    if !password_ok {
        modify_user(app, pool, user, |u| {
            u.lockout = lockout::after_failure(&u.lockout, now);
            Ok(())
        })
        .await?;
        return Err(ApiError::bad_credentials());
    }
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    match user.status {
        UserStatus::ResetRequired => Err(ApiError::new(
            ErrorKind::PasswordResetRequired,
            "Password reset required for the user",
        )),
        UserStatus::ForceChangePassword => {
            if user.temporary_password_expires_ms.is_some_and(|t| now >= t) {
                return Err(ApiError::not_authorized(
                    "Temporary password has expired and must be reset by an administrator.",
                ));
            }
            new_password_required(app, pool, client, &user).await
        }
        _ => mfa::after_first_factor(app, pool, client, user, TokenSource::Authentication).await,
    }
}

/// REFRESH_TOKEN: new ID and access tokens with the original origin_jti and auth_time (refused
/// for rotating clients, as in Cognito).
async fn refresh(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    params: &Option<Params>,
) -> ApiResult<Value> {
    refresh::refuse_if_rotating(client)?;
    let token = required(params, "REFRESH_TOKEN")?;
    let secret = param(params, "SECRET_HASH");
    let issued = refresh::redeem(app, pool, client, token, |user| {
        secret_hash::check(client, &user.username, secret)
    })
    .await?;
    Ok(json!({ "AuthenticationResult": issued.to_json(), "ChallengeParameters": {} }))
}
