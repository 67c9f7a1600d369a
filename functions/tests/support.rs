//! Support for the Lambda tests and the bench: a live fixture (an App on the embedded SQLite
//! store, in memory, with a pool, client, users, tokens and an identity pool made through the
//! protocol), and the events/ files read as the real `lambda_http` event type with their
//! EXAMPLE_* placeholders replaced by the fixture's values.

use async_trait::async_trait;
use lambda_http::http;
use lambda_http::request::LambdaRequest;
use latchkey::clock::Clock;
use latchkey::config::Config;
use latchkey::edge::EdgeRequest;
use latchkey::lambda::worker::FunctionEvent;
use latchkey::lambda::{Function, Handler};
use latchkey::protocol::sigv4::AccessKey;
use latchkey::protocol::{dispatch, dispatch_identity};
use latchkey::secret::Secret;
use latchkey::store::sqlite::SqliteStore;
use latchkey::store::Store;
use latchkey::sts::{CredentialError, CredentialIssuer, Credentials, RoleRequest};
use latchkey::triggers::invoke::Invokers;
use latchkey::userpool::imports::files::LocalDir;
use latchkey::App;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2025-01-01T00:00:00Z: the time every event carries (and the signed ones are signed at).
pub const EVENT_EPOCH: u64 = 1_735_689_600;
/// The example admin key the signed events are signed with (gen_events.py).
pub const ADMIN_KEY_ID: &str = "LKIAEXAMPLEADMIN0001";
/// Its secret.
pub const ADMIN_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const PASSWORD: &str = "Passw0rd!";
/// The redirect URI the fixture's client registers (gen_events.py's `CALLBACK`).
pub const CALLBACK: &str = "https://app.example.com/callback";
/// Its sign-out URL (gen_events.py's `SIGNED_OUT`).
pub const SIGNED_OUT: &str = "https://app.example.com/signed-out";

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[path = "import_support.rs"]
pub mod imports;

/// A clock standing still one minute after the events' time.
pub struct EventClock;

impl Clock for EventClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(EVENT_EPOCH + 60)
    }
}

/// The credential-issuer port answered in-process (STS is not part of these handler tests):
/// it hands back fixed credentials for whatever role it is asked.
pub struct FixedIssuer;

#[async_trait]
impl CredentialIssuer for FixedIssuer {
    async fn assume(&self, request: &RoleRequest) -> Result<Credentials, CredentialError> {
        Ok(Credentials {
            access_key_id: "ASIAEXAMPLEFIXTURE01".into(),
            secret_key: Secret::new("fixture-secret".into()),
            session_token: Secret::new(format!("fixture-session-for-{}", request.role_arn)),
            expiration: (EVENT_EPOCH + 3600) as i64,
        })
    }
}

/// A seeded App and the values its placeholders stand for.
pub struct Fixture {
    /// The App.
    pub app: Arc<App>,
    /// (placeholder in events/, live value).
    pub values: Vec<(&'static str, String)>,
}

async fn call(app: &App, op: &str, body: Value) -> Result<Value, Failure> {
    let bytes = body.to_string();
    let r = match op.split_once(':') {
        Some(("identity", op)) => dispatch_identity(app, op, bytes.as_bytes()).await,
        _ => dispatch(app, op, bytes.as_bytes()).await,
    };
    r.map_err(|e| format!("{op}: {e}").into())
}

fn text(v: &Value, path: &[&str]) -> Result<String, Failure> {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no {} in {v}", path.join(".")).into())
}

impl Fixture {
    /// Builds the App (in-memory SQLite, the events' clock, an in-process issuer, the default
    /// trigger invoker, never called: the fixture's pools have no triggers) and seeds it:
    /// pool, client, confirmed `alice` with tokens, unconfirmed `bob` with a code, `erin` with
    /// a temporary password and an open NEW_PASSWORD_REQUIRED session, an identity pool
    /// trusting the pool, alice's identity, and two hosted sign-ins of alice through the login
    /// form: one's code and hosted session are left for the events, the other's code is
    /// exchanged for an OAuth access token (with `openid`, for userInfo).
    pub async fn new() -> Result<Self, Failure> {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory()?);
        let config = config()?;
        let triggers = Arc::new(Invokers::new(&config.region));
        let files = LocalDir::new(imports::scratch_dir("fixture-imports"));
        let mut app = latchkey::lambda::build_app(&config, store, None, None, triggers)?
            .with_import_files(Arc::new(files));
        app.clock = Arc::new(EventClock);
        app.identity.issuer = Some(Arc::new(FixedIssuer));
        Self::seed(Arc::new(app)).await
    }

