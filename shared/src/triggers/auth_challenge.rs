//! The CUSTOM_AUTH triggers: DefineAuthChallenge (what next, given the challenges so far),
//! CreateAuthChallenge (the next challenge's public and private parameters) and
//! VerifyAuthChallengeResponse (is this answer right). `userpool::custom_auth` runs the loop.

use super::{call, header, target, Target, Trigger};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::userpool::model::UserPool;
use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsChallengeResult, CognitoEventUserPoolsCreateAuthChallenge,
    CognitoEventUserPoolsCreateAuthChallengeResponse,
    CognitoEventUserPoolsCreateAuthChallengeTriggerSource,
    CognitoEventUserPoolsDefineAuthChallenge, CognitoEventUserPoolsDefineAuthChallengeResponse,
    CognitoEventUserPoolsDefineAuthChallengeTriggerSource,
    CognitoEventUserPoolsVerifyAuthChallenge, CognitoEventUserPoolsVerifyAuthChallengeResponse,
    CognitoEventUserPoolsVerifyAuthChallengeTriggerSource,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// One challenge answered so far (an entry of the events' `session`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChallengeResult {
    /// The challenge's name (CUSTOM_CHALLENGE).
    pub challenge_name: String,
    /// Whether it was answered correctly.
    pub challenge_result: bool,
    /// CreateAuthChallenge's `challengeMetadata`.
    pub challenge_metadata: Option<String>,
}

/// Who is signing in, as the three events describe them.
pub struct Subject<'a> {
    /// The internal username (or the given one when the user doesn't exist).
    pub user_name: &'a str,
    /// `request.userAttributes`.
    pub attributes: HashMap<String, String>,
    /// `request.userNotFound` (PreventUserExistenceErrors hides that the user is unknown).
    pub user_not_found: bool,
}

/// DefineAuthChallenge's decision.
pub struct Decision {
    /// The next challenge, when neither tokens nor failure.
    pub challenge_name: Option<String>,
    /// Sign-in succeeded.
    pub issue_tokens: bool,
    /// Sign-in failed.
    pub fail_authentication: bool,
}

/// The next challenge.
pub struct Created {
    /// Sent to the client.
    pub public: HashMap<String, String>,
    /// Kept (sealed in the Session) for VerifyAuthChallengeResponse.
    pub private: HashMap<String, String>,
    /// Recorded in the session entry.
    pub metadata: Option<String>,
}

/// The pool's DefineAuthChallenge function; CUSTOM_AUTH needs one.
pub fn define_target(pool: &UserPool) -> ApiResult<Target> {
    target(pool, Trigger::DefineAuthChallenge).ok_or_else(|| {
        ApiError::invalid("Custom auth lambda trigger is not configured for the user pool.")
    })
}

fn results(session: &[ChallengeResult]) -> Vec<Option<CognitoEventUserPoolsChallengeResult>> {
    session
        .iter()
        .map(|r| {
            let mut c = CognitoEventUserPoolsChallengeResult::default();
            c.challenge_name = Some(r.challenge_name.clone());
            c.challenge_result = r.challenge_result;
            c.challenge_metadata = r.challenge_metadata.clone();
            Some(c)
        })
        .collect()
}

/// Calls DefineAuthChallenge.
pub async fn define(
    app: &Call<'_>,
    pool: &UserPool,
    who: &Subject<'_>,
    session: &[ChallengeResult],
) -> ApiResult<Decision> {
    let t = define_target(pool)?;
    let src = CognitoEventUserPoolsDefineAuthChallengeTriggerSource::Authentication;
    let mut event = CognitoEventUserPoolsDefineAuthChallenge::default();
    event.cognito_event_user_pools_header = header(app, pool, src, who.user_name, t.version);
    event.request.user_attributes = who.attributes.clone();
    event.request.session = results(session);
    event.request.client_metadata = app.request().client_metadata();
    event.request.user_not_found = who.user_not_found;
    let answer: CognitoEventUserPoolsDefineAuthChallengeResponse =
        call(app, Trigger::DefineAuthChallenge, &t, &event).await?;
    Ok(Decision {
        challenge_name: answer.challenge_name.filter(|n| !n.is_empty()),
        issue_tokens: answer.issue_tokens,
        fail_authentication: answer.fail_authentication,
    })
}

/// Calls CreateAuthChallenge for `challenge_name`.
pub async fn create(
    app: &Call<'_>,
    pool: &UserPool,
    who: &Subject<'_>,
    challenge_name: &str,
    session: &[ChallengeResult],
) -> ApiResult<Created> {
    let t = target(pool, Trigger::CreateAuthChallenge).ok_or_else(|| {
        ApiError::invalid("Custom auth lambda trigger is not configured for the user pool.")
    })?;
    let src = CognitoEventUserPoolsCreateAuthChallengeTriggerSource::Authentication;
    let mut event = CognitoEventUserPoolsCreateAuthChallenge::default();
    event.cognito_event_user_pools_header = header(app, pool, src, who.user_name, t.version);
    event.request.user_attributes = who.attributes.clone();
    event.request.challenge_name = Some(challenge_name.to_string());
    event.request.session = results(session);
    event.request.client_metadata = app.request().client_metadata();
    event.request.user_not_found = who.user_not_found;
    let answer: CognitoEventUserPoolsCreateAuthChallengeResponse =
        call(app, Trigger::CreateAuthChallenge, &t, &event).await?;
    Ok(Created {
        public: answer.public_challenge_parameters,
        private: answer.private_challenge_parameters,
        metadata: answer.challenge_metadata,
    })
}

/// Calls VerifyAuthChallengeResponse: is `answer` right?
pub async fn verify(
    app: &Call<'_>,
    pool: &UserPool,
    who: &Subject<'_>,
    private: &HashMap<String, String>,
    answer: &str,
) -> ApiResult<bool> {
    let t = target(pool, Trigger::VerifyAuthChallengeResponse).ok_or_else(|| {
        ApiError::invalid("Custom auth lambda trigger is not configured for the user pool.")
    })?;
    let src = CognitoEventUserPoolsVerifyAuthChallengeTriggerSource::Authentication;
    let mut event: CognitoEventUserPoolsVerifyAuthChallenge = Default::default();
    event.cognito_event_user_pools_header = header(app, pool, src, who.user_name, t.version);
    event.request.user_attributes = who.attributes.clone();
    event.request.private_challenge_parameters = private.clone();
    event.request.challenge_answer = Some(json!(answer));
    event.request.client_metadata = app.request().client_metadata();
    event.request.user_not_found = who.user_not_found;
    let reply: CognitoEventUserPoolsVerifyAuthChallengeResponse =
        call(app, Trigger::VerifyAuthChallengeResponse, &t, &event).await?;
    Ok(reply.answer_correct)
}
