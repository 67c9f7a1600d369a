//! Message counts on SQLite: one row per pool and key, counted by a single conditional upsert
//! (the same statement opens a new window, counts within the open one, or counts nothing).

use super::{db, SqliteStore};
use crate::error::Error;
use crate::store::SendCountStore;
use async_trait::async_trait;
use rusqlite::params;

#[async_trait]
impl SendCountStore for SqliteStore {
    async fn count_send(
        &self,
        pool_id: &str,
        key: &str,
        now_ms: i64,
        window_ms: i64,
        limit: u32,
    ) -> Result<bool, Error> {
        if limit == 0 {
            return Ok(false);
        }
        let over = now_ms.saturating_sub(window_ms);
        let conn = self.conn();
        // Windows that are over are nobody's any more; dropping them keeps the table small.
        conn.execute(
            "DELETE FROM send_counts WHERE window_start <= ?1",
            params![over],
        )
        .map_err(db)?;
        // The update's expressions read the row as it was, so both CASEs see the old window.
        let counted = conn
            .execute(
                "INSERT INTO send_counts (pool_id, key, window_start, count)
                 VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (pool_id, key) DO UPDATE SET
                   count = CASE WHEN window_start <= ?4 THEN 1 ELSE count + 1 END,
                   window_start = CASE WHEN window_start <= ?4 THEN ?3 ELSE window_start END
                 WHERE window_start <= ?4 OR count < ?5",
                params![pool_id, key, now_ms, over, limit],
            )
            .map_err(db)?;
        Ok(counted == 1)
    }
}
