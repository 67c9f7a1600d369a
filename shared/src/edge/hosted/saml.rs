//! SAML 2.0 sign-in and single logout over HTTP, as Cognito's endpoints serve them:
//!
//! - the authorize endpoint (or a login-page button) sends the browser to a SAML provider with
//!   an AuthnRequest, and a binding cookie for `/saml2/idpresponse`;
//! - `POST /saml2/idpresponse` takes the provider's `SAMLResponse`: after a request of ours,
//!   its `RelayState` is the round trip's handle (single-use, this browser's); unsolicited
//!   (IdP-initiated, only for a provider with `IDPInit`), its `RelayState` is the authorize
//!   request's own query. The assertion then signs the user in, and the app gets a code;
//! - `/logout` for a session that came through a provider with `IDPSignout` goes on to the
//!   provider's single logout, and its LogoutResponse comes back to `/saml2/logout`.

use super::external::{
    back_with_error, binding_cookie, failure_page, origin, provider_named, recheck, sign_in_as,
};
use super::login::{deliver, fault, form_of, Started};
use super::{cookie, error_page, logout_ended, redirect, with_cookie};
use crate::edge::response::EdgeResponse;
use crate::edge::EdgeRequest;
use crate::oauth::authorize::Authorize;
use crate::oauth::federation::saml::{self, INVALID_RESPONSE};
use crate::oauth::federation::{round_trip, Failure};
use crate::oauth::grants::SamlLogin;
use crate::oauth::logout::LogoutEnd;
use crate::saml::binding::{self, Param};
use crate::saml::response::Assertion;
use crate::userpool::idps::saml_setup::flag;
use crate::userpool::model::{IdentityProvider, ProviderType};
use crate::App;
use http::StatusCode;

/// Where SAML providers post their responses (the assertion consumer service).
pub const ACS_PATH: &str = "/saml2/idpresponse";
/// Where SAML providers send their logout responses.
pub const LOGOUT_PATH: &str = "/saml2/logout";
/// The cookie that binds a SAML round trip to the browser that started it.
pub const BINDING_COOKIE: &str = "latchkey-saml";

/// Our assertion consumer service URL, as the browser reaches us.
fn acs_url(app: &App, req: &EdgeRequest) -> String {
    format!("{}{ACS_PATH}", origin(app, req))
}

/// Sends the browser to the SAML provider `idp` with an AuthnRequest.
pub async fn to_provider(
    app: &App,
    req: &EdgeRequest,
    authz: &Authorize,
    idp: &IdentityProvider,
) -> EdgeResponse {
    let acs = acs_url(app, req);
    let binding = cookie(req, BINDING_COOKIE);
    let pool = &authz.pool;
    let out = match round_trip::start(app, &pool.id, idp, &req.query, binding, &acs).await {
        Ok(out) => out,
        Err(e) => return fault(&e),
    };
    match saml::authn_redirect(app, pool, idp, &out.state, &out.nonce, &acs).await {
        Ok(location) => {
            let cookie = binding_cookie(req, BINDING_COOKIE, ACS_PATH, &out.binding);
            with_cookie(redirect(&location), cookie)
        }
        Err(e) => fault(&e),
    }
}

/// `POST /saml2/idpresponse`.
pub async fn idp_response(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let form = form_of(req);
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let (Some(response), Some(relay)) = (get("SAMLResponse"), get("RelayState")) else {
        return error_page(StatusCode::BAD_REQUEST, INVALID_RESPONSE);
    };
    let acs = acs_url(app, req);
    // An authorize query names its client; a handle of ours is one URL-safe token.
    if relay.contains("client_id=") {
        return idp_initiated(app, req, relay, response, &acs).await;
    }
    let pending = match round_trip::finish(app, relay, cookie(req, BINDING_COOKIE)).await {
        Ok(p) => p,
        Err(f) => return failure_page(&f),
    };
    let authz = match recheck(app, &pending.query).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let request_id = saml::request_id(&pending.nonce);
    let checked = async {
        let idp = provider_named(app, &authz.pool.id, &pending.provider).await?;
        let assertion =
            saml::verified_assertion(app, &authz.pool.id, &idp, response, Some(&request_id), &acs)
                .await?;
        Ok::<_, Failure>((idp, assertion))
    };
    match checked.await {
        Ok((idp, assertion)) => signed_in(app, req, &authz, &idp, &assertion).await,
        Err(f) => back_with_error(&authz, f),
    }
}

