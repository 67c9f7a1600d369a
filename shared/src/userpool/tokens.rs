//! Token issue: ID and access JWTs with Cognito's claims (typed; then PreTokenGeneration may
//! change the free-form rest), opaque refresh tokens stored only as a hash.

use super::access::ADMIN_SCOPE;
use super::group_claims;
use super::jwt;
pub use super::model::TokenSource;
use super::model::{parse_bool, AppClient, NewDeviceMetadata, RefreshRecord, User, UserPool};
use crate::call::Call;
use crate::error::ApiResult;
use crate::triggers::token_generation::{customize, edits_claims, Draft};
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
    #[serde(serialize_with = "unescaped")]
    pub id_token: String,
    /// Access token.
    #[serde(serialize_with = "unescaped")]
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

/// Writes a token into a JSON reply without serde_json's escaper reading it byte by byte (two
/// tokens are most of a sign-in's or refresh's reply). A JWS is base64url and dots, which JSON
/// never escapes: without a backslash, text that `RawValue` accepts between quotes (its check
/// scans words, not bytes) means exactly itself. Any other token is written the usual way.
fn unescaped<S: serde::Serializer>(token: &str, s: S) -> Result<S::Ok, S::Error> {
    if !token.contains('\\') {
        let mut quoted = String::with_capacity(token.len() + 2);
        quoted.push('"');
        quoted.push_str(token);
        quoted.push('"');
        if let Ok(raw) = serde_json::value::RawValue::from_string(quoted) {
            return raw.serialize(s);
        }
    }
    s.serialize_str(token)
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

/// The ID token's claims: the fixed ones, the OAuth `nonce` and `at_hash`, and the user's
/// attributes the client may read. Serialized straight into the token; turned into a map
/// only for a PreTokenGeneration function to edit.
#[derive(Serialize)]
struct IdToken<'a> {
    #[serde(flatten)]
    fixed: IdClaims<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_hash: Option<String>,
    #[serde(flatten)]
    attributes: AttributeClaims<'a>,
}

/// The user's attributes as ID-token claims ([`claim_value`]): those the client may read,
/// less developer-only ones. An attribute name is a standard attribute's (`schema::STANDARD`)
/// or starts with `custom:`, so the only one that could repeat a claim of the token's own is
/// `sub`, which is left out here (the user's attributes never hold it).
struct AttributeClaims<'a> {
    pool: &'a UserPool,
    client: &'a AppClient,
    user: &'a User,
}

impl Serialize for AttributeClaims<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for (name, value) in &self.user.attributes {
            if name != "sub" && self.pool.readable_by(self.client, name) {
                map.serialize_entry(name, &claim_value(name, value))?;
            }
        }
        map.end()
    }
}

