//! The hardening issue's defects, each through a real client (the AWS SDK, or raw HTTP for
//! bodies the SDK refuses to send): refresh rotation that no flow bypasses, unknown names that
//! lock out like users, one sign-in string naming one user, request members validated from
//! Cognito's own model, the HTTP edges, credentials without STS, and the outbox by sign-in
//! name. SRP replay and stale TIMESTAMPs are checked through pycognito (real_clients), and
//! moto's AWS-verified tests cover case-insensitive booleans and legacy ExplicitAuthFlows.

use crate::common;
use crate::lifecycle_support;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AuthFlowType, UsernameAttributeType,
};
use common::{assert_api_error, assert_raw_error, Harness, PASSWORD};
use latchkey::clock::ManualClock;
use latchkey_server::ServerOptions;
use lifecycle_support::{admin_user, hiding_client, tokens};
use serde_json::{json, Value};

const NA: &str = "NotAuthorizedException";
const INVALID: &str = "InvalidParameterException";
const SERIALIZATION: &str = "SerializationException";

// ----- refresh-token rotation -----------------------------------------------------------

#[tokio::test]
async fn no_flow_redeems_a_rotated_out_refresh_token() {
    let h = Harness::start().await;
    let pool = h.create_pool("rotation").await;
    let client = h.rotating_client(&pool, 0).await;
    h.confirmed_user(&pool, &client, "rita", "rita@example.com")
        .await;
    let first = h.sign_in(&client, "rita").await;
    let old = first.refresh_token().expect("RefreshToken").to_owned();

    // Cognito: REFRESH_TOKEN_AUTH is not for rotating clients, in either InitiateAuth.
    for flow in [AuthFlowType::RefreshTokenAuth, AuthFlowType::RefreshToken] {
        let refused = h.refresh(&client, flow, &old).await;
        let e = common::api_error(refused);
        assert_eq!(e.code, INVALID, "{}", e.message);
        assert!(
            e.message.contains("GetTokensFromRefreshToken"),
            "{}",
            e.message
        );
    }
    let admin = h
        .idp
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &old)
        .send()
        .await;
    assert_eq!(common::api_error(admin).code, INVALID);

    // GetTokensFromRefreshToken rotates once; the old token's reuse revokes the family.
    let rotated = h
        .idp
        .get_tokens_from_refresh_token()
        .client_id(&client)
        .refresh_token(&old)
        .send()
        .await
        .expect("first rotation")
        .authentication_result
        .expect("AuthenticationResult");
    let new = rotated
        .refresh_token()
        .expect("a new RefreshToken")
        .to_owned();
    assert_ne!(new, old);
    let reuse = h
        .idp
        .get_tokens_from_refresh_token()
        .client_id(&client)
        .refresh_token(&old)
        .send()
        .await;
    assert_eq!(common::api_error(reuse).code, "RefreshTokenReuseException");
    let family = h
        .idp
        .get_tokens_from_refresh_token()
        .client_id(&client)
        .refresh_token(&new)
        .send()
        .await;
    assert_api_error(family, NA, "Refresh Token has been revoked");
    h.shutdown().await;
}

// ----- unknown names lock out like users ------------------------------------------------

/// The answers of `n` wrong-password sign-ins as `name`, on a manual clock that does not move.
async fn answers(h: &Harness, client: &str, name: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        let e = common::api_error(h.password_auth(client, name, "Wrong-Password-1").await);
        out.push(format!("{}: {}", e.code, e.message));
    }
    out
}

#[tokio::test]
async fn unknown_names_answer_exactly_like_locked_out_users() {
    let clock = ManualClock::starting_now();
    let h = Harness::start_with_clock(clock.clone()).await;
    let pool = h.create_pool("lockout").await;
    let client = hiding_client(&h, &pool).await;
    admin_user(&h, &pool, "lena", &[]).await;

    let real = answers(&h, &client, "lena", 7).await;
    let unknown = answers(&h, &client, "nobody-here", 7).await;
    assert_eq!(real, unknown, "a user and an unknown name answer alike");
    assert_eq!(real[4], format!("{NA}: Incorrect username or password."));
    assert_eq!(real[5], format!("{NA}: Password attempts exceeded"));

    // Both unlock on the same schedule (the 6th failure locked for 1 s, the 7th was refused).
    clock.advance(Duration::from_millis(1_001));
    let real = answers(&h, &client, "lena", 1).await;
    let unknown = answers(&h, &client, "nobody-here", 1).await;
    assert_eq!(real, unknown);
    assert_eq!(real[0], format!("{NA}: Incorrect username or password."));
    h.shutdown().await;
}

