//! Running jobs in another Lambda invocation: the port that hands a job on, its Lambda adapter
//! (an asynchronous `Invoke`, `InvocationType=Event`, of the worker function), and the event
//! the worker receives.
//!
//! A job is handed on as a [`JobTicket`]: pool, job and the job's version when it was handed
//! on. The worker runs it only if the job is still at that version, so a duplicate or late
//! delivery (Lambda delivers asynchronous events at least once) finds the job moved on and does
//! nothing; of two deliveries of one ticket, the version-checked claim lets one through. A
//! worker short of time writes its progress and hands the job on again with a new ticket
//! ([`super::run::run_part`]).

use crate::error::Error;
use crate::userpool::model::ImportJob;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A job handed to a worker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobTicket {
    /// The job's pool.
    pub user_pool_id: String,
    /// The job.
    pub job_id: String,
    /// The job's version when it was handed on.
    pub version: u64,
}

impl JobTicket {
    /// The ticket of `job` as it was last written.
    pub fn of(job: &ImportJob) -> Self {
        Self {
            user_pool_id: job.pool_id.clone(),
            job_id: job.job_id.clone(),
            version: job.version,
        }
    }
}

/// The payload of a worker invocation: `{"latchkeyImportJob": {"userPoolId", "jobId",
/// "version"}}` (no API Gateway event has that member).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerEvent {
    /// The job to run.
    #[serde(rename = "latchkeyImportJob")]
    pub job: JobTicket,
}

/// What a worker invocation did, as its reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerReply {
    /// The job.
    pub job_id: String,
    /// `ended` (the job reached its end here), `handedOn` (out of time: progress written and
    /// the job handed to another invocation), `skipped` (the ticket was stale: the job had
    /// moved on) or `fault` (logged).
    pub outcome: WorkerOutcome,
}

/// See [`WorkerReply::outcome`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WorkerOutcome {
    /// The job ended (Succeeded, Failed or Stopped).
    Ended,
    /// Progress written; the job was handed to another invocation.
    HandedOn,
    /// Nothing to do for this ticket.
    Skipped,
    /// A fault (logged); the job is as it was written last.
    Fault,
}

/// Hands a job to a worker.
#[async_trait]
pub trait JobDispatch: Send + Sync {
    /// Sends `ticket` to the worker (and returns without waiting for it to run).
    async fn dispatch(&self, ticket: &JobTicket) -> Result<(), Error>;
}

/// A Lambda function as the worker: each ticket is one asynchronous invocation.
pub struct LambdaWorker {
    client: aws_sdk_lambda::Client,
    function: String,
}

impl LambdaWorker {
    /// Invokes `function` (a name or ARN) through `client`.
    pub fn new(client: aws_sdk_lambda::Client, function: &str) -> Self {
        Self {
            client,
            function: function.to_string(),
        }
    }
}

#[async_trait]
impl JobDispatch for LambdaWorker {
    async fn dispatch(&self, ticket: &JobTicket) -> Result<(), Error> {
        let payload = serde_json::to_vec(&WorkerEvent {
            job: ticket.clone(),
        })?;
        self.client
            .invoke()
            .function_name(&self.function)
            .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
            .payload(aws_sdk_lambda::primitives::Blob::new(payload))
            .send()
            .await
            .map_err(|e| {
                Error::Store(format!(
                    "import worker {}: {}",
                    self.function,
                    aws_sdk_lambda::error::DisplayErrorContext(&e)
                ))
            })?;
        Ok(())
    }
}
