//! ID and access tokens: verified with `jsonwebtoken` against the published JWKS, claim by
//! claim as in the Cognito reference (§3), plus discovery, ReadAttributes, tampering and expiry.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AuthFlowType, SchemaAttributeType, TimeUnitsType, TokenValidityUnitsType,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::{
    assert_api_error, is_uuid, jwk_by_kid, kid_of, sign_up, Claims, Harness, TokenUse, PASSWORD,
};
use latchkey::clock::ManualClock;
use serde_json::{json, Value};

/// A pool with custom attributes `tier` (String) and `level` (Number).
async fn pool_with_custom_attributes(h: &Harness) -> String {
    let custom = |name: &str, kind| {
        SchemaAttributeType::builder()
            .name(name)
            .attribute_data_type(kind)
            .mutable(true)
            .build()
    };
    let pool = h
        .create_pool_with("token-pool", |b| {
            b.schema(custom("tier", AttributeDataType::String))
                .schema(custom("level", AttributeDataType::Number))
        })
        .await;
    pool.id.expect("pool Id")
}

/// A client whose ID tokens last 120 minutes and access tokens 60 minutes.
async fn client_with_validities(h: &Harness, pool: &str) -> String {
    let units = TokenValidityUnitsType::builder()
        .access_token(TimeUnitsType::Minutes)
        .id_token(TimeUnitsType::Minutes)
        .refresh_token(TimeUnitsType::Days)
        .build();
    let client = h
        .create_client_with(pool, |b| {
            b.id_token_validity(120)
                .access_token_validity(60)
                .token_validity_units(units)
        })
        .await;
    client.client_id.expect("ClientId")
}

/// Signs up and confirms `carol` with email and both custom attributes; returns her sub.
async fn carol(h: &Harness, pool: &str, client: &str) -> String {
    let attrs = [
        ("email", "carol@example.com"),
        ("custom:tier", "gold"),
        ("custom:level", "3"),
    ];
    let out = sign_up(&h.idp, client, "carol", PASSWORD, &attrs)
        .await
        .expect("SignUp");
    h.confirm_from_outbox(pool, client, "carol").await;
    out.user_sub
}

fn keys(claims: &Claims) -> BTreeSet<&str> {
    claims.keys().map(String::as_str).collect()
}

fn lifetime(claims: &Claims) -> i64 {
    claims["exp"].as_i64().expect("numeric exp") - claims["iat"].as_i64().expect("numeric iat")
}

#[tokio::test]
async fn id_and_access_tokens_carry_the_reference_claims() {
    let h = Harness::start().await;
    let pool = pool_with_custom_attributes(&h).await;
    let client = client_with_validities(&h, &pool).await;
    let sub = carol(&h, &pool, &client).await;
    let result = h.sign_in(&client, "carol").await;
    let id = h
        .verify(
            &pool,
            result.id_token().expect("IdToken"),
            TokenUse::Id,
            &client,
        )
        .await;
    let access = h
        .verify(
            &pool,
            result.access_token().expect("AccessToken"),
            TokenUse::Access,
            &client,
        )
        .await;

    let id_claims = [
        "sub",
        "iss",
        "aud",
        "token_use",
        "auth_time",
        "iat",
        "exp",
        "jti",
        "origin_jti",
        "event_id",
        "cognito:username",
        "email",
        "email_verified",
        "custom:tier",
        "custom:level",
    ];
    assert_eq!(
        keys(&id),
        id_claims.into_iter().collect::<BTreeSet<_>>(),
        "ID token claims"
    );
    assert_eq!(id["sub"], sub.as_str());
    assert_eq!(id["iss"], h.issuer(&pool));
    assert_eq!(id["aud"], client.as_str(), "aud is a string");
    assert_eq!(id["cognito:username"], "carol");
    assert_eq!(id["email"], "carol@example.com");
    assert_eq!(
        id["email_verified"],
        json!(true),
        "email_verified is a JSON boolean"
    );
    assert_eq!(id["custom:tier"], "gold");
    assert_eq!(
        id["custom:level"], "3",
        "custom attributes are strings, numbers included"
    );
    assert_eq!(lifetime(&id), 7200, "exp - iat = IdTokenValidity");

    let access_claims = [
        "sub",
        "iss",
        "client_id",
        "origin_jti",
        "event_id",
        "token_use",
        "scope",
        "auth_time",
        "exp",
        "iat",
        "jti",
        "username",
    ];
    assert_eq!(
        keys(&access),
        access_claims.into_iter().collect::<BTreeSet<_>>(),
        "access token claims"
    );
    assert_eq!(access["sub"], sub.as_str());
    assert_eq!(access["username"], "carol");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(lifetime(&access), 3600, "exp - iat = AccessTokenValidity");
    assert_eq!(result.expires_in(), 3600);

    for claims in [&id, &access] {
        for uuid_claim in ["jti", "origin_jti", "event_id"] {
            let value = claims[uuid_claim].as_str().unwrap_or_default();
            assert!(is_uuid(value), "{uuid_claim} = {value:?}");
        }
        assert!(
            claims["auth_time"].as_i64().expect("numeric auth_time")
                <= claims["iat"].as_i64().unwrap()
        );
    }
    assert_eq!(
        id["event_id"], access["event_id"],
        "one issue shares event_id"
    );
    assert_eq!(
        id["origin_jti"], access["origin_jti"],
        "one sign-in shares origin_jti"
    );
    assert_eq!(id["auth_time"], access["auth_time"]);
    assert_ne!(id["jti"], access["jti"]);

    let again = h.sign_in(&client, "carol").await;
    let id2 = h
        .verify(
            &pool,
            again.id_token().expect("IdToken"),
            TokenUse::Id,
            &client,
        )
        .await;
    assert_ne!(
        id2["event_id"], id["event_id"],
        "each sign-in is a new event"
    );
    assert_ne!(
        id2["origin_jti"], id["origin_jti"],
        "each sign-in is a new origin"
    );
}

