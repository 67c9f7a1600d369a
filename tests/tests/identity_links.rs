//! Managing the links between logins and identities through `aws-sdk-cognitoidentity`:
//! LookupDeveloperIdentity (by identity, by developer user, both, in pages),
//! MergeDeveloperIdentities (logins move, the source identity goes; conflicts refused),
//! UnlinkDeveloperIdentity and UnlinkIdentity (a freed login maps to a new identity; an
//! identity without logins becomes inaccessible), DeleteIdentities, and AllowClassicFlow's
//! effect on GetOpenIdToken.

use crate::identity_support;

use identity_support::oidc::OidcIssuer;
use identity_support::{assert_forbidden, assert_refused, Env};

const DEV: &str = "login.example.backend";

async fn dev_pool(env: &Env, issuer: &OidcIssuer) -> String {
    env.create_pool("links", false, |b| {
        b.developer_provider_name(DEV)
            .supported_login_providers(&issuer.name, "web")
    })
    .await
}

/// GetOpenIdTokenForDeveloperIdentity for `user` with extra logins: the IdentityId.
async fn dev_identity(env: &Env, pool: &str, user: &str, extra: &[(&str, &str)]) -> String {
    let mut req = env
        .ci
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(pool)
        .logins(DEV, user);
    for (k, v) in extra {
        req = req.logins(*k, *v);
    }
    let out = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetOpenIdTokenForDeveloperIdentity {user}: {e:?}"));
    out.identity_id().expect("IdentityId").to_owned()
}

async fn lookup_user(env: &Env, pool: &str, user: &str) -> String {
    let out = env
        .ci
        .lookup_developer_identity()
        .identity_pool_id(pool)
        .developer_user_identifier(user)
        .send()
        .await
        .unwrap_or_else(|e| panic!("LookupDeveloperIdentity {user}: {e:?}"));
    out.identity_id().expect("IdentityId").to_owned()
}

#[tokio::test]
async fn lookup_finds_identities_and_developer_users_in_pages() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = dev_pool(&env, &issuer).await;
    let a = dev_identity(&env, &pool, "alice", &[]).await;
    let b = dev_identity(&env, &pool, "bob", &[]).await;
    assert_eq!(lookup_user(&env, &pool, "alice").await, a);
    // Two developer users on one identity (merged), listed a page at a time.
    let merged = env
        .ci
        .merge_developer_identities()
        .identity_pool_id(&pool)
        .developer_provider_name(DEV)
        .source_user_identifier("bob")
        .destination_user_identifier("alice")
        .send()
        .await
        .expect("MergeDeveloperIdentities");
    assert_eq!(merged.identity_id(), Some(a.as_str()));
    let mut users = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = env
            .ci
            .lookup_developer_identity()
            .identity_pool_id(&pool)
            .identity_id(&a)
            .max_results(1)
            .set_next_token(next.clone())
            .send()
            .await
            .expect("LookupDeveloperIdentity page");
        assert_eq!(out.identity_id(), Some(a.as_str()));
        users.extend(out.developer_user_identifier_list().iter().cloned());
        next = out.next_token().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    assert_eq!(users, ["alice", "bob"]);
    assert_eq!(lookup_user(&env, &pool, "bob").await, a);
    // The merged-away identity is gone.
    let res = env.ci.describe_identity().identity_id(&b).send().await;
    assert_refused(res, "ResourceNotFoundException", "Identity '");
}

#[tokio::test]
async fn lookup_with_a_mismatched_pair_is_a_conflict() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = dev_pool(&env, &issuer).await;
    let _a = dev_identity(&env, &pool, "alice", &[]).await;
    let b = dev_identity(&env, &pool, "bob", &[]).await;
    let res = env
        .ci
        .lookup_developer_identity()
        .identity_pool_id(&pool)
        .identity_id(&b)
        .developer_user_identifier("alice")
        .send()
        .await;
    assert_refused(res, "ResourceConflictException", "");
    let res = env
        .ci
        .lookup_developer_identity()
        .identity_pool_id(&pool)
        .developer_user_identifier("nobody")
        .send()
        .await;
    assert_refused(res, "ResourceNotFoundException", "");
}

#[tokio::test]
async fn merging_identities_with_two_users_of_one_provider_is_a_conflict() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = dev_pool(&env, &issuer).await;
    let name = issuer.name.clone();
    dev_identity(
        &env,
        &pool,
        "alice",
        &[(&name, &issuer.token("o-1", "web"))],
    )
    .await;
    dev_identity(&env, &pool, "bob", &[(&name, &issuer.token("o-2", "web"))]).await;
    let res = env
        .ci
        .merge_developer_identities()
        .identity_pool_id(&pool)
        .developer_provider_name(DEV)
        .source_user_identifier("bob")
        .destination_user_identifier("alice")
        .send()
        .await;
    assert_refused(res, "ResourceConflictException", "");
    assert_ne!(
        lookup_user(&env, &pool, "alice").await,
        lookup_user(&env, &pool, "bob").await,
        "nothing moved"
    );
}

#[tokio::test]
async fn merging_under_another_developer_provider_is_refused() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = dev_pool(&env, &issuer).await;
    dev_identity(&env, &pool, "alice", &[]).await;
    dev_identity(&env, &pool, "bob", &[]).await;
    let res = env
        .ci
        .merge_developer_identities()
        .identity_pool_id(&pool)
        .developer_provider_name("login.other")
        .source_user_identifier("bob")
        .destination_user_identifier("alice")
        .send()
        .await;
    assert_refused(
        res,
        "NotAuthorizedException",
        "This identity pool does not support",
    );
}

