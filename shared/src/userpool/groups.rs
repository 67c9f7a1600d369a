//! Groups: CreateGroup, GetGroup, UpdateGroup, ListGroups, DeleteGroup, AdminAddUserToGroup,
//! AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup.

use super::directory::load_user;
use super::model::{Group, User, UserPool};
use super::pools::{decode_token, encode_token, load_pool};
use super::shapes::{Empty, GroupType, ListGroupsOutput, ListUsersInGroupOutput, UserType};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{UserPoolId, Username};
use crate::store::StoreError;
use crate::App;
use serde::{Deserialize, Serialize};

/// CreateGroup's, GetGroup's and UpdateGroup's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupOutput {
    /// The group.
    pub group: GroupType,
}

fn group_output(g: &Group) -> GroupOutput {
    GroupOutput {
        group: GroupType::from(g),
    }
}

fn not_found() -> ApiError {
    ApiError::new(ErrorKind::ResourceNotFound, "Group not found.")
}

fn check_name(name: &str) -> ApiResult<()> {
    crate::ids::Username::parse(name.to_string())
        .map(|_| ())
        .map_err(|_| {
            ApiError::constraint(
                "groupName",
                "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
            )
        })
}

fn check_fields(description: &Option<String>, precedence: Option<i64>) -> ApiResult<()> {
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 2048)
    {
        return Err(ApiError::constraint(
            "description",
            "Member must have length less than or equal to 2048",
        ));
    }
    if precedence.is_some_and(|p| p < 0) {
        return Err(ApiError::constraint(
            "precedence",
            "Member must have value greater than or equal to 0",
        ));
    }
    Ok(())
}

/// CreateGroup / UpdateGroup's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupInput {
    group_name: String,
    user_pool_id: UserPoolId,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
}

/// CreateGroup.
pub async fn create_group(app: &App, input: GroupInput) -> ApiResult<GroupOutput> {
    check_name(&input.group_name)?;
    check_fields(&input.description, input.precedence)?;
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let now = app.clock.now_millis();
    let group = Group {
        pool_id: pool.id.clone(),
        name: input.group_name,
        description: input.description,
        role_arn: input.role_arn,
        precedence: input.precedence,
        created_ms: now,
        modified_ms: now,
    };
    app.store.create_group(&group).await.map_err(|e| match e {
        StoreError::Conflict => ApiError::new(
            ErrorKind::GroupExists,
            format!("A group with the name {} already exists.", group.name),
        ),
        other => other.into(),
    })?;
    Ok(group_output(&group))
}

/// GetGroup / DeleteGroup's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupNameInput {
    group_name: String,
    user_pool_id: UserPoolId,
}

async fn load_group(app: &App, pool: &UserPool, name: &str) -> ApiResult<Group> {
    app.store
        .get_group(&pool.id, name)
        .await?
        .ok_or_else(not_found)
}

/// GetGroup.
pub async fn get_group(app: &App, input: GroupNameInput) -> ApiResult<GroupOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let g = load_group(app, &pool, &input.group_name).await?;
    Ok(group_output(&g))
}

/// UpdateGroup: only the members sent change.
pub async fn update_group(app: &App, input: GroupInput) -> ApiResult<GroupOutput> {
    check_fields(&input.description, input.precedence)?;
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let mut g = load_group(app, &pool, &input.group_name).await?;
    if input.description.is_some() {
        g.description = input.description;
    }
    if input.role_arn.is_some() {
        g.role_arn = input.role_arn;
    }
    if input.precedence.is_some() {
        g.precedence = input.precedence;
    }
    g.modified_ms = app.clock.now_millis();
    app.store.update_group(&g).await.map_err(|e| match e {
        StoreError::Conflict => not_found(),
        other => other.into(),
    })?;
    Ok(group_output(&g))
}

/// DeleteGroup: members leave it first, so no user keeps a dangling group name.
pub async fn delete_group(app: &App, input: GroupNameInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let g = load_group(app, &pool, &input.group_name).await?;
    loop {
        let page = app.store.list_members(&pool.id, &g.name, None, 60).await?;
        if page.items.is_empty() {
            break;
        }
        for user in page.items {
            set_membership(app, user, &g.name, false).await?;
        }
    }
    app.store.delete_group(&pool.id, &g.name).await?;
    Ok(Empty {})
}

