//! Developer-authenticated identities (SigV4 operations a backend calls):
//! GetOpenIdTokenForDeveloperIdentity links the pool's `DeveloperProviderName` user id (and any
//! other logins, verified as usual) to one identity and returns an identity OpenID token the
//! client then presents as `cognito-identity.amazonaws.com`; LookupDeveloperIdentity,
//! MergeDeveloperIdentities and UnlinkDeveloperIdentity manage those links. A developer user
//! is the login key `{DeveloperProviderName}|{DeveloperUserIdentifier}`.

use super::credentials::{sign_open_id_token, TokenGrant};
use super::identities::{self, identity_not_found, link, resolve, Logins};
use super::logins;
use super::model::{Identity, IdentityPool};
use super::pools::{check_id, load};
use super::unlink::{provider_of, release};
use super::verified::{login_key, unsupported, LoginKind, VerifiedLogin};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::StoreError;
use crate::userpool::pools::{decode_token, encode_token, page_size};
use crate::userpool::shapes::Empty;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::Map;
use std::collections::BTreeMap;

/// Default lifetime of a developer identity token, seconds.
pub const DEFAULT_TOKEN_SECS: i64 = 900;
/// Most logins one identity may hold after a merge (Cognito's documented limit).
const MAX_LINKED_LOGINS: usize = 20;

fn unsupported_provider() -> ApiError {
    ApiError::not_authorized(
        "This identity pool does not support the specified developer provider.",
    )
}

fn already_registered() -> ApiError {
    ApiError::new(
        ErrorKind::DeveloperUserAlreadyRegistered,
        "The provided developer user identifier is already registered with Cognito under a \
         different identity ID.",
    )
}

/// The pool's developer provider when it is `named`.
fn developer_provider<'a>(pool: &'a IdentityPool, named: &str) -> ApiResult<&'a str> {
    match pool.developer_provider_name.as_deref() {
        Some(p) if p == named => Ok(p),
        _ => Err(unsupported_provider()),
    }
}

/// An identity of `pool`, by id.
async fn identity_in(app: &App, pool: &IdentityPool, id: &str) -> ApiResult<Identity> {
    check_id("identityId", id)?;
    match app.store.get_identity(id).await? {
        Some(i) if i.pool_id == pool.id && !i.inaccessible => Ok(i),
        _ => Err(identity_not_found(id)),
    }
}

/// The identity a developer user is linked to.
async fn identity_of_user(
    app: &App,
    pool: &IdentityPool,
    provider: &str,
    user: &str,
) -> ApiResult<Option<Identity>> {
    Ok(app
        .store
        .get_identity_by_login(&pool.id, &login_key(provider, user))
        .await?)
}

/// GetOpenIdTokenForDeveloperIdentity's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeveloperTokenInput {
    identity_pool_id: String,
    identity_id: Option<String>,
    logins: Logins,
    principal_tags: Option<BTreeMap<String, String>>,
    token_duration: Option<i64>,
}

/// GetOpenIdTokenForDeveloperIdentity's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeveloperTokenOutput {
    /// The identity of the developer user.
    pub identity_id: String,
    /// An identity OpenID token for it.
    pub token: String,
}

