//! CUSTOM_AUTH: InitiateAuth asks DefineAuthChallenge what to do; each CUSTOM_CHALLENGE is made
//! by CreateAuthChallenge, answered through RespondToAuthChallenge with the Session, checked by
//! VerifyAuthChallengeResponse, and put back to DefineAuthChallenge, until it issues tokens or
//! fails the sign-in. The challenge history and the private parameters travel sealed in the
//! Session, so any instance can take the next step.

use super::outcome::{AuthReply, ChallengeName, ChallengeParameters};
use super::params::{self, param, required, Params};
use super::step;
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::triggers::auth_challenge::{self, ChallengeResult, Subject};
use crate::triggers::events::pre_authentication;
use crate::triggers::user_attributes;
use crate::userpool::directory::{find_user, modify_user};
use crate::userpool::lockout;
use crate::userpool::model::{AppClient, User, UserPool, UserStatus};
use crate::userpool::session;
use crate::userpool::tokens::TokenSource;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The only challenge a function may ask for here.
const CUSTOM: &str = "CUSTOM_CHALLENGE";

/// What the Session remembers between rounds.
#[derive(Serialize, Deserialize, Default)]
struct Progress {
    history: Vec<ChallengeResult>,
    private: HashMap<String, String>,
    metadata: Option<String>,
    user_not_found: bool,
    /// The user's `auth_step` when this Session was issued.
    step: u64,
}

/// InitiateAuth / AdminInitiateAuth with CUSTOM_AUTH.
pub async fn start(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    params: &Option<Params>,
) -> ApiResult<AuthReply> {
    let username = params::username(client, params)?;
    if param(params, "SRP_A").is_some() {
        return Err(ApiError::invalid(
            "Custom authentication with SRP is not supported by Latchkey yet.",
        ));
    }
    auth_challenge::define_target(pool)?;
    let user = find_user(app, pool, username).await?;
    let progress = Progress {
        user_not_found: user.is_none(),
        step: user.as_ref().map_or(0, |u| u.auth_step),
        ..Progress::default()
    };
    match &user {
        Some(u) => {
            lockout::check(&u.lockout, app.clock.now_millis())?;
            check_status(u)?;
            pre_authentication(app, pool, u).await?;
        }
        None if client.hides_user_existence() => {}
        None => return Err(ApiError::user_not_found()),
    }
    next(app, pool, client, username, user, progress).await
}

/// RespondToAuthChallenge CUSTOM_CHALLENGE: ANSWER is checked, then DefineAuthChallenge
/// decides again.
pub async fn respond(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    session_token: Option<&str>,
    responses: &Option<Params>,
) -> ApiResult<AuthReply> {
    let answer = required(responses, "ANSWER")?;
    let opened = session::open(
        app,
        session_token,
        &client.client_id,
        ChallengeName::CustomChallenge,
    )
    .await?;
    let mut progress: Progress = serde_json::from_value(Value::Object(opened.data))
        .map_err(|_| ApiError::not_authorized("Invalid session for the user."))?;
    let user = if progress.user_not_found {
        None
    } else {
        let found = find_user(app, pool, &opened.username).await?;
        let found = found.ok_or_else(ApiError::bad_credentials)?;
        // Spend the Session: only one answer moves the step on from the one it carries.
        let expected = progress.step;
        let spent = modify_user(app, pool, found, |u| session::spend_in(u, Some(expected))).await?;
        progress.step = spent.auth_step;
        Some(spent)
    };
    let who = subject(&opened.username, user.as_ref(), progress.user_not_found);
    let correct = auth_challenge::verify(app, pool, &who, &progress.private, answer).await?;
    progress.history.push(ChallengeResult {
        challenge_name: CUSTOM.into(),
        challenge_result: correct,
        challenge_metadata: progress.metadata.take(),
    });
    progress.private.clear();
    next(app, pool, client, &opened.username, user, progress).await
}

fn check_status(user: &User) -> ApiResult<()> {
    if user.status == UserStatus::Unconfirmed {
        return Err(ApiError::new(
            ErrorKind::UserNotConfirmed,
            "User is not confirmed.",
        ));
    }
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    Ok(())
}

fn subject<'a>(name: &'a str, user: Option<&'a User>, user_not_found: bool) -> Subject<'a> {
    Subject {
        user_name: user.map_or(name, |u| u.username.as_str()),
        attributes: user.map(user_attributes).unwrap_or_default(),
        user_not_found,
    }
}

/// Asks DefineAuthChallenge what follows the history so far, and does it.
async fn next(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    username: &str,
    user: Option<User>,
    mut progress: Progress,
) -> ApiResult<AuthReply> {
    let who = subject(username, user.as_ref(), progress.user_not_found);
    let decision = auth_challenge::define(app, pool, &who, &progress.history).await?;
    if decision.fail_authentication {
        return Err(ApiError::bad_credentials());
    }
    if decision.issue_tokens {
        // An unknown user never gets tokens, whatever the function says.
        let Some(user) = user else {
            return Err(ApiError::bad_credentials());
        };
        return step::complete(app, pool, client, user, TokenSource::Authentication).await;
    }
    match decision.challenge_name.as_deref() {
        Some(CUSTOM) => {}
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "Challenge {other} is not supported by Latchkey yet."
            )))
        }
        None => {
            return Err(ApiError::new(
                ErrorKind::InvalidLambdaResponse,
                "Unrecognizable lambda output",
            ))
        }
    }
    let created = auth_challenge::create(app, pool, &who, CUSTOM, &progress.history).await?;
    progress.private = created.private;
    progress.metadata = created.metadata;
    let data = match serde_json::to_value(&progress).map_err(crate::Error::from)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut parameters: ChallengeParameters = created.public.into_iter().collect();
    parameters.insert("USERNAME".into(), who.user_name.to_string());
    step::challenge(
        app,
        client,
        step::Challenged::Name(who.user_name),
        ChallengeName::CustomChallenge,
        parameters,
        data,
    )
    .await
}
