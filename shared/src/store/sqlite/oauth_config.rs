//! Resource servers, domains and UI customizations in SQLite. A domain's uniqueness (the name
//! across pools, one name per kind in a pool) is two unique keys on one row.

use super::{db, is_unique_violation, taken_as, to_json, SqliteStore};
use crate::error::Error;
use crate::store::paged;
use crate::store::{DomainStore, Page, ResourceServerStore, StoreError, UiCustomizationStore};
use crate::userpool::model::{PoolDomain, ResourceServer, UiCustomization};
use async_trait::async_trait;
use rusqlite::params;

/// The tables (part of the schema).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS resource_servers (pool_id TEXT NOT NULL, identifier TEXT NOT NULL,
  data TEXT NOT NULL, PRIMARY KEY (pool_id, identifier));
CREATE TABLE IF NOT EXISTS domains (domain TEXT PRIMARY KEY, pool_id TEXT NOT NULL,
  kind TEXT NOT NULL, data TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS domains_by_pool ON domains (pool_id, kind);
CREATE TABLE IF NOT EXISTS ui_customizations (pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (pool_id, client_id));
";

#[async_trait]
impl ResourceServerStore for SqliteStore {
    async fn create_resource_server(&self, server: &ResourceServer) -> Result<(), StoreError> {
        let data = to_json(server)?;
        self.conn()
            .execute(
                "INSERT INTO resource_servers (pool_id, identifier, data) VALUES (?1, ?2, ?3)",
                params![server.pool_id, server.identifier, data],
            )
            .map_err(|e| taken_as(e, StoreError::Conflict))?;
        Ok(())
    }

    async fn get_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<ResourceServer>, Error> {
        self.get_doc(
            "SELECT data FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2",
            params![pool_id, identifier],
        )
    }

    async fn update_resource_server(&self, server: &ResourceServer) -> Result<(), StoreError> {
        let data = to_json(server)?;
        let n = self
            .conn()
            .execute(
                "UPDATE resource_servers SET data = ?3 WHERE pool_id = ?1 AND identifier = ?2",
                params![server.pool_id, server.identifier, data],
            )
            .map_err(db)?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> Result<bool, Error> {
        let n = self
            .conn()
            .execute(
                "DELETE FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2",
                params![pool_id, identifier],
            )
            .map_err(db)?;
        Ok(n > 0)
    }

    async fn list_resource_servers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<ResourceServer>, Error> {
        let rows = self.list_docs(
            "SELECT identifier, data FROM resource_servers WHERE pool_id = ?1 AND identifier > ?2
             ORDER BY identifier LIMIT ?3",
            params![pool_id, after.unwrap_or(""), (limit + 1) as i64],
        )?;
        Ok(paged(rows, limit))
    }
}

#[async_trait]
impl DomainStore for SqliteStore {
    async fn create_domain(&self, domain: &PoolDomain) -> Result<(), StoreError> {
        let data = to_json(domain)?;
        let inserted = self.conn().execute(
            "INSERT INTO domains (domain, pool_id, kind, data) VALUES (?1, ?2, ?3, ?4)",
            params![domain.domain, domain.pool_id, domain.kind.as_str(), data],
        );
        match inserted {
            Ok(_) => Ok(()),
            // Which key refused it: SQLite names the columns of the failed constraint.
            Err(e) if is_unique_violation(&e) && e.to_string().contains("domains.domain") => {
                Err(StoreError::Conflict)
            }
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::AliasTaken(domain.kind.as_str().into()))
            }
            Err(e) => Err(StoreError::Backend(db(e))),
        }
    }

    async fn get_domain(&self, domain: &str) -> Result<Option<PoolDomain>, Error> {
        self.get_doc(
            "SELECT data FROM domains WHERE domain = ?1",
            params![domain],
        )
    }

    async fn pool_domains(&self, pool_id: &str) -> Result<Vec<PoolDomain>, Error> {
        let rows = self.list_docs(
            "SELECT domain, data FROM domains WHERE pool_id = ?1 ORDER BY kind",
            params![pool_id],
        )?;
        Ok(rows.into_iter().map(|(_, d)| d).collect())
    }

    async fn update_domain(&self, domain: &PoolDomain) -> Result<(), StoreError> {
        let data = to_json(domain)?;
        let n = self
            .conn()
            .execute(
                "UPDATE domains SET data = ?3 WHERE domain = ?1 AND pool_id = ?2",
                params![domain.domain, domain.pool_id, data],
            )
            .map_err(db)?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn delete_domain(&self, pool_id: &str, domain: &str) -> Result<bool, Error> {
        let n = self
            .conn()
            .execute(
                "DELETE FROM domains WHERE domain = ?1 AND pool_id = ?2",
                params![domain, pool_id],
            )
            .map_err(db)?;
        Ok(n > 0)
    }
}

#[async_trait]
impl UiCustomizationStore for SqliteStore {
    async fn put_ui_customization(
        &self,
        custom: &UiCustomization,
    ) -> Result<UiCustomization, Error> {
        let data = to_json(custom)?;
        let created: i64 = self
            .conn()
            .query_row(
                "INSERT INTO ui_customizations (pool_id, client_id, created_ms, data)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (pool_id, client_id) DO UPDATE SET data = excluded.data
                 RETURNING created_ms",
                params![custom.pool_id, custom.client_id, custom.created_ms, data],
                |r| r.get(0),
            )
            .map_err(db)?;
        Ok(UiCustomization {
            created_ms: created,
            ..custom.clone()
        })
    }

    async fn get_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<UiCustomization>, Error> {
        let conn = self.conn();
        let row: Option<(i64, String)> = rusqlite::OptionalExtension::optional(conn.query_row(
            "SELECT created_ms, data FROM ui_customizations WHERE pool_id = ?1 AND client_id = ?2",
            params![pool_id, client_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))
        .map_err(db)?;
        row.map(|(created_ms, data)| {
            let custom: UiCustomization = super::from_json(&data)?;
            Ok(UiCustomization {
                created_ms,
                ..custom
            })
        })
        .transpose()
    }
}
