//! Linking external identities to users: AdminLinkProviderForUser, AdminDisableProviderForUser,
//! and [`linked_user`], how a federated sign-in finds the user an identity belongs to.
//!
//! A link is a [`LinkedIdentity`] (not primary) in the destination user's `identities`
//! attribute, written by the directory's versioned update, which claims the identity's alias
//! (`idp:<provider>:<userId>`) in the same atomic write: one external identity belongs to at
//! most one user, whoever races for it. A link by a mapped pool attribute (OIDC and SAML
//! providers: `ProviderAttributeName` `email`, say) claims an alias of its own, naming the
//! attribute, so a sign-in finds it only through that attribute's mapped value.

use super::ops::provider_missing;
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::userpool::admin::disable_user;
use crate::userpool::directory::{load_user, modify_user};
use crate::userpool::linked_identities::{self as identities, LinkedIdentity};
use crate::userpool::model::{User, UserPool};
use crate::userpool::pools::load_pool;
use crate::userpool::shapes::Empty;
use crate::App;
use serde::Deserialize;

/// The provider name that stands for the pool's own users.
const COGNITO: &str = "Cognito";
/// The attribute name that means "the provider's subject".
const SUBJECT: &str = "Cognito_Subject";
/// Most identities linked to one user.
pub const MAX_LINKS: usize = 5;

/// The user an external identity belongs to: the federated user it created, or the user it is
/// linked to. The federated sign-in asks this first.
pub async fn linked_user(
    app: &App,
    pool: &UserPool,
    provider_name: &str,
    user_id: &str,
) -> ApiResult<Option<User>> {
    user_of_alias(app, pool, &identities::alias(provider_name, user_id)).await
}

/// The user an identity was linked to by a mapped attribute: the first of the sign-in's mapped
/// pool attributes (`attribute → value`) that a link names. The federated sign-in asks this
/// when the subject belongs to no one.
pub async fn linked_by_attribute(
    app: &App,
    pool: &UserPool,
    provider_name: &str,
    mapped: &std::collections::BTreeMap<String, String>,
) -> ApiResult<Option<User>> {
    for (attribute, value) in mapped {
        let alias = identities::alias_by(provider_name, attribute, value);
        if let Some(user) = user_of_alias(app, pool, &alias).await? {
            return Ok(Some(user));
        }
    }
    Ok(None)
}

async fn user_of_alias(app: &App, pool: &UserPool, alias: &str) -> ApiResult<Option<User>> {
    Ok(app.store.get_user_by_alias(&pool.id, alias).await?)
}

/// The alias a request's identity claims: by subject, or by the mapped attribute it names.
fn alias_of(provider_name: &str, attribute: &str, value: &str) -> String {
    if attribute == SUBJECT {
        identities::alias(provider_name, value)
    } else {
        identities::alias_by(provider_name, attribute, value)
    }
}

/// `ProviderUserIdentifierType`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderUser {
    provider_name: Option<String>,
    provider_attribute_name: Option<String>,
    provider_attribute_value: Option<String>,
}

impl ProviderUser {
    fn name(&self, member: &str) -> ApiResult<&str> {
        self.provider_name
            .as_deref()
            .ok_or_else(|| ApiError::missing_member(&format!("{member}.providerName")))
    }

    fn value(&self, member: &str) -> ApiResult<&str> {
        self.provider_attribute_value
            .as_deref()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::missing_member(&format!("{member}.providerAttributeValue")))
    }
}

/// AdminLinkProviderForUser's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminLinkProviderForUserInput {
    user_pool_id: String,
    destination_user: ProviderUser,
    source_user: ProviderUser,
}

/// AdminDisableProviderForUser's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminDisableProviderForUserInput {
    user_pool_id: String,
    user: ProviderUser,
}

/// A source identity that is a pool user already, or already linked.
fn native_source() -> ApiError {
    ApiError::invalid(
        "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser",
    )
}

/// A source identity that has signed in (a federated user exists for it).
fn signed_up_source() -> ApiError {
    ApiError::invalid(
        "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link",
    )
}

/// The destination: a user by username (`Cognito`), or the user an identity of a provider
/// belongs to.
async fn destination(app: &App, pool: &UserPool, who: &ProviderUser) -> ApiResult<User> {
    let name = who.name("destinationUser")?;
    let value = who.value("destinationUser")?;
    if name == COGNITO {
        return load_user(app, pool, value).await;
    }
    linked_user(app, pool, name, value)
        .await?
        .ok_or_else(ApiError::user_not_found)
}

