//! Users: lookup by username or sign-in alias, versioned modification, and the read/delete
//! operations AdminGetUser, GetUser, AdminDeleteUser and ListUsers.

use super::access::authorize_access;
use super::directory::load_user;
use super::enums::AuthFactor;
use super::filter::Filter;
use super::model::User;
use super::pools::{decode_token, encode_token, load_pool};
use super::shapes::{attributes, AttributeType, Empty, MfaSettings, UserType};
use super::signin::user_auth::factors_of;
use crate::clock::epoch_seconds;
use crate::error::{ApiError, ApiResult};
use crate::ids::{AccessToken, UserPoolId, Username};
use crate::store::Page;
use crate::App;
use serde::{Deserialize, Serialize};

/// AdminGetUser/AdminDeleteUser/AdminConfirmSignUp's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserInput {
    /// Pool.
    pub user_pool_id: UserPoolId,
    /// Username or alias.
    pub username: Username,
}

/// AdminGetUser's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetUserOutput {
    /// The internal username.
    pub username: String,
    /// Every attribute.
    pub user_attributes: Vec<AttributeType>,
    /// Epoch seconds.
    pub user_create_date: f64,
    /// Epoch seconds.
    pub user_last_modified_date: f64,
    /// False after AdminDisableUser.
    pub enabled: bool,
    /// UNCONFIRMED, CONFIRMED, ...
    pub user_status: &'static str,
    /// MFA members, when set up.
    #[serde(flatten)]
    pub mfa: MfaSettings,
}

/// AdminGetUser.
pub async fn admin_get_user(app: &App, input: AdminUserInput) -> ApiResult<AdminGetUserOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    Ok(AdminGetUserOutput {
        user_attributes: attributes(&user, |_| true),
        user_create_date: epoch_seconds(user.created_ms),
        user_last_modified_date: epoch_seconds(user.modified_ms),
        enabled: user.enabled,
        user_status: user.status.as_str(),
        mfa: MfaSettings::of(&user),
        username: user.username,
    })
}

/// AdminDeleteUser.
pub async fn admin_delete_user(app: &App, input: AdminUserInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    app.store.delete_user(&pool.id, &user.username_key).await?;
    Ok(Empty {})
}

/// GetUser's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserInput {
    access_token: AccessToken,
}

/// GetUser's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserOutput {
    /// The internal username.
    pub username: String,
    /// The attributes the token's client may read.
    pub user_attributes: Vec<AttributeType>,
    /// MFA members, when set up.
    #[serde(flatten)]
    pub mfa: MfaSettings,
}

/// GetUser: the token's user, with the attributes its client may read.
pub async fn get_user(app: &App, input: GetUserInput) -> ApiResult<GetUserOutput> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    Ok(GetUserOutput {
        username: ctx.user.username.clone(),
        user_attributes: attributes(&ctx.user, |n| ctx.pool.readable_by(&ctx.client, n)),
        mfa: MfaSettings::of(&ctx.user),
    })
}

/// GetUserAuthFactors' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAuthFactorsOutput {
    /// The user's name.
    pub username: String,
    /// The MFA methods set up, and the preferred one.
    #[serde(flatten)]
    pub mfa: MfaSettings,
    /// The first factors the user can sign in with (USER_AUTH).
    pub configured_user_auth_factors: Vec<AuthFactor>,
}

/// GetUserAuthFactors: the token's user's MFA settings and sign-in factors.
pub async fn get_user_auth_factors(
    app: &App,
    input: GetUserInput,
) -> ApiResult<GetUserAuthFactorsOutput> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    Ok(GetUserAuthFactorsOutput {
        username: ctx.user.username.clone(),
        mfa: MfaSettings::of(&ctx.user),
        configured_user_auth_factors: factors_of(&ctx.pool, Some(&ctx.user)),
    })
}

/// ListUsers' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersInput {
    user_pool_id: UserPoolId,
    attributes_to_get: Option<Vec<String>>,
    limit: Option<i64>,
    pagination_token: Option<String>,
    filter: Option<String>,
}

/// ListUsers' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersOutput {
    /// This page.
    pub users: Vec<UserType>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}

/// ListUsers, with Filter (`=` and `^=`) and pagination.
pub async fn list_users(app: &App, input: ListUsersInput) -> ApiResult<ListUsersOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let limit = match input.limit {
        None | Some(0) => 60,
        Some(n) if (1..=60).contains(&n) => n as usize,
        Some(_) => {
            return Err(ApiError::constraint(
                "limit",
                "Member must have value less than or equal to 60",
            ))
        }
    };
    if let Some(attrs) = &input.attributes_to_get {
        if let Some(bad) = attrs
            .iter()
            .find(|a| *a != "sub" && pool.schema_attribute(a).is_none())
        {
            return Err(ApiError::invalid(format!(
                "One or more requested attributes do not exist: {bad}"
            )));
        }
    }
    let filter = Filter::parse(input.filter.as_deref().unwrap_or(""))?;
    let after = decode_token(input.pagination_token.as_deref())?;
    let case_sensitive = pool.username_case_sensitive;
    let exact = filter.as_ref().and_then(Filter::exact_username);
    let page = match exact {
        // One key lookup instead of a scan of the pool; its single page has no next token.
        Some(name) if after.is_none() => {
            let found = app
                .store
                .get_user(&pool.id, &pool.username_key(name))
                .await?;
            Page {
                items: found.into_iter().collect(),
                next: None,
            }
        }
        _ => {
            let keep = move |u: &User| filter.as_ref().is_none_or(|f| f.matches(u, case_sensitive));
            app.store
                .list_users(&pool.id, after.as_deref(), limit, &keep)
                .await?
        }
    };
    let only = input.attributes_to_get.as_deref();
    Ok(ListUsersOutput {
        users: page.items.iter().map(|u| UserType::of(u, only)).collect(),
        pagination_token: page.next.as_deref().map(encode_token),
    })
}
