//! The MFA answers of a sign-in: SOFTWARE_TOKEN_MFA (a TOTP code), SMS_MFA and EMAIL_OTP (a
//! code sent for this sign-in), SELECT_MFA_TYPE (a choice among those), and MFA_SETUP (after a
//! VerifySoftwareToken on the setup session). A TOTP code is accepted once ([`accept_code`]);
//! a sent code is single-use, expires, and burns after five wrong tries.

use super::factors::Factor;
use super::outcome::AuthReply;
use super::outcome::ChallengeName;
use super::params::{required, Params};
use super::second_factor::{ask_factor, code_of, FIRST_FACTOR};
use super::step;
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::Secret;
use crate::userpool::codes;
use crate::userpool::directory::{load_user, modify_user};
use crate::userpool::lockout;
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

/// SMS_MFA (`SMS_MFA_CODE`), SMS_OTP (`SMS_OTP_CODE`) and EMAIL_OTP (`EMAIL_OTP_CODE`): the
/// code sent for this sign-in, as a second factor or (USER_AUTH, the session marked
/// [`FIRST_FACTOR`]) as the first, where a wrong code counts toward lockout like a wrong
/// password and a right one signs in without MFA.
pub async fn respond_code(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
    responses: &Option<Params>,
    factor: Factor,
) -> ApiResult<AuthReply> {
    let (purpose, _) = code_of(factor).ok_or_else(mismatch)?;
    let answer = match s.challenge {
        ChallengeName::SmsMfa => "SMS_MFA_CODE",
        ChallengeName::SmsOtp => "SMS_OTP_CODE",
        _ => "EMAIL_OTP_CODE",
    };
    let code = required(responses, answer)?;
    let refusal = || {
        ApiError::new(
            ErrorKind::CodeMismatch,
            "Invalid code or auth state for the user.",
        )
    };
    let first_factor = s.data.get(FIRST_FACTOR) == Some(&Value::Bool(true));
    if s.step.is_none() {
        // A code "sent" to a name that is no user (PreventUserExistenceErrors): no code exists.
        return Err(refusal());
    }
    let user = load_user(app, pool, &s.username).await?;
    if first_factor {
        lockout::check(&user.lockout, app.clock.now_millis())?;
    }
    match codes::redeem(app, &pool.id, &user.username_key, purpose, code).await {
        Ok(_) => {}
        Err(e) if e.kind == ErrorKind::CodeMismatch && first_factor => {
            return step::passwordless_checked(app, pool, client, user, false, refusal()).await;
        }
        Err(e) if e.kind == ErrorKind::CodeMismatch => return Err(refusal()),
        Err(e) => return Err(e),
    }
    let user = modify_user(app, pool, user, |u| session::spend_in(u, s.step)).await?;
    if first_factor {
        return step::passwordless_checked(app, pool, client, user, true, refusal()).await;
    }
    step::complete(app, pool, client, user, TokenSource::Authentication).await
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
