//! What a pool says about sending: its `EmailConfiguration` and `SmsConfiguration` as a
//! delivery [`Route`], and what a failed send answers (Cognito's errors).

use super::enums::DeliveryMedium;
use super::model::UserPool;
use crate::delivery::{DeliveryError, Route, SesIdentity, SnsRole};
use crate::error::{ApiError, ErrorKind};
use serde_json::Value;

fn member(pool: &UserPool, config: &str, name: &str) -> Option<String> {
    pool.passthrough
        .get(config)
        .and_then(|c| c.get(name))
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The route the pool's configuration asks for: its SES identity when it sends as
/// `DEVELOPER`, its `From` and `ReplyToEmailAddress` (applied by whichever transport sends),
/// and its SNS role.
pub fn route(pool: &UserPool) -> Route {
    const EMAIL: &str = "EmailConfiguration";
    let developer = member(pool, EMAIL, "EmailSendingAccount").as_deref() == Some("DEVELOPER");
    let ses = match member(pool, EMAIL, "SourceArn") {
        Some(source_arn) if developer => Some(SesIdentity {
            source_arn,
            configuration_set: member(pool, EMAIL, "ConfigurationSet"),
        }),
        _ => None,
    };
    const SMS: &str = "SmsConfiguration";
    let sns = member(pool, SMS, "SnsCallerArn").map(|caller_arn| SnsRole {
        caller_arn,
        external_id: member(pool, SMS, "ExternalId"),
        region: member(pool, SMS, "SnsRegion"),
    });
    Route {
        ses,
        from: member(pool, EMAIL, "From"),
        reply_to: member(pool, EMAIL, "ReplyToEmailAddress"),
        sns,
    }
}

/// What a client sees when a message could not be sent (the cause goes to the log).
pub fn failed(medium: DeliveryMedium, error: DeliveryError) -> ApiError {
    tracing::warn!(medium = %medium, error = %error, "message not delivered");
    match error {
        DeliveryError::Store(e) => e.into(),
        DeliveryError::RoleRefused(_) => ApiError::new(
            ErrorKind::InvalidSmsRoleTrustRelationship,
            "Role does not have a trust relationship allowing Cognito to assume the role.",
        ),
        _ if medium == DeliveryMedium::Email => ApiError::new(
            ErrorKind::CodeDeliveryFailure,
            "Invalid email provided/Unable to send the email",
        ),
        _ => ApiError::new(
            ErrorKind::CodeDeliveryFailure,
            "Invalid phone number provided/Unable to send the SMS",
        ),
    }
}
