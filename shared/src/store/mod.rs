//! The storage ports and their adapters. Operations are domain verbs; every write that must be
//! unique or atomic is conditional in the adapter, never read-then-write in the caller.

mod devices;
pub mod dynamodb;
mod idps;
mod import_jobs;
mod oauth_config;
mod portability;
pub mod sqlite;

pub use devices::DeviceStore;
pub use idps::IdentityProviderStore;
pub use import_jobs::ImportJobStore;
pub use oauth_config::{DomainStore, ResourceServerStore, UiCustomizationStore};
pub use portability::{PortabilityStore, UserRecord};

/// The settings a deployment keeps ([`PoolStore::get_setting`]); an export carries them all.
pub mod settings {
    /// The key that seals challenge sessions and SRP state (base64 of 32 bytes).
    pub const SESSION_KEY: &str = "session_key";
    /// The key that signs identity OpenID tokens (a stored RSA key as JSON).
    pub const IDENTITY_SIGNING_KEY: &str = "identity_signing_key";
    /// The local server's default pool id.
    pub const DEFAULT_POOL_ID: &str = "default_pool_id";
    /// The local server's default app client id.
    pub const DEFAULT_CLIENT_ID: &str = "default_client_id";
    /// Every setting name in use.
    pub const ALL: &[&str] = &[
        SESSION_KEY,
        IDENTITY_SIGNING_KEY,
        DEFAULT_POOL_ID,
        DEFAULT_CLIENT_ID,
    ];
}

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;

use crate::error::Error;
use crate::identity::model::{Identity, IdentityPool};
use crate::userpool::model::{
    AppClient, CodePurpose, GrantRecord, Group, OutboundMessage, PendingCode, RefreshRecord, User,
    UserPool,
};
use async_trait::async_trait;

/// A filter over users (ListUsers' Filter), applied while paging.
pub type UserPredicate = dyn for<'u> Fn(&'u User) -> bool + Send + Sync;

/// Why a conditional write was refused.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The username is taken.
    #[error("username taken")]
    UsernameTaken,
    /// An alias (e.g. `email:a@b.c`) is claimed by another user.
    #[error("alias taken: {0}")]
    AliasTaken(String),
    /// The record changed since it was read (version check failed) or is gone.
    #[error("conflict")]
    Conflict,
    /// The backend failed.
    #[error(transparent)]
    Backend(#[from] Error),
}

/// One page of a listing plus the key to continue after.
#[derive(Debug)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Opaque position to continue from, when there is more.
    pub next: Option<String>,
}

/// Cuts a listing fetched with one extra entry into a page; `next` is the last key returned.
pub(crate) fn paged<T>(mut rows: Vec<(String, T)>, limit: usize) -> Page<T> {
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|(k, _)| k.clone())
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(|(_, v)| v).collect(),
        next,
    }
}

