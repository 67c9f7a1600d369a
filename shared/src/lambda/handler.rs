//! The Lambda adapter of the HTTP edge: one API Gateway v2 request becomes an
//! [`EdgeRequest`]; then this function's allow-list (read from the edge's route table), the
//! authentication its operations need (SigV4 with the admin key, or the IAM authorizer), and
//! the edge's answer, written back as the `lambda_http` response.

use super::admin_keys::AdminKeys;
use crate::edge::routes::{self, Action, Resolved};
use crate::edge::{
    self, servers_of_target, Access, Caller, EdgeRequest, EdgeResponse, Function, LogLevel,
    AMZ_JSON, JSON,
};
use crate::error::{ApiError, ErrorKind};
use crate::protocol::sigv4::{self, AccessKey, SigV4Error, SignedRequest};
use crate::protocol::{self, Reply};
use crate::App;
use lambda_http::http::Method;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

/// A function's request handler: the App built at init, which function this is, and the
/// admin keys `cognito-api` verifies signatures with.
pub struct Handler {
    app: Arc<App>,
    function: Function,
    admin_keys: AdminKeys,
}

#[derive(Deserialize)]
struct FlowPeek {
    #[serde(rename = "AuthFlow")]
    auth_flow: Option<String>,
}

impl Handler {
    /// A handler for `function` over `app`.
    pub fn new(app: Arc<App>, function: Function, admin_keys: Vec<AccessKey>) -> Self {
        Self::with_admin_keys(app, function, AdminKeys::ready(admin_keys))
    }

    /// A handler whose admin keys may be fetched on first use.
    pub fn with_admin_keys(app: Arc<App>, function: Function, admin_keys: AdminKeys) -> Self {
        Self {
            app,
            function,
            admin_keys,
        }
    }

    /// The App.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Answers one request. Never fails: every outcome is an HTTP reply.
    pub async fn handle(&self, req: Request) -> Response<Body> {
        let mut req = edge_request(req);
        let span = tracing::info_span!(
            "request",
            request_id = %req.request_id,
            function = self.function.name()
        );
        async {
            let started = Instant::now();
            let resp = self.route(&mut req).await;
            edge::log_request(LogLevel::Info, &edge::describe(&req), &resp, started);
            respond(resp.stamped(&req.request_id))
        }
        .instrument(span)
        .await
    }

    async fn route(&self, req: &mut EdgeRequest) -> EdgeResponse {
        // Only refusals name the request, so the happy path builds no string for it.
        let what = || format!("{} {}", req.method, req.path);
        if req.method != Method::GET && req.method != Method::POST {
            let e = ApiError::new(
                ErrorKind::UnknownOperation,
                format!("{} is not a Latchkey route.", what()),
            );
            return EdgeResponse::error(&e, JSON);
        }
        let post = req.method == Method::POST;
        if post && req.body_too_large() {
            return edge::too_large(AMZ_JSON);
        }
        if let Some(target) = req.target().filter(|_| post).map(str::to_string) {
            return EdgeResponse::reply(self.target(req, &target).await, AMZ_JSON);
        }
        // API Gateway routes by path; a REST path is taken with or without a trailing `/`.
        let path = if post {
            routes::trimmed(&req.path)
        } else {
            &req.path
        };
        match routes::resolve(&req.method, path, |_| true) {
            Resolved::Found(route, param) if !matches!(route.action, Action::Target) => {
                if route.functions.contains(&self.function) {
                    edge::run(&self.app, req, route, param).await
                } else {
                    not_served(self.function.not_served(&what(), route.functions))
                }
            }
            _ if !post => not_served(self.function.not_served(&what(), &[])),
            _ => self.no_rest_route(req).await,
        }
    }

    /// A POST without `X-Amz-Target` to a path that is none of this function's REST routes.
    async fn no_rest_route(&self, req: &EdgeRequest) -> EdgeResponse {
        let own = self.function.rest_paths();
        if own.is_empty() {
            let reply = protocol::handle_target(&self.app, None, &req.body).await;
            return EdgeResponse::reply(reply, JSON);
        }
        not_served(format!(
            "POST {} is not a route of the {} function (routes: {}); or send X-Amz-Target.",
            req.path,
            self.function.name(),
            own.join(", ")
        ))
    }

