//! `ImportJobStore` on DynamoDB: a pool's jobs share one partition (`IMPORTS#{pool}`), one
//! item per job (`IMPORT#{jobId}`), so listing is one query in job-id order and a state change
//! is one conditional put on the `version` beside `data`.

use super::keys::*;
use super::ops::sdk;
use super::pools::conflict_if_taken;
use super::DynamoStore;
use crate::error::Error;
use crate::store::{ImportJobStore, Page, StoreError};
use crate::userpool::model::ImportJob;
use async_trait::async_trait;

/// The job's item.
fn job_item(job: &ImportJob) -> Result<Item, Error> {
    let mut item = doc_item(
        imports_of(&job.pool_id),
        import_sk(&job.job_id),
        "import-job",
        job,
    )?;
    item.insert(VERSION.into(), n(job.version));
    Ok(item)
}

#[async_trait]
impl ImportJobStore for DynamoStore {
    async fn create_import_job(&self, job: &ImportJob) -> Result<(), StoreError> {
        conflict_if_taken(self.put_new(job_item(job)?).await)
    }

    async fn get_import_job(
        &self,
        pool_id: &str,
        job_id: &str,
    ) -> Result<Option<ImportJob>, Error> {
        self.get_doc(key(imports_of(pool_id), import_sk(job_id)))
            .await
    }

    async fn update_import_job(&self, job: &ImportJob) -> Result<(), StoreError> {
        let Some(read) = job.version.checked_sub(1) else {
            return Err(StoreError::Conflict);
        };
        self.put_versioned(job_item(job)?, read, false).await
    }

    async fn list_import_jobs(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<ImportJob>, Error> {
        let start = import_sk(after.unwrap_or(""));
        let q = self
            .query()
            .key_condition_expression("#pk = :pk AND #sk > :after")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(imports_of(pool_id)))
            .expression_attribute_values(":after", s(start))
            .consistent_read(true)
            .limit((limit + 1) as i32);
        let out = q.send().await.map_err(sdk)?;
        let mut rows = Vec::new();
        for item in out.items.unwrap_or_default() {
            let job: ImportJob = from_doc(&item)?;
            rows.push((job.job_id.clone(), job));
        }
        Ok(crate::store::paged(rows, limit))
    }
}