    /// Seeds `app` (any store, any clock) as [`Fixture::new`] does.
    pub async fn seed(app: Arc<App>) -> Result<Self, Failure> {
        let a = &*app;
        let pool = call(
            a,
            "CreateUserPool",
            json!({"PoolName": "example", "AutoVerifiedAttributes": ["email"]}),
        )
        .await?;
        let pool_id = text(&pool, &["UserPool", "Id"])?;
        let client = call(
            a,
            "CreateUserPoolClient",
            json!({
            "UserPoolId": pool_id, "ClientName": "web",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email", "profile"],
            "CallbackURLs": [CALLBACK], "LogoutURLs": [SIGNED_OUT],
            "SupportedIdentityProviders": ["COGNITO"]}),
        )
        .await?;
        let client_id = text(&client, &["UserPoolClient", "ClientId"])?;
        let attrs = |name: &str| {
            json!([{"Name": "email", "Value": format!("{name}@example.com")},
                                        {"Name": "email_verified", "Value": "true"}])
        };
        call(
            a,
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "alice",
            "MessageAction": "SUPPRESS", "UserAttributes": attrs("alice")}),
        )
        .await?;
        call(
            a,
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": "alice",
            "Password": PASSWORD, "Permanent": true}),
        )
        .await?;
        let auth = call(
            a,
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
        )
        .await?;
        let tokens = |k: &str| text(&auth, &["AuthenticationResult", k]);
        call(
            a,
            "SignUp",
            json!({"ClientId": client_id, "Username": "bob", "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
        )
        .await?;
        let outbox = a.store.list_outbox(Some(&pool_id), Some("bob")).await?;
        let code = outbox
            .last()
            .map(|(_, m)| m.code.expose().clone())
            .ok_or("bob has no code")?;
        call(
            a,
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "erin",
            "MessageAction": "SUPPRESS", "TemporaryPassword": "TempPassw0rd!",
            // No email_verified: a user holding it cannot answer NEW_PASSWORD_REQUIRED yet
            // (the shared challenge code validates the stored attributes as caller input).
            "UserAttributes": [{"Name": "email", "Value": "erin@example.com"}]}),
        )
        .await?;
        let challenge = call(
            a,
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "erin", "PASSWORD": "TempPassw0rd!"}}),
        )
        .await?;
        let provider = format!("cognito-idp.us-east-1.amazonaws.com/{pool_id}");
        let ipool = call(
            a,
            "identity:CreateIdentityPool",
            json!({"IdentityPoolName": "example",
            "AllowUnauthenticatedIdentities": false,
            "CognitoIdentityProviders": [{"ProviderName": provider, "ClientId": client_id}]}),
        )
        .await?;
        let ipool_id = text(&ipool, &["IdentityPoolId"])?;
        call(
            a,
            "identity:SetIdentityPoolRoles",
            json!({"IdentityPoolId": ipool_id,
            "Roles": {"authenticated": "arn:aws:iam::123456789012:role/latchkey-example"}}),
        )
        .await?;
        let id_token = tokens("IdToken")?;
        let identity = call(
            a,
            "identity:GetId",
            json!({"IdentityPoolId": ipool_id,
            "Logins": {provider: id_token}}),
        )
        .await?;
        let hosted = hosted_sign_in(a, &client_id).await?;
        let spare = hosted_sign_in(a, &client_id).await?;
        let oauth_access = oauth_access_token(a, &client_id, &spare.code).await?;
        let import_job = imports::pending_job(a, &pool_id, &["imported1", "imported2"]).await?;
        let mut values = vec![
            ("us-east-1_EXAMPLE01", pool_id),
            ("exampleclientid000000000a", client_id),
            ("EXAMPLE_ACCESS_TOKEN", tokens("AccessToken")?),
            ("EXAMPLE_REFRESH_TOKEN", tokens("RefreshToken")?),
            ("EXAMPLE_ID_TOKEN", id_token),
            (
                "EXAMPLE_SESSION_0000000000",
                text(&challenge, &["Session"])?,
            ),
            ("us-east-1:00000000-0000-4000-8000-000000000001", ipool_id),
            (
                "us-east-1:00000000-0000-4000-8000-0000000000a1",
                text(&identity, &["IdentityId"])?,
            ),
            ("\"123456\"", format!("\"{code}\"")),
            ("EXAMPLE_AUTH_CODE", hosted.code),
            ("EXAMPLE_HOSTED_SESSION", hosted.session),
            ("EXAMPLE_OAUTH_ACCESS_TOKEN", oauth_access),
        ];
        values.extend(import_job.map(|job| (imports::JOB_PLACEHOLDER, job)));
        Ok(Self { app, values })
    }

    /// The handler of `function` over this App, accepting the example admin key.
    pub fn handler(&self, function: Function) -> Handler {
        let key = AccessKey::new(ADMIN_KEY_ID, Secret::new(ADMIN_SECRET.to_string()));
        Handler::new(self.app.clone(), function, vec![key])
    }

    /// Reads an events/ file as API Gateway's payload 2.0 event, replacing placeholders in the
    /// path, query, body, headers and cookies (never in a signed request: its signature covers
    /// the body), and converts it to the request `lambda_http` hands a handler.
    /// It is read as the functions' runtime reads an invocation's payload
    /// ([`FunctionEvent`]), so every sample proves the runtime takes it.
    pub fn request(&self, file: &Path) -> Result<lambda_http::Request, Failure> {
        match serde_json::from_str::<FunctionEvent>(&self.event_json(file)?)? {
            FunctionEvent::Http(request) => match *request {
                event @ LambdaRequest::ApiGatewayV2(_) => Ok(event.into()),
                _ => Err("an event, but not API Gateway's v2 (HTTP API) format".into()),
            },
            FunctionEvent::Import(_) => Err("a worker's ticket, not an API Gateway event".into()),
        }
    }

    /// An events/ file with its placeholders replaced, as JSON text.
    pub fn event_json(&self, file: &Path) -> Result<String, Failure> {
        let mut event: Value = serde_json::from_str(&std::fs::read_to_string(file)?)?;
        let signed = event["headers"]
            .get("authorization")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with("AWS4-"));
        if signed {
            return Ok(event.to_string());
        }
        // Values go into form bodies percent-encoded (a session may hold `+` or `/`).
        let form = event["headers"]["content-type"]
            .as_str()
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        let fill = |s: &str, encode: bool| {
            self.values.iter().fold(s.to_string(), |s, (p, v)| {
                s.replace(p, &if encode { form_encoded(v) } else { v.clone() })
            })
        };
        for field in ["body", "rawPath", "rawQueryString"] {
            if let Some(s) = event[field].as_str() {
                event[field] = Value::String(fill(s, form && field == "body"));
            }
        }
        if let Some(headers) = event["headers"].as_object_mut() {
            for value in headers.values_mut() {
                if let Some(s) = value.as_str() {
                    *value = Value::String(fill(s, false));
                }
            }
        }
        if let Some(cookies) = event["cookies"].as_array_mut() {
            for value in cookies.iter_mut() {
                if let Some(s) = value.as_str() {
                    *value = Value::String(fill(s, false));
                }
            }
        }
        Ok(event.to_string())
    }
}

