//! A job as Cognito shows it (`UserImportJobType`), and the reply of every job operation but
//! the listing. The upload URL is kept sealed in the store and opened here.

use crate::clock::epoch_seconds;
use crate::error::ApiResult;
use crate::userpool::model::{ImportJob, ImportJobStatus};
use crate::App;
use serde::Serialize;

/// The job as Cognito shows it (`UserImportJobType`). `Debug` leaves out the upload URL: its
/// signature (or token) is a credential.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserImportJobType {
    job_name: String,
    job_id: String,
    user_pool_id: String,
    pre_signed_url: String,
    creation_date: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completion_date: Option<f64>,
    status: ImportJobStatus,
    cloud_watch_logs_role_arn: String,
    imported_users: u64,
    skipped_users: u64,
    failed_users: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    completion_message: Option<String>,
}

impl std::fmt::Debug for UserImportJobType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserImportJobType")
            .field("job_id", &self.job_id)
            .field("user_pool_id", &self.user_pool_id)
            .field("pre_signed_url", &"<redacted>")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl UserImportJobType {
    pub(super) async fn of(app: &App, job: &ImportJob) -> ApiResult<Self> {
        let key = app.session_key().await?;
        let url = crate::userpool::sealed::open(&key, &job.pre_signed_url_sealed)
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        Ok(Self {
            job_name: job.job_name.clone(),
            job_id: job.job_id.clone(),
            user_pool_id: job.pool_id.clone(),
            pre_signed_url: url,
            creation_date: epoch_seconds(job.created_ms),
            start_date: job.started_ms.map(epoch_seconds),
            completion_date: job.completed_ms.map(epoch_seconds),
            status: job.status,
            cloud_watch_logs_role_arn: job.cloud_watch_logs_role_arn.clone(),
            imported_users: job.imported,
            skipped_users: job.skipped,
            failed_users: job.failed,
            completion_message: job.completion_message.clone(),
        })
    }
}

/// The reply of every job operation but the listing.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobOutput {
    user_import_job: UserImportJobType,
}

pub(super) async fn job_output(app: &App, job: &ImportJob) -> ApiResult<JobOutput> {
    Ok(JobOutput {
        user_import_job: UserImportJobType::of(app, job).await?,
    })
}
