//! External identity providers of a user pool (`IdentityProviderType`): the provider's name and
//! type, its `ProviderDetails` (client id and secret, scopes, endpoints), how its claims map to
//! pool attributes, and the identifiers that pick it on the authorize endpoint.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Cognito's `IdentityProviderTypeType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderType {
    /// A SAML 2.0 identity provider.
    #[serde(rename = "SAML")]
    Saml,
    /// Facebook (OAuth 2.0, Graph API attributes).
    Facebook,
    /// Google (OIDC).
    Google,
    /// Login with Amazon (OAuth 2.0, profile API attributes).
    LoginWithAmazon,
    /// Sign in with Apple (OIDC; its client secret is a JWT Latchkey signs).
    SignInWithApple,
    /// Any OpenID Connect provider.
    #[serde(rename = "OIDC")]
    Oidc,
}

impl ProviderType {
    /// The wire name (`SAML`, `Google`, `OIDC`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderType::Saml => "SAML",
            ProviderType::Facebook => "Facebook",
            ProviderType::Google => "Google",
            ProviderType::LoginWithAmazon => "LoginWithAmazon",
            ProviderType::SignInWithApple => "SignInWithApple",
            ProviderType::Oidc => "OIDC",
        }
    }

    /// Social providers' names must equal their type.
    pub fn is_social(self) -> bool {
        !matches!(self, ProviderType::Saml | ProviderType::Oidc)
    }

    /// The claim that identifies a user of this provider by default (Cognito's: `sub` for
    /// the OIDC ones, `id` for Facebook, `user_id` for Amazon; SAML: the NameID).
    pub fn subject_claim(self) -> &'static str {
        match self {
            ProviderType::Facebook => "id",
            ProviderType::LoginWithAmazon => "user_id",
            _ => "sub",
        }
    }
}

/// `ProviderDetails` keys whose values are secrets: kept, returned by Describe as Cognito
/// does, never shown by `Debug`.
pub const SECRET_DETAILS: &[&str] = &["client_secret", "private_key", "latchkey:encryption_key"];

/// One identity provider of a pool.
#[derive(Clone, Serialize, Deserialize)]
pub struct IdentityProvider {
    /// The pool.
    pub pool_id: String,
    /// `ProviderName` (unique in the pool; a social provider's is its type).
    pub name: String,
    /// `ProviderType`.
    pub provider_type: ProviderType,
    /// `ProviderDetails`, as Describe returns them (endpoints filled in for social providers
    /// and discovered OIDC issuers).
    pub details: BTreeMap<String, String>,
    /// `AttributeMapping`: pool attribute → provider claim.
    pub attribute_mapping: BTreeMap<String, String>,
    /// `IdpIdentifiers` (each unique in the pool).
    pub idp_identifiers: Vec<String>,
    /// Created, epoch ms.
    pub created_ms: i64,
    /// Last modified, epoch ms.
    pub modified_ms: i64,
}

impl IdentityProvider {
    /// A detail's value, if set and not empty.
    pub fn detail(&self, key: &str) -> Option<&str> {
        self.details
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

impl std::fmt::Debug for IdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let details: BTreeMap<&str, &str> = self
            .details
            .iter()
            .map(|(k, v)| {
                let shown = if SECRET_DETAILS.contains(&k.as_str()) {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("IdentityProvider")
            .field("pool_id", &self.pool_id)
            .field("name", &self.name)
            .field("provider_type", &self.provider_type)
            .field("details", &details)
            .field("attribute_mapping", &self.attribute_mapping)
            .field("idp_identifiers", &self.idp_identifiers)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let idp = IdentityProvider {
            pool_id: "us-east-1_a".into(),
            name: "Google".into(),
            provider_type: ProviderType::Google,
            details: BTreeMap::from([
                ("client_id".into(), "cid".into()),
                ("client_secret".into(), "s3cret-value".into()),
            ]),
            attribute_mapping: BTreeMap::new(),
            idp_identifiers: vec![],
            created_ms: 0,
            modified_ms: 0,
        };
        let shown = format!("{idp:?}");
        assert!(shown.contains("cid") && !shown.contains("s3cret-value"));
        assert_eq!(
            serde_json::to_value(ProviderType::Oidc).unwrap(),
            serde_json::json!("OIDC")
        );
    }
}
