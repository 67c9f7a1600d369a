//! The `Session` ConfirmSignUp answers: sealed with the deployment's session key, bound to the
//! client, the user and the user's sign-in step at confirmation, expiring with the client's
//! session validity. USER_AUTH with it signs the new user in without asking again
//! (the confirmation code was the proof), once.

use super::outcome::AuthReply;
use super::step;
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::secret::Secret;
use crate::userpool::directory::{load_user, modify_user};
use crate::userpool::model::{AppClient, User, UserPool, UserStatus};
use crate::userpool::session::{self, open_json, seal_json};
use crate::userpool::tokens::TokenSource;
use crate::App;
use serde::{Deserialize, Serialize};

/// What the session carries. `confirmed_sign_up` names its kind, so no other sealed state
/// (a challenge session, a grant) opens as one.
#[derive(Serialize, Deserialize)]
struct SignUpSession {
    confirmed_sign_up: String,
    pool_id: String,
    client_id: String,
    expires_ms: i64,
    step: u64,
}

/// The session for `user`, just confirmed through `client`.
pub async fn issue(app: &App, client: &AppClient, user: &User) -> ApiResult<Secret<String>> {
    let validity_ms = i64::from(client.auth_session_validity) * 60_000;
    let sealed = seal_json(
        app,
        &SignUpSession {
            confirmed_sign_up: user.username.clone(),
            pool_id: client.pool_id.clone(),
            client_id: client.client_id.clone(),
            expires_ms: app.clock.now_millis() + validity_ms,
            step: user.auth_step,
        },
    )
    .await?;
    Ok(Secret::new(sealed))
}

/// USER_AUTH with a ConfirmSignUp `Session`: tokens for the user it names, once.
pub async fn sign_in(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    username: &str,
    token: &str,
) -> ApiResult<AuthReply> {
    let invalid = || ApiError::not_authorized("Invalid session for the user.");
    let s: SignUpSession = open_json(app, token).await?.ok_or_else(invalid)?;
    if s.pool_id != pool.id || s.client_id != client.client_id {
        return Err(invalid());
    }
    if app.clock.now_millis() >= s.expires_ms {
        return Err(ApiError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    let user = load_user(app, pool, &s.confirmed_sign_up).await?;
    if user.username_key != pool.username_key(username) && user.username != username {
        return Err(invalid());
    }
    if user.status != UserStatus::Confirmed || !user.enabled {
        return Err(invalid());
    }
    let user = modify_user(app, pool, user, |u| session::spend_in(u, Some(s.step))).await?;
    step::complete(app, pool, client, user, TokenSource::Authentication).await
}
