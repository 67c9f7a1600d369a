//! The pool's public documents: JWKS and OpenID Connect discovery.

use super::keys::Jwks;
use super::pools::load_pool;
use crate::error::ApiResult;
use crate::App;
use serde::Serialize;

/// The pool's OpenID Connect discovery document.
#[derive(Debug, Serialize)]
pub struct OpenIdConfiguration {
    /// The pool's issuer URL.
    pub issuer: String,
    /// Where the JWKS is.
    pub jwks_uri: String,
    /// The authorization endpoint (managed login).
    pub authorization_endpoint: String,
    /// The token endpoint.
    pub token_endpoint: String,
    /// The userInfo endpoint.
    pub userinfo_endpoint: String,
    /// The revocation endpoint (RFC 7009).
    pub revocation_endpoint: String,
    /// RP-initiated logout (`/logout` also takes Cognito's `client_id` + `logout_uri`).
    pub end_session_endpoint: String,
    /// `code`, `token`.
    pub response_types_supported: Vec<&'static str>,
    /// `query` (code) and `fragment` (implicit).
    pub response_modes_supported: Vec<&'static str>,
    /// The grants the token endpoint takes.
    pub grant_types_supported: Vec<&'static str>,
    /// PKCE: `S256` only.
    pub code_challenge_methods_supported: Vec<&'static str>,
    /// The revocation endpoint's client authentication.
    pub revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    /// `openid`, `email`, `phone`, `profile`.
    pub scopes_supported: Vec<&'static str>,
    /// `public`.
    pub subject_types_supported: Vec<&'static str>,
    /// `RS256`.
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    /// `client_secret_basic`, `client_secret_post`.
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
}

/// The pool's JWKS: both signing keys.
pub async fn jwks_document(app: &App, pool_id: &str) -> ApiResult<Jwks> {
    let pool = load_pool(app, pool_id).await?;
    let signers = app.signers(&pool)?;
    Ok(Jwks {
        keys: vec![signers.id.jwk(), signers.access.jwk()],
    })
}

/// The pool's discovery document.
pub async fn discovery(app: &App, pool_id: &str) -> ApiResult<OpenIdConfiguration> {
    let pool = load_pool(app, pool_id).await?;
    let issuer = app.settings.issuer(&pool.id);
    let base = &app.settings.issuer_base_url;
    Ok(OpenIdConfiguration {
        jwks_uri: format!("{issuer}/.well-known/jwks.json"),
        authorization_endpoint: format!("{base}/oauth2/authorize"),
        token_endpoint: format!("{base}/oauth2/token"),
        userinfo_endpoint: format!("{base}/oauth2/userInfo"),
        revocation_endpoint: format!("{base}/oauth2/revoke"),
        end_session_endpoint: format!("{base}/logout"),
        issuer,
        response_types_supported: vec!["code", "token"],
        response_modes_supported: vec!["query", "fragment"],
        grant_types_supported: vec![
            "authorization_code",
            "implicit",
            "refresh_token",
            "client_credentials",
        ],
        code_challenge_methods_supported: vec!["S256"],
        revocation_endpoint_auth_methods_supported: vec![
            "client_secret_basic",
            "client_secret_post",
        ],
        scopes_supported: vec!["openid", "email", "phone", "profile"],
        subject_types_supported: vec!["public"],
        id_token_signing_alg_values_supported: vec!["RS256"],
        token_endpoint_auth_methods_supported: vec!["client_secret_basic", "client_secret_post"],
    })
}
