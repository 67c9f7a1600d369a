//! The edge's response: a status, headers and a body of any content type, so JSON replies,
//! redirects (`Location`), cookies (`Set-Cookie`) and HTML pages all fit.

use crate::error::ApiError;
use crate::protocol::Reply;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use http::{HeaderMap, StatusCode};

/// The content type of awsJson 1.1 (`X-Amz-Target` operations).
pub const AMZ_JSON: &str = "application/x-amz-json-1.1";
/// Plain JSON (REST routes, documents, local routes, routing errors).
pub const JSON: &str = "application/json";
/// HTML pages.
pub const HTML: &str = "text/html; charset=utf-8";

/// One HTTP response, ready for any adapter.
#[derive(Clone, Debug)]
pub struct EdgeResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers (content type, `x-amzn-ErrorType`, `x-amzn-RequestId`, ...).
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl EdgeResponse {
    /// A response of `status` with `body` of `content_type`.
    pub fn new(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        Self {
            status,
            headers,
            body,
        }
    }

    /// 200 with `value` as JSON.
    pub fn json(value: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Self::new(StatusCode::OK, JSON, body)
    }

    /// An HTML page of `status`.
    pub fn html(status: StatusCode, page: String) -> Self {
        Self::new(status, HTML, page.into_bytes())
    }

    /// A protocol reply, its `__type` also in `x-amzn-ErrorType`.
    pub fn reply(r: Reply, content_type: &'static str) -> Self {
        let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let resp = Self::new(status, content_type, r.body);
        match r.error_type {
            Some(t) => resp.with_header(
                HeaderName::from_static("x-amzn-errortype"),
                HeaderValue::from_static(t),
            ),
            None => resp,
        }
    }

    /// The awsJson error `{"__type", "message"}` with its status.
    pub fn error(e: &ApiError, content_type: &'static str) -> Self {
        Self::reply(Reply::error(e), content_type)
    }

    /// The same response with another status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The same response with `name` set to `value` (replacing any value it had).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// The same response carrying the request's id in `x-amzn-RequestId`.
    pub fn stamped(self, request_id: &str) -> Self {
        match HeaderValue::from_str(request_id) {
            Ok(id) => self.with_header(HeaderName::from_static("x-amzn-requestid"), id),
            Err(_) => self,
        }
    }

    /// The error's `__type`, when this is an error.
    pub fn error_type(&self) -> Option<&str> {
        self.headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
    }
}
