//! The trigger-driven flows, black-box through the Rust SDK with a real HTTP trigger server:
//! lazy UserMigration at sign-in and at ForgotPassword, and a full CUSTOM_AUTH challenge loop
//! (an emailed-code style challenge with a three-attempt limit).

use crate::common;
use crate::trigger_support;

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
    UserStatusType,
};
use common::{api_error, Harness, TokenUse};
use serde_json::json;
use trigger_support::{triggered_pool, TriggerServer, LEGACY_PASSWORD, LEGACY_USER, MAX_ATTEMPTS};

async fn pool_with(h: &Harness, t: &TriggerServer, triggers: &[(&str, &str)]) -> String {
    let at: Vec<(&str, String)> = triggers.iter().map(|(n, b)| (*n, t.at(b))).collect();
    triggered_pool(h, &at).await
}

#[tokio::test]
async fn user_migration_at_sign_in_creates_a_user_who_can_sign_in() {
    let h = Harness::start().await;
    let t = TriggerServer::start().await;
    let pool = pool_with(&h, &t, &[("UserMigration", "migrate")]).await;
    let client = h.create_client(&pool).await;

    let err = api_error(
        h.password_auth(&client, LEGACY_USER, "Not-The-Password-1")
            .await,
    );
    assert_eq!(err.code, "UserLambdaValidationException");
    assert_eq!(err.message, "UserMigration failed with error Bad password.");
    let missing = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username(LEGACY_USER)
        .send()
        .await;
    assert_eq!(
        api_error(missing).code,
        "UserNotFoundException",
        "a refusal creates nothing"
    );

    let out = h
        .password_auth(&client, LEGACY_USER, LEGACY_PASSWORD)
        .await
        .expect("the migrated user signs in");
    let tokens = out.authentication_result.expect("tokens");
    let id = h
        .verify(&pool, tokens.id_token().unwrap(), TokenUse::Id, &client)
        .await;
    assert_eq!(id["email"], json!("legacy-bob@legacy.example.com"));
    assert_eq!(id["email_verified"], json!(true));

    let events = t.events("migrate");
    let e = events.last().unwrap();
    assert_eq!(e["triggerSource"], json!("UserMigration_Authentication"));
    assert_eq!(e["userName"], json!(LEGACY_USER));
    assert_eq!(e["request"]["password"], json!(LEGACY_PASSWORD));

    // Now a normal user: the next sign-in doesn't ask the function again.
    let before = t.events("migrate").len();
    h.password_auth(&client, LEGACY_USER, LEGACY_PASSWORD)
        .await
        .expect("sign-in");
    assert_eq!(t.events("migrate").len(), before);
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username(LEGACY_USER)
        .send()
        .await;
    assert_eq!(user.unwrap().user_status, Some(UserStatusType::Confirmed));
}

#[tokio::test]
async fn user_migration_at_forgot_password_creates_a_reset_required_user() {
    let h = Harness::start().await;
    let t = TriggerServer::start().await;
    let pool = pool_with(&h, &t, &[("UserMigration", "migrate")]).await;
    let client = h.create_client(&pool).await;
    let out = h
        .idp
        .forgot_password()
        .client_id(&client)
        .username("legacy-carol")
        .send()
        .await
        .expect("ForgotPassword migrates");
    let details = out.code_delivery_details.expect("details");
    assert_eq!(details.destination(), Some("l***@l***"));
    let e = &t.events("migrate")[0];
    assert_eq!(e["triggerSource"], json!("UserMigration_ForgotPassword"));
    assert_eq!(e["request"]["password"], serde_json::Value::Null);
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("legacy-carol")
        .send()
        .await;
    assert_eq!(
        user.unwrap().user_status,
        Some(UserStatusType::ResetRequired)
    );

    let code = h.latest_code(&pool, "legacy-carol").await;
    h.idp
        .confirm_forgot_password()
        .client_id(&client)
        .username("legacy-carol")
        .confirmation_code(code)
        .password("Fresh-Passw0rd!")
        .send()
        .await
        .expect("ConfirmForgotPassword");
    h.password_auth(&client, "legacy-carol", "Fresh-Passw0rd!")
        .await
        .expect("signs in with the new password");
    // An unknown name the function doesn't know stays unknown.
    let err = h
        .idp
        .forgot_password()
        .client_id(&client)
        .username("nobody")
        .send()
        .await;
    assert_eq!(api_error(err).code, "UserLambdaValidationException");
}

