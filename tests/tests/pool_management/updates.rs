//! UpdateUserPool, UpdateUserPoolClient and the app clients' OAuth settings through the SDK:
//! the members are read back as Cognito shows them, an update resets what it does not send,
//! and bad settings are refused with Cognito's error types.

use crate::common::{self, assert_api_error, Harness, PASSWORD};

use aws_sdk_cognitoidentityprovider::types::{
    DeletionProtectionType, ExplicitAuthFlowsType, OAuthFlowType, PasswordPolicyType,
    UserPoolClientType, UserPoolPolicyType, VerifiedAttributeType,
};

const CALLBACK: &str = "https://app.example/cb";
const LOCAL_CALLBACK: &str = "http://localhost:3000/cb";

async fn describe(h: &Harness, pool: &str, client: &str) -> UserPoolClientType {
    h.idp
        .describe_user_pool_client()
        .user_pool_id(pool)
        .client_id(client)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .expect("UserPoolClient")
}

fn assert_browser_oauth(c: &UserPoolClientType) {
    assert_eq!(c.allowed_o_auth_flows_user_pool_client(), Some(true));
    assert_eq!(c.allowed_o_auth_flows(), [OAuthFlowType::Code]);
    assert_eq!(c.allowed_o_auth_scopes(), ["openid", "email"]);
    assert_eq!(c.callback_urls(), [CALLBACK, LOCAL_CALLBACK]);
    assert_eq!(c.logout_urls(), ["https://app.example/bye"]);
    assert_eq!(c.default_redirect_uri(), Some(CALLBACK));
    assert_eq!(c.supported_identity_providers(), ["COGNITO"]);
}

#[tokio::test]
async fn oauth_settings_are_created_and_described() {
    let h = Harness::start().await;
    let pool = h.create_pool("oauth-pool").await;
    let created = h
        .create_client_with(&pool, |b| {
            b.callback_urls(CALLBACK)
                .callback_urls(LOCAL_CALLBACK)
                .logout_urls("https://app.example/bye")
                .default_redirect_uri(CALLBACK)
                .allowed_o_auth_flows(OAuthFlowType::Code)
                .allowed_o_auth_scopes("openid")
                .allowed_o_auth_scopes("email")
                .allowed_o_auth_flows_user_pool_client(true)
                .supported_identity_providers("COGNITO")
        })
        .await;
    assert_browser_oauth(&created);
    let client = created.client_id().expect("ClientId");
    assert_browser_oauth(&describe(&h, &pool, client).await);

    // A client without OAuth: the flag is there (false), the empty lists are not.
    let plain = h.create_client_with(&pool, |b| b).await;
    assert_eq!(plain.allowed_o_auth_flows_user_pool_client(), Some(false));
    assert!(plain.callback_urls.is_none() && plain.allowed_o_auth_flows.is_none());
    assert!(plain.supported_identity_providers.is_none() && plain.logout_urls.is_none());
}

