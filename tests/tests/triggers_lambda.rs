//! Triggers through the Lambda invoker: the example trigger functions in `examples/triggers/`
//! (written against the `aws_lambda_events` Cognito types, as for Cognito) run under
//! `cargo lambda watch` and are called with the Lambda Invoke API. The pools name them by ARN,
//! exactly as a Cognito pool would.
//!
//! Needs `bash scripts/triggers.sh start` and `AWS_ENDPOINT_URL_LAMBDA` pointing at it (the
//! README test command does both and sets `LATCHKEY_REQUIRE_TRIGGERS=1`, which turns a missing
//! endpoint into a failure instead of a skip).

use crate::common;
use crate::trigger_support;

use aws_sdk_cognitoidentityprovider::types::UserStatusType;
use common::{api_error, sign_up, Harness, TokenUse, PASSWORD};
use serde_json::json;
use trigger_support::{triggered_pool, verified};

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:000000000000:function:{name}")
}

/// Whether the Lambda endpoint is there; panics if it must be and isn't.
fn lambda_endpoint() -> bool {
    let set = std::env::var("AWS_ENDPOINT_URL_LAMBDA").is_ok();
    let required = std::env::var("LATCHKEY_REQUIRE_TRIGGERS").is_ok_and(|v| v == "1");
    if !set && required {
        panic!("LATCHKEY_REQUIRE_TRIGGERS=1 but AWS_ENDPOINT_URL_LAMBDA is not set");
    }
    if !set {
        eprintln!("skipped: run `bash scripts/triggers.sh start` and set AWS_ENDPOINT_URL_LAMBDA");
    }
    set
}

async fn pool(h: &Harness, triggers: &[(&str, String)]) -> (String, String) {
    let pool = triggered_pool(h, triggers).await;
    let client = h.create_client(&pool).await;
    (pool, client)
}

#[tokio::test]
async fn auto_confirm_lambda_confirms_and_refuses_denied_domains() {
    if !lambda_endpoint() {
        return;
    }
    let h = Harness::start().await;
    let (pool, client) = pool(&h, &[("PreSignUp", arn("auto-confirm"))]).await;
    let out = sign_up(
        &h.idp,
        &client,
        "kim",
        PASSWORD,
        &[("email", "kim@example.com")],
    )
    .await
    .expect("SignUp");
    assert!(out.user_confirmed, "the function auto-confirmed the user");
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("kim")
        .send()
        .await;
    let user = user.expect("AdminGetUser");
    assert_eq!(user.user_status, Some(UserStatusType::Confirmed));
    assert_eq!(
        common::attr(user.user_attributes(), "email_verified"),
        Some("true")
    );
    h.sign_in(&client, "kim").await;

    let res = sign_up(
        &h.idp,
        &client,
        "lou",
        PASSWORD,
        &[("email", "lou@blocked.example")],
    )
    .await;
    let err = api_error(res);
    assert_eq!(err.code, "UserLambdaValidationException");
    assert_eq!(
        err.message,
        "PreSignUp failed with error Sign-ups from blocked.example are not allowed."
    );
    let gone = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("lou")
        .send()
        .await;
    assert_eq!(api_error(gone).code, "UserNotFoundException");
}

#[tokio::test]
async fn add_claims_lambda_puts_claims_in_the_verified_tokens() {
    if !lambda_endpoint() {
        return;
    }
    let h = Harness::start().await;
    let (pool, client) = pool(&h, &[("PreTokenGenerationV2", arn("add-claims"))]).await;
    h.confirmed_user(&pool, &client, "max", "max@example.com")
        .await;
    let tokens = h.sign_in(&client, "max").await;
    let (id, access) = verified(&h, &pool, &tokens, &client).await;
    assert_eq!(id["tenant"], json!("default"));
    assert_eq!(id["plan"], json!("pro"));
    assert_eq!(access["tenant"], json!("default"));
    assert!(access["scope"]
        .as_str()
        .unwrap()
        .split(' ')
        .any(|s| s == "latchkey/extra"));
}

#[tokio::test]
async fn migrate_user_lambda_brings_in_a_legacy_user() {
    if !lambda_endpoint() {
        return;
    }
    let h = Harness::start().await;
    let (pool, client) = pool(&h, &[("UserMigration", arn("migrate-user"))]).await;
    let err = api_error(
        h.password_auth(&client, "legacy-alice", "Wrong-Passw0rd!")
            .await,
    );
    assert_eq!(err.code, "UserLambdaValidationException");
    assert_eq!(err.message, "UserMigration failed with error Bad password.");
    let out = h
        .password_auth(&client, "legacy-alice", "Legacy-Passw0rd!")
        .await
        .expect("the legacy user signs in");
    let tokens = out.authentication_result.expect("tokens");
    let id = h
        .verify(&pool, tokens.id_token().unwrap(), TokenUse::Id, &client)
        .await;
    assert_eq!(id["email"], json!("legacy-alice@example.com"));
    assert_eq!(id["cognito:username"], json!("legacy-alice"));
}

#[tokio::test]
async fn a_missing_function_is_an_unexpected_lambda_error() {
    if !lambda_endpoint() {
        return;
    }
    let h = Harness::start().await;
    let (_, client) = pool(&h, &[("PreSignUp", arn("no-such-function"))]).await;
    let res = sign_up(
        &h.idp,
        &client,
        "ned",
        PASSWORD,
        &[("email", "ned@example.com")],
    )
    .await;
    let err = api_error(res);
    assert_eq!(err.code, "UnexpectedLambdaException");
    assert!(
        err.message
            .starts_with("PreSignUp invocation failed due to error"),
        "{err:?}"
    );
}
