//! Cognito-style triggers: the pool's LambdaConfig names a function per trigger, and the user
//! pool calls it at Cognito's points with Cognito's event JSON (built and parsed with the
//! `aws_lambda_events` types), so a trigger written for Cognito runs unchanged.
//!
//! Failures are Cognito's: a function error is UserLambdaValidationException
//! "{Name} failed with error {message}.", a reply that is not the event's JSON is
//! InvalidLambdaResponseException, and a timeout or unreachable function is
//! UnexpectedLambdaException. Triggers that can refuse run before anything is written, so a
//! refusal leaves no trace.

pub mod auth_challenge;
pub mod custom_sender;
pub mod events;
pub mod invoke;
pub mod messages;
pub mod migration;
pub mod token_generation;

use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::userpool::model::{User, UserPool};
use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsCallerContext, CognitoEventUserPoolsHeader,
};
use invoke::InvokeError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// The triggers Latchkey calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Before a user is created.
    PreSignUp,
    /// After a user is confirmed, or a forgotten password is reset.
    PostConfirmation,
    /// Before a password or SRP sign-in is checked.
    PreAuthentication,
    /// After a sign-in succeeds, before tokens are returned.
    PostAuthentication,
    /// Before every token issue.
    PreTokenGeneration,
    /// An unknown user at sign-in or ForgotPassword.
    UserMigration,
    /// Before a code or invitation is sent.
    CustomMessage,
    /// CUSTOM_AUTH: what comes next.
    DefineAuthChallenge,
    /// CUSTOM_AUTH: the next challenge.
    CreateAuthChallenge,
    /// CUSTOM_AUTH: checks an answer.
    VerifyAuthChallengeResponse,
    /// Sends e-mail messages in Latchkey's place (the code KMS-encrypted).
    CustomEmailSender,
    /// Sends SMS messages in Latchkey's place (the code KMS-encrypted).
    CustomSmsSender,
}

impl Trigger {
    /// The LambdaConfig member, which is also the name in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::UserMigration => "UserMigration",
            Trigger::CustomMessage => "CustomMessage",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Trigger::CustomEmailSender => "CustomEmailSender",
            Trigger::CustomSmsSender => "CustomSMSSender",
        }
    }
}

/// A configured trigger: where it is and the event version it takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// A Lambda ARN or an http(s) URL.
    pub location: String,
    /// The event `version`: "1", or "2" / "3" for PreTokenGeneration V2_0 / V3_0.
    pub version: &'static str,
}

/// The pool's function for `trigger`, if any. PreTokenGenerationConfig wins over the legacy
/// PreTokenGeneration member (which is V1_0); the custom senders are `{LambdaArn,
/// LambdaVersion: V1_0}` objects.
pub fn target(pool: &UserPool, trigger: Trigger) -> Option<Target> {
    let config = pool.lambda_config.as_ref()?;
    let member = |name: &str| {
        config
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if trigger == Trigger::PreTokenGeneration {
        if let Some(c) = config.get("PreTokenGenerationConfig") {
            let arn = c.get("LambdaArn").and_then(Value::as_str);
            if let Some(arn) = arn.filter(|a| !a.is_empty()) {
                let version = match c.get("LambdaVersion").and_then(Value::as_str) {
                    Some("V2_0") => "2",
                    Some("V3_0") => "3",
                    _ => "1",
                };
                return Some(Target {
                    location: arn.to_string(),
                    version,
                });
            }
        }
    }
    if matches!(
        trigger,
        Trigger::CustomEmailSender | Trigger::CustomSmsSender
    ) {
        let arn = config.get(trigger.name())?.get("LambdaArn")?.as_str()?;
        return (!arn.is_empty()).then(|| Target {
            location: arn.to_string(),
            version: "1",
        });
    }
    member(trigger.name()).map(|location| Target {
        location,
        version: "1",
    })
}

/// The common envelope of an event about `user_name`.
pub fn header<T: Default>(
    app: &Call<'_>,
    pool: &UserPool,
    source: T,
    user_name: &str,
    version: &str,
) -> CognitoEventUserPoolsHeader<T> {
    let meta = app.request();
    let mut caller = CognitoEventUserPoolsCallerContext::default();
    caller.awssdk_version = Some("aws-sdk-unknown-unknown".into());
    caller.client_id = Some(meta.client_id());
    let mut h = CognitoEventUserPoolsHeader::default();
    h.version = Some(version.to_string());
    h.trigger_source = Some(source);
    h.region = Some(app.settings.region.clone());
    h.user_pool_id = Some(pool.id.clone());
    h.caller_context = caller;
    h.user_name = Some(user_name.to_string());
    h
}

/// `request.userAttributes` for a user: the attributes plus `sub` and `cognito:user_status`.
pub fn user_attributes(user: &User) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = user.attributes.clone().into_iter().collect();
    out.insert("sub".into(), user.sub.clone());
    out.insert(
        "cognito:user_status".into(),
        user.status.as_str().to_string(),
    );
    out
}

