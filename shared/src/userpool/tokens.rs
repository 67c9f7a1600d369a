//! Token issue and access-token checks: ID and access JWTs with Cognito's claims, opaque
//! refresh tokens stored only as a hash.

use super::jwt::{self, Expect, JwtError};
use super::model::{parse_bool, AppClient, RefreshRecord, User, UserPool};
use crate::error::{ApiError, ApiResult};
pub use crate::triggers::token_generation::TokenSource;
use crate::triggers::token_generation::{customize, Draft};
use crate::App;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The scope of tokens from API sign-in.
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// Where a set of tokens comes from: a fresh authentication, or a refresh that keeps the
/// original `origin_jti` and `auth_time`.
#[derive(Clone)]
pub struct Origin {
    /// Shared by every token of one sign-in.
    pub origin_jti: String,
    /// Original authentication time, epoch seconds.
    pub auth_time: i64,
}

/// Tokens to return in `AuthenticationResult`.
pub struct Issued {
    /// ID token.
    pub id_token: String,
    /// Access token.
    pub access_token: String,
    /// Refresh token (only at sign-in).
    pub refresh_token: Option<String>,
    /// Access-token lifetime, seconds.
    pub expires_in: u64,
}

impl Issued {
    /// The `AuthenticationResult` member.
    pub fn to_json(&self) -> Value {
        let mut r = json!({
            "AccessToken": self.access_token,
            "ExpiresIn": self.expires_in,
            "TokenType": "Bearer",
            "IdToken": self.id_token,
        });
        if let Some(rt) = &self.refresh_token {
            r["RefreshToken"] = json!(rt);
        }
        r
    }
}

/// The user key a refresh token carries (see [`new_refresh_record`]).
pub fn refresh_locator(token: &str) -> Option<String> {
    let (_, locator) = token.split_once('.')?;
    String::from_utf8(URL_SAFE_NO_PAD.decode(locator).ok()?).ok()
}

/// SHA-256 of a refresh token, hex: the only form that is stored.
pub fn refresh_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Attribute value as an ID-token claim: `*_verified` are booleans, `updated_at` a number.
fn claim_value(name: &str, value: &str) -> Value {
    match name {
        "email_verified" | "phone_number_verified" => json!(parse_bool(value).unwrap_or(false)),
        "updated_at" => value
            .parse::<i64>()
            .map_or_else(|_| json!(value), |n| json!(n)),
        "address" => json!({ "formatted": value }),
        _ => json!(value),
    }
}

/// A new refresh token for a session and the record that stores only its hash.
pub fn new_refresh_record(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
    origin: &Origin,
) -> (String, RefreshRecord) {
    let mut raw = [0u8; 48];
    app.random.fill(&mut raw);
    // Random part, then a locator (the user's key; not a secret: the holder is that user) so
    // the token record and its user are fetched together in one read.
    let token = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(raw),
        URL_SAFE_NO_PAD.encode(user.username_key.as_bytes())
    );
    let record = RefreshRecord {
        token_hash: refresh_hash(&token),
        pool_id: pool.id.clone(),
        client_id: client.client_id.clone(),
        username_key: user.username_key.clone(),
        origin_jti: origin.origin_jti.clone(),
        auth_time: origin.auth_time,
        expires_ms: app.clock.now_millis() + client.refresh_ttl() as i64 * 1000,
        revoked: false,
        rotated_ms: None,
    };
    (token, record)
}

