//! Challenges: how a sign-in continues after InitiateAuth (RespondToAuthChallenge and
//! AdminRespondToAuthChallenge), and the shared end of every successful sign-in.

use super::clients::{load_client, load_pool_client};
use super::credentials::{apply_password, new_password};
use super::model::{AppClient, Lockout, User, UserPool, UserStatus};
use super::pools::load_pool;
use super::session::{self, ChallengeSession};
use super::users::{load_user, modify_user};
use super::{schema, secret_hash, tokens};
use crate::error::{ApiError, ApiResult};
use crate::ids::{ClientId, UserPoolId};
use crate::secret::Secret;
use crate::triggers::events::post_authentication;
use crate::App;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use tokens::TokenSource;

/// ChallengeResponses / AuthParameters: secret (they carry passwords and codes).
pub type Params = Secret<HashMap<String, String>>;

/// A named member of a parameter map.
pub fn param<'a>(params: &'a Option<Params>, name: &str) -> Option<&'a str> {
    params.as_ref()?.expose().get(name).map(String::as_str)
}

/// A required member of a parameter map.
pub fn required<'a>(params: &'a Option<Params>, name: &str) -> ApiResult<&'a str> {
    param(params, name)
        .ok_or_else(|| ApiError::invalid(format!("Missing required parameter {name}")))
}

/// The end of every successful sign-in: PostAuthentication (which may still refuse), forget
/// failed attempts, then issue tokens.
pub async fn complete_sign_in(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    source: TokenSource,
) -> ApiResult<Value> {
    post_authentication(app, pool, &user).await?;
    let user = if user.lockout.failures > 0 {
        modify_user(app, pool, user, |u| {
            u.lockout = Lockout::default();
            Ok(())
        })
        .await?
    } else {
        user
    };
    let issued = tokens::issue(app, pool, client, &user, None, source).await?;
    Ok(json!({ "AuthenticationResult": issued.to_json(), "ChallengeParameters": {} }))
}

/// Answers a challenge: a fresh sealed Session plus the parameters.
pub async fn challenge(
    app: &App,
    client: &AppClient,
    user: &User,
    name: &str,
    parameters: Value,
    data: Map<String, Value>,
) -> ApiResult<Value> {
    let step = Some(user.auth_step);
    seal_challenge(app, client, &user.username, step, name, parameters, data).await
}

/// [`challenge`] for a username that may not be a stored user (CUSTOM_AUTH's hidden unknown
/// users).
pub async fn challenge_for(
    app: &App,
    client: &AppClient,
    username: &str,
    name: &str,
    parameters: Value,
    data: Map<String, Value>,
) -> ApiResult<Value> {
    seal_challenge(app, client, username, None, name, parameters, data).await
}

async fn seal_challenge(
    app: &App,
    client: &AppClient,
    username: &str,
    step: Option<u64>,
    name: &str,
    parameters: Value,
    data: Map<String, Value>,
) -> ApiResult<Value> {
    let sealed = session::seal(
        app,
        &ChallengeSession {
            pool_id: client.pool_id.clone(),
            client_id: client.client_id.clone(),
            username: username.to_string(),
            challenge: name.to_string(),
            expires_ms: app.clock.now_millis() + i64::from(client.auth_session_validity) * 60_000,
            step,
            data,
        },
    )
    .await?;
    Ok(json!({ "ChallengeName": name, "Session": sealed, "ChallengeParameters": parameters }))
}

/// NEW_PASSWORD_REQUIRED: `userAttributes` and `requiredAttributes` are JSON strings (clients
/// parse both unconditionally, so both are always sent).
pub async fn new_password_required(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
) -> ApiResult<Value> {
    let attrs: BTreeMap<&String, &String> = user.attributes.iter().collect();
    let missing: Vec<String> = pool
        .schema
        .iter()
        .filter(|a| a.required && a.name != "sub" && !user.attributes.contains_key(&a.name))
        .map(|a| format!("userAttributes.{}", a.name))
        .collect();
    let params = json!({
        "USER_ID_FOR_SRP": user.username,
        "userAttributes": serde_json::to_string(&attrs).map_err(crate::Error::from)?,
        "requiredAttributes": serde_json::to_string(&missing).map_err(crate::Error::from)?,
    });
    challenge(
        app,
        client,
        user,
        "NEW_PASSWORD_REQUIRED",
        params,
        Map::new(),
    )
    .await
}

