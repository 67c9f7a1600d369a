//! The one sign-in step every flow ends in. A flow proves a first factor (a password, an SRP
//! claim, a custom challenge, a refresh token) and hands the user here:
//! [`first_factor_checked`] applies the user's status and lockout, [`after_first_factor`]
//! decides MFA, and [`complete`] runs PostAuthentication and issues tokens. Challenges are
//! answered through [`challenge`], which seals the state into the `Session`.

use super::outcome::{AuthReply, ChallengeName, ChallengeParameters};
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::Secret;
use crate::triggers::events::post_authentication;
use crate::userpool::directory::modify_user;
use crate::userpool::enums::MfaConfiguration;
use crate::userpool::lockout;
use crate::userpool::model::{AppClient, Lockout, User, UserPool, UserStatus};
use crate::userpool::session::{self, ChallengeSession};
use crate::userpool::tokens::{self, TokenSource};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// After a first factor was checked (`ok`): unconfirmed and disabled users, lockout on
/// failure, then the status-driven next step (reset, new password, MFA, tokens).
pub async fn first_factor_checked(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    ok: bool,
    now: i64,
) -> ApiResult<AuthReply> {
    if user.status == UserStatus::Unconfirmed && (ok || !client.hides_user_existence()) {
        return Err(ApiError::new(
            ErrorKind::UserNotConfirmed,
            "User is not confirmed.",
        ));
    }
    if !ok {
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
        _ => after_first_factor(app, pool, client, user, TokenSource::Authentication).await,
    }
}

/// After the first factor: a TOTP challenge, MFA setup, or tokens.
pub async fn after_first_factor(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    source: TokenSource,
) -> ApiResult<AuthReply> {
    let has_totp = user.mfa.totp_secret.is_some();
    let wants = match pool.mfa_configuration {
        MfaConfiguration::On => true,
        MfaConfiguration::Optional => has_totp && user.mfa.totp_enabled,
        MfaConfiguration::Off => false,
    };
    if !wants {
        return complete(app, pool, client, user, source).await;
    }
    let (name, params) = if has_totp {
        (ChallengeName::SoftwareTokenMfa, BTreeMap::new())
    } else {
        let can_setup = (
            "MFAS_CAN_SETUP".to_string(),
            "[\"SOFTWARE_TOKEN_MFA\"]".to_string(),
        );
        (ChallengeName::MfaSetup, BTreeMap::from([can_setup]))
    };
    challenge(
        app,
        client,
        Challenged::User(&user),
        name,
        params,
        Map::new(),
    )
    .await
}

/// The end of every successful sign-in: PostAuthentication (which may still refuse), forget
/// failed attempts, then issue tokens.
pub async fn complete(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    source: TokenSource,
) -> ApiResult<AuthReply> {
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
    Ok(AuthReply::tokens(issued))
}

/// Who a challenge is for.
pub enum Challenged<'a> {
    /// A stored user: the answer must spend their current `auth_step` (see
    /// [`session::spend_in`]), so the Session answers once.
    User(&'a User),
    /// A name that may be no user (CUSTOM_AUTH's hidden unknown users): the flow keeps its
    /// own step in the session data.
    Name(&'a str),
}

/// A challenge: a fresh sealed Session that expires with the client's session validity, plus
/// the parameters.
pub async fn challenge(
    app: &Call<'_>,
    client: &AppClient,
    to: Challenged<'_>,
    name: ChallengeName,
    parameters: ChallengeParameters,
    data: Map<String, Value>,
) -> ApiResult<AuthReply> {
    let (username, step) = match to {
        Challenged::User(u) => (u.username.as_str(), Some(u.auth_step)),
        Challenged::Name(n) => (n, None),
    };
    let sealed = session::seal(
        app,
        &ChallengeSession {
            pool_id: client.pool_id.clone(),
            client_id: client.client_id.clone(),
            username: username.to_string(),
            challenge: name,
            expires_ms: app.clock.now_millis() + i64::from(client.auth_session_validity) * 60_000,
            step,
            data,
        },
    )
    .await?;
    Ok(AuthReply::challenge(
        name,
        Some(Secret::new(sealed)),
        parameters,
    ))
}

/// NEW_PASSWORD_REQUIRED: `userAttributes` and `requiredAttributes` are JSON strings (clients
/// parse both unconditionally, so both are always sent).
pub async fn new_password_required(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
) -> ApiResult<AuthReply> {
    let attrs: BTreeMap<&String, &String> = user.attributes.iter().collect();
    let missing: Vec<String> = pool
        .schema
        .iter()
        .filter(|a| a.required && a.name != "sub" && !user.attributes.contains_key(&a.name))
        .map(|a| format!("userAttributes.{}", a.name))
        .collect();
    let params = BTreeMap::from([
        ("USER_ID_FOR_SRP".to_string(), user.username.clone()),
        ("userAttributes".to_string(), json_text(&attrs)?),
        ("requiredAttributes".to_string(), json_text(&missing)?),
    ]);
    let name = ChallengeName::NewPasswordRequired;
    challenge(
        app,
        client,
        Challenged::User(user),
        name,
        params,
        Map::new(),
    )
    .await
}

fn json_text<T: serde::Serialize>(value: &T) -> ApiResult<String> {
    Ok(serde_json::to_string(value).map_err(crate::Error::from)?)
}
