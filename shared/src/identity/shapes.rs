//! Output shapes of the identity-pool operations: the `IdentityPool` description, identities,
//! credentials, and the claims of Latchkey's own OpenID token. Dates are epoch seconds.

use super::model::{CognitoProvider, Identity, IdentityPool, PrincipalTagMap};
use crate::clock::epoch_seconds;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `IdentityPool` (Create/Describe/UpdateIdentityPool's reply).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityPoolType {
    /// `{region}:{uuid}`.
    pub identity_pool_id: String,
    /// IdentityPoolName.
    pub identity_pool_name: String,
    /// AllowUnauthenticatedIdentities.
    pub allow_unauthenticated_identities: bool,
    /// AllowClassicFlow, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_classic_flow: Option<bool>,
    /// Issuer host → client id(s).
    pub supported_login_providers: BTreeMap<String, String>,
    /// DeveloperProviderName, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub developer_provider_name: Option<String>,
    /// OpenIdConnectProviderARNs.
    #[serde(rename = "OpenIdConnectProviderARNs")]
    pub open_id_connect_provider_arns: Vec<String>,
    /// Trusted user pools.
    pub cognito_identity_providers: Vec<CognitoProvider>,
    /// SamlProviderARNs.
    #[serde(rename = "SamlProviderARNs")]
    pub saml_provider_arns: Vec<String>,
    /// IdentityPoolTags, as sent.
    pub identity_pool_tags: Map<String, Value>,
}

impl From<&IdentityPool> for IdentityPoolType {
    fn from(p: &IdentityPool) -> Self {
        Self {
            identity_pool_id: p.id.clone(),
            identity_pool_name: p.name.clone(),
            allow_unauthenticated_identities: p.allow_unauthenticated,
            allow_classic_flow: p.allow_classic_flow,
            supported_login_providers: p.supported_login_providers.clone(),
            developer_provider_name: p.developer_provider_name.clone(),
            open_id_connect_provider_arns: p.openid_connect_provider_arns.clone(),
            cognito_identity_providers: p.cognito_identity_providers.clone(),
            saml_provider_arns: p.saml_provider_arns.clone(),
            identity_pool_tags: p.tags.clone(),
        }
    }
}

/// `IdentityPoolShortDescription` (ListIdentityPools).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityPoolShortDescription {
    /// Pool id.
    pub identity_pool_id: String,
    /// IdentityPoolName.
    pub identity_pool_name: String,
}

/// `IdentityDescription` (DescribeIdentity, ListIdentities).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityDescription {
    /// `{region}:{uuid}`.
    pub identity_id: String,
    /// Provider names of the linked logins.
    pub logins: Vec<String>,
    /// Epoch seconds.
    pub creation_date: f64,
    /// Epoch seconds.
    pub last_modified_date: f64,
}

impl From<&Identity> for IdentityDescription {
    fn from(i: &Identity) -> Self {
        Self {
            identity_id: i.id.clone(),
            logins: i.logins.clone(),
            creation_date: epoch_seconds(i.created_ms),
            last_modified_date: epoch_seconds(i.modified_ms),
        }
    }
}

/// Set/GetPrincipalTagAttributeMap's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrincipalTagMapOutput {
    /// The pool.
    pub identity_pool_id: String,
    /// The provider the map is for.
    pub identity_provider_name: String,
    /// Whether the provider's default map is used.
    pub use_defaults: bool,
    /// tag key → claim name.
    pub principal_tags: BTreeMap<String, String>,
}

impl PrincipalTagMapOutput {
    /// The map of `provider` in pool `pool_id`.
    pub fn of(pool_id: &str, provider: &str, m: &PrincipalTagMap) -> Self {
        Self {
            identity_pool_id: pool_id.to_string(),
            identity_provider_name: provider.to_string(),
            use_defaults: m.use_defaults,
            principal_tags: m.tags.clone(),
        }
    }
}

/// `Credentials` of GetCredentialsForIdentity.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Credentials {
    /// AWS access key id.
    pub access_key_id: String,
    /// AWS secret key.
    pub secret_key: String,
    /// Session token.
    pub session_token: String,
    /// Expiry, epoch seconds.
    pub expiration: i64,
}

/// The claims of Latchkey's OpenID token for an identity.
#[derive(Debug, Serialize)]
pub struct OpenIdClaims {
    /// The identity issuer.
    pub iss: String,
    /// The identity pool.
    pub aud: String,
    /// The identity.
    pub sub: String,
    /// `unauthenticated`, or `authenticated` with the provider and the login.
    pub amr: Vec<String>,
    /// Issued at, epoch seconds.
    pub iat: i64,
    /// Expiry, epoch seconds.
    pub exp: i64,
    /// Principal tags for STS, when the pool maps any.
    #[serde(
        rename = "https://aws.amazon.com/tags",
        skip_serializing_if = "Option::is_none"
    )]
    pub tags: Option<TagsClaim>,
}

/// The `https://aws.amazon.com/tags` claim.
#[derive(Debug, Serialize)]
pub struct TagsClaim {
    /// tag key → `[value]`.
    pub principal_tags: BTreeMap<String, Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn open_id_claims_carry_tags_only_when_mapped() {
        let mut claims = OpenIdClaims {
            iss: "i".into(),
            aud: "a".into(),
            sub: "s".into(),
            amr: vec!["unauthenticated".into()],
            iat: 1,
            exp: 2,
            tags: None,
        };
        assert_eq!(
            serde_json::to_value(&claims).unwrap(),
            json!({"iss": "i", "aud": "a", "sub": "s", "amr": ["unauthenticated"],
                   "iat": 1, "exp": 2})
        );
        claims.tags = Some(TagsClaim {
            principal_tags: [("k".to_string(), vec!["v".to_string()])].into(),
        });
        assert_eq!(
            serde_json::to_value(&claims).unwrap()["https://aws.amazon.com/tags"],
            json!({"principal_tags": {"k": ["v"]}})
        );
    }
}
