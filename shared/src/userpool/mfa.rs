//! A user's MFA settings: AssociateSoftwareToken, VerifySoftwareToken (TOTP),
//! SetUserMFAPreference and AdminSetUserMFAPreference (TOTP, SMS and email codes). The pool's
//! side is [`super::pool_mfa`]; the sign-in's MFA challenges are in [`super::signin`].

use super::access::authorize_access;
use super::directory::{load_user, modify_user};
use super::model::{User, UserPool};
use super::pool_mfa;
use super::pools::load_pool;
use super::session;
use super::signin::mfa::accept_code;
use super::signin::outcome::ChallengeName;
use super::totp;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{AccessToken, UserPoolId, Username};
use crate::secret::Secret;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// AssociateSoftwareToken / VerifySoftwareToken's identity: an access token or an MFA_SETUP
/// session (exactly one).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateInput {
    access_token: Option<AccessToken>,
    session: Option<String>,
}

/// AssociateSoftwareToken's reply.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateOutput {
    secret_code: Secret<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<String>,
}

/// AssociateSoftwareToken: a new Base32 secret.
pub async fn associate_software_token(
    app: &App,
    input: AssociateInput,
) -> ApiResult<AssociateOutput> {
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
            Ok(AssociateOutput {
                secret_code: Secret::new(secret),
                session: None,
            })
        }
        (None, Some(token)) => {
            let mut s = session::open_any(app, &token, ChallengeName::MfaSetup).await?;
            s.data.insert("secret".into(), Value::from(secret.as_str()));
            let sealed = session::seal(app, &s).await?;
            Ok(AssociateOutput {
                secret_code: Secret::new(secret),
                session: Some(sealed),
            })
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

/// VerifySoftwareToken's reply.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyOutput {
    status: VerifyStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<String>,
}

/// Cognito's `VerifySoftwareTokenResponseType` (a failed code is an error, never `ERROR`).
#[derive(Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VerifyStatus {
    /// The code matched.
    Success,
}

/// VerifySoftwareToken: registers the secret when the code matches.
pub async fn verify_software_token(app: &App, input: VerifyInput) -> ApiResult<VerifyOutput> {
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
            Ok(VerifyOutput {
                status: VerifyStatus::Success,
                session: None,
            })
        }
        (None, Some(token)) => {
            let mut s = session::open_any(app, &token, ChallengeName::MfaSetup).await?;
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
            s.data.insert("verified".into(), Value::Bool(true));
            let sealed = session::seal(app, &s).await?;
            Ok(VerifyOutput {
                status: VerifyStatus::Success,
                session: Some(sealed),
            })
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

/// Set/AdminSetUserMFAPreference's reply (no members).
#[derive(Serialize)]
pub struct PreferenceOutput {}

impl MfaSettings {
    fn turns_on(&self) -> bool {
        self.enabled == Some(true) || self.preferred_mfa == Some(true)
    }
}

/// Applies one method's `{Enabled, PreferredMfa}` to its two flags.
fn apply(s: Option<MfaSettings>, enabled: &mut bool, preferred: &mut bool) {
    let Some(s) = s else { return };
    if let Some(e) = s.enabled {
        *enabled = e;
    }
    if let Some(p) = s.preferred_mfa {
        *preferred = p;
    }
    *preferred &= *enabled;
}

async fn set_preference(
    app: &App,
    pool: &UserPool,
    user: User,
    sms: Option<MfaSettings>,
    totp_pref: Option<MfaSettings>,
    email: Option<MfaSettings>,
) -> ApiResult<PreferenceOutput> {
    for (given, attribute, name) in [
        (sms, "phone_number", "SMS_MFA"),
        (email, "email", "EMAIL_OTP"),
    ] {
        if given.is_some_and(|s| s.turns_on()) && !user.attributes.contains_key(attribute) {
            return Err(ApiError::invalid(format!(
                "User does not have delivery config set to turn on {name}"
            )));
        }
    }
    if email.is_some_and(|s| s.turns_on()) && !pool_mfa::email_allowed(pool) {
        return Err(ApiError::invalid(
            "Email MFA is not enabled for this user pool: set EmailMfaConfiguration with SetUserPoolMfaConfig first.",
        ));
    }
    if totp_pref.is_some_and(|t| t.enabled == Some(true)) && user.mfa.totp_secret.is_none() {
        return Err(ApiError::invalid(
            "User has not verified software token mfa",
        ));
    }
    // At most one method is preferred: naming one preferred clears the others.
    let chosen = [sms, totp_pref, email].map(|s| s.and_then(|s| s.preferred_mfa) == Some(true));
    modify_user(app, pool, user, |u| {
        let m = &mut u.mfa;
        if chosen.iter().any(|c| *c) {
            m.sms_preferred = false;
            m.totp_preferred = false;
            m.email_preferred = false;
        }
        apply(sms, &mut m.sms_enabled, &mut m.sms_preferred);
        apply(totp_pref, &mut m.totp_enabled, &mut m.totp_preferred);
        apply(email, &mut m.email_enabled, &mut m.email_preferred);
        Ok(())
    })
    .await?;
    Ok(PreferenceOutput {})
}

/// SetUserMFAPreference.
pub async fn set_user_mfa_preference(
    app: &App,
    input: PreferenceInput,
) -> ApiResult<PreferenceOutput> {
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
) -> ApiResult<PreferenceOutput> {
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
