//! The storage port of a pool's external identity providers. A provider's name is unique in
//! its pool, and so is each of its `IdpIdentifiers`: both are claimed in one atomic write, so
//! two concurrent creates can never hold the same name or identifier.

use super::{Page, StoreError};
use crate::error::Error;
use crate::userpool::model::IdentityProvider;
use async_trait::async_trait;

/// Identity providers of a pool, by name, and by identifier.
#[async_trait]
pub trait IdentityProviderStore: Send + Sync {
    /// Creates a provider with its identifiers, atomically: Conflict when the name exists in
    /// the pool, AliasTaken(identifier) when an identifier is held by another provider.
    async fn create_identity_provider(&self, idp: &IdentityProvider) -> Result<(), StoreError>;
    /// A provider by pool and name.
    async fn get_identity_provider(
        &self,
        pool_id: &str,
        name: &str,
    ) -> Result<Option<IdentityProvider>, Error>;
    /// The provider holding `identifier` in the pool.
    async fn get_identity_provider_by_identifier(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<IdentityProvider>, Error>;
    /// Replaces an existing provider, releasing the identifiers it no longer has and claiming
    /// new ones in the same atomic write: Conflict when it does not exist, AliasTaken(identifier)
    /// when a new identifier is held by another provider.
    async fn update_identity_provider(&self, idp: &IdentityProvider) -> Result<(), StoreError>;
    /// Deletes a provider and releases its identifiers. Returns whether it existed.
    async fn delete_identity_provider(&self, pool_id: &str, name: &str) -> Result<bool, Error>;
    /// A pool's providers ordered by name, after `after`.
    async fn list_identity_providers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<IdentityProvider>, Error>;
}