#[tokio::test]
async fn an_update_sets_what_it_sends_and_resets_the_rest() {
    let h = Harness::start().await;
    let pool = h.create_pool("update-pool").await;
    // The custom scope the update grants must be a resource server's.
    h.idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("api.example")
        .name("API")
        .scopes(
            aws_sdk_cognitoidentityprovider::types::ResourceServerScopeType::builder()
                .scope_name("read")
                .scope_description("read")
                .build()
                .expect("scope"),
        )
        .send()
        .await
        .expect("CreateResourceServer");
    let created = h
        .create_client_with(&pool, |b| {
            b.generate_secret(true)
                .read_attributes("email")
                .enable_token_revocation(false)
                .callback_urls(CALLBACK)
                .allowed_o_auth_flows(OAuthFlowType::Code)
                .allowed_o_auth_scopes("openid")
                .allowed_o_auth_flows_user_pool_client(true)
        })
        .await;
    let client = created.client_id().expect("ClientId").to_owned();
    let secret = created.client_secret().expect("ClientSecret").to_owned();

    let updated = h
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .client_name("renamed")
        .access_token_validity(2)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("api.example/read")
        .allowed_o_auth_flows_user_pool_client(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .expect("UserPoolClient");
    let now = describe(&h, &pool, &client).await;
    for c in [&updated, &now] {
        assert_eq!(c.client_name(), Some("renamed"));
        assert_eq!(
            c.client_secret(),
            Some(secret.as_str()),
            "the secret is kept"
        );
        assert_eq!(c.creation_date(), created.creation_date());
        assert_eq!(c.access_token_validity(), Some(2));
        assert_eq!(c.allowed_o_auth_flows(), [OAuthFlowType::ClientCredentials]);
        assert_eq!(c.allowed_o_auth_scopes(), ["api.example/read"]);
        // Not sent, so back to Cognito's defaults.
        assert!(c.callback_urls.is_none(), "{c:?}");
        assert!(c.read_attributes.is_none(), "{c:?}");
        assert_eq!(c.enable_token_revocation(), Some(true));
        assert_eq!(c.id_token_validity(), Some(1));
        let mut flows: Vec<&str> = c.explicit_auth_flows().iter().map(|f| f.as_str()).collect();
        flows.sort_unstable();
        assert_eq!(
            flows,
            [
                ExplicitAuthFlowsType::AllowCustomAuth.as_str(),
                ExplicitAuthFlowsType::AllowRefreshTokenAuth.as_str(),
                ExplicitAuthFlowsType::AllowUserSrpAuth.as_str(),
            ]
        );
    }

    // Only the client's id: everything goes back to the defaults, OAuth off.
    h.idp
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap();
    let reset = describe(&h, &pool, &client).await;
    assert_eq!(reset.client_name(), Some("renamed"));
    assert_eq!(reset.allowed_o_auth_flows_user_pool_client(), Some(false));
    assert!(reset.allowed_o_auth_flows.is_none() && reset.allowed_o_auth_scopes.is_none());
    assert_eq!(reset.access_token_validity(), Some(1));

    let unknown = h
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id("nosuchclient0000000000000a")
        .send()
        .await;
    assert_api_error(
        unknown,
        "ResourceNotFoundException",
        "User pool client nosuchclient0000000000000a does not exist.",
    );
}

#[tokio::test]
async fn bad_oauth_settings_are_refused_with_cognito_errors() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    let create = || {
        h.idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("bad")
    };
    assert_api_error(
        create().callback_urls("http://app.example/cb").send().await,
        "InvalidParameterException",
        "http://app.example/cb cannot use the HTTP protocol.",
    );
    assert_api_error(
        create()
            .callback_urls("https://app.example/cb#x")
            .send()
            .await,
        "InvalidParameterException",
        "https://app.example/cb#x cannot use fragment",
    );
    assert_api_error(
        create()
            .callback_urls(CALLBACK)
            .default_redirect_uri("https://other.example/")
            .send()
            .await,
        "InvalidParameterException",
        "The default redirect URI https://other.example/ is not in the callback URIs list.",
    );
    assert_api_error(
        create()
            .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
            .allowed_o_auth_scopes("api.example/read")
            .send()
            .await,
        "InvalidOAuthFlowException",
        "client_credentials flow can not be selected if client does not have a client secret.",
    );
    assert_api_error(
        create()
            .allowed_o_auth_flows(OAuthFlowType::Implicit)
            .send()
            .await,
        "InvalidOAuthFlowException",
        "CallbackUrls can not be empty when code flow or implicit flow is selected",
    );
    let update = || {
        h.idp
            .update_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&client)
    };
    assert_api_error(
        update().allowed_o_auth_scopes("Cognito").send().await,
        "ScopeDoesNotExistException",
        "Invalid scope requested: Cognito",
    );
    assert_api_error(
        update().allowed_o_auth_flows_user_pool_client(true).send().await,
        "InvalidOAuthFlowException",
        "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
    );
    assert_api_error(
        update().supported_identity_providers("Google").send().await,
        "InvalidParameterException",
        &format!("The provider Google does not exist for User Pool {pool}"),
    );
    // A refused update changes nothing.
    let kept = describe(&h, &pool, &client).await;
    assert_eq!(kept.client_name(), Some("test-client"));
    assert!(kept
        .explicit_auth_flows()
        .contains(&ExplicitAuthFlowsType::AllowUserPasswordAuth));
}

#[tokio::test]
async fn update_user_pool_changes_the_policy_sign_up_enforces() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    let long = PasswordPolicyType::builder()
        .minimum_length(20)
        .require_symbols(false)
        .build();
    h.idp
        .update_user_pool()
        .user_pool_id(&pool)
        .policies(UserPoolPolicyType::builder().password_policy(long).build())
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .unwrap();

    let refused = common::sign_up(&h.idp, &client, "alice", PASSWORD, &[]).await;
    assert_api_error(
        refused,
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
    );
    common::sign_up(&h.idp, &client, "alice", "correcthorsebattery99A", &[])
        .await
        .expect("a 22-character password without symbols");

    let up = h
        .idp
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .expect("UserPool");
    let policy = up
        .policies()
        .and_then(|p| p.password_policy())
        .expect("PasswordPolicy");
    assert_eq!(policy.minimum_length(), Some(20));
    assert!(!policy.require_symbols(), "{policy:?}");
    assert_eq!(
        up.deletion_protection(),
        Some(&DeletionProtectionType::Active)
    );
    assert_eq!(
        up.name(),
        Some("test-pool"),
        "the name is kept when not sent"
    );
    // The pool was made with AutoVerifiedAttributes=[email]; the update did not send it.
    assert!(
        !up.auto_verified_attributes()
            .contains(&VerifiedAttributeType::Email),
        "{up:?}"
    );

    let unknown = h
        .idp
        .update_user_pool()
        .user_pool_id("us-east-1_nosuchpool")
        .send()
        .await;
    assert_api_error(
        unknown,
        "ResourceNotFoundException",
        "User pool us-east-1_nosuchpool does not exist.",
    );
}
