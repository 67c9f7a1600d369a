//! Access-token checks: the operations a signed-in user calls with their access token
//! (GetUser, ChangePassword, GlobalSignOut...) verify it here: signature, `iss`,
//! `token_use`, expiry, the admin scope, and that the user still exists, is enabled and has
//! not signed this session out.

use super::jwt::{self, Claims, Expect, JwtError, Registered};
use super::model::{AppClient, User, UserPool};
use crate::error::{ApiError, ApiResult};
use crate::App;
use serde::Deserialize;
use std::sync::Arc;

/// The scope of tokens from API sign-in.
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// The claims an access token is checked by (a PreTokenGeneration function may narrow
/// `scope`; the others are reserved), read straight from its payload: every signed-in call
/// checks one, and only these members are kept.
#[derive(Deserialize)]
struct AccessClaims {
    /// The issuer URL, whose last segment names the pool.
    iss: String,
    #[serde(default)]
    token_use: Option<String>,
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default)]
    scope: String,
    client_id: String,
    /// Absent from client-credentials (M2M) tokens, which the scope check refuses first.
    #[serde(default)]
    username: String,
    #[serde(default)]
    sub: String,
    #[serde(default)]
    origin_jti: String,
}

impl Claims for AccessClaims {
    fn registered(&self) -> Registered<'_> {
        Registered {
            iss: Some(&self.iss),
            token_use: self.token_use.as_deref(),
            aud: None,
            client_id: Some(&self.client_id),
            exp: self.exp,
        }
    }
}

/// A verified access token: its pool, client and user.
pub struct AccessContext {
    /// The pool that issued it.
    pub pool: Arc<UserPool>,
    /// The client named in `client_id`.
    pub client: Arc<AppClient>,
    /// The user (enabled, still present).
    pub user: User,
    /// The token's scopes.
    pub scopes: Vec<String>,
}

/// Verifies an access token for an operation that takes one (GetUser, ...): it must carry
/// the admin scope.
pub async fn authorize_access(app: &App, token: &str) -> ApiResult<AccessContext> {
    verify_access(app, token, ADMIN_SCOPE).await
}

/// Verifies an access token that must carry `scope` (the admin scope for the user
/// operations, `openid` for the userInfo endpoint). Also returns its granted scopes.
pub async fn verify_access(app: &App, token: &str, scope: &str) -> ApiResult<AccessContext> {
    let invalid = || ApiError::not_authorized("Invalid Access Token");
    // Read once: the unverified `iss` names the pool whose key then verifies this token.
    let unverified = jwt::Unverified::<AccessClaims>::read(token).ok_or_else(invalid)?;
    let pool_id = unverified
        .claims()
        .iss
        .rsplit('/')
        .next()
        .ok_or_else(invalid)?;
    let pool = app
        .configs
        .pool(app.store.as_ref(), pool_id)
        .await?
        .ok_or_else(invalid)?;
    let signers = app.signers(&pool)?;
    let issuer = app.settings.issuer(&pool.id);
    let claims = unverified
        .verify(&Expect {
            key: &signers.access,
            issuer: &issuer,
            token_use: "access",
            client_id: None,
            now: app.clock.now_secs(),
        })
        .map_err(|e| match e {
            JwtError::Expired => ApiError::not_authorized("Access Token has expired"),
            JwtError::Invalid => invalid(),
        })?;
    if !claims.scope.split(' ').any(|x| x == scope) {
        return Err(ApiError::not_authorized(
            "Access Token does not have required scopes",
        ));
    }
    let client = app
        .configs
        .client(app.store.as_ref(), &claims.client_id)
        .await?
        .ok_or_else(invalid)?;
    let user = app
        .store
        .get_user(&pool.id, &pool.username_key(&claims.username))
        .await?
        .filter(|u| u.sub == claims.sub)
        .ok_or_else(ApiError::user_not_found)?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    if user
        .revoked_origins
        .iter()
        .any(|r| r.origin_jti == claims.origin_jti)
    {
        return Err(ApiError::not_authorized("Access Token has been revoked"));
    }
    let scopes = claims.scope.split(' ').map(str::to_string).collect();
    Ok(AccessContext {
        pool,
        client,
        user,
        scopes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::userpool::keys::SigningKey;
    use serde_json::{json, Map, Value};

    /// An access token's claims read straight into [`AccessClaims`] pass and fail exactly
    /// where the same claims read as a map do.
    #[test]
    fn typed_claims_get_the_checks_a_map_gets() {
        let key = SigningKey::generate().unwrap();
        let ok = Expect {
            key: &key,
            issuer: "http://x/p",
            token_use: "access",
            client_id: Some("c"),
            now: 50,
        };
        let good = json!({"iss": "http://x/p", "token_use": "access", "client_id": "c",
            "exp": 100, "scope": ADMIN_SCOPE, "username": "jane", "sub": "s", "origin_jti": "o"});
        let token = jwt::encode(&key, &good);
        let claims: AccessClaims = jwt::verify(&token, &ok).unwrap();
        assert_eq!(
            (
                claims.username.as_str(),
                claims.scope.as_str(),
                claims.sub.as_str()
            ),
            ("jane", ADMIN_SCOPE, "s")
        );
        let both = |token: &str, expect: &Expect<'_>| {
            let typed = jwt::verify::<AccessClaims>(token, expect).err();
            let map = jwt::verify::<Map<String, Value>>(token, expect).err();
            assert_eq!(typed, map, "{token}");
            typed
        };
        assert_eq!(
            both(&token, &Expect { now: 100, ..ok }),
            Some(JwtError::Expired)
        );
        let other_client = Expect {
            client_id: Some("d"),
            ..ok
        };
        assert_eq!(both(&token, &other_client), Some(JwtError::Invalid));
        // A registered claim missing, or of the wrong type, is refused either way.
        for (name, value) in [
            ("exp", Some(json!("100"))),
            ("exp", None),
            ("token_use", Some(json!("id"))),
            ("token_use", None),
            ("iss", Some(json!("http://y/p"))),
            ("iss", Some(json!(7))),
        ] {
            let mut odd = good.clone();
            match value {
                Some(v) => odd[name] = v,
                None => {
                    odd.as_object_mut().unwrap().remove(name);
                }
            }
            let token = jwt::encode(&key, &odd);
            assert_eq!(both(&token, &ok), Some(JwtError::Invalid), "{name}");
        }
    }
}
