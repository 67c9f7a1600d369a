//! Errors. `ApiError` is what a client sees: a Cognito `__type` and its exact message.
//! Internal faults (`Error`) carry their cause for the log and become `InternalErrorException`.

use std::fmt;

/// The prefix every Coral constraint message starts with (also how the protocol tells them apart).
pub const VALIDATION_PREFIX: &str = "1 validation error detected: ";

/// The Cognito error types Latchkey answers with (the wire `__type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ErrorKind {
    InvalidParameter,
    NotAuthorized,
    UserNotFound,
    UserNotConfirmed,
    UsernameExists,
    AliasExists,
    CodeMismatch,
    ExpiredCode,
    InvalidPassword,
    LimitExceeded,
    CodeDeliveryFailure,
    InvalidSmsRoleTrustRelationship,
    InvalidSmsRoleAccessPolicy,
    InvalidEmailRoleAccessPolicy,
    TooManyFailedAttempts,
    PasswordResetRequired,
    PreconditionNotMet,
    PasswordHistoryPolicyViolation,
    ResourceNotFound,
    GroupExists,
    DuplicateProvider,
    UnsupportedUserState,
    UnsupportedTokenType,
    Unauthorized,
    RefreshTokenReuse,
    ResourceConflict,
    DeveloperUserAlreadyRegistered,
    ConcurrentModification,
    InvalidOAuthFlow,
    ScopeDoesNotExist,
    InvalidIdentityPoolConfiguration,
    EnableSoftwareTokenMfa,
    SoftwareTokenMfaNotFound,
    UserLambdaValidation,
    InvalidLambdaResponse,
    UnexpectedLambda,
    WebAuthnNotEnabled,
    WebAuthnConfigurationMissing,
    WebAuthnChallengeNotFound,
    WebAuthnRelyingPartyMismatch,
    WebAuthnOriginNotAllowed,
    WebAuthnClientMismatch,
    WebAuthnCredentialNotSupported,
    UnsupportedOperation,
    UnknownOperation,
    Serialization,
    InternalError,
}

impl ErrorKind {
    /// The `__type` string sent on the wire.
    pub fn as_str(self) -> &'static str {
        use ErrorKind::*;
        match self {
            InvalidParameter => "InvalidParameterException",
            NotAuthorized => "NotAuthorizedException",
            UserNotFound => "UserNotFoundException",
            UserNotConfirmed => "UserNotConfirmedException",
            UsernameExists => "UsernameExistsException",
            AliasExists => "AliasExistsException",
            CodeMismatch => "CodeMismatchException",
            ExpiredCode => "ExpiredCodeException",
            InvalidPassword => "InvalidPasswordException",
            LimitExceeded => "LimitExceededException",
            CodeDeliveryFailure => "CodeDeliveryFailureException",
            InvalidSmsRoleTrustRelationship => "InvalidSmsRoleTrustRelationshipException",
            InvalidSmsRoleAccessPolicy => "InvalidSmsRoleAccessPolicyException",
            InvalidEmailRoleAccessPolicy => "InvalidEmailRoleAccessPolicyException",
            TooManyFailedAttempts => "TooManyFailedAttemptsException",
            PasswordResetRequired => "PasswordResetRequiredException",
            PreconditionNotMet => "PreconditionNotMetException",
            PasswordHistoryPolicyViolation => "PasswordHistoryPolicyViolationException",
            GroupExists => "GroupExistsException",
            DuplicateProvider => "DuplicateProviderException",
            UnsupportedUserState => "UnsupportedUserStateException",
            UnsupportedTokenType => "UnsupportedTokenTypeException",
            Unauthorized => "UnauthorizedException",
            RefreshTokenReuse => "RefreshTokenReuseException",
            ResourceConflict => "ResourceConflictException",
            DeveloperUserAlreadyRegistered => "DeveloperUserAlreadyRegisteredException",
            ConcurrentModification => "ConcurrentModificationException",
            InvalidOAuthFlow => "InvalidOAuthFlowException",
            ScopeDoesNotExist => "ScopeDoesNotExistException",
            InvalidIdentityPoolConfiguration => "InvalidIdentityPoolConfigurationException",
            EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
            SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
            ResourceNotFound => "ResourceNotFoundException",
            UserLambdaValidation => "UserLambdaValidationException",
            InvalidLambdaResponse => "InvalidLambdaResponseException",
            UnexpectedLambda => "UnexpectedLambdaException",
            WebAuthnNotEnabled => "WebAuthnNotEnabledException",
            WebAuthnConfigurationMissing => "WebAuthnConfigurationMissingException",
            WebAuthnChallengeNotFound => "WebAuthnChallengeNotFoundException",
            WebAuthnRelyingPartyMismatch => "WebAuthnRelyingPartyMismatchException",
            WebAuthnOriginNotAllowed => "WebAuthnOriginNotAllowedException",
            WebAuthnClientMismatch => "WebAuthnClientMismatchException",
            WebAuthnCredentialNotSupported => "WebAuthnCredentialNotSupportedException",
            UnsupportedOperation => "UnsupportedOperationException",
            UnknownOperation => "UnknownOperationException",
            Serialization => "SerializationException",
            InternalError => "InternalErrorException",
        }
    }

    /// HTTP status: 400 for every client error, 500 only for real faults (SDKs retry 5xx).
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InternalError => 500,
            _ => 400,
        }
    }
}

/// An error answered to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The Cognito error type.
    pub kind: ErrorKind,
    /// The exact client-facing message.
    pub message: String,
}

impl ApiError {
    /// Builds an error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
    /// InvalidParameterException.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }
    /// NotAuthorizedException.
    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAuthorized, message)
    }
    /// "Incorrect username or password."
    pub fn bad_credentials() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }
    /// "User does not exist."
    pub fn user_not_found() -> Self {
        Self::new(ErrorKind::UserNotFound, "User does not exist.")
    }
    /// "User pool {id} does not exist."
    pub fn pool_not_found(pool_id: &str) -> Self {
        Self::new(
            ErrorKind::ResourceNotFound,
            format!("User pool {pool_id} does not exist."),
        )
    }
    /// "User pool client {id} does not exist."
    pub fn client_not_found(client_id: &str) -> Self {
        Self::new(
            ErrorKind::ResourceNotFound,
            format!("User pool client {client_id} does not exist."),
        )
    }
    /// The coral-style "Member must not be null" validation message.
    pub fn missing_member(member: &str) -> Self {
        Self::invalid(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    }
    /// A coral-style constraint violation on `member` (the value is never echoed).
    pub fn constraint(member: &str, constraint: &str) -> Self {
        Self::invalid(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}"
        ))
    }
    /// The answer for an internal fault: the cause is logged, never sent.
    pub fn internal(cause: &Error) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorKind::InternalError, "Internal server error.")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for ApiError {}

/// An internal fault: storage, crypto or serialization failure. Never shown to clients.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The storage backend failed.
    #[error("storage: {0}")]
    Store(String),
    /// A cryptographic operation failed.
    #[error("crypto: {0}")]
    Crypto(String),
    /// Stored data could not be decoded.
    #[error("decode: {0}")]
    Decode(String),
    /// Configuration is invalid.
    #[error("config: {0}")]
    Config(String),
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::internal(&e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Decode(e.to_string())
    }
}

/// Result of an operation as seen by the protocol layer.
pub type ApiResult<T> = Result<T, ApiError>;
