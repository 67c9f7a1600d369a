//! First start: create the default pool and app client (from `latchkey.toml` or defaults),
//! through the same operations a client would call, and remember their ids in the store.

use crate::options::FileConfig;
use anyhow::{anyhow, Context};
use latchkey::protocol::dispatch;
use latchkey::App;
use serde_json::{json, Value};

/// The default pool's and client's ids.
pub struct Defaults {
    pub pool_id: String,
    pub client_id: String,
}

/// The default client's callback and sign-out URL (a local web app).
pub const DEFAULT_APP_URL: &str = "http://localhost:3000/";

use latchkey::store::settings::{DEFAULT_CLIENT_ID as CLIENT_KEY, DEFAULT_POOL_ID as POOL_KEY};

/// `overrides` on top of `base` (shallow: top-level members replace).
fn merged(mut base: Value, overrides: Value) -> Value {
    if let (Some(b), Value::Object(o)) = (base.as_object_mut(), overrides) {
        b.extend(o);
    }
    base
}

async fn call(app: &App, op: &str, body: &Value) -> anyhow::Result<Value> {
    dispatch(app, op, body.to_string().as_bytes())
        .await
        .map_err(|e| anyhow!("{op} for the default pool failed: {e}"))
}

/// Returns the default pool and client, creating them on first start.
pub async fn ensure_defaults(app: &App, file: &FileConfig) -> anyhow::Result<Defaults> {
    let store = &app.store;
    if let (Some(pool_id), Some(client_id)) = (
        store.get_setting(POOL_KEY).await?,
        store.get_setting(CLIENT_KEY).await?,
    ) {
        if store.get_pool(&pool_id).await?.is_some()
            && store.get_client(&client_id).await?.is_some()
        {
            return Ok(Defaults { pool_id, client_id });
        }
        anyhow::bail!(
            "the default pool {pool_id} or client {client_id} was deleted; remove the data dir to start afresh"
        );
    }
    let pool_req = merged(
        json!({ "PoolName": "latchkey-default", "AutoVerifiedAttributes": ["email"] }),
        FileConfig::json(&file.pool)?,
    );
    let pool = call(app, "CreateUserPool", &pool_req).await?;
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .context("pool id")?
        .to_string();
    let client_req = merged(
        json!({
            "ClientName": "latchkey-default-client",
            "ExplicitAuthFlows": [
                "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"
            ],
            // The managed login pages work out of the box for a local app on port 3000.
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
            "CallbackURLs": [DEFAULT_APP_URL],
            "LogoutURLs": [DEFAULT_APP_URL],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
        FileConfig::json(&file.client)?,
    );
    let client_req = merged(client_req, json!({ "UserPoolId": pool_id }));
    let client = call(app, "CreateUserPoolClient", &client_req).await?;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .context("client id")?
        .to_string();
    let pool_id = store.put_setting_once(POOL_KEY, &pool_id).await?;
    let client_id = store.put_setting_once(CLIENT_KEY, &client_id).await?;
    Ok(Defaults { pool_id, client_id })
}
