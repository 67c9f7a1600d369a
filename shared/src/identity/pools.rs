//! Identity-pool management: CreateIdentityPool, DescribeIdentityPool, UpdateIdentityPool,
//! DeleteIdentityPool, ListIdentityPools, SetIdentityPoolRoles, GetIdentityPoolRoles,
//! SetPrincipalTagAttributeMap, GetPrincipalTagAttributeMap.

use super::model::{CognitoProvider, IdentityPool, PrincipalTagMap};
use super::rules::{AmbiguousRoleResolution, MappingKind, MappingRule, RoleMapping, MAX_RULES};
use super::shapes::{IdentityPoolShortDescription, IdentityPoolType, PrincipalTagMapOutput};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::userpool::pools::{decode_token, encode_token, page_size};
use crate::userpool::shapes::Empty;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// ResourceNotFoundException for an identity pool.
pub fn pool_not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::ResourceNotFound,
        format!("IdentityPool '{id}' not found."),
    )
}

/// An identity pool that must exist.
pub async fn load(app: &App, id: &str) -> ApiResult<IdentityPool> {
    app.store
        .get_identity_pool(id)
        .await?
        .ok_or_else(|| pool_not_found(id))
}

/// Checks an identity or identity-pool id (`[\w-]+:[0-9a-f-]+`, at most 55) for `member`.
pub fn check_id(member: &str, id: &str) -> ApiResult<()> {
    let ok = id.len() <= 55
        && id.split_once(':').is_some_and(|(r, u)| {
            !r.is_empty()
                && r.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !u.is_empty()
                && u.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::constraint(
            member,
            "Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
        ))
    }
}

fn check_pool_id(id: &str) -> ApiResult<()> {
    check_id("identityPoolId", id)
}

/// Create/UpdateIdentityPool's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolInput {
    identity_pool_id: Option<String>,
    identity_pool_name: String,
    allow_unauthenticated_identities: bool,
    allow_classic_flow: Option<bool>,
    supported_login_providers: Option<BTreeMap<String, String>>,
    developer_provider_name: Option<String>,
    #[serde(rename = "OpenIdConnectProviderARNs")]
    open_id_connect_provider_arns: Option<Vec<String>>,
    cognito_identity_providers: Option<Vec<CognitoProvider>>,
    #[serde(rename = "SamlProviderARNs")]
    saml_provider_arns: Option<Vec<String>>,
    identity_pool_tags: Option<Map<String, Value>>,
}

fn check_name(name: &str) -> ApiResult<()> {
    let ok = (1..=128).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ' ');
    if ok {
        Ok(())
    } else {
        Err(ApiError::constraint(
            "identityPoolName",
            "Member must satisfy regular expression pattern: [\\w ]+",
        ))
    }
}

fn apply(pool: &mut IdentityPool, input: PoolInput) -> ApiResult<()> {
    check_name(&input.identity_pool_name)?;
    pool.name = input.identity_pool_name;
    pool.allow_unauthenticated = input.allow_unauthenticated_identities;
    pool.allow_classic_flow = input.allow_classic_flow;
    pool.supported_login_providers = input.supported_login_providers.unwrap_or_default();
    pool.developer_provider_name = input.developer_provider_name;
    pool.openid_connect_provider_arns = input.open_id_connect_provider_arns.unwrap_or_default();
    pool.cognito_identity_providers = input.cognito_identity_providers.unwrap_or_default();
    pool.saml_provider_arns = input.saml_provider_arns.unwrap_or_default();
    if let Some(tags) = input.identity_pool_tags {
        pool.tags = tags;
    }
    Ok(())
}

/// CreateIdentityPool.
pub async fn create_identity_pool(app: &App, input: PoolInput) -> ApiResult<IdentityPoolType> {
    let id = format!(
        "{}:{}",
        app.settings.region,
        crate::random::uuid_v4(app.random.as_ref())
    );
    let mut pool = IdentityPool {
        id,
        name: String::new(),
        allow_unauthenticated: false,
        allow_classic_flow: None,
        supported_login_providers: BTreeMap::new(),
        developer_provider_name: None,
        openid_connect_provider_arns: Vec::new(),
        cognito_identity_providers: Vec::new(),
        saml_provider_arns: Vec::new(),
        tags: Map::new(),
        authenticated_role: None,
        unauthenticated_role: None,
        role_mappings: Map::new(),
        principal_tags: BTreeMap::new(),
        created_ms: app.clock.now_millis(),
    };
    apply(&mut pool, input)?;
    app.store.create_identity_pool(&pool).await?;
    Ok(IdentityPoolType::from(&pool))
}

