//! Federated sign-in to a user pool through the social providers Cognito names: Sign in with
//! Apple, Facebook and Login with Amazon, each played on loopback at its real paths and
//! reached through `LATCHKEY_PROVIDER_ENDPOINTS`, the whole redirect flow run by a
//! hand-played browser.
//!
//! - Sign in with Apple: the real OpenID Connect provider (panva's oidc-provider,
//!   `oidc_idp.mjs --preset apple`) at `https://appleid.apple.com`, answering by form post
//!   with the `user` field on the first sign-in, and verifying Latchkey's ES256 client secret
//!   with the public half of the key the pool was configured with.
//! - Facebook (Graph API) and Login with Amazon (profile API): `social_idp.mjs`, OAuth 2.0
//!   with opaque access tokens; the user's attributes come from the profile request.
//! - A profile endpoint that refuses the token: the app hears an error, no user is made.

use crate::common::{attr, Harness};
use crate::federation_support::node_idp::{self, NodeIdp};
use crate::federation_support::social::{
    details, free_port, harness_moving, social_pool, AppleKey, SocialIdp,
};
use crate::federation_support::{
    authorize_url, form_post_of, Browser, Ended, FederatedPool, APP_REDIRECT,
};
use crate::real_clients::{clients_present, repo_root};
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType, UserStatusType};
use serde_json::{Map, Value};

/// The tokens the app gets for the code `ended` brought it (public client), as the ID
/// token's claims.
async fn id_token_claims(h: &Harness, client: &str, ended: &Ended) -> Map<String, Value> {
    let code = match ended {
        Ended::App(params) => params
            .get("code")
            .unwrap_or_else(|| panic!("no code at the app: {params:?}"))
            .clone(),
        Ended::Page(status, body) => panic!("ended on a page ({status}): {body}"),
    };
    let resp = h
        .http
        .post(format!("{}/oauth2/token", h.url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", code.as_str()),
            ("redirect_uri", APP_REDIRECT),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(resp.status(), 200, "the app's code redeems");
    let tokens: Value = resp.json().await.expect("token JSON");
    assert!(tokens["access_token"].is_string() && tokens["refresh_token"].is_string());
    let id_token = tokens["id_token"].as_str().expect("id_token");
    latchkey::userpool::jwt::peek_claims(id_token).expect("claims")
}

/// Checks the federated user Cognito-style: `username`, `EXTERNAL_PROVIDER`, one primary
/// identity of `provider` (`provider_type`) for `user_id`, and membership of
/// `<pool>_<provider>` only; returns its attributes by name.
async fn assert_federated_user(
    h: &Harness,
    fp: &FederatedPool,
    username: &str,
    provider: &str,
    provider_type: &str,
    user_id: &str,
) -> std::collections::HashMap<String, String> {
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&fp.pool)
        .username(username)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminGetUser {username}: {e:?}"));
    assert_eq!(user.user_status(), Some(&UserStatusType::ExternalProvider));
    assert!(user.enabled());
    let identities = attr(user.user_attributes(), "identities").expect("identities");
    let identities: Value = serde_json::from_str(identities).expect("identities JSON");
    let list = identities.as_array().expect("a list");
    assert_eq!(list.len(), 1, "{identities}");
    assert_eq!(list[0]["userId"], user_id);
    assert_eq!(list[0]["providerName"], provider);
    assert_eq!(list[0]["providerType"], provider_type);
    assert_eq!(list[0]["primary"], true);
    let groups = h
        .idp
        .admin_list_groups_for_user()
        .user_pool_id(&fp.pool)
        .username(username)
        .send()
        .await
        .expect("AdminListGroupsForUser");
    let names: Vec<&str> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, [format!("{}_{provider}", fp.pool)]);
    user.user_attributes()
        .iter()
        .filter_map(|a| Some((a.name().to_string(), a.value()?.to_string())))
        .collect()
}

/// How many users the pool has.
async fn user_count(h: &Harness, pool: &str) -> usize {
    let users = h.idp.list_users().user_pool_id(pool).send().await;
    users.expect("ListUsers").users().len()
}

