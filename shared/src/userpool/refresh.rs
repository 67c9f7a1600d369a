//! Redeeming a refresh token: the one rule every flow that takes a refresh token follows
//! (InitiateAuth and AdminInitiateAuth `REFRESH_TOKEN_AUTH`, GetTokensFromRefreshToken).
//! With the client's `RefreshTokenRotation` enabled a token rotates exactly once; a rotated-out
//! token still answers within `RetryGracePeriodSeconds`, and after it its reuse revokes the
//! whole session (the token family). As in Cognito, a rotating client refreshes only through
//! GetTokensFromRefreshToken: `REFRESH_TOKEN_AUTH` is refused there ([`refuse_if_rotating`]),
//! so no flow can hand out tokens for a rotated-out refresh token.

use super::clients::load_client;
use super::directory::modify_user_if;
use super::model::{AppClient, RefreshRecord, RevokedOrigin, User, UserPool};
use super::pools::load_pool;
use super::secret_hash::check_client_secret;
use super::tokens::{self, refresh_hash, Issued, Origin, TokenSource};
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::Secret;
use crate::store::StoreError;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// Checks a refresh token for `client`: known, not revoked, not expired, presented with the
/// device it is bound to (if any), user enabled.
async fn refresh_session(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    token: &str,
    device_key: Option<&str>,
) -> ApiResult<(RefreshRecord, User, Origin)> {
    let invalid = || ApiError::not_authorized("Invalid Refresh Token");
    let username_key = tokens::refresh_locator(token).ok_or_else(invalid)?;
    let (record, user) = app
        .store
        .get_refresh_session(&refresh_hash(token), &pool.id, &username_key)
        .await?;
    let record = record
        .filter(|r| r.client_id == client.client_id && r.pool_id == pool.id)
        .filter(|r| r.username_key == username_key)
        .ok_or_else(invalid)?;
    if record.revoked {
        return Err(ApiError::not_authorized("Refresh Token has been revoked"));
    }
    if app.clock.now_millis() >= record.expires_ms {
        return Err(ApiError::not_authorized("Refresh Token has expired"));
    }
    // A session signed in on a device refreshes only with that device's key (Cognito answers
    // the same "Invalid Refresh Token" to a missing or wrong DEVICE_KEY).
    if record.device_key.is_some() && record.device_key.as_deref() != device_key {
        return Err(invalid());
    }
    let user = user.ok_or_else(invalid)?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    let origin = Origin {
        origin_jti: record.origin_jti.clone(),
        auth_time: record.auth_time,
        scopes: record.scopes.clone(),
        device_key: record.device_key.clone(),
    };
    Ok((record, user, origin))
}

/// The client's RefreshTokenRotation: Some(grace seconds) when enabled.
fn rotation(client: &AppClient) -> Option<i64> {
    let r = client.passthrough.get("RefreshTokenRotation")?;
    (r.get("Feature")?.as_str()? == "ENABLED").then(|| {
        r.get("RetryGracePeriodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(0)
    })
}

/// Cognito: "You can't authenticate with REFRESH_TOKEN_AUTH in app clients with refresh token
/// rotation enabled."
pub fn refuse_if_rotating(client: &AppClient) -> ApiResult<()> {
    if rotation(client).is_some() {
        return Err(ApiError::invalid(
            "REFRESH_TOKEN_AUTH is not allowed for app clients with refresh token rotation \
             enabled; use GetTokensFromRefreshToken.",
        ));
    }
    Ok(())
}

fn reused() -> ApiError {
    ApiError::new(
        ErrorKind::RefreshTokenReuse,
        "Refresh token has been reused.",
    )
}

/// Redeems `token` for new ID and access tokens (and, under rotation, a new refresh token).
/// `check` runs on the token's user before anything is issued (the SECRET_HASH check of
/// InitiateAuth). Tokens are issued before the old refresh token is rotated out, so a
/// PreTokenGeneration refusal leaves the old token usable.
pub async fn redeem(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    token: &str,
    check: impl FnOnce(&User) -> ApiResult<()>,
) -> ApiResult<Issued> {
    let device_key = app.request().device_key();
    let (record, user, origin) = refresh_session(app, pool, client, token, device_key).await?;
    check(&user)?;
    let now = app.clock.now_millis();
    let grace = rotation(client);
    if let (Some(grace), Some(rotated)) = (grace, record.rotated_ms) {
        if now - rotated > grace * 1000 {
            return Err(reuse_detected(app, pool, user, &record).await);
        }
    }
    let source = TokenSource::RefreshTokens;
    let mut issued = tokens::issue(app, pool, client, &user, Some(origin.clone()), source).await?;
    let (Some(grace), None) = (grace, record.rotated_ms) else {
        return Ok(issued);
    };
    let (new_token, fresh) = tokens::new_refresh_record(app, pool, client, &user, &origin);
    match app
        .store
        .rotate_refresh_token(&record.token_hash, now, &fresh)
        .await
    {
        Ok(()) => issued.refresh_token = Some(new_token),
        // Another request rotated it a moment ago: inside a grace period this is the retry
        // the grace period is for; without one it is reuse.
        Err(StoreError::Conflict) if grace > 0 => {}
        Err(StoreError::Conflict) => return Err(reuse_detected(app, pool, user, &record).await),
        Err(e) => return Err(e.into()),
    }
    Ok(issued)
}

async fn reuse_detected(
    app: &App,
    pool: &UserPool,
    user: User,
    record: &RefreshRecord,
) -> ApiError {
    match revoke(app, pool, user, Some(&record.origin_jti)).await {
        Ok(()) => reused(),
        Err(e) => e,
    }
}

/// GetTokensFromRefreshToken's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensInput {
    refresh_token: Secret<String>,
    /// Checked against the model's ClientIdType before the operation runs.
    client_id: String,
    client_secret: Option<Secret<String>>,
}

/// GetTokensFromRefreshToken.
/// GetTokensFromRefreshToken's reply.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensOutput {
    authentication_result: Issued,
}

/// GetTokensFromRefreshToken.
pub async fn get_tokens_from_refresh_token(
    app: &Call<'_>,
    input: GetTokensInput,
) -> ApiResult<GetTokensOutput> {
    let client = load_client(app, &input.client_id).await?;
    let pool = load_pool(app, &client.pool_id).await?;
    check_client_secret(
        &client,
        input.client_secret.as_ref().map(|s| s.expose().as_str()),
        ErrorKind::NotAuthorized,
    )?;
    let token = input.refresh_token.expose();
    let issued = redeem(app, &pool, &client, token, |_| Ok(())).await?;
    Ok(GetTokensOutput {
        authentication_result: issued,
    })
}
