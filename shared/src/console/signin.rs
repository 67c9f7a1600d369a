//! Signing in to the console through Latchkey's own managed login: the authorization code
//! flow with PKCE (S256) of the console's app client in the admin pool, so the pool's
//! password policy, lockout, MFA and triggers all apply. The state and the PKCE verifier
//! wait in a short-lived sealed cookie; the code is redeemed at the token endpoint's own
//! code, and the access token becomes the session cookie (HttpOnly, SameSite=Strict, only
//! under the console's path, ending with the token) when its user is an operator.

use super::layout::{self, Frame, BASE};
use super::operator::{self, Refused, Session, SESSION_COOKIE};
use crate::edge::hosted::{self, cookie, csrf_ok, redirect, scoped_cookie, with_cookie};
use crate::edge::EdgeRequest;
use crate::edge::EdgeResponse;
use crate::error::{ApiError, ApiResult};
use crate::secret::constant_time_eq;
use crate::userpool::session::{open_json, seal_json};
use crate::App;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The cookie holding a sign-in in progress.
const LOGIN_COOKIE: &str = "latchkey-console-login";
/// How long a sign-in may take, ms.
const LOGIN_TTL_MS: i64 = 10 * 60 * 1000;
/// The name of the console's app client in the admin pool.
pub const CLIENT_NAME: &str = "latchkey-console";

/// A sign-in in progress (sealed in [`LOGIN_COOKIE`]).
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    verifier: String,
    client_id: String,
    next: String,
    expires_ms: i64,
}

/// Where the managed login sends the code back.
fn callback_url(app: &App) -> String {
    format!("{}{BASE}/callback", app.settings.issuer_base_url)
}

