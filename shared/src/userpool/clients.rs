//! App clients: CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients,
//! DeleteUserPoolClient.

use super::client_shapes::{UserPoolClientDescription, UserPoolClientType};
use super::enums::{ExplicitAuthFlow, PreventUserExistenceErrors, TimeUnit};
use super::model::{AppClient, TokenValidityUnits, UserPool};
use super::pools::{check_enum_list, decode_token, encode_token, load_pool, page_size};
use super::shapes::Empty;
use crate::error::{ApiError, ApiResult};
use crate::ids::{ClientId, ClientName, UserPoolId};
use crate::random::{string_from, LOWER_ALNUM};
use crate::secret::Secret;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Cognito's flows when ExplicitAuthFlows is omitted.
const DEFAULT_FLOWS: &[ExplicitAuthFlow] = &[
    ExplicitAuthFlow::AllowRefreshTokenAuth,
    ExplicitAuthFlow::AllowUserSrpAuth,
    ExplicitAuthFlow::AllowCustomAuth,
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
    access_token: Option<TimeUnit>,
    id_token: Option<TimeUnit>,
    refresh_token: Option<TimeUnit>,
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
    /// Read as strings: the model knows flows Latchkey refuses with Cognito's enum text.
    explicit_auth_flows: Option<Vec<String>>,
    prevent_user_existence_errors: Option<PreventUserExistenceErrors>,
    enable_token_revocation: Option<bool>,
    auth_session_validity: Option<i64>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// Checks a lifetime against Cognito's range, in seconds.
fn validity(
    value: Option<i64>,
    default: i64,
    unit: TimeUnit,
    min_s: u64,
    max_s: u64,
) -> ApiResult<u64> {
    let v = match value {
        None | Some(0) => default,
        Some(v) if v < 0 => return Err(ApiError::invalid("Invalid range for token validity.")),
        Some(v) => v,
    } as u64;
    let secs = v * unit.seconds();
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
) -> ApiResult<UserPoolClientOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let flows: Vec<ExplicitAuthFlow> = match input.explicit_auth_flows {
        Some(f) if !f.is_empty() => {
            check_enum_list("explicitAuthFlows", &f, ExplicitAuthFlow::NAMES)?;
            f.iter().filter_map(|name| name.parse().ok()).collect()
        }
        _ => DEFAULT_FLOWS.to_vec(),
    };
    let legacy = flows.iter().filter(|f| f.is_legacy()).count();
    if legacy > 0 && legacy < flows.len() {
        return Err(ApiError::invalid(
            "ExplicitAuthFlows can not have both ALLOW_XXX and legacy values.",
        ));
    }
    let units_in = input.token_validity_units;
    let pick = |f: fn(&UnitsInput) -> Option<TimeUnit>| units_in.as_ref().and_then(f);
    let defaults = TokenValidityUnits::default();
    let units = TokenValidityUnits {
        access_token: pick(|u| u.access_token).unwrap_or(defaults.access_token),
        id_token: pick(|u| u.id_token).unwrap_or(defaults.id_token),
        refresh_token: pick(|u| u.refresh_token).unwrap_or(defaults.refresh_token),
    };
    let default_in = |u: TimeUnit, secs: i64| (secs / u.seconds() as i64).max(1);
    let access = validity(
        input.access_token_validity,
        default_in(units.access_token, 3600),
        units.access_token,
        300,
        86_400,
    )?;
    let id = validity(
        input.id_token_validity,
        default_in(units.id_token, 3600),
        units.id_token,
        300,
        86_400,
    )?;
    let refresh = validity(
        input.refresh_token_validity,
        default_in(units.refresh_token, 30 * 86_400),
        units.refresh_token,
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
        prevent_user_existence_errors: input
            .prevent_user_existence_errors
            .unwrap_or(PreventUserExistenceErrors::Legacy),
        enable_token_revocation: input.enable_token_revocation.unwrap_or(true),
        auth_session_validity: session as u32,
        oauth: Default::default(),
        passthrough: input
            .rest
            .into_iter()
            .filter(|(k, _)| PASSTHROUGH.contains(&k.as_str()))
            .collect(),
    };
    app.store.create_client(&client).await?;
    Ok(UserPoolClientOutput {
        user_pool_client: UserPoolClientType::from(&client),
    })
}

/// CreateUserPoolClient's and DescribeUserPoolClient's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientOutput {
    /// The client.
    pub user_pool_client: UserPoolClientType,
}

/// A client by id, or ResourceNotFoundException.
pub async fn load_client(app: &App, client_id: &str) -> ApiResult<Arc<AppClient>> {
    app.configs
        .client(app.store.as_ref(), client_id)
        .await?
        .ok_or_else(|| ApiError::client_not_found(client_id))
}

/// Loads the client named in a public request and its pool.
pub async fn client_and_pool(
    app: &App,
    client_id: &ClientId,
) -> ApiResult<(Arc<AppClient>, Arc<UserPool>)> {
    let client = load_client(app, client_id.as_str()).await?;
    let pool = load_pool(app, &client.pool_id).await?;
    Ok((client, pool))
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
pub async fn describe_user_pool_client(
    app: &App,
    input: PoolClientInput,
) -> ApiResult<UserPoolClientOutput> {
    let c = load_pool_client(app, input.user_pool_id.as_str(), input.client_id.as_str()).await?;
    Ok(UserPoolClientOutput {
        user_pool_client: UserPoolClientType::from(c.as_ref()),
    })
}

/// DeleteUserPoolClient.
pub async fn delete_user_pool_client(app: &App, input: PoolClientInput) -> ApiResult<Empty> {
    let c = load_pool_client(app, input.user_pool_id.as_str(), input.client_id.as_str()).await?;
    app.store.delete_client(&c.pool_id, &c.client_id).await?;
    app.configs.forget_client(&c.client_id);
    Ok(Empty {})
}

/// ListUserPoolClients' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolClientsInput {
    user_pool_id: UserPoolId,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListUserPoolClients' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolClientsOutput {
    /// This page.
    pub user_pool_clients: Vec<UserPoolClientDescription>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// ListUserPoolClients.
pub async fn list_user_pool_clients(
    app: &App,
    input: ListUserPoolClientsInput,
) -> ApiResult<ListUserPoolClientsOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let limit = page_size("maxResults", input.max_results, 60)?;
    let after = decode_token(input.next_token.as_deref())?;
    let page = app
        .store
        .list_clients(&pool.id, after.as_deref(), limit)
        .await?;
    Ok(ListUserPoolClientsOutput {
        user_pool_clients: page
            .items
            .iter()
            .map(UserPoolClientDescription::from)
            .collect(),
        next_token: page.next.as_deref().map(encode_token),
    })
}
