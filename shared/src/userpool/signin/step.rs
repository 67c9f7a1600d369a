//! The one sign-in step every flow ends in. A flow proves a first factor (a password, an SRP
//! claim, a custom challenge, a refresh token) and hands the user here:
//! [`first_factor_checked`] applies the user's status and lockout, [`after_first_factor`]
//! decides MFA, and [`complete`] runs PostAuthentication and issues tokens. Challenges are
//! answered through [`challenge`], which seals the state into the `Session`.

pub use super::challenge::{challenge, Challenged};
use super::factors::{self, Next};
use super::outcome::{AuthReply, ChallengeName};
use super::second_factor;
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::triggers::events::post_authentication;
use crate::userpool::directory::modify_user;
use crate::userpool::lockout;
use crate::userpool::model::{AppClient, Lockout, User, UserPool, UserStatus};
use crate::userpool::tokens::{self, TokenSource};
use serde_json::Map;
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

/// After a passwordless first factor (a one-time code, a passkey) was checked (`ok`): the
/// user's status and lockout as for a password, then tokens. The factor proved possession of
/// the user's inbox, phone or authenticator, so no second factor is asked (USER_AUTH offers
/// these factors only where the pool does not require MFA), and an account whose password
/// must be reset or replaced may still sign in: the code is how such a user gets back in.
/// `refusal` is the answer to a wrong proof (the factor's own error).
pub async fn passwordless_checked(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    ok: bool,
    refusal: ApiError,
) -> ApiResult<AuthReply> {
    if user.status == UserStatus::Unconfirmed {
        return Err(ApiError::new(
            ErrorKind::UserNotConfirmed,
            "User is not confirmed.",
        ));
    }
    if !ok {
        let now = app.clock.now_millis();
        modify_user(app, pool, user, |u| {
            u.lockout = lockout::after_failure(&u.lockout, now);
            Ok(())
        })
        .await?;
        return Err(refusal);
    }
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    complete(app, pool, client, user, TokenSource::Authentication).await
}

/// After the first factor: the second factor [`factors::decide`] picks (a code challenge, a
/// choice, MFA setup), or tokens.
pub async fn after_first_factor(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    source: TokenSource,
) -> ApiResult<AuthReply> {
    match factors::decide(pool, &user) {
        Next::Done => complete(app, pool, client, user, source).await,
        next => second_factor::ask(app, pool, client, &user, next).await,
    }
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
