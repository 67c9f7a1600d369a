//! What the social-provider federation tests stand on: a Latchkey server whose
//! `LATCHKEY_PROVIDER_ENDPOINTS` moves a provider's real hosts to a loopback port, a pool
//! offering one social provider (`Facebook`, `LoginWithAmazon`, `SignInWithApple`), the
//! Facebook / Login with Amazon player (`tests/clients/node/social_idp.mjs`) as a child
//! process, and Sign in with Apple's signing key (a fresh P-256 key: its PKCS #8 PEM for the
//! provider's `private_key`, its public JWK for the player that checks Latchkey's client
//! secret).

use crate::common::Harness;
use crate::federation_support::{FederatedPool, APP_REDIRECT};
use crate::real_clients::repo_root;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType, OAuthFlowType};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use latchkey::config::ProviderEndpoints;
use latchkey_server::ServerOptions;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A free loopback port (for a provider that must be named before it starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A server that reaches each of `real_bases` (`https://graph.facebook.com`, ...) at
/// `http://127.0.0.1:{port}`.
pub async fn harness_moving(real_bases: &[&str], port: u16) -> Harness {
    let here = format!("http://127.0.0.1:{port}");
    let moved: Vec<String> = real_bases.iter().map(|b| format!("{b}={here}")).collect();
    let mut opts = ServerOptions::in_memory();
    opts.provider_endpoints = ProviderEndpoints::parse(&moved.join(",")).expect("endpoints");
    Harness::start_with(opts).await
}

/// A pool with the provider `name` of type `kind` (`details`, `mapping`), and a public app
/// client offering only it for the code flow, calling back to [`APP_REDIRECT`].
pub async fn social_pool(
    h: &Harness,
    name: &str,
    kind: IdentityProviderTypeType,
    details: HashMap<String, String>,
    mapping: &[(&str, &str)],
) -> FederatedPool {
    let pool = h.create_pool(&name.to_lowercase()).await;
    let mut req = h
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name(name)
        .provider_type(kind)
        .set_provider_details(Some(details));
    for (attr, claim) in mapping {
        req = req.attribute_mapping(*attr, *claim);
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("CreateIdentityProvider ({name}) failed: {e:?}"));
    let mut c = h
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name(format!("{name}-web"))
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .supported_identity_providers(name)
        .callback_urls(APP_REDIRECT);
    for scope in ["openid", "email", "profile"] {
        c = c.allowed_o_auth_scopes(scope);
    }
    let client = c
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateUserPoolClient failed: {e:?}"))
        .user_pool_client
        .and_then(|c| c.client_id)
        .expect("ClientId");
    FederatedPool { pool, client }
}

/// `ProviderDetails` from pairs.
pub fn details(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A Sign in with Apple signing key, as a team downloads it from Apple (a `.p8` file).
pub struct AppleKey {
    /// The PKCS #8 PEM (ProviderDetails' `private_key`).
    pub pem: String,
    /// The public key as a JWK (JSON text), for the provider that checks the client secret.
    pub public_jwk: String,
}

impl AppleKey {
    /// A fresh P-256 key.
    pub fn generate() -> Self {
        let doc =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .expect("P-256 key");
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref())
            .expect("the key parses");
        // The uncompressed point: 0x04, X (32 bytes), Y (32 bytes).
        let point = pair.public_key().as_ref();
        assert_eq!(point.len(), 65, "an uncompressed P-256 point");
        let public_jwk = serde_json::json!({
            "kty": "EC",
            "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        })
        .to_string();
        let body = STANDARD.encode(doc.as_ref());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
            .collect();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        );
        Self { pem, public_jwk }
    }
}

/// The Facebook / Login with Amazon player's script.
pub fn script() -> std::path::PathBuf {
    repo_root().join("tests/clients/node/social_idp.mjs")
}

/// Facebook or Login with Amazon played on loopback by `social_idp.mjs`. Dropping it stops
/// the process.
pub struct SocialIdp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    child: Child,
}

impl SocialIdp {
    /// Starts the player for `provider` (`facebook` or `amazon`) on `port`, for Latchkey at
    /// `latchkey_base`, with the script's other flags (`--client-id`, `--user-id`, ...).
    pub fn start(provider: &str, port: u16, latchkey_base: &str, flags: &[&str]) -> Self {
        let redirect = format!("{latchkey_base}/oauth2/idpresponse");
        let mut child = Command::new("node")
            .arg(script())
            .args(["--provider", provider, "--port", &port.to_string()])
            .args(["--redirect-uri", &redirect])
            .args(flags)
            .current_dir(repo_root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting node social_idp.mjs");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reading the provider's first line");
        let ready: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("provider said {line:?}: {e}"));
        assert_eq!(
            ready["port"], port,
            "the player listens where Latchkey looks"
        );
        Self {
            base: format!("http://127.0.0.1:{port}"),
            child,
        }
    }

    /// What the player saw (`GET /_stats`): codes issued and redeemed, refused token
    /// requests, profile requests and the Graph fields last asked for.
    pub async fn stats(&self) -> serde_json::Value {
        reqwest::get(format!("{}/_stats", self.base))
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }
}

impl Drop for SocialIdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
