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
    authorize_url, federated_pool, oidc_details, Browser, Ended, APP_REDIRECT, PROVIDER,
};
use crate::real_clients::{clients_present, repo_root, run_script};
use aws_sdk_cognitoidentityprovider::types::UserStatusType;

async fn scripted_pool(h: &Harness, idp: &ScriptedIdp) -> crate::federation_support::FederatedPool {
    let details = oidc_details(&idp.issuer, scripted::CLIENT_ID, scripted::CLIENT_SECRET);
    federated_pool(h, details, &[("email", "email"), ("name", "name")]).await
}

fn code_of(ended: &Ended) -> &str {
    match ended {
        Ended::App(params) => params
            .get("code")
            .unwrap_or_else(|| panic!("no code at the app: {params:?}")),
        Ended::Page(status, body) => panic!("ended on a page ({status}): {body}"),
    }
}

#[tokio::test]
async fn a_scripted_provider_signs_a_federated_user_in() {
    let h = Harness::start().await;
    let idp = ScriptedIdp::start().await;
    let fp = scripted_pool(&h, &idp).await;
    let mut browser = Browser::default();
    let ended = browser
        .go(&authorize_url(&h, &fp.client, PROVIDER, "n-1"))
        .await;
    let code = code_of(&ended).to_string();
    let Ended::App(params) = &ended else { unreachable!() };
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
    let h = Harness::start().await;
    let idp = ScriptedIdp::start().await;
    let fp = scripted_pool(&h, &idp).await;
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
    let users = h
        .idp
        .list_users()
        .user_pool_id(&fp.pool)
        .send()
        .await
        .expect("ListUsers");
    assert!(users.users().is_empty(), "a refused sign-in created a user");
}

#[tokio::test]
async fn a_provider_answer_is_single_use_and_bound_to_its_browser() {
    let h = Harness::start().await;
    let idp = ScriptedIdp::start().await;
    let fp = scripted_pool(&h, &idp).await;
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
    let h = Harness::start().await;
    let idp = ScriptedIdp::start().await;
    let fp = scripted_pool(&h, &idp).await;
    let mut browser = Browser::default();
    let ended = browser
        .go(&authorize_url(&h, &fp.client, "Google", "n"))
        .await;
    match ended {
        Ended::App(params) => {
            assert_eq!(params.get("error").map(String::as_str), Some("invalid_request"));
            assert!(!params.contains_key("code"));
        }
        other => panic!("{other:?}"),
    }
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
