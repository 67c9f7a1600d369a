//! Choice-based sign-in (USER_AUTH) through the AWS SDK: the pool's AllowedFirstAuthFactors,
//! SELECT_CHALLENGE with AvailableChallenges, PREFERRED_CHALLENGE, one-time codes by email and
//! SMS as a first factor (single-use, counted toward lockout, no MFA after them), passwords
//! with MFA after them, the one-time codes withheld where the pool requires MFA, unknown users
//! with PreventUserExistenceErrors, ConfirmSignUp's Session, and GetUserAuthFactors.

use crate::common;
use crate::lifecycle_support::last_code;

use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
    InitiateAuthError, InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType,
    PreventUserExistenceErrorTypes, SignInPolicyType, SmsMfaConfigType, SmsMfaSettingsType,
    UserPoolMfaType, UserPoolPolicyType,
};
use common::{assert_api_error, other_code, Harness, PASSWORD};

const FACTORS: [AuthFactorType; 3] = [
    AuthFactorType::Password,
    AuthFactorType::EmailOtp,
    AuthFactorType::SmsOtp,
];

/// A pool allowing `factors` first, with `mfa`, and a USER_AUTH client (`hides`: with
/// PreventUserExistenceErrors ENABLED).
async fn setup(
    h: &Harness,
    factors: &[AuthFactorType],
    mfa: UserPoolMfaType,
    hides: bool,
) -> (String, String) {
    let mut policy = SignInPolicyType::builder();
    for f in factors {
        policy = policy.allowed_first_auth_factors(f.clone());
    }
    let policies = UserPoolPolicyType::builder()
        .sign_in_policy(policy.build())
        .build();
    let pool = h
        .create_pool_with("user-auth", |b| b.policies(policies).mfa_configuration(mfa))
        .await
        .id
        .expect("pool id");
    let prevent = if hides {
        PreventUserExistenceErrorTypes::Enabled
    } else {
        PreventUserExistenceErrorTypes::Legacy
    };
    let client = h
        .create_client_with(&pool, |b| {
            b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
                .prevent_user_existence_errors(prevent)
        })
        .await
        .client_id
        .expect("client id");
    (pool, client)
}

/// A confirmed user with an email address and a phone number.
async fn user(h: &Harness, pool: &str, client: &str, name: &str) {
    let attrs = [
        ("email", format!("{name}@example.com")),
        ("phone_number", "+15555550100".to_string()),
    ];
    let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    common::sign_up(&h.idp, client, name, PASSWORD, &attrs)
        .await
        .expect("SignUp");
    h.confirm_from_outbox(pool, client, name).await;
}

async fn user_auth(
    h: &Harness,
    client: &str,
    params: &[(&str, &str)],
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    let mut req = h
        .idp
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserAuth);
    for (k, v) in params {
        req = req.auth_parameters(*k, *v);
    }
    req.send().await
}

