//! Token issue: ID and access JWTs with Cognito's claims (typed; then PreTokenGeneration may
//! change the free-form rest), opaque refresh tokens stored only as a hash.

use super::access::ADMIN_SCOPE;
use super::group_claims;
use super::jwt;
pub use super::model::TokenSource;
use super::model::{parse_bool, AppClient, NewDeviceMetadata, RefreshRecord, User, UserPool};
use crate::call::Call;
use crate::error::ApiResult;
use crate::triggers::token_generation::{customize, Draft};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Where a set of tokens comes from: a fresh authentication, or a refresh that keeps the
/// original `origin_jti`, `auth_time` and OAuth scopes.
#[derive(Clone)]
pub struct Origin {
    /// Shared by every token of one sign-in.
    pub origin_jti: String,
    /// Original authentication time, epoch seconds.
    pub auth_time: i64,
    /// The OAuth scopes granted at sign-in (`None`: an API sign-in, whose access tokens carry
    /// `aws.cognito.signin.user.admin`).
    pub scopes: Option<Vec<String>>,
    /// The device the session is on (the access token's `device_key`; a refresh needs it).
    pub device_key: Option<String>,
}

/// Tokens to return: Cognito's `AuthenticationResultType`. `Debug` shows no token.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Issued {
    /// ID token.
    pub id_token: String,
    /// Access token.
    pub access_token: String,
    /// Refresh token (only at sign-in, or when one rotates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Access-token lifetime, seconds.
    pub expires_in: u64,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// The key of the new device a sign-in on an unknown device was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_device_metadata: Option<NewDeviceMetadata>,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

/// The claims both tokens carry.
#[derive(Serialize)]
struct Common<'a> {
    sub: &'a str,
    iss: &'a str,
    token_use: &'static str,
    auth_time: i64,
    iat: i64,
    exp: i64,
    jti: String,
    origin_jti: &'a str,
    event_id: &'a str,
}

/// The ID token's fixed claims (attribute claims are added by name).
#[derive(Serialize)]
struct IdClaims<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    aud: &'a str,
    #[serde(rename = "cognito:username")]
    username: &'a str,
    #[serde(rename = "cognito:groups", skip_serializing_if = "Option::is_none")]
    groups: Option<&'a [String]>,
    #[serde(rename = "cognito:roles", skip_serializing_if = "Option::is_none")]
    roles: Option<&'a [String]>,
    #[serde(
        rename = "cognito:preferred_role",
        skip_serializing_if = "Option::is_none"
    )]
    preferred_role: Option<&'a str>,
}

/// The access token's claims.
#[derive(Serialize)]
struct AccessClaims<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    #[serde(rename = "cognito:groups", skip_serializing_if = "Option::is_none")]
    groups: Option<&'a [String]>,
    client_id: &'a str,
    username: &'a str,
    scope: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_key: Option<&'a str>,
}

/// Claims as the free-form map PreTokenGeneration edits.
fn claim_map<T: Serialize>(claims: &T) -> ApiResult<Map<String, Value>> {
    match serde_json::to_value(claims).map_err(crate::Error::from)? {
        Value::Object(m) => Ok(m),
        _ => Ok(Map::new()),
    }
}

/// The user key a refresh token carries (see [`new_refresh_record`]).
pub fn refresh_locator(token: &str) -> Option<String> {
    let (_, locator) = token.split_once('.')?;
    String::from_utf8(URL_SAFE_NO_PAD.decode(locator).ok()?).ok()
}

/// SHA-256 of a refresh token, hex: the only form that is stored.
pub fn refresh_hash(token: &str) -> String {
    crate::secret::sha256_hex(token.as_bytes())
}

/// OpenID Connect's `at_hash`: the left half of the access token's SHA-256, base64url.
fn at_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16])
}

/// Attribute value as an ID-token claim: `*_verified` are booleans, `updated_at` a number.
fn claim_value(name: &str, value: &str) -> Value {
    match name {
        "email_verified" | "phone_number_verified" => {
            Value::Bool(parse_bool(value).unwrap_or(false))
        }
        "updated_at" => value
            .parse::<i64>()
            .map_or_else(|_| Value::from(value), Value::from),
        "address" => Value::Object(Map::from_iter([("formatted".into(), value.into())])),
        super::linked_identities::ATTRIBUTE => {
            super::linked_identities::claim_of(value).unwrap_or_else(|| Value::from(value))
        }
        _ => Value::from(value),
    }
}

