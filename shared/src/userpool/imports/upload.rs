//! The local pre-signed upload URL: `PUT {base}/_latchkey/import/{jobId}?userPoolId=…&token=…`
//! takes the job's CSV once. The token is 256 random bits, kept only as its SHA-256 (compared
//! in constant time), expires after [`super::UPLOAD_URL_MS`], and is spent by the
//! version-checked write that accepts the file, so two uploads racing cannot both land.

use super::files::MAX_FILE_BYTES;
use crate::secret::sha256_hex;
use crate::store::StoreError;
use crate::userpool::model::ImportJobStatus;
use crate::App;
use subtle::ConstantTimeEq;

/// The path of a job's upload URL (the route table's `/_latchkey/import/{jobId}`).
pub const PATH: &str = "/_latchkey/import";

/// The upload URL of a job.
pub fn url(app: &App, pool_id: &str, job_id: &str, token: &str) -> String {
    format!(
        "{}{PATH}/{job_id}?userPoolId={pool_id}&token={token}",
        app.settings.issuer_base_url
    )
}

/// Why an upload is refused (answered as S3 answers: a code and a message).
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The URL is not (or no longer) good: unknown job, wrong or spent token, expired.
    AccessDenied(&'static str),
    /// Over Cognito's 100 MB.
    TooLarge,
}

/// Accepts `body` as the CSV of `job_id` when `token` is the job's, unspent and unexpired.
pub async fn accept(
    app: &App,
    pool_id: &str,
    job_id: &str,
    token: &str,
    body: &[u8],
) -> Result<Result<(), Refused>, crate::ApiError> {
    if body.len() > MAX_FILE_BYTES {
        return Ok(Err(Refused::TooLarge));
    }
    let Some(files) = &app.imports.files else {
        return Ok(Err(Refused::AccessDenied("Uploads are not kept here.")));
    };
    let denied = Refused::AccessDenied("Request has invalid or expired credentials.");
    let Some(job) = app.store.get_import_job(pool_id, job_id).await? else {
        return Ok(Err(denied));
    };
    let given = sha256_hex(token.as_bytes());
    let matches: bool = given
        .as_bytes()
        .ct_eq(job.upload.token_hash.as_bytes())
        .into();
    let now = app.clock.now_millis();
    if !matches
        || job.upload.spent
        || now >= job.upload.expires_ms
        || job.status != ImportJobStatus::Created
    {
        return Ok(Err(denied));
    }
    let mut spent = job.clone();
    spent.upload.spent = true;
    spent.version += 1;
    match app.store.update_import_job(&spent).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => return Ok(Err(denied)),
        Err(e) => return Err(e.into()),
    }
    files.put(pool_id, job_id, body).await?;
    Ok(Ok(()))
}
