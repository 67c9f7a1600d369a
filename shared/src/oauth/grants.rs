//! Grants kept server-side and handed out by reference: authorization codes (single-use,
//! five minutes) and hosted sign-in sessions (the login pages' cookie, one hour). The client
//! holds a random handle; the store keeps only its SHA-256 and the grant sealed with the
//! deployment's session key, so neither a database reader nor a log sees a token.

use super::error::OAuthError;
use crate::error::{ApiError, ApiResult};
use crate::secret::sha256_hex;
use crate::userpool::model::{GrantRecord, User, UserPool, UserStatus};
use crate::userpool::session;
use crate::userpool::tokens::Issued;
use crate::App;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long an authorization code lives.
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// How long a hosted sign-in session lives (Cognito's managed login: one hour).
pub const SESSION_TTL_MS: i64 = 60 * 60 * 1000;

/// Seals `grant` under a fresh random handle that lives `ttl_ms`; returns the handle.
pub(super) async fn put<T: Serialize>(
    app: &App,
    pool_id: &str,
    grant: &T,
    ttl_ms: i64,
) -> ApiResult<String> {
    let handle = crate::random::url_token(app.random.as_ref(), 32);
    let record = GrantRecord {
        handle_hash: sha256_hex(handle.as_bytes()),
        pool_id: pool_id.to_string(),
        data: session::seal_json(app, grant).await?,
        expires_ms: app.clock.now_millis() + ttl_ms,
    };
    app.store.put_grant(&record).await?;
    Ok(handle)
}

/// Opens a grant the store returned.
pub(super) async fn open<T: DeserializeOwned>(app: &App, record: &GrantRecord) -> ApiResult<T> {
    session::open_json(app, &record.data)
        .await?
        .ok_or_else(|| ApiError::internal(&crate::Error::Decode("grant seal".into())))
}

/// What an authorization code stands for: the tokens of a finished sign-in, for one client
/// and redirect URI, behind an optional PKCE challenge.
#[derive(Serialize, Deserialize)]
struct CodeGrant {
    client_id: String,
    redirect_uri: String,
    code_challenge: Option<String>,
    id_token: Option<String>,
    access_token: String,
    refresh_token: Option<String>,
    expires_in: u64,
}

/// The token endpoint's answer (RFC 6749 §5.1). `Debug` shows no token.
#[derive(Serialize)]
pub struct TokenSet {
    /// The access token.
    pub access_token: String,
    /// The ID token (when `openid` was granted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The refresh token (code grant; refresh grant under rotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Access-token lifetime, seconds.
    pub expires_in: u64,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl TokenSet {
    /// The token endpoint's answer for `issued`; the ID token only with `openid`.
    pub fn of(issued: Issued, openid: bool) -> Self {
        Self {
            access_token: issued.access_token,
            id_token: openid.then_some(issued.id_token),
            refresh_token: issued.refresh_token,
            token_type: "Bearer",
            expires_in: issued.expires_in,
        }
    }
}

/// Issues an authorization code for the tokens of a finished sign-in.
pub async fn issue_code(
    app: &App,
    pool_id: &str,
    client_id: &str,
    redirect_uri: &str,
    code_challenge: Option<&str>,
    tokens: TokenSet,
) -> ApiResult<String> {
    let grant = CodeGrant {
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        code_challenge: code_challenge.map(str::to_string),
        id_token: tokens.id_token,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        expires_in: tokens.expires_in,
    };
    put(app, pool_id, &grant, CODE_TTL_MS).await
}

/// Takes the grant of `handle` (once: a second take finds nothing), if it is live.
pub(super) async fn take<T: DeserializeOwned>(app: &App, handle: &str) -> ApiResult<Option<T>> {
    let now = app.clock.now_millis();
    match app
        .store
        .take_grant(&sha256_hex(handle.as_bytes()), now)
        .await?
    {
        Some(record) => Ok(Some(open(app, &record).await?)),
        None => Ok(None),
    }
}

/// Redeems an authorization code (once: a second redemption finds nothing) for `client_id`,
/// with the redirect URI it was issued for and the PKCE verifier when it had a challenge.
pub async fn redeem_code(
    app: &App,
    client_id: &str,
    code: &str,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<TokenSet, OAuthError> {
    let now = app.clock.now_millis();
    let record = app
        .store
        .take_grant(&sha256_hex(code.as_bytes()), now)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| OAuthError::invalid_grant("unknown, used or expired code"))?;
    let grant: CodeGrant = open(app, &record).await?;
    if grant.client_id != client_id {
        return Err(OAuthError::invalid_grant("code of another client"));
    }
    if redirect_uri != Some(grant.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant("redirect_uri differs"));
    }
    match (&grant.code_challenge, verifier) {
        (None, None) => {}
        (Some(challenge), Some(v)) if pkce_s256(v) == *challenge => {}
        (None, Some(_)) => return Err(OAuthError::invalid_request("verifier without challenge")),
        _ => return Err(OAuthError::invalid_grant("PKCE verifier")),
    }
    Ok(TokenSet {
        access_token: grant.access_token,
        id_token: grant.id_token,
        refresh_token: grant.refresh_token,
        token_type: "Bearer",
        expires_in: grant.expires_in,
    })
}

