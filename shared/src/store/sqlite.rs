//! The embedded store: one SQLite file (bundled driver, nothing to install), or memory.
//! Records are JSON documents beside the columns their keys and uniqueness need. Uniqueness
//! comes from primary keys inside transactions, and updates check the version they read.

use super::{
    GroupStore, OutboxStore, Page, PoolStore, StoreError, TokenStore, UserPredicate, UserStore,
};
use crate::error::Error;
use crate::userpool::model::{
    AppClient, CodePurpose, Group, OutboundMessage, PendingCode, RefreshRecord, User, UserPool,
};
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS pools (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS clients_by_pool ON clients (pool_id, client_id);
CREATE TABLE IF NOT EXISTS users (pool_id TEXT NOT NULL, username_key TEXT NOT NULL,
  version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (pool_id, username_key));
CREATE TABLE IF NOT EXISTS aliases (pool_id TEXT NOT NULL, alias TEXT NOT NULL,
  username_key TEXT NOT NULL, PRIMARY KEY (pool_id, alias));
CREATE INDEX IF NOT EXISTS aliases_by_user ON aliases (pool_id, username_key);
CREATE TABLE IF NOT EXISTS codes (pool_id TEXT NOT NULL, username_key TEXT NOT NULL,
  purpose TEXT NOT NULL, attempts INTEGER NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (pool_id, username_key, purpose));
CREATE TABLE IF NOT EXISTS refresh_tokens (token_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL,
  username_key TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS refresh_by_user ON refresh_tokens (pool_id, username_key);
CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, pool_id TEXT NOT NULL,
  username TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS groups (pool_id TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (pool_id, name));
CREATE TABLE IF NOT EXISTS memberships (pool_id TEXT NOT NULL, group_name TEXT NOT NULL,
  username_key TEXT NOT NULL, PRIMARY KEY (pool_id, group_name, username_key));
CREATE INDEX IF NOT EXISTS memberships_by_user ON memberships (pool_id, username_key);
";

/// The SQLite adapter. One connection behind a mutex: each statement takes microseconds,
/// and SQLite serialises writers anyway.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn db(e: rusqlite::Error) -> Error {
    Error::Store(e.to_string())
}

fn to_json<T: Serialize>(v: &T) -> Result<String, Error> {
    serde_json::to_string(v).map_err(Error::from)
}

fn from_json<T: DeserializeOwned>(s: &str) -> Result<T, Error> {
    serde_json::from_str(s).map_err(Error::from)
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let conn = Connection::open(path).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db)?;
        Self::init(conn)
    }

    /// A store that lives only in memory (`--in-memory`, tests).
    pub fn in_memory() -> Result<Self, Error> {
        Self::init(Connection::open_in_memory().map_err(db)?)
    }

    fn init(conn: Connection) -> Result<Self, Error> {
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-applied transaction (SQLite rolls
        // back on drop), so the connection is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get_doc<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Option<T>, Error> {
        let conn = self.conn();
        let row: Option<String> = conn
            .query_row(sql, args, |r| r.get(0))
            .optional()
            .map_err(db)?;
        row.map(|s| from_json(&s)).transpose()
    }

    fn list_docs<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<(String, T)>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(sql).map_err(db)?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (key, data) = row.map_err(db)?;
            out.push((key, from_json(&data)?));
        }
        Ok(out)
    }
}

/// Cuts a listing fetched with one extra row into a page.
fn paged<T>(mut rows: Vec<(String, T)>, limit: usize) -> Page<T> {
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|(k, _)| k.clone())
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(|(_, v)| v).collect(),
        next,
    }
}

