//! External OIDC logins through `aws-sdk-cognitoidentity`, against a real issuer inside the
//! test (discovery + JWKS over HTTP on 127.0.0.1, RSA keys): identities by subject, the
//! issuer's default principal tags, role rules on its claims (STS), every refusal (audience,
//! expiry, forgery, alg none, HS256, unknown key, issuer mismatch, unsupported issuer), key
//! rotation picked up by the server's JWKS refetch, linking a second provider's login to an
//! identity, and ResourceConflictException for logins of two identities.

use crate::common;
use crate::identity_support;

use std::collections::BTreeSet;

use aws_sdk_cognitoidentity::types::{AmbiguousRoleResolutionType as Amb, MappingRuleMatchType};
use identity_support::oidc::{alg_none, hs256, modulus, tampered, OidcIssuer};
use identity_support::sts::{self, assert_vended, now_secs};
use identity_support::{assert_refused, role, rules_mapping, Env};
use latchkey::clock::ManualClock;
use latchkey::identity::jwks::REFETCH_EVERY;
use latchkey::userpool::{jwt, keys::SigningKey};
use latchkey_server::ServerOptions;
use serde_json::json;

const AUD: &str = "web-client";
const NA: &str = "NotAuthorizedException";
const INVALID_LOGIN: &str = "Invalid login token.";

/// An identity pool trusting the issuer (audience [`AUD`]) and the default user pool.
async fn pool_for(env: &Env, issuer: &OidcIssuer, allow_unauthenticated: bool) -> String {
    let provider = env.cognito_provider(false);
    env.create_pool("oidc", allow_unauthenticated, |b| {
        b.supported_login_providers(&issuer.name, AUD)
            .cognito_identity_providers(provider)
    })
    .await
}

async fn describe_logins(env: &Env, id: &str) -> BTreeSet<String> {
    let d = env.ci.describe_identity().identity_id(id).send().await;
    d.expect("DescribeIdentity")
        .logins()
        .iter()
        .cloned()
        .collect()
}

#[tokio::test]
async fn oidc_logins_map_to_identities_by_subject() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = pool_for(&env, &issuer, false).await;
    let name = issuer.name.as_str();
    let first = issuer.token("user-1", AUD);
    let id = env.identity(&pool, &[(name, &first)]).await;
    identity_support::assert_region_uuid(&id);
    let again = issuer.token("user-1", AUD);
    assert_ne!(first, again);
    assert_eq!(env.identity(&pool, &[(name, &again)]).await, id);
    // `aud` may be a list containing the client id.
    let mut listed = issuer.claims("user-1", AUD);
    listed.insert("aud".into(), json!(["someone-else", AUD]));
    let listed = issuer.sign(&listed);
    assert_eq!(env.identity(&pool, &[(name, &listed)]).await, id);
    let other = env
        .identity(&pool, &[(name, &issuer.token("user-2", AUD))])
        .await;
    assert_ne!(other, id);
    assert_eq!(
        describe_logins(&env, &id).await,
        BTreeSet::from([name.to_owned()])
    );

    let set = env
        .ci
        .set_principal_tag_attribute_map()
        .identity_pool_id(&pool);
    let set = set
        .identity_provider_name(name)
        .use_defaults(true)
        .send()
        .await;
    set.expect("SetPrincipalTagAttributeMap");
    let c = env
        .verified_open_id_token(&pool, &id, &[(name, &again)])
        .await;
    let amr = json!([
        "authenticated",
        name,
        format!("{name}:CognitoSignIn:user-1")
    ]);
    assert_eq!(c["amr"], amr);
    let tags = json!({"principal_tags": {"sub": ["user-1"], "aud": [AUD]}});
    assert_eq!(c["https://aws.amazon.com/tags"], tags);
    assert_eq!(issuer.jwks_fetches(), 1, "keys are cached between logins");
}

