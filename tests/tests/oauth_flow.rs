//! The OAuth 2.0 authorization server and the managed login pages, driven as a browser and a
//! relying party would: authorize → login form → code → token endpoint (PKCE), userInfo,
//! refresh through both the token endpoint and InitiateAuth, revocation, the hosted session
//! and logout, and the refusals (reused code, wrong verifier, plain PKCE, unregistered
//! redirects, missing CSRF token, wrong password, wrong client secret, a flow the client may
//! not use). Real libraries (openid-client, authlib, Amplify in Chromium) run the same flows
//! in `oauth_clients`.

use crate::common::{Harness, TokenUse, PASSWORD};
use crate::oauth_support::*;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A pool, an OAuth client and a confirmed user `ana` (email verified).
async fn setup(h: &Harness, secret: bool) -> (String, String, Option<String>) {
    let pool = h.create_pool("oauth").await;
    let client = oauth_client(h, &pool, secret).await;
    let id = client.client_id.clone().expect("ClientId");
    let signup = h.create_client(&pool).await;
    h.confirmed_user(&pool, &signup, "ana", "ana@example.com")
        .await;
    (pool, id, client.client_secret)
}

fn authorize_params<'a>(client: &'a str, challenge: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", CALLBACK),
        ("state", "st-42"),
        ("scope", "openid email"),
        ("nonce", "n-7"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
}

