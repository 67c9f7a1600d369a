//! A small HTTP(S) client for fetching provider documents (OIDC discovery, JWKS), talking to
//! identity providers (token and user-info endpoints) and posting trigger events to HTTP
//! triggers. TLS is
//! [`crate::tls`]'s setup, passed explicitly, so nothing depends on a process-wide TLS default. Every request has a timeout.

use crate::error::Error;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::time::Duration;

/// Largest response body read.
const MAX_BODY: usize = 1024 * 1024;

/// What a POST got back.
pub struct Posted {
    /// The HTTP status.
    pub status: u16,
    /// The body (at most 1 MiB).
    pub body: Bytes,
}

/// Why a POST got no answer.
#[derive(Debug)]
pub enum PostError {
    /// No answer within the timeout.
    TimedOut,
    /// The request could not be made or its answer read (refused, reset, bad URL, ...).
    Failed(String),
}

/// GETs JSON documents and POSTs JSON, over http or https.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl HttpClient {
    /// A client whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, Error> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(crate::tls::client_config()?)
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            inner: Client::builder(TokioExecutor::new()).build(connector),
            timeout,
        })
    }

    /// GETs `url` and parses the body as JSON; a non-2xx status is an error.
    pub async fn get_json(&self, url: &str) -> Result<Value, Error> {
        let body = self.get_bytes(url).await?;
        serde_json::from_slice(&body).map_err(|e| Error::Decode(format!("{url}: {e}")))
    }

    /// GETs `url` as UTF-8 text (a SAML metadata document); a non-2xx status is an error.
    pub async fn get_text(&self, url: &str) -> Result<String, Error> {
        let body = self.get_bytes(url).await?;
        String::from_utf8(body.to_vec()).map_err(|e| Error::Decode(format!("{url}: {e}")))
    }

    /// GETs `url`'s body (at most 1 MiB); a non-2xx status is an error.
    async fn get_bytes(&self, url: &str) -> Result<Bytes, Error> {
        let fail = |why: String| Error::Store(format!("fetching {url}: {why}"));
        let uri: hyper::Uri = url.parse().map_err(|e| fail(format!("{e}")))?;
        let work = async {
            let req = hyper::Request::get(uri)
                .body(Full::new(Bytes::new()))
                .map_err(|e| fail(e.to_string()))?;
            let resp = self
                .inner
                .request(req)
                .await
                .map_err(|e| fail(e.to_string()))?;
            let status = resp.status();
            let body = Limited::new(resp.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| fail(e.to_string()))?
                .to_bytes();
            if !status.is_success() {
                return Err(fail(format!("HTTP {status}")));
            }
            Ok(body)
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| fail("timed out".into()))?
    }

    /// POSTs a JSON body to `url` and returns whatever status and body come back.
    pub async fn post_json(&self, url: &str, body: Vec<u8>) -> Result<Posted, PostError> {
        let json = [(hyper::header::CONTENT_TYPE, "application/json")];
        self.send(hyper::Method::POST, url, &json, body).await
    }

    /// POSTs a form (`application/x-www-form-urlencoded`) with extra `headers` (e.g. Basic
    /// client authentication) and returns whatever status and body come back.
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        headers: &[(hyper::header::HeaderName, &str)],
    ) -> Result<Posted, PostError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish()
            .into_bytes();
        let mut all = vec![(
            hyper::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )];
        all.extend(headers.iter().cloned());
        self.send(hyper::Method::POST, url, &all, body).await
    }

    /// GETs `url` with `headers` and returns whatever status and body come back.
    pub async fn get_with(
        &self,
        url: &str,
        headers: &[(hyper::header::HeaderName, &str)],
    ) -> Result<Posted, PostError> {
        self.send(hyper::Method::GET, url, headers, Vec::new())
            .await
    }

    /// One request; the answer whatever its status.
    async fn send(
        &self,
        method: hyper::Method,
        url: &str,
        headers: &[(hyper::header::HeaderName, &str)],
        body: Vec<u8>,
    ) -> Result<Posted, PostError> {
        let fail = |why: String| PostError::Failed(why);
        let uri: hyper::Uri = url.parse().map_err(|e| fail(format!("{e}")))?;
        let mut req = hyper::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            req = req.header(name, *value);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| fail(e.to_string()))?;
        let work = async {
            let resp = self
                .inner
                .request(req)
                .await
                .map_err(|e| fail(error_chain(&e)))?;
            let status = resp.status().as_u16();
            let body = Limited::new(resp.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| fail(e.to_string()))?
                .to_bytes();
            Ok(Posted { status, body })
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| PostError::TimedOut)?
    }
}

/// An error with its causes ("client error (Connect): Connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
