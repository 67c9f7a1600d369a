//! The identity pool: exchanges a login (a Latchkey user pool's ID token, or any OIDC
//! provider's) for temporary AWS credentials, choosing the IAM role by role rules.

pub mod credentials;
pub mod identities;
pub mod jwks;
pub mod logins;
pub mod model;
pub mod pools;
pub mod rules;
pub mod shapes;
pub mod tags;

use crate::sts::CredentialIssuer;
use std::sync::Arc;

/// How credentials are vended.
#[derive(Clone)]
pub struct IdentityConfig {
    /// The STS port (None: GetCredentialsForIdentity answers an internal error, logged).
    pub issuer: Option<Arc<dyn CredentialIssuer>>,
    /// Enhanced mode: AssumeRoleWithWebIdentity with Latchkey's own OpenID token, so roles
    /// trust Latchkey as an IAM OIDC provider instead of trusting the vending function.
    pub web_identity: bool,
    /// Credential lifetime, seconds.
    pub duration_secs: i32,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            web_identity: false,
            duration_secs: 3600,
        }
    }
}
