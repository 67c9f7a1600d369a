//! Identity-pool records as stored: pools (with roles, role mappings and principal-tag maps)
//! and identities (with the logins linked to them).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A user pool trusted by an identity pool (`CognitoIdentityProviders[]`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct CognitoProvider {
    /// `cognito-idp.{region}.amazonaws.com/{poolId}`.
    pub provider_name: String,
    /// The app client whose ID tokens are accepted.
    pub client_id: String,
    /// Also refuse signed-out and revoked users.
    #[serde(default)]
    pub server_side_token_check: bool,
}

/// A provider's principal-tag map (`SetPrincipalTagAttributeMap`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PrincipalTagMap {
    /// Use the provider type's default map.
    pub use_defaults: bool,
    /// tag key → claim name.
    pub tags: BTreeMap<String, String>,
}

/// An identity pool.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IdentityPool {
    /// `{region}:{uuid}`.
    pub id: String,
    /// IdentityPoolName.
    pub name: String,
    /// AllowUnauthenticatedIdentities.
    pub allow_unauthenticated: bool,
    /// AllowClassicFlow (GetOpenIdToken for the basic flow). Cognito refuses GetOpenIdToken
    /// only when it is set to false; a pool created without it allows the call.
    #[serde(default)]
    pub allow_classic_flow: Option<bool>,
    /// External providers: issuer host (e.g. `accounts.google.com`) → accepted client id(s),
    /// comma-separated.
    pub supported_login_providers: BTreeMap<String, String>,
    /// DeveloperProviderName.
    pub developer_provider_name: Option<String>,
    /// OpenIdConnectProviderARNs (stored; the audience comes from SupportedLoginProviders).
    pub openid_connect_provider_arns: Vec<String>,
    /// Trusted user pools.
    pub cognito_identity_providers: Vec<CognitoProvider>,
    /// SamlProviderARNs: IAM SAML providers whose responses are logins.
    pub saml_provider_arns: Vec<String>,
    /// IdentityPoolTags.
    pub tags: Map<String, Value>,
    /// `Roles.authenticated`.
    pub authenticated_role: Option<String>,
    /// `Roles.unauthenticated`.
    pub unauthenticated_role: Option<String>,
    /// RoleMappings as sent (validated), keyed by provider.
    pub role_mappings: Map<String, Value>,
    /// Principal-tag maps by provider name.
    pub principal_tags: BTreeMap<String, PrincipalTagMap>,
    /// Creation time, epoch ms.
    pub created_ms: i64,
}

/// An identity.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Identity {
    /// Pool.
    pub pool_id: String,
    /// `{region}:{uuid}`.
    pub id: String,
    /// Provider names of linked logins.
    pub logins: Vec<String>,
    /// Claim keys of linked logins (`provider|subject`), unique per pool.
    pub login_keys: Vec<String>,
    /// Creation time, epoch ms.
    pub created_ms: i64,
    /// Last change, epoch ms.
    pub modified_ms: i64,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Set when its last login was unlinked: the identity can no longer be used (Cognito:
    /// "the Cognito identity becomes inaccessible"), not even as a guest.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inaccessible: bool,
}
