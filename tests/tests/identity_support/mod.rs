//! Helpers for the `identity_*` tests: a server plus an `aws-sdk-cognitoidentity` client
//! ([`Env`]), identity pools that trust the server's default user pool, signed-in users and
//! their ID tokens, role-mapping builders, the identity OpenID token's verification, and
//! error assertions. [`sts`] checks vended credentials against moto's STS; [`oidc`] is a
//! real OIDC issuer (discovery + JWKS over HTTP) living inside the test; [`providers`] plays
//! Facebook's and Login with Amazon's token endpoints on loopback.
#![allow(dead_code)] // Not every helper is used by the current tests.

pub mod oidc;
pub mod providers;
pub mod sts;

use std::collections::HashMap;
use std::fmt::Debug;

use aws_sdk_cognitoidentity as ci;
use ci::config::retry::RetryConfig;
use ci::config::{BehaviorVersion, Credentials, Region};
use ci::error::{ProvideErrorMetadata, SdkError};
use ci::operation::create_identity_pool::builders::CreateIdentityPoolFluentBuilder;
use ci::operation::get_credentials_for_identity::{
    GetCredentialsForIdentityError, GetCredentialsForIdentityOutput,
};
use ci::operation::get_id::{GetIdError, GetIdOutput};
use ci::operation::get_open_id_token::{GetOpenIdTokenError, GetOpenIdTokenOutput};
use ci::types::{
    AmbiguousRoleResolutionType, CognitoIdentityProvider, MappingRule, MappingRuleMatchType,
    RoleMapping, RoleMappingType, RulesConfigurationType,
};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use latchkey_server::ServerOptions;
use serde_json::{Map, Value};

use crate::common::{api_error, jwk_by_kid, ApiError, Harness};

/// The account in the test role ARNs.
pub const ACCOUNT: &str = "123456789012";
/// The region every server in these tests runs in.
pub const REGION: &str = "us-east-1";

