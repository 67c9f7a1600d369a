//! The OAuth members of CreateUserPoolClient and UpdateUserPoolClient (`CallbackURLs`,
//! `LogoutURLs`, `DefaultRedirectURI`, `AllowedOAuthFlows`, `AllowedOAuthScopes`,
//! `AllowedOAuthFlowsUserPoolClient`, `SupportedIdentityProviders`), checked as Cognito checks
//! them and turned into the client's typed [`OAuthSettings`].

use super::enums::check_enum_list;
use super::model::{OAuthFlow, OAuthSettings};
use crate::error::{ApiError, ApiResult, ErrorKind};
use serde::Deserialize;

/// The scopes every pool has (custom ones are `<resource server>/<scope>`).
pub const STANDARD_SCOPES: &[&str] = &[
    "phone",
    "email",
    "openid",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// The identity provider every pool has: its own users.
pub const COGNITO_PROVIDER: &str = "COGNITO";

/// Hosts that may use plain `http` (a browser on the same machine).
const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// Most callback or logout URLs a client may have, and the longest one.
const MAX_URLS: usize = 100;
const MAX_URL_LEN: usize = 1024;

/// The OAuth members as sent; every one optional.
#[derive(Deserialize, Default)]
pub struct OAuthInput {
    #[serde(rename = "CallbackURLs")]
    callback_urls: Option<Vec<String>>,
    #[serde(rename = "LogoutURLs")]
    logout_urls: Option<Vec<String>>,
    #[serde(rename = "DefaultRedirectURI")]
    default_redirect_uri: Option<String>,
    /// Read as strings so an unknown flow gets Cognito's enum text.
    #[serde(rename = "AllowedOAuthFlows")]
    allowed_oauth_flows: Option<Vec<String>>,
    #[serde(rename = "AllowedOAuthScopes")]
    allowed_oauth_scopes: Option<Vec<String>>,
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    allowed_oauth_flows_user_pool_client: Option<bool>,
    #[serde(rename = "SupportedIdentityProviders")]
    supported_identity_providers: Option<Vec<String>>,
}

/// Checks the OAuth members of a client (`has_secret`: whether the client has a secret) and returns its settings; members not sent take their defaults (none, off).
pub fn oauth_settings(input: OAuthInput, has_secret: bool) -> ApiResult<OAuthSettings> {
    let callback_urls = urls("callbackURLs", input.callback_urls.unwrap_or_default())?;
    let logout_urls = urls("logoutURLs", input.logout_urls.unwrap_or_default())?;
    if let Some(d) = &input.default_redirect_uri {
        check_url(d)?;
        if !callback_urls.contains(d) {
            return Err(ApiError::invalid(format!(
                "The default redirect URI {d} is not in the callback URIs list."
            )));
        }
    }
    let flow_names = input.allowed_oauth_flows.unwrap_or_default();
    check_enum_list("allowedOAuthFlows", &flow_names, OAuthFlow::NAMES)?;
    let mut flows: Vec<OAuthFlow> = Vec::new();
    for f in flow_names.iter().filter_map(|n| flow(n)) {
        if !flows.contains(&f) {
            flows.push(f);
        }
    }
    let scopes = dedup(input.allowed_oauth_scopes.unwrap_or_default());
    for s in &scopes {
        check_scope(s)?;
    }
    let machine = flows.contains(&OAuthFlow::ClientCredentials);
    let browser = flows
        .iter()
        .any(|f| matches!(f, OAuthFlow::Code | OAuthFlow::Implicit));
    if machine && browser {
        return Err(oauth_flow(
            "client_credentials flow can not be selected along with code flow or implicit flow.",
        ));
    }
    if machine && !has_secret {
        return Err(oauth_flow(
            "client_credentials flow can not be selected if client does not have a client secret.",
        ));
    }
    if machine {
        if let Some(s) = scopes
            .iter()
            .find(|s| STANDARD_SCOPES.contains(&s.as_str()))
        {
            return Err(oauth_flow(format!(
                "{s} is not supported with client_credentials flow"
            )));
        }
    }
    if browser && callback_urls.is_empty() {
        return Err(oauth_flow(
            "CallbackUrls can not be empty when code flow or implicit flow is selected",
        ));
    }
    let enabled = input.allowed_oauth_flows_user_pool_client.unwrap_or(false);
    if enabled && (flows.is_empty() || scopes.is_empty()) {
        return Err(oauth_flow(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
        ));
    }
    // That each names COGNITO or a provider of the pool is checked by the operation, which
    // can read the store (`idps::ops::supported_providers_exist`).
    let identity_providers = dedup(input.supported_identity_providers.unwrap_or_default());
    Ok(OAuthSettings {
        enabled,
        flows,
        scopes,
        callback_urls,
        logout_urls,
        default_redirect_uri: input.default_redirect_uri,
        identity_providers,
    })
}

fn oauth_flow(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidOAuthFlow, message)
}

