//! Grants on SQLite: one row per handle hash; taking one is a single `DELETE … RETURNING`, so
//! of two concurrent takers exactly one gets it.

use super::{db, SqliteStore};
use crate::error::Error;
use crate::store::GrantStore;
use crate::userpool::model::GrantRecord;
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};

fn grant_of(row: &Row<'_>) -> rusqlite::Result<GrantRecord> {
    Ok(GrantRecord {
        handle_hash: row.get(0)?,
        pool_id: row.get(1)?,
        data: row.get(2)?,
        expires_ms: row.get(3)?,
    })
}

#[async_trait]
impl GrantStore for SqliteStore {
    async fn put_grant(&self, grant: &GrantRecord) -> Result<(), Error> {
        let conn = self.conn();
        // Grants nobody took are nobody's once expired; dropping them keeps the table small.
        conn.execute(
            "DELETE FROM grants WHERE expires_ms <= ?1",
            params![grant.expires_ms - 86_400_000],
        )
        .map_err(db)?;
        conn.execute(
            "INSERT INTO grants (handle_hash, pool_id, data, expires_ms) VALUES (?1, ?2, ?3, ?4)",
            params![
                grant.handle_hash,
                grant.pool_id,
                grant.data,
                grant.expires_ms
            ],
        )
        .map_err(db)?;
        Ok(())
    }

    async fn get_grant(
        &self,
        handle_hash: &str,
        now_ms: i64,
    ) -> Result<Option<GrantRecord>, Error> {
        self.conn()
            .query_row(
                "SELECT handle_hash, pool_id, data, expires_ms FROM grants
                 WHERE handle_hash = ?1 AND expires_ms > ?2",
                params![handle_hash, now_ms],
                grant_of,
            )
            .optional()
            .map_err(db)
    }

    async fn take_grant(
        &self,
        handle_hash: &str,
        now_ms: i64,
    ) -> Result<Option<GrantRecord>, Error> {
        let taken = self
            .conn()
            .query_row(
                "DELETE FROM grants WHERE handle_hash = ?1
                 RETURNING handle_hash, pool_id, data, expires_ms",
                params![handle_hash],
                grant_of,
            )
            .optional()
            .map_err(db)?;
        Ok(taken.filter(|g| g.expires_ms > now_ms))
    }
}
