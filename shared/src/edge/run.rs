//! Running a route of the table, and the local server's routing of a whole request. The
//! functions route their own requests (their allow-lists and authentication come first,
//! `crate::lambda::handler`) and then run routes here too.

use super::response::{EdgeResponse, AMZ_JSON, JSON};
use super::routes::{self, Action, Document, OAuthRoute, Resolved, Route};
use super::{describe, log_request, EdgeRequest, LogLevel};
use crate::error::{ApiError, ErrorKind};
use crate::protocol::{self, MAX_BODY_BYTES};
use crate::App;
use http::header::{HeaderValue, ALLOW};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The local server's answer to one request: the route table's server routes, `Connection`
/// and CORS handling being the adapter's.
pub async fn handle(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let started = Instant::now();
    let resp = match routes::resolve(&req.method, &req.path, |r| r.server) {
        Resolved::Found(route, param) => run(app, req, route, param).await,
        Resolved::WrongMethod(route) if matches!(route.action, Action::Target) => {
            let e = ApiError::new(
                ErrorKind::UnknownOperation,
                format!(
                    "{} {} is not supported: Cognito operations are POST requests.",
                    req.method, req.path
                ),
            );
            EdgeResponse::error(&e, JSON)
        }
        Resolved::WrongMethod(route) => {
            let e = ApiError::new(
                ErrorKind::UnknownOperation,
                format!(
                    "{} {} is not supported: use {}.",
                    req.method,
                    req.path,
                    route.method.as_str()
                ),
            );
            EdgeResponse::error(&e, JSON)
                .with_status(StatusCode::METHOD_NOT_ALLOWED)
                .with_header(ALLOW, HeaderValue::from_static(route.method.as_str()))
        }
        Resolved::NotFound => {
            let e = ApiError::new(
                ErrorKind::UnknownOperation,
                format!("No route for {} {}", req.method, req.path),
            );
            EdgeResponse::error(&e, JSON).with_status(StatusCode::NOT_FOUND)
        }
    };
    log_request(LogLevel::Debug, &describe(req), &resp, started);
    resp.stamped(&req.request_id)
}

/// Runs `route` for `req`; `param` is the `{poolId}` its path held.
pub async fn run(app: &App, req: &EdgeRequest, route: &Route, param: Option<&str>) -> EdgeResponse {
    match &route.action {
        Action::Target if req.body_too_large() => too_large(AMZ_JSON),
        Action::Target => {
            let reply = protocol::handle_target(app, req.target(), &req.body).await;
            EdgeResponse::reply(reply, AMZ_JSON)
        }
        Action::Rest(_) if req.body_too_large() => too_large(JSON),
        Action::Rest(rest) => {
            EdgeResponse::reply(protocol::handle_rest(app, rest, &req.body).await, JSON)
        }
        Action::WellKnown(doc) => document(app, *doc, param.unwrap_or_default()).await,
        Action::ConfirmUser => super::pages::confirm_user(app, req).await,
        Action::OAuth(_) if req.body_too_large() => too_large(JSON),
        Action::OAuth(r) => oauth(app, req, *r).await,
        Action::Console(_) if req.body_too_large() => too_large(JSON),
        Action::Console(r) => crate::console::serve(app, req, *r).await,
        Action::Outbox => outbox(app, &req.query).await,
        Action::Health => EdgeResponse::json(&Health { status: "ok" }),
        Action::ImportUpload => {
            super::import_upload::put(app, req, param.unwrap_or_default()).await
        }
    }
}

