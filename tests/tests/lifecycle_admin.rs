//! Admin-managed accounts through the AWS SDK: the invitation journey (AdminCreateUser, the
//! invite in the outbox, NEW_PASSWORD_REQUIRED answered with RespondToAuthChallenge or
//! AdminRespondToAuthChallenge), RESEND and SUPPRESS, temporary-password expiry,
//! AdminSetUserPassword, disable/enable, AdminResetUserPassword,
//! Admin(Update|Delete)UserAttributes and the UserNotFound / UnsupportedUserState errors.

use crate::common;
use crate::lifecycle_support;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, ChallengeNameType, DeliveryMediumType, MessageActionType,
    PasswordPolicyType, SchemaAttributeType, UserPoolPolicyType, UserStatusType,
};
use common::{assert_api_error, attr, is_uuid, Harness, TokenUse, PASSWORD};
use latchkey::clock::ManualClock;
use lifecycle_support::{
    admin_create, admin_delete_attrs, admin_get, admin_password_auth, admin_respond_new_password,
    admin_update, admin_user, confirm_forgot,
    expect_new_password_challenge as new_password_challenge, get_user, json_param, lacks,
    last_code, last_message, messages, respond_new_password, set_password, signs_in, status,
    NEW_PASSWORD, TEMPORARY,
};
use serde_json::json;

const DOES_NOT_EXIST: &str = "User does not exist.";
const BAD_CREDENTIALS: &str = "Incorrect username or password.";
const NA: &str = "NotAuthorizedException";
const IPE: &str = "InvalidParameterException";

/// A pool (auto-verified email) with an immutable `custom:tenant` attribute.
async fn admin_pool(h: &Harness) -> (String, String) {
    let tenant = SchemaAttributeType::builder()
        .name("tenant")
        .attribute_data_type(AttributeDataType::String)
        .mutable(false)
        .build();
    let pool = h.create_pool_with("admin-pool", |b| b.schema(tenant)).await;
    let pool = pool.id.expect("pool Id");
    let client = h.create_client(&pool).await;
    (pool, client)
}

/// AdminCreateUser with an email, a temporary password and an EMAIL invitation.
async fn invite(h: &Harness, pool: &str, user: &str, temporary: Option<&str>) {
    let email = format!("{user}@example.com");
    let req = admin_create(h, pool, user, &[("email", &email)])
        .set_temporary_password(temporary.map(str::to_owned))
        .desired_delivery_mediums(DeliveryMediumType::Email);
    req.send()
        .await
        .unwrap_or_else(|e| panic!("AdminCreateUser {user}: {e:?}"));
}

#[tokio::test]
async fn invitation_journey_through_respond_to_auth_challenge() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    let req = admin_create(&h, &pool, "dora", &[("email", "dora@example.com")])
        .temporary_password(TEMPORARY)
        .desired_delivery_mediums(DeliveryMediumType::Email);
    let created = req.send().await.expect("AdminCreateUser");
    let user = created.user().expect("User");
    assert_eq!(user.username(), Some("dora"));
    let forced = UserStatusType::ForceChangePassword;
    assert_eq!(user.user_status(), Some(&forced));
    assert!(user.enabled());
    assert!(attr(user.attributes(), "sub").is_some_and(is_uuid));
    assert_eq!(attr(user.attributes(), "email"), Some("dora@example.com"));

    let invites = messages(&h, &pool, "dora", "Invitation").await;
    assert_eq!(invites.len(), 1, "{invites:?}");
    let invite = &invites[0];
    assert_eq!(invite["DeliveryMedium"], "EMAIL");
    assert_eq!(invite["Destination"], "dora@example.com");
    assert_eq!(invite["Code"], TEMPORARY);
    let text = invite["Message"].as_str().expect("Message");
    assert!(text.contains("dora") && text.contains(TEMPORARY), "{text}");

    let (session, params) = new_password_challenge(&h, &client, "dora", TEMPORARY).await;
    let id_for_srp = params.get("USER_ID_FOR_SRP").map(String::as_str);
    assert_eq!(id_for_srp, Some("dora"));
    let user_attributes = json_param(&params, "userAttributes");
    assert_eq!(
        user_attributes["email"], "dora@example.com",
        "{user_attributes}"
    );
    assert_eq!(json_param(&params, "requiredAttributes"), json!([]));

    let weak = respond_new_password(&h, &client, &session, "dora", "short").await;
    let text = "Password did not conform with policy: Password not long enough";
    assert_api_error(weak, "InvalidPasswordException", text);
    let out = respond_new_password(&h, &client, &session, "dora", NEW_PASSWORD).await;
    let out = out.expect("RespondToAuthChallenge");
    assert_eq!(out.challenge_name(), None);
    let result = out.authentication_result().expect("AuthenticationResult");
    assert!(result.refresh_token().is_some());
    let id = result.id_token().expect("IdToken");
    let claims = h.verify(&pool, id, TokenUse::Id, &client).await;
    assert_eq!(claims["cognito:username"], "dora");
    assert_eq!(claims["email"], "dora@example.com");
    assert_eq!(status(&h, &pool, "dora").await, UserStatusType::Confirmed);

    let old = h.password_auth(&client, "dora", TEMPORARY).await;
    assert_api_error(old, NA, BAD_CREDENTIALS);
    signs_in(&h, &client, "dora", NEW_PASSWORD).await;
    h.shutdown().await;
}

