//! A real HTTP trigger server for the `triggers_*` tests: it listens on 127.0.0.1, records every
//! event it is sent (per path), and answers as the path says, the way a Cognito trigger
//! function would: `POST /{behaviour}`. It also plays the failures: a Lambda-style error, a
//! reply that isn't JSON, and a sleep past the 5 s timeout.
#![allow(dead_code)] // Not every helper is used by the current tests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, UserStatusType};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use crate::common::{Claims, Harness, TokenUse};

/// The legacy user the migration behaviour knows.
pub const LEGACY_USER: &str = "legacy-bob";
/// Their legacy password.
pub const LEGACY_PASSWORD: &str = "Legacy-Passw0rd!";
/// Wrong answers the custom-auth behaviour allows.
pub const MAX_ATTEMPTS: usize = 3;

#[derive(Default)]
struct Shared {
    events: HashMap<String, Vec<Value>>,
    failing: HashMap<String, bool>,
    codes: Vec<String>,
}

/// The running trigger server.
pub struct TriggerServer {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
}

impl TriggerServer {
    /// Binds a free loopback port and serves in the background.
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let app = Router::new()
            .route("/{behaviour}", post(handle))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("trigger server binds");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, shared }
    }

    /// The URL of a behaviour, for a pool's LambdaConfig.
    pub fn at(&self, behaviour: &str) -> String {
        format!("{}/{behaviour}", self.url)
    }

    /// The events a behaviour has received, oldest first.
    pub fn events(&self, behaviour: &str) -> Vec<Value> {
        let shared = self.shared.lock().expect("lock");
        shared.events.get(behaviour).cloned().unwrap_or_default()
    }

    /// Makes a behaviour answer with an error until told otherwise.
    pub fn set_failing(&self, behaviour: &str, failing: bool) {
        let mut shared = self.shared.lock().expect("lock");
        shared.failing.insert(behaviour.to_string(), failing);
    }

    /// The newest code the custom-auth behaviour "sent".
    pub fn last_code(&self) -> String {
        let shared = self.shared.lock().expect("lock");
        shared
            .codes
            .last()
            .cloned()
            .expect("a challenge was created")
    }
}

/// A Lambda-style error reply.
fn lambda_error(message: &str) -> Response {
    let body = json!({"errorType": "Error", "errorMessage": message});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

async fn handle(
    State(shared): State<Arc<Mutex<Shared>>>,
    Path(behaviour): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let mut event: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return lambda_error("event is not JSON"),
    };
    let failing = {
        let mut s = shared.lock().expect("lock");
        s.events
            .entry(behaviour.clone())
            .or_default()
            .push(event.clone());
        s.failing.get(&behaviour).copied().unwrap_or(false)
    };
    if failing {
        return lambda_error("Switched off by the test");
    }
    let request = event["request"].clone();
    let response = &mut event["response"];
    match behaviour.as_str() {
        "record" => {}
        "error" => return lambda_error("Denied by test"),
        "bad-json" => return (StatusCode::OK, "this is not JSON").into_response(),
        "bad-shape" => *response = json!("a string where an object belongs"),
        "sleep" => tokio::time::sleep(Duration::from_secs(7)).await,
        "auto-confirm" => {
            response["autoConfirmUser"] = json!(true);
            response["autoVerifyEmail"] = json!(true);
        }
        "claims-v1" => {
            *response = json!({"claimsOverrideDetails": {
                "claimsToAddOrOverride": {"tenant": "acme", "sub": "forged", "iss": "https://evil"},
                "claimsToSuppress": ["email"],
                "groupOverrideDetails": {
                    "groupsToOverride": ["overridden"],
                    "iamRolesToOverride": ["arn:aws:iam::123456789012:role/overridden"],
                    "preferredRole": "arn:aws:iam::123456789012:role/overridden",
                },
            }});
        }
        "claims-v2" => {
            *response = json!({"claimsAndScopeOverrideDetails": {
                "idTokenGeneration": {"claimsToAddOrOverride": {"plan": "pro"}},
                "accessTokenGeneration": {
                    "claimsToAddOrOverride": {"tenant": {"id": 42, "name": "acme"}, "client_id": "forged"},
                    "claimsToSuppress": [],
                    "scopesToAdd": ["latchkey/extra"],
                },
            }});
        }
        "custom-message" => {
            response["emailSubject"] = json!("Welcome to Latchkey");
            response["emailMessage"] = json!("Hello! Your Latchkey code is {####}.");
        }
        "migrate" => return migrate(&request, event),
        "define" => define(&request, response),
        "create" => {
            let code = format!(
                "{:06}",
                (shared.lock().expect("lock").codes.len() * 7919 + 123457) % 1_000_000
            );
            shared.lock().expect("lock").codes.push(code.clone());
            response["publicChallengeParameters"] = json!({"hint": "check your email"});
            response["privateChallengeParameters"] = json!({"answer": code});
            response["challengeMetadata"] = json!(format!(
                "CODE-{}",
                request["session"].as_array().map_or(0, Vec::len)
            ));
        }
        "verify" => {
            let expected = &request["privateChallengeParameters"]["answer"];
            response["answerCorrect"] = json!(&request["challengeAnswer"] == expected);
        }
        other => return lambda_error(&format!("no behaviour {other}")),
    }
    axum::Json(event).into_response()
}

