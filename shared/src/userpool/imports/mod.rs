//! User import jobs (CSV): GetCSVHeader, CreateUserImportJob, StartUserImportJob,
//! StopUserImportJob, DescribeUserImportJob, ListUserImportJobs.
//!
//! A job is created with an upload URL (`files`: the file store's own, an S3 pre-signed PUT in
//! `s3`, or Latchkey's, `upload`), started once (a version-checked write: of concurrent starts
//! one wins), and run row by row (`run`) into RESET_REQUIRED users (`rows`). Where it runs: the
//! local server hands it to a background task and answers `Pending` at once; the Lambda
//! functions with a worker function (`worker`) invoke it asynchronously and answer `Pending`;
//! an App with neither runs it inside the StartUserImportJob call before answering.

pub mod csv;
pub mod files;
pub mod rows;
pub mod run;
pub mod s3;
pub mod upload;
pub mod view;
pub mod worker;

use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::UserPoolId;
use crate::store::StoreError;
use crate::userpool::model::{ImportJob, ImportJobStatus, UploadGrant, UserPool};
use crate::userpool::pools::load_pool;
use crate::userpool::pools::{decode_token, encode_token};
use crate::App;
use files::{ImportFiles, UrlWindow};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock, Weak};
use view::{job_output, JobOutput, UserImportJobType};
use worker::{JobDispatch, JobTicket};

/// A job not started within this long after its creation is Expired.
pub const START_WINDOW_MS: i64 = 24 * 3_600_000;
/// How long an upload URL works (Latchkey's choice: Cognito does not publish its S3 URL's).
pub const UPLOAD_URL_MS: i64 = 3_600_000;
/// CompletionMessage of a job that read every row.
pub const COMPLETED: &str = "Import Job Completed Successfully.";

/// What an App needs to run import jobs: where uploads wait, and where started jobs run: in
/// the background of this process (the local server, [`run_in_background`]), in a worker
/// function (the Lambda functions with `LATCHKEY_IMPORT_WORKER_FUNCTION`), or else inside
/// StartUserImportJob.
#[derive(Default)]
pub struct ImportSetup {
    /// Upload storage; none: CreateUserImportJob is refused.
    pub files: Option<Arc<dyn ImportFiles>>,
    /// Where started jobs are handed.
    pub worker: Option<Arc<dyn JobDispatch>>,
    background: OnceLock<Weak<App>>,
}

impl ImportSetup {
    /// Uploads kept by `files`.
    pub fn new(files: Arc<dyn ImportFiles>) -> Self {
        Self {
            files: Some(files),
            worker: None,
            background: OnceLock::new(),
        }
    }
}

/// Lets `app` run started jobs in background tasks (the local server); without this a job runs
/// inside StartUserImportJob.
pub fn run_in_background(app: &Arc<App>) {
    let _ = app.imports.background.set(Arc::downgrade(app));
}

/// GetCSVHeader's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolInput {
    user_pool_id: UserPoolId,
}

/// GetCSVHeader's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CsvHeaderOutput {
    user_pool_id: String,
    #[serde(rename = "CSVHeader")]
    csv_header: Vec<String>,
}

/// GetCSVHeader: the columns an import file must have.
pub async fn get_csv_header(app: &Call<'_>, input: PoolInput) -> ApiResult<CsvHeaderOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    Ok(CsvHeaderOutput {
        user_pool_id: pool.id.clone(),
        csv_header: rows::header(&pool),
    })
}

/// CreateUserImportJob's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateInput {
    user_pool_id: UserPoolId,
    job_name: String,
    cloud_watch_logs_role_arn: String,
    /// Checked against the model's enum already; any value is refused (no hash import).
    password_hashing_algorithm: Option<String>,
}

