//! Users, alias claims and codes in SQLite.

use super::{db, from_json, replace_user, taken_as, to_json, SqliteStore};
use crate::error::Error;
use crate::store::paged;
use crate::store::{Page, StoreError, UserPredicate, UserStore};
use crate::userpool::model::{CodePurpose, PendingCode, User};
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

#[async_trait]
impl UserStore for SqliteStore {
    async fn create_user(&self, user: &User, aliases: &[String]) -> Result<(), StoreError> {
        let data = to_json(user)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO users (pool_id, username_key, version, data) VALUES (?1, ?2, ?3, ?4)",
            params![user.pool_id, user.username_key, user.version as i64, data],
        )
        .map_err(|e| taken_as(e, StoreError::UsernameTaken))?;
        for alias in aliases {
            tx.execute(
                "INSERT INTO aliases (pool_id, alias, username_key) VALUES (?1, ?2, ?3)",
                params![user.pool_id, alias, user.username_key],
            )
            .map_err(|e| taken_as(e, StoreError::AliasTaken(alias.clone())))?;
        }
        // Dropping `tx` on any early return above rolls everything back.
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn get_user(&self, pool_id: &str, username_key: &str) -> Result<Option<User>, Error> {
        self.get_doc(
            "SELECT data FROM users WHERE pool_id = ?1 AND username_key = ?2",
            params![pool_id, username_key],
        )
    }

    async fn get_user_by_alias(&self, pool_id: &str, alias: &str) -> Result<Option<User>, Error> {
        self.get_doc(
            "SELECT u.data FROM aliases a JOIN users u
               ON u.pool_id = a.pool_id AND u.username_key = a.username_key
             WHERE a.pool_id = ?1 AND a.alias = ?2",
            params![pool_id, alias],
        )
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        self.update_user_and_aliases(user, &[], &[]).await
    }

    async fn update_user_and_aliases(
        &self,
        user: &User,
        claim: &[String],
        release: &[String],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        replace_user(&tx, user)?;
        for alias in release {
            tx.execute(
                "DELETE FROM aliases WHERE pool_id = ?1 AND alias = ?2 AND username_key = ?3",
                params![user.pool_id, alias, user.username_key],
            )
            .map_err(db)?;
        }
        for alias in claim {
            // Claiming an alias the user already holds is a no-op; one held by another fails.
            let n = tx
                .execute(
                    "INSERT INTO aliases (pool_id, alias, username_key) VALUES (?1, ?2, ?3)
                     ON CONFLICT (pool_id, alias) DO UPDATE SET username_key = excluded.username_key
                     WHERE aliases.username_key = excluded.username_key",
                    params![user.pool_id, alias, user.username_key],
                )
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::AliasTaken(alias.clone()));
            }
        }
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn delete_user(&self, pool_id: &str, username_key: &str) -> Result<bool, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        for table in [
            "aliases",
            "codes",
            "refresh_tokens",
            "memberships",
            "devices",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE pool_id = ?1 AND username_key = ?2"),
                params![pool_id, username_key],
            )
            .map_err(db)?;
        }
        let n = tx
            .execute(
                "DELETE FROM users WHERE pool_id = ?1 AND username_key = ?2",
                params![pool_id, username_key],
            )
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(n > 0)
    }

    async fn list_users(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
        keep: &UserPredicate,
    ) -> Result<Page<User>, Error> {
        // Scan in key order in batches, filtering in Rust, until a page plus one is found.
        let mut cursor = after.unwrap_or("").to_string();
        let mut found: Vec<(String, User)> = Vec::new();
        loop {
            let batch: Vec<(String, User)> = self.list_docs(
                "SELECT username_key, data FROM users WHERE pool_id = ?1 AND username_key > ?2
                 ORDER BY username_key LIMIT 256",
                params![pool_id, cursor],
            )?;
            let done = batch.len() < 256;
            if let Some((k, _)) = batch.last() {
                cursor = k.clone();
            }
            for (key, user) in batch {
                if keep(&user) {
                    found.push((key, user));
                }
            }
            if done || found.len() > limit {
                break;
            }
        }
        Ok(paged(found, limit))
    }

    async fn put_code(&self, code: &PendingCode) -> Result<(), Error> {
        let data = to_json(code)?;
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO codes (pool_id, username_key, purpose, attempts, data)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    code.pool_id,
                    code.username_key,
                    code.purpose.as_str(),
                    code.attempts as i64,
                    data
                ],
            )
            .map_err(db)?;
        Ok(())
    }

    async fn get_code(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<Option<PendingCode>, Error> {
        let conn = self.conn();
        let row: Option<(i64, String)> = conn
            .query_row(
                "SELECT attempts, data FROM codes
                 WHERE pool_id = ?1 AND username_key = ?2 AND purpose = ?3",
                params![pool_id, username_key, purpose.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)?;
        row.map(|(attempts, data)| {
            let mut code: PendingCode = from_json(&data)?;
            code.attempts = attempts as u32;
            Ok(code)
        })
        .transpose()
    }

    async fn record_code_failure(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<u32, Error> {
        let conn = self.conn();
        let n: Option<i64> = conn
            .query_row(
                "UPDATE codes SET attempts = attempts + 1
                 WHERE pool_id = ?1 AND username_key = ?2 AND purpose = ?3 RETURNING attempts",
                params![pool_id, username_key, purpose.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        Ok(n.unwrap_or(0) as u32)
    }

    async fn delete_code(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: CodePurpose,
    ) -> Result<(), Error> {
        self.conn()
            .execute(
                "DELETE FROM codes WHERE pool_id = ?1 AND username_key = ?2 AND purpose = ?3",
                params![pool_id, username_key, purpose.as_str()],
            )
            .map_err(db)?;
        Ok(())
    }
}
