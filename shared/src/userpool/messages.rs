//! Codes to users: which channel a code goes to, rendering the pool's template, handing the
//! message to the delivery port, and the masked `CodeDeliveryDetails` answer.

use super::codes;
use super::model::{CodePurpose, OutboundMessage, User, UserPool};
use crate::error::ApiResult;
use crate::secret::Secret;
use crate::App;
use serde_json::{json, Value};

/// Where a code goes.
#[derive(Clone, Debug)]
pub struct Channel {
    /// `email` or `phone_number`.
    pub attribute: &'static str,
    /// EMAIL or SMS.
    pub medium: &'static str,
    /// The unmasked address or number.
    pub destination: String,
}

impl Channel {
    /// The channel of `attribute` if the user has a value for it.
    pub fn of(user: &User, attribute: &str) -> Option<Channel> {
        let (attribute, medium) = match attribute {
            "email" => ("email", "EMAIL"),
            "phone_number" => ("phone_number", "SMS"),
            _ => return None,
        };
        user.attributes.get(attribute).map(|d| Channel {
            attribute,
            medium,
            destination: d.clone(),
        })
    }

    /// `CodeDeliveryDetails` with the destination masked.
    pub fn details(&self) -> Value {
        json!({
            "Destination": mask(self.medium, &self.destination),
            "DeliveryMedium": self.medium,
            "AttributeName": self.attribute,
        })
    }
}

/// The channel for sign-up confirmation: an auto-verified attribute the user has.
pub fn verification_channel(pool: &UserPool, user: &User) -> Option<Channel> {
    ["email", "phone_number"]
        .into_iter()
        .filter(|a| pool.auto_verifies(a))
        .find_map(|a| Channel::of(user, a))
}

/// Masks a destination as Cognito does: `a***@e***`, `+*******1234`.
pub fn mask(medium: &str, destination: &str) -> String {
    if medium == "EMAIL" {
        let (local, domain) = destination.split_once('@').unwrap_or((destination, ""));
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}***@{}***", first(local), first(domain))
    } else {
        let digits = destination.chars().count();
        destination
            .chars()
            .enumerate()
            .map(|(i, c)| if i == 0 || i + 4 >= digits { c } else { '*' })
            .collect()
    }
}

/// Issues a code for `purpose`, delivers it by `channel`, and returns CodeDeliveryDetails.
pub async fn send_code(
    app: &App,
    pool: &UserPool,
    user: &User,
    purpose: CodePurpose,
    channel: &Channel,
) -> ApiResult<Value> {
    let code = codes::issue(app, &pool.id, &user.username_key, purpose).await?;
    let template = if channel.medium == "EMAIL" {
        &pool.messages.email_message
    } else {
        &pool.messages.sms_message
    };
    let msg = OutboundMessage {
        pool_id: pool.id.clone(),
        username: user.username.clone(),
        destination: channel.destination.clone(),
        delivery_medium: channel.medium.into(),
        purpose: purpose.as_str().into(),
        subject: pool.messages.email_subject.clone(),
        message: Secret::new(template.replace("{####}", code.expose())),
        code,
        created_ms: app.clock.now_millis(),
    };
    app.delivery.deliver(&msg).await?;
    Ok(channel.details())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_cognito() {
        assert_eq!(mask("EMAIL", "jane@example.com"), "j***@e***");
        assert_eq!(mask("SMS", "+15551234567"), "+*******4567");
    }
}
