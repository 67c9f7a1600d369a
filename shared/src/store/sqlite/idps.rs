//! A pool's identity providers in SQLite: one row per provider, and one row per identifier
//! whose primary key (pool, identifier) makes an identifier unique in its pool. A provider and
//! its identifiers are written in one transaction.

use super::{db, taken_as, to_json, SqliteStore};
use crate::error::Error;
use crate::store::{paged, IdentityProviderStore, Page, StoreError};
use crate::userpool::model::IdentityProvider;
use async_trait::async_trait;
use rusqlite::{params, Transaction};

/// The tables (part of the schema).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS identity_providers (pool_id TEXT NOT NULL, name TEXT NOT NULL,
  data TEXT NOT NULL, PRIMARY KEY (pool_id, name));
CREATE TABLE IF NOT EXISTS idp_identifiers (pool_id TEXT NOT NULL, identifier TEXT NOT NULL,
  name TEXT NOT NULL, PRIMARY KEY (pool_id, identifier));
CREATE INDEX IF NOT EXISTS idp_identifiers_by_name ON idp_identifiers (pool_id, name);
";

/// Claims `identifiers` for the provider `name` inside `tx`; AliasTaken(identifier) for the
/// first one held already.
fn claim(
    tx: &Transaction<'_>,
    pool_id: &str,
    name: &str,
    identifiers: &[String],
) -> Result<(), StoreError> {
    for identifier in identifiers {
        tx.execute(
            "INSERT INTO idp_identifiers (pool_id, identifier, name) VALUES (?1, ?2, ?3)",
            params![pool_id, identifier, name],
        )
        .map_err(|e| taken_as(e, StoreError::AliasTaken(identifier.clone())))?;
    }
    Ok(())
}

#[async_trait]
impl IdentityProviderStore for SqliteStore {
    async fn create_identity_provider(&self, idp: &IdentityProvider) -> Result<(), StoreError> {
        let data = to_json(idp)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO identity_providers (pool_id, name, data) VALUES (?1, ?2, ?3)",
            params![idp.pool_id, idp.name, data],
        )
        .map_err(|e| taken_as(e, StoreError::Conflict))?;
        claim(&tx, &idp.pool_id, &idp.name, &idp.idp_identifiers)?;
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn get_identity_provider(
        &self,
        pool_id: &str,
        name: &str,
    ) -> Result<Option<IdentityProvider>, Error> {
        self.get_doc(
            "SELECT data FROM identity_providers WHERE pool_id = ?1 AND name = ?2",
            params![pool_id, name],
        )
    }

    async fn get_identity_provider_by_identifier(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<IdentityProvider>, Error> {
        self.get_doc(
            "SELECT p.data FROM idp_identifiers i JOIN identity_providers p
               ON p.pool_id = i.pool_id AND p.name = i.name
             WHERE i.pool_id = ?1 AND i.identifier = ?2",
            params![pool_id, identifier],
        )
    }

    async fn update_identity_provider(&self, idp: &IdentityProvider) -> Result<(), StoreError> {
        let data = to_json(idp)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        let n = tx
            .execute(
                "UPDATE identity_providers SET data = ?3 WHERE pool_id = ?1 AND name = ?2",
                params![idp.pool_id, idp.name, data],
            )
            .map_err(db)?;
        if n != 1 {
            return Err(StoreError::Conflict);
        }
        // Release everything the provider held, then claim its identifiers afresh: the ones it
        // keeps come straight back, and a new one held elsewhere refuses the whole write.
        tx.execute(
            "DELETE FROM idp_identifiers WHERE pool_id = ?1 AND name = ?2",
            params![idp.pool_id, idp.name],
        )
        .map_err(db)?;
        claim(&tx, &idp.pool_id, &idp.name, &idp.idp_identifiers)?;
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn delete_identity_provider(&self, pool_id: &str, name: &str) -> Result<bool, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        tx.execute(
            "DELETE FROM idp_identifiers WHERE pool_id = ?1 AND name = ?2",
            params![pool_id, name],
        )
        .map_err(db)?;
        let n = tx
            .execute(
                "DELETE FROM identity_providers WHERE pool_id = ?1 AND name = ?2",
                params![pool_id, name],
            )
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(n > 0)
    }

    async fn list_identity_providers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<IdentityProvider>, Error> {
        let rows = self.list_docs(
            "SELECT name, data FROM identity_providers WHERE pool_id = ?1 AND name > ?2
             ORDER BY name LIMIT ?3",
            params![pool_id, after.unwrap_or(""), (limit + 1) as i64],
        )?;
        Ok(paged(rows, limit))
    }
}
