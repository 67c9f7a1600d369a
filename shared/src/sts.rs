//! The credential-issuer port: temporary AWS credentials for a role. The adapter calls STS
//! through the AWS SDK, so `AWS_ENDPOINT_URL_STS` points it at any STS-API server.

use crate::error::Error;
use crate::secret::Secret;
use async_trait::async_trait;

/// Temporary credentials.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// `ASIA...`.
    pub access_key_id: String,
    /// The secret key.
    pub secret_key: Secret<String>,
    /// The session token.
    pub session_token: Secret<String>,
    /// Expiry, epoch seconds.
    pub expiration: i64,
}

/// What to assume and how.
#[derive(Clone, Debug)]
pub struct RoleRequest {
    /// The role.
    pub role_arn: String,
    /// RoleSessionName (2..64 of `[\w+=,.@-]`).
    pub session_name: String,
    /// Session tags (principal tags).
    pub tags: Vec<(String, String)>,
    /// Lifetime, seconds.
    pub duration_secs: i32,
    /// For AssumeRoleWithWebIdentity: Latchkey's own OpenID token for the identity.
    pub web_identity_token: Option<Secret<String>>,
}

/// Why credentials could not be had.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// STS refused (e.g. the role does not trust the caller): a client-visible refusal.
    #[error("refused: {0}")]
    Refused(String),
    /// STS could not be reached or failed.
    #[error(transparent)]
    Fault(#[from] Error),
}

/// Mints temporary credentials for a role.
#[async_trait]
pub trait CredentialIssuer: Send + Sync {
    /// AssumeRole, or AssumeRoleWithWebIdentity when the request carries a token.
    async fn assume(&self, request: &RoleRequest) -> Result<Credentials, CredentialError>;
}

/// The STS adapter. Its SDK client is made on the first call, as the trigger invoker's
/// Lambda client is: building one parses the STS crate's endpoint partition table (about 0.43M
/// instructions under callgrind, more than a hello-world Lambda's whole start), which
/// GetId, GetOpenIdToken and every user-pool operation never need.
pub struct StsIssuer {
    config: aws_types::SdkConfig,
    client: std::sync::OnceLock<aws_sdk_sts::Client>,
}

impl StsIssuer {
    /// An issuer using the SDK's normal configuration.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self {
            config: config.clone(),
            client: std::sync::OnceLock::new(),
        }
    }

    /// The STS client, made on first use.
    fn client(&self) -> &aws_sdk_sts::Client {
        self.client
            .get_or_init(|| aws_sdk_sts::Client::new(&self.config))
    }
}

fn classify<
    E: std::error::Error + aws_sdk_sts::error::ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
>(
    e: aws_sdk_sts::error::SdkError<E, R>,
) -> CredentialError {
    match e.as_service_error() {
        Some(se) => {
            let code = se.code().unwrap_or("StsError").to_string();
            let faulty = matches!(
                code.as_str(),
                "InternalFailure" | "ServiceUnavailable" | "Throttling"
            );
            if faulty {
                CredentialError::Fault(Error::Store(format!("sts: {code}")))
            } else {
                CredentialError::Refused(format!("{code}: {}", se.message().unwrap_or_default()))
            }
        }
        None => CredentialError::Fault(Error::Store(format!(
            "sts: {}",
            aws_sdk_sts::error::DisplayErrorContext(&e)
        ))),
    }
}

fn convert(c: Option<&aws_sdk_sts::types::Credentials>) -> Result<Credentials, CredentialError> {
    let c = c.ok_or_else(|| {
        CredentialError::Fault(Error::Store("sts returned no credentials".into()))
    })?;
    Ok(Credentials {
        access_key_id: c.access_key_id().to_string(),
        secret_key: Secret::new(c.secret_access_key().to_string()),
        session_token: Secret::new(c.session_token().to_string()),
        expiration: c.expiration().secs(),
    })
}

#[async_trait]
impl CredentialIssuer for StsIssuer {
    async fn assume(&self, r: &RoleRequest) -> Result<Credentials, CredentialError> {
        if let Some(token) = &r.web_identity_token {
            let out = self
                .client()
                .assume_role_with_web_identity()
                .role_arn(&r.role_arn)
                .role_session_name(&r.session_name)
                .web_identity_token(token.expose())
                .duration_seconds(r.duration_secs)
                .send()
                .await
                .map_err(classify)?;
            return convert(out.credentials());
        }
        let mut call = self
            .client()
            .assume_role()
            .role_arn(&r.role_arn)
            .role_session_name(&r.session_name)
            .duration_seconds(r.duration_secs);
        for (k, v) in &r.tags {
            let tag = aws_sdk_sts::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| CredentialError::Fault(Error::Store(e.to_string())))?;
            call = call.tags(tag);
        }
        let out = call.send().await.map_err(classify)?;
        convert(out.credentials())
    }
}
