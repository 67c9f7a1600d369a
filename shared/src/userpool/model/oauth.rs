//! An app client's OAuth 2.0 settings (the `CallbackURLs` … `SupportedIdentityProviders`
//! members of CreateUserPoolClient / UpdateUserPoolClient), typed: the authorization server
//! (`crate::userpool::oauth`) reads them on every request.

use serde::{Deserialize, Serialize};

/// An `AllowedOAuthFlows` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthFlow {
    /// The authorization-code grant (with PKCE when the client sends a challenge).
    Code,
    /// The implicit grant (`response_type=token`).
    Implicit,
    /// The client-credentials grant (machine to machine, custom scopes only).
    ClientCredentials,
}

impl OAuthFlow {
    /// The wire names, in Cognito's order.
    pub const NAMES: &'static [&'static str] = &["code", "implicit", "client_credentials"];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthFlow::Code => "code",
            OAuthFlow::Implicit => "implicit",
            OAuthFlow::ClientCredentials => "client_credentials",
        }
    }
}

/// An app client's OAuth settings. The default is a client with OAuth off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthSettings {
    /// `AllowedOAuthFlowsUserPoolClient`: OAuth is on for this client.
    #[serde(default)]
    pub enabled: bool,
    /// `AllowedOAuthFlows`.
    #[serde(default)]
    pub flows: Vec<OAuthFlow>,
    /// `AllowedOAuthScopes`: standard scopes and `<resource server>/<scope>`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// `CallbackURLs`: where authorization responses may go (exact match).
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// `LogoutURLs`: where `/logout` may send the browser (exact match).
    #[serde(default)]
    pub logout_urls: Vec<String>,
    /// `DefaultRedirectURI` (one of `callback_urls`).
    #[serde(default)]
    pub default_redirect_uri: Option<String>,
    /// `SupportedIdentityProviders` (`COGNITO`, and federated providers by name).
    #[serde(default)]
    pub identity_providers: Vec<String>,
}

impl OAuthSettings {
    /// Whether `flow` is on for this client.
    pub fn allows(&self, flow: OAuthFlow) -> bool {
        self.enabled && self.flows.contains(&flow)
    }

    /// Whether the client may ask for `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}
