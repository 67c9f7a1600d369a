//! The user directory: users found by username or sign-in alias, created with their alias
//! claims, and modified only through a versioned (conditional) write. Every operation and
//! sign-in flow reads and writes users through here.

use super::clients::client_and_pool;
use super::codes;
use super::model::{AppClient, User, UserPool};
use super::{schema, secret_hash};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{ClientId, SecretHash, Username};
use crate::store::StoreError;
use crate::App;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `AttributeType` as sent.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeInput {
    name: String,
    value: Option<String>,
}

/// Attribute list into a map (later duplicates win, as a map update would).
pub fn attribute_map(list: Option<Vec<AttributeInput>>) -> BTreeMap<String, String> {
    list.unwrap_or_default()
        .into_iter()
        .map(|a| (a.name, a.value.unwrap_or_default()))
        .collect()
}

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
    // Passkey credential ids are claimed like aliases, so no two users hold one.
    out.extend(super::passkeys::aliases(user));
    // External identities likewise: one identity, one user (federated or linked).
    out.extend(super::linked_identities::aliases(user));
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
    let attribute_aliases = aliases_for(pool, user)
        .into_iter()
        .filter(|a| !a.starts_with(super::passkeys::ALIAS_PREFIX))
        .filter(|a| !a.starts_with(super::linked_identities::ALIAS_PREFIX));
    for alias in attribute_aliases {
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
                let pause = crate::random::up_to(app.random.as_ref(), cap_ms);
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

/// The internal username and `sub` for a new user, per the pool's username options: when the
/// pool signs in by email or phone (whose value then goes into `attrs`) the username is a UUID
/// equal to `sub`; else it is `given`, with a fresh `sub`.
pub fn internal_username(
    app: &App,
    pool: &UserPool,
    given: &str,
    attrs: &mut BTreeMap<String, String>,
) -> ApiResult<(String, String)> {
    let by_email = pool.username_attributes.iter().any(|a| a == "email");
    let by_phone = pool.username_attributes.iter().any(|a| a == "phone_number");
    if by_email || by_phone {
        let attr = if by_email && schema::is_email(given) {
            "email"
        } else if by_phone && schema::is_phone(given) {
            "phone_number"
        } else if by_email && by_phone {
            return Err(ApiError::invalid(
                "Username should be either an email or a phone number.",
            ));
        } else if by_email {
            return Err(ApiError::invalid("Username should be an email."));
        } else {
            return Err(ApiError::invalid("Username should be a phone number."));
        };
        attrs.insert(attr.to_string(), given.to_string());
        // The internal username is a UUID equal to `sub`.
        let id = crate::random::uuid_v4(app.random.as_ref());
        return Ok((id.clone(), id));
    }
    for (attr, shaped) in [
        ("email", schema::is_email(given)),
        ("phone_number", schema::is_phone(given)),
    ] {
        if shaped && pool.alias_attributes.iter().any(|a| a == attr) {
            return Err(ApiError::invalid(format!(
                "Username cannot be of {} format, since user pool is configured for {attr} alias.",
                if attr == "email" {
                    "email"
                } else {
                    "phone number"
                }
            )));
        }
    }
    Ok((
        given.to_string(),
        crate::random::uuid_v4(app.random.as_ref()),
    ))
}

/// Stores a new user with its alias claims, mapping refusals to Cognito's errors: a taken
/// username attribute is UsernameExists, a taken alias AliasExists. With `force`, aliases
/// move to the new user (ForceAliasCreation).
pub async fn create_user(app: &App, pool: &UserPool, user: &User, force: bool) -> ApiResult<()> {
    if force {
        take_aliases(app, pool, user).await?;
    }
    let aliases = aliases_for(pool, user);
    app.store
        .create_user(user, &aliases)
        .await
        .map_err(|e| match e {
            StoreError::UsernameTaken => {
                ApiError::new(ErrorKind::UsernameExists, "User already exists")
            }
            StoreError::AliasTaken(alias) => {
                let attr = alias.split(':').next().unwrap_or("email");
                if is_username_claim(pool, user, &alias) {
                    // This username is another user's preferred_username.
                    ApiError::new(ErrorKind::UsernameExists, "User already exists")
                } else if pool.username_attributes.iter().any(|a| a == attr) {
                    ApiError::new(
                        ErrorKind::UsernameExists,
                        format!("An account with the given {attr} already exists."),
                    )
                } else {
                    alias_exists(&alias)
                }
            }
            other => other.into(),
        })
}

/// The client, pool and user of a public request that confirms a code: the SecretHash is
/// checked, and an unknown user answers like a wrong code when the client hides existence.
pub async fn code_request_user(
    app: &App,
    client_id: &ClientId,
    username: &Username,
    secret_hash: Option<&SecretHash>,
) -> ApiResult<(Arc<AppClient>, Arc<UserPool>, User)> {
    let (client, pool) = client_and_pool(app, client_id).await?;
    let name = username.as_str();
    secret_hash::check(&client, name, secret_hash.map(|s| s.expose()))?;
    match find_user(app, &pool, name).await? {
        Some(user) => Ok((client, pool, user)),
        None if client.hides_user_existence() => Err(codes::mismatch()),
        None => Err(ApiError::user_not_found()),
    }
}
