//! The delivery port: how a message to a user (a code, an invitation, an MFA code) leaves.
//! The user-pool code renders the message and names its [`Route`] (what the pool's
//! `EmailConfiguration` / `SmsConfiguration` ask for); [`Transports`] picks the adapter:
//!
//! - email: SES ([`ses`]) for a pool whose `EmailSendingAccount` is `DEVELOPER` with a
//!   `SourceArn`; else SMTP ([`smtp`]) when the deployment has an SMTP server; else SES from the
//!   deployment's own sender (the functions' `LATCHKEY_EMAIL_FROM`); else the outbox;
//! - SMS: SNS ([`sns`]) through the pool's `SnsCallerArn` role; else the outbox.
//!
//! The outbox ([`outbox`]) keeps messages in the store for local development; only where no
//! real transport is configured does it also print codes to the log. Every transport call is
//! cut by a timeout.

pub mod outbox;
pub mod ses;
pub mod smtp;
pub mod sns;
mod text;

pub use outbox::Outbox;
pub use text::{looks_like_html, plain_text};

use crate::config::load::DEFAULT_DELIVERY_TIMEOUT_MS;
use crate::config::DeliveryConfig;
use crate::error::Error;
use crate::store::Store;
use crate::userpool::enums::DeliveryMedium;
use crate::userpool::model::OutboundMessage;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;

/// Where the pool wants a message sent (from its `EmailConfiguration` / `SmsConfiguration`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Route {
    /// Email: the pool's SES identity, when it sends through its own SES (`DEVELOPER`).
    pub ses: Option<SesIdentity>,
    /// Email: the pool's `From` (`"Name <address>"` or an address).
    pub from: Option<String>,
    /// Email: the pool's `ReplyToEmailAddress`.
    pub reply_to: Option<String>,
    /// SMS: the role Cognito would assume to publish through SNS.
    pub sns: Option<SnsRole>,
}

/// A pool's SES sending identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SesIdentity {
    /// `arn:aws:ses:{region}:{account}:identity/{email or domain}`.
    pub source_arn: String,
    /// SES configuration set, if any.
    pub configuration_set: Option<String>,
}

impl SesIdentity {
    /// The region the identity lives in (SES is called there, as Cognito does).
    pub fn region(&self) -> Option<&str> {
        self.source_arn.split(':').nth(3).filter(|r| !r.is_empty())
    }

    /// The identity: an address or a domain.
    pub fn identity(&self) -> &str {
        self.source_arn
            .rsplit_once(":identity/")
            .map_or("", |(_, id)| id)
    }

    /// The sender when the pool names no `From`: the identity itself, or `no-reply@` a domain.
    pub fn default_from(&self) -> String {
        let id = self.identity();
        if id.contains('@') {
            id.to_string()
        } else {
            format!("no-reply@{id}")
        }
    }
}

/// The pool's SNS role (`SmsConfiguration`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SnsRole {
    /// `SnsCallerArn`: the role assumed to publish.
    pub caller_arn: String,
    /// `ExternalId` passed to AssumeRole.
    pub external_id: Option<String>,
    /// `SnsRegion`, if it differs from the deployment's.
    pub region: Option<String>,
}

/// Why a message was not delivered. Messages name the cause for the log; clients see only
/// Cognito's error.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The destination or sender was refused (bad address, unverified identity).
    #[error("refused: {0}")]
    Refused(String),
    /// The pool's SNS role could not be assumed.
    #[error("the SMS role could not be assumed: {0}")]
    RoleRefused(String),
    /// The transport failed or could not be reached.
    #[error("transport failed: {0}")]
    Failed(String),
    /// The transport did not answer in time.
    #[error("no answer within {0} ms")]
    TimedOut(u64),
    /// The outbox's store failed.
    #[error(transparent)]
    Store(#[from] Error),
}

/// An AWS SDK call's failure: a refusal when its error code is one of `refusals`, else a
/// passing fault; `detail` (the SDK's full error context) is for the log.
pub(crate) fn aws_failure(code: Option<&str>, detail: String, refusals: &[&str]) -> DeliveryError {
    match code {
        Some(code) if refusals.contains(&code) => DeliveryError::Refused(detail),
        _ => DeliveryError::Failed(detail),
    }
}

/// Which transport took a message (for logs and tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The local outbox.
    Outbox,
    /// An SMTP server.
    Smtp,
    /// Amazon SES.
    Ses,
    /// Amazon SNS.
    Sns,
}

