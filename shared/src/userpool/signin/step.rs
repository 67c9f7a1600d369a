//! The one sign-in step every flow ends in. A flow proves a first factor (a password, an SRP
//! claim, a custom challenge, a refresh token) and hands the user here:
//! [`first_factor_checked`] applies the user's status and lockout, [`after_first_factor`]
//! decides MFA, and [`complete`] runs PostAuthentication and issues tokens. Challenges are
//! answered through [`challenge`], which seals the state into the `Session`.
//!
//! A sign-in that presents a confirmed device (`DEVICE_KEY`, in a pool that tracks devices)
//! proves it before tokens with DEVICE_SRP_AUTH (answered in `signin::device`, which ends in
//! [`finish`]); a remembered one does so instead of MFA when the pool lets it. A sign-in on
//! no known device is handed a new key (`NewDeviceMetadata`).

pub use super::challenge::{challenge, Challenged};
use super::factors::{self, Next};
use super::outcome::{AuthReply, ChallengeName};
use super::second_factor;
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::triggers::events::post_authentication;
use crate::userpool::devices;
use crate::userpool::directory::modify_user;
use crate::userpool::lockout;
use crate::userpool::model::{
    AppClient, Device, Lockout, NewDeviceMetadata, User, UserPool, UserStatus,
};
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
    // An imported user (RESET_REQUIRED, never given a password) has no password to get
    // wrong: any password is answered with the reset Cognito asks for. The flow already paid
    // for a verification (argon2 against the dummy hash, or the SRP check against a decoy
    // verifier), so this answer takes as long as a wrong password's.
    let ok = ok || awaits_first_password(&user);
    let shown = ok || !client.hides_user_existence();
    let user = admit(app, pool, user, ok, now, ApiError::bad_credentials(), shown).await?;
    // A device key that is not this user's is refused before anything else is asked: the
    // client libraries drop it and sign in again without it.
    devices::presented(app, pool, &user).await?;
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

/// A user imported from a CSV file: RESET_REQUIRED with neither a password hash nor an SRP
/// verifier.
fn awaits_first_password(user: &User) -> bool {
    user.status == UserStatus::ResetRequired && user.password_hash.is_none() && user.srp.is_none()
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
    let now = app.clock.now_millis();
    let user = admit(app, pool, user, ok, now, refusal, true).await?;
    complete(app, pool, client, user, TokenSource::Authentication).await
}

/// What every first factor checks once its proof was weighed (`ok`): an unconfirmed user is
/// refused (when `unconfirmed_shown`; a hidden user's failed proof is refused as any other),
/// a failed proof counts toward lockout and answers `refusal`, a disabled user is refused.
async fn admit(
    app: &Call<'_>,
    pool: &UserPool,
    user: User,
    ok: bool,
    now: i64,
    refusal: ApiError,
    unconfirmed_shown: bool,
) -> ApiResult<User> {
    if user.status == UserStatus::Unconfirmed && unconfirmed_shown {
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
        return Err(refusal);
    }
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    Ok(user)
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
    if devices::suppresses_mfa(pool) {
        let remembered = devices::presented(app, pool, &user)
            .await?
            .filter(|d| d.confirmed() && d.remembered);
        if let Some(device) = remembered {
            return device_challenge(app, client, &user, &device).await;
        }
    }
    match factors::decide(pool, &user) {
        Next::Done => complete(app, pool, client, user, source).await,
        next => second_factor::ask(app, pool, client, &user, next).await,
    }
}

/// After every factor: a confirmed device the sign-in presents proves itself first
/// (DEVICE_SRP_AUTH); else the sign-in ends ([`finish`]).
pub async fn complete(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    source: TokenSource,
) -> ApiResult<AuthReply> {
    let device = devices::presented(app, pool, &user).await?;
    if let Some(d) = device.as_ref().filter(|d| d.confirmed()) {
        return device_challenge(app, client, &user, d).await;
    }
    finish(app, pool, client, user, source, device).await
}

/// DEVICE_SRP_AUTH for `device`: the session remembers which device must answer.
async fn device_challenge(
    app: &Call<'_>,
    client: &AppClient,
    user: &User,
    device: &Device,
) -> ApiResult<AuthReply> {
    let params = BTreeMap::from([("USERNAME".to_string(), user.username.clone())]);
    let mut data = Map::new();
    data.insert("device_key".into(), device.device_key.clone().into());
    let name = ChallengeName::DeviceSrpAuth;
    challenge(app, client, Challenged::User(user), name, params, data).await
}

/// The end of every successful sign-in: a new device key when the sign-in is on no known
/// device (and the pool tracks devices), PostAuthentication (which may still refuse), forget
/// failed attempts, then tokens on the device.
pub async fn finish(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    source: TokenSource,
    device: Option<Device>,
) -> ApiResult<AuthReply> {
    let new_device = match device {
        Some(_) => None,
        None => devices::track_new(app, pool, &user).await?,
    };
    post_authentication(app, pool, &user, new_device.is_some()).await?;
    let user = if user.lockout.failures > 0 {
        modify_user(app, pool, user, |u| {
            u.lockout = Lockout::default();
            Ok(())
        })
        .await?
    } else {
        user
    };
    let key = device.as_ref().or(new_device.as_ref());
    let key = key.map(|d| d.device_key.as_str());
    let mut issued = tokens::issue_on_device(app, pool, client, &user, None, source, key).await?;
    issued.new_device_metadata = new_device.map(|d| NewDeviceMetadata {
        device_key: d.device_key,
        device_group_key: d.group_key,
    });
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