    async fn target(&self, req: &mut EdgeRequest, target: &str) -> Reply {
        let flow = if target.ends_with(".InitiateAuth") {
            serde_json::from_slice::<FlowPeek>(&req.body)
                .ok()
                .and_then(|p| p.auth_flow)
        } else {
            None
        };
        if !self.function.serves_target(target, flow.as_deref()) {
            let servers = servers_of_target(target, flow.as_deref());
            let op = target.rsplit('.').next().unwrap_or(target);
            let what = match &flow {
                Some(f) if op == "InitiateAuth" => format!("InitiateAuth with AuthFlow {f}"),
                _ => op.to_string(),
            };
            if servers.is_empty() {
                // Not a Cognito operation at all: the protocol's own answer.
                return protocol::handle_target(&self.app, Some(target), &req.body).await;
            }
            return Reply::error(&unknown(self.function.not_served(&what, &servers)));
        }
        match self.function.access(target) {
            Access::Open => {}
            Access::SigV4 => {
                let keys = match self.admin_keys.get().await {
                    Ok(keys) => keys,
                    Err(e) => return Reply::error(&ApiError::internal(&e)),
                };
                match self.verify_sigv4(req, keys, target) {
                    Ok(key_id) => req.caller = Some(Caller::AccessKey(key_id)),
                    Err(e) => {
                        tracing::warn!(error = e.error_type(), "signature refused");
                        return e.reply();
                    }
                }
            }
            Access::Iam => match &req.caller {
                Some(Caller::Iam(caller)) => {
                    tracing::info!(caller = %caller, "IAM-authorized call")
                }
                _ => return SigV4Error::Missing.reply(),
            },
        }
        protocol::handle_target(&self.app, Some(target), &req.body).await
    }

    /// The access key id whose signature `req` carries, when it verifies.
    fn verify_sigv4(
        &self,
        req: &EdgeRequest,
        keys: &[AccessKey],
        target: &str,
    ) -> Result<String, SigV4Error> {
        let service = sigv4::signing_service(target).unwrap_or("cognito-idp");
        let joined = req.joined_headers();
        let signed = SignedRequest {
            method: req.method.as_str(),
            raw_path: &req.path,
            raw_query: &req.query,
            headers: joined
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            body: &req.body,
        };
        let now = self.app.clock.now_secs();
        sigv4::verify(&signed, keys, service, now).map(|v| {
            tracing::info!(access_key_id = %v.access_key_id, "SigV4-verified call");
            v.access_key_id.to_string()
        })
    }
}

fn unknown(message: String) -> ApiError {
    ApiError::new(ErrorKind::UnknownOperation, message)
}

fn not_served(message: String) -> EdgeResponse {
    EdgeResponse::error(&unknown(message), JSON)
}

/// The edge's view of an API Gateway request: the path as the client sent it (`rawPath`), the
/// request id (Lambda's, else API Gateway's, else `-`), and the IAM caller API Gateway's
/// AWS_IAM authorizer let through, if it did. The rest passes unchanged: the raw query string
/// (`lambda_http` puts `rawQueryString` in the URI), every header (the event's `cookies` are
/// joined into `Cookie` by `lambda_http`), and the body, already base64-decoded when API
/// Gateway encoded it (as it does with form posts).
fn edge_request(req: Request) -> EdgeRequest {
    let raw = req.raw_http_path();
    let path = if raw.is_empty() {
        req.uri().path().to_string()
    } else {
        raw.to_string()
    };
    let query = req.uri().query().unwrap_or("").to_string();
    let request_id = match (req.lambda_context_ref(), req.request_context_ref()) {
        (Some(ctx), _) => Some(ctx.request_id.clone()),
        (None, Some(RequestContext::ApiGatewayV2(ctx))) => ctx.request_id.clone(),
        _ => None,
    };
    let caller = iam_caller(&req).map(Caller::Iam);
    let (parts, body) = req.into_parts();
    let body = match body {
        Body::Empty => bytes::Bytes::new(),
        Body::Text(text) => text.into(),
        Body::Binary(bytes) => bytes.into(),
        other => bytes::Bytes::copy_from_slice(other.as_ref()),
    };
    EdgeRequest {
        method: parts.method,
        path,
        query,
        headers: parts.headers,
        body,
        body_over_limit: false,
        request_id: request_id.unwrap_or_else(|| "-".into()),
        caller,
        peer: None,
    }
}

fn iam_caller(req: &Request) -> Option<String> {
    let Some(RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref() else {
        return None;
    };
    let iam = ctx.authorizer.as_ref()?.iam.as_ref()?;
    iam.user_arn
        .clone()
        .or_else(|| iam.caller_id.clone())
        .or_else(|| iam.access_key.clone())
}

/// The `lambda_http` response. Headers are kept as the edge set them, repeated ones included:
/// `lambda_http` moves every `Set-Cookie` into the payload 2.0 response's `cookies` array (its
/// `headers` map would fold them into one line), as functions/tests/routing.rs checks.
fn respond(resp: EdgeResponse) -> Response<Body> {
    let body = match String::from_utf8(resp.body) {
        Ok(text) => Body::Text(text),
        Err(e) => Body::Binary(e.into_bytes()),
    };
    let mut out = Response::new(body);
    *out.status_mut() = resp.status;
    *out.headers_mut() = resp.headers;
    out
}
