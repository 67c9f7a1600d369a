//! Every way GetId, GetCredentialsForIdentity and GetOpenIdToken refuse a user-pool login or
//! an identity, through `aws-sdk-cognitoidentity`: forged, alg none and HS256 tokens, expiry
//! (ManualClock), wrong audience, untrusted providers, unauthenticated access not allowed, an
//! authenticated identity used without its logins, Deny role resolution, no role configured,
//! and ServerSideTokenCheck after GlobalSignOut or AdminDisableUser. All refusals happen
//! before STS, so none of these needs it.

use crate::common;
use crate::identity_support;

use std::time::Duration;

use aws_sdk_cognitoidentity::types::{AmbiguousRoleResolutionType as Amb, MappingRuleMatchType};
use identity_support::oidc::{alg_none, hs256, modulus, tampered};
use identity_support::{assert_forbidden, assert_refused, claims, provider_name, role, Env};
use identity_support::{rules_mapping, token_mapping};
use latchkey::clock::{Clock, ManualClock};
use latchkey_server::ServerOptions;
use serde_json::json;

const NA: &str = "NotAuthorizedException";
const INVALID_LOGIN: &str = "Invalid login token.";
const UNSUPPORTED: &str = "Token is not from a supported provider of this identity pool.";
const NO_UNAUTH: &str = "Unauthenticated access is not supported for this identity pool.";

#[tokio::test]
async fn forged_alg_none_hs256_and_access_tokens_are_refused() {
    let env = Env::start().await;
    let pool = env.trusting_pool(false).await;
    env.set_roles(&pool, &[("authenticated", &role("Auth"))], vec![])
        .await;
    env.user("mallory").await;
    let (id_token, access_token) = env.sign_in("mallory").await;
    let provider = env.provider();
    let id = env.identity(&pool, &[(&provider, &id_token)]).await;

    let mut escalated = claims(&id_token);
    escalated.insert("cognito:preferred_role".into(), json!(role("Admin")));
    escalated.insert("sub".into(), json!("00000000-0000-4000-8000-000000000000"));
    let jwks = env.h.jwks(env.user_pool()).await;
    let kid = common::kid_of(&id_token);
    let secret = modulus(common::jwk_by_kid(&jwks, &kid));
    let forgeries = [
        ("tampered payload", tampered(&id_token, &escalated)),
        ("alg none", alg_none(&id_token)),
        (
            "HS256 keyed with the public modulus",
            hs256(&id_token, &secret),
        ),
        ("access token", access_token),
        ("not a JWT", "garbage".to_owned()),
    ];
    for (what, forged) in &forgeries {
        let login = [(provider.as_str(), forged.as_str())];
        let e = assert_refused(env.get_id(&pool, &login).await, NA, INVALID_LOGIN);
        eprintln!("{what}: {}", e.message);
        let res = env.credentials(&id, &login, None).await;
        assert_refused(res, NA, INVALID_LOGIN);
        assert_refused(env.open_id_token(&id, &login).await, NA, INVALID_LOGIN);
    }
    // The genuine token still works and nothing was linked by the attempts.
    let login = [(provider.as_str(), id_token.as_str())];
    assert_eq!(env.identity(&pool, &login).await, id);
    let d = env.ci.describe_identity().identity_id(&id).send().await;
    assert_eq!(
        d.expect("DescribeIdentity").logins(),
        std::slice::from_ref(&provider)
    );
}

