//! User import jobs in SQLite: one row per (pool, job id), its version beside the JSON so a
//! state change can check it.

use super::{db, taken_as, to_json, SqliteStore};
use crate::error::Error;
use crate::store::{paged, ImportJobStore, Page, StoreError};
use crate::userpool::model::ImportJob;
use async_trait::async_trait;
use rusqlite::params;

/// The table (part of the schema).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS import_jobs (pool_id TEXT NOT NULL, job_id TEXT NOT NULL,
  version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (pool_id, job_id));
";

#[async_trait]
impl ImportJobStore for SqliteStore {
    async fn create_import_job(&self, job: &ImportJob) -> Result<(), StoreError> {
        let data = to_json(job)?;
        self.conn()
            .execute(
                "INSERT INTO import_jobs (pool_id, job_id, version, data) VALUES (?1, ?2, ?3, ?4)",
                params![job.pool_id, job.job_id, job.version as i64, data],
            )
            .map_err(|e| taken_as(e, StoreError::Conflict))?;
        Ok(())
    }

    async fn get_import_job(
        &self,
        pool_id: &str,
        job_id: &str,
    ) -> Result<Option<ImportJob>, Error> {
        self.get_doc(
            "SELECT data FROM import_jobs WHERE pool_id = ?1 AND job_id = ?2",
            params![pool_id, job_id],
        )
    }

    async fn update_import_job(&self, job: &ImportJob) -> Result<(), StoreError> {
        let data = to_json(job)?;
        let n = self
            .conn()
            .execute(
                "UPDATE import_jobs SET version = ?3, data = ?4
                 WHERE pool_id = ?1 AND job_id = ?2 AND version = ?5",
                params![
                    job.pool_id,
                    job.job_id,
                    job.version as i64,
                    data,
                    job.version as i64 - 1
                ],
            )
            .map_err(db)?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    async fn list_import_jobs(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<ImportJob>, Error> {
        let rows = self.list_docs(
            "SELECT job_id, data FROM import_jobs WHERE pool_id = ?1 AND job_id > ?2
             ORDER BY job_id LIMIT ?3",
            params![pool_id, after.unwrap_or(""), (limit + 1) as i64],
        )?;
        Ok(paged(rows, limit))
    }
}
