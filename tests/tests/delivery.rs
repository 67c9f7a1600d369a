//! Message delivery, black-box: every code message over a real SMTP server (aiosmtpd) with the
//! pool's sender and texts, SES (moto) for a pool's own identity, SMS through SNS (moto) with
//! the pool's role, SMS and email MFA round trips, and failing transports (refused, down,
//! hanging) answering Cognito's error while the user stays recoverable.

use std::collections::HashMap;

use crate::common::*;
use crate::delivery_support::*;
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{
    ChallengeNameType, DeliveryMediumType, EmailConfigurationType, EmailMfaConfigType,
    EmailMfaSettingsType, EmailSendingAccountType, MessageActionType, SmsConfigurationType,
    SmsMfaConfigType, SmsMfaSettingsType, SoftwareTokenMfaConfigType, UserPoolMfaType,
    UserStatusType, VerificationMessageTemplateType, VerifiedAttributeType,
};

const NEW_PASSWORD: &str = "Another-Horse-7";

#[tokio::test]
async fn smtp_carries_every_code_message_with_the_pools_sender_and_texts() {
    let Some((smtp, maildir)) = smtp_or_skip("smtp_carries_every_code_message") else {
        return;
    };
    let h = Harness::start_with(with_smtp(&smtp, "Latchkey Tests <server@example.com>")).await;
    let template = VerificationMessageTemplateType::builder()
        .email_subject("Welcome aboard")
        .email_message("<p>Welcome! Your code is <b>{####}</b>.</p>")
        .build();
    let sender = EmailConfigurationType::builder()
        .email_sending_account(EmailSendingAccountType::CognitoDefault)
        .from("Pool Sender <pool-sender@example.com>")
        .reply_to_email_address("help@example.com")
        .build();
    let pool = h
        .create_pool_with("smtp-pool", |b| {
            b.verification_message_template(template)
                .email_configuration(sender)
        })
        .await
        .id
        .expect("pool id");
    let client = h.create_client(&pool).await;
    let address = unique_address("alice");

    // SignUp: an HTML email from the pool's sender, with its subject and a text alternative.
    let out = h.sign_up(&client, "alice", &address).await;
    let details = out.code_delivery_details().expect("CodeDeliveryDetails");
    assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Email));
    let first = &mails(&maildir, &address, 1).await[0];
    assert!(first.from.contains("pool-sender@example.com"), "{first:?}");
    assert!(first
        .reply_to
        .as_deref()
        .is_some_and(|r| r.contains("help@example.com")));
    assert_eq!(first.subject, "Welcome aboard");
    let html = first.html.as_deref().expect("an HTML part");
    let code = code_in(html, 6);
    assert!(html.contains(&format!("<b>{code}</b>")), "{html}");
    assert!(
        first.text.contains(&code),
        "the text alternative: {first:?}"
    );
    // Nothing went to the outbox: the code only travelled by mail.
    assert!(h.outbox(&pool, "alice").await.is_empty());

    // ResendConfirmationCode: a new code; the old one is superseded.
    h.idp
        .resend_confirmation_code()
        .client_id(&client)
        .username("alice")
        .send()
        .await
        .expect("ResendConfirmationCode");
    let second = code_in(mails(&maildir, &address, 2).await[1].text.as_str(), 6);
    if second != code {
        let stale = h.confirm_sign_up(&client, "alice", &code).await;
        assert_api_error(
            stale,
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        );
    }
    h.confirm_sign_up(&client, "alice", &second)
        .await
        .expect("ConfirmSignUp with the mailed code");

    // ForgotPassword: the mailed code resets the password.
    h.idp
        .forgot_password()
        .client_id(&client)
        .username("alice")
        .send()
        .await
        .expect("ForgotPassword");
    let reset = code_in(mails(&maildir, &address, 3).await[2].text.as_str(), 6);
    h.idp
        .confirm_forgot_password()
        .client_id(&client)
        .username("alice")
        .confirmation_code(reset)
        .password(NEW_PASSWORD)
        .send()
        .await
        .expect("ConfirmForgotPassword");
    let tokens = h
        .password_auth(&client, "alice", NEW_PASSWORD)
        .await
        .expect("sign-in with the new password");
    let access = tokens
        .authentication_result()
        .and_then(|r| r.access_token())
        .expect("AccessToken")
        .to_string();

    // A changed email is verified by a code sent to the new address.
    let changed = unique_address("alice-new");
    h.idp
        .update_user_attributes()
        .access_token(&access)
        .user_attributes(attribute("email", &changed))
        .send()
        .await
        .expect("UpdateUserAttributes");
    let verify = code_in(mails(&maildir, &changed, 1).await[0].text.as_str(), 6);
    h.idp
        .verify_user_attribute()
        .access_token(&access)
        .attribute_name("email")
        .code(verify)
        .send()
        .await
        .expect("VerifyUserAttribute");

    // AdminCreateUser: SUPPRESS sends nothing; otherwise the invitation carries the username
    // and the temporary password, which signs in to NEW_PASSWORD_REQUIRED.
    let quiet = unique_address("quiet");
    h.idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("quiet")
        .user_attributes(attribute("email", &quiet))
        .message_action(MessageActionType::Suppress)
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .expect("AdminCreateUser SUPPRESS");
    let invited = unique_address("bob");
    h.idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("bob")
        .user_attributes(attribute("email", &invited))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .expect("AdminCreateUser");
    let invite = &mails(&maildir, &invited, 1).await[0];
    assert_eq!(mails_now(&maildir, &quiet), 0, "SUPPRESS sent nothing");
    let temporary = invite
        .text
        .split("temporary password is ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|p| p.trim_end_matches('.').to_string())
        .unwrap_or_else(|| panic!("no temporary password in {invite:?}"));
    assert!(invite.text.contains("bob"), "{invite:?}");
    let first_sign_in = h
        .password_auth(&client, "bob", &temporary)
        .await
        .expect("sign-in with the mailed temporary password");
    assert_eq!(
        first_sign_in.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    h.shutdown().await;
}

/// SetUserPoolMfaConfig with SMS codes (`sms`) and, if `email`, email codes allowed (TOTP
/// off), MFA `mode`.
async fn allow_code_mfa(
    h: &Harness,
    pool: &str,
    mode: UserPoolMfaType,
    sms: Option<SmsMfaConfigType>,
    email: bool,
) {
    let mut req = h
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(pool)
        .mfa_configuration(mode)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(false).build(),
        );
    if email {
        req = req.email_mfa_configuration(
            EmailMfaConfigType::builder()
                .subject("Your sign-in code")
                .message("Sign-in code: {####}")
                .build(),
        );
    }
    if let Some(sms) = sms {
        req = req.sms_mfa_configuration(sms);
    }
    req.send().await.expect("SetUserPoolMfaConfig");
}