#[tokio::test]
async fn jwks_and_discovery_publish_both_signing_keys() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "dave", "dave@example.com")
        .await;
    let result = h.sign_in(&client, "dave").await;
    let (id_kid, access_kid) = (
        kid_of(result.id_token().unwrap()),
        kid_of(result.access_token().unwrap()),
    );
    assert_ne!(
        id_kid, access_kid,
        "ID and access tokens are signed by different keys"
    );

    let jwks = h.jwks(&pool).await;
    for kid in [&id_kid, &access_kid] {
        let jwk = jwk_by_kid(&jwks, kid);
        assert_eq!(jwk["alg"], "RS256", "{jwk}");
        assert_eq!(jwk["kty"], "RSA", "{jwk}");
        assert_eq!(jwk["use"], "sig", "{jwk}");
        assert!(
            jwk["n"].as_str().is_some_and(|n| n.len() > 300),
            "2048-bit modulus: {jwk}"
        );
        assert!(jwk["e"].as_str().is_some_and(|e| !e.is_empty()), "{jwk}");
    }

    let discovery = h
        .get_json(&format!("/{pool}/.well-known/openid-configuration"))
        .await;
    let issuer = h.issuer(&pool);
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(
        discovery["jwks_uri"],
        format!("{issuer}/.well-known/jwks.json")
    );
    let algs = discovery["id_token_signing_alg_values_supported"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(algs.contains(&json!("RS256")), "{discovery}");
    // The jwks_uri from discovery serves the same key set.
    let path = discovery["jwks_uri"]
        .as_str()
        .unwrap()
        .strip_prefix(h.url())
        .expect("jwks_uri on this server");
    assert_eq!(h.get_json(path).await, jwks);
}

#[tokio::test]
async fn read_attributes_filter_the_id_token() {
    let h = Harness::start().await;
    let pool = pool_with_custom_attributes(&h).await;
    let narrow = h
        .create_client_with(&pool, |b| b.read_attributes("custom:tier"))
        .await;
    let narrow = narrow.client_id.expect("ClientId");
    carol(&h, &pool, &narrow).await;

    let result = h.sign_in(&narrow, "carol").await;
    let id = h
        .verify(
            &pool,
            result.id_token().expect("IdToken"),
            TokenUse::Id,
            &narrow,
        )
        .await;
    assert!(!id.contains_key("email"), "email is not readable: {id:?}");
    assert!(
        !id.contains_key("email_verified"),
        "email_verified is not readable: {id:?}"
    );
    assert!(
        !id.contains_key("custom:level"),
        "custom:level is not readable: {id:?}"
    );
    assert_eq!(id["custom:tier"], "gold");
    assert_eq!(id["cognito:username"], "carol");

    // The same user through a client without ReadAttributes sees everything.
    let wide = h.create_client(&pool).await;
    let result = h.sign_in(&wide, "carol").await;
    let id = h
        .verify(
            &pool,
            result.id_token().expect("IdToken"),
            TokenUse::Id,
            &wide,
        )
        .await;
    assert_eq!(id["email"], "carol@example.com");
}

/// Flips one byte of the payload (inside the username value, so the JSON stays valid).
fn tamper(token: &str, username: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "compact JWS");
    let mut payload = URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url payload");
    let at = payload
        .windows(username.len())
        .position(|w| w == username.as_bytes())
        .expect("username in payload");
    payload[at + username.len() - 1] ^= 0x01;
    format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(&payload),
        parts[2]
    )
}

#[tokio::test]
async fn tampered_access_token_is_refused() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "carol", "carol@example.com")
        .await;
    let result = h.sign_in(&client, "carol").await;
    let access = result.access_token().expect("AccessToken");

    let forged = tamper(access, "carol");
    assert_ne!(forged, access);
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(forged.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .expect("forged payload is still JSON");
    assert_eq!(payload["username"], "carom");

    let refused = h.idp.get_user().access_token(&forged).send().await;
    assert_api_error(refused, "NotAuthorizedException", "Invalid Access Token");
    let genuine = h
        .idp
        .get_user()
        .access_token(access)
        .send()
        .await
        .expect("untouched token works");
    assert_eq!(genuine.username(), "carol");
}

#[tokio::test]
async fn expired_access_token_is_refused_and_refresh_still_works() {
    let clock = ManualClock::starting_now();
    let h = Harness::start_with_clock(clock.clone()).await;
    let (pool, client) = h.pool_and_client().await;
    h.confirmed_user(&pool, &client, "erin", "erin@example.com")
        .await;
    let result = h.sign_in(&client, "erin").await;
    let access = result.access_token().expect("AccessToken");
    h.idp
        .get_user()
        .access_token(access)
        .send()
        .await
        .expect("fresh token works");

    // Default AccessTokenValidity is 60 minutes.
    clock.advance(Duration::from_secs(3601));
    let expired = h.idp.get_user().access_token(access).send().await;
    assert_api_error(
        expired,
        "NotAuthorizedException",
        "Access Token has expired",
    );

    let refresh_token = result.refresh_token().expect("RefreshToken");
    let out = h
        .refresh(&client, AuthFlowType::RefreshTokenAuth, refresh_token)
        .await
        .expect("refresh");
    let renewed = out
        .authentication_result()
        .and_then(|r| r.access_token())
        .expect("AccessToken");
    let user = h
        .idp
        .get_user()
        .access_token(renewed)
        .send()
        .await
        .expect("renewed token works");
    assert_eq!(user.username(), "erin");
}
