//! The browser's side of a sign-in through an external identity provider: the authorize
//! endpoint (or a login-page button) sends it to the provider, with a binding cookie; the
//! provider sends it back to `GET|POST /oauth2/idpresponse`, which finishes the round trip,
//! signs the user in through the pool's federated flow and hands the app its code exactly as
//! a password sign-in does. A failure the app should hear of goes back to its redirect URI
//! with `error` and `error_description`; a `state` that is unknown, replayed, expired or
//! another browser's gets an error page and never a redirect.

use super::external::{
    back_with_error, binding_cookie, failure_page, origin, provider_named, recheck, sign_in_as,
};
use super::login::{deliver, fault, form_of, Started};
use super::{cookie, error_page, redirect, with_cookie};
use crate::edge::response::EdgeResponse;
use crate::edge::EdgeRequest;
use crate::oauth::authorize::Authorize;
use crate::oauth::federation::provider::{self, Answer};
use crate::oauth::federation::{round_trip, Failure};
use crate::userpool::model::ProviderType;
use crate::userpool::signin::federated::ExternalIdentity;
use crate::App;
use http::StatusCode;
use std::collections::HashMap;

/// The cookie that binds a provider round trip to the browser that started it.
pub const BINDING_COOKIE: &str = "latchkey-idp";
/// Where providers send the browser back.
pub const RESPONSE_PATH: &str = "/oauth2/idpresponse";

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

/// The provider's own refusal (the user declined, or it failed). A user who declines is
/// `access_denied` for the app, however the provider says it: RFC 6749's `access_denied`
/// (Facebook, Amazon, Google, OIDC), or Sign in with Apple's `user_cancelled_authorize`
/// (its form post when the user cancels).
fn provider_error(error: Option<&str>, description: Option<&str>) -> Failure {
    let error = match error {
        Some("access_denied" | "user_cancelled_authorize") => "access_denied",
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
