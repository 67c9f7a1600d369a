//! Import files in an S3 bucket (the Lambda functions' adapter, `LATCHKEY_IMPORT_BUCKET`), as
//! Cognito keeps them: a job's upload URL is an S3 pre-signed PUT of the object
//! `imports/{poolId}/{jobId}.csv`, good for [`super::UPLOAD_URL_MS`].
//!
//! The URL signs `x-amz-server-side-encryption: aws:kms`, so it takes the upload Cognito's
//! documentation shows (`curl -T FILE -H "x-amz-server-side-encryption:aws:kms" URL`): S3
//! refuses a pre-signed request carrying an `x-amz-*` header it did not sign, and a signed one
//! must be sent. `Content-Type` is not signed, so any (or none, as `curl -T` sends) is taken.
//! The bucket's lifecycle rule removes what a job left behind (an upload to a job never
//! started); a job removes its file when it ends.

use super::files::{file_name, ImportFiles, UrlWindow, MAX_FILE_BYTES};
use crate::error::Error;
use async_trait::async_trait;
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_types::service_config::ServiceConfigKey;
use aws_types::SdkConfig;
use std::time::{Duration, UNIX_EPOCH};

/// The key prefix of import files (the template's lifecycle rule names it too).
pub const PREFIX: &str = "imports/";

/// Files in `bucket`, under [`PREFIX`].
pub struct S3Files {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Files {
    /// Files in `bucket`, through the SDK configuration `sdk`. With an endpoint override
    /// (`AWS_ENDPOINT_URL_S3`, a local S3 such as moto) the bucket goes in the path, since
    /// `bucket.127.0.0.1` names no host; against S3 itself, in the host name.
    pub fn new(sdk: &SdkConfig, bucket: &str) -> Self {
        let overridden = sdk.service_config().is_some_and(|c| {
            let key = ServiceConfigKey::builder()
                .service_id("S3")
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build();
            key.is_ok_and(|k| c.load_config(k).is_some())
        }) || sdk.endpoint_url().is_some();
        let config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(overridden)
            .build();
        Self {
            client: aws_sdk_s3::Client::from_conf(config),
            bucket: bucket.to_string(),
        }
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// A job's object key, `imports/{poolId}/{jobId}.csv` ([`file_name`]).
    pub fn key(pool_id: &str, job_id: &str) -> Result<String, Error> {
        Ok(format!("{PREFIX}{}", file_name(pool_id, '/', job_id)?))
    }
}

/// An S3 call's failure, with the SDK's context (never a URL: signed ones are not logged).
fn s3<E: std::error::Error + 'static, R: std::fmt::Debug>(what: &str, e: SdkError<E, R>) -> Error {
    Error::Store(format!("import file {what}: {}", DisplayErrorContext(&e)))
}

#[async_trait]
impl ImportFiles for S3Files {
    async fn upload_url(
        &self,
        pool_id: &str,
        job_id: &str,
        window: UrlWindow,
    ) -> Result<Option<String>, Error> {
        let millis = |ms: i64| Duration::from_millis(u64::try_from(ms).unwrap_or(0));
        let presigning = PresigningConfig::builder()
            .start_time(UNIX_EPOCH + millis(window.starts_ms))
            .expires_in(millis(window.lasts_ms))
            .build()
            .map_err(|e| Error::Store(format!("import upload URL: {e}")))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(Self::key(pool_id, job_id)?)
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .presigned(presigning)
            .await
            .map_err(|e| s3("URL", e))?;
        Ok(Some(request.uri().to_string()))
    }

    async fn exists(&self, pool_id: &str, job_id: &str) -> Result<bool, Error> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(Self::key(pool_id, job_id)?)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|se| se.is_not_found()) => Ok(false),
            Err(e) => Err(s3("check", e)),
        }
    }

    async fn put(&self, pool_id: &str, job_id: &str, body: &[u8]) -> Result<(), Error> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(Self::key(pool_id, job_id)?)
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .content_type("text/csv")
            .body(body.to_vec().into())
            .send()
            .await
            .map_err(|e| s3("write", e))?;
        Ok(())
    }

    async fn get(&self, pool_id: &str, job_id: &str) -> Result<Option<Vec<u8>>, Error> {
        let got = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(Self::key(pool_id, job_id)?)
            .send()
            .await;
        let object = match got {
            Ok(o) => o,
            Err(e) if e.as_service_error().is_some_and(|se| se.is_no_such_key()) => {
                return Ok(None)
            }
            Err(e) => return Err(s3("read", e)),
        };
        // A pre-signed PUT cannot cap the size; Cognito's 100 MB limit is kept here.
        if object
            .content_length()
            .is_some_and(|n| n > MAX_FILE_BYTES as i64)
        {
            return Err(Error::Store(format!(
                "import file of {pool_id}/{job_id} is over the {MAX_FILE_BYTES}-byte limit"
            )));
        }
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| Error::Store(format!("import file read: {e}")))?;
        Ok(Some(bytes.to_vec()))
    }

    async fn delete(&self, pool_id: &str, job_id: &str) -> Result<(), Error> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(Self::key(pool_id, job_id)?)
            .send()
            .await
            .map_err(|e| s3("delete", e))?;
        Ok(())
    }
}
