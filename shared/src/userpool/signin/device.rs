//! The device flow: a remembered device proves itself with SRP (cognito-wire.md §4.6, the
//! same math with the DeviceGroupKey as the pool name and the DeviceKey as the user, against
//! the verifier ConfirmDevice stored). DEVICE_SRP_AUTH (`USERNAME`, `DEVICE_KEY`, `SRP_A`)
//! answers with DEVICE_PASSWORD_VERIFIER (`SRP_B`, `SALT`, `SECRET_BLOCK`), whose answer
//! (`PASSWORD_CLAIM_SIGNATURE`, `PASSWORD_CLAIM_SECRET_BLOCK`, `TIMESTAMP`, `DEVICE_KEY`)
//! ends the sign-in in [`step::finish`] with no MFA. The server's SRP state rides in the
//! sealed Session; each Session answers once, and a wrong proof counts as a failed sign-in.

use super::outcome::{AuthReply, ChallengeName};
use super::params::{required, Params};
use super::step::{self, challenge, Challenged};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::secret::constant_time_eq;
use crate::userpool::devices;
use crate::userpool::directory::{load_user, modify_user};
use crate::userpool::lockout;
use crate::userpool::model::{AppClient, UserPool};
use crate::userpool::session::{self, ChallengeSession};
use crate::userpool::srp;
use crate::userpool::tokens::TokenSource;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// How far the client's TIMESTAMP may be from the server's clock (either way).
const TIMESTAMP_SKEW_SECS: i64 = 5 * 60;
/// Random bytes of a SECRET_BLOCK (opaque to clients; they sign and echo it).
const BLOCK_BYTES: usize = 32;

fn text<'a>(s: &'a ChallengeSession, name: &str) -> Option<&'a str> {
    s.data.get(name).and_then(Value::as_str)
}

/// The session's device, which the answer must name.
fn session_device<'a>(s: &'a ChallengeSession, responses: &Option<Params>) -> ApiResult<&'a str> {
    let key = text(s, "device_key")
        .ok_or_else(|| ApiError::not_authorized("Invalid session for the user."))?;
    if required(responses, "DEVICE_KEY")? != key {
        return Err(devices::not_found());
    }
    Ok(key)
}

/// DEVICE_SRP_AUTH: the device's SRP_A; answers DEVICE_PASSWORD_VERIFIER.
pub async fn respond_srp_auth(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
    responses: &Option<Params>,
) -> ApiResult<AuthReply> {
    let key = session_device(&s, responses)?;
    let srp_a = required(responses, "SRP_A")?;
    srp::check_a(srp_a).map_err(|_| ApiError::invalid("SRP_A is not valid."))?;
    let user = load_user(app, pool, &s.username).await?;
    let device = devices::load(app, pool, &user, key).await?;
    let verifier = device.verifier.clone().ok_or_else(devices::not_found)?;
    // This Session is spent; the next step gets its own.
    let user = modify_user(app, pool, user, |u| session::spend_in(u, s.step)).await?;
    let server = srp::server_challenge(&verifier, app.random.as_ref());
    let mut block = [0u8; BLOCK_BYTES];
    app.random.fill(&mut block);
    let block = STANDARD.encode(block);
    let mut data = Map::new();
    for (name, value) in [
        ("device_key", key),
        ("srp_a", srp_a),
        ("b", &hex::encode(server.b.expose())),
        ("big_b", &server.big_b_hex),
        ("block", &block),
    ] {
        data.insert(name.into(), Value::from(value));
    }
    let params = BTreeMap::from([
        ("SRP_B".to_string(), server.big_b_hex.clone()),
        ("SALT".to_string(), verifier.salt_hex),
        ("SECRET_BLOCK".to_string(), block),
        ("USERNAME".to_string(), user.username.clone()),
        ("DEVICE_KEY".to_string(), key.to_string()),
    ]);
    let name = ChallengeName::DevicePasswordVerifier;
    challenge(app, client, Challenged::User(&user), name, params, data).await
}

/// DEVICE_PASSWORD_VERIFIER: checks the device's claim; tokens on the device, no MFA.
pub async fn respond_verifier(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
    responses: &Option<Params>,
) -> ApiResult<AuthReply> {
    let key = session_device(&s, responses)?;
    let claimed_block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = required(responses, "TIMESTAMP")?;
    let now = app.clock.now_millis();
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
    let user = load_user(app, pool, &s.username).await?;
    lockout::check(&user.lockout, now)?;
    // Spent before the claim is checked: a Session answers once, right or wrong.
    let user = modify_user(app, pool, user, |u| session::spend_in(u, s.step)).await?;
    let device = devices::load(app, pool, &user, key).await?;
    let verifier = device.verifier.clone().ok_or_else(devices::not_found)?;
    let state = |name: &str| text(&s, name).unwrap_or_default();
    let block_ok = constant_time_eq(state("block").as_bytes(), claimed_block.as_bytes());
    let b = hex::decode(state("b")).unwrap_or_default();
    let ok = block_ok
        && srp::verify_claim(
            &device.group_key,
            &device.device_key,
            &verifier,
            state("srp_a"),
            &b,
            state("big_b"),
            claimed_block,
            timestamp,
            signature,
        );
    if !ok {
        modify_user(app, pool, user, |u| {
            u.lockout = lockout::after_failure(&u.lockout, now);
            Ok(())
        })
        .await?;
        return Err(ApiError::bad_credentials());
    }
    // A concurrent change of the device (UpdateDeviceStatus) wins over the timestamp.
    let device = match devices::modify(app, device.clone(), |d| {
        d.last_authenticated_ms = Some(now);
    })
    .await
    {
        Ok(updated) => updated,
        Err(crate::store::StoreError::Conflict) => device,
        Err(e) => return Err(e.into()),
    };
    let source = TokenSource::AuthenticateDevice;
    step::finish(app, pool, client, user, source, Some(device)).await
}
