//! The HTTPS listener (`--https-port`): the same routes over TLS, with a self-signed
//! certificate generated into the data dir on the first start and reused on the next; tokens
//! fetched over HTTPS carry the HTTP listener's issuer. The client trusts exactly the
//! generated certificate (read from the data dir), nothing else: hyper over rustls, the stack
//! `latchkey::http` uses.

use crate::common::{self, Harness, TempDir, TokenUse, PASSWORD};

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use latchkey_server::tls::{CERT_FILE, KEY_FILE};
use latchkey_server::{CertSource, HttpsOptions, ServerOptions, StoreChoice};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde_json::{json, Value};

/// SQLite in `dir`, HTTP and HTTPS on free ports, the certificate generated in `dir`.
fn options(dir: &Path) -> ServerOptions {
    ServerOptions {
        store: StoreChoice::Sqlite {
            data_dir: dir.to_path_buf(),
        },
        ..ServerOptions::in_memory()
    }
    .with_https(0, dir.to_path_buf())
}

type Https = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// An HTTPS client (hyper over rustls, Latchkey's provider) whose only trust anchor is
/// `cert_pem`.
fn trusting(cert_pem: &[u8]) -> Https {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(cert_pem) {
        roots
            .add(cert.expect("a PEM certificate"))
            .expect("a usable trust anchor");
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(latchkey::tls::provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_only()
        .enable_http1()
        .build();
    Client::builder(TokioExecutor::new()).build(connector)
}

/// Sends `req` and reads the reply: (status, JSON body).
async fn send(client: &Https, req: hyper::Request<Full<Bytes>>) -> (u16, Value) {
    let what = format!("{} {}", req.method(), req.uri());
    let resp = client
        .request(req)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("the reply body")
        .to_bytes();
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body:?}"));
    (status, json)
}

async fn get_json(client: &Https, url: &str) -> Value {
    let req = hyper::Request::get(url)
        .body(Full::new(Bytes::new()))
        .expect("request");
    let (status, body) = send(client, req).await;
    assert_eq!(status, 200, "GET {url}: {body}");
    body
}

#[tokio::test]
async fn same_routes_over_tls_with_a_generated_certificate_kept_across_restarts() {
    let dir = TempDir::new("https");
    let h = Harness::start_with(options(dir.path())).await;
    let https = h.server.https.clone().expect("an HTTPS listener");
    assert!(https.url.starts_with("https://127.0.0.1:"), "{}", https.url);
    assert_ne!(https.addr.port(), 0);
    assert_eq!(https.cert, dir.path().join(CERT_FILE));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = std::fs::metadata(dir.path().join(KEY_FILE)).expect("the key file");
        assert_eq!(
            key.permissions().mode() & 0o777,
            0o600,
            "key readable by others"
        );
    }
    let pem = std::fs::read(&https.cert).expect("the certificate file");
    let client = trusting(&pem);

    let health = get_json(&client, &format!("{}/_latchkey/health", https.url)).await;
    assert!(health.is_object(), "{health}");
    // The certificate names localhost as well as the address.
    let by_name = format!("https://localhost:{}/_latchkey/health", https.addr.port());
    get_json(&client, &by_name).await;

    let pool = h.server.default_pool_id.clone();
    let client_id = h.server.default_client_id.clone();
    let jwks_path = format!("/{pool}/.well-known/jwks.json");
    let jwks = get_json(&client, &format!("{}{jwks_path}", https.url)).await;
    assert_eq!(
        jwks,
        h.jwks(&pool).await,
        "the JWKS differs between listeners"
    );

    // A sign-in over HTTPS: the tokens name the HTTP URL as issuer, as any other sign-in.
    h.confirmed_user(&pool, &client_id, "tls-user", "tls@example.com")
        .await;
    let body = json!({
        "ClientId": client_id,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": { "USERNAME": "tls-user", "PASSWORD": PASSWORD },
    });
    let req = hyper::Request::post(format!("{}/", https.url))
        .header(
            "X-Amz-Target",
            format!("{}InitiateAuth", common::TARGET_PREFIX),
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    let (status, out) = send(&client, req).await;
    assert_eq!(status, 200, "InitiateAuth over HTTPS: {out}");
    let id_token = out["AuthenticationResult"]["IdToken"]
        .as_str()
        .expect("IdToken");
    h.verify(&pool, id_token, TokenUse::Id, &client_id).await;
    assert!(h.issuer(&pool).starts_with("http://"));
    h.shutdown().await;

    // The next start reuses the certificate: the same client, trusting only the first
    // certificate, still connects.
    let again = Harness::start_with(options(dir.path())).await;
    let https = again.server.https.clone().expect("an HTTPS listener");
    assert_eq!(std::fs::read(&https.cert).expect("certificate"), pem);
    get_json(&client, &format!("{}/_latchkey/health", https.url)).await;
    again.shutdown().await;
}

#[tokio::test]
async fn given_certificate_files_are_used_as_they_are() {
    // A certificate made by one server, handed to another as --tls-cert/--tls-key files.
    let made = TempDir::new("https");
    let first =
        Harness::start_with(ServerOptions::in_memory().with_https(0, made.path().to_path_buf()))
            .await;
    first.shutdown().await;
    let given = TempDir::new("https");
    let (cert, key) = (
        given.path().join("server.crt"),
        given.path().join("server.key"),
    );
    std::fs::copy(made.path().join(CERT_FILE), &cert).expect("copy cert");
    std::fs::copy(made.path().join(KEY_FILE), &key).expect("copy key");

    let opts = ServerOptions {
        https: Some(HttpsOptions {
            port: 0,
            cert: CertSource::Files {
                cert: cert.clone(),
                key,
            },
        }),
        ..ServerOptions::in_memory()
    };
    let h = Harness::start_with(opts).await;
    let https = h.server.https.clone().expect("an HTTPS listener");
    assert_eq!(https.cert, cert);
    let client = trusting(&std::fs::read(&cert).expect("cert"));
    get_json(&client, &format!("{}/_latchkey/health", https.url)).await;
    assert!(
        !given.path().join(CERT_FILE).exists(),
        "nothing generated beside given files"
    );
    h.shutdown().await;
}
