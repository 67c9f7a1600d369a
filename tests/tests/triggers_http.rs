//! Triggers through the HTTP invoker, black-box through the Rust SDK: each trigger fires at
//! Cognito's point with Cognito's event (recorded by a real HTTP trigger server on loopback),
//! its answer takes effect, and each failure mode gives Cognito's error and leaves nothing
//! behind.

use crate::common;
use crate::trigger_support;

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, UserStatusType};
use common::{api_error, sign_up, Harness, TokenUse, PASSWORD};
use serde_json::{json, Value};
use trigger_support::{triggered_pool, user_status, verified, TriggerServer};

/// A server, a trigger server, and a pool wired to `triggers` (trigger name, behaviour).
async fn setup(triggers: &[(&str, &str)]) -> (Harness, TriggerServer, String, String) {
    let h = Harness::start().await;
    let t = TriggerServer::start().await;
    let at: Vec<(&str, String)> = triggers.iter().map(|(n, b)| (*n, t.at(b))).collect();
    let pool = triggered_pool(&h, &at).await;
    let client = h.create_client(&pool).await;
    (h, t, pool, client)
}

#[tokio::test]
async fn pre_sign_up_auto_confirms_and_sees_cognitos_event() {
    let (h, t, pool, client) = setup(&[("PreSignUp", "auto-confirm")]).await;
    let out = h
        .idp
        .sign_up()
        .client_id(&client)
        .username("ann")
        .password(PASSWORD)
        .user_attributes(common::attribute("email", "ann@example.com"))
        .validation_data(common::attribute("invite", "X1"))
        .client_metadata("source", "web")
        .send()
        .await
        .expect("SignUp");
    assert!(out.user_confirmed);
    assert!(h.outbox(&pool, "ann").await.is_empty(), "no code is sent");

    let events = t.events("auto-confirm");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["triggerSource"], json!("PreSignUp_SignUp"));
    assert_eq!(e["version"], json!("1"));
    assert_eq!(e["userPoolId"], json!(pool));
    assert_eq!(e["userName"], json!("ann"));
    assert_eq!(e["region"], json!("us-east-1"));
    assert_eq!(e["callerContext"]["clientId"], json!(client));
    assert_eq!(
        e["request"]["userAttributes"]["email"],
        json!("ann@example.com")
    );
    assert_eq!(e["request"]["validationData"], json!({"invite": "X1"}));
    assert_eq!(e["request"]["clientMetadata"], json!({"source": "web"}));
    assert_eq!(e["response"]["autoConfirmUser"], json!(false));

    assert_eq!(
        user_status(&h, &pool, "ann").await,
        Some(UserStatusType::Confirmed)
    );
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .unwrap();
    assert_eq!(
        common::attr(user.user_attributes(), "email_verified"),
        Some("true")
    );
    let tokens = h.sign_in(&client, "ann").await;
    assert!(tokens.id_token.is_some());
}

#[tokio::test]
async fn admin_create_user_fires_pre_sign_up_but_ignores_its_flags() {
    let (h, t, pool, _) = setup(&[("PreSignUp", "auto-confirm")]).await;
    h.idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("bo")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
    let events = t.events("auto-confirm");
    assert_eq!(
        events[0]["triggerSource"],
        json!("PreSignUp_AdminCreateUser")
    );
    assert_eq!(
        events[0]["callerContext"]["clientId"],
        json!("CLIENT_ID_NOT_APPLICABLE")
    );
    assert_eq!(
        user_status(&h, &pool, "bo").await,
        Some(UserStatusType::ForceChangePassword)
    );
}

#[tokio::test]
async fn each_failure_mode_gives_cognitos_error_and_creates_no_user() {
    let h = Harness::start().await;
    let t = TriggerServer::start().await;
    let refused = "http://127.0.0.1:1/refused".to_string();
    let cases = [
        (
            t.at("error"),
            "UserLambdaValidationException",
            Some("PreSignUp failed with error Denied by test."),
        ),
        (
            t.at("bad-json"),
            "InvalidLambdaResponseException",
            Some("Unrecognizable lambda output"),
        ),
        (
            t.at("bad-shape"),
            "InvalidLambdaResponseException",
            Some("Unrecognizable lambda output"),
        ),
        (t.at("sleep"), "UnexpectedLambdaException", None),
        (refused, "UnexpectedLambdaException", None),
    ];
    for (at, code, message) in &cases {
        let pool = triggered_pool(&h, &[("PreSignUp", at.clone())]).await;
        let client = h.create_client(&pool).await;
        let err = api_error(
            sign_up(
                &h.idp,
                &client,
                "cy",
                PASSWORD,
                &[("email", "cy@example.com")],
            )
            .await,
        );
        assert_eq!(err.status, Some(400), "{at}");
        assert_eq!(&err.code, code, "{at}: {err:?}");
        if let Some(m) = message {
            assert_eq!(&err.message, m);
        } else {
            assert!(
                err.message
                    .starts_with("PreSignUp invocation failed due to error"),
                "{err:?}"
            );
        }
        assert_eq!(
            user_status(&h, &pool, "cy").await,
            None,
            "{at}: no user is left"
        );
        assert!(
            h.outbox(&pool, "cy").await.is_empty(),
            "{at}: no code is sent"
        );
    }
}

