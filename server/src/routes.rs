//! The axum adapter of the HTTP edge: every request becomes a `latchkey::edge::EdgeRequest`,
//! the edge answers it from the one route table, and its response is written back. What stays
//! here is axum's own: CORS for browser clients, a panic turned into a 500, and reading the
//! body (drained past the limit, then the connection closed).

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::response::Response;
use axum::Router;
use http_body_util::BodyExt;
use latchkey::edge::{self, EdgeRequest, EdgeResponse, AMZ_JSON};
use latchkey::protocol::MAX_BODY_BYTES;
use latchkey::random;
use latchkey::userpool::imports::files::MAX_FILE_BYTES;
use latchkey::userpool::imports::upload::PATH as IMPORT_PATH;
use latchkey::{ApiError, App, ErrorKind};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowHeaders, Any, CorsLayer};

type AppState = Arc<App>;

/// Bodies past the limit are still drained up to this, so the client reads our 400.
const DRAIN_BYTES: usize = 8 * 1024 * 1024;

/// The router with CORS (browser clients) and panic-to-500 protection.
pub fn router(app: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            HeaderName::from_static("x-amzn-requestid"),
            HeaderName::from_static("x-amzn-errortype"),
            HeaderName::from_static("x-amzn-errormessage"),
        ]);
    Router::new()
        .fallback(serve)
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            let e = ApiError::new(ErrorKind::InternalError, "Internal server error.");
            axum_response(EdgeResponse::error(&e, AMZ_JSON).stamped(&request_id()))
        }))
        .layer(cors)
        .with_state(app)
}

fn request_id() -> String {
    random::uuid_v4(&random::Csprng)
}

/// One request through the edge. Only POST bodies are read; a body left unread (over the
/// limit, or sent with another method) leaves the connection unusable, so the response says
/// it closes: a keep-alive client then opens a new one instead of writing its next request
/// into a closed socket.
async fn serve(State(app): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let sent_body = parts.headers.contains_key(header::TRANSFER_ENCODING)
        || parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > 0);
    // An import upload (the local pre-signed URL) may be up to Cognito's 100 MB.
    let upload = parts.method == Method::PUT && parts.uri.path().starts_with(IMPORT_PATH);
    let (body, over_limit) = if parts.method == Method::POST {
        read_capped(body, MAX_BODY_BYTES, DRAIN_BYTES).await
    } else if upload {
        read_capped(body, MAX_FILE_BYTES, MAX_FILE_BYTES).await
    } else {
        (Bytes::new(), false)
    };
    let unread = if parts.method == Method::POST {
        over_limit || body.len() > MAX_BODY_BYTES
    } else if upload {
        over_limit
    } else {
        sent_body
    };
    let peer = match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        Some(plain) => Some(plain.0.ip()),
        None => parts
            .extensions
            .get::<ConnectInfo<crate::tls::TlsPeer>>()
            .map(|tls| tls.0 .0.ip()),
    };
    let req = EdgeRequest {
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        method: parts.method,
        headers: parts.headers,
        body,
        body_over_limit: over_limit,
        request_id: request_id(),
        caller: None,
        peer,
    };
    let mut resp = axum_response(edge::handle(&app, &req).await);
    if unread {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

/// Reads a body of at most `limit` bytes (a longer one is answered by the edge); past the
/// limit the rest is read and dropped, up to `drain` bytes, so the client reads the 400
/// without the server holding more than the limit in memory. `true` when the body ran past
/// the drain (the connection is then closed).
async fn read_capped(mut body: Body, limit: usize, drain: usize) -> (Bytes, bool) {
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return (Bytes::new(), true);
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len();
        if seen > drain {
            return (Bytes::new(), true);
        }
        if kept.len() <= limit {
            kept.extend_from_slice(&data);
        }
    }
    (Bytes::from(kept), false)
}

fn axum_response(resp: EdgeResponse) -> Response {
    let mut out = Response::new(Body::from(resp.body));
    *out.status_mut() = resp.status;
    *out.headers_mut() = resp.headers;
    out
}
