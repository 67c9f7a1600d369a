//! Federated sign-in to a user pool through an external OpenID Connect provider.
//!
//! - Through the real provider (panva's oidc-provider, run by the test) with the real
//!   openid-client as the app (`tests/clients/node/federation_openid_client.mjs`): the whole
//!   redirect flow, the federated user Cognito makes (username, identities, group, mapped
//!   attributes), a second sign-in, a replayed and a cross-browser provider answer refused.
//! - Through a scripted provider ([`scripted`]): every ID token a relying party must refuse
//!   (forged, `alg: none`, HS256, unknown key, wrong audience, issuer or nonce, expired) signs
//!   no one in, and the app hears `error=invalid_request`.
//! - Through the SDK: the user as AdminGetUser shows it, its group, attribute mapping applied
//!   again at the next sign-in, and a provider the client does not offer refused.

use crate::common::Harness;
use crate::federation_support::node_idp::{self, NodeIdp};
use crate::federation_support::scripted::{self, Answer, ScriptedIdp};
use crate::federation_support::{
    authorize_url, code_of, error_of, federated_pool, oidc_details, redeem, Browser, Ended,
    APP_REDIRECT, PROVIDER,
};
use crate::real_clients::{clients_present, repo_root, run_script};
use aws_sdk_cognitoidentityprovider::types::UserStatusType;

async fn scripted_pool(h: &Harness, idp: &ScriptedIdp) -> crate::federation_support::FederatedPool {
    let details = oidc_details(&idp.issuer, scripted::CLIENT_ID, scripted::CLIENT_SECRET);
    federated_pool(h, details, &[("email", "email"), ("name", "name")]).await
}

/// A server, the scripted provider, and a pool offering it.
async fn scripted_setup() -> (
    Harness,
    ScriptedIdp,
    crate::federation_support::FederatedPool,
) {
    let h = Harness::start().await;
    let idp = ScriptedIdp::start().await;
    let fp = scripted_pool(&h, &idp).await;
    (h, idp, fp)
}

/// How many users the pool has.
async fn user_count(h: &Harness, pool: &str) -> usize {
    let users = h.idp.list_users().user_pool_id(pool).send().await;
    users.expect("ListUsers").users().len()
}

#[tokio::test]
async fn a_scripted_provider_signs_a_federated_user_in() {
    let (h, _idp, fp) = scripted_setup().await;
    let mut browser = Browser::default();
    let ended = browser
        .go(&authorize_url(&h, &fp.client, PROVIDER, "n-1"))
        .await;
    let code = code_of(&ended).to_string();
    let Ended::App(params) = &ended else {
        unreachable!()
    };
    assert_eq!(params.get("state").map(String::as_str), Some("app-state"));
    let tokens: serde_json::Value = h
        .http
        .post(format!("{}/oauth2/token", h.url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", fp.client.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", APP_REDIRECT),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token JSON");
    let id_token = tokens["id_token"].as_str().expect("id_token");
    let claims = latchkey::userpool::jwt::peek_claims(id_token).expect("claims");
    let username = format!("myoidc_{}", scripted::SUBJECT);
    assert_eq!(claims["cognito:username"], username.as_str());
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["email"], "scripted@idp.example");
    assert_eq!(claims["email_verified"], false);
    assert_eq!(claims["identities"][0]["providerName"], PROVIDER);
    let group = format!("{}_{PROVIDER}", fp.pool);
    assert!(claims["cognito:groups"]
        .as_array()
        .is_some_and(|g| g.iter().any(|v| v == group.as_str())));

    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&fp.pool)
        .username(&username)
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(user.user_status(), Some(&UserStatusType::ExternalProvider));
    let identities = crate::common::attr(user.user_attributes(), "identities").expect("identities");
    let parsed: serde_json::Value = serde_json::from_str(identities).expect("identities JSON");
    assert_eq!(parsed[0]["userId"], scripted::SUBJECT);
    assert_eq!(parsed[0]["primary"], true);
    let members = h
        .idp
        .list_users_in_group()
        .user_pool_id(&fp.pool)
        .group_name(&group)
        .send()
        .await
        .expect("ListUsersInGroup");
    assert_eq!(members.users().len(), 1);
}