/// PKCE S256: base64url(SHA-256(verifier)). A verifier outside RFC 7636's 43..=128
/// characters matches nothing.
fn pkce_s256(verifier: &str) -> String {
    if !(43..=128).contains(&verifier.len()) {
        return String::new();
    }
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A hosted sign-in session: who signed in on the login pages, and when.
#[derive(Serialize, Deserialize)]
struct Session {
    username_key: String,
    sub: String,
    auth_time: i64,
    /// Set when the user signed in through a SAML provider (its single logout needs it).
    #[serde(default)]
    saml: Option<SamlLogin>,
}

/// A sign-in through a SAML provider, as its single logout names it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SamlLogin {
    /// The provider's name in the pool.
    pub provider: String,
    /// The assertion's NameID.
    pub name_id: String,
    /// The NameID's `Format`, if given.
    pub format: Option<String>,
    /// The assertion's `SessionIndex`, if given.
    pub session_index: Option<String>,
}

/// Starts a hosted sign-in session for the user `username` with `sub` (`saml`: the SAML
/// sign-in it came from); returns the cookie's handle.
pub async fn start_session(
    app: &App,
    pool: &UserPool,
    username: &str,
    sub: &str,
    saml: Option<SamlLogin>,
) -> ApiResult<String> {
    let session = Session {
        username_key: pool.username_key(username),
        sub: sub.to_string(),
        auth_time: app.clock.now_secs(),
        saml,
    };
    put(app, &pool.id, &session, SESSION_TTL_MS).await
}

/// The grant behind `handle`, if it is live.
async fn live_grant(app: &App, handle: &str) -> ApiResult<Option<GrantRecord>> {
    let now = app.clock.now_millis();
    Ok(app
        .store
        .get_grant(&sha256_hex(handle.as_bytes()), now)
        .await?)
}

/// The SAML sign-in behind a live session, if it came from one (read before the session
/// ends, for single logout).
pub async fn session_saml(app: &App, handle: &str) -> ApiResult<Option<(String, SamlLogin)>> {
    let Some(record) = live_grant(app, handle).await? else {
        return Ok(None);
    };
    let session: Session = open(app, &record).await?;
    Ok(session.saml.map(|s| (record.pool_id, s)))
}

/// Claims `key` once for `pool_id` until `until_ms` (a SAML assertion's id): true the first
/// time, false for every later claim while it lives. The store's conditional put decides
/// between racing claims.
pub async fn claim_once(app: &App, pool_id: &str, key: &str, until_ms: i64) -> ApiResult<bool> {
    let handle_hash = sha256_hex(format!("once:{pool_id}:{key}").as_bytes());
    let now = app.clock.now_millis();
    if app.store.get_grant(&handle_hash, now).await?.is_some() {
        return Ok(false);
    }
    let record = GrantRecord {
        handle_hash: handle_hash.clone(),
        pool_id: pool_id.to_string(),
        data: String::new(),
        expires_ms: until_ms.max(now + 1),
    };
    match app.store.put_grant(&record).await {
        Ok(()) => Ok(true),
        // Refused: another claim got there first, unless the store failed.
        Err(e) => match app.store.get_grant(&handle_hash, now).await? {
            Some(_) => Ok(false),
            None => Err(e.into()),
        },
    }
}

/// The user of a live session of `pool`, if the user may still sign in (present, the same
/// `sub`, enabled, confirmed or federated).
pub async fn session_user(app: &App, pool: &UserPool, handle: &str) -> ApiResult<Option<User>> {
    let Some(record) = live_grant(app, handle).await? else {
        return Ok(None);
    };
    if record.pool_id != pool.id {
        return Ok(None);
    }
    let session: Session = open(app, &record).await?;
    let user = app.store.get_user(&pool.id, &session.username_key).await?;
    let may_sign_in = |u: &User| {
        matches!(
            u.status,
            UserStatus::Confirmed | UserStatus::ExternalProvider
        )
    };
    Ok(user.filter(|u| u.sub == session.sub && u.enabled && may_sign_in(u)))
}

/// Ends a session (signing out on the login pages).
pub async fn end_session(app: &App, handle: &str) -> ApiResult<()> {
    let now = app.clock.now_millis();
    app.store
        .take_grant(&sha256_hex(handle.as_bytes()), now)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            pkce_s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(pkce_s256("short"), "");
    }
}
