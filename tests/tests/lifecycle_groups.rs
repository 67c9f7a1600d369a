//! Groups through the AWS SDK: CreateGroup, GetGroup, UpdateGroup, ListGroups, DeleteGroup,
//! membership (AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
//! ListUsersInGroup) with their errors and Limit/NextToken pagination, and the group claims
//! read from the JWT payloads: `cognito:groups` in both tokens, `cognito:roles` and
//! `cognito:preferred_role` (lowest Precedence; a tie with different roles gives none) in the
//! ID token only.

use crate::common;
use crate::lifecycle_support;

use std::collections::BTreeSet;
use std::future::Future;

use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{AuthFlowType, GroupType, UserType};
use common::{assert_api_error, Harness};
use lifecycle_support::{admin_user, claims, set, string_set};
use serde_json::{Map, Value};

const READER: &str = "arn:aws:iam::123456789012:role/reader";
const WRITER: &str = "arn:aws:iam::123456789012:role/writer";
const AUDITOR: &str = "arn:aws:iam::123456789012:role/auditor";
const RNF: &str = "ResourceNotFoundException";
const NOT_FOUND: &str = "Group not found.";

type Claims = Map<String, Value>;

/// CreateGroup with optional role and precedence; panics on failure.
async fn group(h: &Harness, pool: &str, name: &str, role: Option<&str>, precedence: Option<i32>) {
    let req = h.idp.create_group().user_pool_id(pool).group_name(name);
    let req = req
        .set_role_arn(role.map(str::to_owned))
        .set_precedence(precedence);
    req.send()
        .await
        .unwrap_or_else(|e| panic!("CreateGroup {name}: {e:?}"));
}

async fn add(h: &Harness, pool: &str, user: &str, group: &str) {
    let req = h.idp.admin_add_user_to_group().user_pool_id(pool);
    let res = req.username(user).group_name(group).send().await;
    res.unwrap_or_else(|e| panic!("AdminAddUserToGroup {user} {group}: {e:?}"));
}

fn group_names(groups: &[GroupType]) -> Vec<String> {
    groups
        .iter()
        .filter_map(|g| g.group_name().map(str::to_owned))
        .collect()
}

fn usernames(users: &[UserType]) -> Vec<String> {
    users
        .iter()
        .filter_map(|u| u.username().map(str::to_owned))
        .collect()
}

/// Follows NextToken until it is absent; returns every name and the number of pages.
async fn paginate<F, Fut>(mut page: F) -> (Vec<String>, usize)
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = (Vec<String>, Option<String>)>,
{
    let (mut all, mut token, mut pages) = (Vec::new(), None, 0);
    loop {
        let (names, next) = page(token).await;
        assert!(names.len() <= 2, "Limit 2 respected: {names:?}");
        all.extend(names);
        pages += 1;
        match next {
            Some(next) => token = Some(next),
            None => return (all, pages),
        }
    }
}

async fn groups_of(h: &Harness, pool: &str, user: &str) -> BTreeSet<String> {
    let req = h.idp.admin_list_groups_for_user().user_pool_id(pool);
    let out = req
        .username(user)
        .send()
        .await
        .expect("AdminListGroupsForUser");
    group_names(out.groups()).into_iter().collect()
}

async fn members(h: &Harness, pool: &str, group: &str) -> BTreeSet<String> {
    let req = h.idp.list_users_in_group().user_pool_id(pool);
    let out = req
        .group_name(group)
        .send()
        .await
        .expect("ListUsersInGroup");
    usernames(out.users()).into_iter().collect()
}

/// ID- and access-token claims of a fresh USER_PASSWORD_AUTH sign-in.
async fn token_claims(h: &Harness, client: &str, user: &str) -> (Claims, Claims) {
    let result = h.sign_in(client, user).await;
    let id = claims(result.id_token().expect("IdToken"));
    (id, claims(result.access_token().expect("AccessToken")))
}

