//! The browser's side of a sign-in through an external identity provider: the authorize
//! endpoint (or a login-page button) sends it to the provider, with a binding cookie; the
//! provider sends it back to `GET|POST /oauth2/idpresponse`, which finishes the round trip,
//! signs the user in through the pool's federated flow and hands the app its code exactly as
//! a password sign-in does. A failure the app should hear of goes back to its redirect URI
//! with `error` and `error_description`; a `state` that is unknown, replayed, expired or
//! another browser's gets an error page and never a redirect.

use super::login::{deliver, fault, form_of, Started};
use super::{cookie, error_page, redirect, scoped_cookie, with_cookie};
use crate::call::{Authorization, Call};
use crate::edge::response::EdgeResponse;
use crate::edge::EdgeRequest;
use crate::error::ErrorKind;
use crate::oauth::authorize::{self, Authorize, AuthorizeParams, Refusal};
use crate::oauth::federation::provider::{self, Answer};
use crate::oauth::federation::{round_trip, Failure};
use crate::userpool::model::{IdentityProvider, ProviderType};
use crate::userpool::signin::federated::{self, ExternalIdentity};
use crate::App;
use http::StatusCode;
use std::collections::HashMap;

/// The cookie that binds a provider round trip to the browser that started it.
pub const BINDING_COOKIE: &str = "latchkey-idp";
/// Where providers send the browser back.
pub const RESPONSE_PATH: &str = "/oauth2/idpresponse";

/// Our origin as the browser reached it (the provider sends the browser back there, so the
/// binding cookie goes with it): `X-Forwarded-Proto` and `Host`, else the issuer's.
pub(super) fn origin(app: &App, req: &EdgeRequest) -> String {
    match req.header("host") {
        Some(host) if !host.is_empty() && !host.contains(['/', '\\', '@', ' ']) => {
            let scheme = if req.header("x-forwarded-proto") == Some("https") {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}")
        }
        _ => app.settings.issuer_base_url.clone(),
    }
}

/// A binding cookie `name`, only for the response `path`: `SameSite=None` over HTTPS, so a
/// provider's form post (Apple, SAML) carries it too; `Lax` on plain HTTP (loopback
/// development), where the provider's answer comes from the same site.
pub(super) fn binding_cookie(
    req: &EdgeRequest,
    name: &str,
    path: &str,
    value: &str,
) -> http::HeaderValue {
    let https = req.header("x-forwarded-proto") == Some("https");
    let same_site = if https { "None" } else { "Lax" };
    let max_age = round_trip::TTL_MS / 1000;
    scoped_cookie(req, name, value, max_age, path, same_site)
}

/// Sends the browser to the provider `authz` names.
pub async fn to_provider(app: &App, req: &EdgeRequest, authz: &Authorize) -> EdgeResponse {
    let Some(name) = authz.provider.as_deref() else {
        return fault(&crate::error::ApiError::internal(&crate::Error::Decode(
            "no provider".into(),
        )));
    };
    let idp = match app.store.get_identity_provider(&authz.pool.id, name).await {
        Ok(Some(idp)) => idp,
        Ok(None) => {
            let to = authz.error_redirect("invalid_request", "identity provider is gone");
            return redirect(&to.location());
        }
        Err(e) => return fault(&e.into()),
    };
    if idp.provider_type == ProviderType::Saml {
        return super::saml::to_provider(app, req, authz, &idp).await;
    }
    let callback = format!("{}{RESPONSE_PATH}", origin(app, req));
    let binding = cookie(req, BINDING_COOKIE);
    let out =
        match round_trip::start(app, &authz.pool.id, &idp, &req.query, binding, &callback).await {
            Ok(out) => out,
            Err(e) => return fault(&e),
        };
    let challenge = out.challenge.as_deref();
    match provider::authorize_url(app, &idp, &callback, &out.state, &out.nonce, challenge) {
        Ok(location) => {
            let cookie = binding_cookie(req, BINDING_COOKIE, RESPONSE_PATH, &out.binding);
            with_cookie(redirect(&location), cookie)
        }
        Err(e) => fault(&e),
    }
}