/// AdminLinkProviderForUser.
pub async fn admin_link_provider_for_user(
    app: &Call<'_>,
    input: AdminLinkProviderForUserInput,
) -> ApiResult<Empty> {
    let pool = load_pool(app, &input.user_pool_id).await?;
    let source = &input.source_user;
    let provider_name = source.name("sourceUser")?;
    let value = source.value("sourceUser")?;
    if provider_name.eq_ignore_ascii_case(COGNITO) {
        return Err(native_source());
    }
    let idp = app
        .store
        .get_identity_provider(&pool.id, provider_name)
        .await?
        .ok_or_else(|| provider_missing(provider_name, &pool.id))?;
    let attribute = source.provider_attribute_name.as_deref().unwrap_or(SUBJECT);
    if attribute != SUBJECT
        && (idp.provider_type.is_social() || !idp.attribute_mapping.contains_key(attribute))
    {
        // Social providers link by subject only; OIDC and SAML by a mapped pool attribute.
        return Err(ApiError::invalid(format!(
            "ProviderAttributeName {attribute} is not Cognito_Subject or an attribute mapped from {provider_name}."
        )));
    }
    let dest = destination(app, &pool, &input.destination_user).await?;
    let alias = alias_of(&idp.name, attribute, value);
    if let Some(holder) = user_of_alias(app, &pool, &alias).await? {
        // The identity's own (federated) user signed up, and Cognito does not merge; an
        // identity linked already resolves to its (native) user.
        let own = identities::of(&holder)
            .iter()
            .any(|i| i.alias() == alias && i.primary);
        return Err(if own {
            signed_up_source()
        } else {
            native_source()
        });
    }
    let federated = pool.username_key(&format!("{}_{value}", idp.name));
    if attribute == SUBJECT && app.store.get_user(&pool.id, &federated).await?.is_some() {
        return Err(signed_up_source());
    }
    let link = LinkedIdentity {
        user_id: value.to_string(),
        provider_name: idp.name.clone(),
        provider_type: idp.provider_type.as_str().to_string(),
        issuer: None,
        primary: false,
        date_created: app.clock.now_millis(),
        linked_by: (attribute != SUBJECT).then(|| attribute.to_string()),
    };
    let written = modify_user(app, &pool, dest, |u| {
        let mut list = identities::of(u);
        if list.iter().any(|i| i.alias() == alias) {
            return Err(native_source());
        }
        if list.len() >= MAX_LINKS {
            return Err(ApiError::new(
                ErrorKind::LimitExceeded,
                format!("A user can have at most {MAX_LINKS} linked identities."),
            ));
        }
        list.push(link.clone());
        identities::set(u, &list);
        Ok(())
    })
    .await;
    match written {
        // Another user claimed this identity meanwhile (the only new claim of the write).
        Err(e) if e.kind == ErrorKind::AliasExists => Err(native_source()),
        other => other.map(|_| Empty {}),
    }
}

/// AdminDisableProviderForUser: `Cognito` disables a native user (no password sign-in, as
/// AdminDisableUser); an identity linked to a user is unlinked (its alias released); the
/// identity a federated user was created from disables that user.
pub async fn admin_disable_provider_for_user(
    app: &Call<'_>,
    input: AdminDisableProviderForUserInput,
) -> ApiResult<Empty> {
    let pool = load_pool(app, &input.user_pool_id).await?;
    let who = &input.user;
    let provider_name = who.name("user")?;
    let value = who.value("user")?;
    if provider_name == COGNITO {
        let user = load_user(app, &pool, value).await?;
        disable_user(app, &pool, user).await?;
        return Ok(Empty {});
    }
    if app
        .store
        .get_identity_provider(&pool.id, provider_name)
        .await?
        .is_none()
    {
        return Err(provider_missing(provider_name, &pool.id));
    }
    let attribute = who.provider_attribute_name.as_deref().unwrap_or(SUBJECT);
    let alias = alias_of(provider_name, attribute, value);
    let user = user_of_alias(app, &pool, &alias)
        .await?
        .ok_or_else(ApiError::user_not_found)?;
    let primary = identities::of(&user)
        .iter()
        .any(|i| i.alias() == alias && i.primary);
    if primary {
        disable_user(app, &pool, user).await?;
        return Ok(Empty {});
    }
    modify_user(app, &pool, user, |u| {
        let list: Vec<LinkedIdentity> = identities::of(u)
            .into_iter()
            .filter(|i| i.alias() != alias)
            .collect();
        identities::set(u, &list);
        Ok(())
    })
    .await?;
    Ok(Empty {})
}
