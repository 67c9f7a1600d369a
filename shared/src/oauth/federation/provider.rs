//! Latchkey as the provider's OAuth 2.0 / OpenID Connect client: the authorize URL it sends
//! the browser to, and what it does with the code that comes back (the token request, the ID
//! token's checks, the user-info or profile request). Endpoints are the provider's
//! `ProviderDetails` (social providers' are fixed, an OIDC issuer's discovered when it was
//! created), reached through `LATCHKEY_PROVIDER_ENDPOINTS` when that moves them.

use super::{apple, Failure};
use crate::error::{ApiError, ApiResult};
use crate::http::Posted;
use crate::oauth::authorize::with_params;
use crate::userpool::jwt::{self, JwtError};
use crate::userpool::model::{IdentityProvider, ProviderType};
use crate::App;
use hyper::header::{HeaderName, AUTHORIZATION};
use serde_json::{Map, Value};

/// A detail the provider must have.
fn required<'a>(idp: &'a IdentityProvider, key: &str) -> Result<&'a str, Failure> {
    idp.detail(key)
        .ok_or_else(|| Failure::unavailable(format!("provider {} has no {key}", idp.name)))
}

/// The scopes as the provider wants them: Facebook's list may be comma-separated.
fn scopes(idp: &IdentityProvider) -> String {
    let raw = idp.detail("authorize_scopes").unwrap_or("openid");
    raw.split([' ', ','])
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the provider answers with an OpenID Connect ID token.
fn issues_id_tokens(idp: &IdentityProvider) -> bool {
    matches!(
        idp.provider_type,
        ProviderType::Oidc | ProviderType::Google | ProviderType::SignInWithApple
    )
}

/// The provider's authorize URL for one round trip.
pub fn authorize_url(
    app: &App,
    idp: &IdentityProvider,
    redirect_uri: &str,
    state: &str,
    nonce: &str,
    challenge: Option<&str>,
) -> ApiResult<String> {
    let base = idp.detail("authorize_url").ok_or_else(|| {
        ApiError::internal(&crate::Error::Config(format!(
            "identity provider {} has no authorize_url",
            idp.name
        )))
    })?;
    let client_id = idp.detail("client_id").unwrap_or_default();
    let scope = scopes(idp);
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("scope", scope.as_str()),
    ];
    if issues_id_tokens(idp) {
        params.push(("nonce", nonce));
    }
    if let Some(c) = challenge {
        params.extend([("code_challenge", c), ("code_challenge_method", "S256")]);
    }
    // Apple posts its answer (and the user's name, on the first sign-in) when names or
    // emails are asked for.
    if idp.provider_type == ProviderType::SignInWithApple && scope.split(' ').any(|s| s != "openid")
    {
        params.push(("response_mode", "form_post"));
    }
    // A provider moved by LATCHKEY_PROVIDER_ENDPOINTS is moved for the browser too.
    Ok(with_params(
        &app.settings.provider_url(base),
        &params,
        false,
    ))
}

/// What the provider's redirect brought back, besides `state`.
pub struct Answer<'a> {
    /// The authorization code.
    pub code: &'a str,
    /// Apple's `user` form field (JSON: name and email), on a first sign-in; ignored for
    /// every other provider type.
    pub apple_user: Option<&'a str>,
}

/// Exchanges the code and returns the user's verified claims: the ID token's (checked),
/// merged with the user-info or profile endpoint's.
pub async fn redeem(
    app: &App,
    idp: &IdentityProvider,
    pending: &super::round_trip::Pending,
    answer: &Answer<'_>,
) -> Result<Map<String, Value>, Failure> {
    let tokens = token_request(app, idp, pending, answer.code).await?;
    let access_token = tokens.get("access_token").and_then(Value::as_str);
    let mut claims = Map::new();
    if issues_id_tokens(idp) {
        let id_token = tokens
            .get("id_token")
            .and_then(Value::as_str)
            .ok_or_else(|| Failure::invalid("No ID token.", "token response without id_token"))?;
        claims = verify_id_token(app, idp, id_token, &pending.nonce).await?;
    }
    let wants_attributes = !matches!(
        idp.provider_type,
        ProviderType::Google | ProviderType::SignInWithApple
    );
    if let (true, Some(url), Some(token)) =
        (wants_attributes, idp.detail("attributes_url"), access_token)
    {
        let fetched = attributes(app, idp, url, token).await?;
        if let (Some(a), Some(b)) = (claims.get("sub"), fetched.get("sub")) {
            if a != b {
                return Err(Failure::invalid(
                    "Invalid user info.",
                    "user-info sub differs from the ID token's",
                ));
            }
        }
        // The ID token's claims are the checked ones: user info only adds.
        for (k, v) in fetched {
            claims.entry(k).or_insert(v);
        }
    }
    // Only Apple sends a `user` field: from any other provider's answer it is the browser's
    // own addition (the redirect passes through it), and believing it would let a user give
    // their federated account a name or email the provider never vouched for.
    if let (ProviderType::SignInWithApple, Some(user)) = (idp.provider_type, answer.apple_user) {
        apple::merge_user(&mut claims, user);
    }
    Ok(claims)
}