/// `s` percent-encoded for a form body (RFC 3986 unreserved characters kept).
fn form_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a hosted sign-in through the login form leaves: the code it redirected with and the
/// hosted session cookie's value.
struct HostedSignIn {
    code: String,
    session: String,
}

/// Signs `alice` in through `POST /login` (the edge, as the server and the hosted-ui
/// function run it) for `client_id`, code flow without PKCE.
async fn hosted_sign_in(app: &App, client_id: &str) -> Result<HostedSignIn, Failure> {
    let query = format!(
        "response_type=code&client_id={client_id}&redirect_uri={}&scope=openid+email+profile",
        form_encoded(CALLBACK)
    );
    let mut req = EdgeRequest::new(http::Method::POST, "/login", "fixture");
    req.query = query;
    let csrf = "fixturecsrf";
    req.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    req.headers.insert(
        http::header::COOKIE,
        http::HeaderValue::from_str(&format!("XSRF-TOKEN={csrf}"))?,
    );
    req.body = format!(
        "_csrf={csrf}&username=alice&password={}",
        form_encoded(PASSWORD)
    )
    .into();
    let resp = latchkey::edge::handle(app, &req).await;
    let header = |name: http::header::HeaderName| {
        resp.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let location = header(http::header::LOCATION).concat();
    let code = location
        .split_once("code=")
        .map(|(_, rest)| rest.split('&').next().unwrap_or_default().to_string())
        .ok_or_else(|| format!("hosted sign-in: {} to «{location}»", resp.status))?;
    let session = header(http::header::SET_COOKIE)
        .iter()
        .find_map(|c| c.strip_prefix("latchkey-session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
        .ok_or("hosted sign-in set no session cookie")?;
    Ok(HostedSignIn { code, session })
}

/// The access token `POST /oauth2/token` gives for `code` (it carries `openid`).
async fn oauth_access_token(app: &App, client_id: &str, code: &str) -> Result<String, Failure> {
    let mut req = EdgeRequest::new(http::Method::POST, "/oauth2/token", "fixture");
    req.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    req.body = format!(
        "grant_type=authorization_code&client_id={client_id}&code={code}&redirect_uri={}",
        form_encoded(CALLBACK)
    )
    .into();
    let resp = latchkey::edge::handle(app, &req).await;
    let body: Value = serde_json::from_slice(&resp.body)?;
    text(&body, &["access_token"])
}

/// The settings the fixture's App is built with (the in-memory store, a fixed issuer).
pub fn config() -> Result<Config, Failure> {
    Ok(Config::load(|k| match k {
        "LATCHKEY_STORE" => Some("memory".into()),
        "LATCHKEY_ISSUER_BASE_URL" => Some("https://auth.example.com".into()),
        "LATCHKEY_ACCOUNT_ID" => Some("123456789012".into()),
        _ => None,
    })?)
}

/// The repository's events/ folder.
pub fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

/// Every events/ file, as (function, path), sorted.
pub fn event_files() -> Result<Vec<(Function, PathBuf)>, Failure> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(events_dir())? {
        let dir = dir?.path();
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        // events/triggers/ holds Cognito trigger events, not API Gateway requests.
        if name == "triggers" || !dir.is_dir() {
            continue;
        }
        let function =
            Function::from_name(&name).ok_or(format!("events/{name}: no such function"))?;
        for file in std::fs::read_dir(&dir)? {
            out.push((function, file?.path()));
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
