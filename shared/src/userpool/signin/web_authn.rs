//! The passkey flow: the WEB_AUTHN challenge. [`ask`] issues it with
//! `CREDENTIAL_REQUEST_OPTIONS` (PublicKeyCredentialRequestOptionsJSON as a JSON string: a fresh
//! challenge, the pool's relying party id, the user's passkeys as `allowCredentials`, the
//! pool's user verification) and seals the ceremony's state into the Session, which answers
//! once. [`respond`] verifies `CREDENTIAL` (the assertion as a JSON string): signature, origin,
//! relying party, challenge, that the passkey is this user's, user verification, and a sign
//! counter that moved on (a counter that went back means a cloned authenticator). A wrong
//! assertion counts toward lockout like a wrong password; both end in the sign-in step's
//! passwordless end ([`step::passwordless_checked`]: no MFA after a passkey, as after a code).

use super::outcome::{AuthReply, ChallengeName, ChallengeParameters};
use super::params::{self, required, Params};
use super::passkey_usernameless as usernameless;
use super::step::{self, Challenged};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::triggers::events::pre_authentication;
use crate::userpool::directory::{load_user, modify_user};
use crate::userpool::model::{AppClient, User, UserPool};
use crate::userpool::passkeys::assertion::{record_use, verify, RP, STATE};
use crate::userpool::passkeys::b64;
use crate::userpool::passkeys::config::relying_party;
use crate::userpool::passkeys::config::CEREMONY_TIMEOUT;
use crate::userpool::passkeys::registration_error;
use crate::userpool::session::{self, ChallengeSession};
use crate::userpool::{lockout, unknown_lockout};
use serde::Serialize;
use serde_json::{Map, Value};
use webauthn_rs_core::proto::{PublicKeyCredential, UserVerificationPolicy};

/// Whether the user can be asked for a passkey.
pub fn available(user: &User) -> bool {
    !user.passkeys.is_empty()
}

/// PublicKeyCredentialRequestOptionsJSON, for a decoy.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestOptions {
    challenge: String,
    timeout: u64,
    rp_id: String,
    allow_credentials: Vec<Descriptor>,
    user_verification: UserVerificationPolicy,
}

/// PublicKeyCredentialDescriptorJSON.
#[derive(Serialize)]
struct Descriptor {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
}

/// WEB_AUTHN for a name that is no user, with PreventUserExistenceErrors: options like a
/// user's, naming a decoy credential id that is the same on every ask for this name (derived
/// from the deployment's session key), so the reply tells nothing; every answer is refused.
pub async fn ask_unknown(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    username: &str,
) -> ApiResult<AuthReply> {
    let rp = relying_party(app, pool).await?;
    let key = app.session_key().await?;
    let seed = format!("{}|{}|{}", b64(&key), pool.id, pool.username_key(username));
    let decoy = crate::secret::sha256_hex(seed.as_bytes());
    let mut challenge = [0u8; 32];
    app.random.fill(&mut challenge);
    let options = RequestOptions {
        challenge: b64(&challenge),
        timeout: CEREMONY_TIMEOUT.as_millis() as u64,
        rp_id: rp.id,
        allow_credentials: vec![Descriptor {
            kind: "public-key",
            id: b64(&hex::decode(&decoy).unwrap_or_default()),
        }],
        user_verification: rp.policy,
    };
    let options = serde_json::to_string(&options).map_err(crate::Error::from)?;
    let params = ChallengeParameters::from([
        (
            "CREDENTIAL_REQUEST_OPTIONS".to_string(),
            options.to_string(),
        ),
        ("USERNAME".to_string(), username.to_string()),
    ]);
    let to = Challenged::Name(username);
    step::challenge(app, client, to, ChallengeName::WebAuthn, params, Map::new()).await
}

/// Issues WEB_AUTHN to `user` (known, not locked out; PreAuthentication runs first).
pub async fn ask(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
) -> ApiResult<AuthReply> {
    if !available(user) {
        return Err(ApiError::invalid("The user has no passkey registered."));
    }
    lockout::check(&user.lockout, app.clock.now_millis())?;
    pre_authentication(app, pool, user).await?;
    let rp = relying_party(app, pool).await?;
    let creds = user.passkeys.iter().map(|p| p.credential.clone()).collect();
    let builder = rp
        .core
        .new_challenge_authenticate_builder(creds, Some(rp.policy))
        .map_err(|e| registration_error(&e))?;
    let (options, state) = rp
        .core
        .generate_challenge_authenticate(builder)
        .map_err(|e| registration_error(&e))?;
    let options = crate::userpool::passkeys::register::without_nulls(
        serde_json::to_value(&options.public_key).map_err(crate::Error::from)?,
    );
    let mut data = Map::new();
    data.insert(
        STATE.into(),
        serde_json::to_value(&state).map_err(crate::Error::from)?,
    );
    data.insert(RP.into(), Value::from(rp.id));
    let params = ChallengeParameters::from([
        (
            "CREDENTIAL_REQUEST_OPTIONS".to_string(),
            options.to_string(),
        ),
        ("USERNAME".to_string(), user.username.clone()),
    ]);
    let name = ChallengeName::WebAuthn;
    step::challenge(app, client, Challenged::User(user), name, params, data).await
}

/// Answers WEB_AUTHN with `CREDENTIAL`.
pub async fn respond(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
    responses: &Option<Params>,
) -> ApiResult<AuthReply> {
    let assertion: PublicKeyCredential = serde_json::from_str(required(responses, "CREDENTIAL")?)
        .map_err(|_| crate::userpool::passkeys::malformed())?;
    if s.data.contains_key(usernameless::HANDLE) {
        return usernameless::respond(app, pool, client, s, &assertion).await;
    }
    params::username(client, responses)?;
    if s.step.is_none() {
        // A decoy challenge of a name that is no user (see [`ask_unknown`]).
        unknown_lockout::record_failure(app, pool, &s.username).await?;
        return Err(ApiError::bad_credentials());
    }
    let user = load_user(app, pool, &s.username).await?;
    // A spent Session is refused before anything is counted against the user.
    if s.step != Some(user.auth_step) {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    let now = app.clock.now_millis();
    lockout::check(&user.lockout, now)?;
    let rp = relying_party(app, pool).await?;
    let verified = verify(&rp, &s.data, &user, &assertion);
    let Some(result) = verified else {
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
    let step_issued = s.step;
    let user = modify_user(app, pool, user, |u| {
        session::spend_in(u, step_issued)?;
        record_use(u, &result)
    })
    .await?;
    step::passwordless_checked(app, pool, client, user, true, ApiError::bad_credentials()).await
}
