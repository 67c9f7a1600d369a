//! Where uploaded import files wait for their job: the port, and the local server's adapter (a
//! folder: the data dir's `imports/`, or a temporary one for `--in-memory` and DynamoDB; the
//! functions' adapter is an S3 bucket, [`super::s3`]). Files are kept per pool and job, written
//! through the job's upload URL, read by the job, and removed when it ends.
//!
//! The upload URL is the adapter's to give: a bucket hands out its own pre-signed PUT URL (as
//! Cognito does); a folder has none, and the job gets Latchkey's single-use URL
//! ([`super::upload`]), whose handler calls [`ImportFiles::put`].

use crate::error::Error;
use async_trait::async_trait;
use std::path::PathBuf;

/// Cognito's limit on an import file.
pub const MAX_FILE_BYTES: usize = 100 * 1024 * 1024;

/// How long an upload URL works: from `starts_ms` (epoch ms, the App's clock) for `lasts_ms`.
#[derive(Clone, Copy, Debug)]
pub struct UrlWindow {
    /// When the URL starts to work, epoch ms.
    pub starts_ms: i64,
    /// How long it works, ms.
    pub lasts_ms: i64,
}

/// Uploaded CSV files, by pool and job.
#[async_trait]
pub trait ImportFiles: Send + Sync {
    /// The adapter's own upload URL for a job's file (a pre-signed PUT), or `None` when files
    /// reach it only through Latchkey's upload URL and [`ImportFiles::put`].
    async fn upload_url(
        &self,
        pool_id: &str,
        job_id: &str,
        window: UrlWindow,
    ) -> Result<Option<String>, Error>;
    /// Whether a job's file was uploaded.
    async fn exists(&self, pool_id: &str, job_id: &str) -> Result<bool, Error>;
    /// Stores a job's file (replacing none: a grant is spent before this is called).
    async fn put(&self, pool_id: &str, job_id: &str, body: &[u8]) -> Result<(), Error>;
    /// A job's file, if it was uploaded.
    async fn get(&self, pool_id: &str, job_id: &str) -> Result<Option<Vec<u8>>, Error>;
    /// Removes a job's file (gone already is fine).
    async fn delete(&self, pool_id: &str, job_id: &str) -> Result<(), Error>;
}

/// A job's file name, `{pool_id}{sep}{job_id}.csv`, for every adapter. Pool and job ids are
/// checked against Cognito's patterns before they get here (word characters, `-`, `_`); any
/// other name is refused all the same, so a name cannot leave its folder or prefix.
pub fn file_name(pool_id: &str, sep: char, job_id: &str) -> Result<String, Error> {
    let safe = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !safe(pool_id) || !safe(job_id) {
        return Err(Error::Store("import file name is not safe".into()));
    }
    Ok(format!("{pool_id}{sep}{job_id}.csv"))
}

/// Files in a local folder.
pub struct LocalDir {
    dir: PathBuf,
}

impl LocalDir {
    /// Files under `dir` (made when the first file is written).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// A job's file in the folder ([`file_name`]).
    fn path(&self, pool_id: &str, job_id: &str) -> Result<PathBuf, Error> {
        Ok(self.dir.join(file_name(pool_id, '.', job_id)?))
    }
}

fn io(e: std::io::Error) -> Error {
    Error::Store(format!("import file: {e}"))
}

/// Runs a file operation on the blocking pool (tokio's `fs` is `spawn_blocking` too).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Store(format!("import file task: {e}")))?
        .map_err(io)
}

#[async_trait]
impl ImportFiles for LocalDir {
    async fn upload_url(&self, _: &str, _: &str, _: UrlWindow) -> Result<Option<String>, Error> {
        Ok(None)
    }

    async fn exists(&self, pool_id: &str, job_id: &str) -> Result<bool, Error> {
        let path = self.path(pool_id, job_id)?;
        blocking(move || path.try_exists()).await
    }

    async fn put(&self, pool_id: &str, job_id: &str, body: &[u8]) -> Result<(), Error> {
        let path = self.path(pool_id, job_id)?;
        let dir = self.dir.clone();
        let body = body.to_vec();
        // Written under a temporary name and renamed, so a job never reads half a file.
        blocking(move || {
            std::fs::create_dir_all(&dir)?;
            let partial = path.with_extension("part");
            std::fs::write(&partial, body)?;
            std::fs::rename(&partial, &path)
        })
        .await
    }

    async fn get(&self, pool_id: &str, job_id: &str) -> Result<Option<Vec<u8>>, Error> {
        let path = self.path(pool_id, job_id)?;
        blocking(move || match std::fs::read(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    async fn delete(&self, pool_id: &str, job_id: &str) -> Result<(), Error> {
        let path = self.path(pool_id, job_id)?;
        blocking(move || match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        })
        .await
    }
}