/// UpdateIdentityPool: replaces the settable members (roles are kept).
pub async fn update_identity_pool(app: &App, input: PoolInput) -> ApiResult<IdentityPoolType> {
    let id = input
        .identity_pool_id
        .clone()
        .ok_or_else(|| ApiError::missing_member("identityPoolId"))?;
    check_pool_id(&id)?;
    let mut pool = load(app, &id).await?;
    apply(&mut pool, input)?;
    app.store
        .update_identity_pool(&pool)
        .await
        .map_err(|_| pool_not_found(&id))?;
    Ok(IdentityPoolType::from(&pool))
}

/// The requests naming only a pool.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolIdInput {
    identity_pool_id: String,
}

/// DescribeIdentityPool.
pub async fn describe_identity_pool(app: &App, input: PoolIdInput) -> ApiResult<IdentityPoolType> {
    check_pool_id(&input.identity_pool_id)?;
    Ok(IdentityPoolType::from(
        &load(app, &input.identity_pool_id).await?,
    ))
}

/// DeleteIdentityPool.
pub async fn delete_identity_pool(app: &App, input: PoolIdInput) -> ApiResult<Empty> {
    check_pool_id(&input.identity_pool_id)?;
    if !app
        .store
        .delete_identity_pool(&input.identity_pool_id)
        .await?
    {
        return Err(pool_not_found(&input.identity_pool_id));
    }
    Ok(Empty {})
}

/// ListIdentityPools' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInput {
    max_results: i64,
    next_token: Option<String>,
}

/// ListIdentityPools' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListIdentityPoolsOutput {
    /// This page.
    pub identity_pools: Vec<IdentityPoolShortDescription>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// ListIdentityPools.
pub async fn list_identity_pools(
    app: &App,
    input: ListInput,
) -> ApiResult<ListIdentityPoolsOutput> {
    let limit = page_size("maxResults", Some(input.max_results), 60)?;
    let after = decode_token(input.next_token.as_deref())?;
    let page = app
        .store
        .list_identity_pools(after.as_deref(), limit)
        .await?;
    let identity_pools = page
        .items
        .iter()
        .map(|p| IdentityPoolShortDescription {
            identity_pool_id: p.id.clone(),
            identity_pool_name: p.name.clone(),
        })
        .collect();
    Ok(ListIdentityPoolsOutput {
        identity_pools,
        next_token: page.next.as_deref().map(encode_token),
    })
}

/// Parses one wire `RoleMapping`, enforcing Cognito's limits.
pub fn parse_mapping(v: &Value) -> ApiResult<RoleMapping> {
    let bad = |m: &str| ApiError::invalid(m.to_string());
    let ambiguous = match v["AmbiguousRoleResolution"].as_str() {
        Some("AuthenticatedRole") => AmbiguousRoleResolution::AuthenticatedRole,
        Some("Deny") => AmbiguousRoleResolution::Deny,
        _ => {
            return Err(bad(
                "AmbiguousRoleResolution must be AuthenticatedRole or Deny.",
            ))
        }
    };
    let kind = match v["Type"].as_str() {
        Some("Token") => MappingKind::Token,
        Some("Rules") => {
            let rules: Vec<MappingRule> = serde_json::from_value(v["RulesConfiguration"]["Rules"].clone())
                .map_err(|_| bad("RulesConfiguration.Rules must be a list of {Claim, MatchType, Value, RoleARN}."))?;
            if rules.is_empty() || rules.len() > MAX_RULES {
                return Err(bad("RulesConfiguration.Rules must have 1 to 25 rules."));
            }
            if rules
                .iter()
                .any(|r| r.claim.is_empty() || r.claim.len() > 64 || r.value.len() > 128)
            {
                return Err(bad(
                    "A rule's Claim must be 1..64 and Value at most 128 characters.",
                ));
            }
            MappingKind::Rules(rules)
        }
        _ => return Err(bad("RoleMapping Type must be Token or Rules.")),
    };
    Ok(RoleMapping { kind, ambiguous })
}

