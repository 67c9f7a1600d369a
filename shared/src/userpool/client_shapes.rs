//! Output shapes of app clients: `UserPoolClientType` and `UserPoolClientDescription`.
//! The OAuth members come from the typed settings, as Cognito shows them (empty lists left out,
//! `AllowedOAuthFlowsUserPoolClient` always there); request members Latchkey stores without
//! acting on them (the record's `passthrough`) are echoed as sent.

use super::enums::{ExplicitAuthFlow, PreventUserExistenceErrors};
use super::model::{AppClient, OAuthFlow, TokenValidityUnits};
use crate::clock::epoch_seconds;
use serde::Serialize;
use serde_json::{Map, Value};

/// OAuth members that records written before the typed settings kept in `passthrough`; the
/// typed ones are shown instead.
const OAUTH_MEMBERS: &[&str] = &[
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
];

/// `UserPoolClientType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientType {
    /// The pool.
    pub user_pool_id: String,
    /// ClientName.
    pub client_name: String,
    /// Client id.
    pub client_id: String,
    /// Present when the client has a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Epoch seconds.
    pub last_modified_date: f64,
    /// Epoch seconds.
    pub creation_date: f64,
    /// In `token_validity_units.refresh_token`.
    pub refresh_token_validity: u64,
    /// In `token_validity_units.access_token`.
    pub access_token_validity: u64,
    /// In `token_validity_units.id_token`.
    pub id_token_validity: u64,
    /// Units of the three lifetimes.
    pub token_validity_units: TokenValidityUnits,
    /// Readable attributes, when restricted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_attributes: Option<Vec<String>>,
    /// Writable attributes, when restricted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_attributes: Option<Vec<String>>,
    /// The enabled flows.
    pub explicit_auth_flows: Vec<ExplicitAuthFlow>,
    /// LEGACY or ENABLED.
    pub prevent_user_existence_errors: PreventUserExistenceErrors,
    /// Whether RevokeToken works.
    pub enable_token_revocation: bool,
    /// Minutes a challenge session lives.
    pub auth_session_validity: u32,
    /// Whether OAuth is on (always present).
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    pub allowed_oauth_flows_user_pool_client: bool,
    /// OAuth grants.
    #[serde(rename = "AllowedOAuthFlows", skip_serializing_if = "Vec::is_empty")]
    pub allowed_oauth_flows: Vec<OAuthFlow>,
    /// OAuth scopes.
    #[serde(rename = "AllowedOAuthScopes", skip_serializing_if = "Vec::is_empty")]
    pub allowed_oauth_scopes: Vec<String>,
    /// Redirect URLs after sign-in.
    #[serde(rename = "CallbackURLs", skip_serializing_if = "Vec::is_empty")]
    pub callback_urls: Vec<String>,
    /// Redirect URLs after sign-out.
    #[serde(rename = "LogoutURLs", skip_serializing_if = "Vec::is_empty")]
    pub logout_urls: Vec<String>,
    /// The default callback URL.
    #[serde(rename = "DefaultRedirectURI", skip_serializing_if = "Option::is_none")]
    pub default_redirect_uri: Option<String>,
    /// Identity providers of the hosted sign-in.
    #[serde(
        rename = "SupportedIdentityProviders",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub supported_identity_providers: Vec<String>,
    /// Other members sent at creation, echoed.
    #[serde(flatten)]
    pub passthrough: Map<String, Value>,
}

