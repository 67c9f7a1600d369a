//! Pools, clients and settings in SQLite.

use super::{db, taken_as, to_json, SqliteStore};
use crate::error::Error;
use crate::store::paged;
use crate::store::{Page, PoolStore, StoreError};
use crate::userpool::model::{AppClient, UserPool};
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

#[async_trait]
impl PoolStore for SqliteStore {
    async fn create_pool(&self, pool: &UserPool) -> Result<(), StoreError> {
        let data = to_json(pool)?;
        self.conn()
            .execute(
                "INSERT INTO pools (id, data) VALUES (?1, ?2)",
                params![pool.id, data],
            )
            .map_err(|e| taken_as(e, StoreError::Conflict))?;
        Ok(())
    }

    async fn update_pool(&self, pool: &UserPool, expected_version: u64) -> Result<(), StoreError> {
        let data = to_json(pool)?;
        let n = self
            .conn()
            .execute(
                "UPDATE pools SET data = ?2 \
                 WHERE id = ?1 AND COALESCE(json_extract(data, '$.version'), 0) = ?3",
                params![pool.id, data, expected_version as i64],
            )
            .map_err(db)?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn get_pool(&self, pool_id: &str) -> Result<Option<UserPool>, Error> {
        self.get_doc("SELECT data FROM pools WHERE id = ?1", params![pool_id])
    }

    async fn list_pools(&self, after: Option<&str>, limit: usize) -> Result<Page<UserPool>, Error> {
        let rows = self.list_docs(
            "SELECT id, data FROM pools WHERE id > ?1 ORDER BY id LIMIT ?2",
            params![after.unwrap_or(""), (limit + 1) as i64],
        )?;
        Ok(paged(rows, limit))
    }

    async fn delete_pool(&self, pool_id: &str) -> Result<bool, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        for table in [
            "clients",
            "users",
            "aliases",
            "codes",
            "refresh_tokens",
            "outbox",
            "groups",
            "memberships",
            "send_counts",
            "grants",
            "resource_servers",
            "domains",
            "ui_customizations",
            "devices",
            "import_jobs",
            "identity_providers",
            "idp_identifiers",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE pool_id = ?1"),
                params![pool_id],
            )
            .map_err(db)?;
        }
        let n = tx
            .execute("DELETE FROM pools WHERE id = ?1", params![pool_id])
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(n > 0)
    }

    async fn create_client(&self, client: &AppClient) -> Result<(), StoreError> {
        let data = to_json(client)?;
        self.conn()
            .execute(
                "INSERT INTO clients (client_id, pool_id, data) VALUES (?1, ?2, ?3)",
                params![client.client_id, client.pool_id, data],
            )
            .map_err(|e| taken_as(e, StoreError::Conflict))?;
        Ok(())
    }

    async fn update_client(&self, client: &AppClient) -> Result<(), StoreError> {
        let data = to_json(client)?;
        let n = self
            .conn()
            .execute(
                "UPDATE clients SET data = ?3 WHERE client_id = ?1 AND pool_id = ?2",
                params![client.client_id, client.pool_id, data],
            )
            .map_err(db)?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn get_client(&self, client_id: &str) -> Result<Option<AppClient>, Error> {
        self.get_doc(
            "SELECT data FROM clients WHERE client_id = ?1",
            params![client_id],
        )
    }

    async fn list_clients(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<AppClient>, Error> {
        let rows = self.list_docs(
            "SELECT client_id, data FROM clients WHERE pool_id = ?1 AND client_id > ?2
             ORDER BY client_id LIMIT ?3",
            params![pool_id, after.unwrap_or(""), (limit + 1) as i64],
        )?;
        Ok(paged(rows, limit))
    }

    async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<bool, Error> {
        let n = self
            .conn()
            .execute(
                "DELETE FROM clients WHERE pool_id = ?1 AND client_id = ?2",
                params![pool_id, client_id],
            )
            .map_err(db)?;
        Ok(n > 0)
    }

    async fn count_users(&self, pool_id: &str) -> Result<u64, Error> {
        let n: i64 = self
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM users WHERE pool_id = ?1",
                params![pool_id],
                |r| r.get(0),
            )
            .map_err(db)?;
        Ok(n as u64)
    }

    async fn get_setting(&self, key: &str) -> Result<Option<String>, Error> {
        self.conn()
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
    }

    async fn put_setting_once(&self, key: &str, value: &str) -> Result<String, Error> {
        let conn = self.conn();
        conn.execute(
            "INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)",
            params![key, value],
        )
        .map_err(db)?;
        conn.query_row(
            "SELECT value FROM settings WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )
        .map_err(db)
    }
}