/// The query of `req`.
pub fn query(req: &EdgeRequest) -> HashMap<String, String> {
    form_urlencoded::parse(req.query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A console cookie: HttpOnly, under the console's path only.
fn console_cookie(
    req: &EdgeRequest,
    name: &str,
    value: &str,
    max_age: i64,
    same_site: &str,
) -> http::HeaderValue {
    scoped_cookie(req, name, value, max_age, BASE, same_site)
}

/// A refusal outside the console's layout (nobody is let in yet): `text`, and a link.
pub fn refusal(
    status: StatusCode,
    title: &str,
    text: &str,
    next: Option<(&str, &str)>,
) -> EdgeResponse {
    bare_page(status, title, (text, false), next)
}

/// A page outside the console's layout: an outcome (text, good news), and a link.
fn bare_page(
    status: StatusCode,
    title: &str,
    notice: (&str, bool),
    next: Option<(&str, &str)>,
) -> EdgeResponse {
    let mut body = String::new();
    if let Some((href, label)) = next {
        body.push_str(&format!("<p>{}</p>\n", layout::link(href, label)));
    }
    let frame = Frame {
        title,
        operator: None,
        csrf: "",
        pool: None,
        notice: Some(notice),
        outbox: false,
    };
    hosted::guarded(EdgeResponse::html(status, layout::render(&frame, &body)))
}

/// What a request that is not let in gets: a GET page goes to the sign-in (and comes back);
/// anything else is refused with a page.
pub fn refused(req: &EdgeRequest, why: Refused) -> EdgeResponse {
    match why {
        Refused::SignIn if req.method == http::Method::GET => {
            let here = if req.query.is_empty() {
                req.path.clone()
            } else {
                format!("{}?{}", req.path, req.query)
            };
            let mut resp = redirect(&layout::page_url("/signin", &[("next", &here)]));
            // An ended session's cookie goes with it.
            if cookie(req, SESSION_COOKIE).is_some() {
                resp = with_cookie(resp, console_cookie(req, SESSION_COOKIE, "", 0, "Strict"));
            }
            resp
        }
        Refused::SignIn => refusal(
            StatusCode::FORBIDDEN,
            "Sign in",
            "Your console session has ended. Sign in again.",
            Some((&layout::page_url("/signin", &[]), "Sign in")),
        ),
        Refused::NotOperator(reason) => refusal(
            StatusCode::FORBIDDEN,
            "Not an operator",
            &reason,
            Some((
                &layout::page_url("/signin", &[("switch", "1")]),
                "Sign in as someone else",
            )),
        ),
        Refused::NotConfigured => refusal(
            StatusCode::FORBIDDEN,
            "Sign-in is not configured",
            "Operators sign in to the admin pool that LATCHKEY_CONSOLE_POOL_ID names, as \
             members of its LATCHKEY_CONSOLE_GROUP group; this deployment names no pool.",
            None,
        ),
        Refused::Fault(e) => fault(&e),
    }
}

/// A fault's page (its cause logged, never shown).
pub fn fault(e: &ApiError) -> EdgeResponse {
    tracing::error!(error = %e.message, "console request failed");
    refusal(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Something went wrong. Please try again later.",
        None,
    )
}

/// A console path to come back to: only the console's own pages.
fn safe_next(next: Option<&String>) -> String {
    next.filter(|n| {
        (n.as_str() == BASE
            || n.starts_with(&format!("{BASE}/"))
            || n.starts_with(&format!("{BASE}?")))
            && !n.contains("/signin")
            && !n.contains("/callback")
            && !n.contains('\\')
    })
    .cloned()
    .unwrap_or_else(|| BASE.to_string())
}

/// `GET /_latchkey/console/signin[?next=&switch=1]`: to the managed login with a fresh
/// state and PKCE pair (`switch`: ask for credentials even with a live login session).
pub async fn start(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let Some(pool_id) = app.settings.console.pool_id.as_deref() else {
        return refused(req, Refused::NotConfigured);
    };
    // The code comes back to the issuer's origin: start there, so this cookie goes with it.
    let base = &app.settings.issuer_base_url;
    let authority = base.split("://").nth(1).unwrap_or_default();
    if req.header("host").is_some_and(|h| h != authority) {
        return redirect(&format!("{base}{BASE}/signin?{}", req.query));
    }
    let q = query(req);
    let client_id = match console_client(app, pool_id).await {
        Ok(id) => id,
        Err(e) => return fault(&e),
    };
    let random = app.random.as_ref();
    let pending = Pending {
        state: crate::random::url_token(random, 24),
        verifier: crate::random::url_token(random, 48),
        client_id,
        next: safe_next(q.get("next")),
        expires_ms: app.clock.now_millis() + LOGIN_TTL_MS,
    };
    let sealed = match seal_json(app, &pending).await {
        Ok(s) => s,
        Err(e) => return fault(&e),
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(pending.verifier.as_bytes()));
    let callback = callback_url(app);
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", pending.client_id.as_str()),
        ("redirect_uri", callback.as_str()),
        ("scope", "openid"),
        ("state", pending.state.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    if q.contains_key("switch") {
        params.push(("prompt", "login"));
    }
    let to = layout::url("/oauth2/authorize", &params);
    // Lax: the code comes back through the managed login's redirect.
    let ttl = LOGIN_TTL_MS / 1000;
    with_cookie(
        redirect(&to),
        console_cookie(req, LOGIN_COOKIE, &sealed, ttl, "Lax"),
    )
}

/// `GET /_latchkey/console/callback?code=&state=`: the code redeemed, the operator checked,
/// the session started.
pub async fn callback(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let again = layout::page_url("/signin", &[]);
    let restart = |text: &str| {
        refusal(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            text,
            Some((&again, "Sign in again")),
        )
    };
    let pending = match cookie(req, LOGIN_COOKIE) {
        Some(sealed) => match open_json::<Pending>(app, sealed).await {
            Ok(p) => p.filter(|p| p.expires_ms > app.clock.now_millis()),
            Err(e) => return fault(&e),
        },
        None => None,
    };
    let Some(pending) = pending else {
        return restart("This sign-in has expired or was started in another browser.");
    };
    let q = query(req);
    let state_ok = q
        .get("state")
        .is_some_and(|s| constant_time_eq(s.as_bytes(), pending.state.as_bytes()));
    if !state_ok {
        return restart("This sign-in does not match the one this browser started.");
    }
    if let Some(error) = q.get("error") {
        return restart(&format!("The managed login answered {error}."));
    }
    let Some(code) = q.get("code") else {
        return restart("The managed login sent no code.");
    };
    let callback = callback_url(app);
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "authorization_code"),
            ("client_id", pending.client_id.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", callback.as_str()),
            ("code_verifier", pending.verifier.as_str()),
        ])
        .finish();
    let tokens = match crate::oauth::token::token(app, form.as_bytes(), None).await {
        Ok(t) => t,
        Err(e) if e.is_fault() => {
            return fault(&ApiError::new(crate::ErrorKind::InternalError, e.cause))
        }
        Err(e) => return restart(&format!("The code was refused ({}).", e.error)),
    };
    let clear_login = console_cookie(req, LOGIN_COOKIE, "", 0, "Lax");
    if let Err(why) = operator::admit(app, &tokens.access_token).await {
        return with_cookie(refused(req, why), clear_login);
    }
    let session = Session {
        access_token: tokens.access_token,
    };
    let sealed = match seal_json(app, &session).await {
        Ok(s) => s,
        Err(e) => return fault(&e),
    };
    let ttl = tokens.expires_in as i64;
    let resp = with_cookie(redirect(&pending.next), clear_login);
    with_cookie(
        resp,
        console_cookie(req, SESSION_COOKIE, &sealed, ttl, "Strict"),
    )
}

/// `POST /_latchkey/console/signout`: the console session and the managed login's session
/// both end (the next sign-in asks for the password again).
pub async fn sign_out(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let form = hosted::login::form_of(req);
    if !csrf_ok(req, form.get(hosted::CSRF_FIELD).map(String::as_str)) {
        return refusal(
            StatusCode::FORBIDDEN,
            "Sign out",
            hosted::EXPIRED,
            Some((BASE, "Back to the console")),
        );
    }
    if let Some(handle) = cookie(req, hosted::SESSION_COOKIE) {
        if let Err(e) = crate::oauth::grants::end_session(app, handle).await {
            return fault(&e);
        }
    }
    let page = bare_page(
        StatusCode::OK,
        "Signed out",
        ("You have signed out of the console.", true),
        Some((&layout::page_url("/signin", &[]), "Sign in again")),
    );
    let page = with_cookie(page, console_cookie(req, SESSION_COOKIE, "", 0, "Strict"));
    with_cookie(page, hosted::set_cookie(req, hosted::SESSION_COOKIE, "", 0))
}

/// The console's app client in `pool_id`: the client named [`CLIENT_NAME`] whose callback is
/// this deployment's, made on first use (code flow, `openid`, no secret: PKCE protects the
/// code) through CreateUserPoolClient, as an administrator would.
async fn console_client(app: &App, pool_id: &str) -> ApiResult<String> {
    let callback = callback_url(app);
    let mut after: Option<String> = None;
    loop {
        let page = app
            .store
            .list_clients(pool_id, after.as_deref(), 60)
            .await?;
        let found = page
            .items
            .iter()
            .find(|c| c.client_name == CLIENT_NAME && c.oauth.callback_urls.contains(&callback));
        if let Some(c) = found {
            return Ok(c.client_id.clone());
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let created = super::api::call(
        app,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id,
            "ClientName": CLIENT_NAME,
            "GenerateSecret": false,
            "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid"],
            "CallbackURLs": [callback],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await?;
    created["UserPoolClient"]["ClientId"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| ApiError::internal(&crate::Error::Decode("CreateUserPoolClient".into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_console_pages_are_places_to_come_back_to() {
        let next = |s: &str| safe_next(Some(&s.to_string()));
        assert_eq!(
            next("/_latchkey/console/users?pool=p"),
            "/_latchkey/console/users?pool=p"
        );
        assert_eq!(next("/_latchkey/console"), "/_latchkey/console");
        for bad in [
            "https://evil.example/",
            "//evil.example/_latchkey/console",
            "/_latchkey/consolex",
            "/_latchkey/console/signin",
            "/_latchkey/console/\\evil",
            "/oauth2/token",
        ] {
            assert_eq!(next(bad), BASE, "{bad}");
        }
        assert_eq!(safe_next(None), BASE);
    }
}