#[tokio::test]
async fn group_crud_and_its_errors() {
    let h = Harness::start().await;
    let pool = h.create_pool("group-pool").await;
    let req = h
        .idp
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins");
    let req = req
        .description("Administrators")
        .role_arn(WRITER)
        .precedence(3);
    let created = req.send().await.expect("CreateGroup");
    let g = created.group().expect("Group");
    assert_eq!(g.group_name(), Some("admins"));
    assert_eq!(g.user_pool_id(), Some(pool.as_str()));
    assert_eq!(g.description(), Some("Administrators"));
    assert_eq!((g.role_arn(), g.precedence()), (Some(WRITER), Some(3)));
    assert!(g.creation_date().is_some() && g.last_modified_date().is_some());

    let create = || {
        h.idp
            .create_group()
            .user_pool_id(&pool)
            .group_name("admins")
    };
    let text = "A group with the name admins already exists.";
    assert_api_error(create().send().await, "GroupExistsException", text);

    let update = || {
        h.idp
            .update_group()
            .user_pool_id(&pool)
            .group_name("admins")
    };
    let updated = update().description("Owners").precedence(1).send().await;
    let updated = updated.expect("UpdateGroup");
    let g = updated.group().expect("Group");
    assert_eq!((g.description(), g.precedence()), (Some("Owners"), Some(1)));
    let get = || h.idp.get_group().user_pool_id(&pool).group_name("admins");
    let got = get().send().await.expect("GetGroup");
    let g = got.group().expect("Group");
    assert_eq!((g.description(), g.precedence()), (Some("Owners"), Some(1)));
    assert_eq!(
        g.role_arn(),
        Some(WRITER),
        "members not sent stay unchanged"
    );

    group(&h, &pool, "staff", None, None).await;
    let listed = h.idp.list_groups().user_pool_id(&pool).send().await;
    let listed = listed.expect("ListGroups");
    let listed_names: BTreeSet<_> = group_names(listed.groups()).into_iter().collect();
    assert_eq!(listed_names, set(&["admins", "staff"]));
    assert_eq!(listed.next_token(), None);

    let delete = || {
        h.idp
            .delete_group()
            .user_pool_id(&pool)
            .group_name("admins")
    };
    delete().send().await.expect("DeleteGroup");
    assert_api_error(get().send().await, RNF, NOT_FOUND);
    assert_api_error(delete().send().await, RNF, NOT_FOUND);
    assert_api_error(update().precedence(2).send().await, RNF, NOT_FOUND);
    let other = h.idp.create_group().user_pool_id("us-east-1_nopool123");
    let text = "User pool us-east-1_nopool123 does not exist.";
    assert_api_error(other.group_name("x").send().await, RNF, text);
    h.shutdown().await;
}

#[tokio::test]
async fn membership_operations_and_their_errors() {
    let h = Harness::start().await;
    let (pool, _) = h.pool_and_client().await;
    admin_user(&h, &pool, "alice", &[]).await;
    admin_user(&h, &pool, "bob", &[]).await;
    group(&h, &pool, "g1", None, None).await;
    group(&h, &pool, "g2", None, None).await;
    add(&h, &pool, "alice", "g1").await;
    add(&h, &pool, "alice", "g2").await;
    add(&h, &pool, "alice", "g2").await; // adding twice is not an error
    add(&h, &pool, "bob", "g1").await;
    assert_eq!(groups_of(&h, &pool, "alice").await, set(&["g1", "g2"]));
    assert_eq!(groups_of(&h, &pool, "bob").await, set(&["g1"]));
    assert_eq!(members(&h, &pool, "g1").await, set(&["alice", "bob"]));
    assert_eq!(members(&h, &pool, "g2").await, set(&["alice"]));

    let remove = |user: &'static str, g: &'static str| {
        let req = h.idp.admin_remove_user_from_group().user_pool_id(&pool);
        req.username(user).group_name(g).send()
    };
    remove("alice", "g1")
        .await
        .expect("AdminRemoveUserFromGroup");
    remove("alice", "g1")
        .await
        .expect("removing a non-member is not an error");
    assert_eq!(groups_of(&h, &pool, "alice").await, set(&["g2"]));
    assert_eq!(members(&h, &pool, "g1").await, set(&["bob"]));

    let add_to = |user: &'static str, g: &'static str| {
        let req = h.idp.admin_add_user_to_group().user_pool_id(&pool);
        req.username(user).group_name(g).send()
    };
    assert_api_error(add_to("alice", "nope").await, RNF, NOT_FOUND);
    assert_api_error(remove("alice", "nope").await, RNF, NOT_FOUND);
    let in_nope = h.idp.list_users_in_group().user_pool_id(&pool);
    assert_api_error(in_nope.group_name("nope").send().await, RNF, NOT_FOUND);

    let (unf, text) = ("UserNotFoundException", "User does not exist.");
    assert_api_error(add_to("ghost", "g1").await, unf, text);
    assert_api_error(remove("ghost", "g1").await, unf, text);
    let listed = h.idp.admin_list_groups_for_user().user_pool_id(&pool);
    assert_api_error(listed.username("ghost").send().await, unf, text);
    h.shutdown().await;
}

