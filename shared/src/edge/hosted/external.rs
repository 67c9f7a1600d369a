//! What the two external-provider flows share ([`super::federation`] for OAuth 2.0 / OIDC
//! providers, [`super::saml`] for SAML ones): our origin as the browser sees it, the binding
//! cookie, the app's authorization request checked again on the way back, the provider by
//! name, the pool's federated sign-in, and how a failure is shown (back to the app, or a page
//! when the round trip itself cannot be trusted).

use super::login::fault;
use super::{error_page, redirect, scoped_cookie};
use crate::call::{Authorization, Call};
use crate::edge::response::EdgeResponse;
use crate::edge::EdgeRequest;
use crate::error::ErrorKind;
use crate::oauth::authorize::{self, Authorize, AuthorizeParams, Refusal};
use crate::oauth::federation::{round_trip, Failure};
use crate::userpool::model::IdentityProvider;
use crate::userpool::signin::federated::{self, ExternalIdentity};
use crate::App;
use http::StatusCode;

/// Our origin as the browser reached it (the provider sends the browser back there, so the
/// binding cookie goes with it): `X-Forwarded-Proto` and `Host`, else the issuer's.
pub fn origin(app: &App, req: &EdgeRequest) -> String {
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
pub fn binding_cookie(req: &EdgeRequest, name: &str, path: &str, value: &str) -> http::HeaderValue {
    let https = req.header("x-forwarded-proto") == Some("https");
    let same_site = if https { "None" } else { "Lax" };
    let max_age = round_trip::TTL_MS / 1000;
    scoped_cookie(req, name, value, max_age, path, same_site)
}

/// The app's authorization request, checked again (its client or redirect URI may have
/// changed while the browser was away).
pub async fn recheck(app: &App, query: &str) -> Result<Authorize, EdgeResponse> {
    let params: AuthorizeParams = serde_urlencoded::from_str(query)
        .map_err(|_| error_page(StatusCode::BAD_REQUEST, "The request is not valid."))?;
    authorize::check(app, &params).await.map_err(|r| match r {
        Refusal::Page(message) => error_page(StatusCode::BAD_REQUEST, &message),
        Refusal::Redirect(to) => redirect(&to.location()),
        Refusal::Fault(e) => fault(&e),
    })
}

/// The provider `name` of the pool, if it still exists.
pub async fn provider_named(
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

/// The pool's federated sign-in of a verified external identity.
pub async fn sign_in_as(
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
pub fn back_with_error(authz: &Authorize, f: Failure) -> EdgeResponse {
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
pub fn failure_page(f: &Failure) -> EdgeResponse {
    tracing::info!(cause = %f.cause, "identity provider response refused");
    if f.error == "server_error" {
        return error_page(StatusCode::INTERNAL_SERVER_ERROR, &f.description);
    }
    error_page(StatusCode::BAD_REQUEST, &f.description)
}
