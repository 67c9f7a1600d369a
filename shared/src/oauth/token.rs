//! The token endpoint (`POST /oauth2/token`): a form body, the client authenticated by
//! `client_secret_basic` or `client_secret_post` (never both), then the grant:
//! `authorization_code` (with the PKCE verifier), `refresh_token` (the same redemption as
//! REFRESH_TOKEN_AUTH), `client_credentials` (custom scopes, no user).

use super::error::OAuthError;
use super::grants::{self, TokenSet};
use crate::call::Call;
use crate::error::ApiError;
use crate::secret::constant_time_eq;
use crate::userpool::model::{AppClient, OAuthFlow};
use crate::userpool::oauth_m2m::{self, M2mRefusal};
use crate::userpool::{pools, refresh};
use crate::App;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::HashMap;
use std::sync::Arc;

/// A token request's form, each parameter once.
pub struct Form(HashMap<String, String>);

impl Form {
    /// Parses `application/x-www-form-urlencoded`; a repeated parameter is `invalid_request`
    /// (RFC 6749 §3.2).
    pub fn parse(body: &[u8]) -> Result<Self, OAuthError> {
        let mut map = HashMap::new();
        for (k, v) in form_urlencoded::parse(body) {
            if map.insert(k.to_string(), v.to_string()).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "repeated parameter {k}"
                )));
            }
        }
        Ok(Self(map))
    }

    /// A parameter, when present and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A required parameter.
    pub fn required(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("missing {name}")))
    }
}

/// The client's credentials from an `Authorization: Basic` header (RFC 6749 §2.3.1: each
/// part form-urlencoded before base64).
fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// Authenticates the client of a request to the token or revocation endpoint.
pub async fn authenticate(
    app: &App,
    form: &Form,
    authorization: Option<&str>,
) -> Result<Arc<AppClient>, OAuthError> {
    let basic = match authorization {
        Some(h) => Some(
            basic_credentials(h)
                .ok_or_else(|| OAuthError::invalid_client("malformed Authorization header"))?,
        ),
        None => None,
    };
    if basic.is_some() && form.get("client_secret").is_some() {
        return Err(OAuthError::invalid_request(
            "two client authentication methods",
        ));
    }
    let (client_id, secret) = match (&basic, form.get("client_id")) {
        (Some((id, _)), Some(posted)) if posted != id => {
            return Err(OAuthError::invalid_client(
                "client_id differs from the header",
            ))
        }
        (Some((id, secret)), _) => (id.as_str(), Some(secret.as_str())),
        (None, Some(id)) => (id, form.get("client_secret")),
        (None, None) => return Err(OAuthError::invalid_request("missing client_id")),
    };
    let client = app
        .configs
        .client(app.store.as_ref(), client_id)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| OAuthError::invalid_client("unknown client"))?;
    let ok = match (&client.secret, secret) {
        (Some(expected), Some(sent)) => {
            constant_time_eq(expected.expose().as_bytes(), sent.as_bytes())
        }
        (None, None) => true,
        _ => false,
    };
    if !ok {
        return Err(OAuthError::invalid_client("client authentication failed"));
    }
    Ok(client)
}

/// `POST /oauth2/token`.
pub async fn token(
    app: &App,
    body: &[u8],
    authorization: Option<&str>,
) -> Result<TokenSet, OAuthError> {
    let form = Form::parse(body)?;
    let grant_type = form.required("grant_type")?;
    if !matches!(
        grant_type,
        "authorization_code" | "refresh_token" | "client_credentials"
    ) {
        return Err(OAuthError::unsupported_grant_type(grant_type.to_string()));
    }
    let client = authenticate(app, &form, authorization).await?;
    match grant_type {
        "authorization_code" => {
            if !client.oauth.allows(OAuthFlow::Code) {
                return Err(OAuthError::unauthorized_client("code flow not allowed"));
            }
            let code = form.required("code")?;
            let (redirect, verifier) = (form.get("redirect_uri"), form.get("code_verifier"));
            grants::redeem_code(app, &client.client_id, code, redirect, verifier).await
        }
        "refresh_token" => {
            let token = form.required("refresh_token")?;
            let pool = pools::load_pool(app, &client.pool_id).await?;
            let call = Call::internal(app);
            let issued = refresh::redeem(&call, &pool, &client, token, |_| Ok(())).await?;
            // An API sign-in's refresh token (no scopes) gets an ID token, as from
            // REFRESH_TOKEN_AUTH; an OAuth one only when `openid` was granted.
            let openid = issued_with_openid(&issued.access_token);
            Ok(TokenSet::of(issued, openid))
        }
        _ => client_credentials(app, &client, form.get("scope")).await,
    }
}

/// Whether an access token we issued carries `openid`, or is an API sign-in's (admin scope).
fn issued_with_openid(access_token: &str) -> bool {
    crate::userpool::jwt::peek_claims(access_token)
        .and_then(|c| c.get("scope").and_then(|s| s.as_str()).map(str::to_string))
        .is_none_or(|scope| {
            scope
                .split(' ')
                .any(|s| s == "openid" || s == crate::userpool::access::ADMIN_SCOPE)
        })
}

/// The client-credentials grant: an access token for the client itself, with custom scopes.
async fn client_credentials(
    app: &App,
    client: &AppClient,
    scope: Option<&str>,
) -> Result<TokenSet, OAuthError> {
    let pool = pools::load_pool(app, &client.pool_id).await?;
    let call = Call::internal(app);
    match oauth_m2m::client_credentials(&call, &pool, client, scope).await {
        Ok(token) => Ok(TokenSet {
            access_token: token.access_token,
            id_token: None,
            refresh_token: None,
            token_type: "Bearer",
            expires_in: token.expires_in,
        }),
        Err(M2mRefusal::UnauthorizedClient) => Err(OAuthError::unauthorized_client(
            "client_credentials not allowed",
        )),
        Err(M2mRefusal::InvalidScope) => Err(OAuthError::invalid_scope("scope")),
        Err(M2mRefusal::Fault(e)) => Err(OAuthError::new("server_error", e.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let h = format!("Basic {}", STANDARD.encode("my%20id:s%2Bcret"));
        assert_eq!(
            basic_credentials(&h),
            Some(("my id".to_string(), "s+cret".to_string()))
        );
        assert_eq!(basic_credentials("Bearer x"), None);
        assert_eq!(basic_credentials("Basic !!"), None);
    }

    #[test]
    fn a_repeated_parameter_is_refused() {
        assert!(Form::parse(b"grant_type=a&grant_type=b").is_err());
        let f = Form::parse(b"grant_type=authorization_code&code=").unwrap();
        assert_eq!(f.get("grant_type"), Some("authorization_code"));
        assert!(f.required("code").is_err());
    }
}
