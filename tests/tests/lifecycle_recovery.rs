//! Self-service account recovery and upkeep through the AWS SDK: ForgotPassword /
//! ConfirmForgotPassword (code lifetime, wrong codes, the recovery channel and
//! AccountRecoverySetting), ChangePassword, UpdateUserAttributes with
//! GetUserAttributeVerificationCode / VerifyUserAttribute, DeleteUserAttributes, DeleteUser,
//! PasswordHistorySize and the answers of a PreventUserExistenceErrors=ENABLED client.

use crate::common;
use crate::lifecycle_support;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, CodeDeliveryDetailsType, DeliveryMediumType, PasswordPolicyType,
    RecoveryOptionNameType as Recovery, RecoveryOptionType, UserPoolPolicyType,
};
use common::{assert_api_error, attr, other_code, Harness, PASSWORD};
use latchkey::clock::ManualClock;
use lifecycle_support::{
    admin_user, change, confirm_forgot, forgot, get_user, hiding_client, lacks, last_code,
    last_message, messages, signs_in, tokens, update_attrs, verify_attr, NEW_PASSWORD,
};

const MISMATCH: &str = "Invalid verification code provided, please try again.";
const BAD_CREDENTIALS: &str = "Incorrect username or password.";
const TOO_SHORT: &str = "Password did not conform with policy: Password not long enough";
const NA: &str = "NotAuthorizedException";

/// ForgotPassword's CodeDeliveryDetails; panics on failure.
async fn delivery(h: &Harness, client: &str, user: &str) -> CodeDeliveryDetailsType {
    let out = forgot(h, client, user).await;
    let out = out.unwrap_or_else(|e| panic!("ForgotPassword {user} failed: {e:?}"));
    out.code_delivery_details.expect("CodeDeliveryDetails")
}

#[tokio::test]
async fn forgot_password_journey() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "alice", "alice@example.com")
        .await;

    let details = delivery(&h, &client, "alice").await;
    assert_eq!(details.destination(), Some("a***@e***"));
    assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(details.attribute_name(), Some("email"));
    let message = last_message(&h, &pool, "alice", "ForgotPassword").await;
    assert_eq!(message["Destination"], "alice@example.com");
    let code = message["Code"].as_str().expect("Code").to_owned();

    let wrong = confirm_forgot(&h, &client, "alice", &other_code(&code), NEW_PASSWORD).await;
    assert_api_error(wrong, "CodeMismatchException", MISMATCH);
    let weak = confirm_forgot(&h, &client, "alice", &code, "short").await;
    assert_api_error(weak, "InvalidPasswordException", TOO_SHORT);
    let done = confirm_forgot(&h, &client, "alice", &code, NEW_PASSWORD).await;
    done.expect("ConfirmForgotPassword");

    let old = h.password_auth(&client, "alice", PASSWORD).await;
    assert_api_error(old, NA, BAD_CREDENTIALS);
    signs_in(&h, &client, "alice", NEW_PASSWORD).await;
    h.shutdown().await;
}

#[tokio::test]
async fn forgot_password_codes_expire_after_an_hour_and_burn_after_five_wrong_tries() {
    let clock = ManualClock::starting_now();
    let h = Harness::start_with_clock(clock.clone()).await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "bob", "bob@example.com")
        .await;

    delivery(&h, &client, "bob").await;
    let code = last_code(&h, &pool, "bob", "ForgotPassword").await;
    clock.advance(Duration::from_secs(3600 + 1));
    let expired = confirm_forgot(&h, &client, "bob", &code, NEW_PASSWORD).await;
    let text = "Invalid code provided, please request a code again.";
    assert_api_error(expired, "ExpiredCodeException", text);

    delivery(&h, &client, "bob").await;
    let code = last_code(&h, &pool, "bob", "ForgotPassword").await;
    clock.advance(Duration::from_secs(3600 - 60));
    let wrong_code = other_code(&code);
    // Cognito answers the first five wrong codes with CodeMismatch; after that even the right
    // code is refused with the attempt limit.
    for _ in 0..5 {
        let wrong = confirm_forgot(&h, &client, "bob", &wrong_code, NEW_PASSWORD).await;
        assert_api_error(wrong, "CodeMismatchException", MISMATCH);
    }
    let burnt = confirm_forgot(&h, &client, "bob", &code, NEW_PASSWORD).await;
    let text = "Attempt limit exceeded, please try after some time.";
    assert_api_error(burnt, "LimitExceededException", text);
    signs_in(&h, &client, "bob", PASSWORD).await;

    delivery(&h, &client, "bob").await;
    let code = last_code(&h, &pool, "bob", "ForgotPassword").await;
    let fresh = confirm_forgot(&h, &client, "bob", &code, NEW_PASSWORD).await;
    fresh.expect("a new code works");
    h.shutdown().await;
}

