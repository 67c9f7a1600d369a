//! A real external OIDC issuer inside the test: an HTTP server on `127.0.0.1:0` serving
//! `/.well-known/openid-configuration` and its JWKS, with real RSA keys
//! (`latchkey::userpool::keys::SigningKey`) that can be rotated; it counts JWKS fetches. Also
//! the token forgeries every verifier must refuse (tampered payload, `alg: none`, HS256).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use latchkey::userpool::jwt;
use latchkey::userpool::keys::SigningKey;
use serde_json::{json, Map, Value};
use sha2::Sha256;
use tokio::task::JoinHandle;

use super::sts::now_secs;

struct Keys {
    /// Signs new tokens.
    current: Arc<SigningKey>,
    /// Published in the JWKS.
    published: Vec<Arc<SigningKey>>,
}

struct Shared {
    issuer: String,
    keys: Mutex<Keys>,
    jwks_fetches: AtomicUsize,
}

/// The running issuer. Dropping it stops the server.
pub struct OidcIssuer {
    /// `http://127.0.0.1:PORT` (the `iss` claim).
    pub issuer: String,
    /// `127.0.0.1:PORT`: the Logins key and SupportedLoginProviders key.
    pub name: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

async fn discovery(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({
        "issuer": s.issuer,
        "jwks_uri": format!("{}/keys/jwks.json", s.issuer),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(s): State<Arc<Shared>>) -> Json<Value> {
    s.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let keys = s.keys.lock().expect("keys lock");
    let jwks: Vec<_> = keys.published.iter().map(|k| k.jwk()).collect();
    Json(json!({ "keys": jwks }))
}

impl OidcIssuer {
    /// Starts an issuer with one fresh key.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind OIDC issuer");
        let name = listener.local_addr().expect("local addr").to_string();
        let issuer = format!("http://{name}");
        let key = Arc::new(SigningKey::generate().expect("RSA key"));
        let shared = Arc::new(Shared {
            issuer: issuer.clone(),
            keys: Mutex::new(Keys {
                current: key.clone(),
                published: vec![key],
            }),
            jwks_fetches: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/keys/jwks.json", get(jwks))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            issuer,
            name,
            shared,
            task,
        }
    }

    /// The key that signs new tokens.
    pub fn signer(&self) -> Arc<SigningKey> {
        self.shared.keys.lock().expect("keys lock").current.clone()
    }

    /// How many times the JWKS was fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.shared.jwks_fetches.load(Ordering::SeqCst)
    }

    /// Rotates to a new signing key. The JWKS then lists the new key, plus the old ones if
    /// `keep_old`. Returns the new kid.
    pub fn rotate(&self, keep_old: bool) -> String {
        let key = Arc::new(SigningKey::generate().expect("RSA key"));
        let mut keys = self.shared.keys.lock().expect("keys lock");
        if !keep_old {
            keys.published.clear();
        }
        keys.published.push(key.clone());
        keys.current = key.clone();
        key.kid().to_owned()
    }

    /// Valid claims for `sub` with audience `aud`: iss, iat now, exp in 10 minutes, and a
    /// fresh `jti` (so two tokens are never byte-identical).
    pub fn claims(&self, sub: &str, aud: &str) -> Map<String, Value> {
        static ISSUED: AtomicUsize = AtomicUsize::new(0);
        let now = now_secs();
        let jti = format!("jti-{}", ISSUED.fetch_add(1, Ordering::SeqCst));
        let v = json!({"iss": self.issuer, "sub": sub, "aud": aud, "iat": now, "exp": now + 600,
            "jti": jti});
        v.as_object().expect("object").clone()
    }

    /// A valid ID token for `sub` and `aud`, signed with the current key.
    pub fn token(&self, sub: &str, aud: &str) -> String {
        self.sign(&self.claims(sub, aud))
    }

    /// Any claims, signed RS256 with the current key.
    pub fn sign(&self, claims: &Map<String, Value>) -> String {
        jwt::encode(&self.signer(), claims)
    }
}

impl Drop for OidcIssuer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn header(token: &str) -> Map<String, Value> {
    let h = token.split('.').next().expect("JWT header");
    let bytes = URL_SAFE_NO_PAD.decode(h).expect("base64url header");
    serde_json::from_slice(&bytes).expect("JSON header")
}

/// The token with its payload replaced by `claims`, keeping the original header and
/// signature (a forgery: the signature no longer matches).
pub fn tampered(token: &str, claims: &Map<String, Value>) -> String {
    let mut parts = token.split('.');
    let (h, _, s) = (parts.next(), parts.next(), parts.next());
    let body = b64(&Value::Object(claims.clone()));
    format!("{}.{body}.{}", h.expect("header"), s.expect("signature"))
}

/// The same claims and kid with `"alg": "none"` and an empty signature.
pub fn alg_none(token: &str) -> String {
    let mut h = header(token);
    h.insert("alg".into(), json!("none"));
    let body = token.split('.').nth(1).expect("payload");
    format!("{}.{body}.", b64(&Value::Object(h)))
}

/// The same claims and kid re-signed HS256 with `secret` (e.g. the issuer's public modulus:
/// the algorithm-confusion attack).
pub fn hs256(token: &str, secret: &[u8]) -> String {
    let mut h = header(token);
    h.insert("alg".into(), json!("HS256"));
    let body = token.split('.').nth(1).expect("payload");
    let signed = format!("{}.{body}", b64(&Value::Object(h)));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(signed.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signed}.{sig}")
}

/// The public modulus of a JWK as bytes (the HS256 confusion secret).
pub fn modulus(jwk: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(jwk["n"].as_str().expect("n"))
        .expect("base64url n")
}