/// Pools and app clients.
#[async_trait]
pub trait PoolStore: Send + Sync {
    /// Creates a pool; fails with Conflict when the id exists.
    async fn create_pool(&self, pool: &UserPool) -> Result<(), StoreError>;
    /// A pool by id.
    async fn get_pool(&self, pool_id: &str) -> Result<Option<UserPool>, Error>;
    /// Replaces a pool whose stored version is `expected_version` (a record without one is at
    /// 0); Conflict when it does not exist or another write changed it since.
    async fn update_pool(&self, pool: &UserPool, expected_version: u64) -> Result<(), StoreError>;
    /// Pools ordered by id, after `after`.
    async fn list_pools(&self, after: Option<&str>, limit: usize) -> Result<Page<UserPool>, Error>;
    /// Deletes a pool and everything in it (users, clients, groups, resource servers, domains,
    /// UI customizations, identity providers...). Returns whether it existed.
    async fn delete_pool(&self, pool_id: &str) -> Result<bool, Error>;
    /// Creates an app client; Conflict when the id exists.
    async fn create_client(&self, client: &AppClient) -> Result<(), StoreError>;
    /// Replaces an existing client of `client.pool_id`; Conflict when that pool has no
    /// client with this id.
    async fn update_client(&self, client: &AppClient) -> Result<(), StoreError>;
    /// An app client by id.
    async fn get_client(&self, client_id: &str) -> Result<Option<AppClient>, Error>;
    /// A pool's clients ordered by id, after `after`.
    async fn list_clients(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<AppClient>, Error>;
    /// Deletes a client. Returns whether it existed in that pool.
    async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<bool, Error>;
    /// Counts a pool's users (EstimatedNumberOfUsers).
    async fn count_users(&self, pool_id: &str) -> Result<u64, Error>;
    /// A small setting of the deployment (e.g. the local server's default pool id).
    async fn get_setting(&self, key: &str) -> Result<Option<String>, Error>;
    /// Sets a setting only if it is unset; returns the value in force afterwards.
    async fn put_setting_once(&self, key: &str, value: &str) -> Result<String, Error>;
}

/// Users, their alias claims and their codes.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates a user and claims `aliases` (e.g. `email:a@b.c`) in one atomic write.
    async fn create_user(&self, user: &User, aliases: &[String]) -> Result<(), StoreError>;
    /// A user by storage key.
    async fn get_user(&self, pool_id: &str, username_key: &str) -> Result<Option<User>, Error>;
    /// The user holding an alias claim.
    async fn get_user_by_alias(&self, pool_id: &str, alias: &str) -> Result<Option<User>, Error>;
    /// Replaces a user if its stored version is `user.version - 1`; Conflict otherwise.
    async fn update_user(&self, user: &User) -> Result<(), StoreError>;
    /// Replaces a user like [`UserStore::update_user`] and, in the same atomic write, claims
    /// `claim` and releases `release` alias keys. AliasTaken if a claim is held by another user.
    async fn update_user_and_aliases(
        &self,
        user: &User,
        claim: &[String],
        release: &[String],
    ) -> Result<(), StoreError>;
    /// Deletes a user, its aliases, codes, refresh tokens and memberships. Returns whether it
    /// existed.
    async fn delete_user(&self, pool_id: &str, username_key: &str) -> Result<bool, Error>;
    /// Users ordered by storage key after `after`, keeping those `keep` accepts, up to `limit`.
    async fn list_users(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
        keep: &UserPredicate,
    ) -> Result<Page<User>, Error>;
    /// Stores a code, replacing any earlier one for the same user and purpose.
    async fn put_code(&self, code: &PendingCode) -> Result<(), Error>;
    /// The pending code for a user and purpose.
    async fn get_code(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<Option<PendingCode>, Error>;
    /// Atomically counts a wrong attempt; returns the new count (0 if no code).
    async fn record_code_failure(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<u32, Error>;
    /// Removes a code (used, or burned).
    async fn delete_code(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<(), Error>;
}

/// Refresh tokens.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// A user's refresh tokens (sign-out finds the sessions to end).
    async fn list_refresh_tokens(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> Result<Vec<RefreshRecord>, Error>;
    /// Marks a user's refresh tokens revoked: all, or those of one `origin_jti`.
    async fn revoke_refresh_tokens(
        &self,
        pool_id: &str,
        username_key: &str,
        origin_jti: Option<&str>,
    ) -> Result<(), Error>;
    /// Marks `old_hash` rotated at `now_ms` and stores `new`, atomically, only if `old_hash`
    /// was not rotated yet (Conflict otherwise): a token rotates exactly once.
    /// Stores a new refresh token record.
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        now_ms: i64,
        new: &RefreshRecord,
    ) -> Result<(), StoreError>;
    /// Stores a new refresh token record.
    async fn put_refresh_token(&self, record: &RefreshRecord) -> Result<(), Error>;
    /// A refresh token record and its user together (strongly consistent). Adapters that can
    /// fetch both in one request (DynamoDB BatchGetItem) override this.
    async fn get_refresh_session(
        &self,
        token_hash: &str,
        pool_id: &str,
        username_key: &str,
    ) -> Result<(Option<RefreshRecord>, Option<User>), Error>;
    /// A refresh token record by the token's hash (strongly consistent).
    async fn get_refresh_token(&self, token_hash: &str) -> Result<Option<RefreshRecord>, Error>;
}

/// Messages delivered locally (the outbox).
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Appends a message.
    async fn append_outbox(&self, msg: &OutboundMessage) -> Result<i64, Error>;
    /// Messages, oldest first, optionally for one pool and username.
    async fn list_outbox(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<(i64, OutboundMessage)>, Error>;
}

/// Groups and memberships. A user's group names are also kept on the user record, written in
/// the same atomic write as the membership.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Creates a group; Conflict when the name exists in the pool.
    async fn create_group(&self, group: &Group) -> Result<(), StoreError>;
    /// A group by name.
    async fn get_group(&self, pool_id: &str, name: &str) -> Result<Option<Group>, Error>;
    /// Replaces an existing group; Conflict when it does not exist.
    async fn update_group(&self, group: &Group) -> Result<(), StoreError>;
    /// Deletes a group and its memberships (members' records are the caller's to update).
    async fn delete_group(&self, pool_id: &str, name: &str) -> Result<bool, Error>;
    /// Groups ordered by name, after `after`.
    async fn list_groups(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Group>, Error>;
    /// Adds or removes a membership and replaces the user (version-checked), atomically.
    async fn set_membership(
        &self,
        user: &User,
        group: &str,
        member: bool,
    ) -> Result<(), StoreError>;
    /// A group's members ordered by username key, after `after`.
    async fn list_members(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<User>, Error>;
}

/// Identity pools and identities. Each login (`provider|subject`) is claimed by one identity
/// with a conditional write, like a user's aliases.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// Creates an identity pool; Conflict when the id exists.
    async fn create_identity_pool(&self, pool: &IdentityPool) -> Result<(), StoreError>;
    /// An identity pool by id.
    async fn get_identity_pool(&self, id: &str) -> Result<Option<IdentityPool>, Error>;
    /// Replaces an existing identity pool; Conflict when it does not exist.
    async fn update_identity_pool(&self, pool: &IdentityPool) -> Result<(), StoreError>;
    /// Deletes an identity pool and its identities. Returns whether it existed.
    async fn delete_identity_pool(&self, id: &str) -> Result<bool, Error>;
    /// Identity pools ordered by id, after `after`.
    async fn list_identity_pools(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<IdentityPool>, Error>;
    /// Creates an identity claiming its `login_keys` atomically; AliasTaken(key) when one is
    /// claimed already.
    async fn create_identity(&self, identity: &Identity) -> Result<(), StoreError>;
    /// An identity by id.
    async fn get_identity(&self, id: &str) -> Result<Option<Identity>, Error>;
    /// The identity holding a login key in a pool.
    async fn get_identity_by_login(
        &self,
        pool_id: &str,
        login_key: &str,
    ) -> Result<Option<Identity>, Error>;
    /// Replaces an identity (version-checked: stored version must be `version - 1`) and claims
    /// `new_login_keys` in the same atomic write.
    async fn update_identity(
        &self,
        identity: &Identity,
        new_login_keys: &[String],
    ) -> Result<(), StoreError>;
    /// Replaces an identity (version-checked as in `update_identity`) and frees
    /// `released_login_keys` (claims it holds) in the same atomic write: UnlinkIdentity,
    /// UnlinkDeveloperIdentity. A freed login maps to a new identity the next time it is seen.
    async fn release_identity_logins(
        &self,
        identity: &Identity,
        released_login_keys: &[String],
    ) -> Result<(), StoreError>;
    /// Moves every login of `source` to `destination` in one atomic write: `destination`
    /// (holding the moved keys, version-checked as in `update_identity`) is written, `source`
    /// (still at its stored version) is deleted, and each moved claim now names `destination`.
    /// Conflict when either identity changed or a claim is no longer `source`'s.
    async fn merge_identities(
        &self,
        source: &Identity,
        destination: &Identity,
    ) -> Result<(), StoreError>;
    /// Deletes an identity (still at its stored `version`) and frees its logins atomically;
    /// Conflict when it changed or is gone.
    async fn delete_identity(&self, identity: &Identity) -> Result<(), StoreError>;
    /// A pool's identities ordered by id, after `after`.
    async fn list_identities(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Identity>, Error>;
}

/// Counts of messages sent, so a mailbox or phone number can't be flooded (the abuse limits of
/// `userpool::send_limits`). Counts live in the store so every process sees the same ones.
#[async_trait]
pub trait SendCountStore: Send + Sync {
    /// Counts one message under `key` in a fixed window of `window_ms` that opens at the
    /// first message counted (a window opened at or before `now_ms - window_ms` is over, and
    /// the next message opens a new one). Returns false, counting nothing, when the open
    /// window already holds `limit` messages. One conditional write: concurrent callers never
    /// count past `limit`.
    async fn count_send(
        &self,
        pool_id: &str,
        key: &str,
        now_ms: i64,
        window_ms: i64,
        limit: u32,
    ) -> Result<bool, Error>;
}

/// Grants handed out by reference (OAuth authorization codes, hosted sign-in sessions). Each
/// is found by the hash of its handle; [`GrantStore::take_grant`] is how a single-use grant is
/// spent: one atomic delete that returns what it deleted, so two takers never both get it.
#[async_trait]
pub trait GrantStore: Send + Sync {
    /// Stores a grant; a handle hash already stored is a fault (handles are random).
    async fn put_grant(&self, grant: &GrantRecord) -> Result<(), Error>;
    /// The grant, unless it is unknown or expired at `now_ms`.
    async fn get_grant(&self, handle_hash: &str, now_ms: i64)
        -> Result<Option<GrantRecord>, Error>;
    /// Removes the grant and returns it, unless it was unknown, already taken, or expired at
    /// `now_ms` (an expired one is removed all the same).
    async fn take_grant(
        &self,
        handle_hash: &str,
        now_ms: i64,
    ) -> Result<Option<GrantRecord>, Error>;
}

/// Everything the user pool needs from storage.
pub trait Store:
    PoolStore
    + UserStore
    + TokenStore
    + OutboxStore
    + GroupStore
    + IdentityStore
    + SendCountStore
    + GrantStore
    + ResourceServerStore
    + DomainStore
    + UiCustomizationStore
    + DeviceStore
    + ImportJobStore
    + PortabilityStore
    + IdentityProviderStore
{
}
impl<T> Store for T where
    T: PoolStore
        + UserStore
        + TokenStore
        + OutboxStore
        + GroupStore
        + IdentityStore
        + SendCountStore
        + GrantStore
        + ResourceServerStore
        + DomainStore
        + UiCustomizationStore
        + DeviceStore
        + ImportJobStore
        + PortabilityStore
        + IdentityProviderStore
{
}

impl From<StoreError> for crate::error::ApiError {
    /// For callers with no domain meaning for a refused write: it is an internal fault.
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Backend(b) => crate::error::ApiError::internal(&b),
            other => crate::error::ApiError::internal(&Error::Store(other.to_string())),
        }
    }
}
