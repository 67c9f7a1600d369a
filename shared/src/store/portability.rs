//! The storage port of moving a deployment (`latchkey export` / `latchkey import`): whole
//! user records with the alias claims each holds, a pool's devices, and creating users in
//! bulk, each user (its record, its alias claims and the membership rows of its groups) in one
//! atomic write as [`super::UserStore::create_user`] writes one.

use super::{Page, StoreError};
use crate::error::Error;
use crate::userpool::model::{Device, User};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A user as stored, with the alias claims (`email:a@b.c`, `webauthn:…`) it holds. The
/// membership rows are the user's `groups`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserRecord {
    /// The user record (its `Debug` hides hashes and secrets).
    pub user: User,
    /// The alias claims the store holds for it, sorted.
    pub aliases: Vec<String>,
}

/// Listing everything a pool holds and writing it back in bulk.
#[async_trait]
pub trait PortabilityStore: Send + Sync {
    /// A pool's users in storage-key order after `after`, with their alias claims.
    async fn list_user_records(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<UserRecord>, Error>;
    /// A pool's confirmed devices, in the store's order after `after` (an opaque position).
    async fn list_pool_devices(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Device>, Error>;
    /// Creates each user with its alias claims and a membership row per entry of its
    /// `groups`, every user in one atomic write (all of it or nothing): UsernameTaken or
    /// AliasTaken as `create_user` refuses. One outcome per user, in order; a backend fault
    /// may leave later users unwritten (their outcome says so).
    async fn import_users(&self, users: &[UserRecord]) -> Vec<Result<(), StoreError>>;
}