/// `GET|POST /oauth2/idpresponse`.
pub async fn idp_response(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let params: HashMap<String, String> = if req.method == http::Method::POST {
        form_of(req)
    } else {
        form_urlencoded::parse(req.query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    };
    let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(state) = get("state") else {
        return error_page(StatusCode::BAD_REQUEST, "Invalid state.");
    };
    let pending = match round_trip::finish(app, state, cookie(req, BINDING_COOKIE)).await {
        Ok(p) => p,
        Err(f) => return failure_page(&f),
    };
    let authz = match recheck(app, &pending.query).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let answered = match (get("code"), get("error")) {
        (Some(code), None) => Ok(code),
        (_, error) => Err(provider_error(error, get("error_description"))),
    };
    let result = match answered {
        Ok(code) => {
            let answer = Answer {
                code,
                apple_user: get("user"),
            };
            sign_in(app, &authz, &pending, &answer).await
        }
        Err(f) => Err(f),
    };
    match result {
        Ok(issued) => deliver(app, req, &authz, issued, Started::Session).await,
        Err(f) => back_with_error(&authz, f),
    }
}

/// The provider's own refusal (the user declined, or it failed).
fn provider_error(error: Option<&str>, description: Option<&str>) -> Failure {
    let error = match error {
        Some("access_denied") => "access_denied",
        Some(_) => "invalid_request",
        None => "invalid_request",
    };
    Failure {
        error,
        description: description
            .unwrap_or("The identity provider did not sign the user in.")
            .chars()
            .take(256)
            .collect(),
        cause: "provider answered an error".into(),
    }
}

/// The app's authorization request, checked again (its client or redirect URI may have
/// changed while the browser was away).
pub(super) async fn recheck(app: &App, query: &str) -> Result<Authorize, EdgeResponse> {
    let params: AuthorizeParams = serde_urlencoded::from_str(query)
        .map_err(|_| error_page(StatusCode::BAD_REQUEST, "The request is not valid."))?;
    authorize::check(app, &params).await.map_err(|r| match r {
        Refusal::Page(message) => error_page(StatusCode::BAD_REQUEST, &message),
        Refusal::Redirect(to) => redirect(&to.location()),
        Refusal::Fault(e) => fault(&e),
    })
}

/// The provider `name` of the pool, if it still exists.
pub(super) async fn provider_named(
    app: &App,
    pool_id: &str,
    name: &str,
) -> Result<IdentityProvider, Failure> {
    app.store
        .get_identity_provider(pool_id, name)
        .await
        .map_err(|e| Failure::from(crate::error::ApiError::from(e)))?
        .ok_or_else(|| Failure::invalid("Unknown identity provider.", "provider deleted"))
}

/// The code exchange and checks, then the pool's federated sign-in.
async fn sign_in(
    app: &App,
    authz: &Authorize,
    pending: &round_trip::Pending,
    answer: &Answer<'_>,
) -> Result<crate::userpool::tokens::Issued, Failure> {
    let idp = provider_named(app, &authz.pool.id, &pending.provider).await?;
    let claims = provider::redeem(app, &idp, pending, answer).await?;
    let identity = ExternalIdentity {
        claims,
        issuer: None,
    };
    sign_in_as(app, authz, &idp, &identity).await
}

/// The pool's federated sign-in of a verified external identity.
pub(super) async fn sign_in_as(
    app: &App,
    authz: &Authorize,
    idp: &IdentityProvider,
    identity: &ExternalIdentity,
) -> Result<crate::userpool::tokens::Issued, Failure> {
    let call = Call::internal(app).authorized(Authorization {
        scopes: authz.scopes.clone(),
        nonce: authz.nonce.clone(),
    });
    federated::sign_in(&call, &authz.pool, &authz.client, idp, identity)
        .await
        .map_err(|e| match e.kind {
            ErrorKind::InternalError => Failure::from(e),
            _ => Failure::invalid(e.message.clone(), e.message),
        })
}

/// Back to the app with the failure.
pub(super) fn back_with_error(authz: &Authorize, f: Failure) -> EdgeResponse {
    if f.error == "server_error" {
        tracing::error!(cause = %f.cause, "federated sign-in failed");
    } else {
        tracing::info!(error = f.error, cause = %f.cause, "federated sign-in refused");
    }
    let mut to = authz.error_redirect(f.error, f.cause);
    to.description = Some(f.description);
    redirect(&to.location())
}

/// A round trip that cannot be trusted: a page, never a redirect.
pub(super) fn failure_page(f: &Failure) -> EdgeResponse {
    tracing::info!(cause = %f.cause, "identity provider response refused");
    if f.error == "server_error" {
        return error_page(StatusCode::INTERNAL_SERVER_ERROR, &f.description);
    }
    error_page(StatusCode::BAD_REQUEST, &f.description)
}