/// CreateUserImportJob: a job in `Created` with its upload URL.
pub async fn create_user_import_job(app: &Call<'_>, input: CreateInput) -> ApiResult<JobOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    if input.password_hashing_algorithm.is_some() {
        return Err(ApiError::invalid(
            "Latchkey does not import password hashes yet: leave PasswordHashingAlgorithm out (imported users reset their password).",
        ));
    }
    let Some(files) = &app.imports.files else {
        return Err(ApiError::new(
            ErrorKind::UnsupportedOperation,
            "This Latchkey deployment keeps no import files: set LATCHKEY_IMPORT_BUCKET (the Lambda functions' S3 bucket for uploads).",
        ));
    };
    let now = app.clock.now_millis();
    let job_id = format!(
        "import-{}",
        crate::random::string_from(app.random.as_ref(), crate::random::ALNUM, 10)
    );
    let token = crate::random::url_token(app.random.as_ref(), 32);
    let window = UrlWindow {
        starts_ms: now,
        lasts_ms: UPLOAD_URL_MS,
    };
    // The file store's own URL (S3's pre-signed PUT), else Latchkey's single-use one.
    let url = match files.upload_url(&pool.id, &job_id, window).await? {
        Some(url) => url,
        None => upload::url(app, &pool.id, &job_id, &token),
    };
    let key = app.session_key().await?;
    let job = ImportJob {
        pool_id: pool.id.clone(),
        job_id,
        job_name: input.job_name,
        cloud_watch_logs_role_arn: input.cloud_watch_logs_role_arn,
        pre_signed_url_sealed: crate::userpool::sealed::seal(
            &key,
            url.as_bytes(),
            app.random.as_ref(),
        ),
        upload: UploadGrant {
            token_hash: crate::secret::sha256_hex(token.as_bytes()),
            expires_ms: now + UPLOAD_URL_MS,
            spent: false,
        },
        status: ImportJobStatus::Created,
        created_ms: now,
        started_ms: None,
        completed_ms: None,
        imported: 0,
        skipped: 0,
        failed: 0,
        rows_done: 0,
        completion_message: None,
        version: 1,
    };
    app.store.create_import_job(&job).await?;
    job_output(app, &job).await
}

/// The request naming one job.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobInput {
    user_pool_id: UserPoolId,
    job_id: String,
}

/// A pool's job, expired first if its start window has passed.
pub async fn load_job(app: &App, pool: &UserPool, job_id: &str) -> ApiResult<ImportJob> {
    let job = app
        .store
        .get_import_job(&pool.id, job_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::ResourceNotFound,
                format!("Import job {job_id} does not exist."),
            )
        })?;
    expire_if_due(app, job).await
}

/// A Created job past its start window becomes Expired (and its upload goes).
async fn expire_if_due(app: &App, job: ImportJob) -> ApiResult<ImportJob> {
    let now = app.clock.now_millis();
    if job.status != ImportJobStatus::Created || now < job.created_ms + START_WINDOW_MS {
        return Ok(job);
    }
    let mut expired = job.clone();
    expired.status = ImportJobStatus::Expired;
    expired.completed_ms = Some(now);
    expired.completion_message = Some("The user import job has expired.".into());
    expired.version += 1;
    match app.store.update_import_job(&expired).await {
        Ok(()) => {
            if let Some(files) = &app.imports.files {
                files.delete(&job.pool_id, &job.job_id).await?;
            }
            Ok(expired)
        }
        // Someone else moved it (started, or expired it): what they wrote stands.
        Err(StoreError::Conflict) => reload(app, &job).await,
        Err(e) => Err(e.into()),
    }
}

async fn reload(app: &App, job: &ImportJob) -> ApiResult<ImportJob> {
    app.store
        .get_import_job(&job.pool_id, &job.job_id)
        .await?
        .ok_or_else(|| ApiError::internal(&crate::Error::Store("import job vanished".into())))
}

fn not_in(status: ImportJobStatus, wanted: &str) -> ApiError {
    ApiError::new(
        ErrorKind::PreconditionNotMet,
        format!("The import job is {status}; it must be {wanted}."),
    )
}

