//! Refresh tokens and the outbox in SQLite.

use super::{db, to_json, SqliteStore};
use crate::error::Error;
use crate::store::{OutboxStore, StoreError, TokenStore, UserStore};
use crate::userpool::model::{OutboundMessage, RefreshRecord, User};
use async_trait::async_trait;
use rusqlite::params;

#[async_trait]
impl TokenStore for SqliteStore {
    async fn get_refresh_session(
        &self,
        token_hash: &str,
        pool_id: &str,
        username_key: &str,
    ) -> Result<(Option<RefreshRecord>, Option<User>), Error> {
        let record = self.get_refresh_token(token_hash).await?;
        let user = self.get_user(pool_id, username_key).await?;
        Ok((record, user))
    }

    async fn list_refresh_tokens(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> Result<Vec<RefreshRecord>, Error> {
        let rows: Vec<(String, RefreshRecord)> = self.list_docs(
            "SELECT token_hash, data FROM refresh_tokens WHERE pool_id = ?1 AND username_key = ?2",
            params![pool_id, username_key],
        )?;
        Ok(rows.into_iter().map(|(_, r)| r).collect())
    }

    async fn revoke_refresh_tokens(
        &self,
        pool_id: &str,
        username_key: &str,
        origin_jti: Option<&str>,
    ) -> Result<(), Error> {
        self.conn()
            .execute(
                "UPDATE refresh_tokens SET data = json_set(data, '$.revoked', json('true'))
                 WHERE pool_id = ?1 AND username_key = ?2
                   AND (?3 IS NULL OR json_extract(data, '$.origin_jti') = ?3)",
                params![pool_id, username_key, origin_jti],
            )
            .map_err(db)?;
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        now_ms: i64,
        new: &RefreshRecord,
    ) -> Result<(), StoreError> {
        let data = to_json(new)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        let n = tx
            .execute(
                "UPDATE refresh_tokens SET data = json_set(data, '$.rotated_ms', ?2)
                 WHERE token_hash = ?1 AND json_extract(data, '$.rotated_ms') IS NULL",
                params![old_hash, now_ms],
            )
            .map_err(db)?;
        if n != 1 {
            return Err(StoreError::Conflict);
        }
        tx.execute(
            "INSERT INTO refresh_tokens (token_hash, pool_id, username_key, data)
             VALUES (?1, ?2, ?3, ?4)",
            params![new.token_hash, new.pool_id, new.username_key, data],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn put_refresh_token(&self, record: &RefreshRecord) -> Result<(), Error> {
        let data = to_json(record)?;
        self.conn()
            .execute(
                "INSERT INTO refresh_tokens (token_hash, pool_id, username_key, data)
                 VALUES (?1, ?2, ?3, ?4)",
                params![record.token_hash, record.pool_id, record.username_key, data],
            )
            .map_err(db)?;
        Ok(())
    }

    async fn get_refresh_token(&self, token_hash: &str) -> Result<Option<RefreshRecord>, Error> {
        self.get_doc(
            "SELECT data FROM refresh_tokens WHERE token_hash = ?1",
            params![token_hash],
        )
    }
}

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn append_outbox(&self, msg: &OutboundMessage) -> Result<i64, Error> {
        let data = to_json(msg)?;
        let conn = self.conn();
        conn.execute(
            "INSERT INTO outbox (pool_id, username, data) VALUES (?1, ?2, ?3)",
            params![msg.pool_id, msg.username, data],
        )
        .map_err(db)?;
        Ok(conn.last_insert_rowid())
    }

    async fn list_outbox(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<(i64, OutboundMessage)>, Error> {
        self.keyed_docs(
            "SELECT id, data FROM outbox
             WHERE (?1 IS NULL OR pool_id = ?1) AND (?2 IS NULL OR username = ?2)
             ORDER BY id",
            params![pool_id, username],
        )
    }
}