/// Adds or removes a membership with the user's version check, retrying lost races; the user
/// as stored after.
pub async fn set_membership(
    app: &App,
    mut user: User,
    group: &str,
    member: bool,
) -> ApiResult<User> {
    for _ in 0..5 {
        if user.groups.iter().any(|g| g == group) == member {
            return Ok(user);
        }
        if member {
            user.groups.push(group.to_string());
            user.groups.sort();
        } else {
            user.groups.retain(|g| g != group);
        }
        user.version += 1;
        user.modified_ms = app.clock.now_millis();
        match app.store.set_membership(&user, group, member).await {
            Ok(()) => return Ok(user),
            Err(StoreError::Conflict) => {
                user = app
                    .store
                    .get_user(&user.pool_id, &user.username_key)
                    .await?
                    .ok_or_else(ApiError::user_not_found)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal(&crate::Error::Store(
        "membership update kept conflicting".into(),
    )))
}

/// AdminAddUserToGroup / AdminRemoveUserFromGroup's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MembershipInput {
    user_pool_id: UserPoolId,
    username: Username,
    group_name: String,
}

async fn membership(app: &App, input: MembershipInput, member: bool) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let g = load_group(app, &pool, &input.group_name).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    set_membership(app, user, &g.name, member).await?;
    Ok(Empty {})
}

/// AdminAddUserToGroup.
pub async fn admin_add_user_to_group(app: &App, input: MembershipInput) -> ApiResult<Empty> {
    membership(app, input, true).await
}

/// AdminRemoveUserFromGroup.
pub async fn admin_remove_user_from_group(app: &App, input: MembershipInput) -> ApiResult<Empty> {
    membership(app, input, false).await
}

fn limit(v: Option<i64>) -> ApiResult<usize> {
    match v {
        None | Some(0) => Ok(60),
        Some(n) if (1..=60).contains(&n) => Ok(n as usize),
        Some(_) => Err(ApiError::constraint(
            "limit",
            "Member must have value less than or equal to 60",
        )),
    }
}

/// ListGroups' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGroupsInput {
    user_pool_id: UserPoolId,
    limit: Option<i64>,
    next_token: Option<String>,
}

/// ListGroups.
pub async fn list_groups(app: &App, input: ListGroupsInput) -> ApiResult<ListGroupsOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let after = decode_token(input.next_token.as_deref())?;
    let page = app
        .store
        .list_groups(&pool.id, after.as_deref(), limit(input.limit)?)
        .await?;
    Ok(ListGroupsOutput {
        groups: page.items.iter().map(GroupType::from).collect(),
        next_token: page.next.as_deref().map(encode_token),
    })
}

/// AdminListGroupsForUser's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGroupsForUserInput {
    username: Username,
    user_pool_id: UserPoolId,
    limit: Option<i64>,
    next_token: Option<String>,
}

/// AdminListGroupsForUser: from the user's record, in name order.
pub async fn admin_list_groups_for_user(
    app: &App,
    input: ListGroupsForUserInput,
) -> ApiResult<ListGroupsOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let user = load_user(app, &pool, input.username.as_str()).await?;
    let after = decode_token(input.next_token.as_deref())?.unwrap_or_default();
    let limit = limit(input.limit)?;
    let names: Vec<&String> = user
        .groups
        .iter()
        .filter(|g| g.as_str() > after.as_str())
        .collect();
    let mut groups = Vec::new();
    for name in names.iter().take(limit) {
        if let Some(g) = app.store.get_group(&pool.id, name).await? {
            groups.push(GroupType::from(&g));
        }
    }
    Ok(ListGroupsOutput {
        groups,
        next_token: (names.len() > limit).then(|| encode_token(names[limit - 1])),
    })
}

/// ListUsersInGroup's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersInGroupInput {
    user_pool_id: UserPoolId,
    group_name: String,
    limit: Option<i64>,
    next_token: Option<String>,
}

/// ListUsersInGroup.
pub async fn list_users_in_group(
    app: &App,
    input: ListUsersInGroupInput,
) -> ApiResult<ListUsersInGroupOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let g = load_group(app, &pool, &input.group_name).await?;
    let after = decode_token(input.next_token.as_deref())?;
    let page = app
        .store
        .list_members(&pool.id, &g.name, after.as_deref(), limit(input.limit)?)
        .await?;
    Ok(ListUsersInGroupOutput {
        users: page.items.iter().map(|u| UserType::of(u, None)).collect(),
        next_token: page.next.as_deref().map(encode_token),
    })
}
