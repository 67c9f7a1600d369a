//! The pool's public documents: JWKS and OpenID Connect discovery.

use super::pools::load_pool;
use crate::error::ApiResult;
use crate::App;
use serde_json::{json, Value};

/// `GET /{poolId}/.well-known/jwks.json`: both signing keys.
pub async fn jwks(app: &App, pool_id: &str) -> ApiResult<Value> {
    let pool = load_pool(app, pool_id).await?;
    let signers = app.signers(&pool)?;
    Ok(json!({ "keys": [signers.id.jwk(), signers.access.jwk()] }))
}

/// `GET /{poolId}/.well-known/openid-configuration`.
pub async fn openid_configuration(app: &App, pool_id: &str) -> ApiResult<Value> {
    let pool = load_pool(app, pool_id).await?;
    let issuer = app.settings.issuer(&pool.id);
    let base = &app.settings.issuer_base_url;
    Ok(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        // The hosted UI / OAuth endpoints are not implemented (README feature table).
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
}
