//! Taking logins off identities and identities away: UnlinkIdentity (the caller proves the
//! identity with its current logins), DeleteIdentities, and the release step they share with
//! UnlinkDeveloperIdentity. An identity whose last login goes becomes inaccessible (Cognito:
//! "the Cognito identity becomes inaccessible"); a freed login maps to a new identity the next
//! time it is seen.

use super::identities::{prove, Logins};
use super::model::Identity;
use crate::error::{ApiError, ApiResult};
use crate::store::StoreError;
use crate::userpool::shapes::Empty;
use crate::App;
use serde::{Deserialize, Serialize};

/// How often a write that lost a race is retried from a fresh read.
const RETRIES: usize = 3;

/// Removes the login keys `gone_if` selects from `identity` (and their providers from its
/// `logins` when none of theirs are left), atomically and version-checked. Returns the
/// identity as stored; nothing is written when nothing matches.
pub async fn release(
    app: &App,
    identity: Identity,
    gone_if: impl Fn(&str) -> bool,
) -> ApiResult<Identity> {
    let mut current = identity;
    for _ in 0..RETRIES {
        let (kept, gone): (Vec<String>, Vec<String>) = current
            .login_keys
            .iter()
            .cloned()
            .partition(|k| !gone_if(k));
        if gone.is_empty() {
            return Ok(current);
        }
        let mut next = current.clone();
        next.logins
            .retain(|p| kept.iter().any(|k| provider_of(k) == p));
        next.inaccessible = kept.is_empty();
        next.login_keys = kept;
        next.version += 1;
        next.modified_ms = app.clock.now_millis();
        match app.store.release_identity_logins(&next, &gone).await {
            Ok(()) => return Ok(next),
            Err(StoreError::Conflict) => {
                current = match app.store.get_identity(&current.id).await? {
                    Some(fresh) => fresh,
                    None => return Ok(current),
                };
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(super::identities::conflict())
}

/// The provider part of a login key (`provider|subject`).
pub fn provider_of(login_key: &str) -> &str {
    login_key.split_once('|').map_or(login_key, |(p, _)| p)
}

/// UnlinkIdentity's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnlinkInput {
    identity_id: String,
    logins: Logins,
    logins_to_remove: Vec<String>,
}

/// UnlinkIdentity: the Logins must prove the identity; the providers in LoginsToRemove are
/// taken off it.
pub async fn unlink_identity(app: &App, input: UnlinkInput) -> ApiResult<Empty> {
    let (_, identity, _) = prove(app, &input.identity_id, Some(input.logins)).await?;
    let remove = input.logins_to_remove;
    release(app, identity, |k| {
        remove.iter().any(|p| p == provider_of(k))
    })
    .await?;
    Ok(Empty {})
}

/// DeleteIdentities' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteInput {
    identity_ids_to_delete: Vec<String>,
}

/// An identity DeleteIdentities could not delete.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnprocessedIdentityId {
    /// The identity.
    pub identity_id: String,
    /// `InternalServerError` (or `AccessDenied`).
    pub error_code: &'static str,
}

/// DeleteIdentities' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteOutput {
    /// The identities not deleted.
    pub unprocessed_identity_ids: Vec<UnprocessedIdentityId>,
}

/// DeleteIdentities: each identity goes with its logins; one already gone counts as deleted.
pub async fn delete_identities(app: &App, input: DeleteInput) -> ApiResult<DeleteOutput> {
    let ids = input.identity_ids_to_delete;
    if ids.is_empty() || ids.len() > 60 {
        return Err(ApiError::constraint(
            "identityIdsToDelete",
            "Member must have length less than or equal to 60",
        ));
    }
    for id in &ids {
        super::pools::check_id("identityIdsToDelete", id)?;
    }
    let mut unprocessed = Vec::new();
    for id in ids {
        if let Err(why) = delete_one(app, &id).await {
            tracing::warn!(identity = %id, %why, "DeleteIdentities left an identity");
            unprocessed.push(UnprocessedIdentityId {
                identity_id: id,
                error_code: "InternalServerError",
            });
        }
    }
    Ok(DeleteOutput {
        unprocessed_identity_ids: unprocessed,
    })
}

async fn delete_one(app: &App, id: &str) -> Result<(), String> {
    for _ in 0..RETRIES {
        let Some(identity) = app
            .store
            .get_identity(id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        match app.store.delete_identity(&identity).await {
            Ok(()) => return Ok(()),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(format!("{e:?}")),
        }
    }
    Err("kept changing".into())
}
