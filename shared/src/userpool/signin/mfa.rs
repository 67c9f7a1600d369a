//! The MFA answers of a sign-in: SOFTWARE_TOKEN_MFA (a TOTP code) and MFA_SETUP (after a
//! VerifySoftwareToken on the setup session). A TOTP code is accepted once ([`accept_code`]).

use super::outcome::AuthReply;
use super::params::{required, Params};
use super::step;
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::Secret;
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
    let user = modify_user(app, pool, user, |u| session::spend_in(u, s.step)).await?;
    step::complete(app, pool, client, user, TokenSource::Authentication).await
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
    let user = modify_user(app, pool, user, |u| session::spend_in(u, s.step)).await?;
    step::complete(app, pool, client, user, TokenSource::Authentication).await
}
