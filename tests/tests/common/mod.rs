//! Shared helpers for the black-box tests.
//!
//! Every test spawns its own server through [`Harness`], talks to it with the real AWS SDK
//! (`aws-sdk-cognitoidentityprovider`) or with raw HTTP (for inputs the SDK refuses to send),
//! reads confirmation codes from the dev outbox and verifies tokens with `jsonwebtoken`
//! against the published JWKS. Each behaviour has exactly one helper here.
#![allow(dead_code)] // Not every helper is used by the current tests.

mod checks;
mod jwt;

use std::sync::Arc;

use aws_sdk_cognitoidentityprovider as cip;
use cip::config::retry::RetryConfig;
use cip::config::{BehaviorVersion, Credentials, Region};
use cip::error::SdkError;
use cip::operation::confirm_sign_up::{ConfirmSignUpError, ConfirmSignUpOutput};
use cip::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use cip::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder;
use cip::operation::initiate_auth::{InitiateAuthError, InitiateAuthOutput};
use cip::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use cip::operation::sign_up::{SignUpError, SignUpOutput};
use cip::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, ChallengeNameType,
    ExplicitAuthFlowsType, FeatureType, RefreshTokenRotationType, UserPoolClientType, UserPoolType,
    VerifiedAttributeType,
};
use latchkey::clock::ManualClock;
use latchkey_server::{RunningServer, ServerOptions};
use serde_json::Value;

#[allow(unused_imports)] // Not every test binary uses every helper.
pub use checks::*;
#[allow(unused_imports)]
pub use jwt::*;

