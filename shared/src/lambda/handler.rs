//! One API Gateway v2 request through the shared protocol: which operation it is, whether
//! this function serves it, how it must be authenticated, then `protocol` and the HTTP reply.

use super::admin_keys::AdminKeys;
use super::function::{server_of_rest, servers_of_target, Access, Function};
use crate::error::{ApiError, ErrorKind};
use crate::protocol::sigv4::{self, AccessKey, SigV4Error, SignedRequest};
use crate::protocol::{self, Reply, MAX_BODY_BYTES};
use crate::App;
use lambda_http::http::{header, HeaderValue, Method, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

const AMZ_JSON: &str = "application/x-amz-json-1.1";
const JSON: &str = "application/json";

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
        let request_id = request_id(&req);
        let span = tracing::info_span!(
            "request",
            request_id = %request_id,
            function = self.function.name()
        );
        async {
            let started = Instant::now();
            let (reply, content_type, what) = self.route(&req).await;
            let level_error = reply.status >= 500;
            if level_error {
                tracing::error!(op = %what, status = reply.status, "request failed");
            } else {
                tracing::info!(
                    op = %what,
                    status = reply.status,
                    error = reply.error_type.unwrap_or(""),
                    micros = started.elapsed().as_micros() as u64,
                    "request"
                );
            }
            respond(&reply, content_type, &request_id)
        }
        .instrument(span)
        .await
    }

    async fn route(&self, req: &Request) -> (Reply, &'static str, String) {
        let path = raw_path(req);
        let method = req.method();
        if method == Method::GET {
            let reply = self.well_known(&path).await;
            return (reply, JSON, format!("GET {path}"));
        }
        if method != Method::POST {
            let e = ApiError::new(
                ErrorKind::UnknownOperation,
                format!("{method} {path} is not a Latchkey route."),
            );
            return (Reply::error(&e), JSON, format!("{method} {path}"));
        }
        let body: &[u8] = req.body();
        if body.len() > MAX_BODY_BYTES {
            let e = ApiError::invalid(format!(
                "Request body is larger than {MAX_BODY_BYTES} bytes."
            ));
            return (Reply::error(&e), AMZ_JSON, format!("POST {path}"));
        }
        let target = req
            .headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok());
        match target {
            Some(target) => {
                let op = target.rsplit('.').next().unwrap_or(target).to_string();
                (self.target(req, target, body).await, AMZ_JSON, op)
            }
            None => (self.rest(&path, body).await, JSON, format!("POST {path}")),
        }
    }

    async fn target(&self, req: &Request, target: &str, body: &[u8]) -> Reply {
        let flow = if target.ends_with(".InitiateAuth") {
            serde_json::from_slice::<FlowPeek>(body)
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
                return protocol::handle_target(&self.app, Some(target), body).await;
            }
            return not_served(self.function.not_served(&what, &servers));
        }
        match self.function.access(target) {
            Access::Open => {}
            Access::SigV4 => {
                let keys = match self.admin_keys.get().await {
                    Ok(keys) => keys,
                    Err(e) => {
                        return Reply::error(&ApiError::internal(&e));
                    }
                };
                if let Err(e) = self.verify_sigv4(req, keys, target, body) {
                    tracing::warn!(error = e.error_type(), "signature refused");
                    return e.reply();
                }
            }
            Access::Iam => match iam_caller(req) {
                Some(caller) => tracing::info!(caller = %caller, "IAM-authorized call"),
                None => return SigV4Error::Missing.reply(),
            },
        }
        protocol::handle_target(&self.app, Some(target), body).await
    }

    fn verify_sigv4(
        &self,
        req: &Request,
        keys: &[AccessKey],
        target: &str,
        body: &[u8],
    ) -> Result<(), SigV4Error> {
        let service = sigv4::signing_service(target).unwrap_or("cognito-idp");
        let joined = joined_headers(req);
        let path = raw_path(req);
        let signed = SignedRequest {
            method: req.method().as_str(),
            raw_path: &path,
            raw_query: req.uri().query().unwrap_or(""),
            headers: joined
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            body,
        };
        let now = self.app.clock.now_secs();
        sigv4::verify(&signed, keys, service, now).map(|v| {
            tracing::info!(access_key_id = %v.access_key_id, "SigV4-verified call");
        })
    }

    async fn rest(&self, path: &str, body: &[u8]) -> Reply {
        let own = self.function.rest_paths();
        match protocol::rest_route(path) {
            Some(route) if own.contains(&path.trim_end_matches('/')) => {
                protocol::handle_rest(&self.app, &route, body).await
            }
            Some(_) => {
                let servers: Vec<Function> = server_of_rest(path).into_iter().collect();
                not_served(self.function.not_served(&format!("POST {path}"), &servers))
            }
            None if own.is_empty() => protocol::handle_target(&self.app, None, body).await,
            None => not_served(format!(
                "POST {path} is not a route of the {} function (routes: {}); or send X-Amz-Target.",
                self.function.name(),
                own.join(", ")
            )),
        }
    }

    async fn well_known(&self, path: &str) -> Reply {
        let doc = path
            .trim_start_matches('/')
            .split_once("/.well-known/")
            .filter(|(id, _)| !id.is_empty() && !id.contains('/'));
        let Some((id, doc)) = doc.filter(|_| self.function == Function::Jwks) else {
            let servers = if doc.is_some() {
                vec![Function::Jwks]
            } else {
                vec![]
            };
            return not_served(self.function.not_served(&format!("GET {path}"), &servers));
        };
        let identity = id == "cognito-identity";
        let result = match doc {
            "jwks.json" if identity => crate::identity::credentials::jwks(&self.app).await,
            "openid-configuration" if identity => Ok(
                crate::identity::credentials::openid_configuration(&self.app),
            ),
            "jwks.json" => crate::userpool::wellknown::jwks(&self.app, id).await,
            "openid-configuration" => {
                crate::userpool::wellknown::openid_configuration(&self.app, id).await
            }
            _ => Err(ApiError::new(
                ErrorKind::ResourceNotFound,
                format!("No such document: {doc}."),
            )),
        };
        match result {
            Ok(v) => Reply {
                status: 200,
                body: serde_json::to_vec(&v).unwrap_or_else(|_| b"{}".to_vec()),
                error_type: None,
            },
            Err(e) if e.kind == ErrorKind::ResourceNotFound => Reply {
                status: 404,
                ..Reply::error(&e)
            },
            Err(e) => Reply::error(&e),
        }
    }
}