#[tokio::test]
async fn recovery_follows_account_recovery_setting_and_needs_a_verified_channel() {
    let h = Harness::start().await;
    let option = |name, priority| {
        let option = RecoveryOptionType::builder().name(name).priority(priority);
        option.build().expect("RecoveryOption")
    };
    let recovery = AccountRecoverySettingType::builder()
        .recovery_mechanisms(option(Recovery::VerifiedPhoneNumber, 1))
        .recovery_mechanisms(option(Recovery::VerifiedEmail, 2))
        .build();
    let pool = h.create_pool_with("recovery", |b| b.account_recovery_setting(recovery));
    let pool = pool.await.id.expect("pool Id");
    let client = h.create_client(&pool).await;
    let pat = [
        ("email", "pat@example.com"),
        ("email_verified", "true"),
        ("phone_number", "+15551234567"),
        ("phone_number_verified", "true"),
    ];
    admin_user(&h, &pool, "pat", &pat).await;
    let quinn = [("email", "quinn@example.com"), ("email_verified", "true")];
    admin_user(&h, &pool, "quinn", &quinn).await;
    admin_user(&h, &pool, "rex", &[("email", "rex@example.com")]).await;

    let sms = delivery(&h, &client, "pat").await;
    assert_eq!(sms.delivery_medium(), Some(&DeliveryMediumType::Sms));
    assert_eq!(sms.attribute_name(), Some("phone_number"));
    assert_eq!(sms.destination(), Some("+*******4567"));
    let sent = last_message(&h, &pool, "pat", "ForgotPassword").await;
    assert_eq!(sent["DeliveryMedium"], "SMS");
    assert_eq!(sent["Destination"], "+15551234567");

    let email = delivery(&h, &client, "quinn").await;
    assert_eq!(email.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(email.destination(), Some("q***@e***"));

    let text = "Cannot reset password for the user as there is no registered/verified email or phone_number";
    let unverified = forgot(&h, &client, "rex").await;
    assert_api_error(unverified, "InvalidParameterException", text);
    assert!(messages(&h, &pool, "rex", "ForgotPassword")
        .await
        .is_empty());
    h.shutdown().await;
}

#[tokio::test]
async fn change_password_checks_the_previous_password() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "cory", "cory@example.com")
        .await;
    let session = h.sign_in(&client, "cory").await;
    let access = session.access_token().expect("AccessToken");

    let wrong = change(&h, access, "Wrong-Password-1", NEW_PASSWORD).await;
    assert_api_error(wrong, NA, BAD_CREDENTIALS);
    let weak = change(&h, access, PASSWORD, "Sh0rt!").await;
    assert_api_error(weak, "InvalidPasswordException", TOO_SHORT);
    change(&h, access, PASSWORD, NEW_PASSWORD)
        .await
        .expect("ChangePassword");

    let old = h.password_auth(&client, "cory", PASSWORD).await;
    assert_api_error(old, NA, BAD_CREDENTIALS);
    signs_in(&h, &client, "cory", NEW_PASSWORD).await;
    get_user(&h, access)
        .await
        .expect("the session stays valid after ChangePassword");
    h.shutdown().await;
}

