//! CustomEmailSender / CustomSMSSender through the Lambda invoker: the pools name the example
//! `custom-sender` function (examples/triggers/), which decrypts `request.code` with AWS's own
//! Encryption SDK and a KMS keyring on the pool's key, as AWS's sample senders do, and "sends"
//! it by appending a JSON line to its outbox file. The codes it reads there confirm sign-ups,
//! reset passwords and sign in with invitations, so Latchkey's ciphertexts are proven against
//! the real ESDK, not against Latchkey's own reader.
//!
//! Needs `scripts/triggers.sh start` (which creates the KMS key `alias/latchkey-custom-sender`
//! on the KMS-API server and gives the function its ARN), `AWS_ENDPOINT_URL_LAMBDA` and
//! `AWS_ENDPOINT_URL_KMS` (moto). With `LATCHKEY_REQUIRE_TRIGGERS=1` a missing one fails.

use crate::common;

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeliveryMediumType, VerifiedAttributeType,
};
use common::{api_error, attribute, sign_up, Harness, PASSWORD};
use serde_json::{json, Value};

const KEY_ALIAS: &str = "alias/latchkey-custom-sender";
const SENDER: &str = "arn:aws:lambda:us-east-1:000000000000:function:custom-sender";

/// Whether both endpoints are there; panics if they must be and aren't.
fn endpoints() -> bool {
    let set = ["AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_KMS"]
        .iter()
        .all(|v| std::env::var(v).is_ok());
    let required = std::env::var("LATCHKEY_REQUIRE_TRIGGERS").is_ok_and(|v| v == "1");
    if !set && required {
        panic!("LATCHKEY_REQUIRE_TRIGGERS=1 but AWS_ENDPOINT_URL_LAMBDA or AWS_ENDPOINT_URL_KMS is not set");
    }
    if !set {
        eprintln!("skipped: start moto and `scripts/triggers.sh`, and set AWS_ENDPOINT_URL_LAMBDA and AWS_ENDPOINT_URL_KMS");
    }
    set
}

/// The ARN of the key the function decrypts with.
async fn key_arn() -> String {
    use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
    let endpoint = std::env::var("AWS_ENDPOINT_URL_KMS").expect("AWS_ENDPOINT_URL_KMS");
    let config = aws_sdk_kms::Config::builder()
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .behavior_version(BehaviorVersion::latest())
        .build();
    let key = aws_sdk_kms::Client::from_conf(config)
        .describe_key()
        .key_id(KEY_ALIAS)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!("{KEY_ALIAS} on the KMS server (scripts/triggers.sh makes it): {e:?}")
        });
    key.key_metadata
        .and_then(|m| m.arn)
        .expect("the key has an ARN")
}

/// The function's outbox file (scripts/triggers.sh names it).
fn outbox_path() -> String {
    std::env::var("CUSTOM_SENDER_OUTBOX").unwrap_or_else(|_| {
        let port = std::env::var("TRIGGERS_PORT").unwrap_or_else(|_| "9001".into());
        format!(
            "{}/../.venv/custom-sender-{port}.jsonl",
            env!("CARGO_MANIFEST_DIR")
        )
    })
}

/// What the function sent to `user` of `pool`, oldest first.
fn sent(pool: &str, user: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(outbox_path()).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["userPoolId"] == pool && m["userName"] == user)
        .collect()
}

/// The one message the function sent to `user` for `source`; its decrypted code.
fn code(pool: &str, user: &str, source: &str) -> String {
    let found: Vec<Value> = sent(pool, user)
        .into_iter()
        .filter(|m| m["triggerSource"] == source)
        .collect();
    assert_eq!(found.len(), 1, "one {source} message to {user}: {found:?}");
    found[0]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("the function decrypted a code: {:?}", found[0]))
        .to_string()
}

/// A pool whose senders are the example function, under the test key.
async fn sender_pool(h: &Harness, medium: VerifiedAttributeType) -> (String, String) {
    let key = key_arn().await;
    let lambda = aws_sdk_cognitoidentityprovider::types::LambdaConfigType::builder()
        .custom_email_sender(
            aws_sdk_cognitoidentityprovider::types::CustomEmailLambdaVersionConfigType::builder()
                .lambda_version("V1_0".into())
                .lambda_arn(SENDER)
                .build()
                .expect("sender"),
        )
        .custom_sms_sender(
            aws_sdk_cognitoidentityprovider::types::CustomSmsLambdaVersionConfigType::builder()
                .lambda_version("V1_0".into())
                .lambda_arn(SENDER)
                .build()
                .expect("sender"),
        )
        .kms_key_id(key)
        .build();
    let pool = h
        .create_pool_with("senders", |b| {
            b.lambda_config(lambda).auto_verified_attributes(medium)
        })
        .await
        .id
        .expect("pool id");
    let client = h.create_client(&pool).await;
    (pool, client)
}

