//! The storage ports of a pool's OAuth front door: resource servers (custom scopes), domains
//! (a name claimed by one pool, and at most one name of each kind per pool), and the hosted
//! pages' UI customization. Like the other ports, uniqueness is the adapter's conditional write.

use super::{Page, StoreError};
use crate::error::Error;
use crate::userpool::model::{PoolDomain, ResourceServer, UiCustomization};
use async_trait::async_trait;

/// Resource servers of a pool, by identifier.
#[async_trait]
pub trait ResourceServerStore: Send + Sync {
    /// Creates a resource server; Conflict when its identifier exists in the pool.
    async fn create_resource_server(&self, server: &ResourceServer) -> Result<(), StoreError>;
    /// A resource server by pool and identifier.
    async fn get_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<ResourceServer>, Error>;
    /// Replaces an existing resource server; Conflict when it does not exist.
    async fn update_resource_server(&self, server: &ResourceServer) -> Result<(), StoreError>;
    /// Deletes a resource server. Returns whether it existed.
    async fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> Result<bool, Error>;
    /// A pool's resource servers ordered by identifier, after `after`.
    async fn list_resource_servers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<ResourceServer>, Error>;
}

/// Pool domains. A domain name belongs to one pool; a pool has at most one domain of each
/// [`crate::userpool::model::DomainKind`].
#[async_trait]
pub trait DomainStore: Send + Sync {
    /// Claims `domain.domain` for its pool, in one atomic write: Conflict when the name is
    /// taken (by any pool), AliasTaken(kind) when the pool already has a domain of that kind.
    async fn create_domain(&self, domain: &PoolDomain) -> Result<(), StoreError>;
    /// A domain by name.
    async fn get_domain(&self, domain: &str) -> Result<Option<PoolDomain>, Error>;
    /// A pool's domains (none, one or two).
    async fn pool_domains(&self, pool_id: &str) -> Result<Vec<PoolDomain>, Error>;
    /// Replaces a domain's settings; Conflict when it is gone or belongs to another pool.
    async fn update_domain(&self, domain: &PoolDomain) -> Result<(), StoreError>;
    /// Releases a domain of `pool_id`. Returns whether that pool held it.
    async fn delete_domain(&self, pool_id: &str, domain: &str) -> Result<bool, Error>;
}

/// UI customizations, per pool and client (`ALL` for the pool's default).
#[async_trait]
pub trait UiCustomizationStore: Send + Sync {
    /// Stores a customization, replacing the client's earlier one in one write that keeps the
    /// first `created_ms`; returns the record as stored.
    async fn put_ui_customization(
        &self,
        custom: &UiCustomization,
    ) -> Result<UiCustomization, Error>;
    /// The customization stored for exactly this client key (no fallback).
    async fn get_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<UiCustomization>, Error>;
}
