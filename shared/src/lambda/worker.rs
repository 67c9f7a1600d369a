//! A function's events beside API Gateway's: the import worker's `{"latchkeyImportJob": …}`
//! ([`crate::userpool::imports::worker`]), sent by Lambda `Invoke` (asynchronously, so no
//! caller waits and API Gateway's 30 seconds do not apply). Whoever may invoke the function
//! may send one: the function's IAM resource policy is the gate, as for any direct invoke.
//!
//! The worker runs the job until shortly before the invocation's deadline, then writes its
//! progress and invokes its own function again (the ARN it was invoked by) with the next
//! ticket; each invocation resumes after the rows already done.

use crate::userpool::imports::run::{self, Part};
use crate::userpool::imports::worker::{JobDispatch, WorkerEvent, WorkerOutcome, WorkerReply};
use crate::App;
use lambda_http::request::LambdaRequest;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

/// The most a part keeps back from the invocation's deadline, ms (to write its progress and
/// invoke the next part).
pub const RESERVE_MS: i64 = 30_000;

/// One invocation's payload: an import worker's ticket, or an API Gateway request.
pub enum FunctionEvent {
    /// `{"latchkeyImportJob": …}`.
    Import(WorkerEvent),
    /// Anything else: an API Gateway v2 request (boxed: it is large).
    Http(Box<LambdaRequest>),
}

/// The member only a worker's ticket has at its top level.
const TICKET: &str = "\"latchkeyImportJob\"";

impl<'de> Deserialize<'de> for FunctionEvent {
    /// The payload is kept as its JSON text and read once as what it is. (serde's `untagged`
    /// cannot be used: it buffers the event, and `LambdaRequest`'s own deserializers refuse
    /// that buffer, so every API Gateway event failed.) Only a text naming the ticket's
    /// member is tried as a ticket first; an API Gateway event is read as one, as before.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        let text = raw.get();
        if text.contains(TICKET) {
            if let Ok(ticket) = serde_json::from_str::<WorkerEvent>(text) {
                return Ok(Self::Import(ticket));
            }
        }
        serde_json::from_str::<LambdaRequest>(text)
            .map(|r| Self::Http(Box::new(r)))
            .map_err(D::Error::custom)
    }
}

/// One invocation's reply; `H` is `lambda_http`'s response to API Gateway (a type it does not
/// name outside).
#[derive(Serialize)]
#[serde(untagged)]
pub enum FunctionReply<H> {
    /// The import worker's.
    Import(WorkerReply),
    /// The HTTP response, as API Gateway takes it.
    Http(H),
}

/// Where a part must stop: `RESERVE_MS` before `deadline_ms` (the invocation's deadline, epoch
/// ms), or a third of the time left when that is less.
pub fn part_deadline(now_ms: i64, deadline_ms: i64) -> i64 {
    let left = (deadline_ms - now_ms).max(0);
    deadline_ms - RESERVE_MS.min(left / 3)
}

/// Runs the job `event` names until it ends or `deadline_ms` (the invocation's) is near,
/// handing the rest to `next` (this function again). Never fails: faults are logged.
pub async fn run_import(
    app: &App,
    event: &WorkerEvent,
    deadline_ms: i64,
    next: &dyn JobDispatch,
) -> WorkerReply {
    let job = &event.job;
    let span = tracing::info_span!("import_worker", job_id = %job.job_id);
    let outcome = async {
        if app.imports.files.is_none() {
            tracing::error!(
                "an import job event came to a function without LATCHKEY_IMPORT_BUCKET: nothing run"
            );
            return WorkerOutcome::Fault;
        }
        let stop_at = part_deadline(app.clock.now_millis(), deadline_ms);
        match run::run_part(app, job, stop_at).await {
            Part::Ended => WorkerOutcome::Ended,
            Part::Skipped => WorkerOutcome::Skipped,
            Part::Fault => WorkerOutcome::Fault,
            Part::Paused(ticket) => match next.dispatch(&ticket).await {
                Ok(()) => {
                    tracing::info!(version = ticket.version, "import job handed on");
                    WorkerOutcome::HandedOn
                }
                Err(e) => {
                    // The job stays InProgress at this version; a worker event with this
                    // ticket (ticket.version) resumes it.
                    tracing::error!(error = %e, version = ticket.version, "import job not handed on");
                    WorkerOutcome::Fault
                }
            },
        }
    }
    .instrument(span)
    .await;
    WorkerReply {
        job_id: job.job_id.clone(),
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_keeps_time_back_for_the_hand_over() {
        // 15 minutes left: stop 30 s before the deadline.
        assert_eq!(part_deadline(0, 900_000), 870_000);
        // 9 s left: keep a third.
        assert_eq!(part_deadline(1_000, 10_000), 7_000);
        // Past the deadline already: the deadline itself.
        assert_eq!(part_deadline(20_000, 10_000), 10_000);
    }

    #[test]
    fn tells_worker_events_from_api_gateway_requests() {
        let import: FunctionEvent = serde_json::from_str(
            r#"{"latchkeyImportJob":{"userPoolId":"us-east-1_A1","jobId":"import-x","version":2}}"#,
        )
        .unwrap();
        assert!(matches!(import, FunctionEvent::Import(e) if e.job.version == 2));
        for sample in [
            include_str!("../../../events/admin/target-admin-get-user.json"),
            include_str!("../../../events/sign-in/target-initiate-auth.json"),
        ] {
            let event: FunctionEvent = serde_json::from_str(sample).unwrap();
            assert!(matches!(event, FunctionEvent::Http(_)));
        }
    }
}
