//! A measurement device, not a test fake: a credential issuer that answers fixed credentials
//! at once, for figures of Latchkey's own work in GetCredentialsForIdentity (STS time is
//! measured separately, with moto, over HTTP).

use async_trait::async_trait;
use latchkey::secret::Secret;
use latchkey::sts::{CredentialError, CredentialIssuer, Credentials, RoleRequest};

/// Answers every AssumeRole with the same credentials, immediately.
pub struct FixedCredentials;

#[async_trait]
impl CredentialIssuer for FixedCredentials {
    async fn assume(&self, r: &RoleRequest) -> Result<Credentials, CredentialError> {
        Ok(Credentials {
            access_key_id: "ASIAFIXEDBENCHMARK00".into(),
            secret_key: Secret::new("fixed-secret".into()),
            session_token: Secret::new(format!("fixed-session-{}", r.session_name)),
            expiration: i64::from(r.duration_secs),
        })
    }
}
