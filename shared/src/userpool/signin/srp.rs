//! USER_SRP_AUTH: InitiateAuth answers PASSWORD_VERIFIER with the server's SRP state sealed
//! (AEAD) in SECRET_BLOCK, so the second step needs no Session and no memory: any instance can
//! check the PASSWORD_CLAIM_SIGNATURE. Unknown users (PreventUserExistenceErrors=ENABLED) get a
//! deterministic believable challenge and then the same refusal as a wrong password.

use super::outcome::{AuthReply, ChallengeName};
use super::params::{self, required, Params};
use super::step;
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::userpool::credentials::srp_pool_name;
use crate::userpool::directory::{find_user, modify_user};
use crate::userpool::model::{AppClient, UserPool};
use crate::userpool::srp::{self, SrpVerifier};
use crate::userpool::{lockout, sealed, session, unknown_lockout};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long a SECRET_BLOCK may be answered.
const BLOCK_TTL_MS: i64 = 5 * 60 * 1000;
/// How far the client's TIMESTAMP may be from the server's clock (either way).
const TIMESTAMP_SKEW_SECS: i64 = 5 * 60;

/// The server's half of an SRP exchange, sealed into SECRET_BLOCK.
#[derive(Serialize, Deserialize)]
struct SrpState {
    pool_id: String,
    client_id: String,
    user_id: String,
    username_key: Option<String>,
    srp_a: String,
    b_hex: String,
    big_b: String,
    expires_ms: i64,
    /// The user's `auth_step` at issue: answering spends it, so a block answers once.
    #[serde(default)]
    step: Option<u64>,
    /// The name an unknown user signed in with (its failures lock it out like a user's).
    #[serde(default)]
    unknown_name: Option<String>,
}

fn verifier_for(
    key: &[u8],
    pool: &UserPool,
    user_id: &str,
    stored: Option<&SrpVerifier>,
) -> SrpVerifier {
    stored
        .cloned()
        .unwrap_or_else(|| srp::fake_verifier(key, &pool.id, user_id))
}

/// InitiateAuth USER_SRP_AUTH: the PASSWORD_VERIFIER challenge.
pub async fn start(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    params: &Option<Params>,
) -> ApiResult<AuthReply> {
    let username = params::username(client, params)?;
    let srp_a = required(params, "SRP_A")?;
    srp::check_a(srp_a).map_err(|_| ApiError::invalid("SRP_A is not valid."))?;
    let key = app.session_key().await?;
    let user = find_user(app, pool, username).await?;
    let step = user.as_ref().map(|u| u.auth_step);
    let (user_id, username_key, verifier) = match &user {
        Some(u) => {
            lockout::check(&u.lockout, app.clock.now_millis())?;
            crate::triggers::events::pre_authentication(app, pool, u).await?;
            (
                u.username.clone(),
                Some(u.username_key.clone()),
                verifier_for(&key, pool, &u.username, u.srp.as_ref()),
            )
        }
        None if client.hides_user_existence() => {
            unknown_lockout::check(app, pool, username).await?;
            let id = srp::fake_user_id(&key, &pool.id, &pool.username_key(username));
            (id.clone(), None, srp::fake_verifier(&key, &pool.id, &id))
        }
        None => return Err(ApiError::user_not_found()),
    };
    let challenge = srp::server_challenge(&verifier, app.random.as_ref());
    let state = SrpState {
        pool_id: pool.id.clone(),
        client_id: client.client_id.clone(),
        user_id: user_id.clone(),
        username_key,
        srp_a: srp_a.to_string(),
        b_hex: hex::encode(challenge.b.expose()),
        big_b: challenge.big_b_hex.clone(),
        expires_ms: app.clock.now_millis() + BLOCK_TTL_MS,
        step,
        unknown_name: user.is_none().then(|| username.to_string()),
    };
    let plain = serde_json::to_vec(&state).map_err(crate::Error::from)?;
    let block = sealed::seal(&key, &plain, app.random.as_ref());
    let parameters = BTreeMap::from([
        ("SALT".to_string(), verifier.salt_hex),
        ("SRP_B".to_string(), challenge.big_b_hex),
        ("SECRET_BLOCK".to_string(), block),
        ("USER_ID_FOR_SRP".to_string(), user_id.clone()),
        ("USERNAME".to_string(), user_id),
    ]);
    // No Session: the sealed SECRET_BLOCK is the state.
    let name = ChallengeName::PasswordVerifier;
    Ok(AuthReply::challenge(name, None, parameters))
}

/// RespondToAuthChallenge PASSWORD_VERIFIER: verify the claim, then continue as a password
/// sign-in would (status checks, lockout, MFA, tokens).
pub async fn respond(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    responses: &Option<Params>,
) -> ApiResult<AuthReply> {
    let block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = required(responses, "TIMESTAMP")?;
    let key = app.session_key().await?;
    let now = app.clock.now_millis();
    let state: SrpState = sealed::open(&key, block)
        .and_then(|p| serde_json::from_slice(&p).ok())
        .filter(|s: &SrpState| s.client_id == client.client_id && s.pool_id == pool.id)
        .ok_or_else(|| ApiError::not_authorized("Invalid session for the user."))?;
    if now >= state.expires_ms {
        return Err(ApiError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    let Some(sent_at) = srp::parse_cognito_timestamp(timestamp) else {
        return Err(ApiError::invalid(
            "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.",
        ));
    };
    if (sent_at - now.div_euclid(1000)).abs() > TIMESTAMP_SKEW_SECS {
        return Err(ApiError::not_authorized(
            "TIMESTAMP is too far from the server's time.",
        ));
    }
    let user = match &state.username_key {
        Some(k) => app.store.get_user(&pool.id, k).await?,
        None => None,
    };
    if let Some(u) = &user {
        lockout::check(&u.lockout, now)?;
    }
    let verifier = verifier_for(
        &key,
        pool,
        &state.user_id,
        user.as_ref().and_then(|u| u.srp.as_ref()),
    );
    let b = hex::decode(&state.b_hex).unwrap_or_default();
    let ok = srp::verify_claim(
        srp_pool_name(pool),
        &state.user_id,
        &verifier,
        &state.srp_a,
        &b,
        &state.big_b,
        block,
        timestamp,
        signature,
    );
    let user = match user {
        Some(u) => {
            // A right claim with a DEVICE_KEY the user does not have is refused before the
            // block is spent: amazon-cognito-identity-js drops the key and answers again with
            // the same block. (Only after the claim, so the refusal says nothing about
            // whether the name is a user.)
            if ok {
                crate::userpool::devices::presented(app, pool, &u).await?;
            }
            // Spent before the outcome is told: a block answers once, right or wrong.
            Some(modify_user(app, pool, u, |u| session::spend_in(u, state.step)).await?)
        }
        None => None,
    };
    let Some(user) = user else {
        // Unknown names lock out like users (the block names the user it was issued for).
        if let Some(name) = &state.unknown_name {
            unknown_lockout::record_failure(app, pool, name).await?;
        }
        return Err(ApiError::bad_credentials());
    };
    step::first_factor_checked(app, pool, client, user, ok, now).await
}