fn not_served(message: String) -> Reply {
    Reply::error(&ApiError::new(ErrorKind::UnknownOperation, message))
}

/// The path as the client sent it (API Gateway's `rawPath`).
fn raw_path(req: &Request) -> String {
    let raw = req.raw_http_path();
    if raw.is_empty() {
        req.uri().path().to_string()
    } else {
        raw.to_string()
    }
}

/// Lambda's request id, else API Gateway's, else `-`.
fn request_id(req: &Request) -> String {
    if let Some(ctx) = req.lambda_context_ref() {
        return ctx.request_id.clone();
    }
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "-".into())
}

/// The IAM caller API Gateway's AWS_IAM authorizer let through, if it did.
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

/// Headers with a repeated name joined by `,` (as API Gateway and SigV4 both do).
fn joined_headers(req: &Request) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for name in req.headers().keys() {
        let values: Vec<&str> = req
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        out.push((name.as_str().to_string(), values.join(",")));
    }
    out
}

fn respond(reply: &Reply, content_type: &'static str, request_id: &str) -> Response<Body> {
    let body = match String::from_utf8(reply.body.clone()) {
        Ok(text) => Body::Text(text),
        Err(e) => Body::Binary(e.into_bytes()),
    };
    let mut resp = Response::new(body);
    *resp.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", id);
    }
    if let Some(t) = reply.error_type {
        h.insert("x-amzn-errortype", HeaderValue::from_static(t));
    }
    resp
}
