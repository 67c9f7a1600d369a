//! Error cases with the exact `__type` and message of the contract (Cognito's own texts),
//! through the SDK and, for input the SDK would not send, through raw HTTP. Every error is a
//! 400; none may be a 500.

use crate::common;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, PasswordPolicyType, PreventUserExistenceErrorTypes,
    UserPoolPolicyType,
};
use common::{
    api_error, assert_api_error, assert_raw_error, other_code, secret_hash, sign_up, Harness,
    PASSWORD,
};
use latchkey::clock::ManualClock;
use serde_json::json;

#[tokio::test]
async fn sign_in_errors() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.sign_up(&client, "pending", "pending@example.com").await;
    h.confirmed_user(&pool, &client, "alice", "alice@example.com")
        .await;

    let wrong = h.password_auth(&client, "alice", "Wrong-Horse-9").await;
    assert_api_error(
        wrong,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    let unconfirmed = h.password_auth(&client, "pending", PASSWORD).await;
    assert_api_error(
        unconfirmed,
        "UserNotConfirmedException",
        "User is not confirmed.",
    );

    let admin_flow = h
        .idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await;
    assert_api_error(
        admin_flow,
        "InvalidParameterException",
        "Initiate Auth method not supported.",
    );

    let bad_refresh = h
        .refresh(
            &client,
            AuthFlowType::RefreshTokenAuth,
            "not.a.refresh-token",
        )
        .await;
    assert_api_error(
        bad_refresh,
        "NotAuthorizedException",
        "Invalid Refresh Token",
    );
}

#[tokio::test]
async fn flow_not_enabled_for_client() {
    let h = Harness::start().await;
    let pool = h.create_pool("flows").await;
    let srp_only = h
        .create_client_with(&pool, |b| {
            b.set_explicit_auth_flows(Some(vec![
                ExplicitAuthFlowsType::AllowUserSrpAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ]))
        })
        .await;
    let srp_only = srp_only.client_id.expect("ClientId");
    h.confirmed_user(&pool, &srp_only, "alice", "alice@example.com")
        .await;
    let refused = h.password_auth(&srp_only, "alice", PASSWORD).await;
    assert_api_error(
        refused,
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    );
}