#[tokio::test]
async fn changing_an_auto_verified_email_needs_verification() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "dana", "dana@example.com")
        .await;
    let session = h.sign_in(&client, "dana").await;
    let access = session.access_token().expect("AccessToken");

    let attrs = [("email", "new@example.com"), ("name", "Dana")];
    let out = update_attrs(&h, access, &attrs)
        .await
        .expect("UpdateUserAttributes");
    let list = out.code_delivery_details_list();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].destination(), Some("n***@e***"));
    assert_eq!(list[0].attribute_name(), Some("email"));
    let user = get_user(&h, access).await.expect("GetUser");
    assert_eq!(
        attr(user.user_attributes(), "email"),
        Some("new@example.com")
    );
    assert_eq!(
        attr(user.user_attributes(), "email_verified"),
        Some("false")
    );
    assert_eq!(attr(user.user_attributes(), "name"), Some("Dana"));
    let message = last_message(&h, &pool, "dana", "VerifyEmail").await;
    assert_eq!(message["Destination"], "new@example.com");
    let first = message["Code"].as_str().expect("Code").to_owned();

    let wrong = verify_attr(&h, access, "email", &other_code(&first)).await;
    assert_api_error(wrong, "CodeMismatchException", MISMATCH);
    let again = h
        .idp
        .get_user_attribute_verification_code()
        .access_token(access);
    let again = again.attribute_name("email").send().await;
    let again = again.expect("GetUserAttributeVerificationCode");
    let details = again.code_delivery_details().expect("CodeDeliveryDetails");
    assert_eq!(details.destination(), Some("n***@e***"));
    assert_eq!(messages(&h, &pool, "dana", "VerifyEmail").await.len(), 2);
    let second = last_code(&h, &pool, "dana", "VerifyEmail").await;
    verify_attr(&h, access, "email", &second)
        .await
        .expect("VerifyUserAttribute");
    let user = get_user(&h, access).await.expect("GetUser");
    assert_eq!(attr(user.user_attributes(), "email_verified"), Some("true"));
    h.shutdown().await;
}

#[tokio::test]
async fn delete_user_attributes_and_delete_user() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "eli", "eli@example.com")
        .await;
    let session = h.sign_in(&client, "eli").await;
    let access = session.access_token().expect("AccessToken");
    update_attrs(&h, access, &[("name", "Eli")])
        .await
        .expect("set name");

    let req = h.idp.delete_user_attributes().access_token(access);
    let req = req.user_attribute_names("name").send().await;
    req.expect("DeleteUserAttributes");
    let user = get_user(&h, access).await.expect("GetUser");
    assert!(lacks(user.user_attributes(), "name"));
    assert_eq!(
        attr(user.user_attributes(), "email"),
        Some("eli@example.com")
    );

    h.idp
        .delete_user()
        .access_token(access)
        .send()
        .await
        .expect("DeleteUser");
    let (unf, gone) = ("UserNotFoundException", "User does not exist.");
    assert_api_error(get_user(&h, access).await, unf, gone);
    assert_api_error(h.password_auth(&client, "eli", PASSWORD).await, unf, gone);
    let admin = h.idp.admin_get_user().user_pool_id(&pool).username("eli");
    assert_api_error(admin.send().await, unf, gone);
    // The username is free again.
    h.confirmed_user(&pool, &client, "eli", "eli@example.com")
        .await;
    h.shutdown().await;
}

