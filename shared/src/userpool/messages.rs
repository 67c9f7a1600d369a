//! Codes to users: which channel a code goes to, rendering the pool's template, handing the
//! message to the delivery port, and the masked `CodeDeliveryDetails` answer.

use super::codes;
use super::confirm_link;
use super::enums::DeliveryMedium;
use super::model::{CodePurpose, OutboundMessage, User, UserPool};
use super::shapes::CodeDeliveryDetails;
use crate::call::Call;
use crate::error::ApiResult;
use crate::secret::Secret;
pub use crate::triggers::messages::MessageSource;
use crate::triggers::messages::{custom_message, CODE};

/// Where a code goes.
#[derive(Clone, Debug)]
pub struct Channel {
    /// `email` or `phone_number`.
    pub attribute: &'static str,
    /// EMAIL or SMS.
    pub medium: DeliveryMedium,
    /// The unmasked address or number.
    pub destination: String,
}

impl Channel {
    /// The channel of `attribute` if the user has a value for it.
    pub fn of(user: &User, attribute: &str) -> Option<Channel> {
        let (attribute, medium) = match attribute {
            "email" => ("email", DeliveryMedium::Email),
            "phone_number" => ("phone_number", DeliveryMedium::Sms),
            _ => return None,
        };
        user.attributes.get(attribute).map(|d| Channel {
            attribute,
            medium,
            destination: d.clone(),
        })
    }

    /// `CodeDeliveryDetails` with the destination masked.
    pub fn details(&self) -> CodeDeliveryDetails {
        CodeDeliveryDetails {
            destination: mask(self.medium, &self.destination),
            delivery_medium: self.medium,
            attribute_name: self.attribute,
        }
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
pub fn mask(medium: DeliveryMedium, destination: &str) -> String {
    if medium == DeliveryMedium::Email {
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

/// A code message ready but for its code: the pool's texts, or the CustomMessage function's.
pub struct Composed {
    subject: String,
    body: String,
}

/// A pool's texts for one kind of message.
struct Texts {
    sms_message: String,
    email_message: String,
    email_subject: String,
}

/// The pool's own texts for `source`: the sign-in code texts for MFA and OTP codes, the
/// verification texts for everything else.
fn pool_texts(pool: &UserPool, source: MessageSource) -> Texts {
    if source == MessageSource::Authentication {
        let (email_subject, email_message) = super::pool_mfa::email_message(pool);
        return Texts {
            sms_message: super::pool_mfa::sms_message(pool),
            email_message,
            email_subject,
        };
    }
    Texts {
        sms_message: pool.messages.sms_message.clone(),
        email_message: pool.messages.email_message.clone(),
        email_subject: pool.messages.email_subject.clone(),
    }
}

/// The confirmation link (its code a placeholder) when this message confirms a sign-up by
/// email in a pool that confirms by link, and a client asked for it.
fn confirmation_link(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    source: MessageSource,
    channel: &Channel,
) -> Option<String> {
    let sign_up = matches!(source, MessageSource::SignUp | MessageSource::ResendCode);
    if !sign_up || channel.medium != DeliveryMedium::Email || !confirm_link::by_link(pool) {
        return None;
    }
    let client_id = app.request().client_id.clone()?;
    Some(confirm_link::url(app, &client_id, &user.username))
}

/// Composes the message for a code sent by `channel` (running CustomMessage). Done before
/// anything is written, so a refusing function leaves no trace. A sign-up email of a pool
/// that confirms by link is the link template with its `{##text##}` made the link.
pub async fn compose(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    source: MessageSource,
    channel: &Channel,
) -> ApiResult<Composed> {
    let link = confirmation_link(app, pool, user, source, channel);
    let custom = custom_message(app, pool, user, source).await?;
    let own = pool_texts(pool, source);
    let (subject, email) = match link {
        Some(_) => confirm_link::template(pool),
        None => (own.email_subject, own.email_message),
    };
    let body = if channel.medium == DeliveryMedium::Email {
        let usable =
            |m: &String| m.contains(CODE) || (link.is_some() && confirm_link::has_placeholder(m));
        custom.email_message.filter(usable).unwrap_or(email)
    } else {
        custom.sms_message.unwrap_or(own.sms_message)
    };
    let body = match &link {
        Some(url) => confirm_link::render(&body, url),
        None => body,
    };
    let subject = custom.email_subject.unwrap_or(subject);
    Ok(Composed { subject, body })
}

/// Issues a code for `purpose`, delivers `composed` with it by `channel`, and returns
/// CodeDeliveryDetails.
pub async fn deliver_code(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    purpose: CodePurpose,
    source: MessageSource,
    channel: &Channel,
    composed: Composed,
) -> ApiResult<CodeDeliveryDetails> {
    let code = codes::issue(app, &pool.id, &user.username_key, purpose).await?;
    let msg = OutboundMessage {
        pool_id: pool.id.clone(),
        username: user.username.clone(),
        destination: channel.destination.clone(),
        delivery_medium: channel.medium,
        purpose: purpose.as_str().into(),
        subject: composed.subject,
        message: Secret::new(composed.body.replace(CODE, code.expose())),
        code,
        created_ms: app.clock.now_millis(),
    };
    dispatch(app, pool, user, source, msg).await?;
    Ok(channel.details())
}

/// The one exit of every message to a user (codes, invitations, MFA codes): the pool's
/// custom sender function when it has one for the medium, else the delivery port.
pub async fn dispatch(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    source: MessageSource,
    msg: OutboundMessage,
) -> ApiResult<()> {
    if crate::triggers::custom_sender::send(app, pool, user, source, &msg).await? {
        return Ok(());
    }
    let route = super::sending::route(pool);
    match app.delivery.deliver(&msg, &route).await {
        Ok(via) => {
            tracing::debug!(pool = %pool.id, via = ?via, purpose = %msg.purpose, "message sent");
            Ok(())
        }
        Err(e) => Err(super::sending::failed(msg.delivery_medium, e)),
    }
}

/// Composes and sends a code for `purpose` by `channel`; returns CodeDeliveryDetails.
pub async fn send_code(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    purpose: CodePurpose,
    source: MessageSource,
    channel: &Channel,
) -> ApiResult<CodeDeliveryDetails> {
    let composed = compose(app, pool, user, source, channel).await?;
    deliver_code(app, pool, user, purpose, source, channel, composed).await
}

/// A believable CodeDeliveryDetails for a user that does not exist, by the medium the pool
/// verifies.
pub fn simulated_details(pool: &UserPool, name: &str) -> CodeDeliveryDetails {
    let email = !pool.auto_verifies("phone_number") || pool.auto_verifies("email");
    let medium = if email {
        DeliveryMedium::Email
    } else {
        DeliveryMedium::Sms
    };
    simulated_to(medium, name)
}

/// A believable CodeDeliveryDetails by `medium` for a user `name` that does not exist.
pub fn simulated_to(medium: DeliveryMedium, name: &str) -> CodeDeliveryDetails {
    let (attr, fake) = match medium {
        DeliveryMedium::Sms => ("phone_number", "+10000000000".to_string()),
        _ => ("email", format!("{name}@example.com")),
    };
    CodeDeliveryDetails {
        destination: mask(medium, &fake),
        delivery_medium: medium,
        attribute_name: attr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_cognito() {
        assert_eq!(mask(DeliveryMedium::Email, "jane@example.com"), "j***@e***");
        assert_eq!(mask(DeliveryMedium::Sms, "+15551234567"), "+*******4567");
    }
}
