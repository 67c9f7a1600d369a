//! User import jobs in the Lambda tests: a CSV for a pool's header, the fixture's job (Pending
//! at version 2 with its file uploaded, as StartUserImportJob leaves it when it hands the job
//! to a worker), and a worker port that records the tickets handed to it.

use async_trait::async_trait;
use latchkey::protocol::dispatch;
use latchkey::userpool::imports::worker::{JobDispatch, JobTicket};
use latchkey::userpool::model::ImportJobStatus;
use latchkey::App;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The placeholder of the fixture's import job id in events/.
pub const JOB_PLACEHOLDER: &str = "import-EXAMPLE0001";

/// An import CSV for `header` (GetCSVHeader's): one row per username, with a verified email
/// and MFA off, every other column empty.
pub fn csv(header: &[String], users: &[&str]) -> String {
    let mut out = header.join(",");
    for user in users {
        let fields: Vec<String> = header
            .iter()
            .map(|column| match column.as_str() {
                "cognito:username" => user.to_string(),
                "email" => format!("{user}@example.com"),
                "email_verified" => "true".into(),
                "cognito:mfa_enabled" => "false".into(),
                _ => String::new(),
            })
            .collect();
        out.push('\n');
        out.push_str(&fields.join(","));
    }
    out.push('\n');
    out
}

/// A folder of its own under the system's temporary folder.
pub fn scratch_dir(tag: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "latchkey-{tag}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

async fn call(app: &App, op: &str, body: Value) -> Result<Value, Failure> {
    dispatch(app, op, body.to_string().as_bytes())
        .await
        .map_err(|e| format!("{op}: {e}").into())
}

/// GetCSVHeader's columns for `pool_id`.
pub async fn header(app: &App, pool_id: &str) -> Result<Vec<String>, Failure> {
    let got = call(app, "GetCSVHeader", json!({"UserPoolId": pool_id})).await?;
    Ok(serde_json::from_value(got["CSVHeader"].clone())?)
}

/// Creates a job in `pool_id` whose file holds `users`, uploaded, and moves it to Pending as
/// a start handing it to a worker does: version 2. None when the App keeps no import files.
pub async fn pending_job(
    app: &App,
    pool_id: &str,
    users: &[&str],
) -> Result<Option<String>, Failure> {
    let Some(files) = app.imports.files.clone() else {
        return Ok(None);
    };
    let created = call(
        app,
        "CreateUserImportJob",
        json!({"UserPoolId": pool_id, "JobName": "example",
        "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/import-logs"}),
    )
    .await?;
    let job_id = created["UserImportJob"]["JobId"]
        .as_str()
        .ok_or("no JobId")?
        .to_string();
    let file = csv(&header(app, pool_id).await?, users);
    files.put(pool_id, &job_id, file.as_bytes()).await?;
    let mut job = app
        .store
        .get_import_job(pool_id, &job_id)
        .await?
        .ok_or("the job is gone")?;
    job.status = ImportJobStatus::Pending;
    job.started_ms = Some(app.clock.now_millis());
    job.version += 1;
    app.store.update_import_job(&job).await?;
    Ok(Some(job_id))
}

/// A worker port that keeps the tickets handed to it.
#[derive(Default)]
pub struct Recorder {
    /// The tickets, in order.
    pub tickets: Mutex<Vec<JobTicket>>,
}

impl Recorder {
    /// The tickets handed on so far.
    pub fn taken(&self) -> Vec<JobTicket> {
        self.tickets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

#[async_trait]
impl JobDispatch for Recorder {
    async fn dispatch(&self, ticket: &JobTicket) -> Result<(), latchkey::Error> {
        self.tickets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(ticket.clone());
        Ok(())
    }
}