/// Sends a message to a user.
#[async_trait]
pub trait Delivery: Send + Sync {
    /// Delivers `msg` the way `route` asks, as far as this deployment can.
    async fn deliver(&self, msg: &OutboundMessage, route: &Route) -> Result<Via, DeliveryError>;

    /// Whether email reaches users of a pool without its own SES identity: an SMTP server or
    /// the deployment's SES sender is configured, or (local runs) nothing real is and the
    /// outbox stands in. Email MFA needs it, as Cognito's needs an SES identity.
    fn sends_email_for_every_pool(&self) -> bool;
}

/// The deployment's transports, and the choice among them per message.
pub struct Transports {
    outbox: Outbox,
    smtp: Option<smtp::SmtpSender>,
    ses: Option<ses::SesSender>,
    sns: Option<sns::SnsSender>,
    /// The sender address when the pool names none.
    default_from: Option<String>,
    /// Email of pools without their own identity goes through SES from `default_from` (the
    /// deployed functions' `COGNITO_DEFAULT` sending).
    ses_default: bool,
    timeout: Duration,
}

impl Transports {
    /// The transports `config` names over `store`'s outbox; SES and SNS through `aws` when
    /// given; `ses_default` sends email of pools without their own identity through SES (the
    /// functions). Codes reach the log only when nothing real is configured. Connects to
    /// nothing yet.
    pub fn from_config(
        store: Arc<dyn Store>,
        config: &DeliveryConfig,
        aws: Option<&aws_types::SdkConfig>,
        ses_default: bool,
    ) -> Result<Self, Error> {
        let timeout = Duration::from_millis(config.timeout_ms);
        let real = config.smtp_url.is_some() || aws.is_some();
        let mut t = Self::outbox_only(Outbox::new(store, !real)).with_timeout(timeout);
        if let Some(url) = &config.smtp_url {
            t = t.with_smtp(smtp::SmtpSender::new(url, timeout)?);
        }
        if let Some(aws) = aws {
            t = t.with_aws(aws);
        }
        Ok(t.with_default_from(config.email_from.clone(), ses_default && aws.is_some()))
    }

    /// Only the outbox (tests and runs without any sender).
    pub fn outbox_only(outbox: Outbox) -> Self {
        Self {
            outbox,
            smtp: None,
            ses: None,
            sns: None,
            default_from: None,
            ses_default: false,
            timeout: Duration::from_millis(DEFAULT_DELIVERY_TIMEOUT_MS),
        }
    }

    /// With an SMTP server.
    pub fn with_smtp(mut self, smtp: smtp::SmtpSender) -> Self {
        self.smtp = Some(smtp);
        self
    }

    /// With SES and SNS (through `config`'s credentials and endpoints).
    pub fn with_aws(mut self, config: &aws_types::SdkConfig) -> Self {
        self.ses = Some(ses::SesSender::new(config));
        self.sns = Some(sns::SnsSender::new(config));
        self
    }

    /// With the sender address for pools that name none; `via_ses` sends those pools' email
    /// through SES (when no SMTP server is configured).
    pub fn with_default_from(mut self, from: Option<String>, via_ses: bool) -> Self {
        self.default_from = from;
        self.ses_default = via_ses;
        self
    }

    /// With a transport timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether any real transport is configured (else codes are logged for local use).
    pub fn has_real_transport(&self) -> bool {
        self.smtp.is_some() || self.ses.is_some() || self.sns.is_some()
    }

    /// A one-line description for the server's banner.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.smtp {
            parts.push(format!("email by SMTP ({})", s.describe()));
        }
        if self.ses.is_some() {
            parts.push("email by SES for DEVELOPER pools".to_string());
        }
        if self.sns.is_some() {
            parts.push("SMS by SNS for pools with SmsConfiguration".to_string());
        }
        if parts.is_empty() {
            return "the outbox (GET /_latchkey/outbox); no email or SMS is sent".into();
        }
        parts.push("anything else to the outbox".into());
        parts.join("; ")
    }

    async fn timed(
        &self,
        via: Via,
        send: impl std::future::Future<Output = Result<(), DeliveryError>>,
    ) -> Result<Via, DeliveryError> {
        match tokio::time::timeout(self.timeout, send).await {
            Ok(sent) => sent.map(|()| via),
            Err(_) => Err(DeliveryError::TimedOut(self.timeout.as_millis() as u64)),
        }
    }

    fn sender_for(&self, route: &Route) -> String {
        route
            .from
            .clone()
            .or_else(|| route.ses.as_ref().map(SesIdentity::default_from))
            .or_else(|| self.default_from.clone())
            .unwrap_or_else(|| DEFAULT_FROM.to_string())
    }
}