#[tokio::test]
async fn oidc_credentials_follow_rules_on_the_tokens_claims() {
    let Some(sts) = sts::require("oidc_credentials_follow_rules_on_the_tokens_claims") else {
        return;
    };
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = pool_for(&env, &issuer, false).await;
    let (eng, auth) = (role("OidcEngineer"), role("OidcAuth"));
    let rule = (
        "department",
        MappingRuleMatchType::Equals,
        "eng",
        eng.as_str(),
    );
    let rules = rules_mapping(&[rule], Amb::AuthenticatedRole);
    let mapping = vec![(issuer.name.clone(), rules)];
    env.set_roles(&pool, &[("authenticated", &auth)], mapping)
        .await;
    for (sub, dept, expected) in [("e1", "eng", &eng), ("s1", "sales", &auth)] {
        let mut c = issuer.claims(sub, AUD);
        c.insert("department".into(), json!(dept));
        let token = issuer.sign(&c);
        let login = [(issuer.name.as_str(), token.as_str())];
        let id = env.identity(&pool, &login).await;
        let out = env.credentials(&id, &login, None).await;
        assert_vended(&sts, &out.expect("credentials"), &id, expected).await;
    }
}

#[tokio::test]
async fn bad_oidc_tokens_are_refused() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let stranger = OidcIssuer::start().await;
    let pool = pool_for(&env, &issuer, true).await;
    let name = issuer.name.as_str();
    let good = issuer.token("victim", AUD);
    let id = env.identity(&pool, &[(name, &good)]).await;

    let mut expired = issuer.claims("victim", AUD);
    let exp = now_secs() - 60;
    expired.insert("exp".into(), json!(exp));
    let res = env.get_id(&pool, &[(name, &issuer.sign(&expired))]).await;
    assert_refused(
        res,
        NA,
        &format!("{INVALID_LOGIN} Token expired: {exp} >= "),
    );

    let mut forged = issuer.claims("victim", AUD);
    forged.insert("department".into(), json!("eng"));
    let mut wrong_iss = issuer.claims("victim", AUD);
    wrong_iss.insert("iss".into(), json!(stranger.issuer));
    let unpublished = SigningKey::generate().expect("RSA key");
    let secret = modulus(&serde_json::to_value(issuer.signer().jwk()).expect("a JWK serializes"));
    let cases = [
        ("wrong audience", issuer.token("victim", "other-client")),
        ("tampered payload", tampered(&good, &forged)),
        ("alg none", alg_none(&good)),
        ("HS256", hs256(&good, &secret)),
        (
            "unpublished key",
            jwt::encode(&unpublished, &issuer.claims("victim", AUD)),
        ),
        ("other issuer's iss", issuer.sign(&wrong_iss)),
        ("stranger's token", stranger.token("victim", AUD)),
        ("not a JWT", "not.a.jwt".to_owned()),
    ];
    for (what, token) in &cases {
        let login = [(name, token.as_str())];
        let e = assert_refused(env.get_id(&pool, &login).await, NA, INVALID_LOGIN);
        eprintln!("{what}: {}", e.message);
        assert_refused(env.credentials(&id, &login, None).await, NA, INVALID_LOGIN);
    }
    // The stranger's own name is not a provider of this pool.
    let res = env
        .get_id(&pool, &[(&stranger.name, &stranger.token("x", AUD))])
        .await;
    let unsupported = "Token is not from a supported provider of this identity pool.";
    assert_refused(res, NA, unsupported);
    // No identity was made or linked by any refusal.
    let list = env
        .ci
        .list_identities()
        .identity_pool_id(&pool)
        .max_results(10);
    let listed = list.send().await.expect("ListIdentities");
    assert_eq!(listed.identities().len(), 1);
    assert_eq!(
        describe_logins(&env, &id).await,
        BTreeSet::from([name.to_owned()])
    );
}

#[tokio::test]
async fn rotated_keys_are_picked_up_by_the_jwks_refetch() {
    // The cache ages by the server's clock, so the refetch interval passes without waiting.
    let clock = ManualClock::starting_now();
    let env = Env::start_with(ServerOptions::in_memory().with_clock(clock.clone())).await;
    let issuer = OidcIssuer::start().await;
    let pool = pool_for(&env, &issuer, false).await;
    let name = issuer.name.as_str();
    let before_rotation = issuer.token("rotating-user", AUD);
    let id = env.identity(&pool, &[(name, &before_rotation)]).await;
    assert_eq!(issuer.jwks_fetches(), 1);

    let new_kid = issuer.rotate(false);
    let after_rotation = issuer.token("rotating-user", AUD);
    assert_eq!(common::kid_of(&after_rotation), new_kid);
    let res = env.get_id(&pool, &[(name, &after_rotation)]).await;
    // Within the refetch interval an unknown kid does not reach the issuer again.
    assert_refused(res, NA, INVALID_LOGIN);
    assert_eq!(issuer.jwks_fetches(), 1, "refetches are rate-limited");
    clock.advance(REFETCH_EVERY);
    let res = env.get_id(&pool, &[(name, &after_rotation)]).await;
    let got = res.expect("the new key is accepted after the refetch");
    assert_eq!(
        got.identity_id(),
        Some(id.as_str()),
        "same subject, same identity"
    );
    assert_eq!(issuer.jwks_fetches(), 2);
    // The old key left the JWKS, so its (unexpired) tokens are no longer believed.
    let res = env.get_id(&pool, &[(name, &before_rotation)]).await;
    assert_refused(res, NA, INVALID_LOGIN);

    // Rotation that keeps the old key published: both kids verify after one refetch.
    clock.advance(REFETCH_EVERY);
    issuer.rotate(true);
    let fetches = issuer.jwks_fetches();
    let newest = issuer.token("rotating-user", AUD);
    assert_eq!(env.identity(&pool, &[(name, &newest)]).await, id);
    assert_eq!(env.identity(&pool, &[(name, &after_rotation)]).await, id);
    assert_eq!(issuer.jwks_fetches(), fetches + 1);
}