/// The Apple test's team, key and user.
const APPLE_TEAM: &str = "A1B2C3D4E5";
const APPLE_KEY_ID: &str = "K9L8M7N6P5";
const APPLE_SUB: &str = "001802.4c3f7e1a9b2d4e6f8a0b1c2d3e4f5a6b.0735";

/// Sign in with Apple played by the real provider, and a pool offering it.
struct Apple {
    h: Harness,
    fp: FederatedPool,
    /// Where the player listens (its `/_apple/stats`).
    port: u16,
    _player: NodeIdp,
}

/// A server, Apple (with `extra` flags; it knows the team key the pool is configured with,
/// unless `pool_key` gives the pool another one), and a pool offering Apple with its
/// attributes mapped. None when oidc-provider is not installed.
async fn apple_setup(extra: &[&str], pool_key: Option<&AppleKey>) -> Option<Apple> {
    let modules = repo_root().join("tests/clients/node/node_modules/oidc-provider");
    if !clients_present("oidc-provider", &[modules, node_idp::script()]) {
        return None;
    }
    let port = free_port();
    let h = harness_moving(&["https://appleid.apple.com"], port).await;
    let key = AppleKey::generate();
    let port_flag = port.to_string();
    let mut flags = vec![
        "--preset",
        "apple",
        "--port",
        &port_flag,
        "--apple-public-key",
        &key.public_jwk,
        "--apple-key-id",
        APPLE_KEY_ID,
        "--apple-team-id",
        APPLE_TEAM,
    ];
    flags.extend_from_slice(extra);
    let player = NodeIdp::start_with(h.url(), APPLE_SUB, &flags);
    let provider_details = details(&[
        ("client_id", node_idp::CLIENT_ID),
        ("team_id", APPLE_TEAM),
        ("key_id", APPLE_KEY_ID),
        ("private_key", &pool_key.unwrap_or(&key).pem),
        ("authorize_scopes", "email name"),
    ]);
    let mapping = [
        ("email", "email"),
        ("email_verified", "email_verified"),
        ("name", "name"),
        ("given_name", "firstName"),
        ("family_name", "lastName"),
    ];
    let fp = social_pool(
        &h,
        "SignInWithApple",
        IdentityProviderTypeType::SignInWithApple,
        provider_details,
        &mapping,
    )
    .await;
    Some(Apple {
        h,
        fp,
        port,
        _player: player,
    })
}

impl Apple {
    /// What Apple saw: client secrets verified and refused, `user` fields posted.
    async fn stats(&self) -> Value {
        reqwest::get(format!("http://127.0.0.1:{}/_apple/stats", self.port))
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }

    /// A new browser's sign-in up to Apple's form post: its action and fields.
    async fn to_form_post(
        &self,
        browser: &mut Browser,
        nonce: &str,
    ) -> (String, Vec<(String, String)>) {
        let url = authorize_url(&self.h, &self.fp.client, "SignInWithApple", nonce);
        match browser.go(&url).await {
            Ended::Page(_, page) => form_post_of(&page)
                .unwrap_or_else(|| panic!("Apple did not answer with a form post: {page}")),
            other => panic!("Apple did not answer with a form post: {other:?}"),
        }
    }
}

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
    let ended = browser.post_form(&action, &fields).await;
    if let Ended::App(params) = &ended {
        assert_eq!(params.get("state").map(String::as_str), Some("app-state"));
    }
    let claims = id_token_claims(h, &fp.client, &ended).await;
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
    let claims = id_token_claims(h, &fp.client, &again.post_form(&action, &fields).await).await;
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

