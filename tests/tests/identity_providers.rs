//! A pool's identity providers through the AWS SDK: the social types (fixed names, required
//! details, Cognito's endpoints filled in, Apple's key checked and never shown), listing in
//! pages, identifiers unique in the pool, updates and deletes, and app clients that may name
//! only providers the pool has. OIDC discovery and SAML details are in `identity_providers_oidc`.

use crate::common;

use aws_sdk_cognitoidentityprovider::types::{IdentityProviderType, IdentityProviderTypeType};
use common::{assert_api_error, Harness};
use std::collections::HashMap;

/// A test-only EC P-256 key (PKCS #8 PEM), as Apple issues them.
pub const APPLE_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgA32Cn5IxjupBlaOf
saRVDqeBkqm0qijNfBvPvMYx/yehRANCAATH0VyrVBY/IiK6DUZMWNeoo/FNazvN
UKMb/a3p5oc8LbbNxaOcAqiK8AaXbztEIdRiKTYC1thL5jFvMx36bEBy
-----END PRIVATE KEY-----";

/// Details from pairs.
pub fn details(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The three details every OAuth social provider needs.
pub fn social() -> HashMap<String, String> {
    details(&[
        ("client_id", "cid"),
        ("client_secret", "csecret"),
        ("authorize_scopes", "openid email"),
    ])
}

/// CreateIdentityProvider, expected to succeed.
pub async fn create(
    h: &Harness,
    pool: &str,
    name: &str,
    t: IdentityProviderTypeType,
    d: HashMap<String, String>,
) -> IdentityProviderType {
    h.idp
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name(name)
        .provider_type(t)
        .set_provider_details(Some(d))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateIdentityProvider {name}: {e:?}"))
        .identity_provider
        .expect("IdentityProvider")
}

#[tokio::test]
async fn social_providers_get_cognitos_endpoints_and_fixed_names() {
    let h = Harness::start().await;
    let pool = h.create_pool("idp-social").await;
    let created = h
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(IdentityProviderTypeType::Google)
        .set_provider_details(Some(social()))
        .attribute_mapping("email", "email")
        .idp_identifiers("gmail.com")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(created.user_pool_id(), Some(pool.as_str()));
    assert_eq!(
        created.provider_type(),
        Some(&IdentityProviderTypeType::Google)
    );
    let d = created.provider_details().unwrap();
    assert_eq!(
        d["authorize_url"],
        "https://accounts.google.com/o/oauth2/v2/auth"
    );
    assert_eq!(d["token_url"], "https://www.googleapis.com/oauth2/v4/token");
    assert_eq!(d["oidc_issuer"], "https://accounts.google.com");
    assert_eq!(d["attributes_url_add_attributes"], "true");
    assert_eq!(d["client_secret"], "csecret");
    let m = created.attribute_mapping().unwrap();
    assert_eq!(
        (m["email"].as_str(), m["username"].as_str()),
        ("email", "sub")
    );
    assert_eq!(created.idp_identifiers(), ["gmail.com"]);
    assert!(created.creation_date().unwrap().secs() > 1_600_000_000);

    assert_api_error(
        h.idp
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Google")
            .provider_type(IdentityProviderTypeType::Google)
            .set_provider_details(Some(social()))
            .send()
            .await,
        "DuplicateProviderException",
        &format!("Google already exists in user pool {pool}."),
    );
    assert_api_error(
        h.idp
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("NameOfGP")
            .provider_type(IdentityProviderTypeType::Google)
            .set_provider_details(Some(social()))
            .send()
            .await,
        "InvalidParameterException",
        "Provider NameOfGP cannot be of type Google.",
    );
    assert_api_error(
        h.idp
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Facebook")
            .provider_type(IdentityProviderTypeType::Facebook)
            .set_provider_details(Some(details(&[
                ("client_id", "x"),
                ("authorize_scopes", "email"),
            ])))
            .send()
            .await,
        "InvalidParameterException",
        "client_id, client_secret and authorize_scopes are all required idp details.",
    );
    assert_api_error(
        h.idp
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Cognito")
            .provider_type(IdentityProviderTypeType::Oidc)
            .set_provider_details(Some(social()))
            .send()
            .await,
        "InvalidParameterException",
        "The provider name Cognito is reserved.",
    );

    let mut fb = social();
    fb.insert("api_version".into(), "v17.0".into());
    let facebook = create(
        &h,
        &pool,
        "Facebook",
        IdentityProviderTypeType::Facebook,
        fb,
    )
    .await;
    let d = facebook.provider_details().unwrap();
    assert_eq!(
        d["attributes_url"],
        "https://graph.facebook.com/v17.0/me?fields="
    );
    assert_eq!(d["token_request_method"], "GET");
    assert_eq!(facebook.attribute_mapping().unwrap()["username"], "id");
    let amazon = create(
        &h,
        &pool,
        "LoginWithAmazon",
        IdentityProviderTypeType::LoginWithAmazon,
        social(),
    )
    .await;
    assert_eq!(
        amazon.provider_details().unwrap()["token_url"],
        "https://api.amazon.com/auth/o2/token"
    );

    let apple = |key: &str| {
        details(&[
            ("client_id", "com.example.app"),
            ("team_id", "TEAM"),
            ("key_id", "KEY"),
            ("private_key", key),
            ("authorize_scopes", "email name"),
        ])
    };
    assert_api_error(
        h.idp
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("SignInWithApple")
            .provider_type(IdentityProviderTypeType::SignInWithApple)
            .set_provider_details(Some(apple("1EXAMPLE")))
            .send()
            .await,
        "InvalidParameterException",
        "private_key must be the PEM of an EC P-256 private key (PKCS #8).",
    );
    create(
        &h,
        &pool,
        "SignInWithApple",
        IdentityProviderTypeType::SignInWithApple,
        apple(APPLE_KEY),
    )
    .await;
    let described = h
        .idp
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("SignInWithApple")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let d = described.provider_details().unwrap();
    assert!(
        !d.contains_key("private_key"),
        "Describe never shows the key"
    );
    assert_eq!(d["oidc_issuer"], "https://appleid.apple.com");
    assert_eq!(d["team_id"], "TEAM");
    // Updating without the key (as Describe showed it) keeps it.
    let mut shown = d.clone();
    shown.insert("authorize_scopes".into(), "email".into());
    h.idp
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("SignInWithApple")
        .set_provider_details(Some(shown))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn providers_list_in_pages_and_are_found_by_identifier() {
    let h = Harness::start().await;
    let pool = h.create_pool("idp-list").await;
    for (name, t) in [
        ("Google", IdentityProviderTypeType::Google),
        ("Facebook", IdentityProviderTypeType::Facebook),
        ("LoginWithAmazon", IdentityProviderTypeType::LoginWithAmazon),
    ] {
        create(&h, &pool, name, t, social()).await;
    }
    let first = h
        .idp
        .list_identity_providers()
        .user_pool_id(&pool)
        .max_results(2)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = first
        .providers()
        .iter()
        .map(|p| p.provider_name().unwrap())
        .collect();
    assert_eq!(names, ["Facebook", "Google"]);
    assert!(first.providers()[0].last_modified_date().is_some());
    let rest = h
        .idp
        .list_identity_providers()
        .user_pool_id(&pool)
        .max_results(2)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.providers()[0].provider_name(), Some("LoginWithAmazon"));
    assert_eq!(
        rest.providers()[0].provider_type(),
        Some(&IdentityProviderTypeType::LoginWithAmazon)
    );
    assert!(rest.next_token().is_none());

    let update = |name: &str, ids: &[&str]| {
        h.idp
            .update_identity_provider()
            .user_pool_id(&pool)
            .provider_name(name)
            .set_idp_identifiers(Some(ids.iter().map(|i| i.to_string()).collect()))
    };
    let google = update("Google", &["example.com", "corp"])
        .send()
        .await
        .unwrap();
    let google = google.identity_provider().unwrap();
    assert_eq!(google.idp_identifiers(), ["example.com", "corp"]);
    assert_eq!(
        google.attribute_mapping().unwrap()["username"],
        "sub",
        "kept"
    );
    assert_api_error(
        update("Facebook", &["corp"]).send().await,
        "InvalidParameterException",
        "The identifier corp is already used by another identity provider of this user pool.",
    );
    let by_id = |id: &str| {
        h.idp
            .get_identity_provider_by_identifier()
            .user_pool_id(&pool)
            .idp_identifier(id)
            .send()
    };
    let found = by_id("corp").await.unwrap();
    assert_eq!(
        found.identity_provider().unwrap().provider_name(),
        Some("Google")
    );
    // Moving the identifier releases it for another provider.
    update("Google", &["example.com"]).send().await.unwrap();
    update("Facebook", &["corp"]).send().await.unwrap();
    assert_eq!(
        by_id("corp")
            .await
            .unwrap()
            .identity_provider()
            .unwrap()
            .provider_name(),
        Some("Facebook")
    );
    assert_api_error(
        by_id("nobody").await,
        "ResourceNotFoundException",
        "Identity provider with identifier nobody does not exist.",
    );

    let delete = || {
        h.idp
            .delete_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Facebook")
            .send()
    };
    delete().await.unwrap();
    assert_api_error(
        delete().await,
        "ResourceNotFoundException",
        "Identity provider Facebook does not exist.",
    );
    assert_api_error(
        h.idp
            .describe_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Facebook")
            .send()
            .await,
        "ResourceNotFoundException",
        "Identity provider Facebook does not exist.",
    );
    assert!(
        by_id("corp").await.is_err(),
        "a delete releases identifiers"
    );
    assert_api_error(
        update("Nope", &[]).send().await,
        "ResourceNotFoundException",
        "Identity provider Nope does not exist.",
    );
}

#[tokio::test]
async fn app_clients_name_only_providers_the_pool_has() {
    let h = Harness::start().await;
    let pool = h.create_pool("idp-clients").await;
    let with_providers = |names: &[&str]| {
        h.idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("web")
            .set_supported_identity_providers(Some(names.iter().map(|n| n.to_string()).collect()))
    };
    assert_api_error(
        with_providers(&["COGNITO", "Google"]).send().await,
        "InvalidParameterException",
        &format!("The provider Google does not exist for User Pool {pool}"),
    );
    create(
        &h,
        &pool,
        "Google",
        IdentityProviderTypeType::Google,
        social(),
    )
    .await;
    let client = with_providers(&["COGNITO", "Google"]).send().await.unwrap();
    let client = client.user_pool_client().unwrap();
    assert_eq!(client.supported_identity_providers(), ["COGNITO", "Google"]);
    let client_id = client.client_id().unwrap().to_string();

    // Deleting the provider leaves the client naming it, as Cognito does; the client's next
    // update must drop it.
    h.idp
        .delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .unwrap();
    let described = h
        .idp
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described
            .user_pool_client()
            .unwrap()
            .supported_identity_providers(),
        ["COGNITO", "Google"]
    );
    let update = |names: &[&str]| {
        h.idp
            .update_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&client_id)
            .set_supported_identity_providers(Some(names.iter().map(|n| n.to_string()).collect()))
            .send()
    };
    assert_api_error(
        update(&["COGNITO", "Google"]).await,
        "InvalidParameterException",
        &format!("The provider Google does not exist for User Pool {pool}"),
    );
    update(&["COGNITO"]).await.unwrap();
}
