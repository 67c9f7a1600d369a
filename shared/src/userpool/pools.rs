//! Pool management: CreateUserPool, UpdateUserPool, DescribeUserPool, ListUserPools,
//! DeleteUserPool. The members both CreateUserPool and UpdateUserPool take are checked in
//! `pool_settings`.

use super::enums::check_enum_list;
use super::enums::{DeletionProtection, MfaConfiguration};
use super::keys::SigningKey;
use super::model::{PasswordPolicy, PoolKeys, UserPool, VerificationMessages};
use super::pool_settings::{pool_settings, PoolSettingsInput};
use super::pool_shapes::{UserPoolDescription, UserPoolType};
use super::schema::{self, SchemaInput};
use super::schema_changes;
use super::shapes::Empty;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{PoolName, UserPoolId};
use crate::random::{string_from, ALNUM};
use crate::store::StoreError;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::Map;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UsernameConfigurationInput {
    case_sensitive: bool,
}

/// CreateUserPool's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolInput {
    pool_name: PoolName,
    alias_attributes: Option<Vec<String>>,
    username_attributes: Option<Vec<String>>,
    schema: Option<Vec<SchemaInput>>,
    username_configuration: Option<UsernameConfigurationInput>,
    #[serde(flatten)]
    settings: PoolSettingsInput,
}

/// Builds a new pool record (with fresh keys) from a CreateUserPool request.
pub fn new_pool(app: &App, input: CreateUserPoolInput) -> ApiResult<UserPool> {
    let settings = pool_settings(input.settings)?;
    let alias = input.alias_attributes.unwrap_or_default();
    check_enum_list(
        "aliasAttributes",
        &alias,
        &["phone_number", "email", "preferred_username"],
    )?;
    let username_attrs = input.username_attributes.unwrap_or_default();
    check_enum_list(
        "usernameAttributes",
        &username_attrs,
        &["phone_number", "email"],
    )?;
    if !alias.is_empty() && !username_attrs.is_empty() {
        return Err(ApiError::invalid(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    let now = app.clock.now_millis();
    let id = format!(
        "{}_{}",
        app.settings.region,
        string_from(app.random.as_ref(), ALNUM, 9)
    );
    let (id_key, access_key) = (SigningKey::generate()?, SigningKey::generate()?);
    let mut pool = UserPool {
        arn: format!(
            "arn:aws:cognito-idp:{}:{}:userpool/{id}",
            app.settings.region, app.settings.account_id
        ),
        id,
        name: input.pool_name.as_str().to_string(),
        created_ms: now,
        modified_ms: now,
        password_policy: PasswordPolicy::default(),
        username_attributes: username_attrs,
        alias_attributes: alias,
        auto_verified_attributes: Vec::new(),
        schema: schema::build(&input.schema.unwrap_or_default())?,
        // The API documents CaseSensitive=true as the default when the member is omitted.
        username_case_sensitive: input
            .username_configuration
            .is_none_or(|c| c.case_sensitive),
        mfa_configuration: MfaConfiguration::Off,
        deletion_protection: DeletionProtection::Inactive,
        lambda_config: None,
        messages: VerificationMessages {
            email_message: String::new(),
            email_subject: String::new(),
            sms_message: String::new(),
        },
        passthrough: Map::new(),
        keys: PoolKeys {
            id: id_key.to_stored()?,
            access: access_key.to_stored()?,
        },
        first_auth_factors: Vec::new(),
        saml_signing: None,
        version: 0,
    };
    settings.apply_to(&mut pool);
    Ok(pool)
}

/// UpdateUserPool's request: CreateUserPool's members but those fixed at creation, and the
/// `Schema` extension ([`super::schema_changes`]).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserPoolInput {
    user_pool_id: UserPoolId,
    pool_name: Option<PoolName>,
    schema: Option<Vec<SchemaInput>>,
    #[serde(flatten)]
    settings: PoolSettingsInput,
}

/// UpdateUserPool. As in Cognito, every member not sent goes back to its default; the name
/// (when not sent), the id, sign-in attributes and keys are kept, and so is the schema unless
/// the `Schema` extension changes custom attributes. A request with `Schema` and no other
/// setting changes the schema alone.
pub async fn update_user_pool(app: &App, input: UpdateUserPoolInput) -> ApiResult<Empty> {
    let changes = input.schema.unwrap_or_default();
    let schema_only = !changes.is_empty() && input.settings.is_empty();
    let settings = (!schema_only)
        .then(|| pool_settings(input.settings))
        .transpose()?;
    let id = input.user_pool_id.as_str();
    if !changes.is_empty() {
        let pool = load_pool(app, id).await?;
        let schema = schema_changes::changed_schema(&pool, &changes)?;
        schema_changes::check_users(app, &pool, &schema).await?;
    }
    modify_pool(app, id, |pool| {
        if !changes.is_empty() {
            pool.schema = schema_changes::changed_schema(pool, &changes)?;
        }
        if let Some(name) = &input.pool_name {
            pool.name = name.as_str().to_string();
        }
        if let Some(settings) = &settings {
            settings.clone().apply_to(pool);
        }
        Ok(Empty {})
    })
    .await
}

/// Times [`modify_pool`] tries to write before it gives up.
const MODIFY_ATTEMPTS: u64 = 12;

/// Changes a pool: runs `change` on the stored record and writes the result only over the
/// version it read. When another change got there first, it reads the pool again (from the
/// store, not the cache) and runs `change` once more, so no change is lost to a concurrent one
/// on any instance (after a short random pause); after [`MODIFY_ATTEMPTS`] tries it answers
/// ConcurrentModificationException.
/// Every pool write goes through here.
pub async fn modify_pool<T>(
    app: &App,
    pool_id: &str,
    mut change: impl FnMut(&mut UserPool) -> ApiResult<T>,
) -> ApiResult<T> {
    let mut current = load_pool(app, pool_id).await?;
    for attempt in 1..=MODIFY_ATTEMPTS {
        let mut pool = current.as_ref().clone();
        let out = change(&mut pool)?;
        pool.version = current.version + 1;
        pool.modified_ms = app.clock.now_millis();
        let written = app.store.update_pool(&pool, current.version).await;
        app.configs.forget_pool(pool_id);
        match written {
            Ok(()) => return Ok(out),
            Err(StoreError::Conflict) => {
                // A random pause that grows with each try, so racing writers spread out.
                let pause = rand::random::<u64>() % (10 * attempt);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                current = app
                    .store
                    .get_pool(pool_id)
                    .await?
                    .map(Arc::new)
                    .ok_or_else(|| ApiError::pool_not_found(pool_id))?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(
        ErrorKind::ConcurrentModification,
        "The user pool was changed by another request at the same time. Try again.",
    ))
}

/// CreateUserPool's and DescribeUserPool's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolOutput {
    /// The pool.
    pub user_pool: UserPoolType,
}

/// CreateUserPool.
pub async fn create_user_pool(app: &App, input: CreateUserPoolInput) -> ApiResult<UserPoolOutput> {
    let pool = new_pool(app, input)?;
    app.store.create_pool(&pool).await?;
    Ok(UserPoolOutput {
        user_pool: UserPoolType::of(&pool, 0),
    })
}

/// A pool by id, or ResourceNotFoundException.
pub async fn load_pool(app: &App, pool_id: &str) -> ApiResult<Arc<UserPool>> {
    app.configs
        .pool(app.store.as_ref(), pool_id)
        .await?
        .ok_or_else(|| ApiError::pool_not_found(pool_id))
}

/// DescribeUserPool's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolIdInput {
    user_pool_id: UserPoolId,
}

impl PoolIdInput {
    /// The pool's id.
    pub fn pool_id(&self) -> &str {
        self.user_pool_id.as_str()
    }
}

/// DescribeUserPool.
pub async fn describe_user_pool(app: &App, input: PoolIdInput) -> ApiResult<UserPoolOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let users = app.store.count_users(&pool.id).await?;
    let mut user_pool = UserPoolType::of(&pool, users);
    (user_pool.domain, user_pool.custom_domain) = domain_names(app, &pool.id).await?;
    Ok(UserPoolOutput { user_pool })
}

/// A pool's prefix and custom domain names (DescribeUserPool's `Domain`, `CustomDomain`).
async fn domain_names(app: &App, pool_id: &str) -> ApiResult<(Option<String>, Option<String>)> {
    let mut names = (None, None);
    for d in app.store.pool_domains(pool_id).await? {
        match d.kind {
            super::model::DomainKind::Prefix => names.0 = Some(d.domain),
            super::model::DomainKind::Custom => names.1 = Some(d.domain),
        }
    }
    Ok(names)
}

/// DeleteUserPool.
pub async fn delete_user_pool(app: &App, input: PoolIdInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    if pool.deletion_protection == DeletionProtection::Active {
        return Err(ApiError::invalid(
            "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
        ));
    }
    if !app.store.pool_domains(&pool.id).await?.is_empty() {
        return Err(ApiError::invalid(
            "User pool cannot be deleted. It has a domain configured that should be deleted first.",
        ));
    }
    app.store.delete_pool(&pool.id).await?;
    app.forget_signers(&pool.id);
    app.configs.forget_pool(&pool.id);
    Ok(Empty {})
}

/// ListUserPools' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolsInput {
    max_results: i64,
    next_token: Option<String>,
}