/// GetOpenIdTokenForDeveloperIdentity.
pub async fn get_open_id_token_for_developer_identity(
    app: &App,
    input: DeveloperTokenInput,
) -> ApiResult<DeveloperTokenOutput> {
    check_id("identityPoolId", &input.identity_pool_id)?;
    let lifetime = input.token_duration.unwrap_or(DEFAULT_TOKEN_SECS);
    if !(1..=86_400).contains(&lifetime) {
        return Err(ApiError::constraint(
            "tokenDuration",
            "Member must have value less than or equal to 86400 and greater than or equal to 1",
        ));
    }
    let pool = load(app, &input.identity_pool_id).await?;
    let mut others = input.logins;
    let provider = pool
        .developer_provider_name
        .clone()
        .ok_or_else(unsupported_provider)?;
    let user = others.remove(&provider).ok_or_else(unsupported_provider)?;
    let user = user.expose().clone();
    let mut verified = if others.is_empty() {
        Vec::new()
    } else {
        logins::verify(app, &pool, &others).await?
    };
    if verified.iter().any(|v| !v.links()) {
        return Err(unsupported());
    }
    verified.insert(
        0,
        VerifiedLogin {
            provider: provider.clone(),
            subject: user.clone(),
            claims: Map::new(),
            mapping_key: provider.clone(),
            kind: LoginKind::Developer,
        },
    );
    let identity = match input.identity_id.as_deref() {
        None => resolve(app, &pool, &verified).await?,
        Some(id) => {
            let identity = identity_in(app, &pool, id).await?;
            if let Some(holder) = identity_of_user(app, &pool, &provider, &user).await? {
                if holder.id != identity.id {
                    return Err(already_registered());
                }
            }
            let proves = verified
                .iter()
                .any(|v| identity.login_keys.contains(&v.login_key()));
            if !identity.login_keys.is_empty() && !proves {
                return Err(ApiError::not_authorized(
                    "Logins don't match. Please include at least one valid login for this \
                     identity or identity pool.",
                ));
            }
            link(app, identity, &verified).await?
        }
    };
    let grant = TokenGrant {
        amr: vec![
            "authenticated".into(),
            provider.clone(),
            format!("{provider}:{}:{user}", pool.id),
        ],
        tags: input
            .principal_tags
            .unwrap_or_default()
            .into_iter()
            .collect(),
        lifetime_secs: lifetime,
    };
    let token = sign_open_id_token(app, &pool.id, &identity.id, grant).await?;
    Ok(DeveloperTokenOutput {
        identity_id: identity.id,
        token,
    })
}

/// LookupDeveloperIdentity's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupInput {
    identity_pool_id: String,
    identity_id: Option<String>,
    developer_user_identifier: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// LookupDeveloperIdentity's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupOutput {
    /// The identity.
    pub identity_id: String,
    /// Its developer user identifiers (this page).
    pub developer_user_identifier_list: Vec<String>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// The developer user identifiers linked to `identity`, sorted.
fn developer_users(pool: &IdentityPool, identity: &Identity) -> Vec<String> {
    let Some(provider) = pool.developer_provider_name.as_deref() else {
        return Vec::new();
    };
    let mut users: Vec<String> = identity
        .login_keys
        .iter()
        .filter(|k| provider_of(k) == provider)
        .filter_map(|k| k.split_once('|').map(|(_, u)| u.to_string()))
        .collect();
    users.sort();
    users
}

/// LookupDeveloperIdentity.
pub async fn lookup_developer_identity(app: &App, input: LookupInput) -> ApiResult<LookupOutput> {
    check_id("identityPoolId", &input.identity_pool_id)?;
    let limit = page_size("maxResults", input.max_results, 60)?;
    let after = decode_token(input.next_token.as_deref())?;
    let pool = load(app, &input.identity_pool_id).await?;
    let by_user = match (
        &input.developer_user_identifier,
        &pool.developer_provider_name,
    ) {
        (Some(user), Some(provider)) => Some(
            identity_of_user(app, &pool, provider, user)
                .await?
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorKind::ResourceNotFound,
                        "No identity is associated with the DeveloperUserIdentifier.",
                    )
                })?,
        ),
        (Some(_), None) => return Err(unsupported_provider()),
        (None, _) => None,
    };
    let identity = match (input.identity_id.as_deref(), by_user) {
        (Some(id), Some(found)) if found.id != id => {
            return Err(ApiError::new(
                ErrorKind::ResourceConflict,
                "The DeveloperUserIdentifier is not linked to the IdentityId.",
            ))
        }
        (_, Some(found)) => found,
        (Some(id), None) => identity_in(app, &pool, id).await?,
        (None, None) => {
            return Err(ApiError::invalid(
                "Either IdentityId or DeveloperUserIdentifier must be specified.",
            ))
        }
    };
    let users: Vec<String> = developer_users(&pool, &identity)
        .into_iter()
        .filter(|u| after.as_deref().is_none_or(|a| u.as_str() > a))
        .collect();
    let more = users.len() > limit;
    let page: Vec<String> = users.into_iter().take(limit).collect();
    let next_token = if more {
        page.last().map(|u| encode_token(u))
    } else {
        None
    };
    Ok(LookupOutput {
        identity_id: identity.id,
        developer_user_identifier_list: page,
        next_token,
    })
}

