//! Federated sign-in to a user pool through Facebook and Login with Amazon (OAuth 2.0 with
//! opaque access tokens; the user's attributes come from the Graph API or the profile API),
//! each played on loopback at its real paths by `tests/clients/node/social_idp.mjs` and
//! reached through `LATCHKEY_PROVIDER_ENDPOINTS`, the whole redirect flow run by a
//! hand-played browser; and what every social provider (Apple too) must refuse: a profile
//! endpoint that refuses the token, a token endpoint that refuses the code, a user who
//! declines, a `user` field that is not Apple's.

use crate::federation_support::apple::apple_setup;
use crate::federation_support::social::{
    assert_federated_user, social_setup, user_count, Social, AMAZON, FACEBOOK, FACEBOOK_USER,
};
use crate::federation_support::{authorize_url, redeem, Browser, Ended};
use crate::real_clients::clients_present;
use serde_json::Value;

/// The whole flow for `social`, twice: the user signed in and made Cognito-style with its
/// mapped attributes, then signed in again as the same user; the player saw each code
/// redeemed once and a profile request per sign-in. Returns the player's stats (Null when
/// node's player is missing).
async fn signs_a_user_in(social: &Social) -> Value {
    if !clients_present("node", &[crate::federation_support::social::script()]) {
        return Value::Null;
    }
    let (h, idp, fp) = social_setup(social, &[]).await;
    let nonce = format!("{}-n", social.player);
    let ended = Browser::default()
        .go(&authorize_url(&h, &fp.client, social.name, &nonce))
        .await;
    if let Ended::App(params) = &ended {
        assert_eq!(params.get("state").map(String::as_str), Some("app-state"));
    }
    let claims = redeem(&h, &fp.client, &ended).await;
    let username = format!("{}_{}", social.name.to_lowercase(), social.user_id);
    assert_eq!(claims["cognito:username"], username.as_str());
    assert_eq!(claims["nonce"], nonce.as_str());
    assert_eq!(claims["email"], "ann.lee@example.com");
    assert_eq!(claims["email_verified"], false, "no verified flag mapped");
    assert_eq!(claims["name"], "Ann Lee");
    assert_eq!(claims["identities"][0]["providerName"], social.name);
    assert_eq!(claims["identities"][0]["userId"], social.user_id);
    let attrs =
        assert_federated_user(&h, &fp, &username, social.name, social.name, social.user_id).await;
    assert_eq!(attrs["email"], "ann.lee@example.com");
    assert_eq!(attrs["name"], "Ann Lee");

    // A returning user signs in as the same user.
    let again = Browser::default()
        .go(&authorize_url(&h, &fp.client, social.name, "again"))
        .await;
    let claims = redeem(&h, &fp.client, &again).await;
    assert_eq!(claims["cognito:username"], username.as_str());
    assert_eq!(user_count(&h, &fp.pool).await, 1);
    let stats = idp.stats().await;
    assert_eq!(stats["codes_issued"], 2, "{stats}");
    assert_eq!(stats["codes_redeemed"], 2, "{stats}");
    assert_eq!(stats["token_refusals"], 0, "{stats}");
    assert_eq!(stats["profile_requests"], 2, "{stats}");
    stats
}

#[tokio::test]
async fn facebook_signs_a_user_in_through_the_graph_api() {
    let stats = signs_a_user_in(&FACEBOOK).await;
    if stats.is_null() {
        return;
    }
    // The Graph API answers only the fields asked for: the id and every mapped one.
    assert_eq!(
        stats["profile_fields"],
        serde_json::json!(["email", "id", "name"])
    );
}

#[tokio::test]
async fn login_with_amazon_signs_a_user_in_through_its_profile_api() {
    signs_a_user_in(&AMAZON).await;
}

#[tokio::test]
async fn a_refused_profile_request_sends_the_app_an_error_and_makes_no_user() {
    if !clients_present("node", &[crate::federation_support::social::script()]) {
        return;
    }
    for social in [&FACEBOOK, &AMAZON] {
        let (h, idp, fp) = social_setup(social, &["--refuse-profile"]).await;
        let ended = Browser::default()
            .go(&authorize_url(&h, &fp.client, social.name, "n"))
            .await;
        let Ended::App(params) = &ended else {
            panic!("{}: ended on a page: {ended:?}", social.name);
        };
        assert!(!params.contains_key("code"), "{}: {params:?}", social.name);
        let error = params.get("error").map(String::as_str);
        assert_eq!(error, Some("server_error"), "{}: {params:?}", social.name);
        let description = params.get("error_description").map(String::as_str);
        // The provider answered: it refused, it was not out of reach.
        let refused = Some("The identity provider refused the request.");
        assert_eq!(description, refused, "{}: {params:?}", social.name);
        assert_eq!(params.get("state").map(String::as_str), Some("app-state"));
        assert_eq!(user_count(&h, &fp.pool).await, 0, "{}", social.name);
        let stats = idp.stats().await;
        assert_eq!(stats["codes_redeemed"], 1, "{}: {stats}", social.name);
        assert_eq!(stats["profile_requests"], 1, "{}: {stats}", social.name);
    }
}

