//! Federated sign-in to a user pool through Sign in with Apple, played by the real OpenID
//! Connect provider (panva's oidc-provider, `oidc_idp.mjs --preset apple`) at
//! `https://appleid.apple.com` and reached through `LATCHKEY_PROVIDER_ENDPOINTS`: Apple
//! answers by form post, with the `user` field on the first sign-in, and verifies Latchkey's
//! ES256 client secret with the public half of the team key the pool was configured with.

use crate::federation_support::apple::{apple_setup, AppleKey, APPLE_SUB};
use crate::federation_support::social::{assert_federated_user, user_count};
use crate::federation_support::{redeem, Browser, Ended};
use serde_json::Value;

#[tokio::test]
async fn sign_in_with_apple_signs_a_user_in_through_its_form_post() {
    let Some(apple) = apple_setup(&[], None).await else {
        return;
    };
    let (h, fp) = (&apple.h, &apple.fp);
    let relay_email = format!(
        "{}@privaterelay.appleid.com",
        APPLE_SUB.replace(|c: char| !c.is_ascii_alphanumeric(), "")
    );

    // First sign-in: Apple answers with a form post that carries the user's name.
    let mut browser = Browser::default();
    let (action, fields) = apple.to_form_post(&mut browser, "apple-1").await;
    assert_eq!(action, format!("{}/oauth2/idpresponse", h.url()));
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    assert!(
        field("code").is_some() && field("state").is_some(),
        "{fields:?}"
    );
    let user_field: Value = serde_json::from_str(field("user").expect("the user field"))
        .expect("the user field is JSON");
    assert_eq!(user_field["name"]["firstName"], "Jane");
    let ended = browser.post(&action, fields.clone()).await;
    if let Ended::App(params) = &ended {
        assert_eq!(params.get("state").map(String::as_str), Some("app-state"));
    }
    let claims = redeem(h, &fp.client, &ended).await;
    let username = format!("signinwithapple_{APPLE_SUB}");
    assert_eq!(claims["cognito:username"], username.as_str());
    assert_eq!(claims["nonce"], "apple-1");
    assert_eq!(claims["email"], relay_email.as_str());
    assert_eq!(claims["email_verified"], true, "Apple's \"true\" maps");
    assert_eq!(claims["name"], "Jane Appleseed");
    assert_eq!(claims["given_name"], "Jane");
    assert_eq!(claims["family_name"], "Appleseed");
    assert_eq!(claims["identities"][0]["providerType"], "SignInWithApple");
    assert_eq!(claims["identities"][0]["userId"], APPLE_SUB);
    let group = format!("{}_SignInWithApple", fp.pool);
    assert_eq!(claims["cognito:groups"], serde_json::json!([group]));
    let attrs = assert_federated_user(
        h,
        fp,
        &username,
        "SignInWithApple",
        "SignInWithApple",
        APPLE_SUB,
    )
    .await;
    assert_eq!(attrs["email"], relay_email);
    assert_eq!(attrs["name"], "Jane Appleseed");

    // Next sign-in (a new browser session at Apple): no `user` field; the name stays.
    let mut again = Browser::default();
    let (action, fields) = apple.to_form_post(&mut again, "apple-2").await;
    assert!(fields.iter().all(|(k, _)| k != "user"), "{fields:?}");
    let claims = redeem(h, &fp.client, &again.post(&action, fields.clone()).await).await;
    assert_eq!(claims["cognito:username"], username.as_str());
    assert_eq!(claims["nonce"], "apple-2");
    assert_eq!(claims["name"], "Jane Appleseed");
    assert_eq!(user_count(h, &fp.pool).await, 1);

    // Apple checked both client secrets against the team's public key.
    let stats = apple.stats().await;
    assert_eq!(stats["client_secrets_verified"], 2, "{stats}");
    assert_eq!(stats["client_secrets_refused"], 0, "{stats}");
    assert_eq!(stats["user_fields_posted"], 1, "{stats}");
}

#[tokio::test]
async fn an_apple_client_secret_signed_by_another_key_is_refused() {
    let not_the_teams = AppleKey::generate();
    let Some(apple) = apple_setup(&[], Some(&not_the_teams)).await else {
        return;
    };
    let mut browser = Browser::default();
    let (action, fields) = apple.to_form_post(&mut browser, "n").await;
    let ended = browser.post(&action, fields.clone()).await;
    let Ended::App(params) = &ended else {
        panic!("ended on a page: {ended:?}");
    };
    assert!(!params.contains_key("code"), "{params:?}");
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("invalid_request")
    );
    assert!(params.contains_key("error_description"), "{params:?}");
    assert_eq!(params.get("state").map(String::as_str), Some("app-state"));
    assert_eq!(user_count(&apple.h, &apple.fp.pool).await, 0);
    let stats = apple.stats().await;
    assert_eq!(stats["client_secrets_refused"], 1, "{stats}");
    assert_eq!(stats["client_secrets_verified"], 0, "{stats}");
}
