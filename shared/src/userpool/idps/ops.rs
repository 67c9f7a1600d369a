//! The operations: CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider,
//! DeleteIdentityProvider, ListIdentityProviders, GetIdentityProviderByIdentifier, and the
//! check app clients make of their `SupportedIdentityProviders`.
//!
//! Lengths, patterns, the type enum and the 50-identifier limit are the model's (checked before
//! these run). A name and each identifier are unique in the pool by the store's atomic claim.

use super::shapes::*;
use super::{details, discovery, saml_setup};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::StoreError;
use crate::userpool::client_oauth::COGNITO_PROVIDER;
use crate::userpool::model::{IdentityProvider, ProviderType};
use crate::userpool::pools::{decode_token, encode_token, load_pool};
use crate::userpool::shapes::Empty;
use crate::App;
use std::collections::BTreeMap;

/// The page size when MaxResults is absent (the model allows up to 60).
const LIST_DEFAULT: i64 = 60;

/// DuplicateProviderException for a name the pool has.
fn duplicate(name: &str, pool_id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::DuplicateProvider,
        format!("{name} already exists in user pool {pool_id}."),
    )
}

/// An identifier another provider of the pool holds.
fn identifier_taken(identifier: &str) -> ApiError {
    ApiError::invalid(format!(
        "The identifier {identifier} is already used by another identity provider of this user pool."
    ))
}

/// ResourceNotFoundException for a provider the pool does not have.
pub fn not_found(name: &str) -> ApiError {
    ApiError::new(
        ErrorKind::ResourceNotFound,
        format!("Identity provider {name} does not exist."),
    )
}

/// InvalidParameterException for a provider name the pool does not have, where a caller names
/// one (an app client's `SupportedIdentityProviders`, a link's source).
pub fn provider_missing(name: &str, pool_id: &str) -> ApiError {
    ApiError::invalid(format!(
        "The provider {name} does not exist for User Pool {pool_id}"
    ))
}

/// The names a provider may not take, and the type a social provider's name must equal.
fn check_name(name: &str, t: ProviderType) -> ApiResult<()> {
    if name.eq_ignore_ascii_case("cognito") {
        return Err(ApiError::invalid(format!(
            "The provider name {name} is reserved."
        )));
    }
    const SOCIAL: &[ProviderType] = &[
        ProviderType::Google,
        ProviderType::Facebook,
        ProviderType::LoginWithAmazon,
        ProviderType::SignInWithApple,
    ];
    let claims_social = SOCIAL.iter().any(|s| s.as_str() == name);
    if (t.is_social() && name != t.as_str()) || (!t.is_social() && claims_social) {
        return Err(ApiError::invalid(format!(
            "Provider {name} cannot be of type {}.",
            t.as_str()
        )));
    }
    Ok(())
}

/// The mapping as stored: Cognito always maps `username` (the provider's subject claim,
/// unless the caller maps it), for every type but SAML.
fn mapping(t: ProviderType, mut given: BTreeMap<String, String>) -> BTreeMap<String, String> {
    if t != ProviderType::Saml {
        given
            .entry("username".into())
            .or_insert_with(|| t.subject_claim().into());
    }
    given
}

/// The identifiers without repeats, in the order sent.
fn identifiers(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for i in list {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// The details as stored: checked for the type, an OIDC provider's endpoints discovered, a
/// SAML provider's metadata read (`previous`: the details before an update).
async fn settled_details(
    app: &App,
    pool_id: &str,
    t: ProviderType,
    given: &BTreeMap<String, String>,
    previous: Option<&BTreeMap<String, String>>,
) -> ApiResult<BTreeMap<String, String>> {
    let mut out = details::checked(t, given)?;
    match t {
        ProviderType::Oidc => discovery::fill_endpoints(app, &mut out).await?,
        ProviderType::Saml => saml_setup::settle(app, pool_id, &mut out, previous).await?,
        _ => {}
    }
    Ok(out)
}

/// What a refused write means to the caller.
fn refused(e: StoreError, idp: &IdentityProvider) -> ApiError {
    match e {
        StoreError::Conflict => duplicate(&idp.name, &idp.pool_id),
        StoreError::AliasTaken(identifier) => identifier_taken(&identifier),
        other => other.into(),
    }
}

/// CreateIdentityProvider.
pub async fn create_identity_provider(
    app: &App,
    input: CreateIdentityProviderInput,
) -> ApiResult<IdentityProviderOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let t = input.provider_type;
    check_name(&input.provider_name, t)?;
    // Answered before discovery, which may take a while; the write below still decides.
    if app
        .store
        .get_identity_provider(&pool.id, &input.provider_name)
        .await?
        .is_some()
    {
        return Err(duplicate(&input.provider_name, &pool.id));
    }
    let details = settled_details(app, &pool.id, t, &input.provider_details, None).await?;
    let now = app.clock.now_millis();
    let idp = IdentityProvider {
        pool_id: pool.id.clone(),
        name: input.provider_name,
        provider_type: t,
        details,
        attribute_mapping: mapping(t, input.attribute_mapping.unwrap_or_default()),
        idp_identifiers: identifiers(input.idp_identifiers.unwrap_or_default()),
        created_ms: now,
        modified_ms: now,
    };
    app.store
        .create_identity_provider(&idp)
        .await
        .map_err(|e| refused(e, &idp))?;
    Ok((&idp).into())
}

/// UpdateIdentityProvider: members sent replace the stored ones (`ProviderDetails` whole,
/// checked and discovered as on create; Apple's `private_key`, which Describe never shows, is
/// kept when not sent again).
pub async fn update_identity_provider(
    app: &App,
    input: UpdateIdentityProviderInput,
) -> ApiResult<IdentityProviderOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let mut idp = app
        .store
        .get_identity_provider(&pool.id, &input.provider_name)
        .await?
        .ok_or_else(|| not_found(&input.provider_name))?;
    let t = idp.provider_type;
    if let Some(mut given) = input.provider_details {
        if t == ProviderType::SignInWithApple && !given.contains_key("private_key") {
            if let Some(key) = idp.details.get("private_key") {
                given.insert("private_key".into(), key.clone());
            }
        }
        idp.details = settled_details(app, &pool.id, t, &given, Some(&idp.details)).await?;
    }
    if let Some(mapped) = input.attribute_mapping {
        idp.attribute_mapping = mapping(t, mapped);
    }
    if let Some(list) = input.idp_identifiers {
        idp.idp_identifiers = identifiers(list);
    }
    idp.modified_ms = app.clock.now_millis();
    match app.store.update_identity_provider(&idp).await {
        Ok(()) => Ok((&idp).into()),
        // Deleted since it was read.
        Err(StoreError::Conflict) => Err(not_found(&idp.name)),
        Err(e) => Err(refused(e, &idp)),
    }
}

