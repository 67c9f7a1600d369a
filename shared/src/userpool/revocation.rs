//! Ending sessions and rotating refresh tokens: GlobalSignOut, AdminUserGlobalSignOut (via
//! [`sign_out_everywhere`]) and RevokeToken; [`revoke`] also ends a session whose rotated-out
//! refresh token was reused (see `refresh`). A revoked session's `origin_jti` is kept on the user record until its
//! tokens would have expired, so checking an access token costs no extra read.

use super::clients::load_client;
use super::model::{AppClient, RevokedOrigin, User, UserPool};
use super::pools::load_pool;
use super::tokens::{authorize_access, refresh_hash};
use super::users::modify_user_if;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::protocol::fields::{AccessToken, ClientId};
use crate::secret::{constant_time_eq, Secret};
use crate::App;
use serde::Deserialize;
use serde_json::{json, Value};

/// Longest an ID or access token can live (1 day): how long a revoked origin is remembered.
const MAX_TOKEN_SECS: i64 = 86_400;

/// Ends the given sessions (all of the user's when `origin` is None): refresh tokens are
/// revoked and their access tokens refused from now on.
pub async fn revoke(app: &App, pool: &UserPool, user: User, origin: Option<&str>) -> ApiResult<()> {
    let origins: Vec<String> = match origin {
        Some(o) => vec![o.to_string()],
        None => app
            .store
            .list_refresh_tokens(&pool.id, &user.username_key)
            .await?
            .into_iter()
            .filter(|r| !r.revoked)
            .map(|r| r.origin_jti)
            .collect(),
    };
    app.store
        .revoke_refresh_tokens(&pool.id, &user.username_key, origin)
        .await?;
    let now = app.clock.now_secs();
    modify_user_if(app, pool, user, |u| {
        let kept = u.revoked_origins.len();
        u.revoked_origins.retain(|r| r.until > now);
        let mut changed = u.revoked_origins.len() != kept;
        for o in &origins {
            if !u.revoked_origins.iter().any(|r| &r.origin_jti == o) {
                u.revoked_origins.push(RevokedOrigin {
                    origin_jti: o.clone(),
                    until: now + MAX_TOKEN_SECS,
                });
                changed = true;
            }
        }
        Ok(changed)
    })
    .await?;
    Ok(())
}

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
pub async fn global_sign_out(app: &App, input: GlobalSignOutInput) -> ApiResult<Value> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    sign_out_everywhere(app, &ctx.pool, ctx.user).await?;
    Ok(json!({}))
}

/// Checks the raw ClientSecret that RevokeToken and GetTokensFromRefreshToken take.
pub fn check_client_secret(
    client: &AppClient,
    sent: Option<&str>,
    kind: ErrorKind,
) -> ApiResult<()> {
    let Some(secret) = &client.secret else {
        return Ok(());
    };
    match sent {
        Some(s) if constant_time_eq(s.as_bytes(), secret.expose().as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::new(
            kind,
            format!(
                "Unable to verify secret hash for client {}",
                client.client_id
            ),
        )),
        None => Err(ApiError::new(
            kind,
            format!(
                "Client {} is configured for secret but secret was not received",
                client.client_id
            ),
        )),
    }
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
pub async fn revoke_token(app: &App, input: RevokeTokenInput) -> ApiResult<Value> {
    let client = load_client(app, input.client_id.as_str()).await?;
    if !client.enable_token_revocation {
        return Err(ApiError::new(
            ErrorKind::UnsupportedOperation,
            "Token revocation is not enabled for this app client.",
        ));
    }
    check_client_secret(
        &client,
        input.client_secret.as_ref().map(|s| s.expose().as_str()),
        ErrorKind::Unauthorized,
    )?;
    let token = input.token.expose();
    if token.split('.').count() == 3 && token.starts_with("eyJ") {
        return Err(ApiError::new(
            ErrorKind::UnsupportedTokenType,
            "Unsupported token type.",
        ));
    }
    let Some(record) = app.store.get_refresh_token(&refresh_hash(token)).await? else {
        // RFC 7009: revoking an unknown token is not an error.
        return Ok(json!({}));
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
    Ok(json!({}))
}
