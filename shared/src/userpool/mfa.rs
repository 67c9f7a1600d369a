//! TOTP MFA: the sign-in step after the password (SOFTWARE_TOKEN_MFA, MFA_SETUP), and the
//! operations AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
//! AdminSetUserMFAPreference. SMS and email MFA need a sender Latchkey does not have yet.

use super::challenges::{challenge, complete_sign_in, required, Params};
use super::model::{AppClient, User, UserPool};
use super::pools::load_pool;
use super::session::{self, ChallengeSession};
use super::tokens::{authorize_access, TokenSource};
use super::totp;
use super::users::{load_user, modify_user};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{AccessToken, UserPoolId, Username};
use crate::secret::Secret;
use crate::App;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// After the first factor: a TOTP challenge, MFA setup, or tokens.
pub async fn after_first_factor(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    source: TokenSource,
) -> ApiResult<Value> {
    let has_totp = user.mfa.totp_secret.is_some();
    let wants = match pool.mfa_configuration.as_str() {
        "ON" => true,
        "OPTIONAL" => has_totp && user.mfa.totp_enabled,
        _ => false,
    };
    if !wants {
        return complete_sign_in(app, pool, client, user, source).await;
    }
    if has_totp {
        return challenge(
            app,
            client,
            &user,
            "SOFTWARE_TOKEN_MFA",
            json!({}),
            Map::new(),
        )
        .await;
    }
    let params = json!({ "MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]" });
    challenge(app, client, &user, "MFA_SETUP", params, Map::new()).await
}

fn mismatch() -> ApiError {
    ApiError::new(ErrorKind::CodeMismatch, "Invalid code received for user")
}

/// Accepts a TOTP code once: the step must be newer than the last accepted one.
async fn accept_code(
    app: &App,
    pool: &UserPool,
    user: User,
    secret: &Secret<String>,
    code: &str,
) -> ApiResult<User> {
    let step = totp::verify(secret.expose(), code, app.clock.now_secs()).ok_or_else(mismatch)?;
    let secret = secret.clone();
    modify_user(app, pool, user, |u| {
        if step <= u.mfa.last_totp_step {
            return Err(mismatch());
        }
        u.mfa.last_totp_step = step;
        if u.mfa.totp_secret.is_none() {
            u.mfa.totp_secret = Some(secret.clone());
            u.mfa.totp_enabled = true;
            u.mfa.totp_preferred = true;
        }
        Ok(())
    })
    .await
}

/// RespondToAuthChallenge SOFTWARE_TOKEN_MFA.
pub async fn respond_software_token(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
    responses: &Option<Params>,
) -> ApiResult<Value> {
    let code = required(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
    let user = load_user(app, pool, &s.username).await?;
    let secret = user.mfa.totp_secret.clone().ok_or_else(|| {
        ApiError::new(
            ErrorKind::SoftwareTokenMfaNotFound,
            "Software token MFA is not set up for the user.",
        )
    })?;
    let user = accept_code(app, pool, user, &secret, code).await?;
    // A wrong code leaves the session usable for another try (as Cognito's does); an accepted
    // one spends it.
    let user = modify_user(app, pool, user, |u| session::spend_in(u, s.step)).await?;
    complete_sign_in(app, pool, client, user, TokenSource::Authentication).await
}

/// RespondToAuthChallenge MFA_SETUP: the Session must come from a successful
/// VerifySoftwareToken.
pub async fn respond_setup(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
) -> ApiResult<Value> {
    if s.data.get("verified") != Some(&json!(true)) {
        return Err(ApiError::invalid(
            "Software token MFA has not been verified for this session.",
        ));
    }
    let user = load_user(app, pool, &s.username).await?;
    let user = modify_user(app, pool, user, |u| session::spend_in(u, s.step)).await?;
    complete_sign_in(app, pool, client, user, TokenSource::Authentication).await
}

/// AssociateSoftwareToken / VerifySoftwareToken's identity: an access token or an MFA_SETUP
/// session (exactly one).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateInput {
    access_token: Option<AccessToken>,
    session: Option<String>,
}

