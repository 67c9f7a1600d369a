//! Running a started job: Pending → InProgress → Succeeded / Failed / Stopped. Rows are read
//! in order; each becomes a user or a failure (one log line each, on the `latchkey::import`
//! target, in the shape of Cognito's CloudWatch lines); progress and counts are written every
//! [`CHECKPOINT_ROWS`] rows with a version check, which is also where a StopUserImportJob
//! (written by any process) is seen: the job stops between rows. The job summary is logged at
//! the end, and the uploaded file removed.
//!
//! A job runs whole ([`run_job`]: the local server's background task, or inside
//! StartUserImportJob), or in parts ([`run_part`]: a Lambda worker, which must stop before its
//! timeout): a part claims the job at the version its ticket names, resumes after the rows
//! already done (`rows_done`), and at its deadline writes its progress and answers the ticket
//! the next part takes.
use super::worker::JobTicket;
use super::{csv, rows, COMPLETED};
use crate::error::{ApiError, ErrorKind};
use crate::store::StoreError;
use crate::userpool::directory::create_user;
use crate::userpool::model::{ImportJob, ImportJobStatus, UserPool};
use crate::userpool::pools::load_pool;
use crate::App;

/// Rows between progress writes (and stop checks).
pub const CHECKPOINT_ROWS: u64 = 100;
/// The log target of import results (Cognito writes them to CloudWatch Logs).
pub const LOG_TARGET: &str = "latchkey::import";

/// How a part of a job ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Part {
    /// The job reached its end (Succeeded, Failed or Stopped).
    Ended,
    /// Out of time: progress written; the job goes on with this ticket.
    Paused(JobTicket),
    /// The job was not (or no longer) this runner's: nothing done.
    Skipped,
    /// A fault, logged; the job is as it was written last.
    Fault,
}

/// Runs a Pending job to its end. Failures of the store are logged and leave the job where
/// it was written last (a fault, never a half-imported row: each user is one atomic write).
pub async fn run_job(app: &App, pool_id: &str, job_id: &str) {
    logged(pool_id, job_id, run(app, pool_id, job_id, None, None).await);
}

/// Runs the job `ticket` names, if it is still at the ticket's version, until it ends or
/// `deadline_ms` (epoch ms, the App's clock) passes; at least one row is read either way.
pub async fn run_part(app: &App, ticket: &JobTicket, deadline_ms: i64) -> Part {
    let (pool_id, job_id) = (ticket.user_pool_id.as_str(), ticket.job_id.as_str());
    let ran = run(
        app,
        pool_id,
        job_id,
        Some(ticket.version),
        Some(deadline_ms),
    )
    .await;
    logged(pool_id, job_id, ran)
}

fn logged(pool_id: &str, job_id: &str, ran: Result<Part, ApiError>) -> Part {
    ran.unwrap_or_else(|e| {
        tracing::error!(target: LOG_TARGET, pool_id, job_id, error = %e, "import job fault");
        Part::Fault
    })
}

/// What a version-checked write of the job found.
enum Written {
    /// Stored; the job as it is now.
    Done(ImportJob),
    /// A stop was asked; the job as it is now.
    Stopping(ImportJob),
}

