//! A challenge reply: the state sealed into a fresh `Session` that expires with the client's
//! session validity, bound to the user's current sign-in step so it answers once.

use super::outcome::{AuthReply, ChallengeName, ChallengeParameters};
use crate::call::Call;
use crate::error::ApiResult;
use crate::secret::Secret;
use crate::userpool::model::{AppClient, User};
use crate::userpool::session::{self, ChallengeSession};
use serde_json::{Map, Value};

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
