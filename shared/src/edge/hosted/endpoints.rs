//! The OAuth 2.0 endpoints a client calls directly: `POST /oauth2/token`,
//! `GET|POST /oauth2/userInfo`, `POST /oauth2/revoke`, and the browser's `GET /logout`.

use super::{
    cookie, error_page, logout_ended, oauth_error, set_cookie, with_cookie, SESSION_COOKIE,
};
use crate::edge::response::{EdgeResponse, JSON};
use crate::edge::EdgeRequest;
use crate::oauth::logout::{self, LogoutParams};
use crate::oauth::token::{self, Form};
use crate::oauth::{grants, userinfo, OAuthError};
use crate::App;
use http::header::{HeaderValue, CACHE_CONTROL};
use http::StatusCode;

/// Whether the body is a form (`application/x-www-form-urlencoded`, any parameters).
fn is_form(req: &EdgeRequest) -> bool {
    req.header("content-type").is_some_and(|c| {
        c.split(';').next().is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    })
}

/// JSON `value` that must not be cached (RFC 6749 §5.1).
fn no_store_json(value: &impl serde::Serialize) -> EdgeResponse {
    EdgeResponse::json(value).with_header(CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// `POST /oauth2/token`.
pub async fn token(app: &App, req: &EdgeRequest) -> EdgeResponse {
    if !is_form(req) {
        return oauth_error(&OAuthError::invalid_request("not a form body"));
    }
    match token::token(app, &req.body, req.header("authorization")).await {
        Ok(tokens) => no_store_json(&tokens),
        Err(e) => oauth_error(&e),
    }
}

/// `GET|POST /oauth2/userInfo`.
pub async fn user_info(app: &App, req: &EdgeRequest) -> EdgeResponse {
    match userinfo::user_info(app, req.header("authorization")).await {
        Ok(claims) => no_store_json(&claims),
        Err(e) => oauth_error(&e),
    }
}

/// `POST /oauth2/revoke`: ends the refresh token's session and the access tokens issued from
/// it (RFC 7009: an unknown token is no error).
pub async fn revoke(app: &App, req: &EdgeRequest) -> EdgeResponse {
    if !is_form(req) {
        return oauth_error(&OAuthError::invalid_request("not a form body"));
    }
    let form = match Form::parse(&req.body) {
        Ok(f) => f,
        Err(e) => return oauth_error(&e),
    };
    let client = match token::authenticate(app, &form, req.header("authorization")).await {
        Ok(c) => c,
        Err(e) => return oauth_error(&e),
    };
    let Some(token) = form.get("token") else {
        return oauth_error(&OAuthError::invalid_request("missing token"));
    };
    match crate::userpool::revocation::revoke_for_client(app, &client, token).await {
        Ok(()) => EdgeResponse::new(StatusCode::OK, JSON, Vec::new()),
        Err(e) => oauth_error(&match e.kind {
            crate::error::ErrorKind::UnsupportedTokenType => {
                OAuthError::new("unsupported_token_type", e.message)
            }
            crate::error::ErrorKind::InternalError => OAuthError::new("server_error", e.message),
            _ => OAuthError::invalid_request(e.message),
        }),
    }
}

/// `GET /logout`: ends the hosted session (cookie and record), then goes where the request
/// says, if that is registered; a session that came through a SAML provider with single
/// logout goes by the provider first (`/saml2/logout` brings it back).
pub async fn logout(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let params: LogoutParams = match serde_urlencoded::from_str(&req.query) {
        Ok(p) => p,
        Err(_) => return error_page(StatusCode::BAD_REQUEST, "The request is not valid."),
    };
    let end = match logout::logout(app, &params).await {
        Ok(end) => end,
        Err(message) => return error_page(StatusCode::BAD_REQUEST, &message),
    };
    let mut saml = None;
    if let Some(handle) = cookie(req, SESSION_COOKIE) {
        saml = grants::session_saml(app, handle).await.unwrap_or_else(|e| {
            tracing::error!(error = %e.message, "reading a hosted session failed");
            None
        });
        if let Err(e) = grants::end_session(app, handle).await {
            tracing::error!(error = %e.message, "ending a hosted session failed");
        }
    }
    let resp = match saml {
        Some((pool_id, login)) => {
            match super::saml::single_logout(app, &pool_id, &login, end).await {
                Ok(to_provider) => to_provider,
                Err(end) => logout_ended(end),
            }
        }
        None => logout_ended(end),
    };
    with_cookie(resp, set_cookie(req, SESSION_COOKIE, "", 0))
}