#[tokio::test]
async fn invitation_journey_through_admin_respond_with_a_generated_password() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    invite(&h, &pool, "eve", None).await;
    let temporary = last_code(&h, &pool, "eve", "Invitation").await;
    assert!(
        temporary.len() >= 8,
        "generated {temporary:?} meets the policy"
    );

    let out = admin_password_auth(&h, &pool, &client, "eve", &temporary).await;
    let out = out.expect("AdminInitiateAuth");
    let challenge = ChallengeNameType::NewPasswordRequired;
    assert_eq!(out.challenge_name(), Some(&challenge));
    let params = out
        .challenge_parameters()
        .cloned()
        .expect("ChallengeParameters");
    assert_eq!(
        json_param(&params, "userAttributes")["email"],
        "eve@example.com"
    );
    assert_eq!(json_param(&params, "requiredAttributes"), json!([]));

    let session = out.session().expect("Session");
    let name = [("name", "Eve Adams")];
    let done =
        admin_respond_new_password(&h, (&pool, &client), session, "eve", NEW_PASSWORD, &name);
    let done = done.await.expect("AdminRespondToAuthChallenge");
    let result = done.authentication_result().expect("AuthenticationResult");
    let id = result.id_token().expect("IdToken");
    let claims = h.verify(&pool, id, TokenUse::Id, &client).await;
    assert_eq!(claims["name"], "Eve Adams", "set by the challenge answer");
    let (state, attrs) = admin_get(&h, &pool, "eve").await;
    assert_eq!(state, UserStatusType::Confirmed);
    assert_eq!(attr(&attrs, "name"), Some("Eve Adams"));
    h.shutdown().await;
}

#[tokio::test]
async fn resend_replaces_the_temporary_password_and_suppress_sends_nothing() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    let req = admin_create(&h, &pool, "fay", &[("email", "fay@example.com")])
        .temporary_password(TEMPORARY)
        .message_action(MessageActionType::Suppress);
    req.send().await.expect("AdminCreateUser SUPPRESS");
    assert!(
        h.outbox(&pool, "fay").await.is_empty(),
        "SUPPRESS sends nothing"
    );

    let req = admin_create(&h, &pool, "fay", &[])
        .temporary_password("Second-Temp-456")
        .message_action(MessageActionType::Resend)
        .desired_delivery_mediums(DeliveryMediumType::Email);
    req.send().await.expect("AdminCreateUser RESEND");
    let code = last_code(&h, &pool, "fay", "Invitation").await;
    assert_eq!(code, "Second-Temp-456");
    let old = h.password_auth(&client, "fay", TEMPORARY).await;
    assert_api_error(old, NA, BAD_CREDENTIALS);
    new_password_challenge(&h, &client, "fay", "Second-Temp-456").await;

    admin_user(&h, &pool, "gus", &[("email", "gus@example.com")]).await;
    let resend = |user: &str| {
        let req = admin_create(&h, &pool, user, &[]);
        req.message_action(MessageActionType::Resend).send()
    };
    let text = "User is not in FORCE_CHANGE_PASSWORD state.";
    assert_api_error(resend("gus").await, "UnsupportedUserStateException", text);
    let unknown = resend("nobody").await;
    assert_api_error(unknown, "UserNotFoundException", DOES_NOT_EXIST);
    h.shutdown().await;
}