#[tokio::test]
async fn group_listings_paginate_with_limit_and_next_token() {
    let h = Harness::start().await;
    let (pool, _) = h.pool_and_client().await;
    let names = ["g-a", "g-b", "g-c", "g-d", "g-e"];
    for name in names {
        group(&h, &pool, name, None, None).await;
    }
    let users = ["u1", "u2", "u3", "u4", "u5"];
    for user in users {
        admin_user(&h, &pool, user, &[]).await;
        add(&h, &pool, user, "g-a").await;
    }
    for name in &names[1..] {
        add(&h, &pool, "u1", name).await;
    }
    let unique = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();

    let (seen, pages) = paginate(|token| {
        let req = h.idp.list_groups().user_pool_id(&pool).limit(2);
        async move {
            let out = req.set_next_token(token).send().await.expect("ListGroups");
            (
                group_names(out.groups()),
                out.next_token().map(str::to_owned),
            )
        }
    })
    .await;
    assert_eq!((seen.len(), pages), (5, 3), "{seen:?}");
    assert_eq!(unique(&seen), set(&names));

    let (seen, pages) = paginate(|token| {
        let req = h
            .idp
            .list_users_in_group()
            .user_pool_id(&pool)
            .group_name("g-a");
        async move {
            let out = req.limit(2).set_next_token(token).send().await;
            let out = out.expect("ListUsersInGroup");
            (usernames(out.users()), out.next_token().map(str::to_owned))
        }
    })
    .await;
    assert_eq!((seen.len(), pages), (5, 3), "{seen:?}");
    assert_eq!(unique(&seen), set(&users));

    let (seen, pages) = paginate(|token| {
        let req = h
            .idp
            .admin_list_groups_for_user()
            .user_pool_id(&pool)
            .username("u1");
        async move {
            let out = req.limit(2).set_next_token(token).send().await;
            let out = out.expect("AdminListGroupsForUser");
            (
                group_names(out.groups()),
                out.next_token().map(str::to_owned),
            )
        }
    })
    .await;
    assert_eq!((seen.len(), pages), (5, 3), "{seen:?}");
    assert_eq!(unique(&seen), set(&names));
    h.shutdown().await;
}

#[tokio::test]
async fn tokens_carry_groups_roles_and_the_preferred_role() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    admin_user(&h, &pool, "carol", &[]).await;
    admin_user(&h, &pool, "dave", &[]).await;
    group(&h, &pool, "readers", Some(READER), Some(5)).await;
    group(&h, &pool, "writers", Some(WRITER), Some(1)).await;
    group(&h, &pool, "plain", None, None).await;
    for g in ["readers", "writers", "plain"] {
        add(&h, &pool, "carol", g).await;
    }

    let (id, access) = token_claims(&h, &client, "carol").await;
    let all = set(&["readers", "writers", "plain"]);
    assert_eq!(string_set(&id["cognito:groups"]), all);
    assert_eq!(string_set(&id["cognito:roles"]), set(&[READER, WRITER]));
    assert_eq!(
        id["cognito:preferred_role"], WRITER,
        "lowest Precedence wins"
    );
    assert_eq!(string_set(&access["cognito:groups"]), all);
    assert!(
        !access.contains_key("cognito:roles"),
        "roles are ID-token only"
    );
    assert!(!access.contains_key("cognito:preferred_role"));

    let (id, access) = token_claims(&h, &client, "dave").await;
    for key in ["cognito:groups", "cognito:roles", "cognito:preferred_role"] {
        assert!(!id.contains_key(key) && !access.contains_key(key), "{key}");
    }
    h.shutdown().await;
}

