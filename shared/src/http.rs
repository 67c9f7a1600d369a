//! A small HTTP(S) client for fetching provider documents (OIDC discovery, JWKS). TLS is
//! rustls with the aws-lc provider passed explicitly and Mozilla's roots, so nothing depends
//! on a process-wide TLS default. Every request has a timeout.

use crate::error::Error;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::time::Duration;

/// Largest response body read.
const MAX_BODY: usize = 1024 * 1024;

/// GETs JSON documents over http or https.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    timeout: Duration,
}

impl HttpClient {
    /// A client whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, Error> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::aws_lc_rs::default_provider())
            .map_err(|e| Error::Config(format!("TLS setup: {e}")))?
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
        let fail = |why: String| Error::Store(format!("fetching {url}: {why}"));
        let uri: hyper::Uri = url.parse().map_err(|e| fail(format!("{e}")))?;
        let work = async {
            let resp = self.inner.get(uri).await.map_err(|e| fail(e.to_string()))?;
            let status = resp.status();
            let body = Limited::new(resp.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| fail(e.to_string()))?
                .to_bytes();
            if !status.is_success() {
                return Err(fail(format!("HTTP {status}")));
            }
            serde_json::from_slice(&body).map_err(|e| Error::Decode(format!("{url}: {e}")))
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| fail("timed out".into()))?
    }
}
