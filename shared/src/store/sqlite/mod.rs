//! The embedded store: one SQLite file (bundled driver, nothing to install), or memory.
//! Records are JSON documents beside the columns their keys and uniqueness need. Uniqueness
//! comes from primary keys inside transactions, and updates check the version they read.

use super::StoreError;
use crate::error::Error;
use crate::userpool::model::User;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

mod devices;
mod grants;
mod groups;
mod identities;
mod idps;
mod import_jobs;
mod oauth_config;
mod pools;
mod portability;
mod send_counts;
mod tokens;
mod users;

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
CREATE TABLE IF NOT EXISTS identity_pools (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identities (id TEXT PRIMARY KEY, pool_id TEXT NOT NULL,
  version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS identities_by_pool ON identities (pool_id, id);
CREATE TABLE IF NOT EXISTS send_counts (pool_id TEXT NOT NULL, key TEXT NOT NULL,
  window_start INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (pool_id, key));
CREATE INDEX IF NOT EXISTS send_counts_by_window ON send_counts (window_start);
CREATE TABLE IF NOT EXISTS grants (handle_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL,
  data TEXT NOT NULL, expires_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS grants_by_expiry ON grants (expires_ms);
CREATE TABLE IF NOT EXISTS identity_logins (pool_id TEXT NOT NULL, login_key TEXT NOT NULL,
  identity_id TEXT NOT NULL, PRIMARY KEY (pool_id, login_key));
";

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 64;

/// The SQLite adapter. One connection behind a mutex: each statement takes microseconds,
/// and SQLite serialises writers anyway.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

pub(super) fn db(e: rusqlite::Error) -> Error {
    Error::Store(e.to_string())
}

pub(super) fn to_json<T: Serialize>(v: &T) -> Result<String, Error> {
    serde_json::to_string(v).map_err(Error::from)
}

pub(super) fn from_json<T: DeserializeOwned>(s: &str) -> Result<T, Error> {
    serde_json::from_str(s).map_err(Error::from)
}

pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// A refused insert as `taken` (the key is held), any other failure as a backend fault.
pub(super) fn taken_as(e: rusqlite::Error, taken: StoreError) -> StoreError {
    if is_unique_violation(&e) {
        taken
    } else {
        StoreError::Backend(db(e))
    }
}

/// When a write is acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: once it is on disk, so an acknowledged sign-up, code or sign-out
    /// survives a power loss. What the service uses.
    Full,
    /// `synchronous=NORMAL`: WAL may lose the last acknowledged writes on power loss. Only for
    /// measuring what FULL costs (`store_durability` bench).
    Normal,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`, with [`Durability::Full`].
    pub fn open(path: &Path) -> Result<Self, Error> {
        Self::open_with(path, Durability::Full)
    }

    /// [`SqliteStore::open`] with the given durability.
    pub fn open_with(path: &Path, durability: Durability) -> Result<Self, Error> {
        let conn = Connection::open(path).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        let synchronous = match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", synchronous)
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
        // Room for every statement `get_doc` and `list_docs` run (rusqlite keeps 16), so a
        // mixed load does not evict and re-parse the hot reads.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.execute_batch(SCHEMA).map_err(db)?;
        conn.execute_batch(oauth_config::SCHEMA).map_err(db)?;
        conn.execute_batch(devices::SCHEMA).map_err(db)?;
        conn.execute_batch(import_jobs::SCHEMA).map_err(db)?;
        conn.execute_batch(idps::SCHEMA).map_err(db)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    pub(super) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-applied transaction (SQLite rolls
        // back on drop), so the connection is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn get_doc<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Option<T>, Error> {
        // Cached: parsing the SQL cost as much as running it (GetUser and refresh read their
        // user, token, pool and client through here on every request). The document is parsed
        // after the connection is released, so the other request workers wait only for the read.
        let row: Option<String> = self
            .conn()
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.query_row(args, |r| r.get(0)).optional())
            .map_err(db)?;
        row.map(|s| from_json(&s)).transpose()
    }

    /// Rows of (text key, document), the document parsed.
    pub(super) fn list_docs<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<(String, T)>, Error> {
        self.keyed_docs(sql, args)
    }

    /// Rows of (key, document): the key as stored (a text key, an integer id), the document
    /// parsed.
    pub(super) fn keyed_docs<K: rusqlite::types::FromSql, T: DeserializeOwned>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<(K, T)>, Error> {
        let rows: Vec<(K, String)> = {
            let conn = self.conn();
            let mut stmt = conn.prepare_cached(sql).map_err(db)?;
            let rows = stmt
                .query_map(args, |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(db)?;
            rows.collect::<Result<_, _>>().map_err(db)?
        };
        // Parsed with the connection released, as in `get_doc`.
        rows.into_iter()
            .map(|(key, data)| Ok((key, from_json(&data)?)))
            .collect()
    }
}

/// Replaces a user inside `tx` if the stored version is `user.version - 1`.
pub(super) fn replace_user(tx: &rusqlite::Transaction<'_>, user: &User) -> Result<(), StoreError> {
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

#[cfg(test)]
mod tests {
    crate::conformance_suite!(crate::store::sqlite::SqliteStore::in_memory().unwrap());

    #[test]
    fn a_file_store_acknowledges_only_durable_writes() {
        let dir = std::env::temp_dir().join(format!("latchkey-sync-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = super::SqliteStore::open(&dir.join("t.db")).unwrap();
        let conn = store.conn();
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            (sync, mode.as_str()),
            (2, "wal"),
            "synchronous=FULL under WAL"
        );
        drop(conn);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