#[tokio::test]
async fn post_confirmation_refusal_leaves_the_user_unconfirmed_and_the_code_unspent() {
    let (h, t, pool, client) = setup(&[("PostConfirmation", "record")]).await;
    h.sign_up(&client, "dee", "dee@example.com").await;
    let code = h.latest_code(&pool, "dee").await;
    t.set_failing("record", true);
    let err = api_error(h.confirm_sign_up(&client, "dee", &code).await);
    assert_eq!(err.code, "UserLambdaValidationException");
    assert_eq!(
        err.message,
        "PostConfirmation failed with error Switched off by the test."
    );
    assert_eq!(
        user_status(&h, &pool, "dee").await,
        Some(UserStatusType::Unconfirmed)
    );

    t.set_failing("record", false);
    h.confirm_sign_up(&client, "dee", &code)
        .await
        .expect("the same code still confirms");
    assert_eq!(
        user_status(&h, &pool, "dee").await,
        Some(UserStatusType::Confirmed)
    );
    let events = t.events("record");
    assert_eq!(events.len(), 2);
    let e = &events[1];
    assert_eq!(e["triggerSource"], json!("PostConfirmation_ConfirmSignUp"));
    assert_eq!(
        e["request"]["userAttributes"]["cognito:user_status"],
        json!("CONFIRMED")
    );
    assert_eq!(
        e["request"]["userAttributes"]["email_verified"],
        json!("true")
    );
    assert!(e["request"]["userAttributes"]["sub"].is_string());
}

#[tokio::test]
async fn pre_and_post_authentication_fire_and_can_deny() {
    let (h, t, pool, client) = setup(&[
        ("PreAuthentication", "record"),
        ("PostAuthentication", "error"),
    ])
    .await;
    h.confirmed_user(&pool, &client, "eve", "eve@example.com")
        .await;
    let res = h
        .idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "eve")
        .auth_parameters("PASSWORD", PASSWORD)
        .client_metadata("device", "kiosk")
        .send()
        .await;
    let err = api_error(res);
    assert_eq!(err.code, "UserLambdaValidationException");
    assert_eq!(
        err.message,
        "PostAuthentication failed with error Denied by test."
    );
    let pre = t.events("record");
    assert_eq!(pre.len(), 1);
    assert_eq!(
        pre[0]["triggerSource"],
        json!("PreAuthentication_Authentication")
    );
    assert_eq!(
        pre[0]["request"]["validationData"],
        json!({"device": "kiosk"})
    );
    assert_eq!(pre[0]["request"]["userNotFound"], json!(false));
    let post = t.events("error");
    assert_eq!(
        post[0]["triggerSource"],
        json!("PostAuthentication_Authentication")
    );
    assert_eq!(post[0]["request"]["newDeviceUsed"], json!(false));

    // A wrong password never reaches PostAuthentication.
    let err = api_error(h.password_auth(&client, "eve", "Wrong-Password-1").await);
    assert_eq!(err.code, "NotAuthorizedException");
    assert_eq!(t.events("error").len(), 1);
}

