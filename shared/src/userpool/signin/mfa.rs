//! The MFA answers of a sign-in: SOFTWARE_TOKEN_MFA (a TOTP code), SMS_MFA and EMAIL_OTP (a
//! code sent for this sign-in), SELECT_MFA_TYPE (a choice among those), and MFA_SETUP (after a
//! VerifySoftwareToken on the setup session). A TOTP code is accepted once ([`accept_code`]);
//! a sent code is single-use, expires, and burns after five wrong tries.

use super::factors::Factor;
use super::outcome::AuthReply;
use super::params::{required, Params};
use super::second_factor::{ask_factor, code_of};
use super::step;
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::Secret;
use crate::userpool::codes;
use crate::userpool::directory::{load_user, modify_user};
use crate::userpool::model::{AppClient, User, UserPool};
use crate::userpool::session::{self, ChallengeSession};
use crate::userpool::tokens::TokenSource;
use crate::userpool::totp;
use crate::App;
use serde_json::Value;

/// The refusal of a wrong TOTP code.
pub fn mismatch() -> ApiError {
    ApiError::new(ErrorKind::CodeMismatch, "Invalid code received for user")
}

/// Accepts a TOTP code once: the step must be newer than the last accepted one. A first
/// accepted code with `secret` registers it.
pub async fn accept_code(
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

/// SOFTWARE_TOKEN_MFA.
pub async fn respond_software_token(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
    responses: &Option<Params>,
) -> ApiResult<AuthReply> {
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
    spend_and_complete(app, pool, client, user, &s).await
}

/// MFA_SETUP: the Session must come from a successful VerifySoftwareToken.
pub async fn respond_setup(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
) -> ApiResult<AuthReply> {
    if s.data.get("verified") != Some(&Value::Bool(true)) {
        return Err(ApiError::invalid(
            "Software token MFA has not been verified for this session.",
        ));
    }
    let user = load_user(app, pool, &s.username).await?;
    spend_and_complete(app, pool, client, user, &s).await
}

/// SMS_MFA (`SMS_MFA_CODE`) and EMAIL_OTP (`EMAIL_OTP_CODE`): the code sent for this sign-in.
pub async fn respond_code(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
    responses: &Option<Params>,
    factor: Factor,
) -> ApiResult<AuthReply> {
    let (purpose, _) = code_of(factor).ok_or_else(mismatch)?;
    let answer = match factor {
        Factor::Sms => "SMS_MFA_CODE",
        _ => "EMAIL_OTP_CODE",
    };
    let code = required(responses, answer)?;
    let user = load_user(app, pool, &s.username).await?;
    codes::redeem(app, &pool.id, &user.username_key, purpose, code)
        .await
        .map_err(|e| {
            if e.kind == ErrorKind::CodeMismatch {
                ApiError::new(
                    ErrorKind::CodeMismatch,
                    "Invalid code or auth state for the user.",
                )
            } else {
                e
            }
        })?;
    spend_and_complete(app, pool, client, user, &s).await
}

/// SELECT_MFA_TYPE: `ANSWER` names one of the offered methods, which is then asked for.
pub async fn respond_select(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
    responses: &Option<Params>,
) -> ApiResult<AuthReply> {
    let answer = required(responses, "ANSWER")?;
    let offered = s
        .data
        .get("choices")
        .and_then(Value::as_str)
        .unwrap_or("[]");
    let offered: Vec<String> = serde_json::from_str(offered).unwrap_or_default();
    let factor = Factor::named(answer)
        .filter(|f| offered.iter().any(|o| o == f.challenge().as_str()))
        .ok_or_else(|| ApiError::invalid(format!("Invalid ANSWER: {answer} was not offered.")))?;
    let user = load_user(app, pool, &s.username).await?;
    let user = modify_user(app, pool, user, |u| session::spend_in(u, s.step)).await?;
    ask_factor(app, pool, client, &user, factor).await
}

/// An accepted answer: spend the challenge's Session (the user's step moves on in the same
/// conditional write), then the sign-in's end.
async fn spend_and_complete(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    s: &ChallengeSession,
) -> ApiResult<AuthReply> {
    let user = modify_user(app, pool, user, |u| session::spend_in(u, s.step)).await?;
    step::complete(app, pool, client, user, TokenSource::Authentication).await
}
