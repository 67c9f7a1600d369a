//! Linking external identities to users through the AWS SDK: AdminLinkProviderForUser writes
//! the destination's `identities` attribute (at most five, one user per identity),
//! AdminDisableProviderForUser unlinks one (freeing it) or disables a native user, with
//! Cognito's refusals for a native source, an unknown provider and a signed-up identity.

use crate::common;
use crate::identity_providers::{create, social};

use aws_sdk_cognitoidentityprovider::types::{
    IdentityProviderTypeType, MessageActionType, ProviderUserIdentifierType,
};
use common::{assert_api_error, Harness};
use serde_json::Value;

fn who(provider: &str, attribute: Option<&str>, value: &str) -> ProviderUserIdentifierType {
    ProviderUserIdentifierType::builder()
        .provider_name(provider)
        .set_provider_attribute_name(attribute.map(str::to_string))
        .provider_attribute_value(value)
        .build()
}

async fn user(h: &Harness, pool: &str, name: &str) {
    h.idp
        .admin_create_user()
        .user_pool_id(pool)
        .username(name)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
}

/// The user's `identities` attribute, parsed (empty when absent).
async fn identities(h: &Harness, pool: &str, name: &str) -> Vec<Value> {
    let got = h
        .idp
        .admin_get_user()
        .user_pool_id(pool)
        .username(name)
        .send()
        .await
        .unwrap();
    got.user_attributes()
        .iter()
        .find(|a| a.name() == "identities")
        .and_then(|a| a.value())
        .map(|v| serde_json::from_str(v).unwrap())
        .unwrap_or_default()
}

#[tokio::test]
async fn identities_are_linked_once_and_unlinked() {
    let h = Harness::start().await;
    let pool = h.create_pool("links").await;
    create(
        &h,
        &pool,
        "Google",
        IdentityProviderTypeType::Google,
        social(),
    )
    .await;
    user(&h, &pool, "ann").await;
    user(&h, &pool, "bob").await;
    let link = |dest: &str, source: ProviderUserIdentifierType| {
        h.idp
            .admin_link_provider_for_user()
            .user_pool_id(&pool)
            .destination_user(who("Cognito", None, dest))
            .source_user(source)
            .send()
    };
    let google = |sub: &str| who("Google", Some("Cognito_Subject"), sub);
    link("ann", google("g-1")).await.unwrap();
    let linked = identities(&h, &pool, "ann").await;
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0]["userId"], "g-1");
    assert_eq!(linked[0]["providerName"], "Google");
    assert_eq!(linked[0]["providerType"], "Google");
    assert_eq!(linked[0]["primary"], false);

    let native = "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser";
    assert_api_error(
        link("bob", google("g-1")).await,
        "InvalidParameterException",
        native,
    );
    assert_api_error(
        link("bob", who("Cognito", Some("Cognito_Subject"), "ann")).await,
        "InvalidParameterException",
        native,
    );
    assert_api_error(
        link("bob", who("Okta", Some("Cognito_Subject"), "o-1")).await,
        "InvalidParameterException",
        &format!("The provider Okta does not exist for User Pool {pool}"),
    );
    assert_api_error(
        link("nobody", google("g-2")).await,
        "UserNotFoundException",
        "User does not exist.",
    );
    // A user named as the identity's federated user would be means it signed up.
    user(&h, &pool, "Google_g-9").await;
    assert_api_error(
        link("bob", google("g-9")).await,
        "InvalidParameterException",
        "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link",
    );

    for sub in ["g-2", "g-3", "g-4", "g-5"] {
        link("ann", google(sub)).await.unwrap();
    }
    assert_eq!(identities(&h, &pool, "ann").await.len(), 5);
    assert_api_error(
        link("ann", google("g-6")).await,
        "LimitExceededException",
        "A user can have at most 5 linked identities.",
    );

    let disable = |user: ProviderUserIdentifierType| {
        h.idp
            .admin_disable_provider_for_user()
            .user_pool_id(&pool)
            .user(user)
            .send()
    };
    disable(google("g-1")).await.unwrap();
    let left: Vec<_> = identities(&h, &pool, "ann")
        .await
        .iter()
        .map(|i| i["userId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, ["g-2", "g-3", "g-4", "g-5"]);
    // Unlinked, the identity is free for another user.
    link("bob", google("g-1")).await.unwrap();
    assert_eq!(identities(&h, &pool, "bob").await[0]["userId"], "g-1");
    assert_api_error(
        disable(google("g-404")).await,
        "UserNotFoundException",
        "User does not exist.",
    );

    // `Cognito` disables a native user.
    disable(who("Cognito", Some("Cognito_Subject"), "bob"))
        .await
        .unwrap();
    let bob = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert!(!bob.enabled());
}
