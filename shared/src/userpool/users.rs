//! Users: lookup by username or sign-in alias, versioned modification, and the read/delete
//! operations AdminGetUser, GetUser, AdminDeleteUser and ListUsers.

use super::filter::Filter;
use super::model::{AppClient, User, UserPool};
use super::pools::{decode_token, encode_token, load_pool};
use super::shapes::{attributes, AttributeType, Empty, MfaSettings, UserType};
use super::tokens::authorize_access;
use crate::clock::epoch_seconds;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{AccessToken, UserPoolId, Username};
use crate::store::StoreError;
use crate::App;
use serde::{Deserialize, Serialize};

/// The alias claim key of an attribute value (`email:a@b.c`), or None if not an alias here.
pub fn alias_key(pool: &UserPool, attr: &str, value: &str) -> String {
    let value = match attr {
        "email" => value.to_lowercase(),
        "preferred_username" => pool.username_key(value),
        _ => value.to_string(),
    };
    format!("{attr}:{value}")
}

/// Finds a user by username, then by the sign-in aliases the pool allows.
pub async fn find_user(app: &App, pool: &UserPool, name: &str) -> ApiResult<Option<User>> {
    if let Some(u) = app
        .store
        .get_user(&pool.id, &pool.username_key(name))
        .await?
    {
        return Ok(Some(u));
    }
    let sign_in_attrs = pool
        .username_attributes
        .iter()
        .chain(&pool.alias_attributes);
    for attr in sign_in_attrs {
        let fits = match attr.as_str() {
            "email" => name.contains('@'),
            "phone_number" => name.starts_with('+'),
            _ => true,
        };
        if fits {
            let key = alias_key(pool, attr, name);
            if let Some(u) = app.store.get_user_by_alias(&pool.id, &key).await? {
                return Ok(Some(u));
            }
        }
    }
    Ok(None)
}

/// A user that must exist (UserNotFoundException otherwise; Admin operations always say so).
pub async fn load_user(app: &App, pool: &UserPool, name: &str) -> ApiResult<User> {
    find_user(app, pool, name)
        .await?
        .ok_or_else(ApiError::user_not_found)
}

/// The alias keys a user holds: username attributes always, alias attributes when verified
/// (preferred_username needs no verification). Where preferred_username is an alias, the
/// username also holds its key among them, so one string can never be one user's username and
/// another's preferred_username: a sign-up with a taken preferred_username, or a
/// preferred_username set to another user's username, is refused by the same atomic claim.
pub fn aliases_for(pool: &UserPool, user: &User) -> Vec<String> {
    let verified = |attr: &str| user.is_verified(attr);
    let mut out = Vec::new();
    for attr in &pool.username_attributes {
        if let Some(v) = user.attributes.get(attr) {
            out.push(alias_key(pool, attr, v));
        }
    }
    for attr in &pool.alias_attributes {
        let claimable = attr == "preferred_username" || verified(attr);
        if let (true, Some(v)) = (claimable, user.attributes.get(attr)) {
            out.push(alias_key(pool, attr, v));
        }
    }
    if pool.alias_attributes.iter().any(|a| a == PREFERRED) {
        out.push(username_claim(pool, user));
    }
    out.sort_unstable();
    out.dedup();
    out
}

const PREFERRED: &str = "preferred_username";

/// The preferred_username alias key a user's own username holds.
fn username_claim(pool: &UserPool, user: &User) -> String {
    alias_key(pool, PREFERRED, &user.username)
}

/// Whether `alias` is the key `user`'s username holds (taken by being a username, not an
/// attribute: ForceAliasCreation cannot move it).
pub fn is_username_claim(pool: &UserPool, user: &User, alias: &str) -> bool {
    pool.alias_attributes.iter().any(|a| a == PREFERRED) && username_claim(pool, user) == alias
}

/// AliasExistsException for a taken alias key.
pub fn alias_exists(alias: &str) -> ApiError {
    let attr = alias.split(':').next().unwrap_or("email");
    ApiError::new(
        ErrorKind::AliasExists,
        format!("An account with the given {attr} already exists."),
    )
}