/// Sends `event` to `target` and returns the function's `response`, read as `R`. Members
/// the reply leaves out (or null) keep the values sent, as Cognito reads them.
pub async fn call<E, R>(
    app: &Call<'_>,
    trigger: Trigger,
    target: &Target,
    event: &E,
) -> ApiResult<R>
where
    E: Serialize,
    R: DeserializeOwned,
{
    let sent = serde_json::to_value(event).map_err(crate::Error::from)?;
    let reply = send(app, trigger, target, &sent).await?;
    merge_reply(sent, &reply)
        .and_then(|mut merged| serde_json::from_value(merged.get_mut("response")?.take()).ok())
        .ok_or_else(|| {
            tracing::warn!(trigger = trigger.name(), "trigger reply is not its event");
            ApiError::new(
                ErrorKind::InvalidLambdaResponse,
                "Unrecognizable lambda output",
            )
        })
}

/// Sends `event` to `target` for its effect only: whatever the function answers (nothing,
/// null, JSON) is not read, as Cognito reads no answer from the custom senders. Its failures
/// are the other triggers'.
pub async fn notify<E: Serialize>(
    app: &Call<'_>,
    trigger: Trigger,
    target: &Target,
    event: &E,
) -> ApiResult<()> {
    let sent = serde_json::to_value(event).map_err(crate::Error::from)?;
    send(app, trigger, target, &sent).await.map(|_| ())
}

/// Invokes the function with `sent` and returns its reply's bytes, or Cognito's error.
async fn send(
    app: &Call<'_>,
    trigger: Trigger,
    target: &Target,
    sent: &Value,
) -> ApiResult<Vec<u8>> {
    let bytes = serde_json::to_vec(sent).map_err(crate::Error::from)?;
    let started = std::time::Instant::now();
    let reply = app.triggers.invoke(&target.location, bytes).await;
    tracing::debug!(
        trigger = trigger.name(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        ok = reply.is_ok(),
        "trigger called"
    );
    reply.map_err(|e| invoke_error(trigger, e))
}

/// The sent event with the reply's `response` members laid over its own.
fn merge_reply(mut sent: Value, reply: &[u8]) -> Option<Value> {
    let reply: Value = serde_json::from_slice(reply).ok()?;
    let reply = reply.as_object()?;
    match reply.get("response") {
        None | Some(Value::Null) => {}
        Some(Value::Object(answered)) => {
            let response = sent.get_mut("response")?;
            if !response.is_object() {
                *response = Value::Object(Default::default());
            }
            let response = response.as_object_mut()?;
            for (k, v) in answered {
                if !v.is_null() {
                    response.insert(k.clone(), v.clone());
                }
            }
        }
        Some(_) => return None,
    }
    Some(sent)
}

/// Cognito's error for a failed call.
fn invoke_error(trigger: Trigger, e: InvokeError) -> ApiError {
    let name = trigger.name();
    match e {
        InvokeError::Failed(message) => ApiError::new(
            ErrorKind::UserLambdaValidation,
            format!("{name} failed with error {message}."),
        ),
        InvokeError::TimedOut => ApiError::new(
            ErrorKind::UnexpectedLambda,
            format!(
                "{name} invocation failed due to error Socket timeout while invoking Lambda function."
            ),
        ),
        InvokeError::Unreachable(why) => ApiError::new(
            ErrorKind::UnexpectedLambda,
            format!("{name} invocation failed due to error {why}."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reply_members_override_and_nulls_keep_what_was_sent() {
        let sent = json!({"request": {}, "response": {"autoConfirmUser": false, "autoVerifyEmail": false}});
        let reply = br#"{"response": {"autoConfirmUser": true, "autoVerifyEmail": null}}"#;
        let merged = merge_reply(sent.clone(), reply).unwrap();
        assert_eq!(merged["response"]["autoConfirmUser"], json!(true));
        assert_eq!(merged["response"]["autoVerifyEmail"], json!(false));
        assert_eq!(merge_reply(sent.clone(), b"{}").unwrap(), sent);
        assert!(merge_reply(sent.clone(), b"not json").is_none());
        assert!(merge_reply(sent.clone(), b"[1]").is_none());
        assert!(merge_reply(sent, br#"{"response": 3}"#).is_none());
    }

    #[test]
    fn errors_read_like_cognito() {
        let e = invoke_error(Trigger::PreSignUp, InvokeError::Failed("No thanks".into()));
        assert_eq!(e.kind, ErrorKind::UserLambdaValidation);
        assert_eq!(e.message, "PreSignUp failed with error No thanks.");
        let e = invoke_error(Trigger::PostAuthentication, InvokeError::TimedOut);
        assert_eq!(e.kind, ErrorKind::UnexpectedLambda);
        assert!(e
            .message
            .starts_with("PostAuthentication invocation failed"));
    }
}
