//! Ending sessions through the AWS SDK: GlobalSignOut and AdminUserGlobalSignOut (access
//! tokens refused with "Access Token has been revoked", refresh with "Refresh Token has been
//! revoked"), RevokeToken (one sign-in only), and GetTokensFromRefreshToken with
//! RefreshTokenRotation: one new refresh token per token, retries inside the grace period,
//! RefreshTokenReuseException (and a revoked session) after it, and a 20-way race.

use crate::common;
use crate::lifecycle_support;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, AuthenticationResultType};
use common::{assert_api_error, Harness};
use latchkey::clock::ManualClock;
use lifecycle_support::{assert_error_in, claims, get_user};

const ACCESS_REVOKED: &str = "Access Token has been revoked";
const REFRESH_REVOKED: &str = "Refresh Token has been revoked";
const NA: &str = "NotAuthorizedException";

/// A confirmed user `u` and two independent sign-ins.
async fn two_sessions(h: &Harness, pool: &str, client: &str) -> [AuthenticationResultType; 2] {
    h.confirmed_user(pool, client, "u", "u@example.com").await;
    [h.sign_in(client, "u").await, h.sign_in(client, "u").await]
}

fn access(t: &AuthenticationResultType) -> &str {
    t.access_token().expect("AccessToken")
}

fn refresh_of(t: &AuthenticationResultType) -> &str {
    t.refresh_token().expect("RefreshToken")
}

async fn rotate(
    h: &Harness,
    client: &str,
    token: &str,
) -> Result<AuthenticationResultType, common::ApiError> {
    let res = h
        .idp
        .get_tokens_from_refresh_token()
        .client_id(client)
        .refresh_token(token)
        .send()
        .await;
    match res {
        Ok(out) => Ok(out.authentication_result.expect("AuthenticationResult")),
        Err(e) => Err(common::api_error::<(), _>(Err(e))),
    }
}

async fn assert_signed_out(h: &Harness, client: &str, sessions: &[AuthenticationResultType]) {
    for s in sessions {
        assert_api_error(get_user(h, access(s)).await, NA, ACCESS_REVOKED);
        let refreshed = h
            .refresh(client, AuthFlowType::RefreshTokenAuth, refresh_of(s))
            .await;
        assert_api_error(refreshed, NA, REFRESH_REVOKED);
    }
}

#[tokio::test]
async fn global_sign_out_revokes_every_session() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    let sessions = two_sessions(&h, &pool, &client).await;
    get_user(&h, access(&sessions[1]))
        .await
        .expect("GetUser before");

    let out = h
        .idp
        .global_sign_out()
        .access_token(access(&sessions[0]))
        .send()
        .await;
    out.expect("GlobalSignOut");
    assert_signed_out(&h, &client, &sessions).await;
    let again = h
        .idp
        .global_sign_out()
        .access_token(access(&sessions[0]))
        .send()
        .await;
    assert_api_error(again, NA, ACCESS_REVOKED);

    let fresh = h.sign_in(&client, "u").await;
    get_user(&h, access(&fresh))
        .await
        .expect("a new sign-in works");
    h.refresh(&client, AuthFlowType::RefreshTokenAuth, refresh_of(&fresh))
        .await
        .expect("its refresh token works");
    h.shutdown().await;
}

#[tokio::test]
async fn admin_user_global_sign_out_revokes_every_session() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    let sessions = two_sessions(&h, &pool, &client).await;
    let req = h
        .idp
        .admin_user_global_sign_out()
        .user_pool_id(&pool)
        .username("u");
    req.send().await.expect("AdminUserGlobalSignOut");
    assert_signed_out(&h, &client, &sessions).await;
    let fresh = h.sign_in(&client, "u").await;
    get_user(&h, access(&fresh))
        .await
        .expect("a new sign-in works");
    h.shutdown().await;
}

#[tokio::test]
async fn revoke_token_ends_only_its_own_sign_in() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    let [first, second] = two_sessions(&h, &pool, &client).await;
    let refreshed = h
        .refresh(&client, AuthFlowType::RefreshTokenAuth, refresh_of(&first))
        .await;
    let refreshed = refreshed
        .expect("refresh")
        .authentication_result
        .expect("tokens");
    let origin = |t: &str| claims(t)["origin_jti"].clone();
    assert_eq!(
        origin(access(&refreshed)),
        origin(access(&first)),
        "same sign-in"
    );

    let req = h
        .idp
        .revoke_token()
        .client_id(&client)
        .token(refresh_of(&first));
    req.send().await.expect("RevokeToken");
    assert_api_error(get_user(&h, access(&first)).await, NA, ACCESS_REVOKED);
    assert_api_error(get_user(&h, access(&refreshed)).await, NA, ACCESS_REVOKED);
    let again = h
        .refresh(&client, AuthFlowType::RefreshTokenAuth, refresh_of(&first))
        .await;
    assert_api_error(again, NA, REFRESH_REVOKED);

    get_user(&h, access(&second))
        .await
        .expect("the other sign-in is untouched");
    h.refresh(&client, AuthFlowType::RefreshTokenAuth, refresh_of(&second))
        .await
        .expect("the other refresh token still works");
    h.shutdown().await;
}