/// `arn:aws:iam::123456789012:role/{name}`.
pub fn role(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// The Logins key (and `ProviderName`) of a Latchkey user pool.
pub fn provider_name(user_pool: &str) -> String {
    format!("cognito-idp.{REGION}.amazonaws.com/{user_pool}")
}

/// One running server with both SDK clients.
pub struct Env {
    /// The user-pool side (server, `aws-sdk-cognitoidentityprovider`, raw HTTP).
    pub h: Harness,
    /// The identity-pool client.
    pub ci: ci::Client,
}

impl Env {
    /// In-memory server, system clock, AssumeRole mode.
    pub async fn start() -> Self {
        Self::start_with(ServerOptions::in_memory()).await
    }

    pub async fn start_with(opts: ServerOptions) -> Self {
        let h = Harness::start_with(opts).await;
        let ci = identity_client(h.url());
        Self { h, ci }
    }

    pub fn url(&self) -> &str {
        self.h.url()
    }

    /// The server's default user pool.
    pub fn user_pool(&self) -> &str {
        &self.h.server.default_pool_id
    }

    /// The default user pool's app client.
    pub fn client(&self) -> &str {
        &self.h.server.default_client_id
    }

    /// The Logins key of the default user pool.
    pub fn provider(&self) -> String {
        provider_name(self.user_pool())
    }

    /// The RoleMappings key of the default user pool and client.
    pub fn mapping_key(&self) -> String {
        format!("{}:{}", self.provider(), self.client())
    }

    /// `CognitoIdentityProviders` entry for the default pool and client.
    pub fn cognito_provider(&self, server_side_token_check: bool) -> CognitoIdentityProvider {
        CognitoIdentityProvider::builder()
            .provider_name(self.provider())
            .client_id(self.client())
            .server_side_token_check(server_side_token_check)
            .build()
    }

    /// CreateIdentityPool named `name`; `f` adds settings. Returns the IdentityPoolId.
    pub async fn create_pool(
        &self,
        name: &str,
        allow_unauthenticated: bool,
        f: impl FnOnce(CreateIdentityPoolFluentBuilder) -> CreateIdentityPoolFluentBuilder,
    ) -> String {
        let req = self
            .ci
            .create_identity_pool()
            .identity_pool_name(name)
            .allow_unauthenticated_identities(allow_unauthenticated);
        let out = f(req)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateIdentityPool {name}: {e:?}"));
        out.identity_pool_id().to_owned()
    }

    /// An identity pool trusting the default user pool and client (no ServerSideTokenCheck).
    pub async fn trusting_pool(&self, allow_unauthenticated: bool) -> String {
        let provider = self.cognito_provider(false);
        self.create_pool("trusting", allow_unauthenticated, |b| {
            b.cognito_identity_providers(provider)
        })
        .await
    }

    /// SetIdentityPoolRoles; panics on failure.
    pub async fn set_roles(
        &self,
        pool: &str,
        roles: &[(&str, &str)],
        mappings: Vec<(String, RoleMapping)>,
    ) {
        let mut req = self.ci.set_identity_pool_roles().identity_pool_id(pool);
        for (kind, arn) in roles {
            req = req.roles(*kind, *arn);
        }
        for (key, mapping) in mappings {
            req = req.role_mappings(key, mapping);
        }
        req.send()
            .await
            .unwrap_or_else(|e| panic!("SetIdentityPoolRoles {pool}: {e:?}"));
    }

    /// A confirmed user `username` (email `{username}@example.com`) in the default pool.
    pub async fn user(&self, username: &str) {
        let (pool, client) = (self.user_pool().to_owned(), self.client().to_owned());
        let email = format!("{username}@example.com");
        self.h
            .confirmed_user(&pool, &client, username, &email)
            .await;
    }

    /// Signs `username` in through the default client: `(id_token, access_token)`.
    pub async fn sign_in(&self, username: &str) -> (String, String) {
        let result = self.h.sign_in(self.client(), username).await;
        let id = result.id_token().expect("IdToken").to_owned();
        let access = result.access_token().expect("AccessToken").to_owned();
        (id, access)
    }

    /// A new confirmed, signed-in user: its ID token.
    pub async fn id_token(&self, username: &str) -> String {
        self.user(username).await;
        self.sign_in(username).await.0
    }

    /// CreateGroup in the default user pool with an optional role and precedence.
    pub async fn group(&self, name: &str, role_arn: Option<&str>, precedence: Option<i32>) {
        let req = self.h.idp.create_group().user_pool_id(self.user_pool());
        let req = req
            .group_name(name)
            .set_role_arn(role_arn.map(str::to_owned));
        req.set_precedence(precedence)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateGroup {name}: {e:?}"));
    }

    /// AdminAddUserToGroup in the default user pool.
    pub async fn add_to_group(&self, username: &str, group: &str) {
        let req = self.h.idp.admin_add_user_to_group();
        req.user_pool_id(self.user_pool())
            .username(username)
            .group_name(group)
            .send()
            .await
            .unwrap_or_else(|e| panic!("AdminAddUserToGroup {username} {group}: {e:?}"));
    }

    pub async fn get_id(
        &self,
        pool: &str,
        logins: &[(&str, &str)],
    ) -> Result<GetIdOutput, SdkError<GetIdError>> {
        let req = self.ci.get_id().identity_pool_id(pool);
        req.set_logins(logins_map(logins)).send().await
    }

    /// GetId that must succeed: the IdentityId.
    pub async fn identity(&self, pool: &str, logins: &[(&str, &str)]) -> String {
        let out = self
            .get_id(pool, logins)
            .await
            .unwrap_or_else(|e| panic!("GetId: {e:?}"));
        out.identity_id().expect("IdentityId").to_owned()
    }

    pub async fn credentials(
        &self,
        identity: &str,
        logins: &[(&str, &str)],
        custom_role: Option<&str>,
    ) -> Result<GetCredentialsForIdentityOutput, SdkError<GetCredentialsForIdentityError>> {
        let req = self.ci.get_credentials_for_identity().identity_id(identity);
        req.set_logins(logins_map(logins))
            .set_custom_role_arn(custom_role.map(str::to_owned))
            .send()
            .await
    }

    pub async fn open_id_token(
        &self,
        identity: &str,
        logins: &[(&str, &str)],
    ) -> Result<GetOpenIdTokenOutput, SdkError<GetOpenIdTokenError>> {
        let req = self.ci.get_open_id_token().identity_id(identity);
        req.set_logins(logins_map(logins)).send().await
    }

    /// GetOpenIdToken that must succeed, verified with `jsonwebtoken` against the key found
    /// through the identity issuer's discovery document; returns the claims.
    pub async fn verified_open_id_token(
        &self,
        pool: &str,
        identity: &str,
        logins: &[(&str, &str)],
    ) -> Map<String, Value> {
        let out = self
            .open_id_token(identity, logins)
            .await
            .unwrap_or_else(|e| panic!("GetOpenIdToken: {e:?}"));
        assert_eq!(out.identity_id(), Some(identity));
        let token = out.token().expect("Token");
        let issuer = format!("{}/cognito-identity", self.url());
        let discovery = self
            .h
            .get_json("/cognito-identity/.well-known/openid-configuration")
            .await;
        assert_eq!(discovery["issuer"], issuer.as_str(), "{discovery}");
        let jwks_uri = discovery["jwks_uri"].as_str().expect("jwks_uri").to_owned();
        let path = jwks_uri
            .strip_prefix(self.url())
            .unwrap_or_else(|| panic!("jwks_uri {jwks_uri} is not on the server"));
        let jwks = self.h.get_json(path).await;
        let header = decode_header(token).expect("OpenID token header");
        assert_eq!(header.alg, Algorithm::RS256);
        let jwk = jwk_by_kid(&jwks, header.kid.as_deref().expect("kid"));
        let (n, e) = (jwk["n"].as_str().expect("n"), jwk["e"].as_str().expect("e"));
        let key = DecodingKey::from_rsa_components(n, e).expect("RSA components");
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[pool]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        let claims = decode::<Map<String, Value>>(token, &key, &validation)
            .unwrap_or_else(|e| panic!("OpenID token fails verification: {e}"))
            .claims;
        assert_eq!(claims["sub"], identity);
        claims
    }
}

/// An `aws-sdk-cognitoidentity` client for `url`: fixed credentials, retries off.
pub fn identity_client(url: &str) -> ci::Client {
    let config = ci::Config::builder()
        .endpoint_url(url)
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .behavior_version(BehaviorVersion::latest())
        .retry_config(RetryConfig::disabled())
        .build();
    ci::Client::from_conf(config)
}

fn logins_map(logins: &[(&str, &str)]) -> Option<HashMap<String, String>> {
    (!logins.is_empty()).then(|| {
        logins
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

/// `Type=Token` with this fallback.
pub fn token_mapping(ambiguous: AmbiguousRoleResolutionType) -> RoleMapping {
    RoleMapping::builder()
        .r#type(RoleMappingType::Token)
        .ambiguous_role_resolution(ambiguous)
        .build()
        .expect("RoleMapping")
}

/// `Type=Rules` from `(claim, match type, value, role ARN)` in order, with this fallback.
pub fn rules_mapping(
    rules: &[(&str, MappingRuleMatchType, &str, &str)],
    ambiguous: AmbiguousRoleResolutionType,
) -> RoleMapping {
    let rules: Vec<MappingRule> = rules
        .iter()
        .map(|(claim, match_type, value, role_arn)| {
            MappingRule::builder()
                .claim(*claim)
                .match_type(match_type.clone())
                .value(*value)
                .role_arn(*role_arn)
                .build()
                .expect("MappingRule")
        })
        .collect();
    let config = RulesConfigurationType::builder()
        .set_rules(Some(rules))
        .build()
        .expect("RulesConfiguration");
    RoleMapping::builder()
        .r#type(RoleMappingType::Rules)
        .ambiguous_role_resolution(ambiguous)
        .rules_configuration(config)
        .build()
        .expect("RoleMapping")
}

/// Asserts a failed call was HTTP 400 with this `__type` and a message starting with
/// `message_prefix` (pass the whole message to pin it exactly); returns the error.
pub fn assert_refused<T: Debug, E: ProvideErrorMetadata + Debug>(
    res: Result<T, SdkError<E>>,
    code: &str,
    message_prefix: &str,
) -> ApiError {
    let err = api_error(res);
    assert_eq!(err.code, code, "{err:?}");
    assert!(
        err.message.starts_with(message_prefix),
        "message {:?} should start with {message_prefix:?}",
        err.message
    );
    assert_eq!(err.status, Some(400), "{err:?}");
    err
}

/// "Access to Identity '{id}' is forbidden." as NotAuthorizedException.
pub fn assert_forbidden<T: Debug, E: ProvideErrorMetadata + Debug>(
    res: Result<T, SdkError<E>>,
    identity: &str,
) {
    let message = format!("Access to Identity '{identity}' is forbidden.");
    let err = assert_refused(res, "NotAuthorizedException", &message);
    assert_eq!(err.message, message);
}

/// The payload of a JWT, decoded without verification (claims checks only).
pub fn claims(token: &str) -> Map<String, Value> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
}

/// Asserts an id has the `{region}:{uuid}` form.
pub fn assert_region_uuid(id: &str) {
    let (region, uuid) = id.split_once(':').unwrap_or_else(|| panic!("{id}"));
    assert_eq!(region, REGION, "{id}");
    let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
    assert!(uuid.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
}
