//! The data-key port and its KMS adapter: a fresh data key under a pool's `KMSKeyID`, bound to
//! an encryption context, as an ESDK KMS keyring makes one (GenerateDataKey, 32 bytes). The
//! SDK reads `AWS_ENDPOINT_URL_KMS`, so any KMS-API server (moto in the tests) can stand in.

use crate::error::Error;
use crate::esdk::{EncryptedDataKey, DATA_KEY_LEN};
use crate::secret::Secret;
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use tokio::sync::OnceCell;

/// A data key: the plaintext (kept secret) and its copy encrypted by KMS.
pub struct DataKey {
    /// The plaintext key.
    pub plaintext: Secret<[u8; DATA_KEY_LEN]>,
    /// The encrypted copy that goes into the message header.
    pub encrypted: EncryptedDataKey,
}

/// Why no data key was made.
#[derive(Debug, thiserror::Error)]
pub enum KmsError {
    /// KMS refused (unknown or disabled key, access denied): its error code and message.
    #[error("kms refused: {0}")]
    Refused(String),
    /// KMS could not be reached, or answered something unusable.
    #[error(transparent)]
    Fault(#[from] Error),
}

/// Makes data keys.
#[async_trait]
pub trait DataKeys: Send + Sync {
    /// A new 32-byte data key under `key_id`, bound to `context`.
    async fn generate(
        &self,
        key_id: &str,
        context: &BTreeMap<String, String>,
    ) -> Result<DataKey, KmsError>;
}

/// The KMS adapter. Its client is made on first use, so deployments without custom senders
/// never build it.
pub struct Kms {
    region: String,
    client: OnceCell<aws_sdk_kms::Client>,
}

impl Kms {
    /// An adapter using the normal AWS configuration, in `default_region` when none is set.
    pub fn new(default_region: &str) -> Self {
        Self {
            region: default_region.to_string(),
            client: OnceCell::new(),
        }
    }

    async fn client(&self) -> Result<&aws_sdk_kms::Client, Error> {
        self.client
            .get_or_try_init(|| async {
                let sdk = crate::sdk_http::load_config(&self.region).await?;
                Ok(aws_sdk_kms::Client::new(&sdk))
            })
            .await
    }
}

#[async_trait]
impl DataKeys for Kms {
    async fn generate(
        &self,
        key_id: &str,
        context: &BTreeMap<String, String>,
    ) -> Result<DataKey, KmsError> {
        let context: HashMap<String, String> = context.clone().into_iter().collect();
        let out = self
            .client()
            .await?
            .generate_data_key()
            .key_id(key_id)
            .number_of_bytes(DATA_KEY_LEN as i32)
            .set_encryption_context(Some(context))
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(se) => {
                    use aws_sdk_kms::error::ProvideErrorMetadata;
                    KmsError::Refused(format!(
                        "{}: {}",
                        se.code().unwrap_or("KMSError"),
                        se.message().unwrap_or_default()
                    ))
                }
                None => KmsError::Fault(Error::Store(format!(
                    "kms: {}",
                    aws_sdk_kms::error::DisplayErrorContext(&e)
                ))),
            })?;
        let unusable = |what: &str| KmsError::Fault(Error::Store(format!("kms: {what}")));
        let plaintext: [u8; DATA_KEY_LEN] = out
            .plaintext
            .map(|b| b.into_inner())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| unusable("GenerateDataKey returned no 32-byte key"))?;
        let ciphertext = out
            .ciphertext_blob
            .map(|b| b.into_inner())
            .ok_or_else(|| unusable("GenerateDataKey returned no ciphertext"))?;
        // The keyring records the key's ARN as KMS names it, whatever alias was asked for.
        let arn = out
            .key_id
            .filter(|k| k.starts_with("arn:"))
            .ok_or_else(|| unusable("GenerateDataKey returned no key ARN"))?;
        Ok(DataKey {
            plaintext: Secret::new(plaintext),
            encrypted: EncryptedDataKey {
                provider_id: "aws-kms".into(),
                provider_info: arn,
                ciphertext,
            },
        })
    }
}