/// An unsolicited response: `relay` is the authorize request's query, naming the provider,
/// which must allow IdP-initiated sign-in, for a client that offers SAML providers only.
async fn idp_initiated(
    app: &App,
    req: &EdgeRequest,
    relay: &str,
    response: &str,
    acs: &str,
) -> EdgeResponse {
    let authz = match recheck(app, relay).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let checked = async {
        let name = authz
            .provider
            .as_deref()
            .ok_or_else(|| Failure::invalid(INVALID_RESPONSE, "RelayState names no provider"))?;
        let idp = provider_named(app, &authz.pool.id, name).await?;
        if idp.provider_type != ProviderType::Saml || !flag(&idp, "IDPInit") {
            return Err(Failure::invalid(
                INVALID_RESPONSE,
                "IdP-initiated sign-in is not enabled for the provider",
            ));
        }
        only_saml_providers(app, &authz).await?;
        let assertion =
            saml::verified_assertion(app, &authz.pool.id, &idp, response, None, acs).await?;
        Ok::<_, Failure>((idp, assertion))
    };
    match checked.await {
        Ok((idp, assertion)) => signed_in(app, req, &authz, &idp, &assertion).await,
        Err(f) => back_with_error(&authz, f),
    }
}

/// Cognito's rule for IdP-initiated sign-in: the client offers SAML providers only (not even
/// the pool's own sign-in), so an unsolicited assertion cannot stand in for another provider.
async fn only_saml_providers(app: &App, authz: &Authorize) -> Result<(), Failure> {
    for name in &authz.client.oauth.identity_providers {
        let saml = name != "COGNITO"
            && provider_named(app, &authz.pool.id, name)
                .await
                .is_ok_and(|p| p.provider_type == ProviderType::Saml);
        if !saml {
            return Err(Failure::invalid(
                INVALID_RESPONSE,
                format!("the client also offers {name}, so it takes no IdP-initiated sign-in"),
            ));
        }
    }
    Ok(())
}

/// Signs the assertion's user in and sends the browser back to the app with its code.
async fn signed_in(
    app: &App,
    req: &EdgeRequest,
    authz: &Authorize,
    idp: &IdentityProvider,
    assertion: &Assertion,
) -> EdgeResponse {
    let identity = saml::identity(assertion);
    match sign_in_as(app, authz, idp, &identity).await {
        Ok(issued) => {
            let login = saml::login_of(idp, assertion);
            deliver(app, req, authz, issued, Started::SamlSession(login)).await
        }
        Err(f) => back_with_error(authz, f),
    }
}

/// The provider's single logout for a session that came through it: the redirect there (its
/// LogoutResponse then comes back to [`logout_response`]); `Err(end)` gives the logout back
/// when the provider takes no part in single logout (or is gone).
pub async fn single_logout(
    app: &App,
    pool_id: &str,
    login: &SamlLogin,
    end: LogoutEnd,
) -> Result<EdgeResponse, LogoutEnd> {
    let Ok(idp) = provider_named(app, pool_id, &login.provider).await else {
        return Err(end);
    };
    let Some(slo) = saml::single_logout_url(&idp) else {
        return Err(end);
    };
    let pool = match crate::userpool::pools::load_pool(app, pool_id).await {
        Ok(pool) => pool,
        Err(_) => return Err(end),
    };
    match saml::start_logout(app, &pool, &idp, &slo, login, end).await {
        Ok(location) => Ok(redirect(&location)),
        Err(e) => Ok(fault(&e)),
    }
}

/// `GET|POST /saml2/logout`: the provider's LogoutResponse (HTTP-Redirect or HTTP-POST).
pub async fn logout_response(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let received = if req.method == http::Method::POST {
        let form = form_of(req);
        match form.get("SAMLResponse") {
            Some(value) => binding::read_post(value, form.get("RelayState").map(String::as_str)),
            None => return refused_request(),
        }
    } else if req.query.contains("SAMLRequest=") {
        return refused_request();
    } else {
        binding::read_redirect(&req.query, Param::Response)
    };
    let received = match received {
        Ok(r) => r,
        Err(e) => {
            return failure_page(&Failure::invalid("Invalid logout response.", e.to_string()))
        }
    };
    match saml::finish_logout(app, &received).await {
        Ok(end) => logout_ended(end),
        Err(f) => failure_page(&f),
    }
}

/// A LogoutRequest from a provider (IdP-initiated single logout), which Latchkey does not take.
fn refused_request() -> EdgeResponse {
    error_page(
        StatusCode::BAD_REQUEST,
        "Latchkey takes logout responses here, not logout requests.",
    )
}
