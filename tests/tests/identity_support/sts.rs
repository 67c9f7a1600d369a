//! Checking vended credentials against a real STS (moto): the server calls STS through the
//! AWS SDK's normal configuration (`AWS_ENDPOINT_URL_STS` and friends, exported by the README
//! test command after `scripts/moto.sh start`). Here the returned credentials are used to call
//! GetCallerIdentity through `aws-sdk-sts`; the caller ARN names the role Latchkey chose and
//! the session (the identity's uuid). Without `AWS_ENDPOINT_URL_STS`, tests that need STS
//! print a SKIPPED note and return.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cognitoidentity::operation::get_credentials_for_identity::GetCredentialsForIdentityOutput;
use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};

/// What a test that needs STS must export (moto from `scripts/moto.sh start`).
pub const ENV_HELP: &str = "AWS_ENDPOINT_URL_STS=http://127.0.0.1:5000 \
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1";

/// The STS endpoint the server will use, or None (after printing a SKIPPED note for `test`).
/// Call it before spawning the server: the server reads the same environment.
pub fn require(test: &str) -> Option<String> {
    let Some(endpoint) = std::env::var("AWS_ENDPOINT_URL_STS")
        .ok()
        .filter(|v| !v.is_empty())
    else {
        eprintln!("SKIPPED {test}: needs STS; run `scripts/moto.sh start` and export {ENV_HELP}");
        return None;
    };
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
        assert!(
            std::env::var(var).is_ok_and(|v| !v.is_empty()),
            "AWS_ENDPOINT_URL_STS is set but {var} is not; export {ENV_HELP}"
        );
    }
    Some(endpoint)
}

/// GetCallerIdentity at `endpoint` signed with the vended credentials: the caller ARN.
pub async fn caller_arn(endpoint: &str, out: &GetCredentialsForIdentityOutput) -> String {
    let c = out.credentials().expect("Credentials");
    let creds = Credentials::new(
        c.access_key_id().expect("AccessKeyId"),
        c.secret_key().expect("SecretKey"),
        Some(c.session_token().expect("SessionToken").to_owned()),
        None,
        "cognito-identity",
    );
    let config = aws_sdk_sts::Config::builder()
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(creds)
        .behavior_version(BehaviorVersion::latest())
        .retry_config(RetryConfig::disabled())
        .build();
    let who = aws_sdk_sts::Client::from_conf(config)
        .get_caller_identity()
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetCallerIdentity with vended credentials: {e:?}"));
    who.arn().expect("Arn").to_owned()
}

/// `arn:aws:sts::{account}:assumed-role/{role name}/{identity uuid}` for a role ARN.
pub fn assumed_role_arn(role_arn: &str, identity: &str) -> String {
    let account = role_arn.split(':').nth(4).expect("account in role ARN");
    let name = role_arn.rsplit('/').next().expect("role name");
    let session = identity.rsplit(':').next().expect("identity uuid");
    format!("arn:aws:sts::{account}:assumed-role/{name}/{session}")
}

/// Asserts a GetCredentialsForIdentity answer is for `identity`, carries complete credentials
/// that expire in the future, and that STS knows them as `role_arn` assumed for the identity.
pub async fn assert_vended(
    endpoint: &str,
    out: &GetCredentialsForIdentityOutput,
    identity: &str,
    role_arn: &str,
) {
    assert_eq!(out.identity_id(), Some(identity));
    let c = out.credentials().expect("Credentials");
    for (name, v) in [
        ("AccessKeyId", c.access_key_id()),
        ("SecretKey", c.secret_key()),
        ("SessionToken", c.session_token()),
    ] {
        assert!(v.is_some_and(|v| !v.is_empty()), "{name} missing: {c:?}");
    }
    let expiration = c.expiration().expect("Expiration").secs();
    assert!(expiration > now_secs(), "expired credentials: {c:?}");
    assert_eq!(
        caller_arn(endpoint, out).await,
        assumed_role_arn(role_arn, identity)
    );
}

/// Seconds since the epoch (to place an Expiration).
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}
