//! Sign in with Apple for the federation tests: the team's signing key (a fresh P-256 key:
//! its PKCS #8 PEM for the provider's `private_key`, its public JWK for the player that checks
//! Latchkey's client secret), and Apple played by the real OpenID Connect provider
//! (`oidc_idp.mjs --preset apple`) with a pool offering it.

use crate::common::Harness;
use crate::federation_support::node_idp::{self, NodeIdp};
use crate::federation_support::social::{details, free_port, harness_moving, social_pool};
use crate::federation_support::{authorize_url, form_of, Browser, Ended, FederatedPool};
use crate::real_clients::{clients_present, repo_root};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;

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

/// The Apple developer team the pool's provider names (`team_id`, the secret's `iss`).
pub const APPLE_TEAM: &str = "A1B2C3D4E5";
/// The id of the team's signing key (`key_id`, the secret's `kid`).
pub const APPLE_KEY_ID: &str = "K9L8M7N6P5";
/// The user's `sub` at Apple (Apple's shape: `<6 digits>.<32 hex>.<4 digits>`).
pub const APPLE_SUB: &str = "001802.4c3f7e1a9b2d4e6f8a0b1c2d3e4f5a6b.0735";

/// Sign in with Apple played by the real provider, and a pool offering it.
pub struct Apple {
    /// The server, whose `LATCHKEY_PROVIDER_ENDPOINTS` moves `https://appleid.apple.com`.
    pub h: Harness,
    /// The pool offering `SignInWithApple`, and its client.
    pub fp: FederatedPool,
    /// Where the player listens (its `/_apple/stats`).
    pub port: u16,
    _player: NodeIdp,
}

/// A server, Apple (with `extra` flags; it knows the team key the pool is configured with,
/// unless `pool_key` gives the pool another one), and a pool offering Apple with its
/// attributes mapped. None when oidc-provider is not installed.
pub async fn apple_setup(extra: &[&str], pool_key: Option<&AppleKey>) -> Option<Apple> {
    let modules = repo_root().join("tests/clients/node/node_modules/oidc-provider");
    if !clients_present("oidc-provider", &[modules, node_idp::script()]) {
        return None;
    }
    let port = free_port();
    let h = harness_moving(&["https://appleid.apple.com"], port).await;
    let key = AppleKey::generate();
    let port_flag = port.to_string();
    let mut flags = vec![
        "--preset",
        "apple",
        "--port",
        &port_flag,
        "--apple-public-key",
        &key.public_jwk,
        "--apple-key-id",
        APPLE_KEY_ID,
        "--apple-team-id",
        APPLE_TEAM,
    ];
    flags.extend_from_slice(extra);
    let player = NodeIdp::start_with(h.url(), APPLE_SUB, &flags);
    let provider_details = details(&[
        ("client_id", node_idp::CLIENT_ID),
        ("team_id", APPLE_TEAM),
        ("key_id", APPLE_KEY_ID),
        ("private_key", &pool_key.unwrap_or(&key).pem),
        ("authorize_scopes", "email name"),
    ]);
    let mapping = [
        ("email", "email"),
        ("email_verified", "email_verified"),
        ("name", "name"),
        ("given_name", "firstName"),
        ("family_name", "lastName"),
    ];
    let fp = social_pool(
        &h,
        "SignInWithApple",
        IdentityProviderTypeType::SignInWithApple,
        provider_details,
        &mapping,
    )
    .await;
    Some(Apple {
        h,
        fp,
        port,
        _player: player,
    })
}

impl Apple {
    /// What Apple saw: client secrets verified and refused, `user` fields posted.
    pub async fn stats(&self) -> Value {
        reqwest::get(format!("http://127.0.0.1:{}/_apple/stats", self.port))
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }

    /// A new browser's sign-in up to Apple's form post: its action and fields.
    pub async fn to_form_post(
        &self,
        browser: &mut Browser,
        nonce: &str,
    ) -> (String, Vec<(String, String)>) {
        let url = authorize_url(&self.h, &self.fp.client, "SignInWithApple", nonce);
        match browser.go_to_page(&url).await {
            Ended::Page(_, page) => form_of(&page)
                .unwrap_or_else(|| panic!("Apple did not answer with a form post: {page}")),
            other => panic!("Apple did not answer with a form post: {other:?}"),
        }
    }
}