/// Writes `next` (version +1 of what was read); on a conflict, reads the job again: a stop
/// wins, anything else is a fault.
async fn write(app: &App, mut next: ImportJob) -> Result<Written, ApiError> {
    next.version += 1;
    match app.store.update_import_job(&next).await {
        Ok(()) => Ok(Written::Done(next)),
        Err(StoreError::Conflict) => {
            let now = app
                .store
                .get_import_job(&next.pool_id, &next.job_id)
                .await?
                .ok_or_else(|| fault("import job vanished"))?;
            if now.status == ImportJobStatus::Stopping {
                Ok(Written::Stopping(now))
            } else {
                Err(fault("import job changed under its runner"))
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn fault(what: &str) -> ApiError {
    ApiError::internal(&crate::Error::Store(what.into()))
}

/// Ends the job with `status` and `message`, from the latest read `job` (counts as counted).
async fn finish(
    app: &App,
    mut job: ImportJob,
    status: ImportJobStatus,
    message: &str,
) -> Result<Part, ApiError> {
    loop {
        let mut last = job.clone();
        last.status = status;
        last.completed_ms = Some(app.clock.now_millis());
        last.completion_message = Some(message.into());
        match write(app, last).await? {
            Written::Done(done) => {
                summary(&done);
                if let Some(files) = &app.imports.files {
                    files.delete(&done.pool_id, &done.job_id).await?;
                }
                return Ok(Part::Ended);
            }
            // A stop that came in as it ended: it still ends as it was going to, unless
            // it was ending because of the stop.
            Written::Stopping(now) => {
                job.version = now.version;
                job.status = now.status;
            }
        }
    }
}

/// The job summary line.
fn summary(job: &ImportJob) {
    tracing::info!(
        target: LOG_TARGET,
        pool_id = %job.pool_id,
        job_id = %job.job_id,
        status = %job.status,
        imported = job.imported,
        skipped = job.skipped,
        failed = job.failed,
        "[INFO] Import job {} {}: {} imported, {} skipped, {} failed. {}",
        job.job_id,
        job.status,
        job.imported,
        job.skipped,
        job.failed,
        job.completion_message.as_deref().unwrap_or("")
    );
}

/// One failed row's line.
fn row_failed(job: &ImportJob, line: u64, reason: &str) {
    tracing::warn!(
        target: LOG_TARGET,
        pool_id = %job.pool_id,
        job_id = %job.job_id,
        line,
        "[ERROR] Line Number {line} - {reason}"
    );
}

/// Runs the job from where it was written last: a whole run (`handed` none) takes a Pending
/// job; a part takes the job only at the version `handed` names (Pending, or InProgress as
/// the part before it left it). Either claims it with a version-checked write.
async fn run(
    app: &App,
    pool_id: &str,
    job_id: &str,
    handed: Option<u64>,
    deadline_ms: Option<i64>,
) -> Result<Part, ApiError> {
    let Some(job) = app.store.get_import_job(pool_id, job_id).await? else {
        return Ok(Part::Skipped);
    };
    // A stop asked while no runner held the job (between parts, or before the first).
    if job.status == ImportJobStatus::Stopping {
        return finish(app, job, ImportJobStatus::Stopped, "Import Job Stopped.").await;
    }
    let ours = match handed {
        None => job.status == ImportJobStatus::Pending,
        Some(version) => {
            job.version == version
                && matches!(
                    job.status,
                    ImportJobStatus::Pending | ImportJobStatus::InProgress
                )
        }
    };
    if !ours {
        return Ok(Part::Skipped);
    }
    let mut running = job.clone();
    running.status = ImportJobStatus::InProgress;
    running.version += 1;
    let mut job = match app.store.update_import_job(&running).await {
        Ok(()) => running,
        Err(StoreError::Conflict) => {
            return match app.store.get_import_job(pool_id, job_id).await? {
                Some(now) if now.status == ImportJobStatus::Stopping => {
                    finish(app, now, ImportJobStatus::Stopped, "Import Job Stopped.").await
                }
                // Another runner claimed it (a second delivery of the same ticket).
                _ => Ok(Part::Skipped),
            };
        }
        Err(e) => return Err(e.into()),
    };
    let pool = load_pool(app, pool_id).await?;
    let files = app
        .imports
        .files
        .as_ref()
        .ok_or_else(|| fault("no import file storage"))?;
    let Some(bytes) = files.get(pool_id, job_id).await? else {
        return finish(
            app,
            job,
            ImportJobStatus::Failed,
            "The CSV file is missing.",
        )
        .await;
    };
    let Ok(text) = String::from_utf8(bytes) else {
        let message = "The CSV file is not UTF-8 text.";
        return finish(app, job, ImportJobStatus::Failed, message).await;
    };
    let mut records = csv::records(&text);
    let columns = match records.next() {
        Some(Ok(header)) => header.fields,
        _ => {
            let message = "The CSV file has no header.";
            return finish(app, job, ImportJobStatus::Failed, message).await;
        }
    };
    if let Err(message) = rows::check_header(&pool, &columns) {
        row_failed(&job, 1, &message);
        return finish(app, job, ImportJobStatus::Failed, &message).await;
    }
    let mut since_checkpoint = 0;
    for (read_here, record) in records.skip(job.rows_done as usize).enumerate() {
        let out_of_time = deadline_ms.is_some_and(|d| app.clock.now_millis() >= d);
        if read_here > 0 && out_of_time {
            return match write(app, job.clone()).await? {
                Written::Done(now) => Ok(Part::Paused(JobTicket::of(&now))),
                Written::Stopping(now) => {
                    job.version = now.version;
                    job.status = now.status;
                    finish(app, job, ImportJobStatus::Stopped, "Import Job Stopped.").await
                }
            };
        }
        if since_checkpoint == CHECKPOINT_ROWS {
            since_checkpoint = 0;
            match write(app, job.clone()).await? {
                Written::Done(now) => job = now,
                Written::Stopping(now) => {
                    job.version = now.version;
                    job.status = now.status;
                    let message = "Import Job Stopped.";
                    return finish(app, job, ImportJobStatus::Stopped, message).await;
                }
            }
        }
        let record = match record {
            Ok(r) => r,
            Err(bad) => {
                let message = "The CSV file is malformed.";
                row_failed(&job, bad.line, message);
                return finish(app, job, ImportJobStatus::Failed, message).await;
            }
        };
        job.rows_done += 1;
        since_checkpoint += 1;
        match import_row(app, &pool, &columns, &record.fields).await? {
            Ok(()) => job.imported += 1,
            Err(reason) => {
                job.failed += 1;
                row_failed(&job, record.line, &reason);
            }
        }
    }
    finish(app, job, ImportJobStatus::Succeeded, COMPLETED).await
}

/// One row: `Ok(Ok(()))` imported, `Ok(Err(reason))` failed, `Err` a fault.
async fn import_row(
    app: &App,
    pool: &UserPool,
    columns: &[String],
    fields: &[String],
) -> Result<Result<(), String>, ApiError> {
    let user = match rows::user_of(app, pool, columns, fields) {
        Ok(u) => u,
        Err(reason) => return Ok(Err(reason)),
    };
    match create_user(app, pool, &user, false).await {
        Ok(()) => Ok(Ok(())),
        Err(e) if e.kind == ErrorKind::InternalError => Err(e),
        Err(e) => Ok(Err(e.message)),
    }
}
