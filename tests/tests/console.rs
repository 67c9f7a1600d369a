//! The web console over HTTP, from this machine (the local server lets a loopback browser in
//! without signing in): its pages show what the AWS SDK set up, its actions change what the
//! SDK sees, a refused action shows Cognito's message, and a POST without its CSRF token
//! changes nothing. Sign-in is `console_signin`; the console in Chromium (with axe-core) is
//! `real_clients::console_in_chromium_with_axe_core`.

use crate::common::PASSWORD;
use crate::console_support::*;
use crate::identity_support::{role, rules_mapping, Env};
use aws_sdk_cognitoidentity::types::{AmbiguousRoleResolutionType, MappingRuleMatchType};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, UserStatusType};

/// A pool with a secret client, two users (`ada` in group `staff`) and an identity pool
/// with a rule, on a fresh server.
struct Setup {
    env: Env,
    pool: String,
    secret: String,
}

async fn setup() -> Setup {
    let env = Env::start().await;
    let h = &env.h;
    let pool = h.create_pool("console-pages").await;
    let backend = h
        .create_client_with(&pool, |b| b.client_name("backend").generate_secret(true))
        .await;
    let secret = backend.client_secret().expect("a secret").to_string();
    permanent_user(h, &pool, "ada", &[("email", "ada@example.com")]).await;
    permanent_user(h, &pool, "bob", &[("email", "bob@example.org")]).await;
    h.idp
        .create_group()
        .user_pool_id(&pool)
        .group_name("staff")
        .description("People <who> work here")
        .send()
        .await
        .expect("CreateGroup");
    h.idp
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("ada")
        .group_name("staff")
        .send()
        .await
        .expect("AdminAddUserToGroup");
    let ipool = env.trusting_pool(false).await;
    let rule = rules_mapping(
        &[(
            "email",
            MappingRuleMatchType::Equals,
            "ada@example.com",
            &role("ada-role"),
        )],
        AmbiguousRoleResolutionType::AuthenticatedRole,
    );
    env.set_roles(
        &ipool,
        &[("authenticated", &role("signed-in"))],
        vec![(env.mapping_key(), rule)],
    )
    .await;
    Setup { env, pool, secret }
}

#[tokio::test]
async fn the_pages_show_pools_clients_users_groups_and_identity_pools() {
    let Setup { env, pool, secret } = setup().await;
    let mut c = Console::new(env.url());

    let home = c.page("", &[]).await;
    assert!(home.body.contains("console-pages"), "{}", home.body);
    assert!(home.body.contains(&pool));
    assert!(home.body.contains("Local access"), "{}", home.body);

    let settings = c.page("/pool", &[("pool", &pool)]).await;
    assert!(settings.body.contains("backend"), "{}", settings.body);
    assert!(settings.body.contains("Yes (not shown)"));
    assert!(
        !settings.body.contains(&secret),
        "the client secret is never shown"
    );
    assert!(settings.body.contains("Password policy"));

    let users = c.page("/users", &[("pool", &pool)]).await;
    assert!(users.body.contains(">ada</a>") && users.body.contains(">bob</a>"));

    let prefix = [
        ("pool", pool.as_str()),
        ("attr", "email"),
        ("op", "^="),
        ("value", "ada"),
    ];
    let found = c.page("/users", &prefix).await;
    assert!(found.body.contains(">ada</a>"), "{}", found.body);
    assert!(!found.body.contains(">bob</a>"), "{}", found.body);
    let exact = [
        ("pool", pool.as_str()),
        ("attr", "email"),
        ("op", "="),
        ("value", "bob@example.org"),
    ];
    let found = c.page("/users", &exact).await;
    assert!(found.body.contains(">bob</a>") && !found.body.contains(">ada</a>"));
    // A search ListUsers refuses shows its message.
    let bad = c
        .get(
            "/users",
            &[("pool", &pool), ("attr", "custom:tier"), ("value", "x")],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("Invalid search attribute: custom:tier"));

    let ada = c
        .page("/user", &[("pool", &pool), ("username", "ada")])
        .await;
    assert!(ada.body.contains("ada@example.com") && ada.body.contains(">staff</a>"));
    assert!(ada.body.contains("CONFIRMED"), "{}", ada.body);
    assert!(ada.body.contains("Remembered devices") && ada.body.contains("Sign-in sessions"));

    let groups = c
        .page("/groups", &[("pool", &pool), ("group", "staff")])
        .await;
    assert!(
        groups.body.contains("People &lt;who&gt; work here"),
        "{}",
        groups.body
    );
    assert!(groups.body.contains("Members of staff") && groups.body.contains(">ada</a>"));

    let identity = c.page("/identity-pools", &[]).await;
    assert!(identity.body.contains("trusting"), "{}", identity.body);
    assert!(identity
        .body
        .contains("email Equals &quot;ada@example.com&quot;"));
    assert!(identity.body.contains(&role("ada-role")));

    let missing = c
        .get("/user", &[("pool", &pool), ("username", "nobody")])
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert!(missing.body.contains("User does not exist."));
    let no_pool = c.get("/pool", &[("pool", "us-east-1_nothere")]).await;
    assert_eq!(no_pool.status, 404, "{}", no_pool.body);
}