/// AssociateSoftwareToken: a new Base32 secret.
pub async fn associate_software_token(app: &App, input: AssociateInput) -> ApiResult<Value> {
    let secret = totp::new_secret(app.random.as_ref());
    match (input.access_token, input.session) {
        (Some(token), None) => {
            let ctx = authorize_access(app, token.expose()).await?;
            let pending = Secret::new(secret.clone());
            modify_user(app, &ctx.pool, ctx.user, |u| {
                u.mfa.pending_totp_secret = Some(pending.clone());
                Ok(())
            })
            .await?;
            Ok(json!({ "SecretCode": secret }))
        }
        (None, Some(token)) => {
            let mut s = session::open_any(app, &token, "MFA_SETUP").await?;
            s.data.insert("secret".into(), json!(secret));
            let sealed = session::seal(app, &s).await?;
            Ok(json!({ "SecretCode": secret, "Session": sealed }))
        }
        _ => Err(ApiError::invalid(
            "Exactly one of AccessToken and Session must be given.",
        )),
    }
}

/// VerifySoftwareToken's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyInput {
    access_token: Option<AccessToken>,
    session: Option<String>,
    user_code: Secret<String>,
}

fn enable_failed() -> ApiError {
    ApiError::new(
        ErrorKind::EnableSoftwareTokenMfa,
        "Code mismatch and fail enable Software Token MFA",
    )
}

/// VerifySoftwareToken: registers the secret when the code matches.
pub async fn verify_software_token(app: &App, input: VerifyInput) -> ApiResult<Value> {
    let code = input.user_code.expose().as_str();
    match (input.access_token, input.session) {
        (Some(token), None) => {
            let ctx = authorize_access(app, token.expose()).await?;
            let secret = ctx.user.mfa.pending_totp_secret.clone().ok_or_else(|| {
                ApiError::new(ErrorKind::SoftwareTokenMfaNotFound, "Software token MFA has not been associated; call AssociateSoftwareToken first.")
            })?;
            let step = totp::verify(secret.expose(), code, app.clock.now_secs())
                .ok_or_else(enable_failed)?;
            modify_user(app, &ctx.pool, ctx.user, |u| {
                u.mfa.totp_secret = Some(secret.clone());
                u.mfa.pending_totp_secret = None;
                u.mfa.last_totp_step = step;
                Ok(())
            })
            .await?;
            Ok(json!({ "Status": "SUCCESS" }))
        }
        (None, Some(token)) => {
            let mut s = session::open_any(app, &token, "MFA_SETUP").await?;
            let secret = s
                .data
                .get("secret")
                .and_then(Value::as_str)
                .map(|v| Secret::new(v.to_string()));
            let secret = secret.ok_or_else(|| {
                ApiError::invalid("Call AssociateSoftwareToken with this Session first.")
            })?;
            let pool = load_pool(app, &s.pool_id).await?;
            let user = load_user(app, &pool, &s.username).await?;
            accept_code(app, &pool, user, &secret, code)
                .await
                .map_err(|_| enable_failed())?;
            s.data.remove("secret");
            s.data.insert("verified".into(), json!(true));
            let sealed = session::seal(app, &s).await?;
            Ok(json!({ "Status": "SUCCESS", "Session": sealed }))
        }
        _ => Err(ApiError::invalid(
            "Exactly one of AccessToken and Session must be given.",
        )),
    }
}

/// `{Enabled, PreferredMfa}`.
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSettings {
    enabled: Option<bool>,
    preferred_mfa: Option<bool>,
}

/// SetUserMFAPreference's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PreferenceInput {
    access_token: AccessToken,
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<MfaSettings>,
    software_token_mfa_settings: Option<MfaSettings>,
    email_mfa_settings: Option<MfaSettings>,
}

/// AdminSetUserMFAPreference's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminPreferenceInput {
    user_pool_id: UserPoolId,
    username: Username,
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<MfaSettings>,
    software_token_mfa_settings: Option<MfaSettings>,
    email_mfa_settings: Option<MfaSettings>,
}

