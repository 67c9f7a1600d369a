//! The managed login pages and the OAuth 2.0 endpoints over HTTP: the edge's side of
//! [`crate::oauth`]. Pages are server-rendered forms ([`html`]) with a CSRF token
//! (double-submit: a cookie and a hidden field that must match), sent with headers that
//! forbid framing and caching; the endpoints answer RFC 6749's JSON errors.
//!
//! - [`authorize`]: `/oauth2/authorize`, to an external provider or the login pages;
//! - [`login`]: the pool's own sign-in: `/login`, and the challenge step (`/login/challenge`);
//! - [`account`]: `/signup`, `/confirmUser`, `/forgotPassword`, `/confirmForgotPassword`;
//! - [`endpoints`]: `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`;
//! - [`federation`]: to an external identity provider and back (`/oauth2/idpresponse`);
//! - [`saml`]: a SAML provider's answers (`/saml2/idpresponse`) and single logout
//!   (`/saml2/logout`).

pub mod account;
pub mod authorize;
pub mod challenge;
pub mod endpoints;
pub mod external;
pub mod federation;
pub mod html;
pub mod login;
pub mod saml;

use super::response::{EdgeResponse, HTML, JSON};
use super::EdgeRequest;
use crate::oauth::OAuthError;
use crate::secret::constant_time_eq;
use http::header::{HeaderName, HeaderValue, CACHE_CONTROL, LOCATION, SET_COOKIE};
use http::StatusCode;

/// The hosted sign-in session's cookie.
pub const SESSION_COOKIE: &str = "latchkey-session";
/// The CSRF cookie (its value is also the forms' `_csrf`).
pub const CSRF_COOKIE: &str = "XSRF-TOKEN";
/// The forms' CSRF field.
pub const CSRF_FIELD: &str = "_csrf";

/// A cookie of the request.
pub fn cookie<'r>(req: &'r EdgeRequest, name: &str) -> Option<&'r str> {
    req.headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// Whether the browser reached us over HTTPS (API Gateway and the local TLS listener say so
