//! Moving a deployment on SQLite: users listed with their alias claims (one query a page),
//! a pool's devices, and users created in bulk: one transaction for the whole batch (one sync
//! to disk), a savepoint per user so a refused user leaves nothing and the others stay.

use super::{db, from_json, taken_as, to_json, SqliteStore};
use crate::error::Error;
use crate::store::{paged, Page, PortabilityStore, StoreError, UserRecord};
use crate::userpool::model::{Device, User};
use async_trait::async_trait;
use rusqlite::{params, Connection};

/// Writes one user, its claims and its memberships inside `tx` (the caller's savepoint).
fn insert_user(tx: &Connection, record: &UserRecord) -> Result<(), StoreError> {
    let user: &User = &record.user;
    tx.execute(
        "INSERT INTO users (pool_id, username_key, version, data) VALUES (?1, ?2, ?3, ?4)",
        params![
            user.pool_id,
            user.username_key,
            user.version as i64,
            to_json(user)?
        ],
    )
    .map_err(|e| taken_as(e, StoreError::UsernameTaken))?;
    for alias in &record.aliases {
        tx.execute(
            "INSERT INTO aliases (pool_id, alias, username_key) VALUES (?1, ?2, ?3)",
            params![user.pool_id, alias, user.username_key],
        )
        .map_err(|e| taken_as(e, StoreError::AliasTaken(alias.clone())))?;
    }
    for group in &user.groups {
        tx.execute(
            "INSERT OR IGNORE INTO memberships (pool_id, group_name, username_key)
             VALUES (?1, ?2, ?3)",
            params![user.pool_id, group, user.username_key],
        )
        .map_err(db)?;
    }
    Ok(())
}

#[async_trait]
impl PortabilityStore for SqliteStore {
    async fn list_user_records(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<UserRecord>, Error> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT u.username_key, u.data,
                   (SELECT json_group_array(alias) FROM
                      (SELECT alias FROM aliases a
                        WHERE a.pool_id = u.pool_id AND a.username_key = u.username_key
                        ORDER BY alias))
                 FROM users u WHERE u.pool_id = ?1 AND u.username_key > ?2
                 ORDER BY u.username_key LIMIT ?3",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(
                params![pool_id, after.unwrap_or(""), (limit + 1) as i64],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)),
            )
            .map_err(db)?;
        let mut found = Vec::new();
        for row in rows {
            let (key, data, aliases): (String, String, String) = row.map_err(db)?;
            let record = UserRecord {
                user: from_json(&data)?,
                aliases: from_json(&aliases)?,
            };
            found.push((key, record));
        }
        Ok(paged(found, limit))
    }

    async fn list_pool_devices(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Device>, Error> {
        // The position is the last (username_key, device_key) pair, as JSON.
        let (user, device): (String, String) = match after {
            Some(a) => from_json(a)?,
            None => (String::new(), String::new()),
        };
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT username_key, device_key, data FROM devices
                 WHERE pool_id = ?1 AND confirmed = 1
                   AND (username_key, device_key) > (?2, ?3)
                 ORDER BY username_key, device_key LIMIT ?4",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![pool_id, user, device, (limit + 1) as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })
            .map_err(db)?;
        let mut found = Vec::new();
        for row in rows {
            let (user, key, data): (String, String, String) = row.map_err(db)?;
            found.push((to_json(&(user, key))?, from_json(&data)?));
        }
        Ok(paged(found, limit))
    }

    async fn import_users(&self, users: &[UserRecord]) -> Vec<Result<(), StoreError>> {
        let mut conn = self.conn();
        let fault = |e: rusqlite::Error| {
            let msg = db(e).to_string();
            users
                .iter()
                .map(|_| Err(StoreError::Backend(Error::Store(msg.clone()))))
                .collect()
        };
        let mut tx = match conn.transaction() {
            Ok(tx) => tx,
            Err(e) => return fault(e),
        };
        let mut outcomes = Vec::with_capacity(users.len());
        for record in users {
            let outcome = match tx.savepoint() {
                Err(e) => Err(StoreError::Backend(db(e))),
                Ok(sp) => {
                    // A savepoint dropped without commit rolls back (and is released).
                    match insert_user(&sp, record) {
                        Ok(()) => sp.commit().map_err(|e| StoreError::Backend(db(e))),
                        Err(e) => Err(e),
                    }
                }
            };
            outcomes.push(outcome);
        }
        if let Err(e) = tx.commit() {
            return fault(e);
        }
        outcomes
    }
}
