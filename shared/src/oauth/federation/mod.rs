//! Signing in through an external identity provider (OIDC, Google, Facebook, Login with
//! Amazon, Sign in with Apple): Latchkey is the provider's OAuth 2.0 client.
//!
//! - [`round_trip`]: `/oauth2/authorize?identity_provider=X` → the provider's authorize URL,
//!   with a `state` that names a sealed, single-use, short-lived record of the app's own
//!   authorization request, bound to the browser that started it, and a `nonce` and PKCE
//!   verifier for the provider;
//! - [`provider`]: the provider's answer at `/oauth2/idpresponse` → the code exchange, the ID
//!   token checked (signature against the provider's JWKS, `iss`, `aud`/`azp`, `exp`,
//!   `nonce`), the user-info or profile fetched → the verified claims;
//! - [`apple`]: Sign in with Apple's client secret, a JWT Latchkey signs with the team's key.
//!
//! The verified claims then sign the user in through the user pool's federated flow
//! ([`crate::userpool::signin::federated`]), and the app gets a code as after a password
//! sign-in.

pub mod apple;
pub mod provider;
pub mod round_trip;
pub mod saml;

/// Why a provider round trip failed: what the app is told (an RFC 6749 error code and a
/// description), and the cause for the logs.
#[derive(Debug)]
pub struct Failure {
    /// `invalid_request`, `access_denied`, `server_error`, ...
    pub error: &'static str,
    /// Shown to the app as `error_description`.
    pub description: String,
    /// For the logs only.
    pub cause: String,
}

impl Failure {
    /// The provider's answer could not be believed.
    pub fn invalid(description: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: "invalid_request",
            description: description.into(),
            cause: cause.into(),
        }
    }

    /// The provider answered, but refused a request of Latchkey's (its token or user-info
    /// endpoint said no).
    pub fn refused(cause: impl Into<String>) -> Self {
        Self {
            error: "server_error",
            description: "The identity provider refused the request.".into(),
            cause: cause.into(),
        }
    }

    /// The provider could not be reached or answered nonsense.
    pub fn unavailable(cause: impl Into<String>) -> Self {
        Self {
            error: "server_error",
            description: "The identity provider could not be reached.".into(),
            cause: cause.into(),
        }
    }
}

impl From<crate::error::ApiError> for Failure {
    fn from(e: crate::error::ApiError) -> Self {
        if e.kind == crate::error::ErrorKind::InternalError {
            return Self {
                error: "server_error",
                description: "Something went wrong.".into(),
                cause: e.message,
            };
        }
        Self::invalid(e.message.clone(), e.message)
    }
}
