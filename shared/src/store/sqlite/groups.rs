//! Groups and memberships in SQLite.

use super::{db, replace_user, taken_as, to_json, SqliteStore};
use crate::error::Error;
use crate::store::paged;
use crate::store::{GroupStore, Page, StoreError};
use crate::userpool::model::{Group, User};
use async_trait::async_trait;
use rusqlite::params;

#[async_trait]
impl GroupStore for SqliteStore {
    async fn create_group(&self, group: &Group) -> Result<(), StoreError> {
        let data = to_json(group)?;
        self.conn()
            .execute(
                "INSERT INTO groups (pool_id, name, data) VALUES (?1, ?2, ?3)",
                params![group.pool_id, group.name, data],
            )
            .map_err(|e| taken_as(e, StoreError::Conflict))?;
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
