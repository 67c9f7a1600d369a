//! A login that passed verification ([`VerifiedLogin`]), its kinds, the key that links it to
//! one identity, and the checks and refusals every login verifier shares ("Invalid login
//! token. ..."). The verifiers themselves are in [`super::logins`], [`super::social`] and
//! [`super::own_token`].

use crate::error::{ApiError, ApiResult};
use serde_json::{Map, Value};

/// What kind of provider vouched for a login (role mapping keys, default principal tags and
/// the `amr` of OpenID tokens differ by kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginKind {
    /// A user pool's ID token.
    UserPool,
    /// An OIDC ID token (Google, Apple, any OIDC issuer).
    Oidc,
    /// A Facebook access token.
    Facebook,
    /// A Login with Amazon access token.
    Amazon,
    /// A SAML response from an IAM SAML provider.
    Saml,
    /// A developer user identifier (GetOpenIdTokenForDeveloperIdentity only).
    Developer,
    /// Latchkey's own identity OpenID token (`cognito-identity.amazonaws.com`): proves the
    /// identity in its `sub`, links nothing.
    CognitoToken,
}

/// A login that passed verification.
#[derive(Debug, Clone)]
pub struct VerifiedLogin {
    /// The provider name as the client sent it.
    pub provider: String,
    /// The provider's user id (the token's `sub`, Facebook's or Amazon's user id, the
    /// developer user identifier; for a Cognito token, the identity id).
    pub subject: String,
    /// Its claims (role rules and principal tags read them).
    pub claims: Map<String, Value>,
    /// The RoleMappings key: `provider:clientId` for user pools, the provider otherwise.
    pub mapping_key: String,
    /// Which kind of provider.
    pub kind: LoginKind,
}

impl VerifiedLogin {
    /// The key that links this login to one identity.
    pub fn login_key(&self) -> String {
        login_key(&self.provider, &self.subject)
    }

    /// Whether this login links to an identity (a Cognito token only proves one).
    pub fn links(&self) -> bool {
        self.kind != LoginKind::CognitoToken
    }
}

/// The key that links a provider's user to one identity: `provider|subject`.
pub fn login_key(provider: &str, subject: &str) -> String {
    format!("{provider}|{subject}")
}

/// NotAuthorizedException "Invalid login token. {why}".
pub fn invalid(why: &str) -> ApiError {
    ApiError::not_authorized(format!("Invalid login token. {why}"))
}

/// "Token is not from a supported provider of this identity pool."
pub fn unsupported() -> ApiError {
    ApiError::not_authorized("Token is not from a supported provider of this identity pool.")
}

/// Refuses a token whose `exp` is missing or not after `now`.
pub fn expiry(claims: &Map<String, Value>, now: i64) -> ApiResult<()> {
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("Missing exp."))?;
    if now >= exp {
        return Err(invalid(&format!("Token expired: {exp} >= {now}")));
    }
    Ok(())
}

/// The token's `sub`.
pub fn subject(claims: &Map<String, Value>) -> ApiResult<String> {
    claims
        .get("sub")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| invalid("Missing sub."))
}

/// The audiences of a token (`aud` may be a string or a list).
pub fn audiences(claims: &Map<String, Value>) -> Vec<String> {
    match claims.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}
