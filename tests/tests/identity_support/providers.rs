//! A loopback stand-in for Facebook's Graph API and Login with Amazon's token information
//! (the real ones cannot be reached from here): an HTTP server on `127.0.0.1:0` that knows
//! the access tokens it "issued" and answers what the real endpoints answer for them:
//! `GET /app` (the app a Facebook token belongs to), `GET /me` (its user) and
//! `GET /auth/o2/tokeninfo` (a Login with Amazon token's user, client and app), with the
//! providers' error bodies and HTTP 400 for tokens it does not know or that expired. The
//! server under test reaches it through `LATCHKEY_PROVIDER_ENDPOINTS`; it also plays Google
//! and Apple through [`super::oidc::OidcIssuer`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use latchkey::config::ProviderEndpoints;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

/// A token the player issued.
#[derive(Clone)]
struct Issued {
    /// Facebook app id, or Login with Amazon security profile (app) id.
    app: String,
    /// Login with Amazon OAuth client id (`aud`).
    client: String,
    /// The provider's user id.
    user: String,
    /// Seconds left (0 or less: expired).
    left: i64,
}

#[derive(Default)]
struct Shared {
    tokens: Mutex<HashMap<String, Issued>>,
    requests: AtomicUsize,
}

/// The running player. Dropping it stops the server.
pub struct SocialProviders {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

fn refused(message: &str) -> Response {
    let body = json!({"error": {"message": message, "type": "OAuthException", "code": 190}});
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn lookup(s: &Shared, q: &HashMap<String, String>) -> Option<Issued> {
    s.requests.fetch_add(1, Ordering::SeqCst);
    let token = q.get("access_token")?;
    s.tokens.lock().expect("tokens").get(token).cloned()
}

async fn fb_app(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match lookup(&s, &q) {
        Some(t) if t.left > 0 => Json(json!({"id": t.app, "name": "an app"})).into_response(),
        Some(_) => refused("Error validating access token: Session has expired."),
        None => refused("Invalid OAuth access token data."),
    }
}

async fn fb_me(State(s): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    match lookup(&s, &q) {
        Some(t) if t.left > 0 => Json(json!({"id": t.user})).into_response(),
        Some(_) => refused("Error validating access token: Session has expired."),
        None => refused("Invalid OAuth access token data."),
    }
}

async fn amazon_tokeninfo(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match lookup(&s, &q) {
        Some(t) if t.left > 0 => Json(json!({
            "iss": "https://www.amazon.com",
            "user_id": t.user,
            "aud": t.client,
            "app_id": t.app,
            "exp": t.left,
            "iat": 1_700_000_000,
        }))
        .into_response(),
        _ => {
            let body: Value = json!({"error": "invalid_token",
                "error_description": "The request has an invalid parameter : access_token"});
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
    }
}

impl SocialProviders {
    /// Starts the player with no tokens.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind provider player");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/app", get(fb_app))
            .route("/me", get(fb_me))
            .route("/auth/o2/tokeninfo", get(amazon_tokeninfo))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, shared, task }
    }

    fn issue(&self, token: &str, app: &str, client: &str, user: &str, left: i64) -> String {
        let issued = Issued {
            app: app.into(),
            client: client.into(),
            user: user.into(),
            left,
        };
        self.shared
            .tokens
            .lock()
            .expect("tokens")
            .insert(token.into(), issued);
        token.to_owned()
    }

    /// A Facebook access token of `app` for `user` (`left` seconds to live).
    pub fn facebook(&self, token: &str, app: &str, user: &str, left: i64) -> String {
        self.issue(token, app, "", user, left)
    }

    /// A Login with Amazon access token of security profile `app`, client `client`, `user`.
    pub fn amazon(&self, token: &str, app: &str, client: &str, user: &str, left: i64) -> String {
        self.issue(token, app, client, user, left)
    }

    /// How many provider requests were answered.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// `LATCHKEY_PROVIDER_ENDPOINTS` sending Facebook and Amazon here, and Google and Apple to
    /// the given OIDC players.
    pub fn endpoints(&self, google: &str, apple: &str) -> ProviderEndpoints {
        ProviderEndpoints::parse(&format!(
            "https://graph.facebook.com={u},https://api.amazon.com={u},\
             https://accounts.google.com={google},https://appleid.apple.com={apple}",
            u = self.url
        ))
        .expect("provider endpoints")
    }
}

impl Drop for SocialProviders {
    fn drop(&mut self) {
        self.task.abort();
    }
}