// ----- one sign-in string names one user ----------------------------------------------

#[tokio::test]
async fn a_username_and_a_preferred_username_never_name_two_users() {
    let h = Harness::start().await;
    let pool = h
        .create_pool_with("aliases", |b| {
            b.alias_attributes(AliasAttributeType::PreferredUsername)
        })
        .await
        .id
        .expect("pool Id");
    let client = h.create_client(&pool).await;
    admin_user(&h, &pool, "anna", &[("preferred_username", "boss")]).await;
    admin_user(&h, &pool, "bert", &[]).await;

    // A new username equal to another user's preferred_username.
    let taken = h
        .idp
        .sign_up()
        .client_id(&client)
        .username("boss")
        .password(PASSWORD)
        .send()
        .await;
    assert_api_error(taken, "UsernameExistsException", "User already exists");
    let taken = h
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("boss")
        .send()
        .await;
    assert_eq!(common::api_error(taken).code, "UsernameExistsException");

    // A preferred_username equal to another user's username, or to another's alias.
    for nick in ["anna", "boss"] {
        let set = h
            .idp
            .admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("bert")
            .user_attributes(common::attribute("preferred_username", nick))
            .send()
            .await;
        assert_api_error(
            set,
            "AliasExistsException",
            "An account with the given preferred_username already exists.",
        );
    }
    // Its own username is fine, and each string still signs in as exactly one user.
    let own = h
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("bert")
        .user_attributes(common::attribute("preferred_username", "bert"))
        .send()
        .await;
    own.expect("preferred_username = own username");
    for (name, who) in [("boss", "anna"), ("anna", "anna"), ("bert", "bert")] {
        let t = tokens(
            h.password_auth(&client, name, PASSWORD)
                .await
                .expect("sign-in"),
        );
        let id = lifecycle_support::claims(t.id_token().expect("IdToken"));
        assert_eq!(id["cognito:username"], who, "{name} signs in as {who}");
    }
    h.shutdown().await;
}

// ----- request members from Cognito's model -------------------------------------------

#[tokio::test]
async fn members_are_validated_from_cognitos_model() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;

    // Wrong JSON types are SerializationException, before anything runs.
    let wrong = [
        (
            "SignUp",
            json!({"ClientId": client, "Username": "u", "Password": PASSWORD, "ClientMetadata": 5}),
        ),
        (
            "SignUp",
            json!({"ClientId": client, "Username": "u", "Password": PASSWORD, "ClientMetadata": {"k": 1}}),
        ),
        ("ListUsers", json!({"UserPoolId": pool, "Limit": "5"})),
        (
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": ["u"]}),
        ),
    ];
    for (op, body) in wrong {
        assert_raw_error(&h.raw_call(op, body.to_string()).await, SERIALIZATION, None);
    }
    let identity = h
        .raw_target(
            "AWSCognitoIdentityService.CreateIdentityPool",
            json!({"IdentityPoolName": "p", "AllowUnauthenticatedIdentities": true,
                   "IdentityPoolTags": {"k": 1}})
            .to_string(),
        )
        .await;
    assert_raw_error(&identity, SERIALIZATION, None);

    // A JSON array is not read as positional members: the pool survives.
    let array = h
        .raw_call("DeleteUserPool", json!([pool]).to_string())
        .await;
    assert_raw_error(&array, SERIALIZATION, None);
    let still = h.raw_call("DescribeUserPool", json!({"UserPoolId": pool}).to_string());
    assert_eq!(still.await.0, 200);

    // Lengths, empty strings, enums and ranges: every violation at once, as Coral reports.
    let filter = "x".repeat(257);
    let long = h
        .raw_call(
            "ListUsers",
            json!({"UserPoolId": pool, "Filter": filter, "Limit": 61}).to_string(),
        )
        .await;
    assert_raw_error(
        &long,
        INVALID,
        Some(
            "2 validation errors detected: Value at 'filter' failed to satisfy constraint: \
             Member must have length less than or equal to 256; Value at 'limit' failed to \
             satisfy constraint: Member must have value less than or equal to 60",
        ),
    );
    let empty = h
        .raw_call(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": ""}).to_string(),
        )
        .await;
    assert_raw_error(
        &empty,
        INVALID,
        Some(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: \
         Member must have length greater than or equal to 1",
        ),
    );
    let role_arn = format!("arn:aws:iam::123456789012:role/{}", "r".repeat(100_000));
    let roles = h
        .raw_target(
            "AWSCognitoIdentityService.SetIdentityPoolRoles",
            json!({"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000",
                   "Roles": {"authenticated": role_arn}})
            .to_string(),
        )
        .await;
    assert_raw_error(&roles, INVALID, None);
    let flow = h
        .raw_call(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "MAGIC"}).to_string(),
        )
        .await;
    assert_raw_error(&flow, INVALID, None);
    assert!(flow.1["message"]
        .as_str()
        .unwrap_or_default()
        .contains("enum value set"));

    // Cognito's password rules allow inner spaces but not leading or trailing ones (the
    // published model says [\S]+; scripts/trim-model.py patches it to the service's rule).
    let spaced = json!({"ClientId": client, "Username": "spacey", "Password": "Correct Horse 9!"});
    let spaced = h.raw_call("SignUp", spaced.to_string()).await;
    assert_eq!(spaced.0, 200, "{}", spaced.1);
    let leading =
        json!({"ClientId": client, "Username": "leading", "Password": " Correct-Horse-9"});
    assert_raw_error(
        &h.raw_call("SignUp", leading.to_string()).await,
        INVALID,
        Some(
            "1 validation error detected: Value at 'password' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\S]+(.*[\\S]+)?",
        ),
    );

    // Garbage pagination tokens are refused, not read as the first page.
    for (op, body) in [
        (
            "ListUsers",
            json!({"UserPoolId": pool, "PaginationToken": "garbage!"}),
        ),
        (
            "ListUserPools",
            json!({"MaxResults": 10, "NextToken": "garbage!"}),
        ),
        (
            "ListGroups",
            json!({"UserPoolId": pool, "NextToken": "garbage!"}),
        ),
    ] {
        assert_raw_error(&h.raw_call(op, body.to_string()).await, INVALID, None);
    }
    h.shutdown().await;
}

