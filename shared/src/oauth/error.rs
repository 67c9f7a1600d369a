//! OAuth 2.0 error answers (RFC 6749 §5.2 and §4.1.2.1): a code from the RFC's list, as
//! Cognito sends them (`{"error": "invalid_grant"}`), with the cause kept for logs only.

use crate::error::ApiError;
use serde::Serialize;

/// An OAuth error code and, for logs, why.
#[derive(Debug, Clone, Serialize)]
pub struct OAuthError {
    /// The RFC's code (`invalid_request`, `invalid_client`, `invalid_grant`, ...).
    pub error: &'static str,
    /// Why, for logs (never sent: Cognito sends the code alone).
    #[serde(skip)]
    pub cause: String,
}

impl OAuthError {
    /// An error with code `error` because of `cause`.
    pub fn new(error: &'static str, cause: impl Into<String>) -> Self {
        Self {
            error,
            cause: cause.into(),
        }
    }

    /// `invalid_request`: a parameter is missing, repeated or malformed.
    pub fn invalid_request(cause: impl Into<String>) -> Self {
        Self::new("invalid_request", cause)
    }

    /// `invalid_client`: the client is unknown or failed to authenticate.
    pub fn invalid_client(cause: impl Into<String>) -> Self {
        Self::new("invalid_client", cause)
    }

    /// `invalid_grant`: the code, refresh token or verifier is wrong, used or expired.
    pub fn invalid_grant(cause: impl Into<String>) -> Self {
        Self::new("invalid_grant", cause)
    }

    /// `unauthorized_client`: the client may not use this flow.
    pub fn unauthorized_client(cause: impl Into<String>) -> Self {
        Self::new("unauthorized_client", cause)
    }

    /// `invalid_scope`: a scope the client may not have, or that does not exist.
    pub fn invalid_scope(cause: impl Into<String>) -> Self {
        Self::new("invalid_scope", cause)
    }

    /// `unsupported_grant_type`.
    pub fn unsupported_grant_type(cause: impl Into<String>) -> Self {
        Self::new("unsupported_grant_type", cause)
    }

    /// Whether this is a fault of ours rather than the client's.
    pub fn is_fault(&self) -> bool {
        self.error == "server_error"
    }
}

impl From<ApiError> for OAuthError {
    /// A user-pool refusal met while serving an OAuth request: faults stay faults, anything
    /// else is a grant the client can't have.
    fn from(e: ApiError) -> Self {
        match e.kind {
            crate::error::ErrorKind::InternalError => Self::new("server_error", e.message),
            _ => Self::invalid_grant(e.message),
        }
    }
}