#[tokio::test]
async fn a_token_endpoint_that_refuses_the_code_sends_the_app_an_error_and_makes_no_user() {
    if !clients_present("node", &[crate::federation_support::social::script()]) {
        return;
    }
    // The provider knows another secret than the pool's: it refuses the token request, in its
    // own shape (Facebook's nested Graph error, Amazon's RFC 6749 one).
    for social in [&FACEBOOK, &AMAZON] {
        let (h, idp, fp) = social_setup(social, &["--client-secret", "rotated-secret"]).await;
        let ended = Browser::default()
            .go(&authorize_url(&h, &fp.client, social.name, "n"))
            .await;
        let Ended::App(params) = &ended else {
            panic!("{}: ended on a page: {ended:?}", social.name);
        };
        assert!(!params.contains_key("code"), "{}: {params:?}", social.name);
        let error = params.get("error").map(String::as_str);
        assert_eq!(
            error,
            Some("invalid_request"),
            "{}: {params:?}",
            social.name
        );
        assert!(params.contains_key("error_description"), "{params:?}");
        assert_eq!(params.get("state").map(String::as_str), Some("app-state"));
        assert_eq!(user_count(&h, &fp.pool).await, 0, "{}", social.name);
        let stats = idp.stats().await;
        assert_eq!(stats["token_refusals"], 1, "{}: {stats}", social.name);
        assert_eq!(stats["profile_requests"], 0, "{}: {stats}", social.name);
    }
}

/// Where a declined sign-in left the browser: the app, with `error=access_denied`, a
/// description, its own state, and no code.
fn assert_declined(who: &str, ended: &Ended) {
    let Ended::App(params) = ended else {
        panic!("{who}: ended on a page: {ended:?}");
    };
    assert!(!params.contains_key("code"), "{who}: {params:?}");
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("access_denied"),
        "{who}: {params:?}"
    );
    let description = params.get("error_description").cloned().unwrap_or_default();
    assert!(!description.is_empty(), "{who}: {params:?}");
    assert_eq!(params.get("state").map(String::as_str), Some("app-state"));
}

#[tokio::test]
async fn a_user_who_declines_at_the_provider_is_access_denied_at_the_app() {
    // Apple posts `error=user_cancelled_authorize` back.
    if let Some(apple) = apple_setup(&["--cancel"], None).await {
        let mut browser = Browser::default();
        let (action, fields) = apple.to_form_post(&mut browser, "n").await;
        assert!(fields
            .iter()
            .any(|(k, v)| k == "error" && v == "user_cancelled_authorize"));
        assert_declined("Apple", &browser.post(&action, fields.clone()).await);
        assert_eq!(user_count(&apple.h, &apple.fp.pool).await, 0);
        assert_eq!(apple.stats().await["client_secrets_verified"], 0);
    }
    if !clients_present("node", &[crate::federation_support::social::script()]) {
        return;
    }
    // Facebook and Amazon redirect back with `error=access_denied`.
    for social in [&FACEBOOK, &AMAZON] {
        let (h, idp, fp) = social_setup(social, &["--deny"]).await;
        let ended = Browser::default()
            .go(&authorize_url(&h, &fp.client, social.name, "n"))
            .await;
        assert_declined(social.name, &ended);
        assert_eq!(user_count(&h, &fp.pool).await, 0, "{}", social.name);
        assert_eq!(idp.stats().await["codes_issued"], 0, "{}", social.name);
    }
}

#[tokio::test]
async fn a_user_field_is_believed_from_apple_only() {
    // Apple's `user` field (name and email, unsigned) means something only in Apple's form
    // post. A Facebook user who did not share an email adds one, and a name, to the
    // provider's answer on its way back through their own browser: neither is believed.
    if !clients_present("node", &[crate::federation_support::social::script()]) {
        return;
    }
    let (h, _idp, fp) = social_setup(&FACEBOOK, &["--no-email"]).await;
    let at_latchkey = |u: &str| u.contains("/oauth2/idpresponse");
    let mut browser = Browser::default();
    let (_, answer) = browser
        .go_until(&authorize_url(&h, &fp.client, "Facebook", "n"), at_latchkey)
        .await;
    let answer = answer.expect("Facebook answered");
    // Without Facebook's `#_=_`, so the added field is in the query.
    let answer = answer.split('#').next().unwrap_or_default();
    assert!(answer.contains("code="), "{answer}");
    let forged = serde_json::json!({
        "name": {"firstName": "Mallory", "lastName": "Forged"},
        "email": "victim@example.com",
    })
    .to_string();
    let forged: String = url_encoded(&forged);
    let ended = browser.go(&format!("{answer}&user={forged}")).await;
    let claims = redeem(&h, &fp.client, &ended).await;
    assert_eq!(
        claims["cognito:username"],
        format!("facebook_{FACEBOOK_USER}")
    );
    assert!(claims.get("email").is_none(), "a forged email: {claims:?}");
    assert_eq!(claims["name"], "Ann Lee", "the Graph API's name");
    let attrs = assert_federated_user(
        &h,
        &fp,
        &format!("facebook_{FACEBOOK_USER}"),
        "Facebook",
        "Facebook",
        FACEBOOK_USER,
    )
    .await;
    assert!(!attrs.contains_key("email"), "{attrs:?}");
}

/// `text` percent-encoded for a query string.
fn url_encoded(text: &str) -> String {
    reqwest::Url::parse_with_params("http://x/", [("v", text)])
        .expect("URL")
        .query()
        .unwrap_or_default()
        .trim_start_matches("v=")
        .to_string()
}