#[tokio::test]
async fn expired_id_tokens_are_refused_with_their_exp_and_now() {
    let clock = ManualClock::starting_now();
    let env = Env::start_with(ServerOptions::in_memory().with_clock(clock.clone())).await;
    let pool = env.trusting_pool(false).await;
    let token = env.id_token("old").await;
    let provider = env.provider();
    let login = [(provider.as_str(), token.as_str())];
    let id = env.identity(&pool, &login).await;
    let exp = claims(&token)["exp"].as_i64().expect("exp");
    clock.advance(Duration::from_secs(3599));
    assert_eq!(env.identity(&pool, &login).await, id, "valid until exp");
    clock.advance(Duration::from_secs(1));
    let now = clock.now_secs();
    assert_eq!(now, exp, "the token's last second has passed");
    let expected = format!("{INVALID_LOGIN} Token expired: {exp} >= {now}");
    let e = assert_refused(env.get_id(&pool, &login).await, NA, &expected);
    assert_eq!(e.message, expected);
    let res = env.credentials(&id, &login, None).await;
    assert_refused(res, NA, &expected);
    assert_refused(env.open_id_token(&id, &login).await, NA, &expected);
    // A fresh sign-in at the new time is accepted and maps to the same identity.
    let fresh = env.sign_in("old").await.0;
    assert_eq!(env.identity(&pool, &[(&provider, &fresh)]).await, id);
}

#[tokio::test]
async fn tokens_for_another_app_client_are_refused() {
    let env = Env::start().await;
    let other_client = env.h.create_client(env.user_pool()).await;
    env.user("alice").await;
    let res = env.h.sign_in(&other_client, "alice").await;
    let token = res.id_token().expect("IdToken").to_owned();
    let provider = env.provider();
    let login = [(provider.as_str(), token.as_str())];
    let pool = env.trusting_pool(false).await;
    let e = assert_refused(env.get_id(&pool, &login).await, NA, INVALID_LOGIN);
    eprintln!("wrong audience: {}", e.message);
    // Listing that client too makes the same token acceptable.
    let both = [env.cognito_provider(false), {
        let p = aws_sdk_cognitoidentity::types::CognitoIdentityProvider::builder();
        p.provider_name(&provider).client_id(&other_client).build()
    }];
    let pool2 = env
        .create_pool("two_clients", false, |b| {
            b.set_cognito_identity_providers(Some(both.to_vec()))
        })
        .await;
    env.identity(&pool2, &login).await;
}

#[tokio::test]
async fn logins_from_untrusted_providers_are_refused() {
    let env = Env::start().await;
    let pool = env.trusting_pool(true).await;
    let (other_pool, other_client) = env.h.pool_and_client().await;
    env.h
        .confirmed_user(&other_pool, &other_client, "eve", "eve@example.com")
        .await;
    let eve = env.h.sign_in(&other_client, "eve").await;
    let eve = eve.id_token().expect("IdToken").to_owned();
    let untrusted = provider_name(&other_pool);
    let res = env.get_id(&pool, &[(&untrusted, &eve)]).await;
    let e = assert_refused(res, NA, UNSUPPORTED);
    assert_eq!(e.message, UNSUPPORTED);
    let res = env.get_id(&pool, &[("accounts.google.com", &eve)]).await;
    assert_refused(res, NA, UNSUPPORTED);
    // The untrusted pool's token presented under the trusted pool's name fails verification.
    let res = env.get_id(&pool, &[(&env.provider(), &eve)]).await;
    assert_refused(res, NA, INVALID_LOGIN);
    // A valid login alongside an untrusted one refuses the whole request.
    let good = env.id_token("alice").await;
    let mixed = [(env.provider(), good), (untrusted, eve)];
    let mixed: Vec<(&str, &str)> = mixed
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_refused(env.get_id(&pool, &mixed).await, NA, UNSUPPORTED);
    let list = env
        .ci
        .list_identities()
        .identity_pool_id(&pool)
        .max_results(10);
    let listed = list.send().await.expect("ListIdentities");
    assert!(
        listed.identities().is_empty(),
        "refusals create no identity"
    );
}

