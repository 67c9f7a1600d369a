//! App clients: CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients,
//! DeleteUserPoolClient.

use super::model::{unit_seconds, AppClient, TokenValidityUnits, UserPool};
use super::pools::{check_enum, check_enum_list, decode_token, encode_token, load_pool, page_size};
use crate::clock::epoch_seconds;
use crate::error::{ApiError, ApiResult};
use crate::ids::{ClientId, ClientName, UserPoolId};
use crate::random::{string_from, LOWER_ALNUM};
use crate::secret::Secret;
use crate::App;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::sync::Arc;

const FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];

/// Cognito's flows when ExplicitAuthFlows is omitted.
const DEFAULT_FLOWS: &[&str] = &[
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
];

const PASSTHROUGH: &[&str] = &[
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "EnablePropagateAdditionalUserContextData",
    "RefreshTokenRotation",
];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UnitsInput {
    access_token: Option<String>,
    id_token: Option<String>,
    refresh_token: Option<String>,
}

/// CreateUserPoolClient's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolClientInput {
    user_pool_id: UserPoolId,
    client_name: ClientName,
    generate_secret: Option<bool>,
    refresh_token_validity: Option<i64>,
    access_token_validity: Option<i64>,
    id_token_validity: Option<i64>,
    token_validity_units: Option<UnitsInput>,
    read_attributes: Option<Vec<String>>,
    write_attributes: Option<Vec<String>>,
    explicit_auth_flows: Option<Vec<String>>,
    prevent_user_existence_errors: Option<String>,
    enable_token_revocation: Option<bool>,
    auth_session_validity: Option<i64>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

fn unit(member: &str, v: Option<String>, default: &str) -> ApiResult<String> {
    check_enum(member, v, &["seconds", "minutes", "hours", "days"], default)
}

/// Checks a lifetime against Cognito's range, in seconds.
fn validity(
    value: Option<i64>,
    default: i64,
    unit: &str,
    min_s: u64,
    max_s: u64,
) -> ApiResult<u64> {
    let v = match value {
        None | Some(0) => default,
        Some(v) if v < 0 => return Err(ApiError::invalid("Invalid range for token validity.")),
        Some(v) => v,
    } as u64;
    let secs = v * unit_seconds(unit);
    if secs < min_s || secs > max_s {
        return Err(ApiError::invalid("Invalid range for token validity."));
    }
    Ok(v)
}

fn check_attributes(pool: &UserPool, names: &[String], what: &str) -> ApiResult<()> {
    if names.iter().any(|n| pool.schema_attribute(n).is_none()) {
        return Err(ApiError::invalid(format!(
            "Invalid {what} attributes specified while creating a client"
        )));
    }
    Ok(())
}

/// CreateUserPoolClient.
pub async fn create_user_pool_client(
    app: &App,
    input: CreateUserPoolClientInput,
) -> ApiResult<Value> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let flows = match input.explicit_auth_flows {
        Some(f) if !f.is_empty() => f,
        _ => DEFAULT_FLOWS.iter().map(|s| s.to_string()).collect(),
    };
    check_enum_list("explicitAuthFlows", &flows, FLOWS)?;
    let legacy = flows.iter().filter(|f| !f.starts_with("ALLOW_")).count();
    if legacy > 0 && legacy < flows.len() {
        return Err(ApiError::invalid(
            "ExplicitAuthFlows can not have both ALLOW_XXX and legacy values.",
        ));
    }
    let units_in = input.token_validity_units;
    let pick = |f: fn(&UnitsInput) -> Option<String>| units_in.as_ref().and_then(f);
    let units = TokenValidityUnits {
        access_token: unit(
            "tokenValidityUnits.accessToken",
            pick(|u| u.access_token.clone()),
            "hours",
        )?,
        id_token: unit(
            "tokenValidityUnits.idToken",
            pick(|u| u.id_token.clone()),
            "hours",
        )?,
        refresh_token: unit(
            "tokenValidityUnits.refreshToken",
            pick(|u| u.refresh_token.clone()),
            "days",
        )?,
    };
    let default_in = |u: &str, secs: i64| (secs / unit_seconds(u) as i64).max(1);
    let access = validity(
        input.access_token_validity,
        default_in(&units.access_token, 3600),
        &units.access_token,
        300,
        86_400,
    )?;
    let id = validity(
        input.id_token_validity,
        default_in(&units.id_token, 3600),
        &units.id_token,
        300,
        86_400,
    )?;
    let refresh = validity(
        input.refresh_token_validity,
        default_in(&units.refresh_token, 30 * 86_400),
        &units.refresh_token,
        3600,
        315_360_000,
    )?;
    if let Some(r) = &input.read_attributes {
        check_attributes(&pool, r, "read")?;
    }
    if let Some(w) = &input.write_attributes {
        check_attributes(&pool, w, "write")?;
    }
    let session = input.auth_session_validity.unwrap_or(3);
    if !(3..=15).contains(&session) {
        return Err(ApiError::constraint(
            "authSessionValidity",
            "Member must have value between 3 and 15",
        ));
    }
    let secret = input
        .rest
        .get("ClientSecret")
        .and_then(Value::as_str)
        .map(str::to_string);
    let secret = match (input.generate_secret.unwrap_or(false), secret) {
        (_, Some(s)) => {
            let ok = (24..=64).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+');
            if !ok {
                return Err(ApiError::constraint(
                    "clientSecret",
                    "Member must satisfy regular expression pattern: [\\w+]+",
                ));
            }
            Some(Secret::new(s))
        }
        (true, None) => Some(Secret::new(string_from(
            app.random.as_ref(),
            LOWER_ALNUM,
            51,
        ))),
        (false, None) => None,
    };
    let now = app.clock.now_millis();
    let client = AppClient {
        pool_id: pool.id.clone(),
        client_id: string_from(app.random.as_ref(), LOWER_ALNUM, 26),
        client_name: input.client_name.as_str().to_string(),
        secret,
        created_ms: now,
        modified_ms: now,
        explicit_auth_flows: flows,
        refresh_token_validity: refresh,
        access_token_validity: access,
        id_token_validity: id,
        token_validity_units: units,
        read_attributes: input.read_attributes,
        write_attributes: input.write_attributes,
        prevent_user_existence_errors: check_enum(
            "preventUserExistenceErrors",
            input.prevent_user_existence_errors,
            &["LEGACY", "ENABLED"],
            "LEGACY",
        )?,
        enable_token_revocation: input.enable_token_revocation.unwrap_or(true),
        auth_session_validity: session as u32,
        passthrough: input
            .rest
            .into_iter()
            .filter(|(k, _)| PASSTHROUGH.contains(&k.as_str()))
            .collect(),
    };
    app.store.create_client(&client).await?;
    Ok(json!({ "UserPoolClient": describe(&client) }))
}