#[tokio::test]
async fn every_cognito_operation_is_known() {
    let h = Harness::start().await;
    for op in [
        "AddCustomAttributes",
        "CreateUserPoolDomain",
        "ListTagsForResource",
        "AdminListDevices",
    ] {
        let (status, body) = h.raw_call(op, "{}").await;
        assert_eq!(status, 400, "{op}: {body}");
        // Either refused as not built yet (naming it), or a validation error of the real
        // operation's input: never UnknownOperationException.
        let kind = body["__type"].as_str().unwrap_or_default();
        assert_ne!(kind, "UnknownOperationException", "{op}: {body}");
    }
    let (_, body) = h
        .raw_call(
            "GetLogDeliveryConfiguration",
            json!({"UserPoolId": "us-east-1_x"}).to_string(),
        )
        .await;
    assert_eq!(body["__type"], "UnsupportedOperationException");
    assert_eq!(
        body["message"],
        "Latchkey does not implement GetLogDeliveryConfiguration yet."
    );
    let (_, body) = h.raw_call("MadeUpOperation", "{}").await;
    assert_eq!(body["__type"], "UnknownOperationException");
    h.shutdown().await;
}

// ----- HTTP edges -----------------------------------------------------------------------

#[tokio::test]
async fn closed_connections_say_so_and_every_method_gets_json() {
    let h = Harness::start().await;
    let huge = "a".repeat(9 * 1024 * 1024);
    let resp = h
        .http
        .post(format!("{}/", h.url()))
        .header("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
        .body(huge)
        .send()
        .await;
    // The server may stop reading before the client has written it all; when the client does
    // see the answer, it must say the connection closes.
    if let Ok(resp) = resp {
        assert_eq!(resp.status(), 400);
        assert_eq!(resp.headers()["connection"], "close");
    }
    let get_with_body = h
        .http
        .get(format!("{}/_latchkey/health", h.url()))
        .body("unread")
        .send()
        .await
        .expect("GET with a body");
    assert_eq!(get_with_body.headers()["connection"], "close");

    for method in [
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let resp = h
            .http
            .request(method.clone(), format!("{}/", h.url()))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 400, "{method}");
        let body: Value = resp.json().await.expect("JSON body");
        assert_eq!(body["__type"], "UnknownOperationException", "{method}");
    }
    // The same pooled client still works.
    let ok = h
        .raw_call("ListUserPools", json!({"MaxResults": 1}).to_string())
        .await;
    assert_eq!(ok.0, 200);
    h.shutdown().await;
}

