//! Ending sessions and rotating refresh tokens: GlobalSignOut, AdminUserGlobalSignOut (via
//! [`sign_out_everywhere`]) and RevokeToken, through `refresh::revoke` (which also ends a session
//! whose rotated-out refresh token was reused). A revoked session's `origin_jti` is kept on the user record until its
//! tokens would have expired, so checking an access token costs no extra read.

use super::access::authorize_access;
use super::clients::load_client;
use super::model::{AppClient, User, UserPool};
use super::pools::load_pool;
use super::refresh::revoke;
use super::secret_hash;
use super::shapes::Empty;
use super::tokens::refresh_hash;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{AccessToken, ClientId};
use crate::secret::Secret;
use crate::App;
use serde::Deserialize;

/// Ends every session of a user.
pub async fn sign_out_everywhere(app: &App, pool: &UserPool, user: User) -> ApiResult<()> {
    revoke(app, pool, user, None).await
}

/// GlobalSignOut's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSignOutInput {
    access_token: AccessToken,
}

/// GlobalSignOut.
pub async fn global_sign_out(app: &App, input: GlobalSignOutInput) -> ApiResult<Empty> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    sign_out_everywhere(app, &ctx.pool, ctx.user).await?;
    Ok(Empty {})
}

/// RevokeToken's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeTokenInput {
    token: Secret<String>,
    client_id: ClientId,
    client_secret: Option<Secret<String>>,
}

/// RevokeToken: ends the refresh token's session and its access tokens.
pub async fn revoke_token(app: &App, input: RevokeTokenInput) -> ApiResult<Empty> {
    let client = load_client(app, input.client_id.as_str()).await?;
    secret_hash::check_client_secret(
        &client,
        input.client_secret.as_ref().map(|s| s.expose().as_str()),
        ErrorKind::Unauthorized,
    )?;
    revoke_for_client(app, &client, input.token.expose()).await?;
    Ok(Empty {})
}

/// Revokes refresh token `token` of an authenticated `client` (RevokeToken and the OAuth
/// revocation endpoint): its session and the access tokens issued from it end. An unknown
/// token is no error (RFC 7009); an access token is not revocable.
pub async fn revoke_for_client(app: &App, client: &AppClient, token: &str) -> ApiResult<()> {
    if !client.enable_token_revocation {
        return Err(ApiError::new(
            ErrorKind::UnsupportedOperation,
            "Token revocation is not enabled for this app client.",
        ));
    }
    if token.split('.').count() == 3 && token.starts_with("eyJ") {
        return Err(ApiError::new(
            ErrorKind::UnsupportedTokenType,
            "Unsupported token type.",
        ));
    }
    let Some(record) = app.store.get_refresh_token(&refresh_hash(token)).await? else {
        return Ok(());
    };
    if record.client_id != client.client_id {
        return Err(ApiError::new(
            ErrorKind::Unauthorized,
            "Token was not issued to this client.",
        ));
    }
    let pool = load_pool(app, &record.pool_id).await?;
    if let Some(user) = app.store.get_user(&pool.id, &record.username_key).await? {
        revoke(app, &pool, user, Some(&record.origin_jti)).await?;
    }
    Ok(())
}