/// `UserPoolClientType`.
pub fn describe(c: &AppClient) -> Value {
    let mut out = json!({
        "UserPoolId": c.pool_id,
        "ClientName": c.client_name,
        "ClientId": c.client_id,
        "LastModifiedDate": epoch_seconds(c.modified_ms),
        "CreationDate": epoch_seconds(c.created_ms),
        "RefreshTokenValidity": c.refresh_token_validity,
        "AccessTokenValidity": c.access_token_validity,
        "IdTokenValidity": c.id_token_validity,
        "TokenValidityUnits": c.token_validity_units,
        "ExplicitAuthFlows": c.explicit_auth_flows,
        "PreventUserExistenceErrors": c.prevent_user_existence_errors,
        "EnableTokenRevocation": c.enable_token_revocation,
        "AuthSessionValidity": c.auth_session_validity,
        "AllowedOAuthFlowsUserPoolClient": false,
    });
    if let Some(s) = &c.secret {
        out["ClientSecret"] = json!(s.expose());
    }
    if let Some(r) = &c.read_attributes {
        out["ReadAttributes"] = json!(r);
    }
    if let Some(w) = &c.write_attributes {
        out["WriteAttributes"] = json!(w);
    }
    for (k, v) in &c.passthrough {
        out[k] = v.clone();
    }
    out
}

/// A client by id, or ResourceNotFoundException.
pub async fn load_client(app: &App, client_id: &str) -> ApiResult<Arc<AppClient>> {
    app.configs
        .client(app.store.as_ref(), client_id)
        .await?
        .ok_or_else(|| ApiError::client_not_found(client_id))
}

/// A client that must belong to `pool_id`.
pub async fn load_pool_client(
    app: &App,
    pool_id: &str,
    client_id: &str,
) -> ApiResult<Arc<AppClient>> {
    load_pool(app, pool_id).await?;
    let client = load_client(app, client_id).await?;
    if client.pool_id != pool_id {
        return Err(ApiError::client_not_found(client_id));
    }
    Ok(client)
}

/// Describe/DeleteUserPoolClient's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolClientInput {
    user_pool_id: UserPoolId,
    client_id: ClientId,
}

/// DescribeUserPoolClient.
pub async fn describe_user_pool_client(app: &App, input: PoolClientInput) -> ApiResult<Value> {
    let c = load_pool_client(app, input.user_pool_id.as_str(), input.client_id.as_str()).await?;
    Ok(json!({ "UserPoolClient": describe(&c) }))
}

/// DeleteUserPoolClient.
pub async fn delete_user_pool_client(app: &App, input: PoolClientInput) -> ApiResult<Value> {
    let c = load_pool_client(app, input.user_pool_id.as_str(), input.client_id.as_str()).await?;
    app.store.delete_client(&c.pool_id, &c.client_id).await?;
    app.configs.forget_client(&c.client_id);
    Ok(json!({}))
}

/// ListUserPoolClients' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolClientsInput {
    user_pool_id: UserPoolId,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListUserPoolClients.
pub async fn list_user_pool_clients(
    app: &App,
    input: ListUserPoolClientsInput,
) -> ApiResult<Value> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let limit = page_size("maxResults", input.max_results, 60)?;
    let after = decode_token(input.next_token.as_deref())?;
    let page = app
        .store
        .list_clients(&pool.id, after.as_deref(), limit)
        .await?;
    let clients: Vec<Value> = page
        .items
        .iter()
        .map(|c| json!({ "ClientId": c.client_id, "UserPoolId": c.pool_id, "ClientName": c.client_name }))
        .collect();
    let mut out = json!({ "UserPoolClients": clients });
    if let Some(next) = page.next {
        out["NextToken"] = json!(encode_token(&next));
    }
    Ok(out)
}
