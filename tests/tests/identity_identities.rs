//! Identities through `aws-sdk-cognitoidentity`: GetId (unauthenticated and per login),
//! DescribeIdentity, ListIdentities with MaxResults/NextToken, an unauthenticated identity
//! promoted by its first login, IdentityId validation, and UnlinkIdentity with logins the pool
//! cannot verify (SAML among them: not built). None needs STS.

use crate::identity_support;

use std::collections::BTreeSet;

use identity_support::{assert_refused, assert_region_uuid, Env};

const RNF: &str = "ResourceNotFoundException";
const INVALID: &str = "InvalidParameterException";

#[tokio::test]
async fn get_id_describe_identity_and_list_identities() {
    let env = Env::start().await;
    let pool = env.trusting_pool(true).await;
    let provider = env.provider();
    let mut ids = BTreeSet::new();
    for _ in 0..4 {
        let id = env.identity(&pool, &[]).await;
        assert_region_uuid(&id);
        assert!(
            ids.insert(id),
            "every unauthenticated GetId makes a new identity"
        );
    }
    let (alice, bob) = (env.id_token("alice").await, env.id_token("bob").await);
    let alice_id = env.identity(&pool, &[(&provider, &alice)]).await;
    let again = env.identity(&pool, &[(&provider, &alice)]).await;
    assert_eq!(alice_id, again, "the same login maps to the same identity");
    // A fresh sign-in (new token, same user) still maps to the same identity.
    let alice2 = env.sign_in("alice").await.0;
    assert_ne!(alice, alice2);
    assert_eq!(env.identity(&pool, &[(&provider, &alice2)]).await, alice_id);
    let bob_id = env.identity(&pool, &[(&provider, &bob)]).await;
    assert_ne!(alice_id, bob_id);
    let unauth = ids
        .iter()
        .next()
        .expect("an unauthenticated identity")
        .clone();
    ids.extend([alice_id.clone(), bob_id.clone()]);

    let d = env.ci.describe_identity().identity_id(&alice_id);
    let d = d.send().await.expect("DescribeIdentity");
    assert_eq!(d.identity_id(), Some(alice_id.as_str()));
    assert_eq!(d.logins(), std::slice::from_ref(&provider));
    let (created, modified) = (d.creation_date(), d.last_modified_date());
    assert!(created.expect("CreationDate") <= modified.expect("LastModifiedDate"));
    let d = env.ci.describe_identity().identity_id(&unauth);
    let d = d.send().await.expect("DescribeIdentity unauthenticated");
    assert!(d.logins().is_empty(), "{d:?}");
    let missing = "us-east-1:11111111-1111-4111-8111-111111111111";
    let d = env.ci.describe_identity().identity_id(missing).send().await;
    assert_refused(d, RNF, &format!("Identity '{missing}' not found."));

    let (mut listed, mut pages, mut token) = (Vec::new(), 0, None::<String>);
    loop {
        let page = env.ci.list_identities().identity_pool_id(&pool);
        let page = page.max_results(4).set_next_token(token.take());
        let page = page.send().await.expect("ListIdentities");
        assert_eq!(page.identity_pool_id(), Some(pool.as_str()));
        pages += 1;
        for i in page.identities() {
            let id = i.identity_id().expect("IdentityId").to_owned();
            let expected = if id == alice_id || id == bob_id { 1 } else { 0 };
            assert_eq!(i.logins().len(), expected, "{i:?}");
            listed.push(id);
        }
        match page.next_token() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!((pages, listed.len()), (2, 6), "{listed:?}");
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), ids);
    let other = env.trusting_pool(true).await;
    let page = env
        .ci
        .list_identities()
        .identity_pool_id(&other)
        .max_results(10);
    let page = page.send().await.expect("ListIdentities of an empty pool");
    assert!(page.identities().is_empty() && page.next_token().is_none());
    for bad in [0, 61] {
        let list = env
            .ci
            .list_identities()
            .identity_pool_id(&pool)
            .max_results(bad);
        assert_refused(list.send().await, INVALID, "1 validation error detected");
    }
}

#[tokio::test]
async fn unverifiable_logins_neither_unlink_nor_touch_an_identity() {
    let env = Env::start().await;
    let pool = env.trusting_pool(true).await;
    let id = env.identity(&pool, &[]).await;
    // A provider the pool does not trust (a SAML provider ARN too: SAML is not built).
    let saml = "arn:aws:iam::123456789012:saml-provider/corp";
    for provider in ["x", saml] {
        let unlink = env.ci.unlink_identity().identity_id(&id);
        let unlink = unlink
            .logins(provider, "y")
            .logins_to_remove(provider)
            .send()
            .await;
        assert_refused(
            unlink,
            "NotAuthorizedException",
            "Token is not from a supported provider of this identity pool.",
        );
    }
    // The identity is untouched.
    let d = env.ci.describe_identity().identity_id(&id).send().await;
    assert_eq!(
        d.expect("DescribeIdentity").identity_id(),
        Some(id.as_str())
    );
}

#[tokio::test]
async fn an_unauthenticated_identity_is_promoted_by_its_first_login() {
    let env = Env::start().await;
    let pool = env.trusting_pool(true).await;
    let guest = env.identity(&pool, &[]).await;
    let token = env.id_token("late").await;
    let login = [(env.provider(), token)];
    let login: Vec<(&str, &str)> = login
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let c = env.verified_open_id_token(&pool, &guest, &login).await;
    assert_eq!(c["amr"][0], "authenticated");
    assert_eq!(
        env.identity(&pool, &login).await,
        guest,
        "the login now finds it"
    );
    let d = env.ci.describe_identity().identity_id(&guest).send().await;
    assert_eq!(d.expect("DescribeIdentity").logins(), [env.provider()]);
    // Now authenticated, it needs its login.
    identity_support::assert_forbidden(env.open_id_token(&guest, &[]).await, &guest);
}

#[tokio::test]
async fn malformed_identity_ids_are_invalid_parameters() {
    // Cognito validates IdentityId against `[\w-]+:[0-9a-f-]+` before looking it up.
    let env = Env::start().await;
    let res = env.ci.describe_identity().identity_id("abc").send().await;
    assert_refused(res, INVALID, "1 validation error detected");
    let res = env.credentials("abc", &[], None).await;
    assert_refused(res, INVALID, "1 validation error detected");
    let res = env.open_id_token("us-east-1:not-hex!", &[]).await;
    assert_refused(res, INVALID, "1 validation error detected");
}