#[tokio::test]
async fn password_history_refuses_recent_passwords() {
    let h = Harness::start().await;
    let policy = PasswordPolicyType::builder()
        .minimum_length(8)
        .password_history_size(2);
    let policies = UserPoolPolicyType::builder()
        .password_policy(policy.build())
        .build();
    let pool = h
        .create_pool_with("history", |b| b.policies(policies))
        .await;
    let pool = pool.id.expect("pool Id");
    let client = h.create_client(&pool).await;
    h.confirmed_user(&pool, &client, "fin", "fin@example.com")
        .await;
    let access = h
        .sign_in(&client, "fin")
        .await
        .access_token
        .expect("AccessToken");
    let violation = "PasswordHistoryPolicyViolationException";
    let text = "The password has been used recently. Use a different password.";

    let same = change(&h, &access, PASSWORD, PASSWORD).await;
    assert_api_error(same, violation, text);
    change(&h, &access, PASSWORD, "second-pass")
        .await
        .expect("P1 -> P2");
    let back = change(&h, &access, "second-pass", PASSWORD).await;
    assert_api_error(back, violation, text);
    change(&h, &access, "second-pass", "third-pass")
        .await
        .expect("P2 -> P3");

    delivery(&h, &client, "fin").await;
    let code = last_code(&h, &pool, "fin", "ForgotPassword").await;
    let reused = confirm_forgot(&h, &client, "fin", &code, "third-pass").await;
    assert_api_error(reused, violation, text);
    let p4 = confirm_forgot(&h, &client, "fin", &code, "fourth-pass").await;
    p4.expect("P3 -> P4 with the same code");

    let signed = h.password_auth(&client, "fin", "fourth-pass").await;
    let access = tokens(signed.expect("sign-in"))
        .access_token
        .expect("AccessToken");
    change(&h, &access, "fourth-pass", PASSWORD)
        .await
        .expect("P1 is old enough again");
    h.shutdown().await;
}

#[tokio::test]
async fn prevent_user_existence_errors_hides_unknown_users() {
    let h = Harness::start().await;
    let (pool, legacy) = h.pool_and_client().await;
    let hiding = hiding_client(&h, &pool).await;
    h.confirmed_user(&pool, &hiding, "gail", "gail@example.com")
        .await;

    let unknown = h.password_auth(&hiding, "nobody", PASSWORD).await;
    assert_api_error(unknown, NA, BAD_CREDENTIALS);
    let wrong = h.password_auth(&hiding, "gail", "Wrong-Password-1").await;
    assert_api_error(wrong, NA, BAD_CREDENTIALS);

    let fake = delivery(&h, &hiding, "nobody").await;
    let real = delivery(&h, &hiding, "gail").await;
    assert_eq!(fake.delivery_medium(), real.delivery_medium());
    assert_eq!(fake.attribute_name(), real.attribute_name());
    let masked = fake.destination().expect("Destination");
    let shape = masked.len() == 9 && &masked[1..5] == "***@" && masked.ends_with("***");
    assert!(shape, "masked like a real address: {masked}");
    let resend = h
        .idp
        .resend_confirmation_code()
        .client_id(&hiding)
        .username("nobody");
    let resend = resend
        .send()
        .await
        .expect("ResendConfirmationCode for nobody");
    let resent = resend.code_delivery_details().expect("CodeDeliveryDetails");
    assert_eq!(resent.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert!(
        h.outbox(&pool, "nobody").await.is_empty(),
        "nothing is really sent"
    );

    let confirm = confirm_forgot(&h, &hiding, "nobody", "123456", NEW_PASSWORD).await;
    assert_api_error(confirm, "CodeMismatchException", MISMATCH);
    let sign_up = h.confirm_sign_up(&hiding, "nobody", "123456").await;
    assert_api_error(sign_up, "CodeMismatchException", MISMATCH);
    let taken = common::sign_up(&h.idp, &hiding, "gail", PASSWORD, &[]).await;
    assert_api_error(taken, "UsernameExistsException", "User already exists");

    let (unf, gone) = ("UserNotFoundException", "User does not exist.");
    assert_api_error(
        h.password_auth(&legacy, "nobody", PASSWORD).await,
        unf,
        gone,
    );
    assert_api_error(forgot(&h, &legacy, "nobody").await, unf, gone);
    h.shutdown().await;
}
