//! The managed login pages beyond the password form: sign-up and its code, password recovery,
//! and an MFA challenge, each through the pool's own operations (codes come from the local
//! outbox), ending with a code for the client.

use crate::common::{Harness, PASSWORD};
use crate::oauth_support::*;
use aws_sdk_cognitoidentityprovider::types::{
    SmsMfaConfigType, SoftwareTokenMfaConfigType, UserPoolMfaType,
};

fn params(client: &str) -> String {
    encode(&[
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", CALLBACK),
        ("state", "s1"),
        ("scope", "openid"),
    ])
}

/// Posts the page's form with its CSRF token and `fields`.
async fn submit(browser: &mut Browser, page: &Answer, fields: &[(&str, &str)]) -> Answer {
    let action = page.form_action().expect("a form");
    let csrf = page.hidden("_csrf").expect("a CSRF token");
    let mut all = vec![("_csrf", csrf.as_str())];
    let hidden: Vec<(String, String)> = ["username", "session", "challenge", "secret"]
        .iter()
        .filter_map(|n| page.hidden(n).map(|v| (n.to_string(), v)))
        .collect();
    all.extend(hidden.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    all.extend_from_slice(fields);
    browser.post_form(&action, &all).await
}

#[tokio::test]
async fn sign_up_confirm_and_sign_in_on_the_pages() {
    let h = Harness::start().await;
    let pool = h.create_pool("pages").await;
    let client = oauth_client(&h, &pool, false).await.client_id.unwrap();
    let mut browser = Browser::new(h.url());
    let q = params(&client);

    let form = browser.get(&format!("/signup?{q}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    // The pool auto-verifies email: the form asks for it.
    assert!(
        form.body.contains("name=\"requiredAttributes[email]\""),
        "{}",
        form.body
    );
    let email = ("requiredAttributes[email]", "lea@example.com");
    // The pool's password policy applies: a weak password is refused on the page.
    let weak = submit(
        &mut browser,
        &form,
        &[("username", "lea"), email, ("password", "short")],
    )
    .await;
    assert_eq!((weak.status, weak.location.is_none()), (400, true));
    assert!(weak.body.contains("role=\"alert\""), "{}", weak.body);
    let done = submit(
        &mut browser,
        &weak,
        &[("username", "lea"), email, ("password", PASSWORD)],
    )
    .await;
    // Confirmation by the emailed code.
    let to_confirm = done
        .location
        .clone()
        .unwrap_or_else(|| panic!("{}", done.body));
    assert!(to_confirm.starts_with("/confirmUser?"), "{to_confirm}");
    let confirm = browser.get(&to_confirm).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert_eq!(confirm.hidden("username").as_deref(), Some("lea"));
    let wrong = submit(&mut browser, &confirm, &[("code", "000000")]).await;
    assert_eq!(wrong.status, 400);
    let code = h.latest_code(&pool, "lea").await;
    let confirmed = submit(&mut browser, &wrong, &[("code", &code)]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed
        .body
        .contains("Your registration has been confirmed."));
    let signed_in = submit(
        &mut browser,
        &confirmed,
        &[("username", "lea"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_in.status, 302, "{}", signed_in.body);
    assert!(signed_in.location_param("code").is_some());
}

#[tokio::test]
async fn forgot_password_on_the_pages() {
    let h = Harness::start().await;
    let pool = h.create_pool("pages").await;
    let client = oauth_client(&h, &pool, false).await.client_id.unwrap();
    let api = h.create_client(&pool).await;
    h.confirmed_user(&pool, &api, "max", "max@example.com")
        .await;
    let mut browser = Browser::new(h.url());
    let q = params(&client);
    let form = browser.get(&format!("/forgotPassword?{q}")).await;
    assert_eq!(form.status, 200);
    let sent = submit(&mut browser, &form, &[("username", "max")]).await;
    let reset_path = sent
        .location
        .clone()
        .unwrap_or_else(|| panic!("{}", sent.body));
    assert!(reset_path.starts_with("/confirmForgotPassword?"));
    let reset = browser.get(&reset_path).await;
    let code = h.latest_code(&pool, "max").await;
    let new_password = "Another-Horse-7";
    let changed = submit(
        &mut browser,
        &reset,
        &[("code", &code), ("password", new_password)],
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert!(changed.body.contains("Your password has been changed."));
    let old = submit(
        &mut browser,
        &changed,
        &[("username", "max"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(old.status, 400);
    let ok = submit(
        &mut browser,
        &old,
        &[("username", "max"), ("password", new_password)],
    )
    .await;
    assert!(ok.location_param("code").is_some(), "{}", ok.body);
}

#[tokio::test]
async fn an_sms_mfa_challenge_on_the_pages() {
    let h = Harness::start().await;
    let pool = h.create_pool("pages").await;
    let client = oauth_client(&h, &pool, false).await.client_id.unwrap();
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
    let phone = [
        ("phone_number", "+15555550123"),
        ("phone_number_verified", "true"),
    ];
    permanent_user(&h, &pool, "zoe", &phone).await;
    let mut browser = Browser::new(h.url());
    let (_, challenge) = pkce();
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", client.as_str()),
        ("redirect_uri", CALLBACK),
        ("scope", "openid"),
    ];
    p.extend([
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    let step = browser.sign_in(&p, "zoe", PASSWORD).await;
    assert_eq!(step.status, 200, "{}", step.body);
    assert_eq!(step.hidden("challenge").as_deref(), Some("SMS_MFA"));
    assert!(step.location.is_none());
    let wrong = submit(&mut browser, &step, &[("code", "000000")]).await;
    assert_eq!((wrong.status, wrong.location.is_none()), (400, true));
    let code = h.latest_code(&pool, "zoe").await;
    let done = submit(&mut browser, &wrong, &[("code", &code)]).await;
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(done.location_param("code").is_some());
}

#[tokio::test]
async fn the_pages_wear_the_clients_ui_customization() {
    let h = Harness::start().await;
    let pool = h.create_pool("pages").await;
    let client = oauth_client(&h, &pool, false).await.client_id.unwrap();
    h.idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain(format!("pages-{}", &client[..8]))
        .send()
        .await
        .expect("CreateUserPoolDomain");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    h.idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .css(".submitButton-customizable { background-color: #0a7d2c; }")
        .image_file(aws_sdk_cognitoidentityprovider::primitives::Blob::new(png))
        .send()
        .await
        .expect("SetUICustomization");
    let mut browser = Browser::new(h.url());
    let page = browser.get(&format!("/login?{}", params(&client))).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("background-color: #0a7d2c"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("src=\"data:image/png;base64,iVBORw0KGgo"),
        "{}",
        page.body
    );
    let signup = browser.get(&format!("/signup?{}", params(&client))).await;
    assert!(signup.body.contains("#0a7d2c"));
}

#[tokio::test]
async fn an_authenticator_app_is_set_up_on_the_pages() {
    let h = Harness::start().await;
    let pool = h.create_pool("pages").await;
    let client = oauth_client(&h, &pool, false).await.client_id.unwrap();
    h.idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    permanent_user(&h, &pool, "kai", &[]).await;
    let mut browser = Browser::new(h.url());
    let p = [
        ("response_type", "code"),
        ("client_id", client.as_str()),
        ("redirect_uri", CALLBACK),
        ("scope", "openid"),
    ];
    let setup = browser.sign_in(&p, "kai", PASSWORD).await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    assert_eq!(setup.hidden("challenge").as_deref(), Some("MFA_SETUP"));
    let secret = setup.hidden("secret").expect("the key to add");
    assert!(setup.body.contains(&format!("Key: {secret}")));
    let wrong = submit(&mut browser, &setup, &[("code", "000000")]).await;
    assert_eq!((wrong.status, wrong.location.is_none()), (400, true));
    assert!(
        wrong.body.contains(&format!("Key: {secret}")),
        "the key is shown again"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let code = latchkey::userpool::totp::code_at(&secret, now).expect("a TOTP code");
    let done = submit(&mut browser, &wrong, &[("code", &code)]).await;
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(done.location_param("code").is_some());
}