#[tokio::test]
async fn unauthenticated_access_needs_a_pool_that_allows_it() {
    let env = Env::start().await;
    let closed = env.trusting_pool(false).await;
    let e = assert_refused(env.get_id(&closed, &[]).await, NA, NO_UNAUTH);
    assert_eq!(e.message, NO_UNAUTH);
    // An unauthenticated identity made while allowed is refused once the pool closes.
    let open = env.trusting_pool(true).await;
    let (unauth, auth) = (role("Unauth"), role("Auth"));
    let roles = [
        ("authenticated", auth.as_str()),
        ("unauthenticated", &unauth),
    ];
    env.set_roles(&open, &roles, vec![]).await;
    let guest = env.identity(&open, &[]).await;
    env.verified_open_id_token(&open, &guest, &[]).await;
    let update = env.ci.update_identity_pool().identity_pool_id(&open);
    let update = update
        .identity_pool_name("closed now")
        .allow_unauthenticated_identities(false)
        .cognito_identity_providers(env.cognito_provider(false));
    update.send().await.expect("UpdateIdentityPool");
    assert_refused(env.credentials(&guest, &[], None).await, NA, NO_UNAUTH);
    assert_refused(env.open_id_token(&guest, &[]).await, NA, NO_UNAUTH);
}

#[tokio::test]
async fn an_authenticated_identity_needs_one_of_its_logins() {
    let env = Env::start().await;
    let pool = env.trusting_pool(true).await;
    env.set_roles(&pool, &[("authenticated", &role("Auth"))], vec![])
        .await;
    let (alice, bob) = (env.id_token("alice").await, env.id_token("bob").await);
    let provider = env.provider();
    let alice_id = env.identity(&pool, &[(&provider, &alice)]).await;
    env.identity(&pool, &[(&provider, &bob)]).await;
    assert_forbidden(env.credentials(&alice_id, &[], None).await, &alice_id);
    assert_forbidden(env.open_id_token(&alice_id, &[]).await, &alice_id);
    let bobs = [(provider.as_str(), bob.as_str())];
    assert_forbidden(env.credentials(&alice_id, &bobs, None).await, &alice_id);
    assert_forbidden(env.open_id_token(&alice_id, &bobs).await, &alice_id);
    let missing = "us-east-1:22222222-2222-4222-8222-222222222222";
    let res = env.open_id_token(missing, &bobs).await;
    assert_refused(res, "ResourceNotFoundException", "Identity");
}

#[tokio::test]
async fn deny_resolution_and_foreign_custom_roles_are_forbidden() {
    let env = Env::start().await;
    let (a, b) = (role("TieA"), role("TieB"));
    env.group("tie_a", Some(&a), Some(3)).await;
    env.group("tie_b", Some(&b), Some(3)).await;
    env.user("tied").await;
    env.add_to_group("tied", "tie_a").await;
    env.add_to_group("tied", "tie_b").await;
    env.user("loner").await;
    let provider = env.provider();
    let tied = env.sign_in("tied").await.0;
    let loner = env.sign_in("loner").await.0;
    let c = claims(&tied);
    assert!(
        c.get("cognito:preferred_role").is_none(),
        "a tie has no preferred role"
    );

    let token_pool = env.trusting_pool(false).await;
    let mapping = vec![(env.mapping_key(), token_mapping(Amb::Deny))];
    env.set_roles(&token_pool, &[("authenticated", &role("Auth"))], mapping)
        .await;
    for token in [&tied, &loner] {
        let login = [(provider.as_str(), token.as_str())];
        let id = env.identity(&token_pool, &login).await;
        assert_forbidden(env.credentials(&id, &login, None).await, &id);
    }
    let login = [(provider.as_str(), tied.as_str())];
    let id = env.identity(&token_pool, &login).await;
    let foreign = role("NotMine");
    let res = env.credentials(&id, &login, Some(&foreign)).await;
    assert_refused(res, NA, "");

    let rules_pool = env.trusting_pool(false).await;
    let rule = (
        "cognito:groups",
        MappingRuleMatchType::Contains,
        "admins",
        a.as_str(),
    );
    let mapping = vec![(env.mapping_key(), rules_mapping(&[rule], Amb::Deny))];
    env.set_roles(&rules_pool, &[("authenticated", &role("Auth"))], mapping)
        .await;
    let id = env.identity(&rules_pool, &login).await;
    assert_forbidden(env.credentials(&id, &login, None).await, &id);
}