/// MergeDeveloperIdentities' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MergeInput {
    source_user_identifier: String,
    destination_user_identifier: String,
    developer_provider_name: String,
    identity_pool_id: String,
}

/// MergeDeveloperIdentities' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MergeOutput {
    /// The destination identity, which now holds the source's logins.
    pub identity_id: String,
}

/// MergeDeveloperIdentities: every login of the source user's identity moves to the
/// destination user's identity, and the source identity is gone.
pub async fn merge_developer_identities(app: &App, input: MergeInput) -> ApiResult<MergeOutput> {
    check_id("identityPoolId", &input.identity_pool_id)?;
    let pool = load(app, &input.identity_pool_id).await?;
    let provider = developer_provider(&pool, &input.developer_provider_name)?.to_string();
    let not_found = |user: &str| {
        ApiError::new(
            ErrorKind::ResourceNotFound,
            format!("Developer user '{user}' is not linked to an identity."),
        )
    };
    for _ in 0..3 {
        let (from, to) = (
            &input.source_user_identifier,
            &input.destination_user_identifier,
        );
        let source = identity_of_user(app, &pool, &provider, from)
            .await?
            .ok_or_else(|| not_found(from))?;
        let destination = identity_of_user(app, &pool, &provider, to)
            .await?
            .ok_or_else(|| not_found(to))?;
        if source.id == destination.id {
            return Ok(MergeOutput {
                identity_id: destination.id,
            });
        }
        // The same public provider with two different users cannot live on one identity.
        let public = |i: &Identity| -> Vec<String> {
            i.logins
                .iter()
                .filter(|p| **p != provider)
                .cloned()
                .collect()
        };
        let theirs = public(&destination);
        if public(&source).iter().any(|p| theirs.contains(p)) {
            return Err(ApiError::new(
                ErrorKind::ResourceConflict,
                "The identities to merge hold different users of the same provider.",
            ));
        }
        if source.login_keys.len() + destination.login_keys.len() > MAX_LINKED_LOGINS {
            return Err(ApiError::invalid(
                "The identities to merge would hold more than 20 linked logins.",
            ));
        }
        let mut merged = destination.clone();
        for p in &source.logins {
            if !merged.logins.contains(p) {
                merged.logins.push(p.clone());
            }
        }
        merged.login_keys.extend(source.login_keys.iter().cloned());
        merged.version += 1;
        merged.modified_ms = app.clock.now_millis();
        match app.store.merge_identities(&source, &merged).await {
            Ok(()) => {
                return Ok(MergeOutput {
                    identity_id: merged.id,
                })
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(identities::conflict())
}

/// UnlinkDeveloperIdentity's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnlinkDeveloperInput {
    identity_id: String,
    identity_pool_id: String,
    developer_provider_name: String,
    developer_user_identifier: String,
}

/// UnlinkDeveloperIdentity.
pub async fn unlink_developer_identity(app: &App, input: UnlinkDeveloperInput) -> ApiResult<Empty> {
    check_id("identityPoolId", &input.identity_pool_id)?;
    let pool = load(app, &input.identity_pool_id).await?;
    let provider = developer_provider(&pool, &input.developer_provider_name)?;
    let identity = identity_in(app, &pool, &input.identity_id).await?;
    let key = login_key(provider, &input.developer_user_identifier);
    if !identity.login_keys.contains(&key) {
        return Err(ApiError::new(
            ErrorKind::ResourceConflict,
            "The DeveloperUserIdentifier is not linked to the IdentityId.",
        ));
    }
    release(app, identity, |k| k == key).await?;
    Ok(Empty {})
}
