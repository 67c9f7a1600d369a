//! Challenge sessions: the `Session` string a client carries between InitiateAuth and
//! RespondToAuthChallenge. It is sealed (AEAD) with the deployment's session key and carries
//! its own expiry, so nothing is kept in memory and any instance can continue a sign-in.

use super::model::User;
use super::sealed;
use super::signin::outcome::ChallengeName;
use crate::error::{ApiError, ApiResult};
use crate::App;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a session remembers between steps.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChallengeSession {
    /// Pool.
    pub pool_id: String,
    /// The client that started the sign-in.
    pub client_id: String,
    /// The internal username.
    pub username: String,
    /// The challenge this session answers.
    pub challenge: ChallengeName,
    /// Expiry, epoch ms (the client's AuthSessionValidity).
    pub expires_ms: i64,
    /// The user's `auth_step` when the session was issued (see [`spend_in`]); None for
    /// sessions that track their own step (CUSTOM_AUTH).
    #[serde(default)]
    pub step: Option<u64>,
    /// Step-specific state.
    #[serde(default)]
    pub data: Map<String, Value>,
}

/// Seals `value` as JSON with the deployment's session key: state a client carries, or a
/// store holds, that only this deployment can read or forge (sessions, OAuth grants).
pub async fn seal_json<T: Serialize>(app: &App, value: &T) -> ApiResult<String> {
    let key = app.session_key().await?;
    let plain = serde_json::to_vec(value).map_err(crate::Error::from)?;
    Ok(sealed::seal(&key, &plain, app.random.as_ref()))
}

/// Opens what [`seal_json`] sealed: `None` when this deployment did not seal it, or it is
/// not a `T`.
pub async fn open_json<T: DeserializeOwned>(app: &App, text: &str) -> ApiResult<Option<T>> {
    let key = app.session_key().await?;
    Ok(sealed::open(&key, text).and_then(|plain| serde_json::from_slice(&plain).ok()))
}

/// Seals a session for the client.
pub async fn seal(app: &App, session: &ChallengeSession) -> ApiResult<String> {
    seal_json(app, session).await
}

fn invalid() -> ApiError {
    ApiError::not_authorized("Invalid session for the user.")
}

/// Opens a session without a client to check it against (AssociateSoftwareToken and
/// VerifySoftwareToken carry no ClientId); the challenge and expiry are still checked.
pub async fn open_any(
    app: &App,
    token: &str,
    challenge: ChallengeName,
) -> ApiResult<ChallengeSession> {
    check(app, unseal(app, token).await?, None, challenge)
}

async fn unseal(app: &App, token: &str) -> ApiResult<ChallengeSession> {
    open_json(app, token).await?.ok_or_else(invalid)
}

fn check(
    app: &App,
    session: ChallengeSession,
    client_id: Option<&str>,
    challenge: ChallengeName,
) -> ApiResult<ChallengeSession> {
    if client_id.is_some_and(|c| c != session.client_id) || session.challenge != challenge {
        return Err(invalid());
    }
    if app.clock.now_millis() >= session.expires_ms {
        return Err(ApiError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    Ok(session)
}

/// Opens a session sent back by a client and checks it belongs to this client, challenge and
/// user and has not expired.
pub async fn open(
    app: &App,
    token: Option<&str>,
    client_id: &str,
    challenge: ChallengeName,
) -> ApiResult<ChallengeSession> {
    let token = token.ok_or_else(|| ApiError::invalid("Missing required parameter Session"))?;
    check(app, unseal(app, token).await?, Some(client_id), challenge)
}

/// Spends a session for `user` inside a user change (`modify_user`): it must carry the user's
/// current `auth_step`, which moves on in the same conditional write, so a session (or SRP's
/// SECRET_BLOCK) answers exactly once, even when two answers race.
pub fn spend_in(user: &mut User, step: Option<u64>) -> ApiResult<()> {
    match step {
        Some(step) if user.auth_step == step => {
            user.auth_step += 1;
            Ok(())
        }
        _ => Err(invalid()),
    }
}