/// The token request (`authorization_code`), client_secret_post as Cognito sends it.
async fn token_request(
    app: &App,
    idp: &IdentityProvider,
    pending: &super::round_trip::Pending,
    code: &str,
) -> Result<Map<String, Value>, Failure> {
    let url = app.settings.provider_url(required(idp, "token_url")?);
    let client_id = required(idp, "client_id")?;
    let secret = match idp.provider_type {
        ProviderType::SignInWithApple => Some(apple::client_secret(app, idp)?),
        _ => idp.detail("client_secret").map(str::to_string),
    };
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", pending.redirect_uri.as_str()),
        ("client_id", client_id),
    ];
    if let Some(s) = &secret {
        form.push(("client_secret", s));
    }
    if let Some(v) = &pending.verifier {
        form.push(("code_verifier", v));
    }
    let http = &app.provider_http;
    let posted = if idp.detail("token_request_method") == Some("GET") {
        http.get_with(&with_params(&url, &form, false), &[]).await
    } else {
        http.post_form(&url, &form, &[]).await
    };
    let body = json_body(posted, "token")?;
    if body.contains_key("error") {
        let error = body["error"].as_str().unwrap_or("error");
        return Err(Failure::invalid(
            "The identity provider refused the code.",
            format!("token endpoint answered {error}"),
        ));
    }
    Ok(body)
}

/// A provider endpoint's JSON object answer (2xx, or a JSON error object from the token
/// endpoint, which the caller reads).
fn json_body(
    posted: Result<Posted, crate::http::PostError>,
    what: &str,
) -> Result<Map<String, Value>, Failure> {
    let posted = posted.map_err(|e| Failure::unavailable(format!("{what} endpoint: {e:?}")))?;
    let body: Value = serde_json::from_slice(&posted.body).map_err(|_| {
        Failure::unavailable(format!("{what} endpoint: HTTP {} not JSON", posted.status))
    })?;
    match body {
        Value::Object(map) if (200..300).contains(&posted.status) || map.contains_key("error") => {
            Ok(map)
        }
        _ => Err(Failure::refused(format!(
            "{what} endpoint: HTTP {}",
            posted.status
        ))),
    }
}

/// The user-info (OIDC), Graph API (Facebook) or profile (Amazon) answer for the access
/// token.
async fn attributes(
    app: &App,
    idp: &IdentityProvider,
    url: &str,
    access_token: &str,
) -> Result<Map<String, Value>, Failure> {
    let mut url = url.to_string();
    if idp.detail("attributes_url_add_attributes") == Some("true") {
        // Facebook: `fields=` lists the id and every mapped claim.
        let mut fields = vec![idp.provider_type.subject_claim().to_string()];
        fields.extend(idp.attribute_mapping.values().cloned());
        fields.sort();
        fields.dedup();
        url.push_str(&fields.join(","));
    }
    let url = app.settings.provider_url(&url);
    let bearer = format!("Bearer {access_token}");
    let headers: [(HeaderName, &str); 1] = [(AUTHORIZATION, &bearer)];
    let http = &app.provider_http;
    let posted = if idp.detail("attributes_request_method") == Some("POST") {
        http.post_form(&url, &[], &headers).await
    } else {
        http.get_with(&url, &headers).await
    };
    let body = json_body(posted, "user info")?;
    if body.contains_key("error") {
        return Err(Failure::refused("user info endpoint refused the token"));
    }
    Ok(body)
}

/// The issuers a provider's ID tokens may name (Google uses two spellings).
fn issuers(idp: &IdentityProvider) -> Vec<String> {
    let configured = idp.detail("oidc_issuer").map(|s| s.trim_end_matches('/'));
    match (idp.provider_type, configured) {
        (ProviderType::Google, _) => vec![
            "https://accounts.google.com".into(),
            "accounts.google.com".into(),
        ],
        (ProviderType::SignInWithApple, _) => vec!["https://appleid.apple.com".into()],
        (_, Some(i)) => vec![i.to_string()],
        _ => Vec::new(),
    }
}

/// Checks the provider's ID token: RS256 signature by a key of the provider's JWKS, `iss`,
/// `aud` (and `azp` when there are several audiences), `exp`, `iat`, and our `nonce`.
pub async fn verify_id_token(
    app: &App,
    idp: &IdentityProvider,
    token: &str,
    nonce: &str,
) -> Result<Map<String, Value>, Failure> {
    let bad = |cause: &str| Failure::invalid("Invalid ID token.", cause.to_string());
    let kid = jwt::peek_kid(token).ok_or_else(|| bad("no kid"))?;
    let issuers = issuers(idp);
    let key = match (idp.detail("jwks_uri"), issuers.first()) {
        (Some(uri), _) => app.oidc_keys.key_at(uri, &kid).await,
        (None, Some(issuer)) => app.oidc_keys.key(issuer, &kid).await,
        (None, None) => return Err(bad("no jwks_uri or issuer")),
    }
    .map_err(|e| Failure::unavailable(format!("provider keys: {e}")))?
    .ok_or_else(|| bad("unknown kid"))?;
    let claims = jwt::decode_verified(token, |_, msg, sig| key.verify_sig(msg, sig).is_ok())
        .map_err(|e| match e {
            JwtError::Expired | JwtError::Invalid => bad("signature or alg"),
        })?;
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !issuers.iter().any(|i| i == iss) {
        return Err(bad("iss"));
    }
    let client_id = idp.detail("client_id").unwrap_or_default();
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences.contains(&client_id) {
        return Err(bad("aud"));
    }
    if audiences.len() > 1 && claims.get("azp").and_then(Value::as_str) != Some(client_id) {
        return Err(bad("azp"));
    }
    let now = app.clock.now_secs();
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if now >= exp {
        return Err(bad("expired"));
    }
    if claims
        .get("iat")
        .and_then(Value::as_i64)
        .is_some_and(|iat| iat > now + 300)
    {
        return Err(bad("issued in the future"));
    }
    let sent = claims
        .get("nonce")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !crate::secret::constant_time_eq(sent.as_bytes(), nonce.as_bytes()) {
        return Err(bad("nonce"));
    }
    Ok(claims)
}