/// DescribeIdentityProvider.
pub async fn describe_identity_provider(
    app: &App,
    input: ProviderNameInput,
) -> ApiResult<IdentityProviderOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let idp = app
        .store
        .get_identity_provider(&pool.id, &input.provider_name)
        .await?
        .ok_or_else(|| not_found(&input.provider_name))?;
    Ok((&idp).into())
}

/// DeleteIdentityProvider. App clients keep the name in `SupportedIdentityProviders`, as in
/// Cognito (their next update must drop it), and users keep the identities linked from it.
pub async fn delete_identity_provider(app: &App, input: ProviderNameInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    if !app
        .store
        .delete_identity_provider(&pool.id, &input.provider_name)
        .await?
    {
        return Err(not_found(&input.provider_name));
    }
    Ok(Empty {})
}

/// ListIdentityProviders, in name order.
pub async fn list_identity_providers(
    app: &App,
    input: ListIdentityProvidersInput,
) -> ApiResult<ListIdentityProvidersOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let limit = crate::userpool::pools::page_size("maxResults", input.max_results, LIST_DEFAULT)?;
    let after = decode_token(input.next_token.as_deref())?;
    let page = app
        .store
        .list_identity_providers(&pool.id, after.as_deref(), limit)
        .await?;
    Ok(ListIdentityProvidersOutput {
        providers: page.items.iter().map(ProviderDescription::from).collect(),
        next_token: page.next.as_deref().map(encode_token),
    })
}

/// GetIdentityProviderByIdentifier.
pub async fn get_identity_provider_by_identifier(
    app: &App,
    input: IdentifierInput,
) -> ApiResult<IdentityProviderOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let idp = app
        .store
        .get_identity_provider_by_identifier(&pool.id, &input.idp_identifier)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::ResourceNotFound,
                format!(
                    "Identity provider with identifier {} does not exist.",
                    input.idp_identifier
                ),
            )
        })?;
    Ok((&idp).into())
}

/// An app client's `SupportedIdentityProviders`: each is `COGNITO` or a provider of the pool
/// (checked on every create and update of a client, so a client still naming a deleted
/// provider must drop it in its next update, as in Cognito).
pub async fn supported_providers_exist(
    app: &App,
    pool_id: &str,
    names: &[String],
) -> ApiResult<()> {
    for name in names.iter().filter(|n| *n != COGNITO_PROVIDER) {
        if app
            .store
            .get_identity_provider(pool_id, name)
            .await?
            .is_none()
        {
            return Err(provider_missing(name, pool_id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_their_type_and_cognito_is_reserved() {
        assert!(check_name("Google", ProviderType::Google).is_ok());
        assert!(check_name("Corp", ProviderType::Oidc).is_ok());
        assert_eq!(
            check_name("NameOfGP", ProviderType::Google)
                .unwrap_err()
                .message,
            "Provider NameOfGP cannot be of type Google."
        );
        assert_eq!(
            check_name("Facebook", ProviderType::Saml)
                .unwrap_err()
                .message,
            "Provider Facebook cannot be of type SAML."
        );
        for reserved in ["Cognito", "COGNITO", "cognito"] {
            assert_eq!(
                check_name(reserved, ProviderType::Oidc).unwrap_err().kind,
                ErrorKind::InvalidParameter
            );
        }
    }

    #[test]
    fn username_is_mapped_to_the_subject_unless_given() {
        let m = mapping(ProviderType::Facebook, BTreeMap::new());
        assert_eq!(m["username"], "id");
        let m = mapping(
            ProviderType::Oidc,
            BTreeMap::from([("username".into(), "oid".into())]),
        );
        assert_eq!(m["username"], "oid");
        assert!(mapping(ProviderType::Saml, BTreeMap::new()).is_empty());
        assert_eq!(
            identifiers(vec!["a".into(), "b".into(), "a".into()]),
            ["a", "b"]
        );
    }
}
