//! A scripted OpenID Connect provider: discovery, JWKS, an authorize endpoint that signs its
//! one user in at once, a token endpoint whose ID token is whatever [`Answer`] says (valid, or
//! one of the forgeries and mistakes a relying party must refuse), and user info. It plays
//! only what a real provider (tests/clients/node/oidc_idp.mjs) cannot be made to do wrong.

use crate::identity_support::oidc::{alg_none, hs256, modulus, tampered};
use crate::identity_support::sts::now_secs;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Json, Router};
use latchkey::userpool::jwt;
use latchkey::userpool::keys::SigningKey;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

/// The provider's client id Latchkey is registered with.
pub const CLIENT_ID: &str = "scripted-client";
/// Its secret.
pub const CLIENT_SECRET: &str = "scripted-secret";
/// The one user's subject.
pub const SUBJECT: &str = "scripted-user";

/// What the token endpoint's ID token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Valid in every respect.
    Valid,
    /// For another client.
    WrongAudience,
    /// Already expired.
    Expired,
    /// Without the nonce Latchkey sent.
    WrongNonce,
    /// From another issuer.
    WrongIssuer,
    /// Payload changed after signing.
    Tampered,
    /// `alg: none`.
    AlgNone,
    /// HS256 keyed with the public modulus.
    Hs256,
    /// Signed by a key the JWKS does not list.
    UnknownKey,
}

struct Shared {
    issuer: String,
    key: SigningKey,
    other_key: SigningKey,
    answer: Mutex<Answer>,
    /// code → nonce.
    codes: Mutex<HashMap<String, String>>,
}

/// The running provider. Dropping it stops the server.
pub struct ScriptedIdp {
    /// `http://127.0.0.1:PORT`.
    pub issuer: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

async fn discovery(State(s): State<Arc<Shared>>) -> Json<Value> {
    let i = &s.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "userinfo_endpoint": format!("{i}/userinfo"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "keys": [s.key.jwk()] }))
}

async fn authorize(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    static ISSUED: AtomicUsize = AtomicUsize::new(0);
    let code = format!("code-{}", ISSUED.fetch_add(1, Ordering::SeqCst));
    let nonce = q.get("nonce").cloned().unwrap_or_default();
    s.codes.lock().expect("codes").insert(code.clone(), nonce);
    let back = format!(
        "{}?code={code}&state={}",
        q.get("redirect_uri").cloned().unwrap_or_default(),
        q.get("state").cloned().unwrap_or_default()
    );
    Redirect::to(&back)
}

async fn token(State(s): State<Arc<Shared>>, body: String) -> impl IntoResponse {
    let f = super::form_urlencoded_pairs(&body);
    let secret_ok = f.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && f.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET);
    let nonce: Option<String> = f
        .get("code")
        .and_then(|c| s.codes.lock().expect("codes").remove(c.as_str()));
    let (true, Some(nonce)) = (secret_ok, nonce) else {
        let body = Json(json!({"error": "invalid_grant"}));
        return (axum::http::StatusCode::BAD_REQUEST, body).into_response();
    };
    let answer = *s.answer.lock().expect("answer");
    let id_token = id_token(&s, answer, &nonce);
    Json(json!({"access_token": "scripted-access", "token_type": "Bearer", "id_token": id_token}))
        .into_response()
}

fn id_token(s: &Shared, answer: Answer, nonce: &str) -> String {
    let now = now_secs();
    let mut claims: Map<String, Value> = json!({
        "iss": s.issuer, "sub": SUBJECT, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
        "nonce": nonce, "email": "scripted@idp.example"
    })
    .as_object()
    .expect("object")
    .clone();
    match answer {
        Answer::WrongAudience => {
            claims.insert("aud".into(), json!("another-client"));
        }
        Answer::Expired => {
            claims.insert("exp".into(), json!(now - 10));
        }
        Answer::WrongNonce => {
            claims.insert("nonce".into(), json!("not-the-nonce"));
        }
        Answer::WrongIssuer => {
            claims.insert("iss".into(), json!("http://127.0.0.1:1"));
        }
        _ => {}
    }
    let valid = jwt::encode(&s.key, &claims);
    match answer {
        Answer::Tampered => {
            let mut changed = claims.clone();
            changed.insert("sub".into(), json!("someone-else"));
            tampered(&valid, &changed)
        }
        Answer::AlgNone => alg_none(&valid),
        Answer::Hs256 => {
            let jwk = serde_json::to_value(s.key.jwk()).expect("JWK");
            hs256(&valid, &modulus(&jwk))
        }
        Answer::UnknownKey => jwt::encode(&s.other_key, &claims),
        _ => valid,
    }
}

async fn userinfo() -> Json<Value> {
    Json(json!({"sub": SUBJECT, "email": "scripted@idp.example", "name": "Scripted User"}))
}

impl ScriptedIdp {
    /// Starts the provider answering [`Answer::Valid`].
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind scripted IdP");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Arc::new(Shared {
            issuer: issuer.clone(),
            key: SigningKey::generate().expect("RSA key"),
            other_key: SigningKey::generate().expect("RSA key"),
            answer: Mutex::new(Answer::Valid),
            codes: Mutex::new(HashMap::new()),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            issuer,
            shared,
            task,
        }
    }

    /// What the token endpoint answers from now on.
    pub fn answer(&self, answer: Answer) {
        *self.shared.answer.lock().expect("answer") = answer;
    }
}

impl Drop for ScriptedIdp {
    fn drop(&mut self) {
        self.task.abort();
    }
}