/// A new refresh token for a session and the record that stores only its hash.
pub fn new_refresh_record(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
    origin: &Origin,
) -> (String, RefreshRecord) {
    // Random part, then a locator (the user's key; not a secret: the holder is that user) so
    // the token record and its user are fetched together in one read.
    let token = format!(
        "{}.{}",
        crate::random::url_token(app.random.as_ref(), 48),
        URL_SAFE_NO_PAD.encode(user.username_key.as_bytes())
    );
    let record = RefreshRecord {
        token_hash: refresh_hash(&token),
        pool_id: pool.id.clone(),
        client_id: client.client_id.clone(),
        username_key: user.username_key.clone(),
        origin_jti: origin.origin_jti.clone(),
        auth_time: origin.auth_time,
        scopes: origin.scopes.clone(),
        expires_ms: app.clock.now_millis() + client.refresh_ttl() as i64 * 1000,
        revoked: false,
        rotated_ms: None,
        device_key: origin.device_key.clone(),
    };
    (token, record)
}

/// Issues ID and access tokens, and a refresh token for a new session (no `origin`). The
/// pool's PreTokenGeneration function sees and may change the claims first. A call serving an
/// OAuth authorization ([`Call::authorization`]) gets its scopes in the access token, its
/// nonce and `at_hash` in the ID token, and the `TokenGeneration_HostedAuth` trigger source.
pub async fn issue(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
    origin: Option<Origin>,
    source: TokenSource,
) -> ApiResult<Issued> {
    issue_on_device(app, pool, client, user, origin, source, None).await
}

/// [`issue`] for a new session on `device_key` (ignored when `origin` continues a session,
/// which keeps its own): the access token carries `device_key`, and the refresh token is
/// bound to it.
pub async fn issue_on_device(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
    origin: Option<Origin>,
    source: TokenSource,
    device_key: Option<&str>,
) -> ApiResult<Issued> {
    let now = app.clock.now_secs();
    let random = app.random.as_ref();
    let new_session = origin.is_none();
    let authorization = app.authorization();
    let origin = origin.unwrap_or_else(|| Origin {
        origin_jti: crate::random::uuid_v4(random),
        auth_time: now,
        scopes: authorization.map(|a| a.scopes.clone()),
        device_key: device_key.map(str::to_string),
    });
    let source = match source {
        TokenSource::Authentication if authorization.is_some() => TokenSource::HostedAuth,
        other => other,
    };
    let scope = origin
        .scopes
        .as_ref()
        .map_or_else(|| ADMIN_SCOPE.to_string(), |s| s.join(" "));
    let signers = app.signers(pool)?;
    let issuer = app.settings.issuer(&pool.id);
    let event_id = crate::random::uuid_v4(random);
    let common = |token_use: &'static str, ttl: u64| Common {
        sub: &user.sub,
        iss: &issuer,
        token_use,
        auth_time: origin.auth_time,
        iat: now,
        exp: now + ttl as i64,
        jti: crate::random::uuid_v4(random),
        origin_jti: &origin.origin_jti,
        event_id: &event_id,
    };
    let groups = group_claims::claims(app, pool, user).await?;
    let names = groups.as_ref().map(|g| g.names.as_slice());
    let mut id = claim_map(&IdClaims {
        common: common("id", client.id_ttl()),
        aud: &client.client_id,
        username: &user.username,
        groups: names,
        roles: groups
            .as_ref()
            .map(|g| g.roles.as_slice())
            .filter(|r| !r.is_empty()),
        preferred_role: groups.as_ref().and_then(|g| g.preferred_role.as_deref()),
    })?;
    if let Some(nonce) = authorization.and_then(|a| a.nonce.as_ref()) {
        id.insert("nonce".into(), Value::from(nonce.as_str()));
    }
    for (name, value) in &user.attributes {
        let developer_only = pool
            .schema_attribute(name)
            .is_some_and(|a| a.developer_only_attribute);
        if client.can_read(name) && !developer_only {
            id.insert(name.clone(), claim_value(name, value));
        }
    }
    let mut access = claim_map(&AccessClaims {
        common: common("access", client.access_ttl()),
        groups: names,
        client_id: &client.client_id,
        username: &user.username,
        scope: &scope,
        device_key: origin.device_key.as_deref(),
    })?;
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

    let access_token = jwt::encode(&signers.access, &access);
    if origin.scopes.is_some() {
        id.insert("at_hash".into(), Value::from(at_hash(&access_token)));
    }
    Ok(Issued {
        id_token: jwt::encode(&signers.id, &id),
        access_token,
        refresh_token,
        expires_in: client.access_ttl(),
        token_type: "Bearer",
        new_device_metadata: None,
    })
}