/// SetIdentityPoolRoles' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetRolesInput {
    identity_pool_id: String,
    roles: BTreeMap<String, String>,
    role_mappings: Option<Map<String, Value>>,
}

/// SetIdentityPoolRoles.
pub async fn set_identity_pool_roles(app: &App, input: SetRolesInput) -> ApiResult<Empty> {
    check_pool_id(&input.identity_pool_id)?;
    // The Roles keys (`(un)?authenticated`) were checked against the model before this.
    let mut pool = load(app, &input.identity_pool_id).await?;
    let mappings = input.role_mappings.unwrap_or_default();
    for m in mappings.values() {
        parse_mapping(m)?;
    }
    pool.authenticated_role = input.roles.get("authenticated").cloned();
    pool.unauthenticated_role = input.roles.get("unauthenticated").cloned();
    pool.role_mappings = mappings;
    app.store
        .update_identity_pool(&pool)
        .await
        .map_err(|_| pool_not_found(&pool.id))?;
    Ok(Empty {})
}

/// GetIdentityPoolRoles' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityPoolRolesOutput {
    /// The pool.
    pub identity_pool_id: String,
    /// `authenticated` / `unauthenticated` → role ARN, for the roles set.
    pub roles: BTreeMap<&'static str, String>,
    /// RoleMappings as set (absent when none).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub role_mappings: Map<String, Value>,
}

/// GetIdentityPoolRoles.
pub async fn get_identity_pool_roles(
    app: &App,
    input: PoolIdInput,
) -> ApiResult<IdentityPoolRolesOutput> {
    check_pool_id(&input.identity_pool_id)?;
    let pool = load(app, &input.identity_pool_id).await?;
    let roles = [
        ("authenticated", &pool.authenticated_role),
        ("unauthenticated", &pool.unauthenticated_role),
    ]
    .into_iter()
    .filter_map(|(k, r)| Some((k, r.clone()?)))
    .collect();
    Ok(IdentityPoolRolesOutput {
        identity_pool_id: pool.id,
        roles,
        role_mappings: pool.role_mappings,
    })
}

/// Set/GetPrincipalTagAttributeMap's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrincipalTagInput {
    identity_pool_id: String,
    identity_provider_name: String,
    use_defaults: Option<bool>,
    principal_tags: Option<BTreeMap<String, String>>,
}

/// SetPrincipalTagAttributeMap.
pub async fn set_principal_tag_attribute_map(
    app: &App,
    input: PrincipalTagInput,
) -> ApiResult<PrincipalTagMapOutput> {
    check_pool_id(&input.identity_pool_id)?;
    let mut pool = load(app, &input.identity_pool_id).await?;
    let tags = input.principal_tags.unwrap_or_default();
    if tags.len() > 50 {
        return Err(ApiError::constraint(
            "principalTags",
            "Member must have length less than or equal to 50",
        ));
    }
    let map = PrincipalTagMap {
        use_defaults: input.use_defaults.unwrap_or(tags.is_empty()),
        tags,
    };
    pool.principal_tags
        .insert(input.identity_provider_name.clone(), map.clone());
    app.store
        .update_identity_pool(&pool)
        .await
        .map_err(|_| pool_not_found(&pool.id))?;
    Ok(PrincipalTagMapOutput::of(
        &pool.id,
        &input.identity_provider_name,
        &map,
    ))
}

/// GetPrincipalTagAttributeMap.
pub async fn get_principal_tag_attribute_map(
    app: &App,
    input: PrincipalTagInput,
) -> ApiResult<PrincipalTagMapOutput> {
    check_pool_id(&input.identity_pool_id)?;
    let pool = load(app, &input.identity_pool_id).await?;
    let map = pool
        .principal_tags
        .get(&input.identity_provider_name)
        .cloned()
        .unwrap_or(PrincipalTagMap {
            use_defaults: true,
            tags: BTreeMap::new(),
        });
    Ok(PrincipalTagMapOutput::of(
        &pool.id,
        &input.identity_provider_name,
        &map,
    ))
}