#[tokio::test]
async fn code_flow_with_pkce_issues_ordinary_tokens() {
    let h = Harness::start().await;
    let (pool, client, _) = setup(&h, false).await;
    let (verifier, challenge) = pkce();
    let mut browser = Browser::new(h.url());
    let done = browser
        .sign_in(&authorize_params(&client, &challenge), "ana", PASSWORD)
        .await;
    assert_eq!(done.status, 302, "login: {}", done.body);
    let location = done.location.clone().unwrap();
    assert!(location.starts_with(&format!("{CALLBACK}?")), "{location}");
    assert_eq!(done.location_param("state").as_deref(), Some("st-42"));
    assert!(browser.cookies.contains_key("latchkey-session"));
    assert_eq!(done.headers["x-frame-options"], "DENY");
    let code = done.location_param("code").expect("a code");

    let exchange = [
        ("grant_type", "authorization_code"),
        ("client_id", client.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", verifier.as_str()),
    ];
    let (status, tokens) = token_request(h.url(), &exchange, None).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let access = tokens["access_token"].as_str().unwrap();
    let id = h
        .verify(
            &pool,
            tokens["id_token"].as_str().unwrap(),
            TokenUse::Id,
            &client,
        )
        .await;
    assert_eq!(id["nonce"], "n-7");
    assert_eq!(id["cognito:username"], "ana");
    assert_eq!(id["email"], "ana@example.com");
    let at_hash = URL_SAFE_NO_PAD.encode(&Sha256::digest(access.as_bytes())[..16]);
    assert_eq!(id["at_hash"], at_hash);
    let claims = h.verify(&pool, access, TokenUse::Access, &client).await;
    assert_eq!(claims["scope"], "openid email");
    assert_eq!(claims["username"], "ana");
    assert_eq!(claims["origin_jti"], id["origin_jti"]);

    // The same code again: single use.
    let (status, again) = token_request(h.url(), &exchange, None).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // userInfo: the email group, verified as a string.
    let info: Value = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", h.url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["username"], "ana");
    assert_eq!(info["email"], "ana@example.com");
    assert_eq!(info["email_verified"], "true");
    assert_eq!(info["sub"], id["sub"]);
    // An API sign-in's access token has no openid: refused.
    let api = h.sign_in(&h.create_client(&pool).await, "ana").await;
    let refused = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", h.url()))
        .bearer_auth(api.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    // Refresh at the token endpoint keeps the scopes and the origin; InitiateAuth takes the
    // same refresh token.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) = token_request(
        h.url(),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", refresh),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    let again = h
        .verify(
            &pool,
            refreshed["access_token"].as_str().unwrap(),
            TokenUse::Access,
            &client,
        )
        .await;
    assert_eq!(again["scope"], "openid email");
    assert_eq!(again["origin_jti"], claims["origin_jti"]);
    let via_api = h
        .refresh(&client, AuthFlowType::RefreshTokenAuth, refresh)
        .await
        .expect("REFRESH_TOKEN_AUTH takes the OAuth refresh token");
    assert!(via_api
        .authentication_result
        .unwrap()
        .access_token
        .is_some());

    // Revocation ends the refresh token.
    let revoked = reqwest::Client::new()
        .post(format!("{}/oauth2/revoke", h.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&[("token", refresh), ("client_id", &client)]))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let (status, after) = token_request(
        h.url(),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", refresh),
        ],
        None,
    )
    .await;
    assert_eq!(
        (status, after["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn the_hosted_session_skips_the_form_until_logout() {
    let h = Harness::start().await;
    let (_pool, client, _) = setup(&h, false).await;
    let (_, challenge) = pkce();
    let params = authorize_params(&client, &challenge);
    let mut browser = Browser::new(h.url());
    let first = browser.sign_in(&params, "ana", PASSWORD).await;
    assert_eq!(first.status, 302);
    // Signed in: authorize answers with a code straight away.
    let second = browser
        .get(&format!("/oauth2/authorize?{}", encode(&params)))
        .await;
    assert_eq!(second.status, 302);
    assert!(
        second.location_param("code").is_some(),
        "{:?}",
        second.location
    );
    // prompt=login asks again anyway.
    let mut forced = params.clone();
    forced.push(("prompt", "login"));
    let ask = browser
        .get(&format!("/oauth2/authorize?{}", encode(&forced)))
        .await;
    assert!(ask.location.unwrap().starts_with("/login?"));
    // Logout to a registered URL; then the form again, and prompt=none is refused.
    let out = browser
        .get(&format!(
            "/logout?{}",
            encode(&[("client_id", &client), ("logout_uri", SIGNED_OUT)])
        ))
        .await;
    assert_eq!(
        (out.status, out.location.as_deref()),
        (302, Some(SIGNED_OUT))
    );
    assert!(!browser.cookies.contains_key("latchkey-session"));
    let third = browser
        .get(&format!("/oauth2/authorize?{}", encode(&params)))
        .await;
    assert!(third.location.unwrap().starts_with("/login?"));
    let mut silent = params.clone();
    silent.push(("prompt", "none"));
    let none = browser
        .get(&format!("/oauth2/authorize?{}", encode(&silent)))
        .await;
    assert_eq!(
        none.location_param("error").as_deref(),
        Some("login_required")
    );
    assert_eq!(none.location_param("state").as_deref(), Some("st-42"));
}

#[tokio::test]
async fn refusals_never_leak_a_code_or_follow_an_unregistered_url() {
    let h = Harness::start().await;
    let (pool, client, _) = setup(&h, false).await;
    let (verifier, challenge) = pkce();
    let params = authorize_params(&client, &challenge);
    let mut browser = Browser::new(h.url());
    let base = encode(&params);

    // Unknown client, unregistered redirect: an error page, never a redirect.
    for query in [
        base.replace(&client, "nosuchclient"),
        base.replace("localhost%3A3000%2Fcallback", "evil.example%2Fcb"),
    ] {
        let a = browser.get(&format!("/oauth2/authorize?{query}")).await;
        assert_eq!(a.status, 400, "{query}");
        assert!(a.location.is_none());
    }
    // plain PKCE: back to the client with invalid_request.
    let plain = base.replace("S256", "plain");
    let a = browser.get(&format!("/oauth2/authorize?{plain}")).await;
    assert_eq!(
        a.location_param("error").as_deref(),
        Some("invalid_request")
    );
    // A flow the client may not use, and a scope it may not have.
    let implicit = base.replace("response_type=code", "response_type=token");
    let a = browser.get(&format!("/oauth2/authorize?{implicit}")).await;
    assert!(a.location.unwrap().contains("error=unauthorized_client"));
    let phone = base.replace("openid%20email", "openid%20phone");
    let a = browser.get(&format!("/oauth2/authorize?{phone}")).await;
    assert_eq!(a.location_param("error").as_deref(), Some("invalid_scope"));

    // The login form: no CSRF token, wrong password: the form again, no redirect.
    let form = browser.get(&format!("/login?{base}")).await;
    let action = form.form_action().unwrap();
    let csrf = form.hidden("_csrf").unwrap();
    let a = browser
        .post_form(&action, &[("username", "ana"), ("password", PASSWORD)])
        .await;
    assert_eq!((a.status, a.location.is_none()), (403, true));
    let a = browser
        .post_form(
            &action,
            &[
                ("_csrf", &csrf),
                ("username", "ana"),
                ("password", "Wrong-Horse-1"),
            ],
        )
        .await;
    assert_eq!((a.status, a.location.is_none()), (400, true));
    assert!(
        a.body.contains("Incorrect username or password."),
        "{}",
        a.body
    );
    assert!(a.body.contains("name=\"username\""));

    // A code: the wrong verifier, no verifier, the wrong redirect URI: invalid_grant, and
    // each try spends the code.
    let done = browser.sign_in(&params, "ana", PASSWORD).await;
    let code = done.location_param("code").unwrap();
    let (_, other) = pkce();
    for bad in [other.as_str(), ""] {
        let mut pairs = vec![
            ("grant_type", "authorization_code"),
            ("client_id", client.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
        ];
        if !bad.is_empty() {
            pairs.push(("code_verifier", bad));
        }
        let (status, e) = token_request(h.url(), &pairs, None).await;
        assert_eq!(
            (status, e["error"].as_str()),
            (400, Some("invalid_grant")),
            "{e}"
        );
    }
    let (status, e) = redeem(h.url(), &client, &code, &verifier).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("invalid_grant")),
        "spent"
    );
    // Unknown grant type, unknown client.
    let (status, e) = token_request(
        h.url(),
        &[("grant_type", "password"), ("client_id", &client)],
        None,
    )
    .await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, e) = token_request(
        h.url(),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "nosuch"),
            ("refresh_token", "x"),
        ],
        None,
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_client")));

    // Logout never follows an unregistered URL.
    let a = browser
        .get(&format!(
            "/logout?{}",
            encode(&[
                ("client_id", &client),
                ("logout_uri", "https://evil.example/")
            ])
        ))
        .await;
    assert_eq!((a.status, a.location.is_none()), (400, true));
    let _ = pool;
}

#[tokio::test]
async fn a_confidential_client_authenticates_at_the_token_endpoint() {
    let h = Harness::start().await;
    let (_pool, client, secret) = setup(&h, true).await;
    let secret = secret.expect("a secret");
    let (verifier, challenge) = pkce();
    let mut browser = Browser::new(h.url());
    let exchange = |code: String| {
        vec![
            ("grant_type", "authorization_code".to_string()),
            ("code", code),
            ("redirect_uri", CALLBACK.to_string()),
            ("code_verifier", verifier.clone()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| -> Vec<(&str, String)> { v.clone() };
    // Wrong secret (basic): invalid_client, and the code is not spent by it.
    let done = browser
        .sign_in(&authorize_params(&client, &challenge), "ana", PASSWORD)
        .await;
    let code = done.location_param("code").expect("code");
    let pairs = as_refs(&exchange(code));
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, e) = token_request(h.url(), &pairs, Some((&client, "wrong-secret"))).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_client")));
    let (status, tokens) = token_request(h.url(), &pairs, Some((&client, &secret))).await;
    assert_eq!(status, 200, "{tokens}");
    // client_secret_post works too, for the refresh grant.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) = token_request(
        h.url(),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("refresh_token", refresh),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(refreshed["id_token"].is_string());
}

#[tokio::test]
async fn oidc_logout_discovery_and_the_implicit_grant() {
    let h = Harness::start().await;
    let (pool, client, _) = setup(&h, false).await;
    let (verifier, challenge) = pkce();
    let mut browser = Browser::new(h.url());
    let done = browser
        .sign_in(&authorize_params(&client, &challenge), "ana", PASSWORD)
        .await;
    let code = done.location_param("code").unwrap();
    let (_, tokens) = redeem(h.url(), &client, &code, &verifier).await;
    let id_token = tokens["id_token"].as_str().unwrap();

    // RP-initiated logout: a forged hint is refused, a real one goes to a registered URL
    // with the state.
    let forged = format!("{}x", &id_token[..id_token.len() - 1]);
    for (hint, status) in [(forged.as_str(), 400), (id_token, 302)] {
        let out = browser
            .get(&format!(
                "/logout?{}",
                encode(&[
                    ("id_token_hint", hint),
                    ("post_logout_redirect_uri", SIGNED_OUT),
                    ("state", "bye"),
                ])
            ))
            .await;
        assert_eq!(out.status, status, "{}", out.body);
    }
    assert!(!browser.cookies.contains_key("latchkey-session"));

    // Discovery names only endpoints that answer.
    let discovery = h
        .get_json(&format!("/{pool}/.well-known/openid-configuration"))
        .await;
    assert_eq!(
        discovery["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    for key in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "revocation_endpoint",
        "end_session_endpoint",
        "jwks_uri",
    ] {
        let url = discovery[key].as_str().unwrap();
        let a = browser.get(url).await;
        assert_ne!(a.status, 404, "{key} {url}");
    }

    // The implicit grant, for a client that allows it: tokens in the fragment, no refresh.
    let implicit = h
        .create_client_with(&pool, |b| {
            b.allowed_o_auth_flows_user_pool_client(true)
                .allowed_o_auth_flows(
                    aws_sdk_cognitoidentityprovider::types::OAuthFlowType::Implicit,
                )
                .allowed_o_auth_scopes("openid")
                .callback_urls(CALLBACK)
                .supported_identity_providers("COGNITO")
        })
        .await
        .client_id
        .unwrap();
    let params = [
        ("response_type", "token"),
        ("client_id", implicit.as_str()),
        ("redirect_uri", CALLBACK),
        ("state", "imp"),
        ("nonce", "n1"),
    ];
    let mut fresh = Browser::new(h.url());
    let back = fresh.sign_in(&params, "ana", PASSWORD).await;
    let location = back.location.unwrap();
    let fragment = location.split_once('#').expect("a fragment").1;
    let got = form_urlencoded_pairs(fragment);
    assert_eq!(got["state"], "imp");
    assert_eq!(got["token_type"], "Bearer");
    assert!(!got.contains_key("refresh_token"));
    let id = h
        .verify(&pool, &got["id_token"], TokenUse::Id, &implicit)
        .await;
    assert_eq!(id["nonce"], "n1");
}

#[tokio::test]
async fn client_credentials_tokens_carry_custom_scopes_and_no_user() {
    use aws_sdk_cognitoidentityprovider::types::{OAuthFlowType, ResourceServerScopeType};
    let h = Harness::start().await;
    let pool = h.create_pool("m2m").await;
    let scope = |n: &str| {
        ResourceServerScopeType::builder()
            .scope_name(n)
            .scope_description(n)
            .build()
            .unwrap()
    };
    h.idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("orders")
        .name("Orders API")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .expect("CreateResourceServer");
    let m2m = h
        .create_client_with(&pool, |b| {
            b.generate_secret(true)
                .allowed_o_auth_flows_user_pool_client(true)
                .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
                .allowed_o_auth_scopes("orders/read")
        })
        .await;
    let (id, secret) = (m2m.client_id.unwrap(), m2m.client_secret.unwrap());
    let grant = |scope: Option<&'static str>| {
        let mut pairs = vec![("grant_type", "client_credentials")];
        pairs.extend(scope.map(|s| ("scope", s)));
        pairs
    };
    let (status, tokens) = token_request(h.url(), &grant(None), Some((&id, &secret))).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens.get("id_token").is_none() && tokens.get("refresh_token").is_none());
    let claims = h
        .verify(
            &pool,
            tokens["access_token"].as_str().unwrap(),
            TokenUse::Access,
            &id,
        )
        .await;
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["scope"], "orders/read");
    assert!(!claims.contains_key("username"));
    // The token is no user's: GetUser refuses it.
    let me = h
        .idp
        .get_user()
        .access_token(tokens["access_token"].as_str().unwrap())
        .send()
        .await;
    assert!(me.is_err());
    // A scope the client may not have; a wrong secret; a client without the flow.
    let (status, e) =
        token_request(h.url(), &grant(Some("orders/write")), Some((&id, &secret))).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_scope")));
    let (status, e) = token_request(h.url(), &grant(None), Some((&id, "nope"))).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_client")));
    let web = oauth_client(&h, &pool, true).await;
    let (status, e) = token_request(
        h.url(),
        &grant(None),
        Some((&web.client_id.unwrap(), &web.client_secret.unwrap())),
    )
    .await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    // A custom scope no resource server defines can't be given to a client.
    let refused = h
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("bad")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("orders/delete")
        .send()
        .await;
    let e = refused.unwrap_err();
    assert_eq!(
        aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata::code(&e),
        Some("ScopeDoesNotExistException")
    );
}
