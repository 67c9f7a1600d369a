//! CustomEmailSender / CustomSMSSender: a pool whose LambdaConfig names a sender for a
//! message's medium hands the message to that function instead of sending it. The event's
//! `request.code` is the code (or temporary password) encrypted as Cognito encrypts it: an AWS
//! Encryption SDK message ([`crate::esdk`]) under the pool's `KMSKeyID`, with encryption
//! context `userpool-id` = the pool id, base64. Nothing else about the message (subject, body,
//! destination) is sent: the function composes and delivers it.
//!
//! The function's answer is not read. Its failures are the other triggers'
//! (UserLambdaValidationException "CustomEmailSender failed with error ..."). A pool with a
//! sender but no key, or a key KMS refuses, fails the delivery (CodeDeliveryFailureException).

use super::messages::MessageSource;
use super::{header, notify, target, user_attributes, Trigger};
use crate::call::Call;
use crate::error::{ApiError, ApiResult, Error, ErrorKind};
use crate::esdk::{self, Signer};
use crate::kms::KmsError;
use crate::userpool::enums::DeliveryMedium;
use crate::userpool::model::{OutboundMessage, User, UserPool};
use aws_lambda_events::event::cognito::CognitoEventUserPoolsHeader;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// The LambdaConfig member naming the key the codes are encrypted under.
pub const KMS_KEY_ID: &str = "KMSKeyID";
/// The encryption context key Cognito binds each code to its pool with.
pub const POOL_CONTEXT: &str = "userpool-id";

/// A custom sender event (`aws_lambda_events` has no type for it). Unlike the other triggers'
/// events it has no `response` member.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SenderEvent {
    #[serde(flatten)]
    header: CognitoEventUserPoolsHeader<String>,
    request: SenderRequest,
}

/// The event's `request`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SenderRequest {
    /// `customEmailSenderRequestV1` or `customSMSSenderRequestV1`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The encrypted code, base64.
    code: String,
    /// The request's ClientMetadata; null when it had none (as Cognito sends it).
    client_metadata: Option<HashMap<String, String>>,
    user_attributes: HashMap<String, String>,
}

/// The sender trigger for a medium.
fn trigger_for(medium: DeliveryMedium) -> Trigger {
    match medium {
        DeliveryMedium::Email => Trigger::CustomEmailSender,
        DeliveryMedium::Sms => Trigger::CustomSmsSender,
    }
}

/// `<Trigger>_<source>`, e.g. `CustomSMSSender_ForgotPassword`.
fn trigger_source(trigger: Trigger, source: MessageSource) -> String {
    let source = match source {
        MessageSource::SignUp => "SignUp",
        MessageSource::AdminCreateUser => "AdminCreateUser",
        MessageSource::ResendCode => "ResendCode",
        MessageSource::ForgotPassword => "ForgotPassword",
        MessageSource::UpdateUserAttribute => "UpdateUserAttribute",
        MessageSource::VerifyUserAttribute => "VerifyUserAttribute",
        MessageSource::Authentication => "Authentication",
    };
    format!("{}_{source}", trigger.name())
}

/// The pool's `KMSKeyID`, if set.
pub fn kms_key_id(pool: &UserPool) -> Option<&str> {
    let key = pool.lambda_config.as_ref()?.get(KMS_KEY_ID)?.as_str()?;
    (!key.is_empty()).then_some(key)
}

/// Hands `msg` to the pool's custom sender for its medium, if the pool has one; `false` when it
/// has none (the caller delivers the message itself).
pub async fn send(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    source: MessageSource,
    msg: &OutboundMessage,
) -> ApiResult<bool> {
    let trigger = trigger_for(msg.delivery_medium);
    let Some(t) = target(pool, trigger) else {
        return Ok(false);
    };
    let Some(key_id) = kms_key_id(pool) else {
        tracing::warn!(pool = %pool.id, "custom sender without KMSKeyID");
        return Err(delivery_failed());
    };
    let code = encrypt_code(app, &pool.id, key_id, msg.code.expose()).await?;
    let kind = match trigger {
        Trigger::CustomSmsSender => "customSMSSenderRequestV1",
        _ => "customEmailSenderRequestV1",
    };
    let event = SenderEvent {
        header: header(
            app,
            pool,
            trigger_source(trigger, source),
            &user.username,
            t.version,
        ),
        request: SenderRequest {
            kind,
            code,
            client_metadata: app.request().client_metadata.clone(),
            user_attributes: user_attributes(user),
        },
    };
    notify(app, trigger, &t, &event).await?;
    Ok(true)
}