#[tokio::test]
async fn rotation_issues_one_new_token_and_punishes_reuse_after_the_grace_period() {
    let clock = ManualClock::starting_now();
    let h = Harness::start_with_clock(clock.clone()).await;
    let (pool, _) = h.pool_and_client().await;
    let client = h.rotating_client(&pool, 10).await;
    h.confirmed_user(&pool, &client, "u", "u@example.com").await;
    let signed = h.sign_in(&client, "u").await;
    let r0 = refresh_of(&signed).to_owned();

    let first = rotate(&h, &client, &r0)
        .await
        .expect("GetTokensFromRefreshToken");
    let r1 = first
        .refresh_token()
        .expect("a new RefreshToken")
        .to_owned();
    assert_ne!(r1, r0);
    assert!(first.access_token().is_some() && first.id_token().is_some());
    let origin = |t: &str| claims(t)["origin_jti"].clone();
    assert_eq!(origin(access(&first)), origin(access(&signed)));

    clock.advance(Duration::from_secs(5));
    let retry = rotate(&h, &client, &r0)
        .await
        .expect("retry inside the grace period");
    get_user(&h, access(&retry))
        .await
        .expect("retried tokens work");

    clock.advance(Duration::from_secs(6));
    let reused = rotate(&h, &client, &r0)
        .await
        .expect_err("reuse after the grace period");
    let expected = (
        "RefreshTokenReuseException",
        "Refresh token has been reused.",
    );
    assert_eq!((reused.code.as_str(), reused.message.as_str()), expected);

    // Reuse revokes the whole sign-in: the rotated token and every access token.
    let revoked = rotate(&h, &client, &r1)
        .await
        .expect_err("rotated token revoked");
    assert_eq!(
        (revoked.code.as_str(), revoked.message.as_str()),
        (NA, REFRESH_REVOKED)
    );
    for tokens in [&signed, &first, &retry] {
        assert_api_error(get_user(&h, access(tokens)).await, NA, ACCESS_REVOKED);
    }
    h.shutdown().await;
}

#[tokio::test]
async fn a_rotated_token_rotates_again() {
    let h = Harness::start().await;
    let (pool, _) = h.pool_and_client().await;
    let client = h.rotating_client(&pool, 0).await;
    h.confirmed_user(&pool, &client, "u", "u@example.com").await;
    let r0 = refresh_of(&h.sign_in(&client, "u").await).to_owned();
    let r1 = rotate(&h, &client, &r0).await.expect("rotate r0");
    let r1 = r1.refresh_token().expect("r1").to_owned();
    let r2 = rotate(&h, &client, &r1).await.expect("rotate r1");
    let r2 = r2.refresh_token().expect("r2").to_owned();
    assert!(r2 != r1 && r2 != r0);
    let unknown = rotate(&h, &client, "not-a-refresh-token")
        .await
        .expect_err("unknown");
    assert_eq!(
        (unknown.code.as_str(), unknown.message.as_str()),
        (NA, "Invalid Refresh Token")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn twenty_concurrent_rotations_hand_out_exactly_one_new_refresh_token() {
    let h = Harness::start().await;
    let (pool, _) = h.pool_and_client().await;
    let client = h.rotating_client(&pool, 0).await;
    h.confirmed_user(&pool, &client, "u", "u@example.com").await;
    let r0 = refresh_of(&h.sign_in(&client, "u").await).to_owned();

    let calls = (0..20).map(|_| {
        let (idp, client, r0) = (h.idp.clone(), client.clone(), r0.clone());
        tokio::spawn(async move {
            idp.get_tokens_from_refresh_token()
                .client_id(client)
                .refresh_token(r0)
                .send()
                .await
        })
    });
    let mut new_tokens = 0;
    for call in calls.collect::<Vec<_>>() {
        match call.await.expect("task") {
            Ok(out) => {
                let result = out.authentication_result().expect("AuthenticationResult");
                new_tokens += usize::from(result.refresh_token().is_some());
            }
            Err(e) => {
                let codes = ["RefreshTokenReuseException", NA];
                let err = assert_error_in::<(), _>(Err(e), &codes);
                if err.code == NA {
                    assert_eq!(err.message, REFRESH_REVOKED, "{err:?}");
                }
            }
        }
    }
    assert_eq!(new_tokens, 1, "exactly one caller gets a new refresh token");
    h.shutdown().await;
}
