//! The client-credentials grant's token (machine to machine): the token endpoint authenticates
//! the client, then calls [`client_credentials`] for the access token.
//!
//! As in Cognito: the client must allow the `client_credentials` flow; each requested scope
//! must be one of the client's and defined by a resource server of the pool; no `scope` means
//! every custom scope of the client that a resource server defines. The token is signed with
//! the pool's access key and carries Cognito's M2M claims (`sub` = `client_id` = the client,
//! `version` 2, no `username`, `origin_jti` or `event_id`), so it verifies where access tokens
//! do; operations for a signed-in user refuse it for want of the admin scope.

use super::jwt;
use super::model::{AppClient, OAuthFlow, UserPool};
use super::resource_servers::{scope_exists, split_custom_scope};
use crate::call::Call;
use crate::error::ApiError;
use serde::Serialize;

/// An M2M access token. `Debug` never shows the token.
pub struct M2mToken {
    /// The signed access token.
    pub access_token: String,
    /// Its lifetime, seconds (the client's access-token validity).
    pub expires_in: u64,
}

impl std::fmt::Debug for M2mToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("M2mToken")
            .field("access_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Why no token was issued (the token endpoint's `error`).
#[derive(Debug)]
pub enum M2mRefusal {
    /// `unauthorized_client`: the client may not use the client-credentials grant.
    UnauthorizedClient,
    /// `invalid_scope`: a scope is not the client's or not defined, or there is none at all.
    InvalidScope,
    /// An internal fault (`server_error`).
    Fault(ApiError),
}

impl From<ApiError> for M2mRefusal {
    fn from(e: ApiError) -> Self {
        M2mRefusal::Fault(e)
    }
}

impl From<crate::Error> for M2mRefusal {
    fn from(e: crate::Error) -> Self {
        M2mRefusal::Fault(e.into())
    }
}

/// Cognito's M2M access-token claims, in its order.
#[derive(Serialize)]
struct M2mClaims<'a> {
    sub: &'a str,
    token_use: &'static str,
    scope: &'a str,
    auth_time: i64,
    iss: &'a str,
    exp: i64,
    iat: i64,
    version: u8,
    jti: String,
    client_id: &'a str,
}

/// The scopes to grant: the requested ones (space-separated), or all the client's defined
/// custom scopes; every one must be the client's and defined by a resource server.
async fn granted(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    scope: Option<&str>,
) -> Result<Vec<String>, M2mRefusal> {
    let requested: Vec<&str> = scope
        .map(|s| s.split_whitespace().collect())
        .unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    if requested.is_empty() {
        for s in &client.oauth.scopes {
            if split_custom_scope(s).is_some() && scope_exists(app, &pool.id, s).await? {
                out.push(s.clone());
            }
        }
    } else {
        for s in requested {
            if !client.oauth.has_scope(s) || !scope_exists(app, &pool.id, s).await? {
                return Err(M2mRefusal::InvalidScope);
            }
            if !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
    }
    if out.is_empty() {
        return Err(M2mRefusal::InvalidScope);
    }
    Ok(out)
}

/// Issues the client-credentials access token for `client` (already authenticated by its
/// secret) with the scopes `scope` asks for (see the module's rules).
pub async fn client_credentials(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    scope: Option<&str>,
) -> Result<M2mToken, M2mRefusal> {
    if !client.oauth.allows(OAuthFlow::ClientCredentials) {
        return Err(M2mRefusal::UnauthorizedClient);
    }
    let scopes = granted(app, pool, client, scope).await?.join(" ");
    let signers = app.signers(pool)?;
    let issuer = app.settings.issuer(&pool.id);
    let now = app.clock.now_secs();
    let ttl = client.access_ttl();
    let claims = M2mClaims {
        sub: &client.client_id,
        token_use: "access",
        scope: &scopes,
        auth_time: now,
        iss: &issuer,
        exp: now + ttl as i64,
        iat: now,
        version: 2,
        jti: crate::random::uuid_v4(app.random.as_ref()),
        client_id: &client.client_id,
    };
    Ok(M2mToken {
        access_token: jwt::encode(&signers.access, &claims),
        expires_in: ttl,
    })
}

#[cfg(test)]
#[path = "tests/oauth_m2m.rs"]
mod tests;