/// A pool with the three custom-auth triggers and a client allowing CUSTOM_AUTH.
async fn custom_auth_pool(h: &Harness, t: &TriggerServer, hide: bool) -> (String, String) {
    let pool = pool_with(
        h,
        t,
        &[
            ("DefineAuthChallenge", "define"),
            ("CreateAuthChallenge", "create"),
            ("VerifyAuthChallengeResponse", "verify"),
        ],
    )
    .await;
    let client = h
        .create_client_with(&pool, |b| {
            let b = b.explicit_auth_flows(ExplicitAuthFlowsType::AllowCustomAuth);
            if hide {
                b.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
            } else {
                b
            }
        })
        .await
        .client_id
        .expect("client id");
    (pool, client)
}

async fn start_custom(h: &Harness, client: &str, username: &str) -> (String, String) {
    let out = h
        .idp
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", username)
        .send()
        .await
        .expect("InitiateAuth CUSTOM_AUTH");
    assert_eq!(out.challenge_name, Some(ChallengeNameType::CustomChallenge));
    let params = out.challenge_parameters.expect("parameters");
    assert_eq!(
        params.get("hint").map(String::as_str),
        Some("check your email")
    );
    assert!(params.contains_key("USERNAME"));
    (out.session.expect("session"), params["USERNAME"].clone())
}

async fn answer(
    h: &Harness,
    client: &str,
    username: &str,
    session: &str,
    answer: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeError,
    >,
>{
    h.idp
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(session)
        .challenge_responses("USERNAME", username)
        .challenge_responses("ANSWER", answer)
        .send()
        .await
}

#[tokio::test]
async fn custom_auth_loop_issues_tokens_after_a_wrong_then_a_right_answer() {
    let h = Harness::start().await;
    let t = TriggerServer::start().await;
    let (pool, client) = custom_auth_pool(&h, &t, false).await;
    h.confirmed_user(&pool, &client, "ida", "ida@example.com")
        .await;

    let (session, username) = start_custom(&h, &client, "ida").await;
    let out = answer(&h, &client, &username, &session, "000000")
        .await
        .expect("wrong answer");
    assert_eq!(out.challenge_name, Some(ChallengeNameType::CustomChallenge));
    let session = out.session.expect("a new session");
    let code = t.last_code();
    let out = answer(&h, &client, &username, &session, &code)
        .await
        .expect("right answer");
    let tokens = out.authentication_result.expect("tokens");
    h.verify(&pool, tokens.id_token().unwrap(), TokenUse::Id, &client)
        .await;

    let defines = t.events("define");
    assert_eq!(defines.len(), 3);
    assert_eq!(defines[0]["request"]["session"], json!([]));
    let last = &defines[2]["request"]["session"];
    assert_eq!(last[0]["challengeName"], json!("CUSTOM_CHALLENGE"));
    assert_eq!(last[0]["challengeResult"], json!(false));
    assert_eq!(last[0]["challengeMetadata"], json!("CODE-0"));
    assert_eq!(last[1]["challengeResult"], json!(true));
    let verify = &t.events("verify")[1];
    assert_eq!(verify["request"]["challengeAnswer"], json!(code));
    assert_eq!(
        verify["request"]["privateChallengeParameters"]["answer"],
        json!(code)
    );
    assert_eq!(
        t.events("create")[0]["triggerSource"],
        json!("CreateAuthChallenge_Authentication")
    );
}

#[tokio::test]
async fn custom_auth_fails_after_three_wrong_answers_and_hides_unknown_users() {
    let h = Harness::start().await;
    let t = TriggerServer::start().await;
    let (pool, client) = custom_auth_pool(&h, &t, true).await;
    h.confirmed_user(&pool, &client, "jo", "jo@example.com")
        .await;
    let (mut session, username) = start_custom(&h, &client, "jo").await;
    for attempt in 1..=MAX_ATTEMPTS {
        let res = answer(&h, &client, &username, &session, "999999").await;
        if attempt < MAX_ATTEMPTS {
            session = res.expect("another challenge").session.expect("session");
        } else {
            let err = api_error(res);
            assert_eq!(err.code, "NotAuthorizedException");
            assert_eq!(err.message, "Incorrect username or password.");
        }
    }
    // The old session can't be replayed into tokens.
    let err = api_error(answer(&h, &client, &username, &session, &t.last_code()).await);
    assert_eq!(err.code, "NotAuthorizedException");

    // An unknown user: the triggers run with userNotFound, and the answer is the same refusal.
    let err = h
        .idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "ghost")
        .send()
        .await;
    let err = api_error(err);
    assert_eq!(err.code, "NotAuthorizedException");
    let last = t.events("define").last().cloned().unwrap();
    assert_eq!(last["request"]["userNotFound"], json!(true));
}
