//! The trigger-invoker port and its adapters. A pool's LambdaConfig names each trigger by a
//! Lambda ARN (called with the Lambda `Invoke` API, RequestResponse, so
//! `AWS_ENDPOINT_URL_LAMBDA` can point at `cargo lambda watch` or any Lambda-API server) or by
//! an `http://` / `https://` URL (Latchkey's extension: the event JSON is POSTed and the reply's
//! JSON is the answer). Every call gives up after [`TIMEOUT`], as Cognito does.

use crate::http::{HttpClient, PostError};
use async_trait::async_trait;
use std::time::Duration;
use tokio::sync::OnceCell;

/// How long a trigger may take (Cognito's limit).
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Why a trigger call did not produce an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeError {
    /// The function ran and reported an error (Lambda's `FunctionError`, or a non-2xx HTTP
    /// status): its message.
    Failed(String),
    /// No answer within [`TIMEOUT`].
    TimedOut,
    /// The function could not be called (refused connection, unknown function, ...): a short
    /// reason fit for the client (the detail is logged here).
    Unreachable(String),
}

/// The client-facing reason when a function could not be reached.
const UNREACHABLE: &str = "Connection to the function failed";

/// Calls trigger functions.
#[async_trait]
pub trait TriggerInvoker: Send + Sync {
    /// Sends `event` (JSON) to `target` and returns the reply's bytes.
    async fn invoke(&self, target: &str, event: Vec<u8>) -> Result<Vec<u8>, InvokeError>;
}

/// The default invoker: ARNs go to Lambda, URLs to HTTP. Both clients are made on first use,
/// so a deployment without triggers never builds them.
pub struct Invokers {
    region: String,
    lambda: OnceCell<aws_sdk_lambda::Client>,
    http: OnceCell<HttpClient>,
}

impl Invokers {
    /// Invokers whose Lambda client uses the normal AWS configuration, in `default_region`
    /// when none is configured.
    pub fn new(default_region: &str) -> Self {
        Self {
            region: default_region.to_string(),
            lambda: OnceCell::new(),
            http: OnceCell::new(),
        }
    }

    async fn lambda(&self) -> &aws_sdk_lambda::Client {
        self.lambda
            .get_or_init(|| async {
                let region = aws_config::meta::region::RegionProviderChain::default_provider()
                    .or_else(aws_config::Region::new(self.region.clone()));
                let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .region(region)
                    .load()
                    .await;
                aws_sdk_lambda::Client::new(&config)
            })
            .await
    }

    async fn http(&self) -> Result<&HttpClient, InvokeError> {
        self.http
            .get_or_try_init(|| async { HttpClient::new(TIMEOUT) })
            .await
            .map_err(|e| InvokeError::Unreachable(e.to_string()))
    }

    async fn invoke_lambda(&self, arn: &str, event: Vec<u8>) -> Result<Vec<u8>, InvokeError> {
        let call = self
            .lambda()
            .await
            .invoke()
            .function_name(arn)
            .invocation_type(aws_sdk_lambda::types::InvocationType::RequestResponse)
            .payload(aws_sdk_lambda::primitives::Blob::new(event))
            .send();
        let out = tokio::time::timeout(TIMEOUT, call)
            .await
            .map_err(|_| InvokeError::TimedOut)?
            .map_err(|e| {
                let detail = aws_sdk_lambda::error::DisplayErrorContext(&e).to_string();
                tracing::warn!(function = arn, error = %detail, "trigger invoke failed");
                InvokeError::Unreachable(match e.as_service_error() {
                    Some(se) => aws_sdk_lambda::error::ProvideErrorMetadata::code(se)
                        .unwrap_or("LambdaError")
                        .to_string(),
                    None => UNREACHABLE.into(),
                })
            })?;
        let payload = out.payload.map(|b| b.into_inner()).unwrap_or_default();
        if out.function_error.is_some() {
            return Err(InvokeError::Failed(error_message(&payload)));
        }
        Ok(payload)
    }

    async fn invoke_http(&self, url: &str, event: Vec<u8>) -> Result<Vec<u8>, InvokeError> {
        let posted = self
            .http()
            .await?
            .post_json(url, event)
            .await
            .map_err(|e| match e {
                PostError::TimedOut => InvokeError::TimedOut,
                PostError::Failed(why) => {
                    tracing::warn!(url, error = %why, "trigger POST failed");
                    InvokeError::Unreachable(UNREACHABLE.into())
                }
            })?;
        if !(200..300).contains(&posted.status) {
            return Err(InvokeError::Failed(error_message(&posted.body)));
        }
        Ok(posted.body.to_vec())
    }
}

#[async_trait]
impl TriggerInvoker for Invokers {
    async fn invoke(&self, target: &str, event: Vec<u8>) -> Result<Vec<u8>, InvokeError> {
        if target.starts_with("http://") || target.starts_with("https://") {
            self.invoke_http(target, event).await
        } else {
            self.invoke_lambda(target, event).await
        }
    }
}

/// A failed function's message: Lambda's error shape `{"errorMessage": ...}`, or else the body
/// text.
pub fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("errorMessage")?.as_str().map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_prefers_lambda_shape() {
        let lambda = br#"{"errorType":"Error","errorMessage":"Email domain not allowed"}"#;
        assert_eq!(error_message(lambda), "Email domain not allowed");
        assert_eq!(error_message(b"  denied \n"), "denied");
        assert_eq!(error_message(br#"{"other":1}"#), r#"{"other":1}"#);
    }
}