async fn challenge_of(
    h: &Harness,
    client: &str,
    user: &str,
    password: &str,
) -> (ChallengeNameType, String, HashMap<String, String>) {
    let out = h
        .password_auth(client, user, password)
        .await
        .expect("password accepted");
    (
        out.challenge_name().cloned().expect("a challenge"),
        out.session().expect("Session").to_string(),
        out.challenge_parameters().cloned().unwrap_or_default(),
    )
}

#[tokio::test]
async fn email_and_sms_mfa_round_trips_with_a_choice_between_them() {
    let Some((smtp, maildir)) = smtp_or_skip("email_and_sms_mfa_round_trips") else {
        return;
    };
    let h = Harness::start_with(with_smtp(&smtp, "server@example.com")).await;
    let (pool, client) = h.pool_and_client().await;
    let sms = SmsMfaConfigType::builder()
        .sms_authentication_message("Your Latchkey code is {####}")
        .build();
    allow_code_mfa(&h, &pool, UserPoolMfaType::Optional, Some(sms), true).await;
    let address = unique_address("mia");
    let phone = unique_phone();
    sign_up(
        &h.idp,
        &client,
        "mia",
        PASSWORD,
        &[("email", &address), ("phone_number", &phone)],
    )
    .await
    .expect("SignUp");
    let code = code_in(&mails(&maildir, &address, 1).await[0].text, 6);
    h.confirm_sign_up(&client, "mia", &code)
        .await
        .expect("ConfirmSignUp");
    let access = h
        .sign_in(&client, "mia")
        .await
        .access_token()
        .expect("OPTIONAL MFA with nothing enabled signs in")
        .to_string();

    // Email MFA, preferred: EMAIL_OTP with an 8-digit code from the pool's template.
    h.idp
        .set_user_mfa_preference()
        .access_token(&access)
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .expect("SetUserMFAPreference email");
    let me = h
        .idp
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect("GetUser");
    assert_eq!(me.preferred_mfa_setting(), Some("EMAIL_OTP"));
    assert_eq!(me.user_mfa_setting_list(), ["EMAIL_OTP".to_string()]);
    let (name, session, params) = challenge_of(&h, &client, "mia", PASSWORD).await;
    assert_eq!(name, ChallengeNameType::EmailOtp);
    assert_eq!(params["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert!(
        params["CODE_DELIVERY_DESTINATION"].contains("***"),
        "{params:?}"
    );
    let mail = &mails(&maildir, &address, 2).await[1];
    assert_eq!(mail.subject, "Your sign-in code");
    let otp = code_in(&mail.text, 8);
    let wrong = h
        .respond(
            &client,
            name.clone(),
            &session,
            &[("USERNAME", "mia"), ("EMAIL_OTP_CODE", &other_code(&otp))],
        )
        .await;
    assert_api_error(
        wrong,
        "CodeMismatchException",
        "Invalid code or auth state for the user.",
    );
    let done = h
        .respond(
            &client,
            name.clone(),
            &session,
            &[("USERNAME", "mia"), ("EMAIL_OTP_CODE", &otp)],
        )
        .await
        .expect("the mailed code completes the sign-in");
    assert!(done
        .authentication_result()
        .and_then(|r| r.id_token())
        .is_some());
    let again = h
        .respond(
            &client,
            name,
            &session,
            &[("USERNAME", "mia"), ("EMAIL_OTP_CODE", &otp)],
        )
        .await;
    assert!(again.is_err(), "a code and its session answer once");

    // SMS enabled too, neither preferred: SELECT_MFA_TYPE offers both.
    h.idp
        .set_user_mfa_preference()
        .access_token(&access)
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(false)
                .build(),
        )
        .send()
        .await
        .expect("SetUserMFAPreference sms + email");
    let (name, session, params) = challenge_of(&h, &client, "mia", PASSWORD).await;
    assert_eq!(name, ChallengeNameType::SelectMfaType);
    assert_eq!(params["MFAS_CAN_CHOOSE"], "[\"SMS_MFA\",\"EMAIL_OTP\"]");
    let chosen = h
        .respond(
            &client,
            name,
            &session,
            &[("USERNAME", "mia"), ("ANSWER", "SMS_MFA")],
        )
        .await
        .expect("ANSWER SMS_MFA");
    assert_eq!(chosen.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let sms_params = chosen.challenge_parameters().expect("parameters");
    assert_eq!(sms_params["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    // This pool has no SmsConfiguration, so the SMS went to the outbox.
    let texts = h.outbox(&pool, "mia").await;
    let last = texts.last().expect("the SMS in the outbox");
    assert_eq!(last["DeliveryMedium"], "SMS");
    let text = last["Message"].as_str().expect("Message");
    assert!(text.starts_with("Your Latchkey code is "), "{text}");
    let sms_code = code_in(text, 6);
    let session = chosen.session().expect("Session");
    let done = h
        .respond(
            &client,
            ChallengeNameType::SmsMfa,
            session,
            &[("USERNAME", "mia"), ("SMS_MFA_CODE", &sms_code)],
        )
        .await
        .expect("the SMS code completes the sign-in");
    assert!(done.authentication_result().is_some());
    h.shutdown().await;
}

#[tokio::test]
async fn email_mfa_without_a_sender_for_the_pool_is_refused() {
    if moto_or_skip("email_mfa_without_a_sender").is_none() {
        return;
    }
    // AWS is configured (moto) but no SMTP server and no sender: only a pool with its own SES
    // identity may send email codes, as in Cognito.
    let h = Harness::start().await;
    let (pool, _) = h.pool_and_client().await;
    let refused = h
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .email_mfa_configuration(EmailMfaConfigType::builder().message("Code {####}").build())
        .send()
        .await;
    let err = api_error(refused);
    assert_eq!(err.code, "InvalidParameterException", "{err:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn sms_goes_through_sns_with_the_pools_role() {
    let Some(moto) = moto_or_skip("sms_goes_through_sns") else {
        return;
    };
    let h = Harness::start().await;
    let role = SmsConfigurationType::builder()
        .sns_caller_arn("arn:aws:iam::000000000000:role/latchkey-sms")
        .external_id("latchkey-tests")
        .build();
    let pool = h
        .create_pool_with("sns-pool", |b| {
            b.auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
                .sms_configuration(role)
                .sms_verification_message("Confirm with {####}")
        })
        .await
        .id
        .expect("pool id");
    let client = h.create_client(&pool).await;
    allow_code_mfa(&h, &pool, UserPoolMfaType::On, None, false).await;
    let phone = unique_phone();
    sign_up(
        &h.idp,
        &client,
        "sam",
        PASSWORD,
        &[("phone_number", &phone)],
    )
    .await
    .expect("SignUp");
    let texts = sms_messages(&moto, &phone).await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].starts_with("Confirm with "), "{texts:?}");
    h.confirm_sign_up(&client, "sam", &code_in(&texts[0], 6))
        .await
        .expect("ConfirmSignUp with the SMS code");
    assert!(
        h.outbox(&pool, "sam").await.is_empty(),
        "nothing in the outbox"
    );

    // MFA ON and the user enabled nothing: an SMS code to the phone number.
    let (name, session, params) = challenge_of(&h, &client, "sam", PASSWORD).await;
    assert_eq!(name, ChallengeNameType::SmsMfa);
    assert!(params["CODE_DELIVERY_DESTINATION"].ends_with(&phone[phone.len() - 4..]));
    let texts = sms_messages(&moto, &phone).await;
    assert_eq!(texts.len(), 2, "{texts:?}");
    let code = code_in(&texts[1], 6);
    let done = h
        .respond(
            &client,
            name,
            &session,
            &[("USERNAME", "sam"), ("SMS_MFA_CODE", &code)],
        )
        .await
        .expect("SMS_MFA");
    assert!(done.authentication_result().is_some());
    h.shutdown().await;
}

#[tokio::test]
async fn ses_sends_for_a_developer_pool_and_a_refused_send_leaves_the_user_recoverable() {
    let Some(moto) = moto_or_skip("ses_sends_for_a_developer_pool") else {
        return;
    };
    let h = Harness::start().await;
    let identity = unique_address("ses-sender");
    let source_arn = format!("arn:aws:ses:us-east-1:000000000000:identity/{identity}");
    let sender = EmailConfigurationType::builder()
        .email_sending_account(EmailSendingAccountType::Developer)
        .source_arn(&source_arn)
        .build();
    let pool = h
        .create_pool_with("ses-pool", |b| b.email_configuration(sender))
        .await
        .id
        .expect("pool id");
    let client = h.create_client(&pool).await;
    let address = unique_address("carol");

    // The identity is not verified yet: SES refuses, the client sees Cognito's error, and the
    // user exists, unconfirmed.
    let refused = sign_up(&h.idp, &client, "carol", PASSWORD, &[("email", &address)]).await;
    assert_api_error(
        refused,
        "CodeDeliveryFailureException",
        "Invalid email provided/Unable to send the email",
    );
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("carol")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(user.user_status(), Some(&UserStatusType::Unconfirmed));

    // Once the identity is verified, ResendConfirmationCode delivers through SES.
    ses_verify(&moto, &identity).await;
    h.idp
        .resend_confirmation_code()
        .client_id(&client)
        .username("carol")
        .send()
        .await
        .expect("ResendConfirmationCode");
    let sent = ses_messages(&moto, &address).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (source, subject, body) = &sent[0];
    assert_eq!(source, &identity);
    assert_eq!(subject, "Your verification code");
    h.confirm_sign_up(&client, "carol", &code_in(body, 6))
        .await
        .expect("ConfirmSignUp with the SES code");
    h.shutdown().await;
}

#[tokio::test]
async fn an_smtp_server_that_is_down_or_hangs_answers_code_delivery_failure() {
    // Down: a port nobody listens on. The server still starts.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mut opts = with_smtp(&format!("smtp://127.0.0.1:{closed}"), "server@example.com");
    opts.delivery.timeout_ms = 1_000;
    let h = Harness::start_with(opts).await;
    let (pool, client) = h.pool_and_client().await;
    let failed = sign_up(
        &h.idp,
        &client,
        "dan",
        PASSWORD,
        &[("email", "dan@example.com")],
    )
    .await;
    assert_api_error(
        failed,
        "CodeDeliveryFailureException",
        "Invalid email provided/Unable to send the email",
    );
    assert!(h.outbox(&pool, "dan").await.is_empty());
    h.shutdown().await;

    // Hangs: a server that accepts and never greets; the timeout cuts the send.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let mut opts = with_smtp(&format!("smtp://127.0.0.1:{port}"), "server@example.com");
    opts.delivery.timeout_ms = 500;
    let h = Harness::start_with(opts).await;
    let (pool, client) = h.pool_and_client().await;
    let failed = sign_up(
        &h.idp,
        &client,
        "eve",
        PASSWORD,
        &[("email", "eve@example.com")],
    )
    .await;
    assert_api_error(
        failed,
        "CodeDeliveryFailureException",
        "Invalid email provided/Unable to send the email",
    );
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("eve")
        .send()
        .await
        .expect("the user was kept, to be confirmed after a resend");
    assert_eq!(user.user_status(), Some(&UserStatusType::Unconfirmed));
    held.abort();
    h.shutdown().await;
}
