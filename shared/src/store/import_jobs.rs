//! The storage port of user import jobs ([`crate::userpool::model::ImportJob`]). A job is
//! created once and moved through its states only by version-checked replacements, so of two
//! StartUserImportJob calls racing on one job exactly one wins, and a stop, a progress write
//! and a completion never overwrite each other.

use super::{Page, StoreError};
use crate::error::Error;
use crate::userpool::model::ImportJob;
use async_trait::async_trait;

/// Import jobs, per pool, by job id.
#[async_trait]
pub trait ImportJobStore: Send + Sync {
    /// Stores a new job; Conflict when the pool already has one with this id.
    async fn create_import_job(&self, job: &ImportJob) -> Result<(), StoreError>;
    /// A pool's job by id (strongly consistent).
    async fn get_import_job(&self, pool_id: &str, job_id: &str)
        -> Result<Option<ImportJob>, Error>;
    /// Replaces a job if its stored version is `job.version - 1`; Conflict otherwise (also
    /// when it is gone).
    async fn update_import_job(&self, job: &ImportJob) -> Result<(), StoreError>;
    /// A pool's jobs in job-id order, after `after`.
    async fn list_import_jobs(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<ImportJob>, Error>;
}