#[tokio::test]
async fn a_second_providers_login_links_to_the_same_identity() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = pool_for(&env, &issuer, false).await;
    let (up, name) = (env.provider(), issuer.name.clone());
    let alice = env.id_token("alice").await;
    let id = env.identity(&pool, &[(&up, &alice)]).await;
    let oidc = issuer.token("alice-at-idp", AUD);
    let both = [
        (up.as_str(), alice.as_str()),
        (name.as_str(), oidc.as_str()),
    ];
    assert_eq!(env.identity(&pool, &both).await, id);
    let expected = BTreeSet::from([up.clone(), name.clone()]);
    assert_eq!(describe_logins(&env, &id).await, expected);
    // Either login alone now finds the identity and may use it.
    let oidc_only = [(name.as_str(), oidc.as_str())];
    assert_eq!(env.identity(&pool, &oidc_only).await, id);
    env.verified_open_id_token(&pool, &id, &oidc_only).await;

    // A credential call with a new login beside an owned one links it too.
    let third = issuer.token("alice-second-account", AUD);
    let with_third = [
        (up.as_str(), alice.as_str()),
        (name.as_str(), third.as_str()),
    ];
    env.verified_open_id_token(&pool, &id, &with_third).await;
    assert_eq!(env.identity(&pool, &[(&name, &third)]).await, id);
}

#[tokio::test]
async fn logins_of_two_identities_conflict() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = pool_for(&env, &issuer, false).await;
    let (up, name) = (env.provider(), issuer.name.clone());
    let alice = env.id_token("alice").await;
    let alice_id = env.identity(&pool, &[(&up, &alice)]).await;
    let stranger = issuer.token("someone-else", AUD);
    let stranger_id = env.identity(&pool, &[(&name, &stranger)]).await;
    assert_ne!(alice_id, stranger_id);
    let both = [
        (up.as_str(), alice.as_str()),
        (name.as_str(), stranger.as_str()),
    ];
    let conflict = "ResourceConflictException";
    assert_refused(env.get_id(&pool, &both).await, conflict, "");
    assert_refused(env.open_id_token(&alice_id, &both).await, conflict, "");
    assert_refused(env.credentials(&alice_id, &both, None).await, conflict, "");
    // Neither identity changed.
    assert_eq!(
        describe_logins(&env, &alice_id).await,
        BTreeSet::from([up.clone()])
    );
    assert_eq!(
        describe_logins(&env, &stranger_id).await,
        BTreeSet::from([name.clone()])
    );
    assert_eq!(
        env.identity(&pool, &[(&name, &stranger)]).await,
        stranger_id
    );
}

#[tokio::test]
async fn concurrent_first_logins_make_one_identity() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = pool_for(&env, &issuer, false).await;
    let token = issuer.token("racer", AUD);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let req = env.ci.get_id().identity_pool_id(&pool);
        let req = req.logins(&issuer.name, &token);
        set.spawn(async move { req.send().await });
    }
    let mut ids = BTreeSet::new();
    while let Some(done) = set.join_next().await {
        let out = done.expect("task").expect("GetId");
        ids.insert(out.identity_id().expect("IdentityId").to_owned());
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    let list = env
        .ci
        .list_identities()
        .identity_pool_id(&pool)
        .max_results(60);
    let listed = list.send().await.expect("ListIdentities");
    assert_eq!(listed.identities().len(), 1);
}