#[tokio::test]
async fn user_existence_errors_follow_the_client_setting() {
    let h = Harness::start().await;
    let pool = h.create_pool("existence").await;
    let enabled = PreventUserExistenceErrorTypes::Enabled;
    let enabled = h
        .create_client_with(&pool, |b| b.prevent_user_existence_errors(enabled))
        .await;
    let legacy = PreventUserExistenceErrorTypes::Legacy;
    let legacy = h
        .create_client_with(&pool, |b| b.prevent_user_existence_errors(legacy))
        .await;
    let (enabled, legacy) = (enabled.client_id.unwrap(), legacy.client_id.unwrap());

    let hidden = h.password_auth(&enabled, "nobody", PASSWORD).await;
    assert_api_error(
        hidden,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    let told = h.password_auth(&legacy, "nobody", PASSWORD).await;
    assert_api_error(told, "UserNotFoundException", "User does not exist.");
    let admin = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("nobody")
        .send()
        .await;
    assert_api_error(admin, "UserNotFoundException", "User does not exist.");
}

#[tokio::test]
async fn sign_up_errors() {
    let h = Harness::start().await;
    let (_pool, client) = h.pool_and_client().await;
    h.sign_up(&client, "alice", "alice@example.com").await;
    let again = sign_up(
        &h.idp,
        &client,
        "alice",
        PASSWORD,
        &[("email", "other@example.com")],
    )
    .await;
    assert_api_error(again, "UsernameExistsException", "User already exists");

    let unknown = "0000000000000000000000000z";
    let no_client = sign_up(&h.idp, unknown, "bob", PASSWORD, &[]).await;
    assert_api_error(
        no_client,
        "ResourceNotFoundException",
        &format!("User pool client {unknown} does not exist."),
    );
    let no_client = h.password_auth(unknown, "alice", PASSWORD).await;
    assert_api_error(
        no_client,
        "ResourceNotFoundException",
        &format!("User pool client {unknown} does not exist."),
    );

    let missing_pool = "us-east-1_AAAAAAAAA";
    let no_pool = h
        .idp
        .describe_user_pool()
        .user_pool_id(missing_pool)
        .send()
        .await;
    assert_api_error(
        no_pool,
        "ResourceNotFoundException",
        &format!("User pool {missing_pool} does not exist."),
    );
    let no_pool = h
        .idp
        .admin_get_user()
        .user_pool_id(missing_pool)
        .username("alice")
        .send()
        .await;
    assert_api_error(
        no_pool,
        "ResourceNotFoundException",
        &format!("User pool {missing_pool} does not exist."),
    );
}

#[tokio::test]
async fn weak_passwords_name_the_failing_rule() {
    let h = Harness::start().await;
    let policy = PasswordPolicyType::builder()
        .minimum_length(10)
        .require_uppercase(true)
        .require_lowercase(true)
        .require_numbers(true)
        .require_symbols(true)
        .build();
    let policies = UserPoolPolicyType::builder()
        .password_policy(policy)
        .build();
    let pool = h.create_pool_with("strict", |b| b.policies(policies)).await;
    let client = h.create_client(pool.id().expect("Id")).await;

    let cases = [
        ("Sh0rt!abc", "Password not long enough"),
        ("no-uppercase-1", "Password must have uppercase characters"),
        ("NO-LOWERCASE-1", "Password must have lowercase characters"),
        ("No-Numbers-Here", "Password must have numeric characters"),
        ("NoSymbolsHere1", "Password must have symbol characters"),
    ];
    for (password, rule) in cases {
        let res = sign_up(
            &h.idp,
            &client,
            "weak",
            password,
            &[("email", "weak@example.com")],
        )
        .await;
        let message = format!("Password did not conform with policy: {rule}");
        assert_api_error(res, "InvalidPasswordException", &message);
    }
    // None of the refused attempts created the user.
    sign_up(
        &h.idp,
        &client,
        "weak",
        PASSWORD,
        &[("email", "weak@example.com")],
    )
    .await
    .expect("strong password");
}

#[tokio::test]
async fn confirmation_code_errors() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.sign_up(&client, "alice", "alice@example.com").await;
    let code = h.latest_code(&pool, "alice").await;

    let bad = h
        .confirm_sign_up(&client, "alice", &other_code(&code))
        .await;
    assert_api_error(
        bad,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    h.confirm_sign_up(&client, "alice", &code)
        .await
        .expect("right code confirms");
    let twice = h.confirm_sign_up(&client, "alice", &code).await;
    assert_api_error(
        twice,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    );
}

#[tokio::test]
async fn confirmation_code_expires_after_24_hours() {
    let clock = ManualClock::starting_now();
    let h = Harness::start_with_clock(clock.clone()).await;
    let (pool, client) = h.pool_and_client().await;
    h.sign_up(&client, "alice", "alice@example.com").await;
    let code = h.latest_code(&pool, "alice").await;

    clock.advance(Duration::from_secs(25 * 3600));
    let expired = h.confirm_sign_up(&client, "alice", &code).await;
    assert_api_error(
        expired,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
}

#[tokio::test]
async fn five_wrong_codes_burn_the_code() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.sign_up(&client, "alice", "alice@example.com").await;
    let code = h.latest_code(&pool, "alice").await;

    // Five wrong codes each get CodeMismatchException; the code is then burned, so even the
    // right one gets LimitExceededException (as reported for real Cognito in
    // aws-amplify/amplify-ui-android#180: "CodeMismatchException for the first five times").
    for attempt in 1..=5 {
        let bad = api_error(
            h.confirm_sign_up(&client, "alice", &other_code(&code))
                .await,
        );
        assert_eq!(
            bad.code, "CodeMismatchException",
            "attempt {attempt}: {bad:?}"
        );
    }
    let burned = h.confirm_sign_up(&client, "alice", &code).await;
    assert_api_error(
        burned,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );

    // A new code from ResendConfirmationCode works again.
    h.idp
        .resend_confirmation_code()
        .client_id(&client)
        .username("alice")
        .send()
        .await
        .expect("resend");
    h.confirm_from_outbox(&pool, &client, "alice").await;
    h.sign_in(&client, "alice").await;
}

#[tokio::test]
async fn secret_hash_is_required_and_checked() {
    let h = Harness::start().await;
    let pool = h.create_pool("secret").await;
    let app = h
        .create_client_with(&pool, |b| b.generate_secret(true))
        .await;
    let client = app.client_id().expect("ClientId").to_owned();
    let secret = app
        .client_secret()
        .expect("ClientSecret with GenerateSecret")
        .to_owned();
    let send = |hash: Option<String>| {
        h.idp
            .sign_up()
            .client_id(&client)
            .username("alice")
            .password(PASSWORD)
            .user_attributes(common::attribute("email", "alice@example.com"))
            .set_secret_hash(hash)
            .send()
    };

    let missing = send(None).await;
    let text = format!("Client {client} is configured for secret but secret was not received");
    assert_api_error(missing, "NotAuthorizedException", &text);
    let wrong = send(Some(secret_hash("not-the-secret", "alice", &client))).await;
    let text = format!("Unable to verify secret hash for client {client}");
    assert_api_error(wrong, "NotAuthorizedException", &text);
    send(Some(secret_hash(&secret, "alice", &client)))
        .await
        .expect("right SecretHash");

    let code = h.latest_code(&pool, "alice").await;
    h.idp
        .confirm_sign_up()
        .client_id(&client)
        .username("alice")
        .confirmation_code(code)
        .secret_hash(secret_hash(&secret, "alice", &client))
        .send()
        .await
        .expect("ConfirmSignUp with SecretHash");
    let unhashed = h.password_auth(&client, "alice", PASSWORD).await;
    let text = format!("Client {client} is configured for secret but secret was not received");
    assert_api_error(unhashed, "NotAuthorizedException", &text);
    let hashed = h
        .idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters("SECRET_HASH", secret_hash(&secret, "alice", &client))
        .send()
        .await
        .expect("InitiateAuth with SECRET_HASH");
    assert!(hashed
        .authentication_result()
        .and_then(|r| r.access_token())
        .is_some());
}

#[tokio::test]
async fn malformed_requests_are_400() {
    let h = Harness::start().await;
    let client = h.server.default_client_id.clone();

    let truncated = h.raw_call("SignUp", r#"{"ClientId": "#).await;
    assert_raw_error(&truncated, "SerializationException", None);

    let missing = json!({"Username": "alice", "Password": PASSWORD}).to_string();
    let missing = h.raw_call("SignUp", missing).await;
    let text =
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: \
                Member must not be null";
    assert_raw_error(&missing, "InvalidParameterException", Some(text));

    let wrong_type = json!({"ClientId": 5, "Username": "alice", "Password": PASSWORD}).to_string();
    assert_raw_error(
        &h.raw_call("SignUp", wrong_type).await,
        "SerializationException",
        None,
    );

    let unknown = h
        .raw_target("AWSCognitoIdentityProviderService.NoSuchOperation", "{}")
        .await;
    assert_raw_error(&unknown, "UnknownOperationException", None);

    let padding = "a".repeat(200 * 1024);
    let huge = json!({"ClientId": client, "Username": "alice", "Password": PASSWORD,
                      "ClientMetadata": {"padding": padding}});
    let huge = h.raw_call("SignUp", huge.to_string()).await;
    assert_raw_error(&huge, "InvalidParameterException", None);

    let long_name =
        json!({"ClientId": client, "Username": "u".repeat(129), "Password": PASSWORD}).to_string();
    let long_name = h.raw_call("SignUp", long_name).await;
    let text = "1 validation error detected: Value at 'username' failed to satisfy constraint: \
                Member must have length less than or equal to 128";
    assert_raw_error(&long_name, "InvalidParameterException", Some(text));

    // The server still works after all that.
    let ok = json!({"ClientId": client, "Username": "alice", "Password": PASSWORD,
                    "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]});
    let (status, body) = h.raw_call("SignUp", ok.to_string()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["UserConfirmed"], false);
}
