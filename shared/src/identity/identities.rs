//! Identities: GetId (the same login always maps to the same IdentityId; a second provider's
//! login links to it), DescribeIdentity, ListIdentities, and the access check every
//! credential operation makes.

use super::logins;
use super::model::{Identity, IdentityPool};
use super::own_token;
use super::pools::{self, load};
use super::shapes::IdentityDescription;
use super::verified::{LoginKind, VerifiedLogin};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::Secret;
use crate::store::StoreError;
use crate::userpool::pools::{decode_token, encode_token, page_size};
use crate::App;
use serde::Deserialize;
use serde::Serialize;
use std::collections::BTreeMap;

/// A Logins map as sent: provider → token (secret).
pub type Logins = BTreeMap<String, Secret<String>>;

/// "The logins provided belong to different identities."
pub fn conflict() -> ApiError {
    ApiError::new(
        ErrorKind::ResourceConflict,
        "The logins provided belong to different identities.",
    )
}

fn unauthenticated_refused() -> ApiError {
    ApiError::not_authorized("Unauthenticated access is not supported for this identity pool.")
}

/// ResourceNotFoundException "Identity '{id}' not found."
pub fn identity_not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::ResourceNotFound,
        format!("Identity '{id}' not found."),
    )
}

/// "Access to Identity '{id}' is forbidden."
pub fn forbidden(id: &str) -> ApiError {
    ApiError::not_authorized(format!("Access to Identity '{id}' is forbidden."))
}

/// A new identity in `pool` holding the `verified` logins that link.
pub fn new_identity(app: &App, pool: &IdentityPool, verified: &[VerifiedLogin]) -> Identity {
    let verified: Vec<&VerifiedLogin> = verified.iter().filter(|v| v.links()).collect();
    let now = app.clock.now_millis();
    Identity {
        pool_id: pool.id.clone(),
        id: format!(
            "{}:{}",
            app.settings.region,
            crate::random::uuid_v4(app.random.as_ref())
        ),
        logins: verified.iter().map(|v| v.provider.clone()).collect(),
        login_keys: verified.iter().map(|v| v.login_key()).collect(),
        created_ms: now,
        modified_ms: now,
        version: 1,
        inaccessible: false,
    }
}

/// Links `verified` logins to `identity` (those it lacks), atomically and version-checked.
pub async fn link(
    app: &App,
    mut identity: Identity,
    verified: &[VerifiedLogin],
) -> ApiResult<Identity> {
    let fresh: Vec<&VerifiedLogin> = verified
        .iter()
        .filter(|v| v.links() && !identity.login_keys.contains(&v.login_key()))
        .collect();
    if fresh.is_empty() {
        return Ok(identity);
    }
    let keys: Vec<String> = fresh.iter().map(|v| v.login_key()).collect();
    for v in &fresh {
        if !identity.logins.contains(&v.provider) {
            identity.logins.push(v.provider.clone());
        }
    }
    identity.login_keys.extend(keys.iter().cloned());
    identity.version += 1;
    identity.modified_ms = app.clock.now_millis();
    match app.store.update_identity(&identity, &keys).await {
        Ok(()) => Ok(identity),
        Err(StoreError::AliasTaken(_)) | Err(StoreError::Conflict) => Err(conflict()),
        Err(e) => Err(e.into()),
    }
}

/// The identity for these logins: found by any of them (all must agree), created if none.
pub async fn resolve(
    app: &App,
    pool: &IdentityPool,
    verified: &[VerifiedLogin],
) -> ApiResult<Identity> {
    for _ in 0..3 {
        let mut owner: Option<Identity> = None;
        for v in verified {
            if let Some(found) = app
                .store
                .get_identity_by_login(&pool.id, &v.login_key())
                .await?
            {
                match &owner {
                    Some(o) if o.id != found.id => return Err(conflict()),
                    Some(_) => {}
                    None => owner = Some(found),
                }
            }
        }
        match owner {
            Some(identity) => return link(app, identity, verified).await,
            None => match app
                .store
                .create_identity(&new_identity(app, pool, verified))
                .await
            {
                Ok(()) => {}
                // Another request created it first: look again.
                Err(StoreError::AliasTaken(_)) | Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            },
        }
        // Created: read it back through the same path so the answer is the stored record.
    }
    let first = verified
        .first()
        .map(VerifiedLogin::login_key)
        .unwrap_or_default();
    app.store
        .get_identity_by_login(&pool.id, &first)
        .await?
        .ok_or_else(conflict)
}

/// GetId's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetIdInput {
    identity_pool_id: String,
    logins: Option<Logins>,
}