#[tokio::test]
async fn sign_up_and_forgot_password_codes_go_to_the_email_sender() {
    if !endpoints() {
        return;
    }
    let h = Harness::start().await;
    let (pool, client) = sender_pool(&h, VerifiedAttributeType::Email).await;
    sign_up(
        &h.idp,
        &client,
        "ann",
        PASSWORD,
        &[("email", "ann@example.com")],
    )
    .await
    .expect("SignUp");
    let signed_up = code(&pool, "ann", "CustomEmailSender_SignUp");
    assert!(signed_up.len() == 6 && signed_up.chars().all(|c| c.is_ascii_digit()));
    let line = &sent(&pool, "ann")[0];
    assert_eq!(line["destination"], "ann@example.com");
    h.confirm_sign_up(&client, "ann", &signed_up)
        .await
        .expect("ConfirmSignUp with the decrypted code");

    h.idp
        .forgot_password()
        .client_id(&client)
        .username("ann")
        .send()
        .await
        .expect("ForgotPassword");
    let reset = code(&pool, "ann", "CustomEmailSender_ForgotPassword");
    h.idp
        .confirm_forgot_password()
        .client_id(&client)
        .username("ann")
        .confirmation_code(reset)
        .password("N3w-Passw0rd!")
        .send()
        .await
        .expect("ConfirmForgotPassword with the decrypted code");
    h.password_auth(&client, "ann", "N3w-Passw0rd!")
        .await
        .expect("sign-in with the new password");
    assert!(
        h.outbox(&pool, "ann").await.is_empty(),
        "nothing reached Latchkey's own outbox"
    );
}

#[tokio::test]
async fn an_invitation_carries_the_temporary_password() {
    if !endpoints() {
        return;
    }
    let h = Harness::start().await;
    let (pool, client) = sender_pool(&h, VerifiedAttributeType::Email).await;
    h.idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("bea")
        .user_attributes(attribute("email", "bea@example.com"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .expect("AdminCreateUser");
    let temporary = code(&pool, "bea", "CustomEmailSender_AdminCreateUser");
    let out = h
        .idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "bea")
        .auth_parameters("PASSWORD", temporary)
        .send()
        .await
        .expect("sign-in with the decrypted temporary password");
    assert_eq!(
        out.challenge_name,
        Some(ChallengeNameType::NewPasswordRequired)
    );
    assert!(h.outbox(&pool, "bea").await.is_empty());
}

#[tokio::test]
async fn sms_codes_go_to_the_sms_sender() {
    if !endpoints() {
        return;
    }
    let h = Harness::start().await;
    let (pool, client) = sender_pool(&h, VerifiedAttributeType::PhoneNumber).await;
    sign_up(
        &h.idp,
        &client,
        "cy",
        PASSWORD,
        &[("phone_number", "+15555550123")],
    )
    .await
    .expect("SignUp");
    let signed_up = code(&pool, "cy", "CustomSMSSender_SignUp");
    assert_eq!(sent(&pool, "cy")[0]["destination"], "+15555550123");
    h.confirm_sign_up(&client, "cy", &signed_up)
        .await
        .expect("ConfirmSignUp with the decrypted code");
    assert!(h.outbox(&pool, "cy").await.is_empty());
}

#[tokio::test]
async fn a_key_kms_does_not_know_fails_the_delivery() {
    if !endpoints() {
        return;
    }
    let h = Harness::start().await;
    let sender = json!({"LambdaVersion": "V1_0", "LambdaArn": SENDER});
    let unknown = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000";
    let (status, body) = h
        .raw_call(
            "CreateUserPool",
            json!({"PoolName": "nokey", "AutoVerifiedAttributes": ["email"],
                "LambdaConfig": {"CustomEmailSender": sender, "KMSKeyID": unknown}})
            .to_string(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let pool = body["UserPool"]["Id"]
        .as_str()
        .expect("pool id")
        .to_string();
    let client = h.create_client(&pool).await;
    let res = sign_up(
        &h.idp,
        &client,
        "dee",
        PASSWORD,
        &[("email", "dee@example.com")],
    )
    .await;
    assert_eq!(api_error(res).code, "CodeDeliveryFailureException");
    assert!(sent(&pool, "dee").is_empty());
}

#[tokio::test]
async fn a_sender_without_a_key_or_of_another_version_is_refused() {
    let h = Harness::start().await;
    let sender = json!({"LambdaVersion": "V1_0", "LambdaArn": SENDER});
    for member in ["CustomEmailSender", "CustomSMSSender"] {
        let (status, body) = h
            .raw_call(
                "CreateUserPool",
                json!({"PoolName": "nokey", "LambdaConfig": {member: sender}}).to_string(),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["__type"], "InvalidParameterException");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with("KMSKeyID is required"),
            "{body}"
        );
    }
    let v2 = json!({"LambdaVersion": "V2_0", "LambdaArn": SENDER});
    let (status, body) = h
        .raw_call(
            "CreateUserPool",
            json!({"PoolName": "v2", "LambdaConfig": {"CustomEmailSender": v2,
                "KMSKeyID": "arn:aws:kms:us-east-1:123456789012:key/k"}})
            .to_string(),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["__type"], "InvalidParameterException", "{body}");
}
