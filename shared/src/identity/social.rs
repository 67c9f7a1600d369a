//! Facebook and Login with Amazon logins: opaque access tokens, so they are checked by asking
//! the provider. The pool's `SupportedLoginProviders` holds only the app id (no secret), so
//! Facebook's token is read with itself: `GET graph.facebook.com/app?access_token=T` names the
//! app the token was issued to (it must be a configured app id) and `GET /me?access_token=T`
//! the user. A Login with Amazon token is read at `api.amazon.com/auth/o2/tokeninfo`: its
//! `app_id` (the security profile id Cognito's console asks for) or `aud` (the OAuth client id)
//! must be configured, and `user_id` is the user. Requests go through
//! `LATCHKEY_PROVIDER_ENDPOINTS`, so tests play the providers on loopback.

use super::model::IdentityPool;
use super::verified::{invalid, LoginKind, VerifiedLogin};
use crate::error::{ApiError, ApiResult};
use crate::http::HttpClient;
use crate::App;
use serde_json::{Map, Value};
use std::time::Duration;

/// Facebook's Logins key.
pub const FACEBOOK: &str = "graph.facebook.com";
/// Login with Amazon's Logins key.
pub const AMAZON: &str = "www.amazon.com";
/// Where Facebook's Graph API is.
const GRAPH: &str = "https://graph.facebook.com";
/// Where Login with Amazon's token information is.
const AMAZON_API: &str = "https://api.amazon.com";
/// The issuer Login with Amazon names in token information.
const AMAZON_ISSUER: &str = "https://www.amazon.com";

/// Verifies a Facebook or Login with Amazon token; None when the pool does not support the
/// provider.
pub async fn verify(
    app: &App,
    ipool: &IdentityPool,
    provider: &str,
    token: &str,
) -> ApiResult<Option<VerifiedLogin>> {
    let Some(ids) = ipool.supported_login_providers.get(provider) else {
        return Ok(None);
    };
    let allowed: Vec<&str> = ids.split(',').map(str::trim).collect();
    let verified = if provider == FACEBOOK {
        facebook(app, &allowed, token).await?
    } else {
        amazon(app, &allowed, token).await?
    };
    Ok(Some(verified))
}

/// GETs a provider document carrying the token; a refusal or fault is an invalid token (logged
/// with the token masked, never sent).
async fn ask(app: &App, provider: &str, url: &str, token: &str) -> ApiResult<Value> {
    let http = HttpClient::new(Duration::from_secs(5)).map_err(|e| ApiError::internal(&e))?;
    http.get_json(&app.settings.provider_url(url))
        .await
        .map_err(|e| {
            let why = mask(&e.to_string(), token);
            tracing::warn!(provider, %why, "provider did not accept a login token");
            invalid("Token is invalid or expired.")
        })
}

/// `text` without `token` in it: the URL in a fetch error carries the token, raw or
/// percent-encoded, so both forms are masked.
fn mask(text: &str, token: &str) -> String {
    text.replace(&query_token(token), "***")
        .replace(token, "***")
}

fn query_token(token: &str) -> String {
    form_urlencoded::byte_serialize(token.as_bytes()).collect()
}

fn string_of(v: &Value, field: &str) -> Option<String> {
    match &v[field] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

async fn facebook(app: &App, allowed: &[&str], token: &str) -> ApiResult<VerifiedLogin> {
    let t = query_token(token);
    let owner = ask(
        app,
        FACEBOOK,
        &format!("{GRAPH}/app?access_token={t}"),
        token,
    )
    .await?;
    let app_id = string_of(&owner, "id").ok_or_else(|| invalid("Invalid audience."))?;
    if !allowed.contains(&app_id.as_str()) {
        return Err(invalid("Invalid audience."));
    }
    let me = ask(
        app,
        FACEBOOK,
        &format!("{GRAPH}/me?fields=id&access_token={t}"),
        token,
    )
    .await?;
    let user_id = string_of(&me, "id").ok_or_else(|| invalid("Missing user id."))?;
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::String(user_id.clone()));
    claims.insert("aud".into(), Value::String(app_id.clone()));
    claims.insert("app_id".into(), Value::String(app_id));
    Ok(VerifiedLogin {
        provider: FACEBOOK.to_string(),
        subject: user_id,
        claims,
        mapping_key: FACEBOOK.to_string(),
        kind: LoginKind::Facebook,
    })
}

async fn amazon(app: &App, allowed: &[&str], token: &str) -> ApiResult<VerifiedLogin> {
    let t = query_token(token);
    let url = format!("{AMAZON_API}/auth/o2/tokeninfo?access_token={t}");
    let info = ask(app, AMAZON, &url, token).await?;
    if info["iss"].as_str().is_some_and(|iss| iss != AMAZON_ISSUER) {
        return Err(invalid("Issuer doesn't match providerName"));
    }
    // Token information gives `exp` as the seconds the token has left.
    if info["exp"].as_i64().is_some_and(|left| left <= 0) {
        return Err(invalid("Token is invalid or expired."));
    }
    let ours = ["app_id", "aud"]
        .iter()
        .filter_map(|f| string_of(&info, f))
        .any(|id| allowed.contains(&id.as_str()));
    if !ours {
        return Err(invalid("Invalid audience."));
    }
    let user_id = string_of(&info, "user_id").ok_or_else(|| invalid("Missing user id."))?;
    let mut claims = match info {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    claims.insert("sub".into(), Value::String(user_id.clone()));
    Ok(VerifiedLogin {
        provider: AMAZON.to_string(),
        subject: user_id,
        claims,
        mapping_key: AMAZON.to_string(),
        kind: LoginKind::Amazon,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_masked_raw_and_encoded() {
        let why = "fetching https://api.amazon.com/auth/o2/tokeninfo?access_token=Atza%7Cabc+d: \
                   HTTP 400 (Atza|abc d)";
        let masked = mask(why, "Atza|abc d");
        assert!(!masked.contains("abc"), "{masked}");
        assert_eq!(masked.matches("***").count(), 2);
    }
}
