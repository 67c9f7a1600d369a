//! Concurrent SignUps of one username: exactly one wins, the rest get UsernameExistsException,
//! and the pool ends up with exactly one user.

mod common;

use common::{api_error, sign_up, Harness, PASSWORD};

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
