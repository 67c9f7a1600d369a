//! The SES transport (SES v2 `SendEmail`): a pool's own identity (`SourceArn`, called in the
//! identity's region, with its configuration set), or the deployment's sender. The SDK reads
//! `AWS_ENDPOINT_URL_SESV2`, so tests point it at moto on loopback.

use super::{aws_failure, looks_like_html, plain_text, DeliveryError, SesIdentity};
use crate::userpool::model::OutboundMessage;
use aws_sdk_sesv2::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use std::collections::HashMap;
use std::sync::Mutex;

/// SES clients, one per region, made on first use.
pub struct SesSender {
    config: aws_types::SdkConfig,
    clients: Mutex<HashMap<String, aws_sdk_sesv2::Client>>,
}

/// Error codes that mean SES refused this sender or destination (not a passing fault).
const REFUSALS: &[&str] = &[
    "MessageRejected",
    "MailFromDomainNotVerifiedException",
    "NotFoundException",
    "BadRequestException",
    "AccountSuspendedException",
    "SendingPausedException",
];

impl SesSender {
    /// A sender using the SDK's configuration.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self {
            config: config.clone(),
            clients: Mutex::new(HashMap::new()),
        }
    }

    fn client(&self, region: Option<&str>) -> aws_sdk_sesv2::Client {
        let key = region.unwrap_or("").to_string();
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients
            .entry(key)
            .or_insert_with(|| {
                let mut b = aws_sdk_sesv2::config::Builder::from(&self.config);
                if let Some(r) = region {
                    b = b.region(aws_types::region::Region::new(r.to_string()));
                }
                aws_sdk_sesv2::Client::from_conf(b.build())
            })
            .clone()
    }

    /// Sends `msg` from `from`, through `identity` when the pool has one.
    pub async fn send(
        &self,
        msg: &OutboundMessage,
        from: &str,
        reply_to: Option<&str>,
        identity: Option<&SesIdentity>,
    ) -> Result<(), DeliveryError> {
        let body = msg.message.expose();
        let text = |data: String| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| DeliveryError::Failed(e.to_string()))
        };
        let mut content = Body::builder();
        if looks_like_html(body) {
            content = content
                .html(text(body.clone())?)
                .text(text(plain_text(body))?);
        } else {
            content = content.text(text(body.clone())?);
        }
        let message = Message::builder()
            .subject(text(msg.subject.clone())?)
            .body(content.build())
            .build();
        let client = self.client(identity.and_then(SesIdentity::region));
        let mut request = client
            .send_email()
            .from_email_address(from)
            .destination(
                Destination::builder()
                    .to_addresses(msg.destination.clone())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build());
        if let Some(r) = reply_to {
            request = request.reply_to_addresses(r);
        }
        if let Some(id) = identity {
            request = request.from_email_address_identity_arn(id.source_arn.clone());
            if let Some(set) = &id.configuration_set {
                request = request.configuration_set_name(set.clone());
            }
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(e) => Err(aws_failure(
                e.code(),
                DisplayErrorContext(&e).to_string(),
                REFUSALS,
            )),
        }
    }
}
