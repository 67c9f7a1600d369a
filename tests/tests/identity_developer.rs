//! Developer-authenticated identities through `aws-sdk-cognitoidentity`:
//! GetOpenIdTokenForDeveloperIdentity (identities by developer user id, the token's claims and
//! lifetime, linking to a given identity), the returned token used as the
//! `cognito-identity.amazonaws.com` login in GetOpenIdToken and GetCredentialsForIdentity
//! (STS on moto) and refused by GetId; LookupDeveloperIdentity, MergeDeveloperIdentities and
//! UnlinkDeveloperIdentity; each refusal its own test.

use crate::identity_support;

use identity_support::oidc::{tampered, OidcIssuer};
use identity_support::sts::{self, assert_vended};
use identity_support::{assert_forbidden, assert_refused, claims, role, Env};
use latchkey::clock::ManualClock;
use latchkey_server::ServerOptions;
use serde_json::json;
use std::time::Duration;

const DEV: &str = "login.example.backend";
const COGNITO: &str = "cognito-identity.amazonaws.com";
const NA: &str = "NotAuthorizedException";

/// A pool with developer provider [`DEV`] (and the OIDC issuer, audience `web`, when given).
async fn dev_pool(env: &Env, issuer: Option<&OidcIssuer>) -> String {
    env.create_pool("dev", false, |b| {
        let b = b.developer_provider_name(DEV);
        match issuer {
            Some(i) => b.supported_login_providers(&i.name, "web"),
            None => b,
        }
    })
    .await
}

/// GetOpenIdTokenForDeveloperIdentity for `user` (and `identity`): (IdentityId, Token).
async fn dev_token(env: &Env, pool: &str, user: &str, identity: Option<&str>) -> (String, String) {
    let out = env
        .ci
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(pool)
        .logins(DEV, user)
        .set_identity_id(identity.map(str::to_owned))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetOpenIdTokenForDeveloperIdentity {user}: {e:?}"));
    let id = out.identity_id().expect("IdentityId").to_owned();
    (id, out.token().expect("Token").to_owned())
}

#[tokio::test]
async fn developer_users_map_to_identities_and_tokens_carry_them() {
    let env = Env::start().await;
    let pool = dev_pool(&env, None).await;
    let out = env
        .ci
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(&pool)
        .logins(DEV, "user-1")
        .principal_tags("team", "blue")
        .token_duration(3000)
        .send()
        .await
        .expect("GetOpenIdTokenForDeveloperIdentity");
    let id = out.identity_id().expect("IdentityId").to_owned();
    identity_support::assert_region_uuid(&id);
    let c = claims(out.token().expect("Token"));
    assert_eq!(c["sub"], id.as_str());
    assert_eq!(c["aud"], pool.as_str());
    assert_eq!(c["iss"], format!("{}/cognito-identity", env.url()));
    let amr = json!(["authenticated", DEV, format!("{DEV}:{pool}:user-1")]);
    assert_eq!(c["amr"], amr);
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        3000
    );
    assert_eq!(
        c["https://aws.amazon.com/tags"],
        json!({"principal_tags": {"team": ["blue"]}})
    );
    // The default lifetime is 15 minutes; the same user gets the same identity.
    let (again, token) = dev_token(&env, &pool, "user-1", None).await;
    assert_eq!(again, id);
    let c = claims(&token);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 900);
    assert_ne!(dev_token(&env, &pool, "user-2", None).await.0, id);
    let d = env.ci.describe_identity().identity_id(&id).send().await;
    assert_eq!(d.expect("DescribeIdentity").logins(), [DEV]);
    // The token is a login for GetOpenIdToken (classic flow), carrying its amr on.
    let verified = env
        .verified_open_id_token(&pool, &id, &[(COGNITO, &token)])
        .await;
    assert_eq!(verified["amr"], amr);
}

#[tokio::test]
async fn developer_token_buys_credentials_for_its_identity() {
    let Some(sts) = sts::require("developer_token_buys_credentials_for_its_identity") else {
        return;
    };
    let env = Env::start().await;
    let pool = dev_pool(&env, None).await;
    let auth = role("Dev_Auth");
    env.set_roles(&pool, &[("authenticated", &auth)], vec![])
        .await;
    let (id, token) = dev_token(&env, &pool, "user-1", None).await;
    let out = env
        .credentials(&id, &[(COGNITO, &token)], None)
        .await
        .expect("GetCredentialsForIdentity with the developer token");
    assert_vended(&sts, &out, &id, &auth).await;
}

#[tokio::test]
async fn get_id_refuses_an_identity_token() {
    let env = Env::start().await;
    let pool = dev_pool(&env, None).await;
    let (_, token) = dev_token(&env, &pool, "user-1", None).await;
    let res = env.get_id(&pool, &[(COGNITO, &token)]).await;
    assert_refused(
        res,
        NA,
        "Invalid login token. Can't pass in a Cognito token.",
    );
}

#[tokio::test]
async fn identity_token_of_another_identity_is_forbidden() {
    let env = Env::start().await;
    let pool = dev_pool(&env, None).await;
    let (_, token_1) = dev_token(&env, &pool, "user-1", None).await;
    let (id_2, _) = dev_token(&env, &pool, "user-2", None).await;
    assert_forbidden(
        env.open_id_token(&id_2, &[(COGNITO, &token_1)]).await,
        &id_2,
    );
}