/// RespondToAuthChallenge's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondInput {
    client_id: ClientId,
    challenge_name: String,
    session: Option<String>,
    challenge_responses: Option<Params>,
}

/// AdminRespondToAuthChallenge's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminRespondInput {
    user_pool_id: UserPoolId,
    client_id: ClientId,
    challenge_name: String,
    session: Option<String>,
    challenge_responses: Option<Params>,
}

/// RespondToAuthChallenge.
pub async fn respond_to_auth_challenge(app: &App, input: RespondInput) -> ApiResult<Value> {
    let client = load_client(app, input.client_id.as_str()).await?;
    let pool = load_pool(app, &client.pool_id).await?;
    respond(
        app,
        &pool,
        &client,
        &input.challenge_name,
        input.session.as_deref(),
        &input.challenge_responses,
    )
    .await
}

/// AdminRespondToAuthChallenge.
pub async fn admin_respond_to_auth_challenge(
    app: &App,
    input: AdminRespondInput,
) -> ApiResult<Value> {
    let client =
        load_pool_client(app, input.user_pool_id.as_str(), input.client_id.as_str()).await?;
    let pool = load_pool(app, &client.pool_id).await?;
    respond(
        app,
        &pool,
        &client,
        &input.challenge_name,
        input.session.as_deref(),
        &input.challenge_responses,
    )
    .await
}

async fn respond(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    name: &str,
    session_token: Option<&str>,
    responses: &Option<Params>,
) -> ApiResult<Value> {
    let username = required(responses, "USERNAME")?;
    secret_hash::check(client, username, param(responses, "SECRET_HASH"))?;
    match name {
        "PASSWORD_VERIFIER" => super::srp_auth::respond(app, pool, client, responses).await,
        "SOFTWARE_TOKEN_MFA" => {
            let s = session::open(app, session_token, &client.client_id, name).await?;
            super::mfa::respond_software_token(app, pool, client, s, responses).await
        }
        "MFA_SETUP" => {
            let s = session::open(app, session_token, &client.client_id, name).await?;
            super::mfa::respond_setup(app, pool, client, s).await
        }
        "NEW_PASSWORD_REQUIRED" => {
            let s = session::open(app, session_token, &client.client_id, name).await?;
            let user = load_user(app, pool, &s.username).await?;
            if user.username != s.username && pool.username_key(username) != user.username_key {
                return Err(ApiError::not_authorized("Invalid session for the user."));
            }
            respond_new_password(app, pool, client, user, s.step, responses).await
        }
        "CUSTOM_CHALLENGE" => {
            super::custom_auth::respond(app, pool, client, session_token, responses).await
        }
        "SMS_MFA"
        | "SELECT_MFA_TYPE"
        | "DEVICE_SRP_AUTH"
        | "DEVICE_PASSWORD_VERIFIER"
        | "EMAIL_OTP"
        | "SMS_OTP"
        | "SELECT_CHALLENGE"
        | "ADMIN_NO_SRP_AUTH" => Err(ApiError::invalid(format!(
            "Challenge {name} is not supported by Latchkey yet."
        ))),
        _ => Err(ApiError::constraint(
            "challengeName",
            "Member must satisfy enum value set",
        )),
    }
}

async fn respond_new_password(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    step: Option<u64>,
    responses: &Option<Params>,
) -> ApiResult<Value> {
    if user.status != UserStatus::ForceChangePassword {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    let proposed = Secret::new(required(responses, "NEW_PASSWORD")?.to_string());
    let updates: BTreeMap<String, String> = responses
        .as_ref()
        .map(|r| {
            r.expose()
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("userAttributes.")
                        .map(|n| (n.to_string(), v.clone()))
                })
                .collect()
        })
        .unwrap_or_default();
    schema::validate(pool, &updates, false)?;
    let mut merged = user.attributes.clone();
    merged.extend(updates.clone());
    schema::validate(pool, &schema::without_verified(&merged), true)?;
    let hash = new_password(app, pool, &user, &proposed).await?;
    // A refused password leaves the session for another try; the accepted one spends it.
    let user = modify_user(app, pool, user, |u| {
        session::spend_in(u, step)?;
        u.attributes.extend(updates.clone());
        apply_password(pool, u, hash.clone());
        u.status = UserStatus::Confirmed;
        Ok(())
    })
    .await?;
    let source = TokenSource::NewPasswordChallenge;
    super::mfa::after_first_factor(app, pool, client, user, source).await
}