#[tokio::test]
async fn a_tie_at_the_best_precedence_with_different_roles_gives_no_preferred_role() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    admin_user(&h, &pool, "erin", &[]).await;
    admin_user(&h, &pool, "fred", &[]).await;
    group(&h, &pool, "a", Some(READER), Some(2)).await;
    group(&h, &pool, "b", Some(WRITER), Some(2)).await;
    group(&h, &pool, "c", Some(AUDITOR), Some(7)).await;
    group(&h, &pool, "same", Some(READER), Some(2)).await;
    for g in ["a", "b", "c"] {
        add(&h, &pool, "erin", g).await;
    }
    add(&h, &pool, "fred", "a").await;
    add(&h, &pool, "fred", "same").await;

    let session = h.sign_in(&client, "erin").await;
    let id = claims(session.id_token().expect("IdToken"));
    let roles = set(&[READER, WRITER, AUDITOR]);
    assert_eq!(string_set(&id["cognito:roles"]), roles);
    assert!(!id.contains_key("cognito:preferred_role"), "tie: {id:?}");

    let (id, _) = token_claims(&h, &client, "fred").await;
    let role = &id["cognito:preferred_role"];
    assert_eq!(role, READER, "a tie with the same role keeps that role");

    // Breaking the tie shows up in the next tokens, refreshes included.
    let update = h.idp.update_group().user_pool_id(&pool).group_name("c");
    update.precedence(1).send().await.expect("UpdateGroup");
    let refresh = session.refresh_token().expect("RefreshToken");
    let flow = AuthFlowType::RefreshTokenAuth;
    let refreshed = h.refresh(&client, flow, refresh).await.expect("refresh");
    let refreshed = refreshed.authentication_result.expect("tokens");
    let id = claims(refreshed.id_token().expect("IdToken"));
    assert_eq!(id["cognito:preferred_role"], AUDITOR);
    h.shutdown().await;
}

#[tokio::test]
async fn deleting_a_group_removes_it_from_members_and_their_tokens() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    admin_user(&h, &pool, "gina", &[]).await;
    group(&h, &pool, "g1", Some(READER), Some(1)).await;
    group(&h, &pool, "g2", Some(WRITER), Some(2)).await;
    add(&h, &pool, "gina", "g1").await;
    add(&h, &pool, "gina", "g2").await;
    let (id, _) = token_claims(&h, &client, "gina").await;
    assert_eq!(id["cognito:preferred_role"], READER);

    let delete = |name: &'static str| {
        let req = h.idp.delete_group().user_pool_id(&pool);
        req.group_name(name).send()
    };
    delete("g1").await.expect("DeleteGroup g1");
    assert_eq!(groups_of(&h, &pool, "gina").await, set(&["g2"]));
    let (id, access) = token_claims(&h, &client, "gina").await;
    assert_eq!(string_set(&id["cognito:groups"]), set(&["g2"]));
    assert_eq!(string_set(&access["cognito:groups"]), set(&["g2"]));
    assert_eq!(string_set(&id["cognito:roles"]), set(&[WRITER]));
    assert_eq!(id["cognito:preferred_role"], WRITER);

    delete("g2").await.expect("DeleteGroup g2");
    assert!(groups_of(&h, &pool, "gina").await.is_empty());
    let (id, access) = token_claims(&h, &client, "gina").await;
    for key in ["cognito:groups", "cognito:roles", "cognito:preferred_role"] {
        assert!(!id.contains_key(key) && !access.contains_key(key), "{key}");
    }
    h.shutdown().await;
}
