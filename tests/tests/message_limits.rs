//! Abuse limits on code messages through the AWS SDK: the sixth resend or forgot-password
//! request of a user within the hour is refused with LimitExceededException and sends
//! nothing, other users are not affected, the limit lifts when the hour is over, and an
//! unknown name behind PreventUserExistenceErrors is refused exactly like a real user.

use crate::common;
use crate::lifecycle_support;

use std::time::Duration;

use common::{assert_api_error, Harness};
use latchkey::clock::ManualClock;
use lifecycle_support::{forgot, hiding_client};

const LIMIT: &str = "LimitExceededException";
const TEXT: &str = "Attempt limit exceeded, please try after some time.";

async fn resend(h: &Harness, client: &str, user: &str) -> Result<(), String> {
    h.idp
        .resend_confirmation_code()
        .client_id(client)
        .username(user)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

#[tokio::test]
async fn the_sixth_resend_within_the_hour_is_refused_and_sends_nothing() {
    let clock = ManualClock::starting_now();
    let h = Harness::start_with_clock(clock.clone()).await;
    let (pool, client) = h.pool_and_client().await;
    h.sign_up(&client, "ann", "ann@example.com").await;
    h.sign_up(&client, "ben", "ben@example.com").await;
    for i in 0..5 {
        resend(&h, &client, "ann")
            .await
            .unwrap_or_else(|e| panic!("resend {i}: {e}"));
    }
    let sent = h.outbox(&pool, "ann").await.len();
    assert_eq!(sent, 6, "the sign-up code and five resends");
    let refused = h
        .idp
        .resend_confirmation_code()
        .client_id(&client)
        .username("ann")
        .send()
        .await;
    assert_api_error(refused, LIMIT, TEXT);
    assert_eq!(h.outbox(&pool, "ann").await.len(), sent, "nothing sent");

    resend(&h, &client, "ben").await.expect("another user");

    clock.advance(Duration::from_secs(3600));
    resend(&h, &client, "ann").await.expect("after the hour");
    assert_eq!(h.outbox(&pool, "ann").await.len(), sent + 1);
    // The newest code still confirms the user.
    h.confirm_from_outbox(&pool, &client, "ann").await;
    h.shutdown().await;
}

#[tokio::test]
async fn forgot_password_is_limited_per_user_and_hides_unknown_users() {
    let clock = ManualClock::starting_now();
    let h = Harness::start_with_clock(clock.clone()).await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "cat", "cat@example.com")
        .await;
    h.confirmed_user(&pool, &client, "dan", "dan@example.com")
        .await;
    let before = h.outbox(&pool, "cat").await.len();
    for i in 0..5 {
        forgot(&h, &client, "cat")
            .await
            .unwrap_or_else(|e| panic!("ForgotPassword {i}: {e:?}"));
    }
    assert_eq!(h.outbox(&pool, "cat").await.len(), before + 5);
    assert_api_error(forgot(&h, &client, "cat").await, LIMIT, TEXT);
    assert_eq!(
        h.outbox(&pool, "cat").await.len(),
        before + 5,
        "nothing sent"
    );
    forgot(&h, &client, "dan").await.expect("another user");

    // Behind PreventUserExistenceErrors an unknown name is refused at the same count.
    let hiding = hiding_client(&h, &pool).await;
    for i in 0..5 {
        forgot(&h, &hiding, "nobody")
            .await
            .unwrap_or_else(|e| panic!("ForgotPassword nobody {i}: {e:?}"));
    }
    assert_api_error(forgot(&h, &hiding, "nobody").await, LIMIT, TEXT);

    clock.advance(Duration::from_secs(3600));
    forgot(&h, &client, "cat").await.expect("after the hour");
    forgot(&h, &hiding, "nobody").await.expect("after the hour");
    h.shutdown().await;
}
