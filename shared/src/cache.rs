//! A short-lived, per-process cache of pool and client configuration, so a sign-in, refresh
//! or GetUser reads only the user (and the token) from storage. Entries expire after a few
//! seconds, so a change made by another process (another Lambda instance) is seen promptly;
//! changes made in this process invalidate at once.

use crate::clock::Clock;
use crate::error::Error;
use crate::store::Store;
use crate::userpool::model::{AppClient, UserPool};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How long a cached pool or client is trusted.
pub const TTL: Duration = Duration::from_secs(5);

/// Entries by id, with the time (epoch ms, from the App's clock) each was read.
type Entries<T> = RwLock<HashMap<String, (i64, Arc<T>)>>;

/// Pools and clients by id.
pub struct ConfigCache {
    clock: Arc<dyn Clock>,
    pools: Entries<UserPool>,
    clients: Entries<AppClient>,
}

fn cached<T>(map: &Entries<T>, id: &str, now_ms: i64) -> Option<Arc<T>> {
    let guard = map.read().unwrap_or_else(|p| p.into_inner());
    guard
        .get(id)
        .filter(|(at, _)| now_ms - at < TTL.as_millis() as i64)
        .map(|(_, v)| v.clone())
}

fn remember<T>(map: &Entries<T>, id: &str, value: Option<T>, now_ms: i64) -> Option<Arc<T>> {
    let mut guard = map.write().unwrap_or_else(|p| p.into_inner());
    match value {
        Some(v) => {
            let v = Arc::new(v);
            guard.insert(id.to_string(), (now_ms, v.clone()));
            Some(v)
        }
        None => {
            guard.remove(id);
            None
        }
    }
}

impl ConfigCache {
    /// An empty cache aged by `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            pools: Entries::default(),
            clients: Entries::default(),
        }
    }

    /// A pool, from the cache or the store.
    pub async fn pool(&self, store: &dyn Store, id: &str) -> Result<Option<Arc<UserPool>>, Error> {
        let now = self.clock.now_millis();
        if let Some(p) = cached(&self.pools, id, now) {
            return Ok(Some(p));
        }
        Ok(remember(&self.pools, id, store.get_pool(id).await?, now))
    }

    /// A client, from the cache or the store.
    pub async fn client(
        &self,
        store: &dyn Store,
        id: &str,
    ) -> Result<Option<Arc<AppClient>>, Error> {
        let now = self.clock.now_millis();
        if let Some(c) = cached(&self.clients, id, now) {
            return Ok(Some(c));
        }
        Ok(remember(
            &self.clients,
            id,
            store.get_client(id).await?,
            now,
        ))
    }

    /// Forgets a pool (deleted or changed here).
    pub fn forget_pool(&self, id: &str) {
        remember::<UserPool>(&self.pools, id, None, 0);
    }

    /// Forgets a client (deleted or changed here).
    pub fn forget_client(&self, id: &str) {
        remember::<AppClient>(&self.clients, id, None, 0);
    }
}