/// Replaces a user inside `tx` if the stored version is `user.version - 1`.
fn replace_user(tx: &rusqlite::Transaction<'_>, user: &User) -> Result<(), StoreError> {
    let data = to_json(user)?;
    let n = tx
        .execute(
            "UPDATE users SET version = ?3, data = ?4
             WHERE pool_id = ?1 AND username_key = ?2 AND version = ?5",
            params![
                user.pool_id,
                user.username_key,
                user.version as i64,
                data,
                user.version as i64 - 1
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
impl PoolStore for SqliteStore {
    async fn create_pool(&self, pool: &UserPool) -> Result<(), StoreError> {
        let data = to_json(pool)?;
        self.conn()
            .execute(
                "INSERT INTO pools (id, data) VALUES (?1, ?2)",
                params![pool.id, data],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict
                } else {
                    StoreError::Backend(db(e))
                }
            })?;
        Ok(())
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
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict
                } else {
                    StoreError::Backend(db(e))
                }
            })?;
        Ok(())
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
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::UsernameTaken
            } else {
                StoreError::Backend(db(e))
            }
        })?;
        for alias in aliases {
            tx.execute(
                "INSERT INTO aliases (pool_id, alias, username_key) VALUES (?1, ?2, ?3)",
                params![user.pool_id, alias, user.username_key],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::AliasTaken(alias.clone())
                } else {
                    StoreError::Backend(db(e))
                }
            })?;
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
        for table in ["aliases", "codes", "refresh_tokens", "memberships"] {
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

#[async_trait]
impl TokenStore for SqliteStore {
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
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, data FROM outbox
                 WHERE (?1 IS NULL OR pool_id = ?1) AND (?2 IS NULL OR username = ?2)
                 ORDER BY id",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![pool_id, username], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, data) = row.map_err(db)?;
            out.push((id, from_json(&data)?));
        }
        Ok(out)
    }
}

#[async_trait]
impl GroupStore for SqliteStore {
    async fn create_group(&self, group: &Group) -> Result<(), StoreError> {
        let data = to_json(group)?;
        self.conn()
            .execute(
                "INSERT INTO groups (pool_id, name, data) VALUES (?1, ?2, ?3)",
                params![group.pool_id, group.name, data],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict
                } else {
                    StoreError::Backend(db(e))
                }
            })?;
        Ok(())
    }

    async fn get_group(&self, pool_id: &str, name: &str) -> Result<Option<Group>, Error> {
        self.get_doc(
            "SELECT data FROM groups WHERE pool_id = ?1 AND name = ?2",
            params![pool_id, name],
        )
    }

    async fn update_group(&self, group: &Group) -> Result<(), StoreError> {
        let data = to_json(group)?;
        let n = self
            .conn()
            .execute(
                "UPDATE groups SET data = ?3 WHERE pool_id = ?1 AND name = ?2",
                params![group.pool_id, group.name, data],
            )
            .map_err(db)?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn delete_group(&self, pool_id: &str, name: &str) -> Result<bool, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        tx.execute(
            "DELETE FROM memberships WHERE pool_id = ?1 AND group_name = ?2",
            params![pool_id, name],
        )
        .map_err(db)?;
        let n = tx
            .execute(
                "DELETE FROM groups WHERE pool_id = ?1 AND name = ?2",
                params![pool_id, name],
            )
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(n > 0)
    }

    async fn list_groups(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Group>, Error> {
        let rows = self.list_docs(
            "SELECT name, data FROM groups WHERE pool_id = ?1 AND name > ?2
             ORDER BY name LIMIT ?3",
            params![pool_id, after.unwrap_or(""), (limit + 1) as i64],
        )?;
        Ok(paged(rows, limit))
    }

    async fn set_membership(
        &self,
        user: &User,
        group: &str,
        member: bool,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        replace_user(&tx, user)?;
        let sql = if member {
            "INSERT OR IGNORE INTO memberships (pool_id, group_name, username_key) VALUES (?1, ?2, ?3)"
        } else {
            "DELETE FROM memberships WHERE pool_id = ?1 AND group_name = ?2 AND username_key = ?3"
        };
        tx.execute(sql, params![user.pool_id, group, user.username_key])
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(())
    }

    async fn list_members(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<User>, Error> {
        let rows = self.list_docs(
            "SELECT u.username_key, u.data FROM memberships m JOIN users u
               ON u.pool_id = m.pool_id AND u.username_key = m.username_key
             WHERE m.pool_id = ?1 AND m.group_name = ?2 AND m.username_key > ?3
             ORDER BY u.username_key LIMIT ?4",
            params![pool_id, group, after.unwrap_or(""), (limit + 1) as i64],
        )?;
        Ok(paged(rows, limit))
    }
}

#[cfg(test)]
mod tests {
    crate::conformance_suite!(crate::store::sqlite::SqliteStore::in_memory().unwrap());
}
