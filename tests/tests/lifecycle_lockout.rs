//! Failed sign-in lockout on a manual clock (5 failures, then 2^(n-5) s; attempts while locked
//! refused with "Password attempts exceeded" even with the right password; success resets the
//! count), and sign-in names: verified email and preferred_username aliases, ForceAliasCreation
//! moving a verified email, AliasExistsException without it, UsernameAttributes=[email] and
//! case-insensitive usernames.

use crate::common;
use crate::lifecycle_support;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AuthFlowType, UserStatusType, UsernameAttributeType,
    UsernameConfigurationType,
};
use common::{assert_api_error, attr, is_uuid, Harness, PASSWORD};
use latchkey::clock::ManualClock;
use lifecycle_support::{admin_create, admin_get, claims, signs_in};

const WRONG: &str = "Wrong-Password-1";
const BAD_CREDENTIALS: &str = "Incorrect username or password.";
const LOCKED: &str = "Password attempts exceeded";
const NA: &str = "NotAuthorizedException";
const EMAIL_TAKEN: &str = "An account with the given email already exists.";

async fn fail_times(h: &Harness, client: &str, user: &str, n: usize) {
    for i in 0..n {
        let res = h.password_auth(client, user, WRONG).await;
        let err = common::api_error(res);
        assert_eq!(
            (err.code.as_str(), err.message.as_str()),
            (NA, BAD_CREDENTIALS),
            "failure {i}"
        );
    }
}

/// cognito:username of a successful sign-in as `name`.
async fn signed_in_as(h: &Harness, client: &str, name: &str) -> String {
    let result = signs_in(h, client, name, PASSWORD).await;
    let id = claims(result.id_token().expect("IdToken"));
    id["cognito:username"]
        .as_str()
        .expect("cognito:username")
        .to_owned()
}

/// A pool with AliasAttributes [email, preferred_username] (email auto-verified).
async fn alias_pool(h: &Harness) -> (String, String) {
    let pool = h
        .create_pool_with("alias-pool", |b| {
            b.alias_attributes(AliasAttributeType::Email)
                .alias_attributes(AliasAttributeType::PreferredUsername)
        })
        .await
        .id
        .expect("pool Id");
    let client = h.create_client(&pool).await;
    (pool, client)
}

#[tokio::test]
async fn five_failures_lock_the_user_out_with_doubling_delays() {
    let clock = ManualClock::starting_now();
    let h = Harness::start_with_clock(clock.clone()).await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "lou", "lou@example.com")
        .await;

    fail_times(&h, &client, "lou", 5).await;
    let locked = h.password_auth(&client, "lou", PASSWORD).await;
    assert_api_error(locked, NA, LOCKED);
    let admin = h
        .idp
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "lou")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await;
    assert_api_error(admin, NA, LOCKED);

    clock.advance(Duration::from_millis(1001));
    assert_eq!(
        signed_in_as(&h, &client, "lou").await,
        "lou",
        "the 1 s lock is over"
    );

    // The success reset the count: four failures do not lock.
    fail_times(&h, &client, "lou", 4).await;
    signed_in_as(&h, &client, "lou").await;

    // 5 failures lock for 1 s, the 6th (after it) for 2 s.
    fail_times(&h, &client, "lou", 5).await;
    clock.advance(Duration::from_millis(1001));
    fail_times(&h, &client, "lou", 1).await;
    clock.advance(Duration::from_millis(1000));
    assert_api_error(h.password_auth(&client, "lou", PASSWORD).await, NA, LOCKED);
    clock.advance(Duration::from_millis(1001));
    signed_in_as(&h, &client, "lou").await;
    h.shutdown().await;
}