async fn set_preference(
    app: &App,
    pool: &UserPool,
    user: User,
    sms: Option<MfaSettings>,
    totp_pref: Option<MfaSettings>,
    email: Option<MfaSettings>,
) -> ApiResult<Value> {
    for (name, s) in [("SMS", sms), ("Email", email)] {
        if s.is_some_and(|s| s.enabled == Some(true) || s.preferred_mfa == Some(true)) {
            return Err(ApiError::invalid(format!(
                "{name} MFA is not configured: Latchkey has no {name} sender yet."
            )));
        }
    }
    let Some(t) = totp_pref else {
        return Ok(json!({}));
    };
    if t.enabled == Some(true) && user.mfa.totp_secret.is_none() {
        return Err(ApiError::invalid(
            "User has not verified software token mfa",
        ));
    }
    modify_user(app, pool, user, |u| {
        if let Some(e) = t.enabled {
            u.mfa.totp_enabled = e;
        }
        if let Some(p) = t.preferred_mfa {
            u.mfa.totp_preferred = p && u.mfa.totp_enabled;
        }
        if !u.mfa.totp_enabled {
            u.mfa.totp_preferred = false;
        }
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// SetUserMFAPreference.
pub async fn set_user_mfa_preference(app: &App, input: PreferenceInput) -> ApiResult<Value> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    set_preference(
        app,
        &ctx.pool,
        ctx.user,
        input.sms_mfa_settings,
        input.software_token_mfa_settings,
        input.email_mfa_settings,
    )
    .await
}

/// AdminSetUserMFAPreference.
pub async fn admin_set_user_mfa_preference(
    app: &App,
    input: AdminPreferenceInput,
) -> ApiResult<Value> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    set_preference(
        app,
        &pool,
        user,
        input.sms_mfa_settings,
        input.software_token_mfa_settings,
        input.email_mfa_settings,
    )
    .await
}

/// `UserMFASettingList` and `PreferredMfaSetting` for GetUser / AdminGetUser.
pub fn describe(user: &User) -> super::shapes::MfaSettings {
    use super::enums::UserMfaSetting::SoftwareTokenMfa;
    super::shapes::MfaSettings {
        setting_list: if user.mfa.totp_enabled {
            vec![SoftwareTokenMfa]
        } else {
            Vec::new()
        },
        preferred: user.mfa.totp_preferred.then_some(SoftwareTokenMfa),
    }
}

/// GetUserPoolMfaConfig's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolMfaInput {
    user_pool_id: UserPoolId,
}

fn software_token_enabled(pool: &UserPool) -> bool {
    pool.passthrough
        .get("SoftwareTokenMfaConfiguration")
        .and_then(|c| c.get("Enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(pool.mfa_configuration != "OFF")
}

fn pool_mfa_json(pool: &UserPool) -> Value {
    json!({
        "MfaConfiguration": pool.mfa_configuration,
        "SoftwareTokenMfaConfiguration": { "Enabled": software_token_enabled(pool) },
    })
}

/// GetUserPoolMfaConfig.
pub async fn get_user_pool_mfa_config(app: &App, input: PoolMfaInput) -> ApiResult<Value> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    Ok(pool_mfa_json(&pool))
}

/// SetUserPoolMfaConfig's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetPoolMfaInput {
    user_pool_id: UserPoolId,
    #[serde(rename = "SmsMfaConfiguration")]
    sms_mfa_configuration: Option<Value>,
    software_token_mfa_configuration: Option<Value>,
    email_mfa_configuration: Option<Value>,
    mfa_configuration: Option<String>,
}

/// SetUserPoolMfaConfig: OFF, ON or OPTIONAL with software tokens; SMS and email MFA need a
/// sender Latchkey does not have.
pub async fn set_user_pool_mfa_config(app: &App, input: SetPoolMfaInput) -> ApiResult<Value> {
    for (name, given) in [
        ("SMS", &input.sms_mfa_configuration),
        ("Email", &input.email_mfa_configuration),
    ] {
        if given.is_some() {
            return Err(ApiError::invalid(format!(
                "{name} MFA is not configured: Latchkey has no {name} sender yet."
            )));
        }
    }
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let mut updated = (*pool).clone();
    if let Some(m) = input.mfa_configuration {
        updated.mfa_configuration = super::pools::check_enum(
            "mfaConfiguration",
            Some(m),
            &["OFF", "ON", "OPTIONAL"],
            "OFF",
        )?;
    }
    if let Some(cfg) = input.software_token_mfa_configuration {
        let enabled = cfg.get("Enabled").and_then(Value::as_bool).unwrap_or(false);
        updated.passthrough.insert(
            "SoftwareTokenMfaConfiguration".into(),
            json!({ "Enabled": enabled }),
        );
    }
    if updated.mfa_configuration != "OFF" && !software_token_enabled(&updated) {
        return Err(ApiError::invalid(
            "At least one MFA method must be enabled when MFA is ON or OPTIONAL: enable SoftwareTokenMfaConfiguration.",
        ));
    }
    updated.modified_ms = app.clock.now_millis();
    app.store.update_pool(&updated).await?;
    app.configs.forget_pool(&updated.id);
    Ok(pool_mfa_json(&updated))
}