#[tokio::test]
async fn every_bad_id_token_is_refused() {
    let (h, idp, fp) = scripted_setup().await;
    for answer in [
        Answer::WrongAudience,
        Answer::Expired,
        Answer::WrongNonce,
        Answer::WrongIssuer,
        Answer::Tampered,
        Answer::AlgNone,
        Answer::Hs256,
        Answer::UnknownKey,
    ] {
        idp.answer(answer);
        let mut browser = Browser::default();
        let ended = browser
            .go(&authorize_url(&h, &fp.client, PROVIDER, "n"))
            .await;
        match ended {
            Ended::App(params) => {
                assert!(!params.contains_key("code"), "{answer:?} gave a code");
                assert_eq!(
                    params.get("error").map(String::as_str),
                    Some("invalid_request"),
                    "{answer:?}: {params:?}"
                );
                assert_eq!(params.get("state").map(String::as_str), Some("app-state"));
            }
            Ended::Page(status, body) => panic!("{answer:?}: a page ({status}): {body}"),
        }
    }
    assert_eq!(
        user_count(&h, &fp.pool).await,
        0,
        "a refused sign-in created a user"
    );
}

#[tokio::test]
async fn a_provider_answer_is_single_use_and_bound_to_its_browser() {
    let (h, _idp, fp) = scripted_setup().await;
    let at_latchkey = |u: &str| u.contains("/oauth2/idpresponse");
    // The provider's answer delivered by another browser (no binding cookie).
    let mut victim = Browser::default();
    let (_, answer) = victim
        .go_until(&authorize_url(&h, &fp.client, PROVIDER, "n"), at_latchkey)
        .await;
    let answer = answer.expect("the provider answered");
    let mut attacker = Browser::default();
    match attacker.go(&answer).await {
        Ended::Page(400, _) => {}
        other => panic!("another browser's answer: {other:?}"),
    }
    // Its own browser then finds the state used.
    match victim.go(&answer).await {
        Ended::Page(400, _) => {}
        other => panic!("a used state: {other:?}"),
    }
    // A fresh round trip in one browser works, once.
    let mut b = Browser::default();
    let (_, answer) = b
        .go_until(&authorize_url(&h, &fp.client, PROVIDER, "n"), at_latchkey)
        .await;
    let answer = answer.expect("the provider answered");
    code_of(&b.go(&answer).await);
    match b.go(&answer).await {
        Ended::Page(400, _) => {}
        other => panic!("a replayed answer: {other:?}"),
    }
}

#[tokio::test]
async fn providers_the_client_does_not_offer_are_refused() {
    let (h, _idp, fp) = scripted_setup().await;
    let mut browser = Browser::default();
    let ended = browser
        .go(&authorize_url(&h, &fp.client, "Google", "n"))
        .await;
    error_of(&ended);
}

#[tokio::test]
async fn the_real_oidc_provider_signs_users_in_through_openid_client() {
    let script = repo_root().join("tests/clients/node/federation_openid_client.mjs");
    let modules = repo_root().join("tests/clients/node/node_modules/oidc-provider");
    let what = "oidc-provider and openid-client";
    if !clients_present(what, &[modules, script.clone(), node_idp::script()]) {
        return;
    }
    let h = Harness::start().await;
    let idp = NodeIdp::start(h.url(), "alice");
    let details = oidc_details(&idp.issuer, node_idp::CLIENT_ID, node_idp::CLIENT_SECRET);
    let mapping = [
        ("email", "email"),
        ("email_verified", "email_verified"),
        ("name", "name"),
    ];
    let fp = federated_pool(&h, details, &mapping).await;
    let args: Vec<String> = [
        "--base",
        h.url(),
        "--pool-id",
        &fp.pool,
        "--client-id",
        &fp.client,
        "--redirect-uri",
        APP_REDIRECT,
        "--provider",
        PROVIDER,
        "--account",
        "alice",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut full = vec![script.display().to_string()];
    full.extend(args);
    let (ok, output) =
        tokio::task::spawn_blocking(move || run_script(std::path::Path::new("node"), &full))
            .await
            .expect("script thread");
    println!("{output}");
    assert!(ok, "federation_openid_client.mjs failed");
    assert!(output.contains("all federation checks passed"));
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&fp.pool)
        .username("myoidc_alice")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(user.user_status(), Some(&UserStatusType::ExternalProvider));
    let email = crate::common::attr(user.user_attributes(), "email");
    assert_eq!(email, Some("alice@idp.example"));
}

