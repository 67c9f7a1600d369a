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
    /// A Lambda-API endpoint of its own (`AWS_ENDPOINT_URL_LAMBDA`, e.g. `cargo lambda watch`),
    /// which knows functions by name only: ARNs are sent as their function name there.
    by_name: bool,
    lambda: OnceCell<aws_sdk_lambda::Client>,
    http: OnceCell<HttpClient>,
}

impl Invokers {
    /// Invokers whose Lambda client uses the normal AWS configuration, in `default_region`
    /// when none is configured.
    pub fn new(default_region: &str) -> Self {
        Self {
            region: default_region.to_string(),
            by_name: std::env::var_os("AWS_ENDPOINT_URL_LAMBDA").is_some(),
            lambda: OnceCell::new(),
            http: OnceCell::new(),
        }
    }

    async fn lambda(&self) -> Result<&aws_sdk_lambda::Client, InvokeError> {
        self.lambda
            .get_or_try_init(|| async {
                let sdk = crate::sdk_http::load_config(&self.region)
                    .await
                    .map_err(|e| {
                        tracing::warn!(error = %e, "trigger invoker setup failed");
                        InvokeError::Unreachable(UNREACHABLE.into())
                    })?;
                // No retries: a trigger has 5 s in all, and a retried function runs twice.
                let config = aws_sdk_lambda::config::Builder::from(&sdk)
                    .retry_config(aws_sdk_lambda::config::retry::RetryConfig::disabled())
                    .build();
                Ok(aws_sdk_lambda::Client::from_conf(config))
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
        let (name, qualifier) = match self.by_name {
            true => function_name(arn),
            false => (arn, None),
        };
        let call = self
            .lambda()
            .await?
            .invoke()
            .function_name(name)
            .set_qualifier(qualifier.map(str::to_string))
            .invocation_type(aws_sdk_lambda::types::InvocationType::RequestResponse)
            .payload(aws_sdk_lambda::primitives::Blob::new(event))
            .send();
        let out = tokio::time::timeout(TIMEOUT, call)
            .await
            .map_err(|_| InvokeError::TimedOut)?
            .map_err(|e| {
                // Lambda emulators answer a function error as a 5xx carrying Lambda's error
                // shape, where Lambda itself answers 200 with X-Amz-Function-Error.
                let body = e.raw_response().and_then(|r| r.body().bytes());
                if let Some(message) = body.and_then(lambda_error_message) {
                    return InvokeError::Failed(message);
                }
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
    lambda_error_message(body).unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string())
}

/// The `errorMessage` of Lambda's error shape, if `body` is one.
fn lambda_error_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("errorMessage")?.as_str().map(str::to_string)
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` → (NAME, QUALIFIER); anything
/// else is already a name.
fn function_name(arn: &str) -> (&str, Option<&str>) {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name] => (name, None),
        ["arn", _, "lambda", _, _, "function", name, qualifier] => (name, Some(qualifier)),
        _ => (arn, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_become_names_for_emulators() {
        let arn = "arn:aws:lambda:us-east-1:000000000000:function:auto-confirm";
        assert_eq!(function_name(arn), ("auto-confirm", None));
        let q = "arn:aws:lambda:us-east-1:000000000000:function:f:live";
        assert_eq!(function_name(q), ("f", Some("live")));
        assert_eq!(function_name("plain-name"), ("plain-name", None));
    }

    #[test]
    fn error_message_prefers_lambda_shape() {
        let lambda = br#"{"errorType":"Error","errorMessage":"Email domain not allowed"}"#;
        assert_eq!(error_message(lambda), "Email domain not allowed");
        assert_eq!(error_message(b"  denied \n"), "denied");
        assert_eq!(error_message(br#"{"other":1}"#), r#"{"other":1}"#);
    }
}
