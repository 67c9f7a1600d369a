//! The admin access keys `cognito-api` verifies SigV4 signatures with, fetched when the first
//! signed request needs them (once per instance, retried after a failure) rather than at
//! init: a Secrets Manager call at init made that function's cold start about 3x the others'.

use crate::config::AdminKeySource;
use crate::protocol::sigv4::AccessKey;
use crate::secret::Secret;
use crate::Error;
use tokio::sync::OnceCell;

/// The keys, or where to get them.
pub struct AdminKeys {
    source: AdminKeySource,
    sdk: Option<aws_types::SdkConfig>,
    keys: OnceCell<Vec<AccessKey>>,
}

impl AdminKeys {
    /// Keys known now (tests, and keys given in the environment).
    pub fn ready(keys: Vec<AccessKey>) -> Self {
        Self {
            source: AdminKeySource::None,
            sdk: None,
            keys: OnceCell::new_with(Some(keys)),
        }
    }

    /// Keys from `source`: at once when they are in the environment (or none are configured),
    /// from Secrets Manager through `sdk` on first use otherwise.
    pub fn from_source(source: &AdminKeySource, sdk: &aws_types::SdkConfig) -> Self {
        match source {
            AdminKeySource::None => Self::ready(Vec::new()),
            AdminKeySource::Env { key_id, secret } => {
                Self::ready(vec![AccessKey::new(key_id.clone(), secret.clone())])
            }
            AdminKeySource::SecretsManager { .. } => Self {
                source: source.clone(),
                sdk: Some(sdk.clone()),
                keys: OnceCell::new(),
            },
        }
    }

    /// Whether no key is configured at all (every signed operation is refused).
    pub fn none_configured(&self) -> bool {
        matches!(self.source, AdminKeySource::None) && self.keys.get().is_some_and(Vec::is_empty)
    }

    /// The keys, fetching them on the first call.
    pub async fn get(&self) -> Result<&[AccessKey], Error> {
        let keys = self.keys.get_or_try_init(|| self.fetch()).await?;
        Ok(keys.as_slice())
    }

    async fn fetch(&self) -> Result<Vec<AccessKey>, Error> {
        let (AdminKeySource::SecretsManager { key_id, secret_id }, Some(sdk)) =
            (&self.source, &self.sdk)
        else {
            return Ok(Vec::new());
        };
        let client = aws_sdk_secretsmanager::Client::new(sdk);
        let out = client
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(|e| {
                Error::Config(format!(
                    "reading LATCHKEY_ADMIN_SECRET_ID {secret_id}: {}",
                    aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
                ))
            })?;
        let secret = out
            .secret_string()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::Config(format!(
                    "LATCHKEY_ADMIN_SECRET_ID {secret_id} has no secret string"
                ))
            })?;
        Ok(vec![AccessKey::new(
            key_id.clone(),
            Secret::new(secret.to_string()),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_from_the_environment_are_ready_and_none_is_known() {
        let none = AdminKeys::ready(Vec::new());
        assert!(none.none_configured());
        assert!(none.get().await.unwrap().is_empty());
    }

    /// Against a real Secrets Manager API (moto, as `scripts/test.sh` starts it): nothing is
    /// read until the keys are asked for, a failed read is not cached, and the secret read
    /// is the one used.
    #[tokio::test]
    async fn the_secret_is_read_at_first_use_and_a_failure_is_retried() {
        let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL_SECRETS_MANAGER") else {
            println!(
                "SKIPPED: AWS_ENDPOINT_URL_SECRETS_MANAGER is not set (scripts/test.sh sets it)"
            );
            return;
        };
        let sdk = crate::sdk_http::load_config("us-east-1").await.unwrap();
        let secret_id = format!("latchkey-admin-{}", std::process::id());
        let source = AdminKeySource::SecretsManager {
            key_id: "AKIDADMIN".into(),
            secret_id: secret_id.clone(),
        };
        let keys = AdminKeys::from_source(&source, &sdk);
        assert!(
            !keys.none_configured(),
            "a Secrets Manager key is configured"
        );
        let missing = keys.get().await.map(<[AccessKey]>::len);
        assert!(missing.is_err(), "no secret yet at {endpoint}: {missing:?}");
        let client = aws_sdk_secretsmanager::Client::new(&sdk);
        client
            .create_secret()
            .name(&secret_id)
            .secret_string("admin-secret-value")
            .send()
            .await
            .expect("CreateSecret");
        let got = keys.get().await.expect("read after the secret exists");
        assert_eq!(got.len(), 1);
        assert!(format!("{:?}", got[0]).contains("AKIDADMIN"));
        assert!(!format!("{:?}", got[0]).contains("admin-secret-value"));
        let _ = client
            .delete_secret()
            .secret_id(&secret_id)
            .force_delete_without_recovery(true)
            .send()
            .await;
    }
}