/// Facebook's app and user in the tests.
const FACEBOOK_APP: &str = "1204468963741186";
const FACEBOOK_SECRET: &str = "5b2f0e3c9a1d4e7f8a6b0c2d4e6f8a0b";
const FACEBOOK_USER: &str = "10158231134425187";
/// Login with Amazon's client and user.
const AMAZON_CLIENT: &str = "amzn1.application-oa2-client.8b3f4c2a1e6d4b9a";
const AMAZON_SECRET: &str = "3e9c1a7b5d2f4e6a8c0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f";
const AMAZON_USER: &str = "amzn1.account.AF2K7QW3XEXAMPLE4LZ6Q";

/// The hosts a provider's requests go to (moved to the player), its type, the player's
/// flags, and the `ProviderDetails` Latchkey is configured with.
struct Social {
    name: &'static str,
    kind: IdentityProviderTypeType,
    player: &'static str,
    hosts: &'static [&'static str],
    user_id: &'static str,
    details: &'static [(&'static str, &'static str)],
}

const FACEBOOK: Social = Social {
    name: "Facebook",
    kind: IdentityProviderTypeType::Facebook,
    player: "facebook",
    hosts: &["https://www.facebook.com", "https://graph.facebook.com"],
    user_id: FACEBOOK_USER,
    details: &[
        ("client_id", FACEBOOK_APP),
        ("client_secret", FACEBOOK_SECRET),
        ("authorize_scopes", "public_profile,email"),
        ("api_version", "v17.0"),
    ],
};

const AMAZON: Social = Social {
    name: "LoginWithAmazon",
    kind: IdentityProviderTypeType::LoginWithAmazon,
    player: "amazon",
    hosts: &["https://www.amazon.com", "https://api.amazon.com"],
    user_id: AMAZON_USER,
    details: &[
        ("client_id", AMAZON_CLIENT),
        ("client_secret", AMAZON_SECRET),
        ("authorize_scopes", "profile"),
    ],
};

/// A server, the player for `social` (with `extra` flags), and a pool offering the provider
/// with email and name mapped.
async fn social_setup(social: &Social, extra: &[&str]) -> (Harness, SocialIdp, FederatedPool) {
    let port = free_port();
    let h = harness_moving(social.hosts, port).await;
    let (client_id, secret) = (social.details[0].1, social.details[1].1);
    let mut flags = vec![
        "--client-id",
        client_id,
        "--client-secret",
        secret,
        "--user-id",
        social.user_id,
        "--name",
        "Ann Lee",
        "--email",
        "ann.lee@example.com",
    ];
    flags.extend_from_slice(extra);
    let idp = SocialIdp::start(social.player, port, h.url(), &flags);
    let fp = social_pool(
        &h,
        social.name,
        social.kind.clone(),
        details(social.details),
        &[("email", "email"), ("name", "name")],
    )
    .await;
    (h, idp, fp)
}

/// The whole flow for `social`: the user signed in, made Cognito-style, with its mapped
/// attributes; the player saw one code redeemed and one profile request.
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
    let claims = id_token_claims(&h, &fp.client, &ended).await;
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
    let claims = id_token_claims(&h, &fp.client, &again).await;
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
        let description = params.get("error_description").cloned().unwrap_or_default();
        assert!(!description.is_empty(), "{}: {params:?}", social.name);
        assert_eq!(params.get("state").map(String::as_str), Some("app-state"));
        assert_eq!(user_count(&h, &fp.pool).await, 0, "{}", social.name);
        let stats = idp.stats().await;
        assert_eq!(stats["codes_redeemed"], 1, "{}: {stats}", social.name);
        assert_eq!(stats["profile_requests"], 1, "{}: {stats}", social.name);
    }
}

#[tokio::test]
async fn an_apple_client_secret_signed_by_another_key_is_refused() {
    let not_the_teams = AppleKey::generate();
    let Some(apple) = apple_setup(&[], Some(&not_the_teams)).await else {
        return;
    };
    let mut browser = Browser::default();
    let (action, fields) = apple.to_form_post(&mut browser, "n").await;
    let ended = browser.post_form(&action, &fields).await;
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
        assert_declined("Apple", &browser.post_form(&action, &fields).await);
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
    let claims = id_token_claims(&h, &fp.client, &ended).await;
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