/// An OAuth endpoint or login page.
async fn oauth(app: &App, req: &EdgeRequest, route: OAuthRoute) -> EdgeResponse {
    use super::hosted::account::{self, Step};
    use super::hosted::{endpoints, login};
    match route {
        OAuthRoute::Authorize => super::hosted::authorize::authorize(app, req).await,
        OAuthRoute::LoginPage => login::login_page(app, req).await,
        OAuthRoute::LoginSubmit => login::login_submit(app, req).await,
        OAuthRoute::Challenge => login::challenge_submit(app, req).await,
        OAuthRoute::Token => endpoints::token(app, req).await,
        OAuthRoute::UserInfo => endpoints::user_info(app, req).await,
        OAuthRoute::Revoke => endpoints::revoke(app, req).await,
        OAuthRoute::IdpResponse => super::hosted::federation::idp_response(app, req).await,
        OAuthRoute::SamlResponse => super::hosted::saml::idp_response(app, req).await,
        OAuthRoute::SamlLogout => super::hosted::saml::logout_response(app, req).await,
        OAuthRoute::Logout => endpoints::logout(app, req).await,
        OAuthRoute::SignUpPage => account::show(app, req, Step::SignUp).await,
        OAuthRoute::SignUpSubmit => account::submit(app, req, Step::SignUp).await,
        OAuthRoute::ConfirmSubmit => account::submit(app, req, Step::Confirm).await,
        OAuthRoute::ForgotPage => account::show(app, req, Step::Forgot).await,
        OAuthRoute::ForgotSubmit => account::submit(app, req, Step::Forgot).await,
        OAuthRoute::ResetPage => account::show(app, req, Step::Reset).await,
        OAuthRoute::ResetSubmit => account::submit(app, req, Step::Reset).await,
    }
}

/// The 400 for a body over [`MAX_BODY_BYTES`] (never a 413 or a reset).
pub fn too_large(content_type: &'static str) -> EdgeResponse {
    let e = ApiError::invalid(format!(
        "Request body is larger than {MAX_BODY_BYTES} bytes."
    ));
    EdgeResponse::error(&e, content_type)
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// A JSON result: 200, else the error (404 for a missing resource).
fn json_result<T: Serialize>(result: Result<T, ApiError>) -> EdgeResponse {
    match result {
        Ok(v) => EdgeResponse::json(&v),
        Err(e) if e.kind == ErrorKind::ResourceNotFound => {
            EdgeResponse::error(&e, JSON).with_status(StatusCode::NOT_FOUND)
        }
        Err(e) => EdgeResponse::error(&e, JSON),
    }
}

/// A pool's document, or the identity issuer's when `id` is `cognito-identity`.
async fn document(app: &App, doc: Document, id: &str) -> EdgeResponse {
    use crate::identity::credentials as identity;
    use crate::userpool::wellknown as pool;
    let identity_issuer = id == "cognito-identity";
    match doc {
        Document::Jwks if identity_issuer => json_result(identity::jwks_document(app).await),
        Document::OpenIdConfiguration if identity_issuer => {
            EdgeResponse::json(&identity::discovery(app))
        }
        Document::Jwks => json_result(pool::jwks_document(app, id).await),
        Document::OpenIdConfiguration => json_result(pool::discovery(app, id).await),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OutboxQuery {
    user_pool_id: Option<String>,
    username: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Outbox {
    messages: Vec<OutboxMessage>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OutboxMessage {
    id: i64,
    user_pool_id: String,
    username: String,
    destination: String,
    delivery_medium: crate::userpool::enums::DeliveryMedium,
    purpose: String,
    code: String,
    subject: String,
    message: String,
    created_at: i64,
}

/// `GET /_latchkey/outbox?userPoolId=&username=`: the messages the local outbox delivered.
async fn outbox(app: &App, query: &str) -> EdgeResponse {
    let q: OutboxQuery = match serde_urlencoded::from_str(query) {
        Ok(q) => q,
        Err(e) => return EdgeResponse::error(&ApiError::invalid(format!("Bad query: {e}")), JSON),
    };
    let listed =
        crate::userpool::outbox::messages(app, q.user_pool_id.as_deref(), q.username.as_deref())
            .await;
    json_result(listed.map(|msgs| {
        Outbox {
            messages: msgs
                .into_iter()
                .map(|(id, m)| OutboxMessage {
                    id,
                    user_pool_id: m.pool_id,
                    username: m.username,
                    destination: m.destination,
                    delivery_medium: m.delivery_medium,
                    purpose: m.purpose,
                    code: m.code.expose().clone(),
                    subject: m.subject,
                    message: m.message.expose().clone(),
                    created_at: m.created_ms / 1000,
                })
                .collect(),
        }
    }))
}