#[tokio::test]
async fn expired_temporary_password_must_be_reset_by_an_administrator() {
    let clock = ManualClock::starting_now();
    let h = Harness::start_with_clock(clock.clone()).await;
    let policy = PasswordPolicyType::builder()
        .minimum_length(8)
        .temporary_password_validity_days(1);
    let policies = UserPoolPolicyType::builder()
        .password_policy(policy.build())
        .build();
    let pool = h.create_pool_with("expiry", |b| b.policies(policies)).await;
    let pool = pool.id.expect("pool Id");
    let client = h.create_client(&pool).await;
    invite(&h, &pool, "hal", Some(TEMPORARY)).await;
    clock.advance(Duration::from_secs(86_400 - 60));
    new_password_challenge(&h, &client, "hal", TEMPORARY).await;

    clock.advance(Duration::from_secs(120));
    let expired = h.password_auth(&client, "hal", TEMPORARY).await;
    let text = "Temporary password has expired and must be reset by an administrator.";
    assert_api_error(expired, NA, text);

    set_password(&h, &pool, "hal", "Fresh-Temp-789", false).await;
    let forced = UserStatusType::ForceChangePassword;
    assert_eq!(status(&h, &pool, "hal").await, forced);
    new_password_challenge(&h, &client, "hal", "Fresh-Temp-789").await;
    h.shutdown().await;
}

#[tokio::test]
async fn admin_set_user_password_permanent_and_temporary() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "ida", "ida@example.com")
        .await;

    set_password(&h, &pool, "ida", NEW_PASSWORD, true).await;
    assert_eq!(status(&h, &pool, "ida").await, UserStatusType::Confirmed);
    signs_in(&h, &client, "ida", NEW_PASSWORD).await;
    let old = h.password_auth(&client, "ida", PASSWORD).await;
    assert_api_error(old, NA, BAD_CREDENTIALS);

    set_password(&h, &pool, "ida", TEMPORARY, false).await;
    let forced = UserStatusType::ForceChangePassword;
    assert_eq!(status(&h, &pool, "ida").await, forced);
    new_password_challenge(&h, &client, "ida", TEMPORARY).await;

    let weak = h
        .idp
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("ida");
    let weak = weak.password("alllowercase1!").permanent(true).send().await;
    let text = "Password did not conform with policy: Password must have uppercase characters";
    assert_api_error(weak, "InvalidPasswordException", text);

    // Permanent=true takes an invited user straight to CONFIRMED.
    invite(&h, &pool, "jon", Some(TEMPORARY)).await;
    set_password(&h, &pool, "jon", PASSWORD, true).await;
    assert_eq!(status(&h, &pool, "jon").await, UserStatusType::Confirmed);
    signs_in(&h, &client, "jon", PASSWORD).await;
    h.shutdown().await;
}

#[tokio::test]
async fn disabled_users_cannot_sign_in_and_lose_their_tokens() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "kim", "kim@example.com")
        .await;
    let before = h.sign_in(&client, "kim").await;
    let access = before.access_token().expect("AccessToken");
    get_user(&h, access)
        .await
        .expect("GetUser before disabling");

    let disable = h.idp.admin_disable_user().user_pool_id(&pool);
    disable
        .username("kim")
        .send()
        .await
        .expect("AdminDisableUser");
    let got = h.idp.admin_get_user().user_pool_id(&pool).username("kim");
    assert!(!got.send().await.expect("AdminGetUser").enabled());
    let signed = h.password_auth(&client, "kim", PASSWORD).await;
    assert_api_error(signed, NA, "User is disabled.");
    assert_api_error(get_user(&h, access).await, NA, "User is disabled.");

    let enable = h.idp.admin_enable_user().user_pool_id(&pool);
    enable
        .username("kim")
        .send()
        .await
        .expect("AdminEnableUser");
    let fresh = h.sign_in(&client, "kim").await;
    let fresh = get_user(&h, fresh.access_token().expect("AccessToken")).await;
    fresh.expect("a new token works");
    let stale = get_user(&h, access).await;
    assert_api_error(stale, NA, "Access Token has been revoked");
    h.shutdown().await;
}

#[tokio::test]
async fn admin_reset_user_password_requires_a_reset() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "lea", "lea@example.com")
        .await;
    let reset = h.idp.admin_reset_user_password().user_pool_id(&pool);
    reset
        .username("lea")
        .send()
        .await
        .expect("AdminResetUserPassword");
    assert_eq!(
        status(&h, &pool, "lea").await,
        UserStatusType::ResetRequired
    );
    let message = last_message(&h, &pool, "lea", "ForgotPassword").await;
    assert_eq!(message["Destination"], "lea@example.com");

    let signed = h.password_auth(&client, "lea", PASSWORD).await;
    let text = "Password reset required for the user";
    assert_api_error(signed, "PasswordResetRequiredException", text);

    let code = message["Code"].as_str().expect("Code");
    let done = confirm_forgot(&h, &client, "lea", code, NEW_PASSWORD).await;
    done.expect("ConfirmForgotPassword");
    assert_eq!(status(&h, &pool, "lea").await, UserStatusType::Confirmed);
    signs_in(&h, &client, "lea", NEW_PASSWORD).await;
    h.shutdown().await;
}