/// in `X-Forwarded-Proto`): cookies are then `Secure`.
fn secure(req: &EdgeRequest) -> bool {
    req.header("x-forwarded-proto") == Some("https")
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, the whole site; `max_age` 0 deletes it.
pub fn set_cookie(req: &EdgeRequest, name: &str, value: &str, max_age: i64) -> HeaderValue {
    scoped_cookie(req, name, value, max_age, "/", "Lax")
}

/// A `Set-Cookie` value for `path` only, with `same_site` (`Lax` or `Strict`): HttpOnly, and
/// Secure over HTTPS; `max_age` 0 deletes it.
pub fn scoped_cookie(
    req: &EdgeRequest,
    name: &str,
    value: &str,
    max_age: i64,
    path: &str,
    same_site: &str,
) -> HeaderValue {
    let secure = if secure(req) { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("x=; Max-Age=0"))
}

/// Adds a `Set-Cookie` (several may be set).
pub fn with_cookie(mut resp: EdgeResponse, cookie: HeaderValue) -> EdgeResponse {
    resp.headers.append(SET_COOKIE, cookie);
    resp
}

/// Headers every page and redirect of the login flow (and of the console) carries: no
/// framing, no scripts, no caching, no referrer (the query carries the authorization
/// request).
pub fn guarded(resp: EdgeResponse) -> EdgeResponse {
    let pairs = [
        ("x-frame-options", "DENY"),
        (
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
    ];
    let mut resp = resp.with_header(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (name, value) in pairs {
        resp = resp.with_header(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    resp
}

/// A page of `status`.
pub fn page(status: StatusCode, page: &html::Page<'_>) -> EdgeResponse {
    guarded(EdgeResponse::new(status, HTML, page.render().into_bytes()))
}

/// A 302 to `location`.
pub fn redirect(location: &str) -> EdgeResponse {
    let resp = EdgeResponse::new(StatusCode::FOUND, HTML, Vec::new());
    match HeaderValue::from_str(location) {
        Ok(v) => guarded(resp.with_header(LOCATION, v)),
        Err(_) => error_page(StatusCode::BAD_REQUEST, "The redirect URL is not valid."),
    }
}

/// An error page (never a redirect).
pub fn error_page(status: StatusCode, message: &str) -> EdgeResponse {
    let mut p = html::Page::new("An error was encountered");
    p.alert = Some(message);
    page(status, &p)
}

/// An OAuth endpoint's error: 400 with `{"error": ...}`, as Cognito answers even for
/// `invalid_client` (userInfo's `invalid_token`: 401 with `WWW-Authenticate`; `server_error`:
/// 500), the cause logged.
pub fn oauth_error(e: &OAuthError) -> EdgeResponse {
    let status = match e.error {
        "invalid_token" => StatusCode::UNAUTHORIZED,
        "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    if e.is_fault() {
        tracing::error!(cause = %e.cause, "OAuth request failed");
    } else {
        tracing::debug!(error = e.error, cause = %e.cause, "OAuth request refused");
    }
    let body = serde_json::to_vec(e).unwrap_or_default();
    let resp = EdgeResponse::new(status, JSON, body)
        .with_header(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        let challenge = format!("Bearer error=\"{}\"", e.error);
        match HeaderValue::from_str(&challenge) {
            Ok(v) => resp.with_header(http::header::WWW_AUTHENTICATE, v),
            Err(_) => resp,
        }
    } else {
        resp
    }
}

/// The authorization query without the page's own `username` (pages add it back).
pub fn base_query(req: &EdgeRequest) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form_urlencoded::parse(req.query.as_bytes()).filter(|(k, _)| k != "username"))
        .finish()
}

/// The client's CSS for its pages (checked when set: safe inside `<style>`).
pub fn css_of(authz: &crate::oauth::authorize::Authorize) -> Option<&str> {
    authz.branding.as_ref().and_then(|b| b.css.as_deref())
}

/// The client's logo as a `data:` URL.
pub fn logo_of(authz: &crate::oauth::authorize::Authorize) -> Option<String> {
    authz
        .branding
        .as_ref()
        .and_then(|b| b.logo.as_ref())
        .map(|l| l.data_url())
}

/// What a form says when its CSRF token is missing or wrong.
pub const EXPIRED: &str = "Your session has expired. Please try again.";

/// A CSRF cookie still to be set on a response (when the browser had none).
pub struct CsrfCookie(Option<HeaderValue>);

impl CsrfCookie {
    /// `resp` with the cookie set, if one is due.
    pub fn apply(self, resp: EdgeResponse) -> EdgeResponse {
        match self.0 {
            Some(c) => with_cookie(resp, c),
            None => resp,
        }
    }
}

/// The CSRF token of this browser: its cookie's, or a new one (and the cookie to set).
pub fn csrf_token(app: &crate::App, req: &EdgeRequest) -> (String, CsrfCookie) {
    if let Some(c) = cookie(req, CSRF_COOKIE) {
        return (c.to_string(), CsrfCookie(None));
    }
    let token = crate::random::url_token(app.random.as_ref(), 32);
    let cookie = set_cookie(req, CSRF_COOKIE, &token, 3600);
    (token, CsrfCookie(Some(cookie)))
}

/// Whether a form's `_csrf` matches the request's CSRF cookie.
pub fn csrf_ok(req: &EdgeRequest, sent: Option<&str>) -> bool {
    match (cookie(req, CSRF_COOKIE), sent) {
        (Some(c), Some(s)) => constant_time_eq(c.as_bytes(), s.as_bytes()),
        _ => false,
    }
}

/// Where a logout ends: a registered URL, the login page again, or a page saying so.
pub fn logout_ended(end: crate::oauth::logout::LogoutEnd) -> EdgeResponse {
    match end {
        crate::oauth::logout::LogoutEnd::Redirect(to) => redirect(&to),
        crate::oauth::logout::LogoutEnd::SignInAgain(query) => redirect(&format!("/login?{query}")),
        crate::oauth::logout::LogoutEnd::SignedOut => {
            let mut p = html::Page::new("Signed out");
            p.alert = Some("You have been signed out.");
            p.success = true;
            page(StatusCode::OK, &p)
        }
    }
}