/// GetId's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetIdOutput {
    /// The identity of the logins (or a new unauthenticated one).
    pub identity_id: String,
}

/// GetId.
pub async fn get_id(app: &App, input: GetIdInput) -> ApiResult<GetIdOutput> {
    let pool = load(app, &input.identity_pool_id).await?;
    let logins = input.logins.unwrap_or_default();
    if logins.is_empty() {
        if !pool.allow_unauthenticated {
            return Err(unauthenticated_refused());
        }
        let identity = new_identity(app, &pool, &[]);
        app.store.create_identity(&identity).await?;
        return Ok(GetIdOutput {
            identity_id: identity.id,
        });
    }
    if logins.contains_key(own_token::PROVIDER) {
        return Err(own_token::refused_by_get_id());
    }
    let verified = logins::verify(app, &pool, &logins).await?;
    let identity = resolve(app, &pool, &verified).await?;
    Ok(GetIdOutput {
        identity_id: identity.id,
    })
}

/// The identity a credential request is for, after checking the caller may use it: an
/// authenticated identity needs one of its own logins; new logins in the request are linked.
pub async fn authorize(
    app: &App,
    identity_id: &str,
    logins: Option<Logins>,
) -> ApiResult<(IdentityPool, Identity, Vec<VerifiedLogin>)> {
    let (pool, identity, verified) = prove(app, identity_id, logins).await?;
    let identity = link(app, identity, &verified).await?;
    Ok((pool, identity, verified))
}

/// The identity a request is for, after checking the caller may use it (as [`authorize`]),
/// linking nothing.
pub async fn prove(
    app: &App,
    identity_id: &str,
    logins: Option<Logins>,
) -> ApiResult<(IdentityPool, Identity, Vec<VerifiedLogin>)> {
    pools::check_id("identityId", identity_id)?;
    let identity = app
        .store
        .get_identity(identity_id)
        .await?
        .ok_or_else(|| identity_not_found(identity_id))?;
    if identity.inaccessible {
        return Err(forbidden(identity_id));
    }
    let pool = app
        .store
        .get_identity_pool(&identity.pool_id)
        .await?
        .ok_or_else(|| pools::pool_not_found(&identity.pool_id))?;
    let logins = logins.unwrap_or_default();
    if logins.is_empty() {
        if !identity.login_keys.is_empty() {
            return Err(forbidden(identity_id));
        }
        if !pool.allow_unauthenticated {
            return Err(unauthenticated_refused());
        }
        return Ok((pool, identity, Vec::new()));
    }
    let verified = logins::verify(app, &pool, &logins).await?;
    // A login the identity holds, or an identity token for exactly this identity, proves it;
    // an identity token for another one proves nothing here.
    let proves = |v: &VerifiedLogin| match v.kind {
        LoginKind::CognitoToken => v.subject == identity.id,
        _ => identity.login_keys.contains(&v.login_key()),
    };
    let foreign_token = verified
        .iter()
        .any(|v| v.kind == LoginKind::CognitoToken && v.subject != identity.id);
    let owns_one =
        !foreign_token && (identity.login_keys.is_empty() || verified.iter().any(proves));
    if !owns_one {
        return Err(forbidden(identity_id));
    }
    Ok((pool, identity, verified))
}

/// DescribeIdentity's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeInput {
    identity_id: String,
}

/// DescribeIdentity.
pub async fn describe_identity(app: &App, input: DescribeInput) -> ApiResult<IdentityDescription> {
    pools::check_id("identityId", &input.identity_id)?;
    let i = app
        .store
        .get_identity(&input.identity_id)
        .await?
        .ok_or_else(|| identity_not_found(&input.identity_id))?;
    Ok(IdentityDescription::from(&i))
}

/// ListIdentities' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInput {
    identity_pool_id: String,
    max_results: i64,
    next_token: Option<String>,
}

/// ListIdentities' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListIdentitiesOutput {
    /// The pool.
    pub identity_pool_id: String,
    /// This page.
    pub identities: Vec<IdentityDescription>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// ListIdentities.
pub async fn list_identities(app: &App, input: ListInput) -> ApiResult<ListIdentitiesOutput> {
    let pool = load(app, &input.identity_pool_id).await?;
    let limit = page_size("maxResults", Some(input.max_results), 60)?;
    let after = decode_token(input.next_token.as_deref())?;
    let page = app
        .store
        .list_identities(&pool.id, after.as_deref(), limit)
        .await?;
    Ok(ListIdentitiesOutput {
        identity_pool_id: pool.id,
        identities: page.items.iter().map(IdentityDescription::from).collect(),
        next_token: page.next.as_deref().map(encode_token),
    })
}