impl From<&AppClient> for UserPoolClientType {
    fn from(c: &AppClient) -> Self {
        Self {
            user_pool_id: c.pool_id.clone(),
            client_name: c.client_name.clone(),
            client_id: c.client_id.clone(),
            client_secret: c.secret.as_ref().map(|s| s.expose().clone()),
            last_modified_date: epoch_seconds(c.modified_ms),
            creation_date: epoch_seconds(c.created_ms),
            refresh_token_validity: c.refresh_token_validity,
            access_token_validity: c.access_token_validity,
            id_token_validity: c.id_token_validity,
            token_validity_units: c.token_validity_units.clone(),
            read_attributes: c.read_attributes.clone(),
            write_attributes: c.write_attributes.clone(),
            explicit_auth_flows: c.explicit_auth_flows.clone(),
            prevent_user_existence_errors: c.prevent_user_existence_errors,
            enable_token_revocation: c.enable_token_revocation,
            auth_session_validity: c.auth_session_validity,
            allowed_oauth_flows_user_pool_client: c.oauth.enabled,
            allowed_oauth_flows: c.oauth.flows.clone(),
            allowed_oauth_scopes: c.oauth.scopes.clone(),
            callback_urls: c.oauth.callback_urls.clone(),
            logout_urls: c.oauth.logout_urls.clone(),
            default_redirect_uri: c.oauth.default_redirect_uri.clone(),
            supported_identity_providers: c.oauth.identity_providers.clone(),
            passthrough: c
                .passthrough
                .iter()
                .filter(|(k, _)| !OAUTH_MEMBERS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// `UserPoolClientDescription` (ListUserPoolClients).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientDescription {
    /// Client id.
    pub client_id: String,
    /// The pool.
    pub user_pool_id: String,
    /// ClientName.
    pub client_name: String,
}

impl From<&AppClient> for UserPoolClientDescription {
    fn from(c: &AppClient) -> Self {
        Self {
            client_id: c.client_id.clone(),
            user_pool_id: c.pool_id.clone(),
            client_name: c.client_name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::userpool::model::OAuthSettings;
    use serde_json::json;

    #[test]
    fn oauth_members_come_from_the_typed_settings() {
        let mut c = AppClient {
            pool_id: "p".into(),
            client_id: "c".into(),
            client_name: "n".into(),
            secret: None,
            created_ms: 0,
            modified_ms: 0,
            explicit_auth_flows: vec![ExplicitAuthFlow::AllowUserSrpAuth],
            refresh_token_validity: 30,
            access_token_validity: 1,
            id_token_validity: 1,
            token_validity_units: TokenValidityUnits::default(),
            read_attributes: Some(vec![]),
            write_attributes: None,
            prevent_user_existence_errors: PreventUserExistenceErrors::Enabled,
            enable_token_revocation: true,
            auth_session_validity: 3,
            oauth: Default::default(),
            passthrough: Map::new(),
        };
        let plain = serde_json::to_value(UserPoolClientType::from(&c)).unwrap();
        assert_eq!(plain["AllowedOAuthFlowsUserPoolClient"], false);
        for absent in [
            "ClientSecret",
            "WriteAttributes",
            "AllowedOAuthFlows",
            "AllowedOAuthScopes",
            "CallbackURLs",
            "LogoutURLs",
            "DefaultRedirectURI",
            "SupportedIdentityProviders",
        ] {
            assert!(plain.get(absent).is_none(), "{absent} in {plain}");
        }
        assert_eq!(plain["ReadAttributes"], json!([]));
        assert_eq!(
            plain["TokenValidityUnits"],
            json!({"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"})
        );
        assert_eq!(plain["ExplicitAuthFlows"], json!(["ALLOW_USER_SRP_AUTH"]));
        assert_eq!(plain["PreventUserExistenceErrors"], "ENABLED");

        c.oauth = OAuthSettings {
            enabled: true,
            flows: vec![OAuthFlow::Code, OAuthFlow::Implicit],
            scopes: vec!["openid".into(), "api/read".into()],
            callback_urls: vec!["https://app.example/cb".into()],
            logout_urls: vec![],
            default_redirect_uri: Some("https://app.example/cb".into()),
            identity_providers: vec!["COGNITO".into()],
        };
        // A record written before the typed settings: its echoed copy is not shown.
        c.passthrough
            .insert("AllowedOAuthFlowsUserPoolClient".into(), json!(false));
        c.passthrough.insert(
            "RefreshTokenRotation".into(),
            json!({"Feature": "DISABLED"}),
        );
        c.secret = Some(Secret::new("s3cret".into()));
        let sent = serde_json::to_value(UserPoolClientType::from(&c)).unwrap();
        assert_eq!(sent["AllowedOAuthFlowsUserPoolClient"], true);
        assert_eq!(sent["AllowedOAuthFlows"], json!(["code", "implicit"]));
        assert_eq!(sent["AllowedOAuthScopes"], json!(["openid", "api/read"]));
        assert_eq!(sent["CallbackURLs"], json!(["https://app.example/cb"]));
        assert!(sent.get("LogoutURLs").is_none());
        assert_eq!(sent["DefaultRedirectURI"], "https://app.example/cb");
        assert_eq!(sent["SupportedIdentityProviders"], json!(["COGNITO"]));
        assert_eq!(sent["RefreshTokenRotation"], json!({"Feature": "DISABLED"}));
        assert_eq!(sent["ClientSecret"], "s3cret");
    }
}