/// Signs the access token, then the ID token, with `at_hash` of the access token put in by
/// `put_at_hash` when the session has OAuth scopes. Returns (access, id).
fn sign_pair<I: Serialize, A: Serialize>(
    signers: &crate::PoolSigners,
    mut id: I,
    access: &A,
    scoped: bool,
    put_at_hash: impl FnOnce(&mut I, String),
) -> (String, String) {
    let access_token = jwt::encode(&signers.access, access);
    if scoped {
        put_at_hash(&mut id, at_hash(&access_token));
    }
    let id_token = jwt::encode(&signers.id, &id);
    (access_token, id_token)
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
    let id = IdToken {
        fixed: IdClaims {
            common: common("id", client.id_ttl()),
            aud: &client.client_id,
            username: &user.username,
            groups: names,
            roles: groups
                .as_ref()
                .map(|g| g.roles.as_slice())
                .filter(|r| !r.is_empty()),
            preferred_role: groups.as_ref().and_then(|g| g.preferred_role.as_deref()),
        },
        nonce: authorization.and_then(|a| a.nonce.as_deref()),
        at_hash: None,
        attributes: AttributeClaims { pool, client, user },
    };
    let access = AccessClaims {
        common: common("access", client.access_ttl()),
        groups: names,
        client_id: &client.client_id,
        username: &user.username,
        scope: &scope,
        device_key: origin.device_key.as_deref(),
    };
    let scoped = origin.scopes.is_some();
    // The claims become maps only for a PreTokenGeneration function to edit; otherwise they
    // are serialized straight into the tokens.
    let edited = if edits_claims(pool) {
        let mut id = claim_map(&id)?;
        let mut access = claim_map(&access)?;
        let draft = Draft {
            id: &mut id,
            access: &mut access,
        };
        customize(app, pool, user, source, groups.as_ref(), draft).await?;
        Some((id, access))
    } else {
        None
    };

    let refresh_token = if new_session {
        let (token, record) = new_refresh_record(app, pool, client, user, &origin);
        app.store.put_refresh_token(&record).await?;
        Some(token)
    } else {
        None
    };

    let (access_token, id_token) = match edited {
        Some((id, access)) => sign_pair(&signers, id, &access, scoped, |id, hash| {
            id.insert("at_hash".into(), Value::from(hash));
        }),
        None => sign_pair(&signers, id, &access, scoped, |id, hash| {
            id.at_hash = Some(hash)
        }),
    };
    Ok(Issued {
        id_token,
        access_token,
        refresh_token,
        expires_in: client.access_ttl(),
        token_type: "Bearer",
        new_device_metadata: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::{protocol, App};
    use serde_json::json;
    use std::sync::Arc;

    async fn call(app: &App, op: &str, body: Value) -> Value {
        protocol::dispatch(app, op, body.to_string().as_bytes())
            .await
            .unwrap()
    }

    /// Tokens reach the reply unchanged, whether written raw (a JWS) or escaped (anything a
    /// raw write would change).
    #[test]
    fn tokens_in_a_reply_read_back_unchanged() {
        let tokens = [
            "eyJraWQiOiJrIn0.eyJzdWIiOiJ4In0.c2ln-_",
            "quote\"inside",
            "back\\slash\\n",
            "control\u{1}char",
            "caf\u{e9}",
            "",
        ];
        for token in tokens {
            let issued = Issued {
                id_token: token.to_string(),
                access_token: format!("{token}.a"),
                refresh_token: None,
                expires_in: 3600,
                token_type: "Bearer",
                new_device_metadata: None,
            };
            let body = serde_json::to_vec(&issued).unwrap();
            let back: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(back["IdToken"], token, "{}", String::from_utf8_lossy(&body));
            assert_eq!(back["AccessToken"], format!("{token}.a"));
            assert_eq!(serde_json::to_value(&issued).unwrap(), back);
        }
    }

    /// The ID token written straight from its claims: attributes typed as Cognito writes
    /// them, only those the client may read, never a developer-only one, and no claim twice.
    #[tokio::test]
    async fn id_token_claims_from_the_typed_path() {
        let app = App::in_memory(Arc::new(SystemClock));
        let schema = json!([
            {"Name": "color", "AttributeDataType": "String"},
            {"Name": "size", "AttributeDataType": "String"},
            {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": true},
        ]);
        let pool = call(
            &app,
            "CreateUserPool",
            json!({"PoolName": "p", "Schema": schema}),
        )
        .await;
        let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
        let read = [
            "email",
            "email_verified",
            "address",
            "custom:color",
            "custom:secret",
        ];
        let body = json!({"UserPoolId": pool_id, "ClientName": "c", "ReadAttributes": read});
        let client = call(&app, "CreateUserPoolClient", body).await;
        let client_id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
        let attributes = json!([
            {"Name": "email", "Value": "jo@example.com"},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "address", "Value": "1 Main St"},
            {"Name": "custom:color", "Value": "teal"},
            {"Name": "custom:size", "Value": "L"},
            {"Name": "custom:secret", "Value": "s3"},
        ]);
        let body = json!({"UserPoolId": pool_id, "Username": "jo",
            "UserAttributes": attributes, "MessageAction": "SUPPRESS"});
        call(&app, "AdminCreateUser", body).await;

        let pool = app.configs.pool(app.store.as_ref(), &pool_id).await;
        let pool = pool.unwrap().unwrap();
        let client = app.configs.client(app.store.as_ref(), client_id).await;
        let client = client.unwrap().unwrap();
        let key = pool.username_key("jo");
        let mut user = app.store.get_user(&pool.id, &key).await.unwrap().unwrap();
        assert_eq!(user.attributes["custom:secret"], "s3");
        assert_eq!(user.attributes["custom:size"], "L");
        // Were `sub` ever among the attributes, the token would still carry it once.
        user.attributes.insert("sub".into(), user.sub.clone());
        let cx = Call::internal(&app);
        let issued = issue(
            &cx,
            &pool,
            &client,
            &user,
            None,
            TokenSource::Authentication,
        )
        .await
        .unwrap();

        let payload = issued.id_token.split('.').nth(1).unwrap();
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(payload.matches("\"sub\":").count(), 1, "{payload}");
        let claims: Map<String, Value> = serde_json::from_str(&payload).unwrap();
        assert_eq!(claims["sub"], user.sub.as_str());
        assert_eq!(claims["email"], "jo@example.com");
        assert_eq!(claims["email_verified"], true);
        assert_eq!(claims["address"], json!({"formatted": "1 Main St"}));
        assert_eq!(claims["custom:color"], "teal");
        assert_eq!(claims["cognito:username"], "jo");
        assert_eq!(claims["aud"], client.client_id.as_str());
        assert_eq!(claims["token_use"], "id");
        for absent in ["custom:size", "custom:secret", "nonce", "at_hash"] {
            assert!(!claims.contains_key(absent), "{absent} in {payload}");
        }
        let access = jwt::peek_claims(&issued.access_token).unwrap();
        assert_eq!(access["scope"], ADMIN_SCOPE);
        assert_eq!(access["origin_jti"], claims["origin_jti"]);
        assert!(!access.contains_key("email"));
    }
}
