//! Usernameless passkey sign-in, a Latchkey extension (Cognito has none; off unless the pool
//! carries the tag [`crate::userpool::passkeys::config::USERNAMELESS_TAG`] = `true`): USER_AUTH
//! with `PREFERRED_CHALLENGE` `WEB_AUTHN` and no `USERNAME` answers WEB_AUTHN with an empty
//! `allowCredentials`, so the authenticator offers its discoverable credentials. The answer names
//! its user by the credential (its id is an alias claim) and the user handle, and is then
//! checked like any passkey answer ([`super::web_authn`]). With no user behind the Session,
//! single use comes from a grant taken once ([`crate::store::GrantStore::take_grant`]).
//! For app clients without a secret (a SECRET_HASH needs the username).

use super::outcome::{AuthReply, ChallengeName, ChallengeParameters};
use super::params::{param, Params};
use super::step::{self, Challenged};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::secret::sha256_hex;
use crate::triggers::events::pre_authentication;
use crate::userpool::directory::modify_user;
use crate::userpool::enums::AuthFactor;
use crate::userpool::lockout;
use crate::userpool::model::{AppClient, GrantRecord, UserPool};
use crate::userpool::passkeys::assertion::{record_use, verify, RP, STATE};
use crate::userpool::passkeys::config::{relying_party, usernameless};
use crate::userpool::passkeys::register::without_nulls;
use crate::userpool::passkeys::{alias, registration_error};
use crate::userpool::session::ChallengeSession;
use serde_json::{Map, Value};
use webauthn_rs_core::proto::PublicKeyCredential;

/// Session data: the handle of the grant that makes the Session answer once.
pub const HANDLE: &str = "webauthn_usernameless";

/// Whether a USER_AUTH request asks for a usernameless passkey sign-in this pool allows.
pub fn wanted(pool: &UserPool, params: &Option<Params>) -> bool {
    param(params, "USERNAME").is_none()
        && param(params, "PREFERRED_CHALLENGE") == Some("WEB_AUTHN")
        && usernameless(pool)
        && pool.allowed_first_factors().contains(&AuthFactor::WebAuthn)
}

/// WEB_AUTHN for whoever holds a discoverable passkey.
pub async fn ask(app: &Call<'_>, pool: &UserPool, client: &AppClient) -> ApiResult<AuthReply> {
    if client.secret.is_some() {
        return Err(ApiError::invalid(
            "Usernameless passkey sign-in is for app clients without a secret.",
        ));
    }
    let rp = relying_party(app, pool).await?;
    let builder = rp
        .core
        .new_challenge_authenticate_builder(Vec::new(), Some(rp.policy))
        .map_err(|e| registration_error(&e))?;
    let (options, state) = rp
        .core
        .generate_challenge_authenticate(builder)
        .map_err(|e| registration_error(&e))?;
    let options = serde_json::to_value(&options.public_key).map_err(crate::Error::from)?;
    let handle = crate::random::url_token(app.random.as_ref(), 32);
    let expires_ms = app.clock.now_millis() + i64::from(client.auth_session_validity) * 60_000;
    app.store
        .put_grant(&GrantRecord {
            handle_hash: sha256_hex(handle.as_bytes()),
            pool_id: pool.id.clone(),
            data: String::new(),
            expires_ms,
        })
        .await?;
    let mut data = Map::new();
    let state = serde_json::to_value(&state).map_err(crate::Error::from)?;
    data.insert(STATE.into(), state);
    data.insert(RP.into(), Value::from(rp.id));
    data.insert(HANDLE.into(), Value::from(handle));
    let params = ChallengeParameters::from([(
        "CREDENTIAL_REQUEST_OPTIONS".to_string(),
        without_nulls(options).to_string(),
    )]);
    let name = ChallengeName::WebAuthn;
    step::challenge(app, client, Challenged::Name(""), name, params, data).await
}

/// The answer: the credential names the user.
pub async fn respond(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
    assertion: &PublicKeyCredential,
) -> ApiResult<AuthReply> {
    let handle = s.data.get(HANDLE).and_then(Value::as_str).unwrap_or("");
    let holder = alias(&assertion.raw_id);
    let Some(user) = app.store.get_user_by_alias(&pool.id, &holder).await? else {
        return Err(ApiError::bad_credentials());
    };
    let now = app.clock.now_millis();
    lockout::check(&user.lockout, now)?;
    pre_authentication(app, pool, &user).await?;
    let rp = relying_party(app, pool).await?;
    let Some(result) = verify(&rp, &s.data, &user, assertion) else {
        return step::passwordless_checked(
            app,
            pool,
            client,
            user,
            false,
            ApiError::bad_credentials(),
        )
        .await;
    };
    let taken = app
        .store
        .take_grant(&sha256_hex(handle.as_bytes()), now)
        .await?;
    if taken.is_none() {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    let user = modify_user(app, pool, user, |u| record_use(u, &result)).await?;
    step::passwordless_checked(app, pool, client, user, true, ApiError::bad_credentials()).await
}
