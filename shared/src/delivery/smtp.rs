//! The SMTP transport (lettre): `smtp://host:port` (plain, or `?tls=required` for STARTTLS),
//! `smtps://host:port` (TLS from the start), optionally `user:pass@`. Connections are made
//! on first use and pooled, so a server that is down at start costs nothing until a message
//! is sent, and a loopback send reuses its connection.

use super::{looks_like_html, plain_text, DeliveryError};
use crate::error::Error;
use crate::secret::Secret;
use crate::userpool::model::OutboundMessage;
use lettre::message::{header::ContentType, Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Sends email through one SMTP server.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// The URL without its password, for the banner.
    shown: String,
}

impl SmtpSender {
    /// A sender for `url`, each SMTP command cut after `timeout`. Fails only on a malformed
    /// URL; nothing is connected yet.
    pub fn new(url: &Secret<String>, timeout: Duration) -> Result<Self, Error> {
        let raw = url.expose();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(raw)
            .map_err(|e| Error::Config(format!("LATCHKEY_SMTP_URL: {e}")))?
            .timeout(Some(timeout))
            .pool_config(
                PoolConfig::new()
                    .max_size(16)
                    .idle_timeout(Duration::from_secs(60)),
            )
            .build();
        Ok(Self {
            transport,
            shown: without_password(raw),
        })
    }

    /// The server, without credentials.
    pub fn describe(&self) -> &str {
        &self.shown
    }

    /// Sends `msg` from `from`.
    pub async fn send(
        &self,
        msg: &OutboundMessage,
        from: &str,
        reply_to: Option<&str>,
    ) -> Result<(), DeliveryError> {
        let email = build(msg, from, reply_to)?;
        self.transport.send(email).await.map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                DeliveryError::Refused(e.to_string())
            } else {
                DeliveryError::Failed(e.to_string())
            }
        })
    }
}

fn mailbox(what: &str, text: &str) -> Result<Mailbox, DeliveryError> {
    text.parse::<Mailbox>()
        .map_err(|e| DeliveryError::Refused(format!("{what} {text:?} is not an address: {e}")))
}

/// The email: HTML with a text alternative when the body is HTML, else plain text.
fn build(
    msg: &OutboundMessage,
    from: &str,
    reply_to: Option<&str>,
) -> Result<Message, DeliveryError> {
    let mut builder = Message::builder()
        .from(mailbox("sender", from)?)
        .to(mailbox("destination", &msg.destination)?)
        .subject(msg.subject.clone());
    if let Some(r) = reply_to {
        builder = builder.reply_to(mailbox("reply-to", r)?);
    }
    let body = msg.message.expose();
    let built = if looks_like_html(body) {
        builder.multipart(MultiPart::alternative_plain_html(
            plain_text(body),
            body.clone(),
        ))
    } else {
        builder.header(ContentType::TEXT_PLAIN).body(body.clone())
    };
    built.map_err(|e| DeliveryError::Refused(format!("message not buildable: {e}")))
}

/// `smtp://user:pass@host:port` → `smtp://user@host:port`.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_the_password() {
        assert_eq!(
            without_password("smtps://me:s3cret@mail.example.com:465"),
            "smtps://me@mail.example.com:465"
        );
        assert_eq!(
            without_password("smtp://127.0.0.1:2525"),
            "smtp://127.0.0.1:2525"
        );
    }

    #[test]
    fn a_malformed_url_is_a_configuration_error() {
        let bad = Secret::new("http://x".to_string());
        assert!(SmtpSender::new(&bad, Duration::from_secs(1)).is_err());
    }
}
