//! Credential vending end to end through real clients: sign in to a Latchkey user pool
//! (`aws-sdk-cognitoidentityprovider`), GetId and GetCredentialsForIdentity
//! (`aws-sdk-cognitoidentity`), then GetCallerIdentity with the vended credentials
//! (`aws-sdk-sts` against moto) shows the role the pool's rules chose: the default
//! authenticated role, the unauthenticated role, Token mapping through groups' preferred
//! role, Rules mapping, CustomRoleArn, and the web-identity mode; plus the identity OpenID
//! token. Tests needing STS skip (with a note) when `AWS_ENDPOINT_URL_STS` is unset. The
//! refusals (forged, expired, wrong audience, alg none, HS256, untrusted provider, ...) are
//! in `identity_refusals.rs`.

use crate::identity_support;

use aws_sdk_cognitoidentity::operation::get_credentials_for_identity::GetCredentialsForIdentityOutput as CredentialsOutput;
use aws_sdk_cognitoidentity::types::{AmbiguousRoleResolutionType as Amb, MappingRuleMatchType};
use identity_support::sts::{self, assert_vended};
use identity_support::{role, rules_mapping, token_mapping, Env};
use latchkey_server::ServerOptions;
use serde_json::json;

#[tokio::test]
async fn an_authenticated_user_gets_the_default_authenticated_role() {
    let Some(sts) = sts::require("an_authenticated_user_gets_the_default_authenticated_role")
    else {
        return;
    };
    let env = Env::start_with(ServerOptions {
        credentials_duration_secs: 900,
        ..ServerOptions::in_memory()
    })
    .await;
    let pool = env.trusting_pool(false).await;
    let (auth, unauth) = (role("Cognito_Auth"), role("Cognito_Unauth"));
    let roles = [
        ("authenticated", auth.as_str()),
        ("unauthenticated", &unauth),
    ];
    env.set_roles(&pool, &roles, vec![]).await;
    let token = env.id_token("alice").await;
    let provider = env.provider();
    let login = [(provider.as_str(), token.as_str())];
    let id = env.identity(&pool, &login).await;
    let before = sts::now_secs();
    let out = env
        .credentials(&id, &login, None)
        .await
        .expect("credentials");
    let after = sts::now_secs();
    assert_vended(&sts, &out, &id, &auth).await;
    // credentials_duration_secs reaches STS: the credentials live 900 s.
    let exp = out
        .credentials()
        .and_then(|c| c.expiration())
        .expect("Expiration");
    let exp = exp.secs();
    assert!(
        (before + 899..=after + 901).contains(&exp),
        "Expiration {exp} is not 900 s after [{before}, {after}]"
    );
    // A second vend for the same identity works and is a new session.
    let again = env.credentials(&id, &login, None).await.expect("again");
    assert_vended(&sts, &again, &id, &auth).await;
    let key = |o: &CredentialsOutput| {
        o.credentials()
            .and_then(|c| c.access_key_id())
            .map(str::to_owned)
    };
    assert_ne!(key(&out), key(&again));
}

#[tokio::test]
async fn an_unauthenticated_identity_gets_the_unauthenticated_role() {
    let Some(sts) = sts::require("an_unauthenticated_identity_gets_the_unauthenticated_role")
    else {
        return;
    };
    let env = Env::start().await;
    let pool = env.trusting_pool(true).await;
    let (auth, unauth) = (role("Cognito_Auth"), role("Cognito_Unauth"));
    let roles = [
        ("authenticated", auth.as_str()),
        ("unauthenticated", &unauth),
    ];
    env.set_roles(&pool, &roles, vec![]).await;
    let id = env.identity(&pool, &[]).await;
    let out = env.credentials(&id, &[], None).await.expect("credentials");
    assert_vended(&sts, &out, &id, &unauth).await;
}

#[tokio::test]
async fn token_mapping_uses_the_preferred_role_of_the_users_groups() {
    let Some(sts) = sts::require("token_mapping_uses_the_preferred_role_of_the_users_groups")
    else {
        return;
    };
    let env = Env::start().await;
    let (admin, reader, auth) = (role("Admin"), role("Reader"), role("Cognito_Auth"));
    env.group("admins", Some(&admin), Some(1)).await;
    env.group("readers", Some(&reader), Some(5)).await;
    env.user("carol").await;
    env.add_to_group("carol", "readers").await;
    env.add_to_group("carol", "admins").await;
    env.user("dave").await;
    env.add_to_group("dave", "readers").await;
    env.user("erin").await;
    let pool = env.trusting_pool(false).await;
    let mapping = vec![(env.mapping_key(), token_mapping(Amb::AuthenticatedRole))];
    env.set_roles(&pool, &[("authenticated", &auth)], mapping)
        .await;
    let provider = env.provider();
    for (user, expected) in [("carol", &admin), ("dave", &reader), ("erin", &auth)] {
        let token = env.sign_in(user).await.0;
        let login = [(provider.as_str(), token.as_str())];
        let id = env.identity(&pool, &login).await;
        let out = env.credentials(&id, &login, None).await;
        let out = out.unwrap_or_else(|e| panic!("{user}: {e:?}"));
        assert_vended(&sts, &out, &id, expected).await;
    }
}