#[tokio::test]
async fn select_challenge_then_an_emailed_code_signs_in_once() {
    let h = Harness::start().await;
    let (pool, client) = setup(&h, &FACTORS, UserPoolMfaType::Off, false).await;
    let described = h
        .idp
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("DescribeUserPool");
    let allowed = described
        .user_pool()
        .and_then(|p| p.policies())
        .and_then(|p| p.sign_in_policy())
        .map(|s| s.allowed_first_auth_factors().to_vec());
    assert_eq!(allowed, Some(FACTORS.to_vec()));
    user(&h, &pool, &client, "ada").await;

    let out = user_auth(&h, &client, &[("USERNAME", "ada")])
        .await
        .expect("USER_AUTH");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    assert_eq!(
        out.available_challenges(),
        [
            ChallengeNameType::PasswordSrp,
            ChallengeNameType::Password,
            ChallengeNameType::EmailOtp,
            ChallengeNameType::SmsOtp
        ]
    );
    let select = out.session().expect("Session").to_string();
    let pick = [("USERNAME", "ada"), ("ANSWER", "EMAIL_OTP")];
    let challenged = h
        .respond(&client, ChallengeNameType::SelectChallenge, &select, &pick)
        .await
        .expect("SELECT_CHALLENGE EMAIL_OTP");
    assert_eq!(
        challenged.challenge_name(),
        Some(&ChallengeNameType::EmailOtp)
    );
    let params = challenged.challenge_parameters().expect("parameters");
    assert_eq!(params["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    let session = challenged.session().expect("Session").to_string();
    let code = last_code(&h, &pool, "ada", "SignInEmail").await;
    assert_eq!(code.len(), 8, "email sign-in codes have 8 digits");

    // The SELECT_CHALLENGE session answered once.
    let again = h
        .respond(&client, ChallengeNameType::SelectChallenge, &select, &pick)
        .await;
    assert_api_error(
        again,
        "NotAuthorizedException",
        "Invalid session for the user.",
    );

    let wrong = [("USERNAME", "ada"), ("EMAIL_OTP_CODE", &other_code(&code))];
    let refused = h
        .respond(&client, ChallengeNameType::EmailOtp, &session, &wrong)
        .await;
    assert_api_error(
        refused,
        "CodeMismatchException",
        "Invalid code or auth state for the user.",
    );
    let right = [("USERNAME", "ada"), ("EMAIL_OTP_CODE", code.as_str())];
    let done = h
        .respond(&client, ChallengeNameType::EmailOtp, &session, &right)
        .await
        .expect("the mailed code signs in");
    let access = done
        .authentication_result()
        .and_then(|r| r.access_token())
        .expect("tokens, no MFA after a one-time code");
    let replay = h
        .respond(&client, ChallengeNameType::EmailOtp, &session, &right)
        .await;
    assert!(replay.is_err(), "a code and its session answer once");

    // GetUserAuthFactors: what this user can sign in with.
    let factors = h
        .idp
        .get_user_auth_factors()
        .access_token(access)
        .send()
        .await
        .expect("GetUserAuthFactors");
    assert_eq!(factors.username(), "ada");
    assert_eq!(factors.configured_user_auth_factors(), FACTORS);

    // SELECT_CHALLENGE with PASSWORD and the password: tokens.
    let out = user_auth(&h, &client, &[("USERNAME", "ada")])
        .await
        .unwrap();
    let s = out.session().unwrap();
    let with_password = [
        ("USERNAME", "ada"),
        ("ANSWER", "PASSWORD"),
        ("PASSWORD", PASSWORD),
    ];
    let done = h
        .respond(
            &client,
            ChallengeNameType::SelectChallenge,
            s,
            &with_password,
        )
        .await
        .expect("SELECT_CHALLENGE PASSWORD");
    assert!(done.authentication_result().is_some());
    h.shutdown().await;
}

#[tokio::test]
async fn preferred_challenges_sms_codes_and_bad_choices() {
    let h = Harness::start().await;
    let (pool, client) = setup(&h, &FACTORS, UserPoolMfaType::Off, false).await;
    user(&h, &pool, &client, "bo").await;

    let sms = user_auth(
        &h,
        &client,
        &[("USERNAME", "bo"), ("PREFERRED_CHALLENGE", "SMS_OTP")],
    )
    .await
    .expect("PREFERRED_CHALLENGE SMS_OTP");
    assert_eq!(sms.challenge_name(), Some(&ChallengeNameType::SmsOtp));
    assert_eq!(
        sms.challenge_parameters().unwrap()["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "SMS"
    );
    let code = last_code(&h, &pool, "bo", "SignInSms").await;
    let done = h
        .respond(
            &client,
            ChallengeNameType::SmsOtp,
            sms.session().unwrap(),
            &[("USERNAME", "bo"), ("SMS_OTP_CODE", &code)],
        )
        .await
        .expect("the texted code signs in");
    assert!(done.authentication_result().is_some());

    let password = user_auth(
        &h,
        &client,
        &[
            ("USERNAME", "bo"),
            ("PREFERRED_CHALLENGE", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await
    .expect("PREFERRED_CHALLENGE PASSWORD");
    assert!(password.authentication_result().is_some());
    let wrong = user_auth(
        &h,
        &client,
        &[
            ("USERNAME", "bo"),
            ("PREFERRED_CHALLENGE", "PASSWORD"),
            ("PASSWORD", "Not-the-password-1"),
        ],
    )
    .await;
    assert_api_error(
        wrong,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );

    // A factor the pool does not allow (no passkeys here): the choice instead.
    let passkey = user_auth(
        &h,
        &client,
        &[("USERNAME", "bo"), ("PREFERRED_CHALLENGE", "WEB_AUTHN")],
    )
    .await
    .expect("an unavailable preference");
    assert_eq!(
        passkey.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    let bogus = user_auth(
        &h,
        &client,
        &[
            ("USERNAME", "bo"),
            ("PREFERRED_CHALLENGE", "SOFTWARE_TOKEN_MFA"),
        ],
    )
    .await;
    assert_api_error(
        bogus,
        "InvalidParameterException",
        "Invalid challenge name: SOFTWARE_TOKEN_MFA",
    );
    let s = passkey.session().unwrap();
    let not_offered = h
        .respond(
            &client,
            ChallengeNameType::SelectChallenge,
            s,
            &[("USERNAME", "bo"), ("ANSWER", "WEB_AUTHN")],
        )
        .await;
    assert_api_error(
        not_offered,
        "InvalidParameterException",
        "Invalid ANSWER: WEB_AUTHN was not offered.",
    );

    // A client without ALLOW_USER_AUTH.
    let plain = h.create_client(&pool).await;
    let refused = user_auth(&h, &plain, &[("USERNAME", "bo")]).await;
    assert_api_error(
        refused,
        "InvalidParameterException",
        "USER_AUTH flow not enabled for this client",
    );
    h.shutdown().await;
}

#[tokio::test]
async fn wrong_codes_count_toward_lockout() {
    let h = Harness::start().await;
    let (pool, client) = setup(&h, &FACTORS, UserPoolMfaType::Off, false).await;
    user(&h, &pool, &client, "cy").await;
    let out = user_auth(
        &h,
        &client,
        &[("USERNAME", "cy"), ("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    let session = out.session().unwrap().to_string();
    let code = last_code(&h, &pool, "cy", "SignInEmail").await;
    let wrong = other_code(&code);
    for i in 0..5 {
        let refused = h
            .respond(
                &client,
                ChallengeNameType::EmailOtp,
                &session,
                &[("USERNAME", "cy"), ("EMAIL_OTP_CODE", &wrong)],
            )
            .await;
        let e = common::api_error(refused);
        assert_eq!(e.code, "CodeMismatchException", "wrong code {i}");
    }
    // Five failures lock the user out: even a password sign-in is refused for now.
    let locked = user_auth(
        &h,
        &client,
        &[
            ("USERNAME", "cy"),
            ("PREFERRED_CHALLENGE", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await;
    assert_api_error(
        locked,
        "NotAuthorizedException",
        "Password attempts exceeded",
    );
    h.shutdown().await;
}

#[tokio::test]
async fn passwords_keep_mfa_and_required_mfa_withholds_codes() {
    let h = Harness::start().await;
    // OPTIONAL MFA, SMS MFA enabled for the user.
    let (pool, client) = setup(&h, &FACTORS, UserPoolMfaType::Optional, false).await;
    h.idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your code is {####}")
                .build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    user(&h, &pool, &client, "di").await;
    h.idp
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("di")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .expect("AdminSetUserMFAPreference");
    let with_password = user_auth(
        &h,
        &client,
        &[
            ("USERNAME", "di"),
            ("PREFERRED_CHALLENGE", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        with_password.challenge_name(),
        Some(&ChallengeNameType::SmsMfa),
        "a password is followed by the user's MFA"
    );
    let code_only = user_auth(
        &h,
        &client,
        &[("USERNAME", "di"), ("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    let code = last_code(&h, &pool, "di", "SignInEmail").await;
    let done = h
        .respond(
            &client,
            ChallengeNameType::EmailOtp,
            code_only.session().unwrap(),
            &[("USERNAME", "di"), ("EMAIL_OTP_CODE", &code)],
        )
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());

    // MFA ON: the one-time codes would end a sign-in with one factor, so they are not offered.
    let (pool2, client2) = setup(&h, &FACTORS, UserPoolMfaType::On, false).await;
    user(&h, &pool2, &client2, "ed").await;
    let out = user_auth(&h, &client2, &[("USERNAME", "ed")])
        .await
        .unwrap();
    assert_eq!(
        out.available_challenges(),
        [ChallengeNameType::PasswordSrp, ChallengeNameType::Password]
    );
    h.shutdown().await;
}

#[tokio::test]
async fn unknown_users_look_like_users_when_existence_is_hidden() {
    let h = Harness::start().await;
    let (_, hidden) = setup(&h, &FACTORS, UserPoolMfaType::Off, true).await;
    let out = user_auth(&h, &hidden, &[("USERNAME", "nobody")])
        .await
        .expect("an unknown name gets the choice");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    assert_eq!(out.available_challenges().len(), 4);
    let code = user_auth(
        &h,
        &hidden,
        &[("USERNAME", "nobody"), ("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .expect("an unknown name gets a code challenge");
    assert_eq!(code.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let refused = h
        .respond(
            &hidden,
            ChallengeNameType::EmailOtp,
            code.session().unwrap(),
            &[("USERNAME", "nobody"), ("EMAIL_OTP_CODE", "12345678")],
        )
        .await;
    assert_api_error(
        refused,
        "CodeMismatchException",
        "Invalid code or auth state for the user.",
    );
    let (_, legacy) = setup(&h, &FACTORS, UserPoolMfaType::Off, false).await;
    let missing = user_auth(&h, &legacy, &[("USERNAME", "nobody")]).await;
    assert_api_error(missing, "UserNotFoundException", "User does not exist.");
    h.shutdown().await;
}

#[tokio::test]
async fn confirm_sign_up_session_signs_in_once() {
    let h = Harness::start().await;
    let (pool, client) = setup(&h, &FACTORS, UserPoolMfaType::Off, false).await;
    common::sign_up(
        &h.idp,
        &client,
        "fay",
        PASSWORD,
        &[("email", "fay@example.com")],
    )
    .await
    .expect("SignUp");
    let code = h.latest_code(&pool, "fay").await;
    let confirmed = h
        .confirm_sign_up(&client, "fay", &code)
        .await
        .expect("ConfirmSignUp");
    let session = confirmed
        .session()
        .expect("ConfirmSignUp's Session")
        .to_string();
    let start = |name: &'static str| {
        h.idp
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserAuth)
            .auth_parameters("USERNAME", name)
            .session(&session)
            .send()
    };
    let other = start("someone-else").await;
    assert_api_error(
        other,
        "NotAuthorizedException",
        "Invalid session for the user.",
    );
    let out = start("fay").await.expect("USER_AUTH with the session");
    assert!(out.authentication_result().is_some(), "tokens at once");
    let again = start("fay").await;
    assert_api_error(
        again,
        "NotAuthorizedException",
        "Invalid session for the user.",
    );
    h.shutdown().await;
}

#[tokio::test]
async fn sign_in_codes_are_limited_per_user() {
    let h = Harness::start().await;
    let (pool, client) = setup(&h, &FACTORS, UserPoolMfaType::Off, false).await;
    user(&h, &pool, &client, "gus").await;
    let ask = || {
        user_auth(
            &h,
            &client,
            &[("USERNAME", "gus"), ("PREFERRED_CHALLENGE", "EMAIL_OTP")],
        )
    };
    for i in 0..5 {
        let out = ask()
            .await
            .unwrap_or_else(|e| panic!("code request {i}: {e:?}"));
        assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    }
    assert_api_error(
        ask().await,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );
    // A password still signs in.
    let password = user_auth(
        &h,
        &client,
        &[
            ("USERNAME", "gus"),
            ("PREFERRED_CHALLENGE", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await
    .expect("a password is not a sent code");
    assert!(password.authentication_result().is_some());
    h.shutdown().await;
}
