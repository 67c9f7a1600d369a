//! Identity pools, identities and their login claims in SQLite.

use super::{db, taken_as, to_json, SqliteStore};
use crate::error::Error;
use crate::identity::model::{Identity, IdentityPool};
use crate::store::paged;
use crate::store::{IdentityStore, Page, StoreError};
use async_trait::async_trait;
use rusqlite::params;

/// Claims `keys` for `identity` inside `tx`; AliasTaken names the first key held elsewhere.
fn claim_logins(
    tx: &rusqlite::Transaction<'_>,
    identity: &Identity,
    keys: &[String],
) -> Result<(), StoreError> {
    for key in keys {
        tx.execute(
            "INSERT INTO identity_logins (pool_id, login_key, identity_id) VALUES (?1, ?2, ?3)",
            params![identity.pool_id, key, identity.id],
        )
        .map_err(|e| taken_as(e, StoreError::AliasTaken(key.clone())))?;
    }
    Ok(())
}

/// Replaces `identity` inside `tx` when the stored version is `version - 1`; Conflict otherwise.
fn replace_versioned(
    tx: &rusqlite::Transaction<'_>,
    identity: &Identity,
    data: &str,
) -> Result<(), StoreError> {
    let n = tx
        .execute(
            "UPDATE identities SET version = ?2, data = ?3 WHERE id = ?1 AND version = ?4",
            params![
                identity.id,
                identity.version as i64,
                data,
                identity.version as i64 - 1
            ],
        )
        .map_err(db)?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn create_identity_pool(&self, pool: &IdentityPool) -> Result<(), StoreError> {
        let data = to_json(pool)?;
        self.conn()
            .execute(
                "INSERT INTO identity_pools (id, data) VALUES (?1, ?2)",
                params![pool.id, data],
            )
            .map_err(|e| taken_as(e, StoreError::Conflict))?;
        Ok(())
    }

    async fn get_identity_pool(&self, id: &str) -> Result<Option<IdentityPool>, Error> {
        self.get_doc("SELECT data FROM identity_pools WHERE id = ?1", params![id])
    }

    async fn update_identity_pool(&self, pool: &IdentityPool) -> Result<(), StoreError> {
        let data = to_json(pool)?;
        let n = self
            .conn()
            .execute(
                "UPDATE identity_pools SET data = ?2 WHERE id = ?1",
                params![pool.id, data],
            )
            .map_err(db)?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn delete_identity_pool(&self, id: &str) -> Result<bool, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        tx.execute(
            "DELETE FROM identity_logins WHERE pool_id = ?1",
            params![id],
        )
        .map_err(db)?;
        tx.execute("DELETE FROM identities WHERE pool_id = ?1", params![id])
            .map_err(db)?;
        let n = tx
            .execute("DELETE FROM identity_pools WHERE id = ?1", params![id])
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(n > 0)
    }

    async fn list_identity_pools(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<IdentityPool>, Error> {
        let rows = self.list_docs(
            "SELECT id, data FROM identity_pools WHERE id > ?1 ORDER BY id LIMIT ?2",
            params![after.unwrap_or(""), (limit + 1) as i64],
        )?;
        Ok(paged(rows, limit))
    }

    async fn create_identity(&self, identity: &Identity) -> Result<(), StoreError> {
        let data = to_json(identity)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO identities (id, pool_id, version, data) VALUES (?1, ?2, ?3, ?4)",
            params![identity.id, identity.pool_id, identity.version as i64, data],
        )
        .map_err(|e| taken_as(e, StoreError::Conflict))?;
        claim_logins(&tx, identity, &identity.login_keys)?;
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn get_identity(&self, id: &str) -> Result<Option<Identity>, Error> {
        self.get_doc("SELECT data FROM identities WHERE id = ?1", params![id])
    }

    async fn get_identity_by_login(
        &self,
        pool_id: &str,
        login_key: &str,
    ) -> Result<Option<Identity>, Error> {
        self.get_doc(
            "SELECT i.data FROM identity_logins l JOIN identities i ON i.id = l.identity_id
             WHERE l.pool_id = ?1 AND l.login_key = ?2",
            params![pool_id, login_key],
        )
    }

    async fn update_identity(
        &self,
        identity: &Identity,
        new_login_keys: &[String],
    ) -> Result<(), StoreError> {
        let data = to_json(identity)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        replace_versioned(&tx, identity, &data)?;
        claim_logins(&tx, identity, new_login_keys)?;
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn release_identity_logins(
        &self,
        identity: &Identity,
        released_login_keys: &[String],
    ) -> Result<(), StoreError> {
        let data = to_json(identity)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        replace_versioned(&tx, identity, &data)?;
        for key in released_login_keys {
            // Only this identity's claim is freed; one held elsewhere is left alone.
            tx.execute(
                "DELETE FROM identity_logins
                 WHERE pool_id = ?1 AND login_key = ?2 AND identity_id = ?3",
                params![identity.pool_id, key, identity.id],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn merge_identities(
        &self,
        source: &Identity,
        destination: &Identity,
    ) -> Result<(), StoreError> {
        let data = to_json(destination)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        replace_versioned(&tx, destination, &data)?;
        let gone = tx
            .execute(
                "DELETE FROM identities WHERE id = ?1 AND version = ?2",
                params![source.id, source.version as i64],
            )
            .map_err(db)?;
        if gone != 1 {
            return Err(StoreError::Conflict);
        }
        for key in &source.login_keys {
            let moved = tx
                .execute(
                    "UPDATE identity_logins SET identity_id = ?4
                     WHERE pool_id = ?1 AND login_key = ?2 AND identity_id = ?3",
                    params![source.pool_id, key, source.id, destination.id],
                )
                .map_err(db)?;
            if moved != 1 {
                return Err(StoreError::Conflict);
            }
        }
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn delete_identity(&self, identity: &Identity) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        let gone = tx
            .execute(
                "DELETE FROM identities WHERE id = ?1 AND version = ?2",
                params![identity.id, identity.version as i64],
            )
            .map_err(db)?;
        if gone != 1 {
            return Err(StoreError::Conflict);
        }
        tx.execute(
            "DELETE FROM identity_logins WHERE pool_id = ?1 AND identity_id = ?2",
            params![identity.pool_id, identity.id],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn list_identities(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Identity>, Error> {
        let rows = self.list_docs(
            "SELECT id, data FROM identities WHERE pool_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
            params![pool_id, after.unwrap_or(""), (limit + 1) as i64],
        )?;
        Ok(paged(rows, limit))
    }
}