#[tokio::test]
async fn merged_logins_follow_the_destination() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = dev_pool(&env, &issuer).await;
    let name = issuer.name.clone();
    let a = dev_identity(&env, &pool, "alice", &[]).await;
    let b = dev_identity(&env, &pool, "bob", &[(&name, &issuer.token("o-2", "web"))]).await;
    env.ci
        .merge_developer_identities()
        .identity_pool_id(&pool)
        .developer_provider_name(DEV)
        .source_user_identifier("bob")
        .destination_user_identifier("alice")
        .send()
        .await
        .expect("merge");
    // Bob's OIDC login now opens Alice's identity; his old identity is gone.
    let oidc = issuer.token("o-2", "web");
    assert_eq!(env.identity(&pool, &[(&name, &oidc)]).await, a);
    env.verified_open_id_token(&pool, &a, &[(&name, &oidc)])
        .await;
    let res = env.open_id_token(&b, &[(&name, &oidc)]).await;
    assert_refused(res, "ResourceNotFoundException", "");
}

#[tokio::test]
async fn unlinking_the_last_developer_user_makes_the_identity_inaccessible() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = dev_pool(&env, &issuer).await;
    let a = dev_identity(&env, &pool, "alice", &[]).await;
    let wrong = env
        .ci
        .unlink_developer_identity()
        .identity_pool_id(&pool)
        .identity_id(&a)
        .developer_provider_name(DEV)
        .developer_user_identifier("bob")
        .send()
        .await;
    assert_refused(wrong, "ResourceConflictException", "");
    env.ci
        .unlink_developer_identity()
        .identity_pool_id(&pool)
        .identity_id(&a)
        .developer_provider_name(DEV)
        .developer_user_identifier("alice")
        .send()
        .await
        .expect("UnlinkDeveloperIdentity");
    let d = env.ci.describe_identity().identity_id(&a).send().await;
    assert!(d.expect("DescribeIdentity").logins().is_empty());
    assert_forbidden(env.open_id_token(&a, &[]).await, &a);
    // Alice is a new user the next time she is seen.
    assert_ne!(dev_identity(&env, &pool, "alice", &[]).await, a);
}

#[tokio::test]
async fn unlink_identity_frees_a_provider_login() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = dev_pool(&env, &issuer).await;
    let name = issuer.name.clone();
    let oidc = issuer.token("o-1", "web");
    let a = dev_identity(&env, &pool, "alice", &[(&name, &oidc)]).await;
    // Logins of someone else do not prove the identity.
    let stranger = issuer.token("o-9", "web");
    let res = env
        .ci
        .unlink_identity()
        .identity_id(&a)
        .logins(&name, &stranger)
        .logins_to_remove(&name)
        .send()
        .await;
    assert_forbidden(res, &a);
    env.ci
        .unlink_identity()
        .identity_id(&a)
        .logins(&name, &oidc)
        .logins_to_remove(&name)
        .send()
        .await
        .expect("UnlinkIdentity");
    let d = env.ci.describe_identity().identity_id(&a).send().await;
    assert_eq!(d.expect("DescribeIdentity").logins(), [DEV]);
    // The freed OIDC login is a new identity now; the developer user still finds Alice's.
    assert_ne!(env.identity(&pool, &[(&name, &oidc)]).await, a);
    assert_eq!(lookup_user(&env, &pool, "alice").await, a);
}

#[tokio::test]
async fn delete_identities_removes_them_and_frees_their_logins() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = dev_pool(&env, &issuer).await;
    let a = dev_identity(&env, &pool, "alice", &[]).await;
    let b = dev_identity(&env, &pool, "bob", &[]).await;
    let missing = "us-east-1:00000000-0000-0000-0000-00000000dead";
    let out = env
        .ci
        .delete_identities()
        .identity_ids_to_delete(&a)
        .identity_ids_to_delete(&b)
        .identity_ids_to_delete(missing)
        .send()
        .await
        .expect("DeleteIdentities");
    assert!(out.unprocessed_identity_ids().is_empty());
    for id in [&a, &b] {
        let res = env.ci.describe_identity().identity_id(id).send().await;
        assert_refused(res, "ResourceNotFoundException", "");
    }
    let again = dev_identity(&env, &pool, "alice", &[]).await;
    assert_ne!(again, a);
}

#[tokio::test]
async fn classic_flow_set_to_false_refuses_get_open_id_token() {
    let env = Env::start().await;
    let off = env
        .create_pool("classic_off", true, |b| b.allow_classic_flow(false))
        .await;
    let guest = env.identity(&off, &[]).await;
    let res = env.open_id_token(&guest, &[]).await;
    assert_refused(
        res,
        "InvalidParameterException",
        "Basic (classic) flow is not enabled, please use enhanced flow.",
    );
    // Never set: allowed, as on Cognito (aws/aws-cli#7652); guests keep working.
    let unset = env.create_pool("classic_unset", true, |b| b).await;
    let guest = env.identity(&unset, &[]).await;
    let c = env.verified_open_id_token(&unset, &guest, &[]).await;
    assert_eq!(c["amr"], serde_json::json!(["unauthenticated"]));
}
