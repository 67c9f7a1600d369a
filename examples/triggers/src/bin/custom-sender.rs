//! `custom-sender`: a CustomEmailSender and CustomSMSSender trigger (LambdaConfig
//! `CustomEmailSender` / `CustomSMSSender` with `LambdaVersion` `V1_0`, and `KMSKeyID`).
//! Decrypts `request.code` as AWS's samples do: the AWS Encryption SDK with a KMS keyring on
//! the key in `KEY_ARN` and the REQUIRE_ENCRYPT_ALLOW_DECRYPT commitment policy (Cognito's
//! messages use a non-committing suite), and the encryption context `userpool-id` required.
//! Then "sends" the message by appending a JSON line to the file in `CUSTOM_SENDER_OUTBOX`.

use std::collections::HashMap;

use aws_esdk::material_providers::client as mpl_client;
use aws_esdk::material_providers::types::keyring::KeyringRef;
use aws_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
use aws_esdk::material_providers::types::EsdkCommitmentPolicy;
use aws_esdk::{AwsEncryptionSdkConfig, Client};
use base64::Engine;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use latchkey_example_triggers::custom_sender::{
    append, CustomSenderEvent, KEY_ARN_VAR, OUTBOX_VAR,
};

/// The ESDK client and the keyring, made once per cold start.
struct Decryptor {
    esdk: Client,
    keyring: KeyringRef,
}

impl Decryptor {
    async fn new() -> Result<Self, Error> {
        let key_arn =
            std::env::var(KEY_ARN_VAR).map_err(|_| format!("{KEY_ARN_VAR} is not set"))?;
        let config = AwsEncryptionSdkConfig::builder()
            .commitment_policy(EsdkCommitmentPolicy::RequireEncryptAllowDecrypt)
            .build()?;
        let esdk = Client::from_conf(config)?;
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let mpl = mpl_client::Client::from_conf(MaterialProvidersConfig::builder().build()?)?;
        let keyring = mpl
            .create_aws_kms_keyring()
            .kms_key_id(key_arn)
            .kms_client(aws_sdk_kms::Client::new(&sdk))
            .send()
            .await?;
        Ok(Self { esdk, keyring })
    }

    /// The plaintext of a Cognito `request.code`, made for pool `pool_id`.
    async fn decrypt(&self, code: &str, pool_id: &str) -> Result<String, Error> {
        let ciphertext = base64::engine::general_purpose::STANDARD.decode(code)?;
        let context = HashMap::from([("userpool-id".to_string(), pool_id.to_string())]);
        let out = self
            .esdk
            .decrypt()
            .ciphertext(aws_smithy_types::Blob::new(ciphertext))
            .keyring(self.keyring.clone())
            .encryption_context(context)
            .send()
            .await?;
        let plaintext = out.plaintext.ok_or("no plaintext")?.into_inner();
        Ok(String::from_utf8(plaintext)?)
    }
}

async fn handle(
    decryptor: &Result<Decryptor, String>,
    outbox: &str,
    event: CustomSenderEvent,
) -> Result<(), Error> {
    let code = match &event.request.code {
        Some(code) => {
            let decryptor = decryptor.as_ref().map_err(|e| e.clone())?;
            Some(decryptor.decrypt(code, &event.user_pool_id).await?)
        }
        None => None,
    };
    append(outbox, &event.message(code)?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    // Made once; without a key the function still starts, and refuses events with a code.
    let decryptor = Decryptor::new().await.map_err(|e| e.to_string());
    let outbox = std::env::var(OUTBOX_VAR).map_err(|_| format!("{OUTBOX_VAR} is not set"))?;
    let (decryptor, outbox) = (&decryptor, outbox.as_str());
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<CustomSenderEvent>| async move {
            handle(decryptor, outbox, event.payload).await
        },
    ))
    .await
}
