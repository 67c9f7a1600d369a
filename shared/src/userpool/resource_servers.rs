//! Resource servers: CreateResourceServer, DescribeResourceServer, ListResourceServers,
//! UpdateResourceServer, DeleteResourceServer, and [`scope_exists`], which the OAuth endpoints
//! ask about a custom scope (`<identifier>/<scope name>`).
//!
//! Lengths, patterns and the 100-scope limit are the model's (checked before these run).

use super::model::{ResourceScope, ResourceServer};
use super::pools::{decode_token, encode_token, load_pool};
use super::shapes::Empty;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::UserPoolId;
use crate::store::StoreError;
use crate::App;
use serde::{Deserialize, Serialize};

/// `ResourceServerScopeType`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScopeType {
    /// The scope's name.
    pub scope_name: String,
    /// Its description.
    pub scope_description: String,
}

/// `ResourceServerType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerType {
    /// The pool.
    pub user_pool_id: String,
    /// The identifier.
    pub identifier: String,
    /// The name.
    pub name: String,
    /// The custom scopes.
    pub scopes: Vec<ScopeType>,
}

impl From<&ResourceServer> for ResourceServerType {
    fn from(r: &ResourceServer) -> Self {
        Self {
            user_pool_id: r.pool_id.clone(),
            identifier: r.identifier.clone(),
            name: r.name.clone(),
            scopes: r
                .scopes
                .iter()
                .map(|s| ScopeType {
                    scope_name: s.name.clone(),
                    scope_description: s.description.clone(),
                })
                .collect(),
        }
    }
}

/// The reply of Create-, Describe- and UpdateResourceServer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerOutput {
    /// The resource server.
    pub resource_server: ResourceServerType,
}

fn output(r: &ResourceServer) -> ResourceServerOutput {
    ResourceServerOutput {
        resource_server: r.into(),
    }
}

fn not_found(identifier: &str) -> ApiError {
    ApiError::new(
        ErrorKind::ResourceNotFound,
        format!("Resource server {identifier} does not exist."),
    )
}

/// CreateResourceServer / UpdateResourceServer's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerInput {
    user_pool_id: UserPoolId,
    identifier: String,
    name: String,
    #[serde(default)]
    scopes: Vec<ScopeType>,
}

impl ResourceServerInput {
    fn into_record(self, pool_id: &str) -> ApiResult<ResourceServer> {
        let mut scopes: Vec<ResourceScope> = Vec::with_capacity(self.scopes.len());
        for s in self.scopes {
            if scopes.iter().any(|k| k.name == s.scope_name) {
                return Err(ApiError::invalid(format!(
                    "Duplicate scope name {} in resource server {}.",
                    s.scope_name, self.identifier
                )));
            }
            scopes.push(ResourceScope {
                name: s.scope_name,
                description: s.scope_description,
            });
        }
        Ok(ResourceServer {
            pool_id: pool_id.to_string(),
            identifier: self.identifier,
            name: self.name,
            scopes,
        })
    }
}

/// CreateResourceServer.
pub async fn create_resource_server(
    app: &App,
    input: ResourceServerInput,
) -> ApiResult<ResourceServerOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let server = input.into_record(&pool.id)?;
    app.store
        .create_resource_server(&server)
        .await
        .map_err(|e| match e {
            StoreError::Conflict => ApiError::invalid(format!(
                "{} already exists in user pool {}.",
                server.identifier, pool.id
            )),
            other => other.into(),
        })?;
    Ok(output(&server))
}

/// UpdateResourceServer: replaces the name and the whole scope list (scopes not sent are gone).
pub async fn update_resource_server(
    app: &App,
    input: ResourceServerInput,
) -> ApiResult<ResourceServerOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let server = input.into_record(&pool.id)?;
    app.store
        .update_resource_server(&server)
        .await
        .map_err(|e| match e {
            StoreError::Conflict => not_found(&server.identifier),
            other => other.into(),
        })?;
    Ok(output(&server))
}

/// DescribeResourceServer / DeleteResourceServer's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentifierInput {
    user_pool_id: UserPoolId,
    identifier: String,
}

/// DescribeResourceServer.
pub async fn describe_resource_server(
    app: &App,
    input: IdentifierInput,
) -> ApiResult<ResourceServerOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let server = app
        .store
        .get_resource_server(&pool.id, &input.identifier)
        .await?
        .ok_or_else(|| not_found(&input.identifier))?;
    Ok(output(&server))
}

/// DeleteResourceServer. App clients keep the scope names in their settings, as in Cognito;
/// a token request for them then fails as an unknown scope.
pub async fn delete_resource_server(app: &App, input: IdentifierInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    if !app
        .store
        .delete_resource_server(&pool.id, &input.identifier)
        .await?
    {
        return Err(not_found(&input.identifier));
    }
    Ok(Empty {})
}

/// ListResourceServers' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceServersInput {
    user_pool_id: UserPoolId,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListResourceServers' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceServersOutput {
    /// This page.
    pub resource_servers: Vec<ResourceServerType>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// The page size when MaxResults is absent (the model allows 1..=50).
const LIST_DEFAULT: i64 = 50;

/// ListResourceServers.
pub async fn list_resource_servers(
    app: &App,
    input: ListResourceServersInput,
) -> ApiResult<ListResourceServersOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let limit = crate::userpool::pools::page_size("maxResults", input.max_results, LIST_DEFAULT)?;
    let after = decode_token(input.next_token.as_deref())?;
    let page = app
        .store
        .list_resource_servers(&pool.id, after.as_deref(), limit)
        .await?;
    Ok(ListResourceServersOutput {
        resource_servers: page.items.iter().map(ResourceServerType::from).collect(),
        next_token: page.next.as_deref().map(encode_token),
    })
}

/// Splits a custom scope `<identifier>/<scope name>` (identifiers may hold `/`, scope names
/// may not, so the last `/` divides them).
pub fn split_custom_scope(scope: &str) -> Option<(&str, &str)> {
    scope
        .rsplit_once('/')
        .filter(|(id, name)| !id.is_empty() && !name.is_empty())
}

/// Whether `scope` is a custom scope (`<identifier>/<scope name>`) that a resource server of
/// the pool defines.
pub async fn scope_exists(app: &App, pool_id: &str, scope: &str) -> ApiResult<bool> {
    let Some((identifier, name)) = split_custom_scope(scope) else {
        return Ok(false);
    };
    Ok(app
        .store
        .get_resource_server(pool_id, identifier)
        .await?
        .is_some_and(|r| r.has_scope(name)))
}

#[cfg(test)]
mod tests {
    use super::split_custom_scope;

    #[test]
    fn custom_scopes_split_at_the_last_slash() {
        assert_eq!(
            split_custom_scope("https://api.example.com/read"),
            Some(("https://api.example.com", "read"))
        );
        assert_eq!(
            split_custom_scope("orders/write"),
            Some(("orders", "write"))
        );
        assert_eq!(split_custom_scope("openid"), None);
        assert_eq!(split_custom_scope("orders/"), None);
        assert_eq!(split_custom_scope("/read"), None);
    }
}
