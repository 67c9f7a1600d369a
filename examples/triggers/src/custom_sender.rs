//! CustomEmailSender / CustomSMSSender: the user pool hands the message to the function
//! instead of sending it, with `request.code` (a code or a temporary password) encrypted by the
//! AWS Encryption SDK under the pool's KMS key. The function decrypts it (in the binary, with
//! the ESDK and a KMS keyring) and delivers it; this module holds the event's shape and what
//! the example "sends": one JSON line per message appended to a file, so a test can read it.

use std::collections::HashMap;
use std::io::Write;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;

/// The environment variable naming the file the example appends its messages to.
pub const OUTBOX_VAR: &str = "CUSTOM_SENDER_OUTBOX";
/// The environment variable holding the KMS key ARN the codes are encrypted under (the pool's
/// `LambdaConfig.KMSKeyID`), as in AWS's samples.
pub const KEY_ARN_VAR: &str = "KEY_ARN";

/// A custom sender event (`aws_lambda_events` 1.2 has no type for it).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomSenderEvent {
    /// "1".
    pub version: String,
    /// `CustomEmailSender_SignUp`, `CustomSMSSender_ForgotPassword`, ...
    pub trigger_source: String,
    /// The pool's region.
    pub region: String,
    /// The pool's id, which is also the ciphertext's encryption context (`userpool-id`).
    pub user_pool_id: String,
    /// The user's name.
    pub user_name: String,
    /// `awsSdkVersion` and `clientId`.
    #[serde(default)]
    pub caller_context: Value,
    /// What to send.
    pub request: CustomSenderRequest,
}

/// The event's `request`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomSenderRequest {
    /// `customEmailSenderRequestV1` or `customSMSSenderRequestV1`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The encrypted code, base64; null for messages without one.
    pub code: Option<String>,
    /// The ClientMetadata of the API call.
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
    /// The user's attributes.
    #[serde(default)]
    pub user_attributes: HashMap<String, String>,
}

/// What the example "sends": one line of the outbox file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sent {
    /// The event's `triggerSource`.
    pub trigger_source: String,
    /// The pool.
    pub user_pool_id: String,
    /// The user.
    pub user_name: String,
    /// The e-mail address or phone number.
    pub destination: String,
    /// The decrypted code, if the event had one.
    pub code: Option<String>,
}

impl CustomSenderEvent {
    /// Whether this is an SMS (else an e-mail).
    pub fn is_sms(&self) -> bool {
        self.request.kind == "customSMSSenderRequestV1"
    }

    /// The message for `code` (already decrypted): to the user's `phone_number` for SMS, else
    /// their `email`.
    pub fn message(&self, code: Option<String>) -> Result<Sent, Error> {
        let attribute = if self.is_sms() {
            "phone_number"
        } else {
            "email"
        };
        let destination = self
            .request
            .user_attributes
            .get(attribute)
            .filter(|d| !d.is_empty())
            .ok_or_else(|| format!("The user has no {attribute}"))?
            .clone();
        Ok(Sent {
            trigger_source: self.trigger_source.clone(),
            user_pool_id: self.user_pool_id.clone(),
            user_name: self.user_name.clone(),
            destination,
            code,
        })
    }
}

/// Appends `sent` as one JSON line to the file at `path` (one write, so concurrent calls do
/// not interleave).
pub fn append(path: &str, sent: &Sent) -> Result<(), Error> {
    let mut line = serde_json::to_vec(sent)?;
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(&line)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> CustomSenderEvent {
        let path = format!(
            "{}/../../events/triggers/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn email_goes_to_the_email_address_and_sms_to_the_phone() {
        let email = sample("custom-email-sender.json");
        assert!(!email.is_sms());
        let sent = email.message(Some("123456".into())).unwrap();
        assert_eq!(sent.destination, "alice@example.com");
        assert_eq!(sent.trigger_source, "CustomEmailSender_SignUp");
        let sms = sample("custom-sms-sender.json");
        assert!(sms.is_sms());
        assert_eq!(sms.message(None).unwrap().destination, "+15555550100");
    }

    #[test]
    fn a_user_without_the_attribute_is_refused() {
        let mut email = sample("custom-email-sender.json");
        email.request.user_attributes.remove("email");
        let e = email.message(None).unwrap_err();
        assert_eq!(e.to_string(), "The user has no email");
    }

    #[test]
    fn lines_are_appended() {
        let dir = std::env::temp_dir().join(format!("outbox-{}", std::process::id()));
        let path = dir.to_string_lossy().to_string();
        let sent = sample("custom-sms-sender.json")
            .message(Some("1".into()))
            .unwrap();
        append(&path, &sent).unwrap();
        append(&path, &sent).unwrap();
        let text = std::fs::read_to_string(&dir).unwrap();
        std::fs::remove_file(&dir).unwrap();
        let lines: Vec<Sent> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines, vec![sent.clone(), sent]);
    }
}
