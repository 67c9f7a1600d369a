//! Remembered devices through the real SDK: a sign-in with MFA on a pool with a
//! DeviceConfiguration hands out a device key (NewDeviceMetadata, the access token's
//! `device_key`), ConfirmDevice stores the device's SRP verifier, and the next sign-in that
//! presents the key proves the device (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER, computed
//! with Latchkey's SRP client the way amazon-cognito-identity-js does) and skips MFA. Also:
//! listing, status, forgetting (user and admin), refresh tokens bound to the device, and the
//! refusals (another user's key, a wrong proof, a replayed session, a forgotten key).

use crate::common::*;
use crate::devices_support::*;
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{
    AuthFlowType, ChallengeNameType, DeviceConfigurationType, DeviceRememberedStatusType,
    DeviceSecretVerifierConfigType,
};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_device_signs_in_without_mfa() {
    let h = Harness::start().await;
    let (pool, client) = device_pool(&h, true, false).await;
    user(&h, &pool, "dana", "+15550001001").await;

    // First sign-in: MFA, then a device key and the access token's device_key.
    let tokens = mfa_sign_in(&h, &pool, &client, "dana").await;
    let access = tokens.access_token().unwrap().to_string();
    let meta = tokens.new_device_metadata().expect("NewDeviceMetadata");
    let key = meta.device_key().unwrap().to_string();
    assert!(key.starts_with("us-east-1_"), "{key}");
    assert_eq!(claims(&access)["device_key"], key.as_str());
    let (device, necessary) = confirm(&h, &access, &tokens).await;
    assert!(!necessary, "remembered at once without the user prompt");

    let listed = h
        .idp
        .list_devices()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.devices().len(), 1);
    let d = &listed.devices()[0];
    assert_eq!(d.device_key(), Some(key.as_str()));
    assert_eq!(device_attr(d, "device_name").as_deref(), Some("test phone"));
    assert_eq!(
        device_attr(d, "device_remembered_status").as_deref(),
        Some("remembered")
    );
    assert!(d.device_create_date().is_some());
    let got = h
        .idp
        .get_device()
        .access_token(&access)
        .device_key(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.device().and_then(|d| d.device_key()),
        Some(key.as_str())
    );

    // Second sign-in on the device: DEVICE_SRP_AUTH instead of SMS_MFA, then tokens.
    let out = start(&h, &client, "dana", Some(&key)).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let (result, replay) = prove_device(
        &h,
        &client,
        "dana",
        out.session().unwrap(),
        &device,
        &device.password,
    )
    .await;
    let tokens = result.expect("device sign-in");
    assert!(tokens.new_device_metadata().is_none(), "a known device");
    let access = tokens.access_token().unwrap().to_string();
    assert_eq!(claims(&access)["device_key"], key.as_str());
    // The answered session answers no more.
    let e = api_error(replay.send().await);
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("NotAuthorizedException", "Invalid session for the user.")
    );

    // Its refresh token needs the device key.
    let refresh = tokens.refresh_token().unwrap().to_string();
    let refreshed = h
        .idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .auth_parameters("DEVICE_KEY", &key)
        .send()
        .await
        .expect("refresh on the device");
    let again = refreshed
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();
    assert_eq!(claims(again)["device_key"], key.as_str());
    assert_api_error(
        h.refresh(&client, AuthFlowType::RefreshTokenAuth, &refresh)
            .await,
        "NotAuthorizedException",
        "Invalid Refresh Token",
    );
    assert_api_error(
        h.idp
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &refresh)
            .auth_parameters(
                "DEVICE_KEY",
                "us-east-1_00000000-0000-4000-8000-000000000000",
            )
            .send()
            .await,
        "NotAuthorizedException",
        "Invalid Refresh Token",
    );
    let rotated = h
        .idp
        .get_tokens_from_refresh_token()
        .client_id(&client)
        .refresh_token(&refresh)
        .device_key(&key)
        .send()
        .await
        .expect("GetTokensFromRefreshToken with the DeviceKey");
    assert!(rotated.authentication_result().is_some());
    assert_api_error(
        h.idp
            .get_tokens_from_refresh_token()
            .client_id(&client)
            .refresh_token(&refresh)
            .send()
            .await,
        "NotAuthorizedException",
        "Invalid Refresh Token",
    );

    // A wrong device proof is a failed sign-in.
    let out = start(&h, &client, "dana", Some(&key)).await.unwrap();
    let (result, _) = prove_device(
        &h,
        &client,
        "dana",
        out.session().unwrap(),
        &device,
        "not-the-device-password",
    )
    .await;
    let e = result.expect_err("a wrong proof");
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );

    // Forgotten: the key is unknown, and the next sign-in asks for MFA again.
    h.idp
        .forget_device()
        .access_token(&access)
        .device_key(&key)
        .send()
        .await
        .expect("ForgetDevice");
    let listed = h
        .idp
        .list_devices()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert!(listed.devices().is_empty());
    assert_eq!(
        start(&h, &client, "dana", Some(&key)).await.unwrap_err(),
        "ResourceNotFoundException: Device does not exist."
    );
    assert_api_error(
        h.idp
            .get_device()
            .access_token(&access)
            .device_key(&key)
            .send()
            .await,
        "ResourceNotFoundException",
        "Device does not exist.",
    );
    let tokens = mfa_sign_in(&h, &pool, &client, "dana").await;
    assert!(tokens.new_device_metadata().is_some(), "a new key again");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_key_is_its_users_and_confirmed_once() {
    let h = Harness::start().await;
    let (pool, client) = device_pool(&h, true, true).await;
    user(&h, &pool, "ann", "+15550002001").await;
    user(&h, &pool, "ben", "+15550002002").await;
    let ann = mfa_sign_in(&h, &pool, &client, "ann").await;
    let ann_access = ann.access_token().unwrap().to_string();
    let ben = mfa_sign_in(&h, &pool, &client, "ben").await;
    let ben_access = ben.access_token().unwrap().to_string();
    let ann_key = ann
        .new_device_metadata()
        .unwrap()
        .device_key()
        .unwrap()
        .to_string();

    // Ben can neither confirm, read nor use Ann's key.
    let (_, necessary) = {
        let e = h
            .idp
            .confirm_device()
            .access_token(&ben_access)
            .device_key(&ann_key)
            .device_secret_verifier_config(
                DeviceSecretVerifierConfigType::builder()
                    .password_verifier("AQ==")
                    .salt("AQ==")
                    .build(),
            )
            .send()
            .await;
        assert_api_error(e, "ResourceNotFoundException", "Device does not exist.");
        confirm(&h, &ann_access, &ann).await
    };
    assert!(necessary, "the user prompt decides");
    assert_api_error(
        h.idp
            .get_device()
            .access_token(&ben_access)
            .device_key(&ann_key)
            .send()
            .await,
        "ResourceNotFoundException",
        "Device does not exist.",
    );
    assert_eq!(
        start(&h, &client, "ben", Some(&ann_key)).await.unwrap_err(),
        "ResourceNotFoundException: Device does not exist."
    );
    // Confirmed once.
    let e = api_error(
        h.idp
            .confirm_device()
            .access_token(&ann_access)
            .device_key(&ann_key)
            .device_secret_verifier_config(
                DeviceSecretVerifierConfigType::builder()
                    .password_verifier("AQ==")
                    .salt("AQ==")
                    .build(),
            )
            .send()
            .await,
    );
    assert_eq!(e.code, "InvalidParameterException", "{e:?}");

    // Not remembered yet: MFA first, then the device proves itself.
    let listed = h
        .idp
        .admin_list_devices()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.devices().len(), 1);
    assert_eq!(
        device_attr(&listed.devices()[0], "device_remembered_status").as_deref(),
        Some("not_remembered")
    );
    let out = start(&h, &client, "ann", Some(&ann_key)).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let out = answer_sms(
        &h,
        &pool,
        &client,
        "ann",
        out.session().unwrap(),
        Some(&ann_key),
    )
    .await;
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );

    // Remembered by the admin: no MFA any more.
    h.idp
        .admin_update_device_status()
        .user_pool_id(&pool)
        .username("ann")
        .device_key(&ann_key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .expect("AdminUpdateDeviceStatus");
    let out = start(&h, &client, "ann", Some(&ann_key)).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let got = h
        .idp
        .admin_get_device()
        .user_pool_id(&pool)
        .username("ann")
        .device_key(&ann_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        device_attr(got.device().unwrap(), "device_remembered_status").as_deref(),
        Some("remembered")
    );
    h.idp
        .admin_forget_device()
        .user_pool_id(&pool)
        .username("ann")
        .device_key(&ann_key)
        .send()
        .await
        .expect("AdminForgetDevice");
    assert_api_error(
        h.idp
            .admin_get_device()
            .user_pool_id(&pool)
            .username("ann")
            .device_key(&ann_key)
            .send()
            .await,
        "ResourceNotFoundException",
        "Device does not exist.",
    );
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pools_without_a_device_configuration_hand_out_no_keys() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "cy", "cy@example.com")
        .await;
    let out = start(
        &h,
        &client,
        "cy",
        Some("us-east-1_00000000-0000-4000-8000-000000000000"),
    )
    .await
    .expect("DEVICE_KEY is ignored");
    let tokens = out.authentication_result().expect("tokens");
    assert!(tokens.new_device_metadata().is_none());
    assert!(claims(tokens.access_token().unwrap())
        .get("device_key")
        .is_none());
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggers_see_the_new_device_and_the_device_sign_in() {
    use crate::trigger_support::{lambda_config, TriggerServer};
    let triggers = TriggerServer::start().await;
    let h = Harness::start().await;
    let config = lambda_config(&[
        ("PostAuthentication", &triggers.at("record")),
        ("PreTokenGeneration", &triggers.at("record")),
    ]);
    let devices = DeviceConfigurationType::builder()
        .challenge_required_on_new_device(true)
        .device_only_remembered_on_user_prompt(false)
        .build();
    let pool = h
        .create_pool_with("device-triggers", |b| {
            b.lambda_config(config).device_configuration(devices)
        })
        .await
        .id
        .expect("pool id");
    let client = h.create_client(&pool).await;
    user(&h, &pool, "eve", "+15550004001").await;

    // MFA OFF: the first sign-in gives tokens and a new device at once.
    let tokens = start(&h, &client, "eve", None)
        .await
        .unwrap()
        .authentication_result
        .expect("tokens");
    let access = tokens.access_token().unwrap().to_string();
    let (device, _) = confirm(&h, &access, &tokens).await;
    let events = triggers.events("record");
    let post = |e: &&Value| e["triggerSource"] == "PostAuthentication_Authentication";
    let first = events.iter().find(post).expect("PostAuthentication");
    assert_eq!(first["request"]["newDeviceUsed"], true, "{first}");

    // The next sign-in on the remembered device: DEVICE_SRP_AUTH, then tokens whose
    // PreTokenGeneration source is TokenGeneration_AuthenticateDevice.
    let out = start(&h, &client, "eve", Some(&device.key)).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let (result, _) = prove_device(
        &h,
        &client,
        "eve",
        out.session().unwrap(),
        &device,
        &device.password,
    )
    .await;
    result.expect("device sign-in");
    let events = triggers.events("record");
    let last_post = events.iter().rev().find(post).expect("PostAuthentication");
    assert_eq!(last_post["request"]["newDeviceUsed"], false, "{last_post}");
    let last = events.last().expect("PreTokenGeneration");
    assert_eq!(
        last["triggerSource"], "TokenGeneration_AuthenticateDevice",
        "{last}"
    );
    h.shutdown().await;
}