#[tokio::test]
async fn custom_role_arn_picks_any_role_the_token_lists() {
    let Some(sts) = sts::require("custom_role_arn_picks_any_role_the_token_lists") else {
        return;
    };
    let env = Env::start().await;
    let (admin, reader) = (role("Admin"), role("Reader"));
    env.group("admins", Some(&admin), Some(1)).await;
    env.group("readers", Some(&reader), Some(5)).await;
    env.user("carol").await;
    env.add_to_group("carol", "admins").await;
    env.add_to_group("carol", "readers").await;
    let pool = env.trusting_pool(false).await;
    let mapping = vec![(env.mapping_key(), token_mapping(Amb::Deny))];
    env.set_roles(&pool, &[("authenticated", &role("Auth"))], mapping)
        .await;
    let token = env.sign_in("carol").await.0;
    let provider = env.provider();
    let login = [(provider.as_str(), token.as_str())];
    let id = env.identity(&pool, &login).await;
    let out = env.credentials(&id, &login, Some(&reader)).await;
    assert_vended(&sts, &out.expect("CustomRoleArn reader"), &id, &reader).await;
    let out = env.credentials(&id, &login, None).await;
    assert_vended(&sts, &out.expect("preferred role"), &id, &admin).await;
}

#[tokio::test]
async fn rules_mapping_takes_the_first_matching_rule() {
    let Some(sts) = sts::require("rules_mapping_takes_the_first_matching_rule") else {
        return;
    };
    let env = Env::start().await;
    let (boss, eng, plain, other, auth) = (
        role("Boss"),
        role("Engineer"),
        role("Plain"),
        role("Other"),
        role("Auth"),
    );
    env.group("eng", None, None).await;
    for user in ["boss", "engineer", "both", "nobody", "zed"] {
        env.user(user).await;
    }
    env.add_to_group("engineer", "eng").await;
    env.add_to_group("both", "eng").await;
    let pool = env.trusting_pool(false).await;
    let rules = rules_mapping(
        &[
            (
                "cognito:username",
                MappingRuleMatchType::Equals,
                "boss",
                &boss,
            ),
            (
                "cognito:username",
                MappingRuleMatchType::StartsWith,
                "bo",
                &boss,
            ),
            (
                "cognito:groups",
                MappingRuleMatchType::Contains,
                "eng",
                &eng,
            ),
            ("email", MappingRuleMatchType::Contains, "nobody@", &plain),
            (
                "cognito:username",
                MappingRuleMatchType::NotEqual,
                "zed",
                &other,
            ),
        ],
        Amb::AuthenticatedRole,
    );
    env.set_roles(
        &pool,
        &[("authenticated", &auth)],
        vec![(env.mapping_key(), rules)],
    )
    .await;
    let provider = env.provider();
    let cases = [
        ("boss", &boss),    // rule 1
        ("both", &boss),    // rule 2 (StartsWith) before rule 3 (its group)
        ("engineer", &eng), // rule 3: membership in cognito:groups
        ("nobody", &plain), // rule 4: substring of email
        ("zed", &auth),     // rule 5 does not match zed: no rule matches
    ];
    for (user, expected) in cases {
        let token = env.sign_in(user).await.0;
        let login = [(provider.as_str(), token.as_str())];
        let id = env.identity(&pool, &login).await;
        let out = env.credentials(&id, &login, None).await;
        let out = out.unwrap_or_else(|e| panic!("{user}: {e:?}"));
        assert_vended(&sts, &out, &id, expected).await;
    }
}

#[tokio::test]
async fn web_identity_mode_vends_through_assume_role_with_web_identity() {
    let Some(sts) = sts::require("web_identity_mode_vends_through_assume_role_with_web_identity")
    else {
        return;
    };
    let env = Env::start_with(ServerOptions {
        web_identity: true,
        ..ServerOptions::in_memory()
    })
    .await;
    let pool = env.trusting_pool(true).await;
    let (auth, unauth) = (role("WebAuth"), role("WebUnauth"));
    let roles = [
        ("authenticated", auth.as_str()),
        ("unauthenticated", &unauth),
    ];
    env.set_roles(&pool, &roles, vec![]).await;
    let token = env.id_token("wendy").await;
    let provider = env.provider();
    let login = [(provider.as_str(), token.as_str())];
    let id = env.identity(&pool, &login).await;
    let out = env
        .credentials(&id, &login, None)
        .await
        .expect("credentials");
    assert_vended(&sts, &out, &id, &auth).await;
    let guest = env.identity(&pool, &[]).await;
    let out = env
        .credentials(&guest, &[], None)
        .await
        .expect("guest credentials");
    assert_vended(&sts, &out, &guest, &unauth).await;
    // The token the server hands STS is its own OpenID token: verifiable by anyone through
    // the discovery document and JWKS the server publishes.
    let c = env.verified_open_id_token(&pool, &id, &login).await;
    assert_eq!(c["amr"][0], "authenticated");
}

#[tokio::test]
async fn open_id_tokens_are_signed_for_the_identity_and_pool() {
    let env = Env::start().await;
    let pool = env.trusting_pool(true).await;
    let token = env.id_token("olga").await;
    let sub = identity_support::claims(&token)["sub"].clone();
    let provider = env.provider();
    let login = [(provider.as_str(), token.as_str())];
    let id = env.identity(&pool, &login).await;
    let c = env.verified_open_id_token(&pool, &id, &login).await;
    let (iat, exp) = (
        c["iat"].as_i64().expect("iat"),
        c["exp"].as_i64().expect("exp"),
    );
    assert_eq!(exp - iat, 600, "OpenID tokens live 10 minutes: {c:?}");
    let sign_in = format!("{provider}:CognitoSignIn:{}", sub.as_str().expect("sub"));
    assert_eq!(c["amr"], json!(["authenticated", provider, sign_in]));

    let guest = env.identity(&pool, &[]).await;
    let c = env.verified_open_id_token(&pool, &guest, &[]).await;
    assert_eq!(c["amr"], json!(["unauthenticated"]));
    assert_eq!(c["aud"], pool.as_str());
    assert_ne!(id, guest);
}