/// A password that satisfies the default policy and the strict policies used in the tests.
pub const PASSWORD: &str = "Correct-Horse-9";
/// `X-Amz-Target` prefix of the user-pool service.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// A fresh folder under the system temp dir, removed when dropped (pass or fail).
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    /// `{tmp}/latchkey-{label}-{pid}-{uuid}`, created.
    pub fn new(label: &str) -> Self {
        let id = latchkey::random::uuid_v4(&latchkey::random::Csprng);
        let dir =
            std::env::temp_dir().join(format!("latchkey-{label}-{}-{id}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One running server plus the clients that talk to it.
pub struct Harness {
    pub server: RunningServer,
    pub idp: cip::Client,
    pub http: reqwest::Client,
}

impl Harness {
    /// In-memory server with the system clock.
    pub async fn start() -> Self {
        Self::start_with(ServerOptions::in_memory()).await
    }

    /// In-memory server driven by a manual clock.
    pub async fn start_with_clock(clock: Arc<ManualClock>) -> Self {
        Self::start_with(ServerOptions::in_memory().with_clock(clock)).await
    }

    /// A server with `opts`. With `LATCHKEY_TEST_STORE=dynamodb` (the README test command's
    /// second pass), an in-memory store becomes a fresh DynamoDB table on the DynamoDB-API
    /// server that `AWS_ENDPOINT_URL_DYNAMODB` names, so the same tests prove both stores.
    pub async fn start_with(mut opts: ServerOptions) -> Self {
        let on_dynamo = std::env::var("LATCHKEY_TEST_STORE").is_ok_and(|s| s == "dynamodb");
        if on_dynamo && matches!(opts.store, latchkey_server::StoreChoice::InMemory) {
            let table = format!(
                "latchkey-test-{}",
                latchkey::random::uuid_v4(&latchkey::random::Csprng)
            );
            opts.store = latchkey_server::StoreChoice::DynamoDb {
                table,
                create_table: true,
            };
        }
        let server = latchkey_server::spawn(opts).await.expect("server spawns");
        let idp = sdk_client(&server.url);
        Self {
            server,
            idp,
            http: reqwest::Client::new(),
        }
    }

    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }

    pub fn url(&self) -> &str {
        &self.server.url
    }

    /// The default issuer for a pool: `{url}/{poolId}`.
    pub fn issuer(&self, pool: &str) -> String {
        format!("{}/{pool}", self.url())
    }

    // ----- pools and clients -------------------------------------------------------------

    /// CreateUserPool with AutoVerifiedAttributes=[email]; `f` adds more settings.
    pub async fn create_pool_with(
        &self,
        name: &str,
        f: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
    ) -> UserPoolType {
        let req = self
            .idp
            .create_user_pool()
            .pool_name(name)
            .auto_verified_attributes(VerifiedAttributeType::Email);
        let out = f(req)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateUserPool failed: {e:?}"));
        out.user_pool.expect("CreateUserPool returns UserPool")
    }

    pub async fn create_pool(&self, name: &str) -> String {
        let pool = self.create_pool_with(name, |b| b).await;
        pool.id.expect("pool Id")
    }

    /// CreateUserPoolClient without a secret and with ExplicitAuthFlows
    /// ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH;
    /// `f` adds or overrides settings.
    pub async fn create_client_with(
        &self,
        pool: &str,
        f: impl FnOnce(CreateUserPoolClientFluentBuilder) -> CreateUserPoolClientFluentBuilder,
    ) -> UserPoolClientType {
        let req = self
            .idp
            .create_user_pool_client()
            .user_pool_id(pool)
            .client_name("test-client")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth);
        let out = f(req)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateUserPoolClient failed: {e:?}"));
        out.user_pool_client
            .expect("CreateUserPoolClient returns UserPoolClient")
    }

    pub async fn create_client(&self, pool: &str) -> String {
        let client = self.create_client_with(pool, |b| b).await;
        client.client_id.expect("ClientId")
    }

    /// A client (the default flows) with RefreshTokenRotation ENABLED and this grace period.
    pub async fn rotating_client(&self, pool: &str, grace: i32) -> String {
        let rotation = RefreshTokenRotationType::builder()
            .feature(FeatureType::Enabled)
            .retry_grace_period_seconds(grace)
            .build()
            .expect("RefreshTokenRotation");
        let client = self
            .create_client_with(pool, |b| b.refresh_token_rotation(rotation))
            .await;
        client.client_id.expect("ClientId")
    }

    /// A fresh pool and a default client: `(pool_id, client_id)`.
    pub async fn pool_and_client(&self) -> (String, String) {
        let pool = self.create_pool("test-pool").await;
        let client = self.create_client(&pool).await;
        (pool, client)
    }

    // ----- users -------------------------------------------------------------------------

    /// SignUp with [`PASSWORD`] and an email attribute; panics on failure.
    pub async fn sign_up(&self, client: &str, username: &str, email: &str) -> SignUpOutput {
        sign_up(&self.idp, client, username, PASSWORD, &[("email", email)])
            .await
            .unwrap_or_else(|e| panic!("SignUp {username} failed: {e:?}"))
    }

    pub async fn confirm_sign_up(
        &self,
        client: &str,
        username: &str,
        code: &str,
    ) -> Result<ConfirmSignUpOutput, SdkError<ConfirmSignUpError>> {
        self.idp
            .confirm_sign_up()
            .client_id(client)
            .username(username)
            .confirmation_code(code)
            .send()
            .await
    }

    /// ConfirmSignUp with the newest code from the outbox; panics on failure.
    pub async fn confirm_from_outbox(&self, pool: &str, client: &str, username: &str) {
        let code = self.latest_code(pool, username).await;
        self.confirm_sign_up(client, username, &code)
            .await
            .unwrap_or_else(|e| panic!("ConfirmSignUp {username} failed: {e:?}"));
    }

    /// SignUp + ConfirmSignUp with the code from the outbox.
    pub async fn confirmed_user(
        &self,
        pool: &str,
        client: &str,
        username: &str,
        email: &str,
    ) -> SignUpOutput {
        let out = self.sign_up(client, username, email).await;
        self.confirm_from_outbox(pool, client, username).await;
        out
    }

    /// InitiateAuth USER_PASSWORD_AUTH.
    pub async fn password_auth(
        &self,
        client: &str,
        username: &str,
        password: &str,
    ) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
        self.idp
            .initiate_auth()
            .client_id(client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
    }

    /// RespondToAuthChallenge `name` with its Session and `responses`.
    pub async fn respond(
        &self,
        client: &str,
        name: ChallengeNameType,
        session: &str,
        responses: &[(&str, &str)],
    ) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
        let mut req = self
            .idp
            .respond_to_auth_challenge()
            .client_id(client)
            .challenge_name(name)
            .session(session);
        for (k, v) in responses {
            req = req.challenge_responses(*k, *v);
        }
        req.send().await
    }

    /// InitiateAuth with a refresh token, using `flow` (REFRESH_TOKEN_AUTH or REFRESH_TOKEN).
    pub async fn refresh(
        &self,
        client: &str,
        flow: AuthFlowType,
        refresh_token: &str,
    ) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
        self.idp
            .initiate_auth()
            .client_id(client)
            .auth_flow(flow)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .send()
            .await
    }

    /// Successful USER_PASSWORD_AUTH sign-in with [`PASSWORD`].
    pub async fn sign_in(&self, client: &str, username: &str) -> AuthenticationResultType {
        let out = self
            .password_auth(client, username, PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("sign-in of {username} failed: {e:?}"));
        out.authentication_result.expect("AuthenticationResult")
    }

    // ----- outbox ------------------------------------------------------------------------

    /// Outbox messages for one user, oldest first.
    pub async fn outbox(&self, pool: &str, username: &str) -> Vec<Value> {
        let resp = self
            .http
            .get(format!("{}/_latchkey/outbox", self.url()))
            .query(&[("userPoolId", pool), ("username", username)])
            .send()
            .await
            .expect("outbox request");
        let (status, body) = read_json(resp).await;
        assert_eq!(status, 200, "outbox answered {body}");
        body["Messages"]
            .as_array()
            .unwrap_or_else(|| panic!("outbox without Messages: {body}"))
            .clone()
    }

    /// The newest code sent to `username` (6 digits).
    pub async fn latest_code(&self, pool: &str, username: &str) -> String {
        let messages = self.outbox(pool, username).await;
        let last = messages
            .last()
            .unwrap_or_else(|| panic!("no outbox message for {username}"));
        assert_eq!(last["Username"], username, "outbox filtered by username");
        let code = last["Code"]
            .as_str()
            .unwrap_or_else(|| panic!("message without Code: {last}"));
        assert!(
            code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
            "code {code:?} is 6 digits"
        );
        code.to_owned()
    }

    // ----- raw HTTP ----------------------------------------------------------------------

    /// `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.{op}` and a raw body.
    pub async fn raw_call(&self, op: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
        self.raw_target(&format!("{TARGET_PREFIX}{op}"), body).await
    }

    /// `POST /` with an arbitrary `X-Amz-Target`.
    pub async fn raw_target(&self, target: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}/", self.url()))
            .header("X-Amz-Target", target)
            .header("Content-Type", "application/x-amz-json-1.1")
            .body(body)
            .send()
            .await
            .expect("raw request");
        read_json(resp).await
    }

    /// `POST {path}` on the REST surface with a JSON body.
    pub async fn rest(&self, path: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.url()))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("REST request");
        read_json(resp).await
    }

    /// `GET {path}` answering 200 with JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let resp = self
            .http
            .get(format!("{}{path}", self.url()))
            .send()
            .await
            .expect("GET request");
        let (status, body) = read_json(resp).await;
        assert_eq!(status, 200, "GET {path} answered {body}");
        body
    }

    // ----- tokens ------------------------------------------------------------------------

    pub async fn jwks(&self, pool: &str) -> Value {
        self.get_json(&format!("/{pool}/.well-known/jwks.json"))
            .await
    }

    /// Verifies a token against the pool's JWKS and default issuer; returns its claims.
    pub async fn verify(&self, pool: &str, token: &str, kind: TokenUse, client: &str) -> Claims {
        let jwks = self.jwks(pool).await;
        verify_token(&jwks, &self.issuer(pool), token, kind, client)
    }
}

/// SDK client pointed at `url`, with fixed credentials and retries off (so a throttling-style
/// error such as LimitExceededException is seen once, and a 5xx is not hidden by a retry).
pub fn sdk_client(url: &str) -> cip::Client {
    let config = cip::Config::builder()
        .endpoint_url(url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .behavior_version(BehaviorVersion::latest())
        .retry_config(RetryConfig::disabled())
        .build();
    cip::Client::from_conf(config)
}

/// SignUp through the SDK with the given attributes (the one path every test uses).
pub async fn sign_up(
    idp: &cip::Client,
    client: &str,
    username: &str,
    password: &str,
    attrs: &[(&str, &str)],
) -> Result<SignUpOutput, SdkError<SignUpError>> {
    let mut req = idp
        .sign_up()
        .client_id(client)
        .username(username)
        .password(password);
    for (name, value) in attrs {
        req = req.user_attributes(attribute(name, value));
    }
    req.send().await
}

pub fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("AttributeType has a name")
}

/// Value of the attribute `name` in a list of attributes.
pub fn attr<'a>(attrs: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

async fn read_json(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.expect("response body");
    if bytes.is_empty() {
        return (status, Value::Null);
    }
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "status {status}: body is not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, body)
}