#[tokio::test]
async fn admin_update_and_delete_user_attributes() {
    let h = Harness::start().await;
    let (pool, client) = admin_pool(&h).await;
    let attrs = [
        ("email", "max@example.com"),
        ("email_verified", "true"),
        ("custom:tenant", "t1"),
    ];
    admin_user(&h, &pool, "max", &attrs).await;
    let update =
        |pairs: &'static [(&'static str, &'static str)]| admin_update(&h, &pool, "max", pairs);

    update(&[("name", "Max Power")]).await.expect("update name");
    let (_, got) = admin_get(&h, &pool, "max").await;
    assert_eq!(attr(&got, "name"), Some("Max Power"));
    assert_eq!(attr(&got, "email_verified"), Some("true"));

    // A changed auto-verified email becomes unverified and gets a VerifyEmail code...
    update(&[("email", "max2@example.com")])
        .await
        .expect("update email");
    let (_, got) = admin_get(&h, &pool, "max").await;
    assert_eq!(attr(&got, "email"), Some("max2@example.com"));
    assert_eq!(attr(&got, "email_verified"), Some("false"));
    let verify = last_message(&h, &pool, "max", "VerifyEmail").await;
    assert_eq!(verify["Destination"], "max2@example.com");
    // ...unless the same call marks it verified.
    let pairs = &[("email", "max3@example.com"), ("email_verified", "true")];
    update(pairs).await.expect("update verified email");
    let (_, got) = admin_get(&h, &pool, "max").await;
    assert_eq!(attr(&got, "email_verified"), Some("true"));
    assert_eq!(messages(&h, &pool, "max", "VerifyEmail").await.len(), 1);

    let bad_email = update(&[("email", "not-an-email")]).await;
    assert_api_error(bad_email, IPE, "Invalid email address format.");
    let immutable = update(&[("custom:tenant", "t2")]).await;
    let text = "Cannot modify the non-mutable attribute custom:tenant";
    assert_api_error(immutable, IPE, text);

    let deleted = admin_delete_attrs(&h, &pool, "max", &["name", "email"]).await;
    deleted.expect("AdminDeleteUserAttributes");
    let (_, got) = admin_get(&h, &pool, "max").await;
    assert!(lacks(&got, "name") && lacks(&got, "email") && lacks(&got, "email_verified"));
    assert_eq!(attr(&got, "custom:tenant"), Some("t1"));
    let sub = admin_delete_attrs(&h, &pool, "max", &["sub"]).await;
    assert_api_error(sub, IPE, "Cannot delete required attribute sub");
    signs_in(&h, &client, "max", PASSWORD).await;
    h.shutdown().await;
}

#[tokio::test]
async fn admin_operations_on_unknown_users_say_user_not_found() {
    let h = Harness::start().await;
    let pool = h.create_pool("admin-pool").await;
    let (p, u, idp) = (pool.as_str(), "ghost", &h.idp);
    let nf = "UserNotFoundException";
    let r = idp.admin_get_user().user_pool_id(p).username(u);
    assert_api_error(r.send().await, nf, DOES_NOT_EXIST);
    let r = idp.admin_set_user_password().user_pool_id(p).username(u);
    assert_api_error(r.password(PASSWORD).send().await, nf, DOES_NOT_EXIST);
    let r = idp.admin_disable_user().user_pool_id(p).username(u);
    assert_api_error(r.send().await, nf, DOES_NOT_EXIST);
    let r = idp.admin_enable_user().user_pool_id(p).username(u);
    assert_api_error(r.send().await, nf, DOES_NOT_EXIST);
    let r = idp.admin_reset_user_password().user_pool_id(p).username(u);
    assert_api_error(r.send().await, nf, DOES_NOT_EXIST);
    let r = admin_update(&h, p, u, &[("name", "Nobody")]).await;
    assert_api_error(r, nf, DOES_NOT_EXIST);
    let r = admin_delete_attrs(&h, p, u, &["name"]).await;
    assert_api_error(r, nf, DOES_NOT_EXIST);
    let r = idp.admin_user_global_sign_out().user_pool_id(p).username(u);
    assert_api_error(r.send().await, nf, DOES_NOT_EXIST);
    h.shutdown().await;
}

#[tokio::test]
async fn an_unknown_attribute_is_refused_with_cognitos_message() {
    let h = Harness::start().await;
    let (pool, _) = admin_pool(&h).await;
    admin_user(&h, &pool, "ned", &[]).await;
    let unknown = admin_update(&h, &pool, "ned", &[("custom:nope", "x")]).await;
    let text = "Attributes did not conform to the schema: \
                Type for attribute {custom:nope} could not be determined";
    assert_api_error(unknown, IPE, text);
    h.shutdown().await;
}
