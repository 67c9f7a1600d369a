//! The client-credentials token on an App over an in-memory store: the flow and scope rules,
//! Cognito's M2M claims, verification with the pool's access key, and GetUser's refusal.

use super::*;
use crate::clock::SystemClock;
use crate::protocol::dispatch;
use crate::userpool::access::authorize_access;
use crate::userpool::jwt::Expect;
use crate::userpool::model::OAuthSettings;
use crate::App;
use serde_json::json;
use std::sync::Arc;

fn app() -> App {
    App::in_memory(Arc::new(SystemClock))
}

/// A pool with resource server `orders` (scopes `read`, `write`) and a client whose OAuth
/// settings are `oauth` (written through the store: CreateUserPoolClient does not fill them
/// yet).
async fn setup(app: &App, oauth: OAuthSettings) -> (Arc<UserPool>, AppClient) {
    let pool = dispatch(app, "CreateUserPool", br#"{"PoolName":"m2m"}"#)
        .await
        .unwrap();
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    let body = json!({"UserPoolId": pool_id, "Identifier": "orders", "Name": "Orders",
        "Scopes": [{"ScopeName": "read", "ScopeDescription": "r"},
                   {"ScopeName": "write", "ScopeDescription": "w"}]});
    dispatch(app, "CreateResourceServer", body.to_string().as_bytes())
        .await
        .unwrap();
    let mut client = crate::store::conformance::sample_client(&pool_id, "m2mclient");
    client.oauth = oauth;
    app.store.create_client(&client).await.unwrap();
    let pool = crate::userpool::pools::load_pool(app, &pool_id)
        .await
        .unwrap();
    (pool, client)
}

fn m2m(scopes: &[&str]) -> OAuthSettings {
    OAuthSettings {
        enabled: true,
        flows: vec![OAuthFlow::ClientCredentials],
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_token_carries_cognitos_m2m_claims_and_verifies() {
    let app = app();
    let (pool, client) = setup(&app, m2m(&["orders/read", "orders/write", "openid"])).await;
    let call = Call::internal(&app);
    let token = client_credentials(&call, &pool, &client, Some("orders/read"))
        .await
        .unwrap();
    assert_eq!(token.expires_in, 3600);
    assert!(!format!("{token:?}").contains(&token.access_token));
    let signers = app.signers(&pool).unwrap();
    let claims: serde_json::Map<String, serde_json::Value> = jwt::verify(
        &token.access_token,
        &Expect {
            key: &signers.access,
            issuer: &app.settings.issuer(&pool.id),
            token_use: "access",
            client_id: Some("m2mclient"),
            now: app.clock.now_secs(),
        },
    )
    .unwrap();
    let mut names: Vec<&str> = claims.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "auth_time",
            "client_id",
            "exp",
            "iat",
            "iss",
            "jti",
            "scope",
            "sub",
            "token_use",
            "version"
        ]
    );
    assert_eq!(claims["sub"], "m2mclient");
    assert_eq!(claims["scope"], "orders/read");
    assert_eq!(claims["version"], 2);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    // No scope: every custom scope of the client that a resource server defines.
    let all = client_credentials(&call, &pool, &client, None)
        .await
        .unwrap();
    let claims = jwt::peek_claims(&all.access_token).unwrap();
    assert_eq!(claims["scope"], "orders/read orders/write");

    // GetUser (and every operation for a signed-in user) refuses it, as Cognito does.
    match authorize_access(&app, &token.access_token).await {
        Err(e) => assert_eq!(
            (e.kind, e.message.as_str()),
            (
                crate::error::ErrorKind::NotAuthorized,
                "Access Token does not have required scopes"
            )
        ),
        Ok(_) => panic!("an M2M token passed the user access check"),
    }
}

#[tokio::test]
async fn scopes_must_be_the_clients_and_defined() {
    let app = app();
    let (pool, client) = setup(&app, m2m(&["orders/read", "orders/delete", "openid"])).await;
    let call = Call::internal(&app);
    for scope in [
        "orders/write",
        "orders/delete",
        "openid",
        "orders/read nope/x",
    ] {
        assert!(
            matches!(
                client_credentials(&call, &pool, &client, Some(scope)).await,
                Err(M2mRefusal::InvalidScope)
            ),
            "{scope}"
        );
    }
    // Deleting the resource server leaves the client's setting, but the scope is gone.
    let body = json!({"UserPoolId": pool.id, "Identifier": "orders"});
    dispatch(&app, "DeleteResourceServer", body.to_string().as_bytes())
        .await
        .unwrap();
    assert!(matches!(
        client_credentials(&call, &pool, &client, None).await,
        Err(M2mRefusal::InvalidScope)
    ));
}

#[tokio::test]
async fn only_clients_allowing_the_flow_get_a_token() {
    let app = app();
    let mut oauth = m2m(&["orders/read"]);
    oauth.flows = vec![OAuthFlow::Code];
    let (pool, client) = setup(&app, oauth).await;
    let call = Call::internal(&app);
    assert!(matches!(
        client_credentials(&call, &pool, &client, Some("orders/read")).await,
        Err(M2mRefusal::UnauthorizedClient)
    ));
    let mut off = client.clone();
    off.oauth = OAuthSettings {
        enabled: false,
        ..m2m(&["orders/read"])
    };
    assert!(matches!(
        client_credentials(&call, &pool, &off, None).await,
        Err(M2mRefusal::UnauthorizedClient)
    ));
}