// ----- identity pools without STS -------------------------------------------------------

#[tokio::test]
async fn credentials_without_sts_answer_at_once_naming_the_setting() {
    let mut opts = ServerOptions::in_memory();
    opts.sts = latchkey_server::StsChoice::Disabled;
    let h = Harness::start_with(opts).await;
    let created = h
        .raw_target(
            "AWSCognitoIdentityService.CreateIdentityPool",
            json!({"IdentityPoolName": "guests", "AllowUnauthenticatedIdentities": true})
                .to_string(),
        )
        .await;
    assert_eq!(created.0, 200, "{}", created.1);
    let ipool = created.1["IdentityPoolId"]
        .as_str()
        .expect("IdentityPoolId")
        .to_owned();
    let roles = json!({"IdentityPoolId": ipool,
                       "Roles": {"unauthenticated": "arn:aws:iam::000000000000:role/guest"}});
    let set = h.raw_target(
        "AWSCognitoIdentityService.SetIdentityPoolRoles",
        roles.to_string(),
    );
    assert_eq!(set.await.0, 200);
    let id = h
        .raw_target(
            "AWSCognitoIdentityService.GetId",
            json!({"IdentityPoolId": ipool}).to_string(),
        )
        .await;
    let identity = id.1["IdentityId"].as_str().expect("IdentityId").to_owned();
    let creds = h
        .raw_target(
            "AWSCognitoIdentityService.GetCredentialsForIdentity",
            json!({"IdentityId": identity}).to_string(),
        )
        .await;
    assert_raw_error(&creds, "InvalidIdentityPoolConfigurationException", None);
    assert!(creds.1["message"]
        .as_str()
        .unwrap_or_default()
        .contains("AWS_ENDPOINT_URL_STS"));
    h.shutdown().await;
}

// ----- plain-http issuers only on exact loopback hosts -----------------------------------

#[tokio::test]
async fn look_alike_loopback_hosts_get_no_plain_http_jwks() {
    let h = Harness::start().await;
    let provider = "localhost.attacker.example";
    let created = h
        .raw_target(
            "AWSCognitoIdentityService.CreateIdentityPool",
            json!({"IdentityPoolName": "oidc", "AllowUnauthenticatedIdentities": false,
                   "SupportedLoginProviders": {provider: "app"}})
            .to_string(),
        )
        .await;
    let ipool = created.1["IdentityPoolId"]
        .as_str()
        .expect("IdentityPoolId")
        .to_owned();
    let segment = |v: Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let token = format!(
        "{}.{}.c2ln",
        segment(json!({"alg": "RS256", "kid": "k"})),
        segment(
            json!({"iss": format!("http://{provider}"), "aud": "app", "sub": "s",
                       "exp": 4_000_000_000u64})
        )
    );
    let id = h
        .raw_target(
            "AWSCognitoIdentityService.GetId",
            json!({"IdentityPoolId": ipool, "Logins": {provider: token}}).to_string(),
        )
        .await;
    assert_raw_error(
        &id,
        NA,
        Some("Invalid login token. Issuer doesn't match providerName"),
    );
    h.shutdown().await;
}

// ----- the outbox by any sign-in name ---------------------------------------------------

#[tokio::test]
async fn the_outbox_finds_users_of_email_username_pools_by_email() {
    let h = Harness::start().await;
    let pool = h
        .create_pool_with("email-names", |b| {
            b.username_attributes(UsernameAttributeType::Email)
        })
        .await
        .id
        .expect("pool Id");
    let client = h.create_client(&pool).await;
    h.idp
        .sign_up()
        .client_id(&client)
        .username("mia@example.com")
        .password(PASSWORD)
        .send()
        .await
        .expect("SignUp");
    let messages = h.outbox(&pool, "mia@example.com").await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(common::is_uuid(
        messages[0]["Username"].as_str().unwrap_or_default()
    ));
    let code = messages[0]["Code"].as_str().expect("Code");
    let confirmed = h
        .idp
        .confirm_sign_up()
        .client_id(&client)
        .username("mia@example.com")
        .confirmation_code(code)
        .send()
        .await;
    confirmed.expect("the code from the outbox confirms");
    h.shutdown().await;
}