#[tokio::test]
async fn pre_token_generation_v1_changes_the_id_token_only_and_protects_reserved_claims() {
    let (h, t, pool, client) = setup(&[("PreTokenGeneration", "claims-v1")]).await;
    h.confirmed_user(&pool, &client, "fay", "fay@example.com")
        .await;
    let tokens = h.sign_in(&client, "fay").await;
    let (id, access) = verified(&h, &pool, &tokens, &client).await;
    assert_eq!(id["tenant"], json!("acme"));
    assert!(!id.contains_key("email"), "suppressed");
    assert_ne!(id["sub"], json!("forged"), "reserved claims are protected");
    assert_eq!(id["iss"], json!(h.issuer(&pool)));
    assert_eq!(id["cognito:groups"], json!(["overridden"]));
    assert_eq!(
        id["cognito:preferred_role"],
        json!("arn:aws:iam::123456789012:role/overridden")
    );
    assert!(
        !access.contains_key("tenant"),
        "V1 leaves the access token alone"
    );
    assert_eq!(access["cognito:groups"], json!(["overridden"]));

    let e = &t.events("claims-v1")[0];
    assert_eq!(e["triggerSource"], json!("TokenGeneration_Authentication"));
    assert_eq!(e["version"], json!("1"));
    assert_eq!(
        e["request"]["groupConfiguration"]["groupsToOverride"],
        json!([])
    );
    assert!(e["request"].get("scopes").is_none());

    let refreshed = h
        .refresh(
            &client,
            AuthFlowType::RefreshTokenAuth,
            tokens.refresh_token().unwrap(),
        )
        .await
        .expect("refresh");
    let id = refreshed.authentication_result.unwrap().id_token.unwrap();
    let id = h.verify(&pool, &id, TokenUse::Id, &client).await;
    assert_eq!(id["tenant"], json!("acme"));
    assert_eq!(
        t.events("claims-v1")[1]["triggerSource"],
        json!("TokenGeneration_RefreshTokens")
    );
}

#[tokio::test]
async fn pre_token_generation_v2_changes_both_tokens_and_scopes() {
    let (h, t, pool, client) = setup(&[("PreTokenGenerationV2", "claims-v2")]).await;
    h.confirmed_user(&pool, &client, "gus", "gus@example.com")
        .await;
    let tokens = h.sign_in(&client, "gus").await;
    let (id, access) = verified(&h, &pool, &tokens, &client).await;
    assert_eq!(id["plan"], json!("pro"));
    assert_eq!(access["tenant"], json!({"id": 42, "name": "acme"}));
    assert_eq!(
        access["client_id"],
        json!(client),
        "reserved claims are protected"
    );
    assert_eq!(
        access["scope"],
        json!("aws.cognito.signin.user.admin latchkey/extra")
    );
    let e = &t.events("claims-v2")[0];
    assert_eq!(e["version"], json!("2"));
    assert_eq!(
        e["request"]["scopes"],
        json!(["aws.cognito.signin.user.admin"])
    );
    // The changed access token still works for the user's own operations.
    let me = h
        .idp
        .get_user()
        .access_token(tokens.access_token().unwrap())
        .send()
        .await;
    assert_eq!(me.expect("GetUser").username, "gus");
}

#[tokio::test]
async fn custom_message_shapes_the_code_message() {
    let (h, t, pool, client) = setup(&[("CustomMessage", "custom-message")]).await;
    h.sign_up(&client, "hal", "hal@example.com").await;
    let sent = h.outbox(&pool, "hal").await;
    let msg = sent.last().expect("a message");
    let code = msg["Code"].as_str().unwrap();
    assert_eq!(msg["Subject"], json!("Welcome to Latchkey"));
    assert_eq!(
        msg["Message"],
        json!(format!("Hello! Your Latchkey code is {code}."))
    );
    let e = &t.events("custom-message")[0];
    assert_eq!(e["triggerSource"], json!("CustomMessage_SignUp"));
    assert_eq!(e["request"]["codeParameter"], json!("{####}"));
    assert!(e["request"]["linkParameter"].is_string());
    assert_eq!(e["request"]["usernameParameter"], Value::Null);
    assert_eq!(
        e["request"]["userAttributes"]["cognito:user_status"],
        json!("UNCONFIRMED")
    );
    h.idp
        .resend_confirmation_code()
        .client_id(&client)
        .username("hal")
        .send()
        .await
        .expect("resend");
    assert_eq!(
        t.events("custom-message")[1]["triggerSource"],
        json!("CustomMessage_ResendCode")
    );
}

#[tokio::test]
async fn custom_message_shapes_the_invitation_too() {
    let (h, t, pool, _) = setup(&[("CustomMessage", "custom-message")]).await;
    h.idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("ivy")
        .temporary_password("Temp-Passw0rd!")
        .user_attributes(common::attribute("email", "ivy@example.com"))
        .desired_delivery_mediums(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Email)
        .send()
        .await
        .expect("AdminCreateUser");
    let sent = h.outbox(&pool, "ivy").await;
    let invite = sent.last().expect("an invitation");
    assert_eq!(invite["Subject"], json!("Welcome to Latchkey"));
    assert_eq!(
        invite["Message"],
        json!("Hello! Your Latchkey code is Temp-Passw0rd!.")
    );
    let e = &t.events("custom-message")[0];
    assert_eq!(e["triggerSource"], json!("CustomMessage_AdminCreateUser"));
    assert_eq!(e["request"]["usernameParameter"], json!("{username}"));
    assert_eq!(e["request"]["codeParameter"], json!("{####}"));
}