/// `code` as an ESDK message under `key_id`, bound to the pool, base64.
async fn encrypt_code(
    app: &Call<'_>,
    pool_id: &str,
    key_id: &str,
    code: &str,
) -> ApiResult<String> {
    use base64::Engine;
    let crypto = |e: esdk::EsdkError| Error::Crypto(e.to_string());
    // The signing key comes first: its public half is part of the context KMS binds the data
    // key to, as in every ESDK.
    let signer = Signer::generate().map_err(crypto)?;
    let context = signer.context(&[(POOL_CONTEXT, pool_id)]);
    let key = app
        .data_keys
        .generate(key_id, &context)
        .await
        .map_err(|e| match e {
            KmsError::Refused(why) => {
                tracing::warn!(pool = pool_id, key = key_id, error = %why, "KMS refused a data key");
                delivery_failed()
            }
            KmsError::Fault(e) => ApiError::internal(&e),
        })?;
    let mut message_id = [0u8; 16];
    app.random.fill(&mut message_id);
    let message = esdk::encrypt(
        code.as_bytes(),
        key.plaintext.expose(),
        &key.encrypted,
        &context,
        &signer,
        message_id,
    )
    .map_err(crypto)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(message))
}

/// CodeDeliveryFailureException: the code could not be handed to the sender.
fn delivery_failed() -> ApiError {
    ApiError::new(
        ErrorKind::CodeDeliveryFailure,
        "Unable to deliver the code: the custom sender's KMS key could not be used.",
    )
}

/// Checks a LambdaConfig as CreateUserPool / UpdateUserPool receive it: a custom sender needs
/// the pool's `KMSKeyID`. (The sender's shape and `LambdaVersion` V1_0 are checked against the
/// API model before this.)
pub fn check_config(config: Option<&Value>) -> ApiResult<()> {
    let Some(config) = config else {
        return Ok(());
    };
    let has_sender = [Trigger::CustomEmailSender, Trigger::CustomSmsSender]
        .iter()
        .any(|t| config.get(t.name()).is_some_and(|v| !v.is_null()));
    let has_key = config
        .get(KMS_KEY_ID)
        .and_then(Value::as_str)
        .is_some_and(|k| !k.is_empty());
    if has_sender && !has_key {
        return Err(ApiError::invalid(
            "KMSKeyID is required when a custom sender Lambda trigger (CustomEmailSender or CustomSMSSender) is configured.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trigger_sources_name_the_sender_and_the_cause() {
        assert_eq!(
            trigger_source(Trigger::CustomEmailSender, MessageSource::SignUp),
            "CustomEmailSender_SignUp"
        );
        assert_eq!(
            trigger_source(Trigger::CustomSmsSender, MessageSource::ForgotPassword),
            "CustomSMSSender_ForgotPassword"
        );
        assert_eq!(trigger_for(DeliveryMedium::Sms), Trigger::CustomSmsSender);
    }

    #[test]
    fn a_sender_needs_a_key() {
        let sender = json!({"LambdaVersion": "V1_0", "LambdaArn": "arn:aws:lambda:us-east-1:000000000000:function:s"});
        let key = "arn:aws:kms:us-east-1:000000000000:key/k";
        assert!(check_config(None).is_ok());
        assert!(check_config(Some(&json!({"PreSignUp": "arn:x"}))).is_ok());
        assert!(check_config(Some(&json!({"CustomEmailSender": sender, "KMSKeyID": key}))).is_ok());
        let e = check_config(Some(&json!({"CustomSMSSender": sender}))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert!(e.message.starts_with("KMSKeyID is required"));
    }
}
