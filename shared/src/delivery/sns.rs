//! The SNS transport: as Cognito does, assume the pool's `SnsCallerArn` role through STS (with
//! its `ExternalId`), then `Publish` the text to the phone number as a transactional SMS. The
//! role's credentials are kept until shortly before they expire. The SDK reads
//! `AWS_ENDPOINT_URL_STS` and `AWS_ENDPOINT_URL_SNS`.

use super::{aws_failure, DeliveryError, SnsRole};
use crate::userpool::model::OutboundMessage;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_sns::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_sns::types::MessageAttributeValue;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How long before expiry a role's credentials are renewed.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// SNS clients per (role, external id, region), with their credentials' expiry.
pub struct SnsSender {
    config: aws_types::SdkConfig,
    sts: std::sync::OnceLock<aws_sdk_sts::Client>,
    clients: Mutex<HashMap<SnsRole, (aws_sdk_sns::Client, SystemTime)>>,
}

/// SNS error codes that mean this number or message is refused.
const REFUSALS: &[&str] = &["InvalidParameter", "InvalidParameterValue", "OptedOut"];

impl SnsSender {
    /// A sender using the SDK's configuration.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self {
            config: config.clone(),
            sts: std::sync::OnceLock::new(),
            clients: Mutex::new(HashMap::new()),
        }
    }

    fn cached(&self, role: &SnsRole) -> Option<aws_sdk_sns::Client> {
        let clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        let (client, expires) = clients.get(role)?;
        (SystemTime::now() + RENEW_BEFORE < *expires).then(|| client.clone())
    }

    /// The SNS client acting as `role`.
    async fn client(&self, role: &SnsRole) -> Result<aws_sdk_sns::Client, DeliveryError> {
        if let Some(c) = self.cached(role) {
            return Ok(c);
        }
        let sts = self
            .sts
            .get_or_init(|| aws_sdk_sts::Client::new(&self.config));
        let mut assume = sts
            .assume_role()
            .role_arn(role.caller_arn.clone())
            .role_session_name("latchkey-sms");
        if let Some(id) = &role.external_id {
            assume = assume.external_id(id.clone());
        }
        let assumed = assume.send().await.map_err(|e| {
            let detail = DisplayErrorContext(&e).to_string();
            match e.code() {
                Some(_) => DeliveryError::RoleRefused(detail),
                None => DeliveryError::Failed(detail),
            }
        })?;
        let creds = assumed.credentials().ok_or_else(|| {
            DeliveryError::RoleRefused("AssumeRole returned no credentials".into())
        })?;
        let expires =
            SystemTime::try_from(*creds.expiration()).unwrap_or_else(|_| SystemTime::now());
        let provider = aws_credential_types::Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_string()),
            Some(expires),
            "latchkey-sns-role",
        );
        let mut b = aws_sdk_sns::config::Builder::from(&self.config)
            .credentials_provider(SharedCredentialsProvider::new(provider));
        if let Some(r) = &role.region {
            b = b.region(aws_types::region::Region::new(r.clone()));
        }
        let client = aws_sdk_sns::Client::from_conf(b.build());
        self.clients
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(role.clone(), (client.clone(), expires));
        Ok(client)
    }

    /// Publishes `msg` to its phone number.
    pub async fn send(&self, msg: &OutboundMessage, role: &SnsRole) -> Result<(), DeliveryError> {
        let client = self.client(role).await?;
        let transactional = MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|e| DeliveryError::Failed(e.to_string()))?;
        let sent = client
            .publish()
            .phone_number(msg.destination.clone())
            .message(msg.message.expose().clone())
            .message_attributes("AWS.SNS.SMS.SMSType", transactional)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(e) => Err(aws_failure(
                e.code(),
                DisplayErrorContext(&e).to_string(),
                REFUSALS,
            )),
        }
    }
}
