//! A DynamoDB outage through the real client, with the server on DynamoDB (moto): while the
//! path to DynamoDB is cut, requests answer 500 InternalErrorException with the cause in the
//! server's log (the server's SDK gives up after its standard retries), and after the path
//! comes back the data is consistent. Two kinds of outage:
//!
//! - **whole**: everything refused. A SignUp made during it left no user (the same SignUp then
//!   succeeds); users, sessions and refresh tokens from before it still work.
//! - **mid-operation**: the path is cut at one chosen request, after the operation's earlier
//!   requests were applied. A SignUp cut after its user was written leaves that user whole
//!   and unconfirmed (as Cognito does when it cannot deliver the code), so it can ask for a
//!   new code. A ConfirmSignUp cut as it spends its code, a sign-in cut at its refresh-token
//!   write and a rotation cut at its conditional write change nothing, so the same code,
//!   password or refresh token works afterwards. A ConfirmSignUp cut at the user's update,
//!   after the code was spent, leaves the user unconfirmed without a code: a new one works.
//!
//! moto keeps its tables in memory, so it is never stopped: the server reaches it through a
//! loopback proxy ([`outage_support::DynamoProxy`]) that the test cuts and restores. Runs only
//! in the DynamoDB pass of scripts/test.sh (`LATCHKEY_TEST_STORE=dynamodb`); elsewhere it says
//! so and passes as skipped.

mod common;
mod outage_support;

use std::fmt::Debug;
use std::io::Write;
use std::time::Instant;

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, AuthenticationResultType};
use common::{api_error, assert_api_error, sign_up, Harness, PASSWORD};
use outage_support::{DynamoProxy, LogCapture};

/// Asserts a call failed with 500 InternalErrorException and Cognito's text for it.
fn assert_internal<T: Debug, E: ProvideErrorMetadata + Debug>(
    what: &str,
    res: Result<T, SdkError<E>>,
) {
    let err = api_error(res);
    let got = (err.status, err.code.as_str(), err.message.as_str());
    let want = (
        Some(500),
        "InternalErrorException",
        "Internal server error.",
    );
    assert_eq!(got, want, "{what} during the outage");
}

/// A note on the test's own stderr (shown even when the test passes).
fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "dynamodb_outage: {text}");
}

/// The server's endpoint becomes a proxy to moto, then the server starts on DynamoDB.
async fn start() -> Option<(DynamoProxy, LogCapture, Harness)> {
    if std::env::var("LATCHKEY_TEST_STORE").as_deref() != Ok("dynamodb") {
        note(
            "SKIPPED: needs the server on DynamoDB (LATCHKEY_TEST_STORE=dynamodb and \
             AWS_ENDPOINT_URL_DYNAMODB, as in the DynamoDB pass of scripts/test.sh)",
        );
        return None;
    }
    let moto = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .expect("the DynamoDB pass sets AWS_ENDPOINT_URL_DYNAMODB");
    let proxy = DynamoProxy::start(&moto).await.expect("proxy starts");
    // The server takes DynamoDB's endpoint from the normal AWS configuration, the
    // environment. This binary holds one test and no other thread has started, so changing
    // this process's environment here races with nothing.
    std::env::set_var("AWS_ENDPOINT_URL_DYNAMODB", proxy.url());
    let logs = LogCapture::install();
    let h = Harness::start().await;
    Some((proxy, logs, h))
}

/// GetTokensFromRefreshToken; the new refresh token.
async fn rotate(h: &Harness, client: &str, token: &str) -> Result<String, String> {
    let out = h
        .idp
        .get_tokens_from_refresh_token()
        .client_id(client)
        .refresh_token(token)
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let result = out.authentication_result.expect("AuthenticationResult");
    Ok(result.refresh_token.expect("a new RefreshToken"))
}

fn access(t: &AuthenticationResultType) -> &str {
    t.access_token().expect("AccessToken")
}

fn refresh_of(t: &AuthenticationResultType) -> &str {
    t.refresh_token().expect("RefreshToken")
}