/// Issues ID and access tokens, and a refresh token for a new session (no `origin`). The
/// pool's PreTokenGeneration function sees and may change the claims first.
pub async fn issue(
    app: &App,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
    origin: Option<Origin>,
    source: TokenSource,
) -> ApiResult<Issued> {
    let now = app.clock.now_secs();
    let random = app.random.as_ref();
    let new_session = origin.is_none();
    let origin = origin.unwrap_or_else(|| Origin {
        origin_jti: crate::random::uuid_v4(random),
        auth_time: now,
    });
    let signers = app.signers(pool)?;
    let issuer = app.settings.issuer(&pool.id);
    let event_id = crate::random::uuid_v4(random);
    let common = |token_use: &str, ttl: u64| {
        let mut c = Map::new();
        c.insert("sub".into(), json!(user.sub));
        c.insert("iss".into(), json!(issuer));
        c.insert("token_use".into(), json!(token_use));
        c.insert("auth_time".into(), json!(origin.auth_time));
        c.insert("iat".into(), json!(now));
        c.insert("exp".into(), json!(now + ttl as i64));
        c.insert("jti".into(), json!(crate::random::uuid_v4(random)));
        c.insert("origin_jti".into(), json!(origin.origin_jti));
        c.insert("event_id".into(), json!(event_id));
        c
    };

    let mut id = common("id", client.id_ttl());
    id.insert("aud".into(), json!(client.client_id));
    id.insert("cognito:username".into(), json!(user.username));
    for (name, value) in &user.attributes {
        let developer_only = pool
            .schema_attribute(name)
            .is_some_and(|a| a.developer_only_attribute);
        if client.can_read(name) && !developer_only {
            id.insert(name.clone(), claim_value(name, value));
        }
    }

    let groups = super::groups::claims(app, pool, user).await?;
    if let Some(g) = &groups {
        id.insert("cognito:groups".into(), json!(g.names));
        if !g.roles.is_empty() {
            id.insert("cognito:roles".into(), json!(g.roles));
        }
        if let Some(role) = &g.preferred_role {
            id.insert("cognito:preferred_role".into(), json!(role));
        }
    }

    let mut access = common("access", client.access_ttl());
    if let Some(g) = &groups {
        access.insert("cognito:groups".into(), json!(g.names));
    }
    access.insert("client_id".into(), json!(client.client_id));
    access.insert("username".into(), json!(user.username));
    access.insert("scope".into(), json!(ADMIN_SCOPE));
    let draft = Draft {
        id: &mut id,
        access: &mut access,
    };
    customize(app, pool, user, source, groups.as_ref(), draft).await?;

    let refresh_token = if new_session {
        let (token, record) = new_refresh_record(app, pool, client, user, &origin);
        app.store.put_refresh_token(&record).await?;
        Some(token)
    } else {
        None
    };

    Ok(Issued {
        id_token: jwt::encode(&signers.id, &id),
        access_token: jwt::encode(&signers.access, &access),
        refresh_token,
        expires_in: client.access_ttl(),
    })
}

/// A verified access token: its pool, client and user.
pub struct AccessContext {
    /// The pool that issued it.
    pub pool: Arc<UserPool>,
    /// The client named in `client_id`.
    pub client: Arc<AppClient>,
    /// The user (enabled, still present).
    pub user: User,
}

/// Verifies an access token for an operation that takes one (GetUser, ...).
pub async fn authorize_access(app: &App, token: &str) -> ApiResult<AccessContext> {
    let invalid = || ApiError::not_authorized("Invalid Access Token");
    let peeked = jwt::peek_claims(token).ok_or_else(invalid)?;
    let iss = peeked
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let pool_id = iss.rsplit('/').next().ok_or_else(invalid)?;
    let pool = app
        .configs
        .pool(app.store.as_ref(), pool_id)
        .await?
        .ok_or_else(invalid)?;
    let signers = app.signers(&pool)?;
    let issuer = app.settings.issuer(&pool.id);
    let claims = jwt::verify(
        token,
        &Expect {
            key: &signers.access,
            issuer: &issuer,
            token_use: "access",
            client_id: None,
            now: app.clock.now_secs(),
        },
    )
    .map_err(|e| match e {
        JwtError::Expired => ApiError::not_authorized("Access Token has expired"),
        JwtError::Invalid => invalid(),
    })?;
    let scope_ok = claims
        .get("scope")
        .and_then(Value::as_str)
        .is_some_and(|s| s.split(' ').any(|x| x == ADMIN_SCOPE));
    if !scope_ok {
        return Err(ApiError::not_authorized(
            "Access Token does not have required scopes",
        ));
    }
    let client_id = claims
        .get("client_id")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let client = app
        .configs
        .client(app.store.as_ref(), client_id)
        .await?
        .ok_or_else(invalid)?;
    let username = claims
        .get("username")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let user = app
        .store
        .get_user(&pool.id, &pool.username_key(username))
        .await?
        .filter(|u| {
            u.sub
                == claims
                    .get("sub")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
        })
        .ok_or_else(ApiError::user_not_found)?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    let origin = claims
        .get("origin_jti")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if user.revoked_origins.iter().any(|r| r.origin_jti == origin) {
        return Err(ApiError::not_authorized("Access Token has been revoked"));
    }
    Ok(AccessContext { pool, client, user })
}
