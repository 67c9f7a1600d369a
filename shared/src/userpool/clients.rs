//! App clients: CreateUserPoolClient, UpdateUserPoolClient, DescribeUserPoolClient,
//! ListUserPoolClients, DeleteUserPoolClient. Their settings are checked in `client_settings`.

use super::client_oauth::STANDARD_SCOPES;
use super::client_settings::{client_settings, ClientSettingsInput};
use super::client_shapes::{UserPoolClientDescription, UserPoolClientType};
use super::idps::ops::supported_providers_exist;
use super::model::{AppClient, UserPool};
use super::pools::{decode_token, encode_token, load_pool, page_size};
use super::shapes::Empty;
use crate::error::{ApiError, ApiResult};
use crate::ids::{ClientId, ClientName, UserPoolId};
use crate::random::{string_from, LOWER_ALNUM};
use crate::secret::Secret;
use crate::store::StoreError;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// CreateUserPoolClient's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolClientInput {
    user_pool_id: UserPoolId,
    client_name: ClientName,
    generate_secret: Option<bool>,
    #[serde(flatten)]
    settings: ClientSettingsInput,
}

/// The secret a new client gets: the one sent, a generated one, or none.
fn new_secret(
    app: &App,
    generate: bool,
    sent: Option<&Value>,
) -> ApiResult<Option<Secret<String>>> {
    match (generate, sent.and_then(Value::as_str)) {
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
            Ok(Some(Secret::new(s.to_string())))
        }
        (true, None) => Ok(Some(Secret::new(string_from(
            app.random.as_ref(),
            LOWER_ALNUM,
            51,
        )))),
        (false, None) => Ok(None),
    }
}

/// Each scope that is not a standard one must be one a resource server of the pool defines
/// (Cognito: ScopeDoesNotExistException).
async fn custom_scopes_exist(app: &App, pool_id: &str, scopes: &[String]) -> ApiResult<()> {
    let custom = scopes
        .iter()
        .filter(|s| !STANDARD_SCOPES.contains(&s.as_str()));
    for scope in custom {
        if !super::resource_servers::scope_exists(app, pool_id, scope).await? {
            return Err(ApiError::new(
                crate::error::ErrorKind::ScopeDoesNotExist,
                format!("Invalid scope requested: {scope}"),
            ));
        }
    }
    Ok(())
}

/// CreateUserPoolClient.
pub async fn create_user_pool_client(
    app: &App,
    input: CreateUserPoolClientInput,
) -> ApiResult<UserPoolClientOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let secret = new_secret(
        app,
        input.generate_secret.unwrap_or(false),
        input.settings.other("ClientSecret"),
    )?;
    let settings = client_settings(&pool, input.settings, secret.is_some())?;
    custom_scopes_exist(app, &pool.id, settings.oauth_scopes()).await?;
    supported_providers_exist(app, &pool.id, settings.identity_providers()).await?;
    let now = app.clock.now_millis();
    let client = settings.into_client(
        pool.id.clone(),
        string_from(app.random.as_ref(), LOWER_ALNUM, 26),
        input.client_name.as_str().to_string(),
        secret,
        now,
    );
    app.store.create_client(&client).await?;
    Ok(UserPoolClientOutput {
        user_pool_client: UserPoolClientType::from(&client),
    })
}

/// UpdateUserPoolClient's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserPoolClientInput {
    user_pool_id: UserPoolId,
    client_id: ClientId,
    client_name: Option<ClientName>,
    #[serde(flatten)]
    settings: ClientSettingsInput,
}

/// UpdateUserPoolClient. As in Cognito, every setting not sent goes back to its default;
/// the name (when not sent), the secret and the creation date are kept.
pub async fn update_user_pool_client(
    app: &App,
    input: UpdateUserPoolClientInput,
) -> ApiResult<UserPoolClientOutput> {
    let pool: Arc<UserPool> = load_pool(app, input.user_pool_id.as_str()).await?;
    let current = load_pool_client(app, &pool.id, input.client_id.as_str()).await?;
    let settings = client_settings(&pool, input.settings, current.secret.is_some())?;
    custom_scopes_exist(app, &pool.id, settings.oauth_scopes()).await?;
    supported_providers_exist(app, &pool.id, settings.identity_providers()).await?;
    let mut client = current.as_ref().clone();
    if let Some(name) = input.client_name {
        client.client_name = name.as_str().to_string();
    }
    settings.apply_to(&mut client);
    client.modified_ms = app.clock.now_millis();
    let written = app.store.update_client(&client).await;
    app.configs.forget_client(&client.client_id);
    match written {
        Err(StoreError::Conflict) => Err(ApiError::client_not_found(&client.client_id)),
        other => other.map_err(ApiError::from),
    }?;
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