#[tokio::test]
async fn forged_identity_token_is_refused() {
    let env = Env::start().await;
    let pool = dev_pool(&env, None).await;
    let (id_1, token_1) = dev_token(&env, &pool, "user-1", None).await;
    let (id_2, _) = dev_token(&env, &pool, "user-2", None).await;
    let mut c = claims(&token_1);
    c.insert("sub".into(), json!(id_2));
    let res = env
        .open_id_token(&id_2, &[(COGNITO, &tampered(&token_1, &c))])
        .await;
    assert_refused(
        res,
        NA,
        "Invalid login token. Couldn't verify signed token.",
    );
    // A token signed by anyone else's key, claiming Latchkey's issuer.
    let other = OidcIssuer::start().await;
    let mut c = claims(&token_1);
    c.insert(
        "iss".into(),
        json!(format!("{}/cognito-identity", env.url())),
    );
    let res = env
        .open_id_token(&id_1, &[(COGNITO, &other.sign(&c))])
        .await;
    assert_refused(
        res,
        NA,
        "Invalid login token. Couldn't verify signed token.",
    );
}

#[tokio::test]
async fn identity_token_for_another_pool_is_refused() {
    let env = Env::start().await;
    let pool = dev_pool(&env, None).await;
    let other_pool = dev_pool(&env, None).await;
    let (_, token) = dev_token(&env, &other_pool, "user-1", None).await;
    let (id, _) = dev_token(&env, &pool, "user-1", None).await;
    let res = env.open_id_token(&id, &[(COGNITO, &token)]).await;
    assert_refused(res, NA, "Invalid login token. Invalid audience.");
}

#[tokio::test]
async fn expired_identity_token_is_refused() {
    let clock = ManualClock::starting_now();
    let env = Env::start_with(ServerOptions::in_memory().with_clock(clock.clone())).await;
    let pool = dev_pool(&env, None).await;
    let out = env
        .ci
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(&pool)
        .logins(DEV, "user-1")
        .token_duration(60)
        .send()
        .await
        .expect("GetOpenIdTokenForDeveloperIdentity");
    let (id, token) = (out.identity_id().unwrap(), out.token().unwrap());
    clock.advance(Duration::from_secs(61));
    let res = env.open_id_token(id, &[(COGNITO, token)]).await;
    assert_refused(res, NA, "Invalid login token. Token expired: ");
}

#[tokio::test]
async fn unknown_developer_provider_is_refused() {
    let env = Env::start().await;
    let pool = dev_pool(&env, None).await;
    let res = env
        .ci
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(&pool)
        .logins("login.someone.else", "user-1")
        .send()
        .await;
    assert_refused(
        res,
        NA,
        "This identity pool does not support the specified developer provider.",
    );
    let plain = env.create_pool("plain", true, |b| b).await;
    let res = env
        .ci
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(&plain)
        .logins(DEV, "user-1")
        .send()
        .await;
    assert_refused(res, NA, "This identity pool does not support");
}

#[tokio::test]
async fn developer_user_links_to_a_given_identity_with_other_logins() {
    let env = Env::start().await;
    let issuer = OidcIssuer::start().await;
    let pool = dev_pool(&env, Some(&issuer)).await;
    let oidc = issuer.token("o-1", "web");
    let id = env.identity(&pool, &[(&issuer.name, &oidc)]).await;
    // Logins don't prove the identity: refused.
    let res = env
        .ci
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(&pool)
        .identity_id(&id)
        .logins(DEV, "user-1")
        .send()
        .await;
    assert_refused(res, NA, "Logins don't match.");
    // With its OIDC login alongside, the developer user joins the identity.
    let out = env
        .ci
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(&pool)
        .identity_id(&id)
        .logins(DEV, "user-1")
        .logins(&issuer.name, &oidc)
        .send()
        .await
        .expect("link developer user");
    assert_eq!(out.identity_id(), Some(id.as_str()));
    let d = env.ci.describe_identity().identity_id(&id).send().await;
    let mut logins = d.expect("DescribeIdentity").logins().to_vec();
    logins.sort();
    let mut want = vec![DEV.to_owned(), issuer.name.clone()];
    want.sort();
    assert_eq!(logins, want);
    assert_eq!(dev_token(&env, &pool, "user-1", None).await.0, id);
}

#[tokio::test]
async fn developer_user_of_another_identity_is_already_registered() {
    let env = Env::start().await;
    let pool = dev_pool(&env, None).await;
    let (id_1, _) = dev_token(&env, &pool, "user-1", None).await;
    let (id_2, _) = dev_token(&env, &pool, "user-2", None).await;
    assert_ne!(id_1, id_2);
    let res = env
        .ci
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(&pool)
        .identity_id(&id_2)
        .logins(DEV, "user-1")
        .send()
        .await;
    assert_refused(
        res,
        "DeveloperUserAlreadyRegisteredException",
        "The provided developer user identifier is already registered",
    );
}
