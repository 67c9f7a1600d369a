//! Races through the real client: concurrent SignUps of one username (exactly one wins, the
//! rest get UsernameExistsException, and the pool ends up with exactly one user), and a burst
//! of wrong passwords for one user (every one refused as a client error, none lost).

use crate::common;

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use common::{api_error, sign_up, Harness, PASSWORD};
use latchkey::clock::ManualClock;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_ups_of_one_username_create_one_user() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;

    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (idp, client) = (h.idp.clone(), client.clone());
            tokio::spawn(async move {
                let email = format!("racer{i}@example.com");
                sign_up(&idp, &client, "racer", PASSWORD, &[("email", &email)]).await
            })
        })
        .collect();

    let mut winners = Vec::new();
    let mut losers = 0;
    for task in tasks {
        match task.await.expect("task did not panic") {
            Ok(out) => winners.push(out.user_sub),
            Err(err) => {
                let err = api_error::<(), _>(Err(err));
                assert_eq!(
                    (err.code.as_str(), err.message.as_str()),
                    ("UsernameExistsException", "User already exists")
                );
                assert_eq!(err.status, Some(400), "{err:?}");
                losers += 1;
            }
        }
    }
    assert_eq!(winners.len(), 1, "exactly one SignUp succeeds: {winners:?}");
    assert_eq!(losers, 19);

    let users = h
        .idp
        .list_users()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("ListUsers");
    let users = users.users();
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(users[0].username(), Some("racer"));
    let sub = common::attr(users[0].attributes(), "sub");
    assert_eq!(
        sub,
        Some(winners[0].as_str()),
        "the stored user is the winner"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_passwords_for_one_user_is_refused_and_counted() {
    // Every failure is a versioned update of the same user, so the writers race; a lost race
    // must be retried, never answered with a 500 or dropped. The clock stands still, so a
    // lockout, once reached, lasts.
    let h = Harness::start_with_clock(ManualClock::starting_now()).await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "target", "target@example.com")
        .await;

    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (idp, client) = (h.idp.clone(), client.clone());
            tokio::spawn(async move {
                idp.initiate_auth()
                    .client_id(client)
                    .auth_flow(AuthFlowType::UserPasswordAuth)
                    .auth_parameters("USERNAME", "target")
                    .auth_parameters("PASSWORD", "Wrong-Password-1")
                    .send()
                    .await
            })
        })
        .collect();
    for task in tasks {
        let err = api_error(task.await.expect("task did not panic"));
        let refusals = [
            "Incorrect username or password.",
            "Password attempts exceeded",
        ];
        assert!(
            err.code == "NotAuthorizedException" && refusals.contains(&err.message.as_str()),
            "{err:?}"
        );
        assert_eq!(err.status, Some(400), "{err:?}");
    }

    // Each attempt either counted a failure or met a lockout (which needs five counted), so
    // at least five were kept: the right password is now refused too.
    let err = api_error(h.password_auth(&client, "target", PASSWORD).await);
    assert_eq!(
        (err.code.as_str(), err.message.as_str()),
        ("NotAuthorizedException", "Password attempts exceeded")
    );
}
