//! Helpers for the `devices` tests: a pool that tracks devices with SMS MFA, users with a
//! phone, sign-ins with a DEVICE_KEY, SMS answers from the outbox, ConfirmDevice as
//! amazon-cognito-identity-js does it, and the device SRP answers computed with Latchkey's SRP
//! client.
#![allow(dead_code)] // Not every helper is used by the current tests.

use crate::common::*;
use aws_sdk_cognitoidentityprovider as cip;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use cip::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType, DeviceConfigurationType,
    DeviceSecretVerifierConfigType, ExplicitAuthFlowsType, MessageActionType, SmsMfaConfigType,
    SoftwareTokenMfaConfigType, UserPoolMfaType,
};
use latchkey::random::Csprng;
use latchkey::userpool::srp;
use serde_json::Value;

/// A pool tracking devices (`suppress`: ChallengeRequiredOnNewDevice, `prompt`:
/// DeviceOnlyRememberedOnUserPrompt), MFA ON by SMS, and an SRP + password client.
pub async fn device_pool(h: &Harness, suppress: bool, prompt: bool) -> (String, String) {
    let config = DeviceConfigurationType::builder()
        .challenge_required_on_new_device(suppress)
        .device_only_remembered_on_user_prompt(prompt)
        .build();
    let pool = h
        .create_pool_with("devices", |b| b.device_configuration(config))
        .await
        .id
        .expect("pool id");
    h.idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(false).build(),
        )
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Code {####}")
                .build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    let client = h
        .create_client_with(&pool, |b| {
            b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        })
        .await
        .client_id
        .expect("client id");
    (pool, client)
}

/// A confirmed user with [`PASSWORD`] and a phone number of its own.
pub async fn user(h: &Harness, pool: &str, name: &str, phone: &str) {
    h.idp
        .admin_create_user()
        .user_pool_id(pool)
        .username(name)
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("phone_number", phone))
        .user_attributes(attribute("phone_number_verified", "true"))
        .send()
        .await
        .expect("AdminCreateUser");
    h.idp
        .admin_set_user_password()
        .user_pool_id(pool)
        .username(name)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .expect("AdminSetUserPassword");
}

/// USER_PASSWORD_AUTH with an optional DEVICE_KEY: the raw answer.
pub async fn start(
    h: &Harness,
    client: &str,
    name: &str,
    device: Option<&str>,
) -> Result<cip::operation::initiate_auth::InitiateAuthOutput, String> {
    let mut req = h
        .idp
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", PASSWORD);
    if let Some(key) = device {
        req = req.auth_parameters("DEVICE_KEY", key);
    }
    req.send().await.map_err(|e| {
        let e = api_error::<(), _>(Err(e));
        format!("{}: {}", e.code, e.message)
    })
}

/// Answers SMS_MFA with the code from the outbox (and the device key, as the libraries do).
pub async fn answer_sms(
    h: &Harness,
    pool: &str,
    client: &str,
    name: &str,
    session: &str,
    device: Option<&str>,
) -> cip::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput {
    let code = h.latest_code(pool, name).await;
    let mut req = h
        .idp
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::SmsMfa)
        .session(session)
        .challenge_responses("USERNAME", name)
        .challenge_responses("SMS_MFA_CODE", code);
    if let Some(key) = device {
        req = req.challenge_responses("DEVICE_KEY", key);
    }
    req.send().await.expect("SMS_MFA answer")
}

/// A sign-in that must ask for SMS_MFA (no device, or one not remembered): its tokens.
pub async fn mfa_sign_in(
    h: &Harness,
    pool: &str,
    client: &str,
    name: &str,
) -> AuthenticationResultType {
    let out = start(h, client, name, None).await.expect("sign-in");
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let out = answer_sms(h, pool, client, name, out.session().unwrap(), None).await;
    out.authentication_result.expect("tokens after SMS_MFA")
}

/// The claims of a JWT, unverified (the other tests verify signatures).
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

/// Bytes of minimal hex (a leading 0 added to odd lengths).
pub fn hex_bytes(hex: &str) -> Vec<u8> {
    let padded = if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex.to_string()
    };
    (0..padded.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&padded[i..i + 2], 16).expect("hex"))
        .collect()
}

/// A device's secret, as the client library keeps it.
pub struct DeviceSecret {
    pub key: String,
    pub group: String,
    pub password: String,
}

/// ConfirmDevice as amazon-cognito-identity-js does it: a random device password, its SRP
/// verifier under (DeviceGroupKey, DeviceKey), base64. Returns UserConfirmationNecessary.
pub async fn confirm(
    h: &Harness,
    access: &str,
    tokens: &AuthenticationResultType,
) -> (DeviceSecret, bool) {
    let meta = tokens.new_device_metadata().expect("NewDeviceMetadata");
    let secret = DeviceSecret {
        key: meta.device_key().expect("DeviceKey").to_string(),
        group: meta.device_group_key().expect("DeviceGroupKey").to_string(),
        password: latchkey::random::url_token(&Csprng, 40),
    };
    let v = srp::make_verifier(&secret.group, &secret.key, &secret.password, &Csprng);
    let out = h
        .idp
        .confirm_device()
        .access_token(access)
        .device_key(&secret.key)
        .device_name("test phone")
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(STANDARD.encode(hex_bytes(&v.verifier_hex)))
                .salt(STANDARD.encode(hex_bytes(&v.salt_hex)))
                .build(),
        )
        .send()
        .await
        .expect("ConfirmDevice");
    (secret, out.user_confirmation_necessary())
}

/// Answers DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER with `password` as the device's
/// secret: the final answer, and the request that gave it (to replay).
pub async fn prove_device(
    h: &Harness,
    client: &str,
    name: &str,
    session: &str,
    device: &DeviceSecret,
    password: &str,
) -> (
    Result<AuthenticationResultType, ApiError>,
    cip::operation::respond_to_auth_challenge::builders::RespondToAuthChallengeFluentBuilder,
) {
    let pair = srp::client_a(&Csprng);
    let out = h
        .idp
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .session(session)
        .challenge_responses("USERNAME", name)
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("SRP_A", &pair.big_a_hex)
        .send()
        .await
        .expect("DEVICE_SRP_AUTH answer");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DevicePasswordVerifier)
    );
    let p = out.challenge_parameters().expect("parameters");
    assert_eq!(p["DEVICE_KEY"], device.key);
    let timestamp = srp::cognito_timestamp(std::time::SystemTime::now());
    let signature = srp::client_signature(
        &pair,
        &device.group,
        &device.key,
        password,
        &p["SALT"],
        &p["SRP_B"],
        &p["SECRET_BLOCK"],
        &timestamp,
    )
    .expect("signature");
    let req = h
        .idp
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .session(out.session().expect("Session"))
        .challenge_responses("USERNAME", p["USERNAME"].as_str())
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", p["SECRET_BLOCK"].as_str())
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", timestamp);
    let result = req
        .clone()
        .send()
        .await
        .map(|o| o.authentication_result.expect("tokens"))
        .map_err(|e| api_error::<(), _>(Err(e)));
    (result, req)
}

pub fn device_attr(d: &cip::types::DeviceType, name: &str) -> Option<String> {
    d.device_attributes()
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value().map(str::to_string))
}