fn flow(name: &str) -> Option<OAuthFlow> {
    match name {
        "code" => Some(OAuthFlow::Code),
        "implicit" => Some(OAuthFlow::Implicit),
        "client_credentials" => Some(OAuthFlow::ClientCredentials),
        _ => None,
    }
}

/// The list without repeats, in the order sent (Cognito keeps a set).
fn dedup(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for v in list {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// A standard scope, or `<resource server>/<scope>` (its shape here; that a resource server
/// defines it is checked by the operation, which can read the store); anything else is a
/// scope the pool does not have.
fn check_scope(scope: &str) -> ApiResult<()> {
    let custom = scope
        .split_once('/')
        .is_some_and(|(server, name)| !server.is_empty() && !name.is_empty());
    if STANDARD_SCOPES.contains(&scope) || custom {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorKind::ScopeDoesNotExist,
        format!("Invalid scope requested: {scope}"),
    ))
}

fn urls(member: &str, list: Vec<String>) -> ApiResult<Vec<String>> {
    if list.len() > MAX_URLS {
        return Err(ApiError::constraint(
            member,
            &format!("Member must have length less than or equal to {MAX_URLS}"),
        ));
    }
    let list = dedup(list);
    for u in &list {
        if u.is_empty() || u.len() > MAX_URL_LEN {
            return Err(ApiError::constraint(
                member,
                &format!(
                    "Member must satisfy constraint: [Member must have length less than or equal to {MAX_URL_LEN}, Member must have length greater than or equal to 1]"
                ),
            ));
        }
        check_url(u)?;
    }
    Ok(list)
}

/// A redirect URL: absolute, without a fragment, and https unless the host is a loopback
/// one. Other schemes (`myapp://callback`) are an app's own and allowed.
pub fn check_url(url: &str) -> ApiResult<()> {
    let Some((scheme, rest)) = url.split_once(':') else {
        return Err(not_absolute(url));
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() || url.chars().any(char::is_whitespace) {
        return Err(not_absolute(url));
    }
    if url.contains('#') {
        return Err(ApiError::invalid(format!("{url} cannot use fragment")));
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "http" || scheme == "https" {
        let host = rest.strip_prefix("//").map(host_of).unwrap_or_default();
        if host.is_empty() {
            return Err(not_absolute(url));
        }
        let loopback = LOOPBACK_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host));
        if scheme == "http" && !loopback {
            return Err(ApiError::invalid(format!(
                "{url} cannot use the HTTP protocol."
            )));
        }
    }
    Ok(())
}

/// The host of `authority[/path...]`: no user info, no port, IPv6 literals in brackets.
fn host_of(after_slashes: &str) -> &str {
    let end = after_slashes
        .find(['/', '?', '#'])
        .unwrap_or(after_slashes.len());
    let authority = &after_slashes[..end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.starts_with('[') {
        return host_port.find(']').map_or("", |i| &host_port[..=i]);
    }
    host_port.split(':').next().unwrap_or_default()
}

fn not_absolute(url: &str) -> ApiError {
    ApiError::invalid(format!("{url} is not a valid absolute URL."))
}

#[cfg(test)]
#[path = "client_oauth_tests.rs"]
mod tests;