#[tokio::test]
async fn sign_in_with_verified_email_and_preferred_username_aliases() {
    let h = Harness::start().await;
    let (pool, client) = alias_pool(&h).await;
    h.sign_up(&client, "erin", "erin@example.com").await;
    let early = h.password_auth(&client, "erin@example.com", PASSWORD).await;
    assert_api_error(early, "UserNotFoundException", "User does not exist.");

    h.confirm_from_outbox(&pool, &client, "erin").await;
    assert_eq!(signed_in_as(&h, &client, "erin@example.com").await, "erin");
    assert_eq!(signed_in_as(&h, &client, "erin").await, "erin");

    let nick = common::attribute("preferred_username", "erin_p");
    let req = h
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("erin");
    req.user_attributes(nick)
        .send()
        .await
        .expect("set preferred_username");
    assert_eq!(signed_in_as(&h, &client, "erin_p").await, "erin");

    let email_name = common::sign_up(&h.idp, &client, "x@example.com", PASSWORD, &[]).await;
    let text = "Username cannot be of email format, since user pool is configured for email alias.";
    assert_api_error(email_name, "InvalidParameterException", text);
    h.shutdown().await;
}

/// ConfirmSignUp for `frank` with ForceAliasCreation.
async fn confirm_forced(h: &Harness, client: &str, code: &str) -> Result<(), String> {
    let req = h.idp.confirm_sign_up().client_id(client).username("frank");
    let res = req
        .confirmation_code(code)
        .force_alias_creation(true)
        .send()
        .await;
    res.map(|_| ()).map_err(|e| format!("{e:?}"))
}

#[tokio::test]
async fn force_alias_creation_moves_a_verified_email_at_confirm_sign_up() {
    let h = Harness::start().await;
    let (pool, client) = alias_pool(&h).await;
    h.confirmed_user(&pool, &client, "erin", "shared@example.com")
        .await;
    h.sign_up(&client, "frank", "shared@example.com").await;
    let code = h.latest_code(&pool, "frank").await;
    confirm_forced(&h, &client, &code)
        .await
        .expect("ConfirmSignUp, forced");

    let (_, frank) = admin_get(&h, &pool, "frank").await;
    assert_eq!(attr(&frank, "email_verified"), Some("true"));
    let (_, erin) = admin_get(&h, &pool, "erin").await;
    assert_eq!(attr(&erin, "email"), Some("shared@example.com"));
    assert_eq!(attr(&erin, "email_verified"), Some("false"));
    assert_eq!(
        signed_in_as(&h, &client, "shared@example.com").await,
        "frank"
    );
    assert_eq!(signed_in_as(&h, &client, "erin").await, "erin");
    h.shutdown().await;
}