/// The sender of last resort (the SMTP transport without `--email-from`).
pub const DEFAULT_FROM: &str = "Latchkey <no-reply@localhost>";

#[async_trait]
impl Delivery for Transports {
    async fn deliver(&self, msg: &OutboundMessage, route: &Route) -> Result<Via, DeliveryError> {
        match msg.delivery_medium {
            DeliveryMedium::Email => {
                let from = self.sender_for(route);
                let reply_to = route.reply_to.as_deref();
                if let (Some(ses), Some(identity)) = (&self.ses, &route.ses) {
                    let send = ses.send(msg, &from, reply_to, Some(identity));
                    return self.timed(Via::Ses, send).await;
                }
                if let Some(smtp) = &self.smtp {
                    return self.timed(Via::Smtp, smtp.send(msg, &from, reply_to)).await;
                }
                if let (Some(ses), true) = (&self.ses, self.ses_default) {
                    return self
                        .timed(Via::Ses, ses.send(msg, &from, reply_to, None))
                        .await;
                }
            }
            DeliveryMedium::Sms => {
                if let (Some(sns), Some(role)) = (&self.sns, &route.sns) {
                    return self.timed(Via::Sns, sns.send(msg, role)).await;
                }
            }
        }
        self.outbox.keep(msg).await?;
        Ok(Via::Outbox)
    }

    fn sends_email_for_every_pool(&self) -> bool {
        self.smtp.is_some() || self.ses_default || !self.has_real_transport()
    }
}

/// The transports as shared by the App.
pub type SharedDelivery = Arc<dyn Delivery>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::store::sqlite::SqliteStore;
    use std::sync::Mutex;

    /// The log, captured.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn message(medium: DeliveryMedium, code: &str) -> OutboundMessage {
        OutboundMessage {
            pool_id: "us-east-1_Test".into(),
            username: "alice".into(),
            destination: "alice@example.com".into(),
            delivery_medium: medium,
            purpose: "SignUp".into(),
            code: Secret::new(code.into()),
            subject: "Your code".into(),
            message: Secret::new(format!("Your code is {code}")),
            created_ms: 0,
        }
    }

    fn transports(smtp: Option<&str>) -> Transports {
        let store = Arc::new(SqliteStore::in_memory().unwrap());
        let config = DeliveryConfig {
            smtp_url: smtp.map(|u| Secret::new(u.to_string())),
            email_from: None,
            timeout_ms: 500,
        };
        Transports::from_config(store, &config, None, false).unwrap()
    }

    #[tokio::test]
    async fn codes_reach_the_log_only_where_nothing_real_is_configured() {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::TRACE)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let route = Route::default();

        // With an SMTP server (here one that is down): the SMS still lands in the outbox, the
        // email fails; neither code is logged.
        let real = transports(Some("smtp://127.0.0.1:1"));
        let kept = real
            .deliver(&message(DeliveryMedium::Sms, "493817"), &route)
            .await;
        assert_eq!(kept.unwrap(), Via::Outbox);
        let failed = real
            .deliver(&message(DeliveryMedium::Email, "582046"), &route)
            .await;
        assert!(
            matches!(failed, Err(DeliveryError::Failed(_))),
            "{failed:?}"
        );
        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("outbox: message kept"), "{text}");
        assert!(
            !text.contains("493817") && !text.contains("582046"),
            "{text}"
        );

        // A local run with no transport prints the code, on purpose.
        let local = transports(None);
        assert!(local.sends_email_for_every_pool());
        local
            .deliver(&message(DeliveryMedium::Email, "730195"), &route)
            .await
            .unwrap();
        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("730195"), "{text}");
    }

    #[test]
    fn an_ses_identity_names_its_region_and_sender() {
        let id = SesIdentity {
            source_arn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com".into(),
            configuration_set: None,
        };
        assert_eq!(id.region(), Some("eu-west-1"));
        assert_eq!(id.default_from(), "no-reply@example.com");
        let address = SesIdentity {
            source_arn: "arn:aws:ses:us-east-1:123456789012:identity/me@example.com".into(),
            configuration_set: None,
        };
        assert_eq!(address.default_from(), "me@example.com");
    }
}