/// The `href` of the link whose text is `text` on `page` (unescaped), if any.
fn link_to(page: &Answer, text: &str) -> Option<String> {
    page.body
        .split("href=\"")
        .find(|s| s.contains(&format!(">{text}</a>")))
        .and_then(|s| s.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
}

/// Follows `href` (it must be there) to a console page.
async fn open(c: &mut Console, href: Option<String>) -> Answer {
    let href = href.expect("the link");
    let page = c.browser.get(&href).await;
    assert_eq!(page.status, 200, "{href}: {}", page.body);
    assert_console_page(&page);
    page
}

#[tokio::test]
async fn users_are_paged_sixty_at_a_time_forward_and_back() {
    let env = Env::start().await;
    let h = &env.h;
    let pool = h.create_pool("paged").await;
    for i in 0..121 {
        h.idp
            .admin_create_user()
            .user_pool_id(&pool)
            .username(format!("user{i:03}"))
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
            .temporary_password(PASSWORD)
            .send()
            .await
            .expect("AdminCreateUser");
    }
    let mut c = Console::new(env.url());
    let first = open(&mut c, Some(at("/users", &[("pool", &pool)]))).await;
    assert!(first.body.contains(">user059</a>") && !first.body.contains(">user060</a>"));
    assert_eq!(
        link_to(&first, "Previous page"),
        None,
        "nothing before the first page"
    );
    let second = open(&mut c, link_to(&first, "Next page")).await;
    assert!(second.body.contains(">user060</a>") && !second.body.contains(">user000</a>"));
    assert!(second.body.contains(">First page</a>"));
    let third = open(&mut c, link_to(&second, "Next page")).await;
    assert!(third.body.contains(">user120</a>") && !third.body.contains(">user119</a>"));
    assert_eq!(link_to(&third, "Next page"), None, "the last page");
    // Back, page by page, to where it started: the earlier tokens rode along in `prev`.
    let back = link_to(&third, "Previous page").expect("a previous page link");
    assert!(back.contains("prev="), "{back}");
    let second_again = open(&mut c, Some(back)).await;
    assert!(
        second_again.body.contains(">user060</a>") && second_again.body.contains(">user119</a>")
    );
    assert!(!second_again.body.contains(">user120</a>"));
    let first_again = open(&mut c, link_to(&second_again, "Previous page")).await;
    assert!(
        first_again.body.contains(">user000</a>") && !first_again.body.contains(">user060</a>")
    );
    assert_eq!(link_to(&first_again, "Previous page"), None);
    assert_eq!(
        link_to(&first_again, "Next page"),
        link_to(&first, "Next page")
    );
}

#[tokio::test]
async fn the_user_page_lists_passkeys_beside_devices() {
    let env = Env::start().await;
    let h = &env.h;
    let (pool, client) = h.pool_and_client().await;
    passkey::enable(h, &pool).await;
    permanent_user(h, &pool, "pia", &[("email", "pia@example.com")]).await;
    permanent_user(h, &pool, "quinn", &[]).await;
    let mut c = Console::new(env.url());
    let before = c
        .page("/user", &[("pool", &pool), ("username", "pia")])
        .await;
    assert!(before.body.contains("<h2>Passkeys</h2>") && before.body.contains("No passkeys."));

    let token = h.sign_in(&client, "pia").await;
    let token = token.access_token().expect("an access token");
    let first = passkey::register(h, token, [7; 16]).await;
    let second = passkey::register(h, token, [9; 16]).await;
    let pia = c
        .page("/user", &[("pool", &pool), ("username", "pia")])
        .await;
    let body = &pia.body;
    let passkeys = body
        .split("<h2>Passkeys</h2>")
        .nth(1)
        .expect("the passkeys section");
    let passkeys = passkeys.split("<h2>").next().unwrap_or_default();
    for id in [&first, &second] {
        assert!(
            passkeys.contains(&format!("<code>{id}</code>")),
            "{passkeys}"
        );
    }
    for shown in [
        "Platform passkey",
        "localhost",
        "platform",
        "internal, hybrid",
    ] {
        assert!(passkeys.contains(shown), "{shown}: {passkeys}");
    }
    assert!(passkeys.contains("<th scope=\"col\">Credential ID</th>"));
    // Beside the devices, and only this user's.
    assert!(body.find("<h2>Remembered devices</h2>") < body.find("<h2>Passkeys</h2>"));
    let quinn = c
        .page("/user", &[("pool", &pool), ("username", "quinn")])
        .await;
    assert!(quinn.body.contains("No passkeys.") && !quinn.body.contains(&first));
    // What the user's own ListWebAuthnCredentials says, the page says.
    let (status, listed) = h
        .raw_call(
            "ListWebAuthnCredentials",
            serde_json::json!({ "AccessToken": token }).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{listed}");
    let ids: Vec<&str> = listed["Credentials"]
        .as_array()
        .expect("Credentials")
        .iter()
        .filter_map(|c| c["CredentialId"].as_str())
        .collect();
    assert_eq!(ids, [first.as_str(), second.as_str()]);
}

#[tokio::test]
async fn actions_change_what_the_sdk_sees() {
    let Setup { env, pool, .. } = setup().await;
    let h = &env.h;
    let mut c = Console::new(h.url());
    let get = |u: &'static str| {
        h.idp
            .admin_get_user()
            .user_pool_id(&pool)
            .username(u)
            .send()
    };

    let page = c.act_ok(&pool, Some("bob"), "disable", &[]).await;
    assert!(page.body.contains("User disabled."), "{}", page.body);
    assert!(!get("bob").await.unwrap().enabled());
    c.act_ok(&pool, Some("bob"), "enable", &[]).await;
    assert!(get("bob").await.unwrap().enabled());

    c.act_ok(&pool, Some("bob"), "add-to-group", &[("group", "staff")])
        .await;
    let groups = h
        .idp
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups()[0].group_name(), Some("staff"));
    let remove = c
        .act(
            &pool,
            Some("bob"),
            "remove-from-group",
            &[("group", "staff")],
            &[],
        )
        .await;
    assert_eq!(remove.status, 303, "{}", remove.body);

    let email = [
        ("attr:email", "robert@example.org"),
        ("new_name", "email_verified"),
        ("new_value", "true"),
    ];
    c.act_ok(&pool, Some("bob"), "edit-attributes", &email)
        .await;
    let name = [("new_name", "name"), ("new_value", "Robert")];
    c.act_ok(&pool, Some("bob"), "edit-attributes", &name).await;
    let bob = get("bob").await.unwrap();
    let attr = |n: &str| crate::common::attr(bob.user_attributes(), n).map(str::to_string);
    assert_eq!(attr("email").as_deref(), Some("robert@example.org"));
    assert_eq!(attr("email_verified").as_deref(), Some("true"));
    assert_eq!(attr("name").as_deref(), Some("Robert"));
    // Emptied, an attribute is deleted.
    c.act_ok(&pool, Some("bob"), "edit-attributes", &[("attr:name", "")])
        .await;
    let bob = get("bob").await.unwrap();
    assert_eq!(crate::common::attr(bob.user_attributes(), "name"), None);

    let client = h.create_client(&pool).await;
    let new_password = "Console-Set-77";
    c.act_ok(
        &pool,
        Some("bob"),
        "set-password",
        &[("password", new_password), ("permanent", "yes")],
    )
    .await;
    let signed_in = h.password_auth(&client, "bob", new_password).await.unwrap();
    let refresh = signed_in
        .authentication_result()
        .and_then(|r| r.refresh_token())
        .unwrap()
        .to_string();

    c.act_ok(&pool, Some("bob"), "sign-out", &[]).await;
    let refused = h
        .refresh(&client, AuthFlowType::RefreshTokenAuth, &refresh)
        .await;
    assert!(
        refused.is_err(),
        "the refresh token ended with the sign-out"
    );

    c.act_ok(&pool, Some("bob"), "reset-password", &[]).await;
    assert_eq!(
        get("bob").await.unwrap().user_status(),
        Some(&UserStatusType::ResetRequired)
    );

    let created = c
        .act(
            &pool,
            None,
            "create",
            &[],
            &[
                ("new_username", "cy"),
                ("email", "cy@example.com"),
                ("temporary_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let cy = c.follow(created).await;
    assert!(cy.body.contains("User created."), "{}", cy.body);
    assert_eq!(
        get("cy").await.unwrap().user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );

    // An unconfirmed sign-up, confirmed by the operator.
    crate::common::sign_up(
        &h.idp,
        &client,
        "dee",
        PASSWORD,
        &[("email", "dee@example.com")],
    )
    .await
    .unwrap();
    c.act_ok(&pool, Some("dee"), "confirm", &[]).await;
    assert_eq!(
        get("dee").await.unwrap().user_status(),
        Some(&UserStatusType::Confirmed)
    );

    let gone = c.act(&pool, Some("dee"), "delete", &[], &[]).await;
    assert_eq!(gone.status, 303, "{}", gone.body);
    let users = c.follow(gone).await;
    assert!(users.body.contains("User deleted."), "{}", users.body);
    assert!(get("dee").await.is_err(), "dee is gone");
}

#[tokio::test]
async fn a_refused_action_shows_cognitos_message_and_changes_nothing() {
    let Setup { env, pool, .. } = setup().await;
    let mut c = Console::new(env.url());
    // The pool's password policy refuses it: the form again, with Cognito's words.
    let weak = c
        .act(
            &pool,
            Some("ada"),
            "set-password",
            &[],
            &[("password", "short"), ("permanent", "yes")],
        )
        .await;
    assert_eq!(weak.status, 400, "{}", weak.body);
    assert!(weak.body.contains("role=\"alert\""), "{}", weak.body);
    assert!(
        weak.body.contains("Password did not conform with policy"),
        "{}",
        weak.body
    );
    assert!(
        !weak.body.contains("short"),
        "a typed password is never shown again"
    );
    // A taken username.
    let taken = c
        .act(&pool, None, "create", &[], &[("new_username", "ada")])
        .await;
    assert_eq!(taken.status, 400, "{}", taken.body);
    assert!(taken.body.contains("User already exists"), "{}", taken.body);
    assert!(
        taken.body.contains("value=\"ada\""),
        "the form keeps what was typed"
    );
    // A forged group name.
    let no_group = c
        .act(
            &pool,
            Some("ada"),
            "remove-from-group",
            &[("group", "nope")],
            &[],
        )
        .await;
    assert_eq!(no_group.status, 400, "{}", no_group.body);
    assert!(
        no_group.body.contains("Group not found"),
        "{}",
        no_group.body
    );
    // Malformed input is the model's validation message, never a 500.
    let bad_email = c
        .act(&pool, None, "create", &[], &[("new_username", "x\u{7}y")])
        .await;
    assert_eq!(bad_email.status, 400, "{}", bad_email.body);
    assert!(
        bad_email.body.contains("validation error"),
        "{}",
        bad_email.body
    );
    // Without the ticked box nothing happens.
    let confirm = c
        .page(
            "/action",
            &[("pool", &pool), ("action", "disable"), ("username", "ada")],
        )
        .await;
    let csrf = confirm.hidden("_csrf").unwrap();
    let unticked = c
        .browser
        .post_form(
            &at("/action", &[]),
            &[
                ("_csrf", &csrf),
                ("pool", &pool),
                ("action", "disable"),
                ("username", "ada"),
            ],
        )
        .await;
    assert_eq!(unticked.status, 400, "{}", unticked.body);
    assert!(unticked.body.contains("tick the box"), "{}", unticked.body);
    let ada = env
        .h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ada")
        .send()
        .await
        .unwrap();
    assert!(ada.enabled(), "still enabled");
    let unknown = c
        .get("/action", &[("pool", &pool), ("action", "explode")])
        .await;
    assert_eq!(unknown.status, 400);
}

#[tokio::test]
async fn posts_without_the_csrf_token_change_nothing() {
    let Setup { env, pool, .. } = setup().await;
    let mut c = Console::new(env.url());
    // The confirmation page sets the CSRF cookie; the forms must echo it.
    let confirm = c
        .page(
            "/action",
            &[("pool", &pool), ("action", "delete"), ("username", "ada")],
        )
        .await;
    let good = confirm.hidden("_csrf").unwrap();
    let form = |csrf: &'static str| {
        vec![
            ("_csrf", csrf),
            ("pool", pool.as_str()),
            ("action", "delete"),
            ("username", "ada"),
            ("confirm", "yes"),
        ]
    };
    let missing: Vec<_> = form("").into_iter().skip(1).collect();
    let none = c.browser.post_form(&at("/action", &[]), &missing).await;
    assert_eq!(none.status, 403, "{}", none.body);
    let wrong = c
        .browser
        .post_form(&at("/action", &[]), &form("forged"))
        .await;
    assert_eq!(wrong.status, 403, "{}", wrong.body);
    // Another browser (no CSRF cookie) with this one's token.
    let mut other = Console::new(env.url());
    let mut stolen = form("");
    stolen[0].1 = good.as_str();
    let cross = other.browser.post_form(&at("/action", &[]), &stolen).await;
    assert_eq!(cross.status, 403, "{}", cross.body);
    let inspect = c
        .browser
        .post_form(&at("/token", &[]), &[("token", "a.b.c")])
        .await;
    assert_eq!(inspect.status, 403, "{}", inspect.body);
    env.h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ada")
        .send()
        .await
        .expect("ada was not deleted");
}

#[tokio::test]
async fn the_token_inspector_verifies_against_the_pools_jwks() {
    let Setup { env, pool, .. } = setup().await;
    let h = &env.h;
    let client = h.create_client(&pool).await;
    let tokens = h.sign_in(&client, "ada").await;
    let id = tokens.id_token().unwrap();
    let mut c = Console::new(h.url());
    let form = c.page("/token", &[]).await;
    let csrf = form.hidden("_csrf").unwrap();
    let good = c
        .browser
        .post_form(&at("/token", &[]), &[("_csrf", &csrf), ("token", id)])
        .await;
    assert_eq!(good.status, 200, "{}", good.body);
    assert_console_page(&good);
    assert!(good.body.contains("role=\"status\">Valid"), "{}", good.body);
    assert!(good.body.contains("An ID token.") && good.body.contains("ada@example.com"));
    // One changed signature byte.
    let mut forged = id.to_string();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let bad = c
        .browser
        .post_form(&at("/token", &[]), &[("_csrf", &csrf), ("token", &forged)])
        .await;
    assert!(
        bad.body.contains("Not valid: Signature failed."),
        "{}",
        bad.body
    );
    let garbage = c
        .browser
        .post_form(
            &at("/token", &[]),
            &[("_csrf", &csrf), ("token", "not a token")],
        )
        .await;
    assert_eq!(garbage.status, 400, "{}", garbage.body);
    assert!(garbage.body.contains("not a JSON Web Token"));
}

#[tokio::test]
async fn the_local_outbox_page_shows_sent_codes() {
    let env = Env::start().await;
    let h = &env.h;
    let (pool, client) = h.pool_and_client().await;
    h.sign_up(&client, "fay", "fay@example.com").await;
    let code = h.latest_code(&pool, "fay").await;
    let mut c = Console::new(h.url());
    let outbox = c
        .page("/outbox", &[("pool", &pool), ("username", "fay")])
        .await;
    assert!(
        outbox.body.contains(&format!("<code>{code}</code>")),
        "{}",
        outbox.body
    );
    assert!(outbox.body.contains("fay@example.com"));
    // The user's page never shows a code.
    let fay = c
        .page("/user", &[("pool", &pool), ("username", "fay")])
        .await;
    assert!(!fay.body.contains(&code));
}
