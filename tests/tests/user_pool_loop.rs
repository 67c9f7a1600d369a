//! The user loop through the AWS SDK: SignUp, the code from the outbox, ConfirmSignUp,
//! InitiateAuth (password and both refresh flows), GetUser, the admin operations and ListUsers.

use crate::common;

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, DeliveryMediumType, UserStatusType};
use common::{assert_api_error, attr, is_uuid, Harness, TokenUse, PASSWORD};

#[tokio::test]
async fn sign_up_confirm_sign_in_and_get_user() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;

    let signed = h.sign_up(&client, "alice", "alice@example.com").await;
    assert!(!signed.user_confirmed());
    assert!(is_uuid(signed.user_sub()), "UserSub {}", signed.user_sub());
    let delivery = signed.code_delivery_details().expect("CodeDeliveryDetails");
    assert_eq!(delivery.destination(), Some("a***@e***"));
    assert_eq!(delivery.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(delivery.attribute_name(), Some("email"));

    let before = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(before.user_status(), Some(&UserStatusType::Unconfirmed));

    let code = h.latest_code(&pool, "alice").await;
    h.confirm_sign_up(&client, "alice", &code)
        .await
        .expect("ConfirmSignUp");

    let out = h
        .password_auth(&client, "alice", PASSWORD)
        .await
        .expect("InitiateAuth");
    assert_eq!(out.challenge_name(), None);
    assert_eq!(
        out.challenge_parameters().map(|m| m.is_empty()),
        Some(true),
        "ChallengeParameters {{}}"
    );
    let result = out.authentication_result().expect("AuthenticationResult");
    assert!(result.id_token().is_some_and(|t| !t.is_empty()));
    assert!(result.refresh_token().is_some_and(|t| !t.is_empty()));
    assert_eq!(result.expires_in(), 3600);
    assert_eq!(result.token_type(), Some("Bearer"));

    let access = result.access_token().expect("AccessToken");
    let user = h
        .idp
        .get_user()
        .access_token(access)
        .send()
        .await
        .expect("GetUser");
    assert_eq!(user.username(), "alice");
    let attrs = user.user_attributes();
    assert_eq!(attr(attrs, "sub"), Some(signed.user_sub()));
    assert_eq!(attr(attrs, "email"), Some("alice@example.com"));
    assert_eq!(attr(attrs, "email_verified"), Some("true"));
}

#[tokio::test]
async fn refresh_flows_keep_origin_and_auth_time() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "alice", "alice@example.com")
        .await;
    let first = h.sign_in(&client, "alice").await;
    let refresh_token = first.refresh_token().expect("RefreshToken");
    let original = h
        .verify(&pool, first.id_token().unwrap(), TokenUse::Id, &client)
        .await;

    for flow in [AuthFlowType::RefreshTokenAuth, AuthFlowType::RefreshToken] {
        let out = h
            .refresh(&client, flow.clone(), refresh_token)
            .await
            .expect("refresh");
        let result = out.authentication_result().expect("AuthenticationResult");
        assert_eq!(
            result.refresh_token(),
            None,
            "{flow:?} returns no RefreshToken"
        );
        assert_eq!(result.expires_in(), 3600);
        let id = h
            .verify(
                &pool,
                result.id_token().expect("IdToken"),
                TokenUse::Id,
                &client,
            )
            .await;
        let access = result.access_token().expect("AccessToken");
        let access = h.verify(&pool, access, TokenUse::Access, &client).await;
        for claims in [&id, &access] {
            assert_eq!(claims["origin_jti"], original["origin_jti"], "{flow:?}");
            assert_eq!(claims["auth_time"], original["auth_time"], "{flow:?}");
            assert_eq!(claims["sub"], original["sub"], "{flow:?}");
            assert_ne!(claims["jti"], original["jti"], "{flow:?} issues a new jti");
        }
        assert_ne!(id["jti"], access["jti"]);
    }
}

#[tokio::test]
async fn admin_auth_confirm_get_and_delete() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "alice", "alice@example.com")
        .await;

    let out = h
        .idp
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("AdminInitiateAuth");
    let result = out.authentication_result().expect("AuthenticationResult");
    h.verify(
        &pool,
        result.id_token().expect("IdToken"),
        TokenUse::Id,
        &client,
    )
    .await;
    h.verify(
        &pool,
        result.access_token().expect("AccessToken"),
        TokenUse::Access,
        &client,
    )
    .await;
    assert!(result.refresh_token().is_some());

    let alice = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(alice.username(), "alice");
    assert_eq!(alice.user_status(), Some(&UserStatusType::Confirmed));
    assert!(alice.enabled());
    assert_eq!(
        attr(alice.user_attributes(), "email"),
        Some("alice@example.com")
    );

    h.sign_up(&client, "bob", "bob@example.com").await;
    h.idp
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("bob")
        .send()
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
    assert_eq!(bob.user_status(), Some(&UserStatusType::Confirmed));
    h.sign_in(&client, "bob").await;

    h.idp
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    let gone = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await;
    assert_api_error(gone, "UserNotFoundException", "User does not exist.");
    let alice_again = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await;
    assert!(alice_again.is_ok(), "deleting bob leaves alice");
}

#[tokio::test]
async fn list_users_filters_and_paginates() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    let names = ["alice", "bob", "user-1", "user-2", "user-3"];
    for name in names {
        h.sign_up(&client, name, &format!("{name}@example.com"))
            .await;
    }

    let by_email = h
        .idp
        .list_users()
        .user_pool_id(&pool)
        .filter("email = \"bob@example.com\"")
        .send()
        .await
        .unwrap();
    let users = by_email.users();
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(users[0].username(), Some("bob"));
    assert_eq!(
        attr(users[0].attributes(), "email"),
        Some("bob@example.com")
    );
    assert_eq!(users[0].user_status(), Some(&UserStatusType::Unconfirmed));

    let by_prefix = h
        .idp
        .list_users()
        .user_pool_id(&pool)
        .filter("username ^= \"user-\"")
        .send()
        .await;
    let mut found: Vec<String> = by_prefix
        .unwrap()
        .users()
        .iter()
        .filter_map(|u| u.username().map(str::to_owned))
        .collect();
    found.sort();
    assert_eq!(found, ["user-1", "user-2", "user-3"]);

    // `username = "x"` is a key lookup: the pool is case-sensitive (the API's default), so
    // only the exact name finds the user.
    for (filter, want) in [
        ("username = \"user-2\"", vec!["user-2"]),
        ("username = \"USER-2\"", vec![]),
        ("username = \"user-9\"", vec![]),
    ] {
        let page = h
            .idp
            .list_users()
            .user_pool_id(&pool)
            .filter(filter)
            .send()
            .await
            .unwrap();
        let names: Vec<&str> = page.users().iter().filter_map(|u| u.username()).collect();
        assert_eq!(names, want, "{filter}");
        assert_eq!(page.pagination_token(), None, "{filter}");
    }

    let mut seen = Vec::new();
    let mut page_sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = h
            .idp
            .list_users()
            .user_pool_id(&pool)
            .limit(2)
            .set_pagination_token(token.take())
            .send()
            .await;
        let page = page.expect("ListUsers page");
        page_sizes.push(page.users().len());
        seen.extend(
            page.users()
                .iter()
                .filter_map(|u| u.username().map(str::to_owned)),
        );
        match page.pagination_token() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
        assert!(page_sizes.len() < 10, "pagination does not end");
    }
    assert_eq!(page_sizes, [2, 2, 1]);
    seen.sort();
    assert_eq!(seen, names);
}
