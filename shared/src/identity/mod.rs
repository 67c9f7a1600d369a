//! The identity pool: exchanges a login (a Latchkey user pool's ID token, an OIDC provider's
//! such as Google's or Apple's, a Facebook or Login with Amazon access token, or a developer
//! provider's identity token) for temporary AWS credentials, choosing the IAM role by role
//! rules.

pub mod credentials;
pub mod developer;
pub mod identities;
pub mod jwks;
pub mod logins;
pub mod model;
pub mod own_token;
pub mod pools;
pub mod rules;
pub mod saml;
pub mod shapes;
pub mod social;
pub mod tags;
pub mod unlink;
pub mod verified;

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
    /// Where SAML providers' metadata is read (None: SAML logins answer a configuration
    /// error).
    pub saml_providers: Option<Arc<dyn crate::iam::SamlProviders>>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            web_identity: false,
            duration_secs: 3600,
            saml_providers: None,
        }
    }
}
