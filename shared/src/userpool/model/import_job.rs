//! User import jobs as stored (CreateUserImportJob and its successors): the job's state
//! machine, its counts, and the single-use upload grant of the local pre-signed URL.

use serde::{Deserialize, Serialize};

pub use crate::userpool::enums::ImportJobStatus;

impl ImportJobStatus {
    /// Whether the job has ended (nothing moves it on any more).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Expired | Self::Stopped | Self::Failed | Self::Succeeded
        )
    }
}

/// The local upload URL's grant: the SHA-256 of its token, when it lapses, and whether it was
/// spent. (With an S3 bucket the URL is S3's own and this stays empty.)
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct UploadGrant {
    /// Hex SHA-256 of the URL's token.
    pub token_hash: String,
    /// When the URL stops working, epoch ms.
    pub expires_ms: i64,
    /// The URL was used once (a file was stored); it is single-use.
    pub spent: bool,
}

/// One user import job.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ImportJob {
    /// The pool the users go into.
    pub pool_id: String,
    /// `import-<random>`.
    pub job_id: String,
    /// JobName.
    pub job_name: String,
    /// CloudWatchLogsRoleArn (stored and echoed; Latchkey logs through its own logger).
    pub cloud_watch_logs_role_arn: String,
    /// Where the CSV goes (the pre-signed URL), sealed with the deployment's session key
    /// (the URL carries its token).
    pub pre_signed_url_sealed: String,
    /// The local URL's grant (empty with S3).
    #[serde(default)]
    pub upload: UploadGrant,
    /// Status.
    pub status: ImportJobStatus,
    /// Epoch ms.
    pub created_ms: i64,
    /// StartUserImportJob, epoch ms.
    pub started_ms: Option<i64>,
    /// When it ended, epoch ms.
    pub completed_ms: Option<i64>,
    /// Rows imported.
    pub imported: u64,
    /// Rows skipped.
    pub skipped: u64,
    /// Rows that failed.
    pub failed: u64,
    /// Data rows read so far (progress, and where a resumed run continues).
    pub rows_done: u64,
    /// CompletionMessage.
    pub completion_message: Option<String>,
    /// Optimistic-concurrency version; every update carries the version it read plus one.
    pub version: u64,
}
