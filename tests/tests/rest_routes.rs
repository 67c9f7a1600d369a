//! The REST routes (`/sign-up`, `/sign-up/confirm`, `/sign-up/resend`, `/sign-in`,
//! `/token/refresh`) with plain JSON bodies: the full loop on the default pool and client,
//! and errors as 400 with `__type`.

use crate::common;

use common::{assert_raw_error, is_uuid, other_code, Harness, TokenUse, PASSWORD};
use serde_json::{json, Value};

fn sign_up_body(client: &str, username: &str) -> Value {
    json!({
        "ClientId": client,
        "Username": username,
        "Password": PASSWORD,
        "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}],
    })
}

fn sign_in_body(client: &str, username: &str, password: &str) -> Value {
    json!({
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": client,
        "AuthParameters": {"USERNAME": username, "PASSWORD": password},
    })
}

fn refresh_body(client: &str, refresh_token: &str) -> Value {
    json!({
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "ClientId": client,
        "AuthParameters": {"REFRESH_TOKEN": refresh_token},
    })
}

fn code_body(client: &str, username: &str, code: &str) -> Value {
    json!({"ClientId": client, "Username": username, "ConfirmationCode": code})
}

#[tokio::test]
async fn rest_routes_run_the_whole_loop() {
    let h = Harness::start().await;
    let (pool, client) = (
        h.server.default_pool_id.clone(),
        h.server.default_client_id.clone(),
    );

    let (status, body) = h.rest("/sign-up", &sign_up_body(&client, "rita")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["UserConfirmed"], false);
    let sub = body["UserSub"].as_str().expect("UserSub").to_owned();
    assert!(is_uuid(&sub), "{sub}");
    assert_eq!(
        body["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL",
        "{body}"
    );
    assert_eq!(h.outbox(&pool, "rita").await.len(), 1);

    let (status, body) = h
        .rest(
            "/sign-up/resend",
            &json!({"ClientId": client, "Username": "rita"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL",
        "{body}"
    );
    let messages = h.outbox(&pool, "rita").await;
    assert_eq!(
        messages.len(),
        2,
        "resend sends a second code: {messages:?}"
    );
    assert!(messages
        .iter()
        .all(|m| m["Purpose"] == "SignUp" && m["Destination"] == "rita@example.com"));
    let code = h.latest_code(&pool, "rita").await;

    let (status, body) = h
        .rest("/sign-up/confirm", &code_body(&client, "rita", &code))
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = h
        .rest("/sign-in", &sign_in_body(&client, "rita", PASSWORD))
        .await;
    assert_eq!(status, 200, "{body}");
    let result = &body["AuthenticationResult"];
    assert_eq!(result["TokenType"], "Bearer");
    assert_eq!(result["ExpiresIn"], 3600);
    let id = result["IdToken"].as_str().expect("IdToken");
    let access = result["AccessToken"]
        .as_str()
        .expect("AccessToken")
        .to_owned();
    let refresh_token = result["RefreshToken"]
        .as_str()
        .expect("RefreshToken")
        .to_owned();
    let id = h.verify(&pool, id, TokenUse::Id, &client).await;
    assert_eq!(id["sub"], sub.as_str());
    assert_eq!(id["cognito:username"], "rita");
    assert_eq!(id["email_verified"], true);

    let user = h
        .idp
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect("GetUser via SDK");
    assert_eq!(user.username(), "rita");

    let (status, body) = h
        .rest("/token/refresh", &refresh_body(&client, &refresh_token))
        .await;
    assert_eq!(status, 200, "{body}");
    let renewed = &body["AuthenticationResult"];
    assert!(
        renewed.get("RefreshToken").is_none(),
        "refresh returns no RefreshToken: {body}"
    );
    let new_access = renewed["AccessToken"].as_str().expect("AccessToken");
    let claims = h.verify(&pool, new_access, TokenUse::Access, &client).await;
    assert_eq!(claims["username"], "rita");
    assert_eq!(claims["origin_jti"], id["origin_jti"]);
}

#[tokio::test]
async fn rest_errors_are_400_with_type() {
    let h = Harness::start().await;
    let (pool, client) = (
        h.server.default_pool_id.clone(),
        h.server.default_client_id.clone(),
    );

    let (status, _) = h.rest("/sign-up", &sign_up_body(&client, "sam")).await;
    assert_eq!(status, 200);
    let dup = h.rest("/sign-up", &sign_up_body(&client, "sam")).await;
    assert_raw_error(&dup, "UsernameExistsException", Some("User already exists"));

    let early = h
        .rest("/sign-in", &sign_in_body(&client, "sam", PASSWORD))
        .await;
    assert_raw_error(
        &early,
        "UserNotConfirmedException",
        Some("User is not confirmed."),
    );

    let code = h.latest_code(&pool, "sam").await;
    let bad = h
        .rest(
            "/sign-up/confirm",
            &code_body(&client, "sam", &other_code(&code)),
        )
        .await;
    let text = "Invalid verification code provided, please try again.";
    assert_raw_error(&bad, "CodeMismatchException", Some(text));
    let (status, body) = h
        .rest("/sign-up/confirm", &code_body(&client, "sam", &code))
        .await;
    assert_eq!(status, 200, "{body}");

    let wrong = h
        .rest("/sign-in", &sign_in_body(&client, "sam", "Wrong-Horse-9"))
        .await;
    assert_raw_error(
        &wrong,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );

    let refresh = h
        .rest(
            "/token/refresh",
            &refresh_body(&client, "not.a.refresh-token"),
        )
        .await;
    assert_raw_error(
        &refresh,
        "NotAuthorizedException",
        Some("Invalid Refresh Token"),
    );

    let missing = h
        .rest(
            "/sign-up",
            &json!({"Username": "tom", "Password": PASSWORD}),
        )
        .await;
    let text =
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: \
                Member must not be null";
    assert_raw_error(&missing, "InvalidParameterException", Some(text));

    let unknown = "0000000000000000000000000z";
    let resend = h
        .rest(
            "/sign-up/resend",
            &json!({"ClientId": unknown, "Username": "sam"}),
        )
        .await;
    let text = format!("User pool client {unknown} does not exist.");
    assert_raw_error(&resend, "ResourceNotFoundException", Some(&text));

    // The routes that fix the flow: another flow is refused, the flow they fill in is
    // checked with the rest of the body by the model, and a body must be an object.
    let other_flow = h
        .rest(
            "/sign-in",
            &json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client}),
        )
        .await;
    assert_raw_error(&other_flow, "InvalidParameterException", None);
    assert!(
        other_flow.1["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("This route accepts AuthFlow ")),
        "{other_flow:?}"
    );
    let no_client = h
        .rest(
            "/token/refresh",
            &json!({"AuthParameters": {"REFRESH_TOKEN": "x.y"}}),
        )
        .await;
    let text =
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: \
                Member must not be null";
    assert_raw_error(&no_client, "InvalidParameterException", Some(text));
    let not_object = h.rest("/sign-in", &json!(["USER_PASSWORD_AUTH"])).await;
    assert_raw_error(&not_object, "SerializationException", None);
    // Filled in, the flow runs: no AuthFlow in the body signs in with the route's own.
    let mut no_flow = sign_in_body(&client, "sam", PASSWORD);
    no_flow.as_object_mut().unwrap().remove("AuthFlow");
    let (status, body) = h.rest("/sign-in", &no_flow).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["AuthenticationResult"]["AccessToken"].is_string());
}
