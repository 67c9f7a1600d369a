//! Signing in to the console where nobody gets in unasked (`with_console_sign_in`: the
//! local server's loopback access off, as in the Lambda functions): the managed login's
//! real form (code flow, PKCE S256, the console's own app client in the admin pool), the
//! admin group checked at sign-in and on every request, the pool's MFA, signing out.

use crate::common::PASSWORD;
use crate::console_support::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, SmsMfaConfigType, SoftwareTokenMfaConfigType, UserPoolMfaType,
};

/// The cookie `name` as the answer sets it (the whole `Set-Cookie` line).
fn set_cookie(a: &Answer, name: &str) -> Option<String> {
    a.headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// Signs `username` in from the console's home page; the answer of the callback.
async fn sign_in(c: &mut Console, username: &str) -> Answer {
    let form = login_form(c, "").await;
    let back = submit_login(c, &form, username, PASSWORD).await;
    callback(c, back).await
}

/// Follows the managed login's redirect to the console's callback: its answer.
async fn callback(c: &mut Console, back: Answer) -> Answer {
    assert_eq!(back.status, 302, "{}", back.body);
    let to = back.location.clone().unwrap_or_default();
    assert!(to.contains(&format!("{CONSOLE}/callback?code=")), "{to}");
    c.browser.get(&to).await
}

#[tokio::test]
async fn without_loopback_access_every_page_asks_for_sign_in() {
    let h = signed_in_server().await;
    let pool = h.server.default_pool_id.clone();
    let mut c = Console::new(h.url());
    let users = c.get("/users", &[("pool", &pool)]).await;
    assert_eq!(users.status, 302, "{}", users.body);
    let next = at("/users", &[("pool", &pool)]);
    assert_eq!(
        users.location.as_deref(),
        Some(at("/signin", &[("next", &next)]).as_str())
    );
    let post = c
        .browser
        .post_form(
            &at("/action", &[]),
            &[("pool", &pool), ("action", "delete")],
        )
        .await;
    assert_eq!(post.status, 403, "{}", post.body);

    let start = c.get("/signin", &[]).await;
    assert_eq!(start.status, 302);
    let authorize = start.location.clone().unwrap();
    assert!(authorize.starts_with("/oauth2/authorize?"), "{authorize}");
    for part in [
        "code_challenge_method=S256",
        "response_type=code",
        "scope=openid",
    ] {
        assert!(authorize.contains(part), "{authorize}");
    }
    let callback = encode(&[("redirect_uri", &format!("{}{CONSOLE}/callback", h.url()))]);
    assert!(authorize.contains(&callback), "{authorize}");
    let pending = set_cookie(&start, "latchkey-console-login").expect("the sign-in cookie");
    assert!(pending.contains("HttpOnly") && pending.contains(&format!("Path={CONSOLE}")));
    // The console's app client, made in the admin pool on first use.
    let clients = h
        .idp
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(clients
        .user_pool_clients()
        .iter()
        .any(|c| c.client_name() == Some("latchkey-console")));
    // A callback this browser did not start.
    let mut stranger = Console::new(h.url());
    let forged = stranger
        .get("/callback", &[("code", "x"), ("state", "y")])
        .await;
    assert_eq!(forged.status, 400, "{}", forged.body);
}

#[tokio::test]
async fn an_operator_signs_in_on_the_managed_login_and_gets_in() {
    let h = signed_in_server().await;
    let pool = h.server.default_pool_id.clone();
    let mut c = Console::new(h.url());
    let done = sign_in(&mut c, "admin").await;
    assert_eq!(done.status, 302, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some(CONSOLE));
    let session = set_cookie(&done, "latchkey-console").expect("the session cookie");
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        &format!("Path={CONSOLE}"),
        "Max-Age=3600",
    ] {
        assert!(session.contains(part), "{session}");
    }
    let home = c.follow(done).await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert_console_page(&home);
    assert!(
        home.body.contains("Signed in as <strong>admin</strong>"),
        "{}",
        home.body
    );

    // An action through the session.
    let page = c.act_ok(&pool, Some("eve"), "disable", &[]).await;
    assert!(page.body.contains("User disabled."));
    let eve = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("eve")
        .send()
        .await
        .unwrap();
    assert!(!eve.enabled());

    // Signing out ends the console session and the managed login's.
    let csrf = home.hidden("_csrf").unwrap();
    let out = c
        .browser
        .post_form(&at("/signout", &[]), &[("_csrf", &csrf)])
        .await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert!(out.body.contains("You have signed out"));
    // The next visit signs in again, with the password (not the old login session).
    login_form(&mut c, "").await;
}

#[tokio::test]
async fn a_user_outside_the_admin_group_is_refused() {
    let h = signed_in_server().await;
    let pool = h.server.default_pool_id.clone();
    let mut c = Console::new(h.url());
    let refused = sign_in(&mut c, "eve").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("eve is not a member of the group latchkey-admins"),
        "{}",
        refused.body
    );
    assert!(set_cookie(&refused, "latchkey-console").is_none());
    let still_out = c.get("", &[]).await;
    assert_eq!(still_out.status, 302, "no session: {}", still_out.body);

    // An operator taken out of the group is refused at the next request.
    let mut admin = Console::new(h.url());
    let done = sign_in(&mut admin, "admin").await;
    admin.follow(done).await;
    admin.page("/users", &[("pool", &pool)]).await;
    h.idp
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("admin")
        .group_name(ADMINS)
        .send()
        .await
        .unwrap();
    let now = admin.get("/users", &[("pool", &pool)]).await;
    assert_eq!(now.status, 403, "{}", now.body);
    // And one signed out everywhere must sign in again.
    h.idp
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("admin")
        .group_name(ADMINS)
        .send()
        .await
        .unwrap();
    admin.page("/users", &[("pool", &pool)]).await;
    h.idp
        .admin_user_global_sign_out()
        .user_pool_id(&pool)
        .username("admin")
        .send()
        .await
        .unwrap();
    let ended = admin.get("/users", &[("pool", &pool)]).await;
    assert_eq!(ended.status, 302, "{}", ended.body);
}

#[tokio::test]
async fn the_admin_pools_mfa_applies_to_operators() {
    let h = signed_in_server().await;
    let pool = h.server.default_pool_id.clone();
    h.idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("admin")
        .user_attributes(
            AttributeType::builder()
                .name("phone_number")
                .value("+15555550100")
                .build()
                .unwrap(),
        )
        .user_attributes(
            AttributeType::builder()
                .name("phone_number_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
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
        .unwrap();
    let mut c = Console::new(h.url());
    let form = login_form(&mut c, "").await;
    let step = submit_login(&mut c, &form, "admin", PASSWORD).await;
    assert_eq!(step.status, 200, "the MFA step: {}", step.body);
    assert_eq!(step.hidden("challenge").as_deref(), Some("SMS_MFA"));
    let code = h.latest_code(&pool, "admin").await;
    let mut fields = vec![("code".to_string(), code)];
    for name in ["_csrf", "session", "username", "challenge"] {
        fields.push((name.into(), step.hidden(name).unwrap_or_default()));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let action = step.form_action().unwrap();
    let back = c.browser.post_form(&action, &pairs).await;
    let done = callback(&mut c, back).await;
    assert_eq!(done.status, 302, "{}", done.body);
    let home = c.follow(done).await;
    assert!(
        home.body.contains("Signed in as <strong>admin</strong>"),
        "{}",
        home.body
    );
}
