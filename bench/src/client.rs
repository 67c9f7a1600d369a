//! A minimal Cognito JSON-protocol client (`POST /` with `X-Amz-Target`) over
//! one shared, pooled `reqwest` client. Every call checks the HTTP status and
//! the response members the benchmark relies on, so a wrong answer counts as an
//! error rather than as a fast request.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Tokens returned by a USER_PASSWORD_AUTH sign-in.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
}

/// Cheap to clone: `reqwest::Client` is an `Arc` around its connection pool.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    endpoint: String,
}

impl Api {
    /// `base_url` is the server root, e.g. `http://127.0.0.1:9229`.
    pub fn new(base_url: &str, concurrency: usize) -> Result<Api> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(concurrency.max(1))
            .timeout(Duration::from_secs(30))
            .build()
            .context("building the HTTP client")?;
        Ok(Api {
            http,
            endpoint: format!("{}/", base_url.trim_end_matches('/')),
        })
    }

    /// Calls one operation; `Ok` only for HTTP 200 with a JSON object body.
    pub async fn call(&self, op: &str, body: &Value) -> Result<Value> {
        let resp = self
            .http
            .post(&self.endpoint)
            .header("X-Amz-Target", format!("{TARGET_PREFIX}{op}"))
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .body(serde_json::to_vec(body)?)
            .send()
            .await
            .with_context(|| format!("{op}: transport error"))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .with_context(|| format!("{op}: reading the response body"))?;
        let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
        if status != reqwest::StatusCode::OK {
            let field = |k: &str| {
                parsed
                    .as_ref()
                    .and_then(|v| v.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_owned()
            };
            bail!(
                "{op}: HTTP {} {}: {}",
                status.as_u16(),
                field("__type"),
                field("message")
            );
        }
        match parsed {
            Some(v @ Value::Object(_)) => Ok(v),
            _ => bail!("{op}: HTTP 200 but the body is not a JSON object"),
        }
    }

    /// Creates a pool with the default password policy and no auto-verification.
    pub async fn create_user_pool(&self, name: &str) -> Result<String> {
        let v = self
            .call("CreateUserPool", &json!({ "PoolName": name }))
            .await?;
        Ok(str_at(&v, &["UserPool", "Id"])?.to_owned())
    }

    /// Creates an app client without a secret and with the flows the bench uses.
    pub async fn create_user_pool_client(&self, pool_id: &str, name: &str) -> Result<String> {
        let body = json!({
            "UserPoolId": pool_id,
            "ClientName": name,
            "GenerateSecret": false,
            "ExplicitAuthFlows": [
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH"
            ],
        });
        let v = self.call("CreateUserPoolClient", &body).await?;
        Ok(str_at(&v, &["UserPoolClient", "ClientId"])?.to_owned())
    }

    /// SignUp; expects an unconfirmed user with a `UserSub`.
    pub async fn sign_up(&self, client_id: &str, username: &str, password: &str) -> Result<()> {
        let body = json!({
            "ClientId": client_id,
            "Username": username,
            "Password": password,
            "UserAttributes": [{ "Name": "email", "Value": format!("{username}@example.com") }],
        });
        let v = self.call("SignUp", &body).await?;
        str_at(&v, &["UserSub"])?;
        if v.get("UserConfirmed").and_then(Value::as_bool) != Some(false) {
            bail!("SignUp: UserConfirmed is not false: {v}");
        }
        Ok(())
    }

    pub async fn admin_confirm_sign_up(&self, pool_id: &str, username: &str) -> Result<()> {
        let body = json!({ "UserPoolId": pool_id, "Username": username });
        self.call("AdminConfirmSignUp", &body).await.map(drop)
    }

    /// InitiateAuth USER_PASSWORD_AUTH; expects access, id and refresh tokens.
    pub async fn sign_in(&self, client_id: &str, username: &str, password: &str) -> Result<Tokens> {
        let body = json!({
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": username, "PASSWORD": password },
        });
        let v = self.call("InitiateAuth", &body).await?;
        check_result(&v)?;
        Ok(Tokens {
            access_token: str_at(&v, &["AuthenticationResult", "AccessToken"])?.to_owned(),
            refresh_token: str_at(&v, &["AuthenticationResult", "RefreshToken"])?.to_owned(),
        })
    }

    /// InitiateAuth REFRESH_TOKEN_AUTH; expects fresh access and id tokens.
    pub async fn refresh(&self, client_id: &str, refresh_token: &str) -> Result<()> {
        let body = json!({
            "ClientId": client_id,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": { "REFRESH_TOKEN": refresh_token },
        });
        let v = self.call("InitiateAuth", &body).await?;
        check_result(&v)
    }

    /// GetUser; expects the `Username` the token was issued to.
    pub async fn get_user(&self, access_token: &str, username: &str) -> Result<()> {
        let v = self
            .call("GetUser", &json!({ "AccessToken": access_token }))
            .await?;
        let got = str_at(&v, &["Username"])?;
        if got != username {
            bail!("GetUser: Username is {got:?}, expected {username:?}");
        }
        if !v.get("UserAttributes").is_some_and(Value::is_array) {
            bail!("GetUser: UserAttributes missing or not an array");
        }
        Ok(())
    }
}

/// Checks an `AuthenticationResult` carrying a Bearer access token and an id token.
fn check_result(v: &Value) -> Result<()> {
    str_at(v, &["AuthenticationResult", "AccessToken"])?;
    str_at(v, &["AuthenticationResult", "IdToken"])?;
    let token_type = str_at(v, &["AuthenticationResult", "TokenType"])?;
    if token_type != "Bearer" {
        bail!("InitiateAuth: TokenType is {token_type:?}, expected \"Bearer\"");
    }
    Ok(())
}

/// The non-empty string at `path`, or an error naming the missing member.
fn str_at<'a>(v: &'a Value, path: &[&str]) -> Result<&'a str> {
    let mut cur = v;
    for key in path {
        cur = cur
            .get(key)
            .ok_or_else(|| anyhow!("response lacks member {}", path.join(".")))?;
    }
    match cur.as_str() {
        Some(s) if !s.is_empty() => Ok(s),
        _ => bail!(
            "response member {} is not a non-empty string",
            path.join(".")
        ),
    }
}