#[tokio::test]
async fn a_linked_identity_signs_in_as_its_native_user() {
    use aws_sdk_cognitoidentityprovider::types::ProviderUserIdentifierType as Who;
    let (h, _idp, fp) = scripted_setup().await;
    let native = "native-bob";
    h.idp
        .admin_create_user()
        .user_pool_id(&fp.pool)
        .username(native)
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
    let destination = Who::builder()
        .provider_name("Cognito")
        .provider_attribute_value(native)
        .build();
    let source = Who::builder()
        .provider_name(PROVIDER)
        .provider_attribute_name("Cognito_Subject")
        .provider_attribute_value(scripted::SUBJECT)
        .build();
    h.idp
        .admin_link_provider_for_user()
        .user_pool_id(&fp.pool)
        .destination_user(destination)
        .source_user(source)
        .send()
        .await
        .expect("AdminLinkProviderForUser");
    let ended = Browser::default()
        .go(&authorize_url(&h, &fp.client, PROVIDER, "n"))
        .await;
    let claims = redeem(&h, &fp.client, &ended).await;
    assert_eq!(claims["cognito:username"], native);
    // The mapped attributes land on the native user; no federated user was made.
    assert_eq!(user_count(&h, &fp.pool).await, 1);
}

#[tokio::test]
async fn the_login_page_offers_the_provider_and_identifiers_pick_it() {
    let (h, _idp, fp) = scripted_setup().await;
    h.idp
        .update_identity_provider()
        .user_pool_id(&fp.pool)
        .provider_name(PROVIDER)
        .idp_identifiers("example.com")
        .send()
        .await
        .expect("UpdateIdentityProvider");
    let login = format!(
        "{}/login?response_type=code&client_id={}&redirect_uri={APP_REDIRECT}&scope=openid",
        h.url(),
        fp.client
    );
    let page = h.http.get(&login).send().await.expect("login page");
    let html = page.text().await.expect("page");
    assert!(
        html.contains("identity_provider=MyOIDC"),
        "no provider button: {html}"
    );
    let by_identifier = authorize_url(&h, &fp.client, PROVIDER, "n")
        .replace("&identity_provider=MyOIDC", "&idp_identifier=example.com");
    let ended = Browser::default().go(&by_identifier).await;
    let claims = redeem(&h, &fp.client, &ended).await;
    assert_eq!(claims["identities"][0]["providerName"], PROVIDER);
    let unknown = authorize_url(&h, &fp.client, PROVIDER, "n").replace(
        "&identity_provider=MyOIDC",
        "&idp_identifier=nobody.example",
    );
    match Browser::default().go(&unknown).await {
        Ended::App(p) => assert_eq!(p.get("error").map(String::as_str), Some("invalid_request")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn mapped_attributes_are_rewritten_at_every_sign_in() {
    let (h, _idp, fp) = scripted_setup().await;
    let username = format!("myoidc_{}", scripted::SUBJECT);
    let first = Browser::default()
        .go(&authorize_url(&h, &fp.client, PROVIDER, "n"))
        .await;
    code_of(&first);
    h.idp
        .admin_update_user_attributes()
        .user_pool_id(&fp.pool)
        .username(&username)
        .user_attributes(crate::common::attribute("name", "Changed Locally"))
        .send()
        .await
        .expect("AdminUpdateUserAttributes");
    let again = Browser::default()
        .go(&authorize_url(&h, &fp.client, PROVIDER, "n"))
        .await;
    let claims = redeem(&h, &fp.client, &again).await;
    assert_eq!(claims["name"], "Scripted User", "the mapping wins again");
}

#[tokio::test]
async fn federated_sign_ins_fire_cognitos_triggers() {
    use crate::federation_support::offer_provider;
    use crate::trigger_support::{triggered_pool, TriggerServer};
    let h = Harness::start().await;
    let t = TriggerServer::start().await;
    let idp = ScriptedIdp::start().await;
    let triggers = [
        ("PreSignUp", t.at("record")),
        ("PostConfirmation", t.at("record")),
        ("PreTokenGeneration", t.at("record")),
    ];
    let pool = triggered_pool(&h, &triggers).await;
    let details = oidc_details(&idp.issuer, scripted::CLIENT_ID, scripted::CLIENT_SECRET);
    let mapping = [("email", "email")];
    let fp = offer_provider(&h, pool, details, &mapping, APP_REDIRECT).await;
    let ended = Browser::default()
        .go(&authorize_url(&h, &fp.client, PROVIDER, "n"))
        .await;
    code_of(&ended);
    let sources: Vec<String> = t
        .events("record")
        .iter()
        .map(|e| e["triggerSource"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        sources,
        [
            "PreSignUp_ExternalProvider",
            "PostConfirmation_ConfirmSignUp",
            "TokenGeneration_HostedAuth"
        ]
    );
    let pre = &t.events("record")[0];
    assert_eq!(pre["userName"], format!("myoidc_{}", scripted::SUBJECT));
    assert_eq!(
        pre["request"]["userAttributes"]["email"],
        "scripted@idp.example"
    );
    // A returning user: only the token trigger.
    Browser::default()
        .go(&authorize_url(&h, &fp.client, PROVIDER, "n"))
        .await;
    assert_eq!(t.events("record").len(), 4);
}

#[tokio::test]
async fn a_refusing_pre_sign_up_signs_no_one_in() {
    use crate::federation_support::offer_provider;
    use crate::trigger_support::{triggered_pool, TriggerServer};
    let h = Harness::start().await;
    let t = TriggerServer::start().await;
    let idp = ScriptedIdp::start().await;
    let pool = triggered_pool(&h, &[("PreSignUp", t.at("error"))]).await;
    let details = oidc_details(&idp.issuer, scripted::CLIENT_ID, scripted::CLIENT_SECRET);
    let fp = offer_provider(&h, pool, details, &[], APP_REDIRECT).await;
    match Browser::default()
        .go(&authorize_url(&h, &fp.client, PROVIDER, "n"))
        .await
    {
        Ended::App(p) => {
            assert_eq!(p.get("error").map(String::as_str), Some("invalid_request"));
            let said = p.get("error_description").cloned().unwrap_or_default();
            assert!(said.contains("Denied by test"), "{said}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(user_count(&h, &fp.pool).await, 0);
}

#[tokio::test]
async fn the_google_preset_signs_in_against_the_real_provider_playing_google() {
    use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType;
    use latchkey::config::ProviderEndpoints;
    use latchkey_server::ServerOptions;
    let modules = repo_root().join("tests/clients/node/node_modules/oidc-provider");
    if !clients_present("oidc-provider", &[modules, node_idp::script()]) {
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let here = format!("http://127.0.0.1:{port}");
    let moved = format!("https://accounts.google.com={here},https://www.googleapis.com={here}");
    let mut opts = ServerOptions::in_memory();
    opts.provider_endpoints = ProviderEndpoints::parse(&moved).expect("endpoints");
    let h = Harness::start_with(opts).await;
    let port_flag = port.to_string();
    let _google = NodeIdp::start_with(
        h.url(),
        "1173002",
        &["--preset", "google", "--port", &port_flag],
    );
    let pool = h.create_pool("google").await;
    let details = std::collections::HashMap::from([
        ("client_id".to_string(), node_idp::CLIENT_ID.to_string()),
        (
            "client_secret".to_string(),
            node_idp::CLIENT_SECRET.to_string(),
        ),
        (
            "authorize_scopes".to_string(),
            "openid email profile".to_string(),
        ),
    ]);
    h.idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(IdentityProviderTypeType::Google)
        .set_provider_details(Some(details))
        .attribute_mapping("email", "email")
        .attribute_mapping("email_verified", "email_verified")
        .send()
        .await
        .expect("CreateIdentityProvider (Google)");
    let client = {
        use aws_sdk_cognitoidentityprovider::types::OAuthFlowType;
        let mut c = h
            .idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("google-web")
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_flows_user_pool_client(true)
            .supported_identity_providers("Google")
            .callback_urls(APP_REDIRECT);
        for scope in ["openid", "email", "profile"] {
            c = c.allowed_o_auth_scopes(scope);
        }
        c.send()
            .await
            .expect("CreateUserPoolClient")
            .user_pool_client
            .and_then(|c| c.client_id)
            .expect("ClientId")
    };
    let ended = Browser::default()
        .go(&authorize_url(&h, &client, "Google", "g-nonce"))
        .await;
    let claims = redeem(&h, &client, &ended).await;
    assert_eq!(claims["cognito:username"], "google_1173002");
    assert_eq!(claims["email"], "1173002@idp.example");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["identities"][0]["providerType"], "Google");
}
