//! A short-lived, per-process cache of pool and client configuration, so a sign-in, refresh
//! or GetUser reads only the user (and the token) from storage. Entries expire after a few
//! seconds, so a change made by another process (another Lambda instance) is seen promptly;
//! changes made in this process invalidate at once.

use crate::error::Error;
use crate::store::Store;
use crate::userpool::model::{AppClient, UserPool};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a cached pool or client is trusted.
pub const TTL: Duration = Duration::from_secs(5);

type Entries<T> = RwLock<HashMap<String, (Instant, Arc<T>)>>;

/// Pools and clients by id.
#[derive(Default)]
pub struct ConfigCache {
    pools: Entries<UserPool>,
    clients: Entries<AppClient>,
}

fn cached<T>(map: &Entries<T>, id: &str) -> Option<Arc<T>> {
    let guard = map.read().unwrap_or_else(|p| p.into_inner());
    guard
        .get(id)
        .filter(|(at, _)| at.elapsed() < TTL)
        .map(|(_, v)| v.clone())
}

fn remember<T>(map: &Entries<T>, id: &str, value: Option<T>) -> Option<Arc<T>> {
    let mut guard = map.write().unwrap_or_else(|p| p.into_inner());
    match value {
        Some(v) => {
            let v = Arc::new(v);
            guard.insert(id.to_string(), (Instant::now(), v.clone()));
            Some(v)
        }
        None => {
            guard.remove(id);
            None
        }
    }
}

impl ConfigCache {
    /// A pool, from the cache or the store.
    pub async fn pool(&self, store: &dyn Store, id: &str) -> Result<Option<Arc<UserPool>>, Error> {
        if let Some(p) = cached(&self.pools, id) {
            return Ok(Some(p));
        }
        Ok(remember(&self.pools, id, store.get_pool(id).await?))
    }

    /// A client, from the cache or the store.
    pub async fn client(
        &self,
        store: &dyn Store,
        id: &str,
    ) -> Result<Option<Arc<AppClient>>, Error> {
        if let Some(c) = cached(&self.clients, id) {
            return Ok(Some(c));
        }
        Ok(remember(&self.clients, id, store.get_client(id).await?))
    }

    /// Forgets a pool (deleted or changed here).
    pub fn forget_pool(&self, id: &str) {
        remember::<UserPool>(&self.pools, id, None);
    }

    /// Forgets a client (deleted or changed here).
    pub fn forget_client(&self, id: &str) {
        remember::<AppClient>(&self.clients, id, None);
    }
}