/// Checks a page size member (1..=60).
pub fn page_size(member: &str, v: Option<i64>, default: i64) -> ApiResult<usize> {
    let v = v.unwrap_or(default);
    if !(1..=60).contains(&v) {
        return Err(ApiError::constraint(
            member,
            "Member must have value less than or equal to 60 and greater than or equal to 1",
        ));
    }
    Ok(v as usize)
}

/// Decodes a pagination token made by [`encode_token`].
/// Anything else (garbage, or a position without the mark) is refused rather than read as
/// the first page or as a position nobody was given.
pub fn decode_token(token: Option<&str>) -> ApiResult<Option<String>> {
    use base64::Engine;
    token
        .map(|t| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.strip_prefix(TOKEN_MARK).map(str::to_string))
                .ok_or_else(|| {
                    ApiError::new(ErrorKind::InvalidParameter, "Invalid pagination token.")
                })
        })
        .transpose()
}

/// What every pagination token starts with (inside its base64).
const TOKEN_MARK: &str = "latchkey-page:";

/// An opaque pagination token for a listing position.
pub fn encode_token(position: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{TOKEN_MARK}{position}"))
}

/// ListUserPools' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolsOutput {
    /// This page.
    pub user_pools: Vec<UserPoolDescription>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// ListUserPools.
pub async fn list_user_pools(
    app: &App,
    input: ListUserPoolsInput,
) -> ApiResult<ListUserPoolsOutput> {
    let limit = page_size("maxResults", Some(input.max_results), 60)?;
    let after = decode_token(input.next_token.as_deref())?;
    let page = app.store.list_pools(after.as_deref(), limit).await?;
    Ok(ListUserPoolsOutput {
        user_pools: page.items.iter().map(UserPoolDescription::from).collect(),
        next_token: page.next.as_deref().map(encode_token),
    })
}
