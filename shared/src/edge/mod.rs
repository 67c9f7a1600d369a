//! The one HTTP edge of the local server and the Lambda functions: an adapter turns its
//! request (axum's, or API Gateway's through `lambda_http`) into an [`EdgeRequest`], the edge
//! routes it through the one route table ([`routes`]) and answers an [`EdgeResponse`], which
//! the adapter writes back. Nothing here depends on axum or on the Lambda runtime.
//!
//! Layers: edge → protocol (wire shapes, operations by name) → operations → domain → ports.

pub mod allow_lists;
pub mod functions;
pub mod hosted;
mod import_upload;
mod pages;
mod response;
pub mod routes;
mod run;

pub use allow_lists::{server_of_rest, servers_of_target};
pub use functions::{Access, Function};
pub use response::{EdgeResponse, AMZ_JSON, HTML, JSON};
pub use run::{handle, run, too_large};

use crate::protocol::MAX_BODY_BYTES;
use bytes::Bytes;
use std::time::Instant;

/// Who made a request, when the adapter has verified it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// A SigV4 signature made with this access key id, verified by Latchkey.
    AccessKey(String),
    /// The IAM principal API Gateway's AWS_IAM authorizer let through.
    Iam(String),
}

/// One HTTP request, as every adapter hands it to the edge.
#[derive(Clone, Debug)]
pub struct EdgeRequest {
    /// The method.
    pub method: http::Method,
    /// The path as the client sent it (not decoded).
    pub path: String,
    /// The query string, without `?` (empty when none).
    pub query: String,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body (empty when it was not read, or was over the limit).
    pub body: Bytes,
    /// The adapter stopped reading a body larger than it drains.
    pub body_over_limit: bool,
    /// The id of this request (`x-amzn-RequestId`).
    pub request_id: String,
    /// The verified caller, if any.
    pub caller: Option<Caller>,
    /// The address the connection came from, when the adapter knows it (the local server;
    /// never the functions, where API Gateway is the peer).
    pub peer: Option<std::net::IpAddr>,
}

impl EdgeRequest {
    /// A request with no body, headers, query or caller.
    pub fn new(
        method: http::Method,
        path: impl Into<String>,
        request_id: impl Into<String>,
    ) -> Self {
        Self {
            method,
            path: path.into(),
            query: String::new(),
            headers: http::HeaderMap::new(),
            body: Bytes::new(),
            body_over_limit: false,
            request_id: request_id.into(),
            caller: None,
            peer: None,
        }
    }

    /// A header's value, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `X-Amz-Target` header.
    pub fn target(&self) -> Option<&str> {
        self.header("x-amz-target")
    }

    /// Whether the body is larger than [`MAX_BODY_BYTES`].
    pub fn body_too_large(&self) -> bool {
        self.body_over_limit || self.body.len() > MAX_BODY_BYTES
    }

    /// Headers with a repeated name joined by `,` (as API Gateway and SigV4 both do).
    pub fn joined_headers(&self) -> Vec<(String, String)> {
        self.headers
            .keys()
            .map(|name| {
                let values: Vec<&str> = self
                    .headers
                    .get_all(name)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .collect();
                (name.as_str().to_string(), values.join(","))
            })
            .collect()
    }
}

/// How loudly an adapter logs each request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    /// The local server (`LATCHKEY_LOG=debug` shows every request).
    Debug,
    /// The functions (CloudWatch gets every request).
    Info,
}

/// Logs one answered request: `what` (the operation, or method and path), its status and
/// `__type`, and how long it took. Faults (5xx) are errors at every level.
pub fn log_request(level: LogLevel, what: &str, resp: &EdgeResponse, started: Instant) {
    let status = resp.status.as_u16();
    let error = resp.error_type().unwrap_or("");
    let micros = started.elapsed().as_micros() as u64;
    if status >= 500 {
        tracing::error!(op = %what, status, error, micros, "request failed");
    } else if level == LogLevel::Info {
        tracing::info!(op = %what, status, error, micros, "request");
    } else {
        tracing::debug!(op = %what, status, error, micros, "request");
    }
}

/// What a request is, for logs: the operation it names, else its method and path.
pub fn describe(req: &EdgeRequest) -> String {
    match req.target() {
        Some(t) if req.method == http::Method::POST => t.rsplit('.').next().unwrap_or(t).into(),
        _ => format!("{} {}", req.method, req.path),
    }
}

#[cfg(test)]
mod tests;