/// ForceAliasCreation: the other holders of `user`'s aliases lose them (their attribute
/// becomes unverified), so `user` can claim them.
pub async fn take_aliases(app: &App, pool: &UserPool, user: &User) -> ApiResult<()> {
    for alias in aliases_for(pool, user) {
        let Some(holder) = app.store.get_user_by_alias(&pool.id, &alias).await? else {
            continue;
        };
        if holder.username_key == user.username_key || is_username_claim(pool, &holder, &alias) {
            continue;
        }
        let attr = alias.split(':').next().unwrap_or_default().to_string();
        modify_user(app, pool, holder, |u| {
            if attr == "preferred_username" {
                u.attributes.remove(&attr);
            } else {
                u.attributes
                    .insert(format!("{attr}_verified"), "false".into());
            }
            Ok(())
        })
        .await?;
    }
    Ok(())
}

/// Tries of a versioned user update before it is reported as an internal fault.
const USER_UPDATE_ATTEMPTS: u32 = 10;

/// Applies `change` to the stored user with a version check, moving alias claims with it in
/// the same atomic write, and re-reading and retrying when a concurrent writer won, so no
/// update is lost and none is half-applied. This is the one path every user update takes.
pub async fn modify_user(
    app: &App,
    pool: &UserPool,
    user: User,
    change: impl Fn(&mut User) -> ApiResult<()>,
) -> ApiResult<User> {
    modify_user_if(app, pool, user, |u| change(u).map(|()| true)).await
}

/// [`modify_user`] for a change that may find nothing to do (it answers whether it changed
/// the user): then nothing is written, so writers racing to record the same fact (a burst of
/// reuses of one refresh token, each revoking its session) stop at the first re-read.
pub async fn modify_user_if(
    app: &App,
    pool: &UserPool,
    mut user: User,
    change: impl Fn(&mut User) -> ApiResult<bool>,
) -> ApiResult<User> {
    for attempt in 0..USER_UPDATE_ATTEMPTS {
        let before = aliases_for(pool, &user);
        if !change(&mut user)? {
            return Ok(user);
        }
        user.version += 1;
        user.modified_ms = app.clock.now_millis();
        let after = aliases_for(pool, &user);
        let claim: Vec<String> = after
            .iter()
            .filter(|a| !before.contains(a))
            .cloned()
            .collect();
        let release: Vec<String> = before
            .iter()
            .filter(|a| !after.contains(a))
            .cloned()
            .collect();
        match app
            .store
            .update_user_and_aliases(&user, &claim, &release)
            .await
        {
            Ok(()) => return Ok(user),
            Err(StoreError::Conflict) => {
                // Writers racing on one user (a burst of wrong passwords, each counting a
                // failure) pause a random, growing moment, so they stop colliding in lockstep
                // on a store where a round trip takes milliseconds.
                let cap_ms = 5u64 << attempt.min(7);
                let pause = rand::Rng::gen_range(&mut rand::thread_rng(), 0..=cap_ms);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                user = app
                    .store
                    .get_user(&user.pool_id, &user.username_key)
                    .await?
                    .ok_or_else(ApiError::user_not_found)?;
            }
            Err(StoreError::AliasTaken(alias)) => return Err(alias_exists(&alias)),
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal(&crate::Error::Store(
        "user update kept conflicting".into(),
    )))
}

fn readable_by(pool: &UserPool, client: &AppClient, name: &str) -> bool {
    client.can_read(name)
        && !pool
            .schema_attribute(name)
            .is_some_and(|a| a.developer_only_attribute)
}

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
        mfa: super::mfa::describe(&user),
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
        user_attributes: attributes(&ctx.user, |n| readable_by(&ctx.pool, &ctx.client, n)),
        mfa: super::mfa::describe(&ctx.user),
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
    let keep = move |u: &User| filter.as_ref().is_none_or(|f| f.matches(u, case_sensitive));
    let page = app
        .store
        .list_users(&pool.id, after.as_deref(), limit, &keep)
        .await?;
    let only = input.attributes_to_get.as_deref();
    Ok(ListUsersOutput {
        users: page.items.iter().map(|u| UserType::of(u, only)).collect(),
        pagination_token: page.next.as_deref().map(encode_token),
    })
}
