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
    /// Hosted-UI authorization endpoint (not implemented yet).
    pub authorization_endpoint: String,
    /// OAuth token endpoint (not implemented yet).
    pub token_endpoint: String,
    /// userInfo endpoint (not implemented yet).
    pub userinfo_endpoint: String,
    /// `code`, `token`.
    pub response_types_supported: Vec<&'static str>,
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
        // The hosted UI / OAuth endpoints are not implemented (README feature table).
        authorization_endpoint: format!("{base}/oauth2/authorize"),
        token_endpoint: format!("{base}/oauth2/token"),
        userinfo_endpoint: format!("{base}/oauth2/userInfo"),
        issuer,
        response_types_supported: vec!["code", "token"],
        scopes_supported: vec!["openid", "email", "phone", "profile"],
        subject_types_supported: vec!["public"],
        id_token_signing_alg_values_supported: vec!["RS256"],
        token_endpoint_auth_methods_supported: vec!["client_secret_basic", "client_secret_post"],
    })
}