/// UserMigration: knows one legacy user and their password.
fn migrate(request: &Value, mut event: Value) -> Response {
    if event["userName"] != json!(LEGACY_USER) && event["userName"] != json!("legacy-carol") {
        return lambda_error("User not found");
    }
    let source = event["triggerSource"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if source == "UserMigration_Authentication" && request["password"] != json!(LEGACY_PASSWORD) {
        return lambda_error("Bad password");
    }
    let name = event["userName"].as_str().unwrap_or_default().to_string();
    event["response"]["userAttributes"] = json!({
        "email": format!("{name}@legacy.example.com"),
        "email_verified": "true",
    });
    if source == "UserMigration_Authentication" {
        event["response"]["finalUserStatus"] = json!("CONFIRMED");
        event["response"]["messageAction"] = json!("SUPPRESS");
    }
    axum::Json(event).into_response()
}

/// DefineAuthChallenge: one custom challenge after another until one is answered right
/// (tokens) or [`MAX_ATTEMPTS`] are wrong (failure); unknown users always fail.
fn define(request: &Value, response: &mut Value) {
    let session = request["session"].as_array().cloned().unwrap_or_default();
    let wrong = session
        .iter()
        .filter(|s| s["challengeResult"] == json!(false))
        .count();
    if request["userNotFound"] == json!(true) || wrong >= MAX_ATTEMPTS {
        response["issueTokens"] = json!(false);
        response["failAuthentication"] = json!(true);
    } else if session
        .last()
        .is_some_and(|s| s["challengeResult"] == json!(true))
    {
        response["issueTokens"] = json!(true);
        response["failAuthentication"] = json!(false);
    } else {
        response["challengeName"] = json!("CUSTOM_CHALLENGE");
        response["issueTokens"] = json!(false);
        response["failAuthentication"] = json!(false);
    }
}

/// A pool whose LambdaConfig names `triggers` ((trigger, location) pairs; the name
/// `PreTokenGenerationV2` sets PreTokenGenerationConfig with V2_0); returns its id.
pub async fn triggered_pool(h: &Harness, triggers: &[(&str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = triggers.iter().map(|(n, a)| (*n, a.as_str())).collect();
    let config = lambda_config(&pairs);
    h.create_pool_with("triggers", |b| b.lambda_config(config))
        .await
        .id
        .expect("pool id")
}

/// A user's status, or `None` when the user doesn't exist.
pub async fn user_status(h: &Harness, pool: &str, username: &str) -> Option<UserStatusType> {
    let out = h
        .idp
        .admin_get_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .ok()?;
    out.user_status
}

/// Both tokens of a sign-in, verified against the pool's JWKS: (ID claims, access claims).
pub async fn verified(
    h: &Harness,
    pool: &str,
    tokens: &AuthenticationResultType,
    client: &str,
) -> (Claims, Claims) {
    let id = tokens.id_token().expect("IdToken");
    let access = tokens.access_token().expect("AccessToken");
    (
        h.verify(pool, id, TokenUse::Id, client).await,
        h.verify(pool, access, TokenUse::Access, client).await,
    )
}

/// A LambdaConfig naming `pairs` ((trigger, location)).
pub fn lambda_config(
    pairs: &[(&str, &str)],
) -> aws_sdk_cognitoidentityprovider::types::LambdaConfigType {
    use aws_sdk_cognitoidentityprovider::types::{
        LambdaConfigType, PreTokenGenerationLambdaVersionType, PreTokenGenerationVersionConfigType,
    };
    let mut b = LambdaConfigType::builder();
    for (name, at) in pairs {
        let at = at.to_string();
        b = match *name {
            "PreSignUp" => b.pre_sign_up(at),
            "PostConfirmation" => b.post_confirmation(at),
            "PreAuthentication" => b.pre_authentication(at),
            "PostAuthentication" => b.post_authentication(at),
            "PreTokenGeneration" => b.pre_token_generation(at),
            "PreTokenGenerationV2" => b.pre_token_generation_config(
                PreTokenGenerationVersionConfigType::builder()
                    .lambda_version(PreTokenGenerationLambdaVersionType::V20)
                    .lambda_arn(at)
                    .build()
                    .expect("version config"),
            ),
            "CustomMessage" => b.custom_message(at),
            "UserMigration" => b.user_migration(at),
            "DefineAuthChallenge" => b.define_auth_challenge(at),
            "CreateAuthChallenge" => b.create_auth_challenge(at),
            "VerifyAuthChallengeResponse" => b.verify_auth_challenge_response(at),
            other => panic!("no trigger {other}"),
        };
    }
    b.build()
}