/// StartUserImportJob: Created → Pending, once; the file must have been uploaded.
pub async fn start_user_import_job(app: &Call<'_>, input: JobInput) -> ApiResult<JobOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let job = load_job(app, &pool, &input.job_id).await?;
    if job.status != ImportJobStatus::Created {
        return Err(not_in(job.status, "Created"));
    }
    let uploaded = match &app.imports.files {
        Some(files) => files.exists(&job.pool_id, &job.job_id).await?,
        None => false,
    };
    if !uploaded {
        return Err(ApiError::new(
            ErrorKind::PreconditionNotMet,
            "No CSV file was uploaded to the job's PreSignedUrl.",
        ));
    }
    let mut started = job.clone();
    started.status = ImportJobStatus::Pending;
    started.started_ms = Some(app.clock.now_millis());
    started.version += 1;
    match app.store.update_import_job(&started).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => {
            let now = reload(app, &job).await?;
            return Err(not_in(now.status, "Created"));
        }
        Err(e) => return Err(e.into()),
    }
    let reply = job_output(app, &started).await?;
    if let Some(owned) = app.imports.background.get().and_then(Weak::upgrade) {
        let (pool_id, job_id) = (started.pool_id.clone(), started.job_id.clone());
        tokio::spawn(async move { run::run_job(&owned, &pool_id, &job_id).await });
    } else if let Some(worker) = &app.imports.worker {
        hand_to_worker(app, worker.as_ref(), started).await?;
    } else {
        run::run_job(app, &started.pool_id, &started.job_id).await;
    }
    Ok(reply)
}

/// Invokes the worker with the started job; if that fails, the job goes back to Created (so
/// it can be started again) and the caller gets the fault.
async fn hand_to_worker(app: &App, worker: &dyn JobDispatch, started: ImportJob) -> ApiResult<()> {
    let Err(e) = worker.dispatch(&JobTicket::of(&started)).await else {
        return Ok(());
    };
    let mut back = started;
    back.status = ImportJobStatus::Created;
    back.started_ms = None;
    back.version += 1;
    if let Err(undo) = app.store.update_import_job(&back).await {
        tracing::error!(job_id = %back.job_id, error = %undo, "import job left Pending");
    }
    Err(ApiError::internal(&e))
}

/// StopUserImportJob: Pending or InProgress → Stopping; the runner stops at the next row and
/// the job ends Stopped.
pub async fn stop_user_import_job(app: &Call<'_>, input: JobInput) -> ApiResult<JobOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let mut job = load_job(app, &pool, &input.job_id).await?;
    loop {
        if !matches!(
            job.status,
            ImportJobStatus::Pending | ImportJobStatus::InProgress
        ) {
            return Err(not_in(job.status, "Pending or InProgress"));
        }
        let mut stopping = job.clone();
        stopping.status = ImportJobStatus::Stopping;
        stopping.version += 1;
        match app.store.update_import_job(&stopping).await {
            Ok(()) => return job_output(app, &stopping).await,
            // The runner wrote progress in between: read it again and retry.
            Err(StoreError::Conflict) => job = reload(app, &job).await?,
            Err(e) => return Err(e.into()),
        }
    }
}

/// DescribeUserImportJob.
pub async fn describe_user_import_job(app: &Call<'_>, input: JobInput) -> ApiResult<JobOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let job = load_job(app, &pool, &input.job_id).await?;
    job_output(app, &job).await
}

/// ListUserImportJobs' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInput {
    user_pool_id: UserPoolId,
    max_results: u32,
    pagination_token: Option<String>,
}

/// ListUserImportJobs' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListOutput {
    user_import_jobs: Vec<UserImportJobType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pagination_token: Option<String>,
}

/// ListUserImportJobs: a pool's jobs, MaxResults at a time.
pub async fn list_user_import_jobs(app: &Call<'_>, input: ListInput) -> ApiResult<ListOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let after = decode_token(input.pagination_token.as_deref())?;
    let page = app
        .store
        .list_import_jobs(&pool.id, after.as_deref(), input.max_results as usize)
        .await?;
    let mut jobs = Vec::with_capacity(page.items.len());
    for job in page.items {
        let job = expire_if_due(app, job).await?;
        jobs.push(UserImportJobType::of(app, &job).await?);
    }
    Ok(ListOutput {
        user_import_jobs: jobs,
        pagination_token: page.next.as_deref().map(encode_token),
    })
}
