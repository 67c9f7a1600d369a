//! Every AWS SDK client Latchkey makes (DynamoDB, STS, Lambda, Secrets Manager) is configured
//! here, by [`load_config`], and talks through [`client`]: hyper over the TLS setup of
//! [`crate::tls`] (rustls on aws-lc-rs, Mozilla's roots compiled in).
//!
//! Why not the SDK's default client: it loads the platform's roots (`rustls-native-certs`), which
//! reads `/etc/ssl/certs` (a bundle and ~150 files) on the first client, 4–13 ms of every Lambda
//! cold start here. Lambda's own images carry the same Mozilla set, so nothing is lost. And with
//! no default client anywhere, the SDKs are built without `default-https-client`, which keeps
//! its HTTP/2 stack and second TLS setup out of the functions (about 1.5 MB). Like the default
//! client this one honours the SDK's connect and read timeouts, keeps one connection pool per
//! timeout setting, and classifies failures so the SDK's retries treat them the same way.

use crate::error::Error;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::body::SdkBody;
use aws_types::SdkConfig;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::sync::Mutex;
use std::time::Duration;

type Timeouts = (Option<Duration>, Option<Duration>);

/// The SDK configuration, in `default_region` when none is configured, with [`client`] as its
/// HTTP client. With the `config-chain` feature (the local server) it comes from the SDK's normal
/// chain: credentials from the environment, profile, container or instance role; the region from
/// the environment or profile. Without it (the Lambda functions) it
/// comes from the environment alone ([`crate::sdk_env`]). Either way `AWS_ENDPOINT_URL_<SERVICE>`
/// points a service at a local server.
pub async fn load_config(default_region: &str) -> Result<SdkConfig, Error> {
    let http = client()?;
    #[cfg(feature = "config-chain")]
    {
        // The region from the environment or the profile, else `default_region`. Not from
        // instance metadata: off EC2 that lookup only fails (or waits for its timeout) at every
        // start. Credentials keep the whole chain, instance roles included.
        use aws_config::meta::region::RegionProviderChain;
        let region = RegionProviderChain::first_try(
            aws_config::environment::EnvironmentVariableRegionProvider::new(),
        )
        .or_else(aws_config::profile::ProfileFileRegionProvider::new())
        .or_else(aws_config::Region::new(default_region.to_string()));
        return Ok(aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(region)
            .http_client(http)
            .load()
            .await);
    }
    // Type-checked in every build, run only without the chain.
    #[allow(unreachable_code)]
    Ok(crate::sdk_env::config(default_region, http, |k| {
        std::env::var(k).ok()
    }))
}

/// The SDK HTTP client with compiled-in roots, for `aws_config::ConfigLoader::http_client`.
pub fn client() -> Result<SharedHttpClient, Error> {
    let tls = crate::tls::client_config()?;
    Ok(SharedHttpClient::new(WebpkiClient {
        tls,
        connectors: Mutex::default(),
    }))
}

/// Hands out one connector (one pool) per (connect, read) timeout pair.
#[derive(Debug)]
struct WebpkiClient {
    tls: rustls::ClientConfig,
    connectors: Mutex<Vec<(Timeouts, SharedHttpConnector)>>,
}

impl HttpClient for WebpkiClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        let mut connectors = self.connectors.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, c)) = connectors.iter().find(|(k, _)| *k == key) {
            return c.clone();
        }
        let connector = SharedHttpConnector::new(Connector::new(self.tls.clone(), key));
        connectors.push((key, connector.clone()));
        connector
    }
}

/// One hyper client (and its pool) with the given timeouts.
#[derive(Debug)]
struct Connector {
    client: Client<HttpsConnector<TcpConnector>, SdkBody>,
    read_timeout: Option<Duration>,
}

impl Connector {
    fn new(tls: rustls::ClientConfig, (connect_timeout, read_timeout): Timeouts) -> Self {
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(connect_timeout);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_timer(TokioTimer::new())
            .build(https);
        Self {
            client,
            read_timeout,
        }
    }
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let request = match request.try_into_http1x() {
            Ok(r) => r,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let (client, read_timeout) = (self.client.clone(), self.read_timeout);
        HttpConnectorFuture::new(async move {
            let sent = client.request(request);
            let response = match read_timeout {
                None => sent.await,
                Some(limit) => match tokio::time::timeout(limit, sent).await {
                    Ok(r) => r,
                    Err(elapsed) => return Err(ConnectorError::timeout(elapsed.into())),
                },
            };
            match response {
                Ok(r) => Response::try_from(r.map(SdkBody::from_body_1_x))
                    .map_err(|e| ConnectorError::other(e.into(), None)),
                Err(e) => Err(classify(e)),
            }
        })
    }
}

/// Connect failures and broken connections are I/O errors (the SDK retries those), a connect
/// timeout is a timeout, anything else is other.
fn classify(e: hyper_util::client::legacy::Error) -> ConnectorError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    let (mut timed_out, mut io) = (false, e.is_connect());
    while let Some(s) = source {
        if let Some(err) = s.downcast_ref::<std::io::Error>() {
            io = true;
            timed_out |= err.kind() == std::io::ErrorKind::TimedOut;
        }
        if let Some(err) = s.downcast_ref::<hyper::Error>() {
            io |= err.is_incomplete_message() || err.is_closed() || err.is_canceled();
            timed_out |= err.is_timeout();
        }
        source = s.source();
    }
    if timed_out {
        ConnectorError::timeout(e.into())
    } else if io {
        ConnectorError::io(e.into())
    } else {
        ConnectorError::other(e.into(), None)
    }
}