#[tokio::test]
async fn a_pool_without_the_needed_role_is_misconfigured() {
    let env = Env::start().await;
    let pool = env.trusting_pool(true).await;
    let token = env.id_token("alice").await;
    let provider = env.provider();
    let login = [(provider.as_str(), token.as_str())];
    let id = env.identity(&pool, &login).await;
    let guest = env.identity(&pool, &[]).await;
    let code = "InvalidIdentityPoolConfigurationException";
    let message = "Invalid identity pool configuration. Check assigned IAM roles for this pool.";
    assert_refused(env.credentials(&id, &login, None).await, code, message);
    assert_refused(env.credentials(&guest, &[], None).await, code, message);
    env.set_roles(&pool, &[("authenticated", &role("Auth"))], vec![])
        .await;
    assert_refused(env.credentials(&guest, &[], None).await, code, message);
}

#[tokio::test]
async fn server_side_token_check_refuses_signed_out_and_disabled_users() {
    let env = Env::start().await;
    let checked = env.create_pool("checked", false, |b| {
        b.cognito_identity_providers(env.cognito_provider(true))
    });
    let checked = checked.await;
    let unchecked = env.trusting_pool(false).await;
    env.user("frank").await;
    let (token, access) = env.sign_in("frank").await;
    let provider = env.provider();
    let login = [(provider.as_str(), token.as_str())];
    let checked_id = env.identity(&checked, &login).await;
    let unchecked_id = env.identity(&unchecked, &login).await;

    let out = env
        .h
        .idp
        .global_sign_out()
        .access_token(&access)
        .send()
        .await;
    out.expect("GlobalSignOut");
    let e = assert_refused(env.get_id(&checked, &login).await, NA, INVALID_LOGIN);
    eprintln!("signed out: {}", e.message);
    assert_refused(
        env.open_id_token(&checked_id, &login).await,
        NA,
        INVALID_LOGIN,
    );
    // Without the check the signature is still valid until exp, as in Cognito.
    assert_eq!(env.identity(&unchecked, &login).await, unchecked_id);
    // A new session is accepted again, for the same identity.
    let fresh = env.sign_in("frank").await.0;
    let fresh_login = [(provider.as_str(), fresh.as_str())];
    assert_eq!(env.identity(&checked, &fresh_login).await, checked_id);

    let disable = env.h.idp.admin_disable_user().user_pool_id(env.user_pool());
    disable
        .username("frank")
        .send()
        .await
        .expect("AdminDisableUser");
    assert_refused(env.get_id(&checked, &fresh_login).await, NA, INVALID_LOGIN);
    assert_eq!(env.identity(&unchecked, &fresh_login).await, unchecked_id);
}

#[tokio::test]
async fn logins_keys_must_name_the_configured_provider_exactly() {
    // Cognito accepts a user-pool login only under a configured ProviderName
    // (`cognito-idp.{region}.amazonaws.com/{poolId}`), so one user has one identity.
    let env = Env::start().await;
    let pool = env.trusting_pool(false).await;
    let token = env.id_token("alice").await;
    let id = env.identity(&pool, &[(&env.provider(), &token)]).await;
    let user_pool = env.user_pool();
    for key in [
        format!("evil.example.com/{user_pool}"),
        format!("cognito-idp.eu-west-1.amazonaws.com/{user_pool}"),
    ] {
        let res = env.get_id(&pool, &[(&key, &token)]).await;
        assert_refused(res, NA, "");
    }
    // Latchkey's own issuer form names the same pool: if accepted, it is the same identity.
    let issuer_form = format!("{}/{user_pool}", env.url().trim_start_matches("http://"));
    if let Ok(out) = env.get_id(&pool, &[(&issuer_form, &token)]).await {
        assert_eq!(out.identity_id(), Some(id.as_str()), "{issuer_form}");
    }
    let list = env
        .ci
        .list_identities()
        .identity_pool_id(&pool)
        .max_results(10);
    let listed = list.send().await.expect("ListIdentities");
    assert_eq!(listed.identities().len(), 1, "one user, one identity");
}
