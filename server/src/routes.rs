//! HTTP routes: `POST /` (X-Amz-Target), the REST routes, the well-known documents and the
//! local outbox. Every answer is JSON; nothing here knows an operation's meaning.

use axum::body::{to_bytes, Body};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use latchkey::protocol::{self, Reply, MAX_BODY_BYTES};
use latchkey::userpool::wellknown;
use latchkey::{ApiError, App, ErrorKind};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowHeaders, Any, CorsLayer};

type AppState = Arc<App>;

const AMZ_JSON: &str = "application/x-amz-json-1.1";
/// Bodies past the limit are still drained up to this, so the client reads our 400.
const DRAIN_BYTES: usize = 8 * 1024 * 1024;

/// The router with CORS (browser clients) and panic-to-500 protection.
pub fn router(app: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            HeaderName::from_static("x-amzn-requestid"),
            HeaderName::from_static("x-amzn-errortype"),
            HeaderName::from_static("x-amzn-errormessage"),
        ]);
    let mut r = Router::new()
        .route("/", post(target).fallback(not_post))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(discovery),
        )
        .route(
            "/cognito-identity/.well-known/jwks.json",
            get(identity_jwks),
        )
        .route(
            "/cognito-identity/.well-known/openid-configuration",
            get(identity_discovery),
        )
        .route("/_latchkey/outbox", get(outbox))
        .route(
            "/_latchkey/health",
            get(|| async { axum::Json(json!({"status": "ok"})) }),
        );
    for path in [
        "/sign-up",
        "/sign-up/confirm",
        "/sign-up/resend",
        "/sign-in",
        "/token/refresh",
    ] {
        r = r.route(path, post(rest));
    }
    r.fallback(not_found)
        .layer(axum::middleware::from_fn(close_unread_bodies))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            reply(
                &Reply::error(&ApiError::new(
                    ErrorKind::InternalError,
                    "Internal server error.",
                )),
                AMZ_JSON,
            )
        }))
        .layer(cors)
        .with_state(app)
}

fn reply(r: &Reply, content_type: &'static str) -> Response {
    let mut resp = Response::new(Body::from(r.body.clone()));
    *resp.status_mut() =
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        h.insert("x-amzn-requestid", id);
    }
    if let Some(t) = r.error_type {
        h.insert("x-amzn-errortype", HeaderValue::from_static(t));
    }
    resp
}

/// Reads a body up to the cap; a larger one is a 400, never a 413 or a reset.
async fn read_body(body: Body) -> Result<Vec<u8>, Reply> {
    let too_big = || {
        Reply::error(&ApiError::invalid(format!(
            "Request body is larger than {MAX_BODY_BYTES} bytes."
        )))
    };
    let bytes = to_bytes(body, DRAIN_BYTES).await.map_err(|_| too_big())?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(too_big());
    }
    Ok(bytes.to_vec())
}

async fn target(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (r, unread) = match read_body(body).await {
        Ok(bytes) => (
            protocol::handle_target(&app, target.as_deref(), &bytes).await,
            false,
        ),
        Err(r) => (r, true),
    };
    tracing::debug!(
        op = target.as_deref().unwrap_or("-"),
        status = r.status,
        error = r.error_type.unwrap_or(""),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    closing_if(unread, reply(&r, AMZ_JSON))
}

async fn rest(State(app): State<AppState>, uri: Uri, body: Body) -> Response {
    let started = Instant::now();
    let (r, unread) = match (protocol::rest_route(uri.path()), read_body(body).await) {
        (_, Err(r)) => (r, true),
        (Some(route), Ok(bytes)) => (protocol::handle_rest(&app, &route, &bytes).await, false),
        (None, Ok(_)) => (
            Reply::error(&ApiError::new(
                ErrorKind::UnknownOperation,
                "No such route.",
            )),
            false,
        ),
    };
    tracing::debug!(
        route = uri.path(),
        status = r.status,
        error = r.error_type.unwrap_or(""),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    closing_if(unread, reply(&r, "application/json"))
}

/// A body the server did not read whole (over the limit) leaves the connection unusable, so
/// the response says it closes: a keep-alive client then opens a new one instead of writing
/// its next request into a closed socket.
fn closing_if(close: bool, mut resp: Response) -> Response {
    if close {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

/// Requests whose handler never reads the body (every method but POST) but that came with
/// one: hyper closes such a connection after the response, so the response says so.
async fn close_unread_bodies(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let h = req.headers();
    let has_body = h.contains_key(header::TRANSFER_ENCODING)
        || h.get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > 0);
    let unread = has_body && req.method() != Method::POST;
    closing_if(unread, next.run(req).await)
}

/// `/` with any method but POST: Cognito's JSON error, not an empty 405.
async fn not_post(method: Method) -> Response {
    let e = ApiError::new(
        ErrorKind::UnknownOperation,
        format!("{method} / is not supported: Cognito operations are POST requests."),
    );
    reply(&Reply::error(&e), "application/json")
}

fn json_result(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(v) => (StatusCode::OK, axum::Json(v)).into_response(),
        Err(e) if e.kind == ErrorKind::ResourceNotFound => {
            let mut resp = reply(&Reply::error(&e), "application/json");
            *resp.status_mut() = StatusCode::NOT_FOUND;
            resp
        }
        Err(e) => reply(&Reply::error(&e), "application/json"),
    }
}

async fn jwks(State(app): State<AppState>, Path(pool_id): Path<String>) -> Response {
    json_result(wellknown::jwks(&app, &pool_id).await)
}

async fn discovery(State(app): State<AppState>, Path(pool_id): Path<String>) -> Response {
    json_result(wellknown::openid_configuration(&app, &pool_id).await)
}

async fn identity_jwks(State(app): State<AppState>) -> Response {
    json_result(latchkey::identity::credentials::jwks(&app).await)
}

async fn identity_discovery(State(app): State<AppState>) -> Response {
    json_result(Ok(latchkey::identity::credentials::openid_configuration(
        &app,
    )))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OutboxQuery {
    user_pool_id: Option<String>,
    username: Option<String>,
}

/// `GET /_latchkey/outbox`: messages the local outbox delivered (local server only).
async fn outbox(State(app): State<AppState>, Query(q): Query<OutboxQuery>) -> Response {
    let listed = latchkey::userpool::outbox::messages(
        &app,
        q.user_pool_id.as_deref(),
        q.username.as_deref(),
    )
    .await;
    json_result(listed.map(|msgs| {
        let messages: Vec<Value> = msgs
            .into_iter()
            .map(|(id, m)| {
                json!({
                    "Id": id,
                    "UserPoolId": m.pool_id,
                    "Username": m.username,
                    "Destination": m.destination,
                    "DeliveryMedium": m.delivery_medium,
                    "Purpose": m.purpose,
                    "Code": m.code.expose(),
                    "Subject": m.subject,
                    "Message": m.message.expose(),
                    "CreatedAt": m.created_ms / 1000,
                })
            })
            .collect();
        json!({ "Messages": messages })
    }))
}

async fn not_found(method: Method, uri: Uri) -> Response {
    let e = ApiError::new(
        ErrorKind::UnknownOperation,
        format!("No route for {method} {}", uri.path()),
    );
    let mut resp = reply(&Reply::error(&e), "application/json");
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp
}