#[tokio::test]
async fn alias_exists_at_confirm_sign_up_and_the_same_code_retries_with_force() {
    let h = Harness::start().await;
    let (pool, client) = alias_pool(&h).await;
    h.confirmed_user(&pool, &client, "erin", "shared@example.com")
        .await;
    h.sign_up(&client, "frank", "shared@example.com").await;
    let code = h.latest_code(&pool, "frank").await;

    let refused = h.confirm_sign_up(&client, "frank", &code).await;
    assert_api_error(refused, "AliasExistsException", EMAIL_TAKEN);
    let state = lifecycle_support::status(&h, &pool, "frank").await;
    assert_eq!(state, UserStatusType::Unconfirmed);
    assert_eq!(
        signed_in_as(&h, &client, "shared@example.com").await,
        "erin"
    );

    // The documented client retry: the same code again, now with ForceAliasCreation.
    let retried = confirm_forced(&h, &client, &code).await;
    retried.expect("the refused code is still good for the forced retry");
    assert_eq!(
        signed_in_as(&h, &client, "shared@example.com").await,
        "frank"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn taken_aliases_need_force_alias_creation_everywhere() {
    let h = Harness::start().await;
    let (pool, client) = alias_pool(&h).await;
    h.confirmed_user(&pool, &client, "gwen", "gwen@example.com")
        .await;
    let verified = [("email", "gwen@example.com"), ("email_verified", "true")];

    let plain = admin_create(&h, &pool, "hank", &verified).send().await;
    assert_api_error(plain, "AliasExistsException", EMAIL_TAKEN);
    let forced = admin_create(&h, &pool, "hank", &verified).force_alias_creation(true);
    forced
        .send()
        .await
        .expect("AdminCreateUser with ForceAliasCreation");
    let (_, gwen) = admin_get(&h, &pool, "gwen").await;
    assert_eq!(attr(&gwen, "email_verified"), Some("false"));

    // A self-service change is refused when it is verified and the alias is taken.
    h.confirmed_user(&pool, &client, "ivy", "ivy@example.com")
        .await;
    let access = h
        .sign_in(&client, "ivy")
        .await
        .access_token
        .expect("AccessToken");
    let to_taken = h.idp.update_user_attributes().access_token(&access);
    let to_taken = to_taken.user_attributes(common::attribute("email", "gwen@example.com"));
    to_taken
        .send()
        .await
        .expect("an unverified email may be shared");
    let code = h.latest_code(&pool, "ivy").await;
    let verify = h
        .idp
        .verify_user_attribute()
        .access_token(&access)
        .attribute_name("email");
    assert_api_error(
        verify.code(code).send().await,
        "AliasExistsException",
        EMAIL_TAKEN,
    );
    h.shutdown().await;
}

#[tokio::test]
async fn username_attributes_email_makes_the_username_a_uuid() {
    let h = Harness::start().await;
    let pool = h
        .create_pool_with("email-pool", |b| {
            b.username_attributes(UsernameAttributeType::Email)
        })
        .await
        .id
        .expect("pool Id");
    let client = h.create_client(&pool).await;
    let out = common::sign_up(&h.idp, &client, "jo@example.com", PASSWORD, &[]).await;
    let sub = out.expect("SignUp").user_sub;
    let got = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("jo@example.com")
        .send();
    let internal = got.await.expect("AdminGetUser by email").username;
    assert!(is_uuid(&internal), "{internal}");
    h.confirm_from_outbox(&pool, &client, &internal).await;
    assert_eq!(signed_in_as(&h, &client, "jo@example.com").await, internal);

    let again = common::sign_up(&h.idp, &client, "jo@example.com", PASSWORD, &[]).await;
    assert_api_error(again, "UsernameExistsException", EMAIL_TAKEN);
    let not_email = common::sign_up(&h.idp, &client, "jo", PASSWORD, &[]).await;
    assert_api_error(
        not_email,
        "InvalidParameterException",
        "Username should be an email.",
    );
    assert_eq!(internal, sub, "the internal username is the sub");
    h.shutdown().await;
}

#[tokio::test]
async fn case_insensitive_usernames_match_in_any_case() {
    let h = Harness::start().await;
    let insensitive = UsernameConfigurationType::builder()
        .case_sensitive(false)
        .build()
        .expect("UsernameConfiguration");
    let pool = h
        .create_pool_with("ci-pool", |b| b.username_configuration(insensitive))
        .await
        .id
        .expect("pool Id");
    let client = h.create_client(&pool).await;
    h.sign_up(&client, "MixedCase", "mc@example.com").await;
    let code = h.latest_code(&pool, "MixedCase").await;
    h.confirm_sign_up(&client, "mixedcase", &code)
        .await
        .expect("confirm in another case");
    assert_eq!(signed_in_as(&h, &client, "mixedcase").await, "MixedCase");
    assert_eq!(signed_in_as(&h, &client, "MIXEDCASE").await, "MixedCase");
    let got = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("mIxEdCaSe")
        .send()
        .await;
    assert_eq!(got.expect("AdminGetUser").username, "MixedCase");
    let clash = common::sign_up(&h.idp, &client, "mixedCASE", PASSWORD, &[]).await;
    assert_api_error(clash, "UsernameExistsException", "User already exists");

    // The default (case-sensitive) pool keeps them apart.
    let (strict_pool, strict) = h.pool_and_client().await;
    h.confirmed_user(&strict_pool, &strict, "Bob", "bob1@example.com")
        .await;
    h.confirmed_user(&strict_pool, &strict, "bob", "bob2@example.com")
        .await;
    assert_eq!(signed_in_as(&h, &strict, "Bob").await, "Bob");
    assert_eq!(signed_in_as(&h, &strict, "bob").await, "bob");
    let upper = h.password_auth(&strict, "BOB", PASSWORD).await;
    assert_api_error(upper, "UserNotFoundException", "User does not exist.");
    h.shutdown().await;
}
