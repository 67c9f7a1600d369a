//! Users' devices in SQLite: one row per (pool, user, device key), its version beside the
//! JSON so a replacement can check it.

use super::{db, taken_as, to_json, SqliteStore};
use crate::error::Error;
use crate::store::{paged, DeviceStore, Page, StoreError};
use crate::userpool::model::Device;
use async_trait::async_trait;
use rusqlite::params;

/// The table (part of the schema).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS devices (pool_id TEXT NOT NULL, username_key TEXT NOT NULL,
  device_key TEXT NOT NULL, version INTEGER NOT NULL, confirmed INTEGER NOT NULL,
  data TEXT NOT NULL, PRIMARY KEY (pool_id, username_key, device_key));
";

#[async_trait]
impl DeviceStore for SqliteStore {
    async fn create_device(&self, device: &Device) -> Result<(), StoreError> {
        let data = to_json(device)?;
        let conn = self.conn();
        // Keys handed out and never confirmed lapse (DynamoDB's TTL drops them there): the
        // user's lapsed ones go as the next one is made, so they never pile up.
        conn.execute(
            "DELETE FROM devices WHERE pool_id = ?1 AND username_key = ?2 AND confirmed = 0
               AND json_extract(data, '$.expires_ms') <= ?3",
            params![device.pool_id, device.username_key, device.created_ms],
        )
        .map_err(db)?;
        conn.execute(
            "INSERT INTO devices (pool_id, username_key, device_key, version, confirmed, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                device.pool_id,
                device.username_key,
                device.device_key,
                device.version as i64,
                device.confirmed(),
                data
            ],
        )
        .map_err(|e| taken_as(e, StoreError::Conflict))?;
        Ok(())
    }

    async fn get_device(
        &self,
        pool_id: &str,
        username_key: &str,
        device_key: &str,
    ) -> Result<Option<Device>, Error> {
        self.get_doc(
            "SELECT data FROM devices
             WHERE pool_id = ?1 AND username_key = ?2 AND device_key = ?3",
            params![pool_id, username_key, device_key],
        )
    }

    async fn update_device(&self, device: &Device) -> Result<(), StoreError> {
        let data = to_json(device)?;
        let n = self
            .conn()
            .execute(
                "UPDATE devices SET version = ?4, confirmed = ?5, data = ?6
                 WHERE pool_id = ?1 AND username_key = ?2 AND device_key = ?3 AND version = ?7",
                params![
                    device.pool_id,
                    device.username_key,
                    device.device_key,
                    device.version as i64,
                    device.confirmed(),
                    data,
                    device.version as i64 - 1
                ],
            )
            .map_err(db)?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn list_devices(
        &self,
        pool_id: &str,
        username_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Device>, Error> {
        let rows = self.list_docs(
            "SELECT device_key, data FROM devices
             WHERE pool_id = ?1 AND username_key = ?2 AND confirmed = 1 AND device_key > ?3
             ORDER BY device_key LIMIT ?4",
            params![
                pool_id,
                username_key,
                after.unwrap_or(""),
                (limit + 1) as i64
            ],
        )?;
        Ok(paged(rows, limit))
    }

    async fn delete_device(
        &self,
        pool_id: &str,
        username_key: &str,
        device_key: &str,
    ) -> Result<bool, Error> {
        let n = self
            .conn()
            .execute(
                "DELETE FROM devices WHERE pool_id = ?1 AND username_key = ?2 AND device_key = ?3",
                params![pool_id, username_key, device_key],
            )
            .map_err(db)?;
        Ok(n > 0)
    }
}