#[tokio::test]
async fn a_dynamodb_outage_answers_500_and_leaves_the_data_consistent() {
    let Some((proxy, logs, h)) = start().await else {
        return;
    };
    let pool = h.create_pool("outage-pool").await;
    let client = h.create_client(&pool).await;
    let rotating = h.rotating_client(&pool, 0).await;
    h.confirmed_user(&pool, &client, "before", "before@example.com")
        .await;
    let session = h.sign_in(&client, "before").await;
    h.confirmed_user(&pool, &rotating, "rotor", "rotor@example.com")
        .await;
    let r0 = refresh_of(&h.sign_in(&rotating, "rotor").await).to_owned();

    // ----- the whole path cut --------------------------------------------------------------
    proxy.cut();
    logs.clear();
    let started = Instant::now();
    let email = [("email", "during@example.com")];
    let res = sign_up(&h.idp, &client, "during", PASSWORD, &email).await;
    assert_internal("SignUp", res);
    note(&format!(
        "one request during the outage answered 500 after {:.1?} (the server's SDK retries)",
        started.elapsed()
    ));
    let logged = logs.text();
    assert!(
        logged.contains("internal error") && logged.contains("storage:"),
        "the cause is logged: {logged}"
    );
    assert_internal(
        "sign-in",
        h.password_auth(&client, "before", PASSWORD).await,
    );
    let got = h.idp.get_user().access_token(access(&session)).send().await;
    assert_internal("GetUser", got);
    let refreshed = h
        .refresh(
            &client,
            AuthFlowType::RefreshTokenAuth,
            refresh_of(&session),
        )
        .await;
    assert_internal("refresh", refreshed);
    assert!(proxy.resets() > 0, "the server's requests met the cut");
    proxy.restore();

    // Nothing of the failed SignUp was kept: the same SignUp succeeds, and the user works.
    sign_up(&h.idp, &client, "during", PASSWORD, &email)
        .await
        .expect("the same SignUp after the outage");
    h.confirm_from_outbox(&pool, &client, "during").await;
    h.sign_in(&client, "during").await;
    // What existed before is intact.
    h.sign_in(&client, "before").await;
    let got = h.idp.get_user().access_token(access(&session)).send().await;
    got.expect("GetUser with a token from before the outage");
    h.refresh(
        &client,
        AuthFlowType::RefreshTokenAuth,
        refresh_of(&session),
    )
    .await
    .expect("refresh token from before the outage");

    // ----- SignUp cut after its user was written, at the code's PutItem ---------------------
    // The pool has no alias attributes, so the user is one conditional PutItem of its own
    // (no transaction): the second PutItem is the code's.
    proxy.cut_at_nth("PutItem", 1);
    let email = [("email", "halfway@example.com")];
    let res = sign_up(&h.idp, &client, "halfway", PASSWORD, &email).await;
    assert_internal("SignUp cut at its code", res);
    assert!(proxy.is_cut(), "the SignUp reached its PutItem");
    proxy.restore();
    let again = sign_up(&h.idp, &client, "halfway", PASSWORD, &email).await;
    assert_api_error(again, "UsernameExistsException", "User already exists");
    assert!(
        h.outbox(&pool, "halfway").await.is_empty(),
        "no code was sent"
    );
    let resend = h
        .idp
        .resend_confirmation_code()
        .client_id(&client)
        .username("halfway")
        .send()
        .await;
    resend.expect("ResendConfirmationCode for the user the cut SignUp wrote");
    h.confirm_from_outbox(&pool, &client, "halfway").await;
    h.sign_in(&client, "halfway").await;

    // ----- ConfirmSignUp cut as it spends the code: nothing changed ------------------------
    h.sign_up(&client, "confirming", "confirming@example.com")
        .await;
    let code = h.latest_code(&pool, "confirming").await;
    proxy.cut_at("DeleteItem");
    let res = h.confirm_sign_up(&client, "confirming", &code).await;
    assert_internal("ConfirmSignUp cut at spending its code", res);
    assert!(proxy.is_cut(), "the ConfirmSignUp reached its DeleteItem");
    proxy.restore();
    h.confirm_sign_up(&client, "confirming", &code)
        .await
        .expect("the same code confirms after the outage");
    h.sign_in(&client, "confirming").await;

    // ----- ConfirmSignUp cut at the user's update, after the code was spent -----------------
    // The code is spent before the user is confirmed (two requests, not one transaction), so
    // the user stays unconfirmed without a code, as after a lost delivery: a new code works.
    h.sign_up(&client, "confirm-late", "confirm-late@example.com")
        .await;
    let code = h.latest_code(&pool, "confirm-late").await;
    proxy.cut_at("UpdateItem");
    let res = h.confirm_sign_up(&client, "confirm-late", &code).await;
    assert_internal("ConfirmSignUp cut at its user update", res);
    assert!(proxy.is_cut(), "the ConfirmSignUp reached its user update");
    proxy.restore();
    let unconfirmed = h.password_auth(&client, "confirm-late", PASSWORD).await;
    assert_api_error(
        unconfirmed,
        "UserNotConfirmedException",
        "User is not confirmed.",
    );
    let resend = h
        .idp
        .resend_confirmation_code()
        .client_id(&client)
        .username("confirm-late")
        .send()
        .await;
    resend.expect("ResendConfirmationCode after the cut ConfirmSignUp");
    h.confirm_from_outbox(&pool, &client, "confirm-late").await;
    h.sign_in(&client, "confirm-late").await;

    // ----- sign-in cut at its refresh-token write -------------------------------------------
    proxy.cut_at("TransactWriteItems");
    let res = h.password_auth(&client, "before", PASSWORD).await;
    assert_internal("sign-in cut at its write", res);
    assert!(proxy.is_cut(), "the sign-in reached its write");
    proxy.restore();
    h.sign_in(&client, "before").await;

    // ----- rotation cut at its conditional write --------------------------------------------
    proxy.cut_at("TransactWriteItems");
    let res = h
        .idp
        .get_tokens_from_refresh_token()
        .client_id(&rotating)
        .refresh_token(&r0)
        .send()
        .await;
    assert_internal("rotation cut at its write", res);
    assert!(proxy.is_cut(), "the rotation reached its write");
    proxy.restore();
    let r1 = rotate(&h, &rotating, &r0)
        .await
        .expect("the token the failed rotation read rotates once after the outage");
    assert_ne!(r1, r0);
    rotate(&h, &rotating, &r1)
        .await
        .expect("and its successor rotates in turn");

    h.shutdown().await;
}
