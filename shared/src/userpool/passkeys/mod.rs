//! Passkeys (WebAuthn): a pool's relying-party settings ([`config`]), registering a signed-in
//! user's passkey ([`register`]: StartWebAuthnRegistration, CompleteWebAuthnRegistration), and
//! listing and deleting them ([`manage`]), and checking a sign-in's assertion ([`assertion`]). Signing in with one is the WEB_AUTHN challenge in
//! [`crate::userpool::signin::web_authn`].
//!
//! A passkey lives on its user's record (so it goes with the user) and its credential id is
//! also an alias claim of that user ([`alias`]), written in the same conditional write: no
//! credential id is ever held by two users.

pub mod assertion;
pub mod config;
pub mod manage;
pub mod register;

use crate::error::{ApiError, ErrorKind};
use crate::userpool::model::User;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use webauthn_rs_core::error::WebauthnError;

/// Cognito's limit of passkeys a user may register.
pub const MAX_PER_USER: usize = 20;

/// The alias claim prefix of credential ids.
pub const ALIAS_PREFIX: &str = "webauthn:";

/// The alias key a credential id is claimed under (hashed: ids may be a kilobyte long).
pub fn alias(credential_id: &[u8]) -> String {
    format!("{ALIAS_PREFIX}{}", crate::secret::sha256_hex(credential_id))
}

/// The alias claims of a user's passkeys.
pub fn aliases(user: &User) -> impl Iterator<Item = String> + '_ {
    user.passkeys
        .iter()
        .map(|p| alias(p.credential.cred_id.as_ref()))
}

/// Base64url without padding, the encoding of every WebAuthn binary on the wire.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The user handle (`user.id`) of a user's passkeys: the bytes of its `sub`.
pub fn user_handle(user: &User) -> Vec<u8> {
    user.sub.as_bytes().to_vec()
}

/// What a failed registration ceremony answers: Cognito's WebAuthn exceptions.
pub fn registration_error(e: &WebauthnError) -> ApiError {
    use WebauthnError as W;
    tracing::debug!(error = %e, "passkey registration refused");
    match e {
        W::MismatchedChallenge => challenge_not_found(),
        W::InvalidRPOrigin => ApiError::new(
            ErrorKind::WebAuthnOriginNotAllowed,
            "The passkey's origin is not allowed for the user pool's relying party.",
        ),
        W::InvalidRPIDHash => ApiError::new(
            ErrorKind::WebAuthnRelyingPartyMismatch,
            "The passkey was created for a different relying party than the user pool's.",
        ),
        W::ParseNOMFailure
        | W::ParseCBORFailure(_)
        | W::ParseJSONFailure(_)
        | W::InvalidClientDataType
        | W::AttestationStatementSigMissing => malformed(),
        _ => ApiError::new(
            ErrorKind::WebAuthnCredentialNotSupported,
            "The passkey credential is not supported.",
        ),
    }
}

/// No registration in progress for this user, or it expired.
pub fn challenge_not_found() -> ApiError {
    ApiError::new(
        ErrorKind::WebAuthnChallengeNotFound,
        "The passkey challenge was not found or has expired; call StartWebAuthnRegistration again.",
    )
}

/// A credential that is not a WebAuthn credential JSON.
pub fn malformed() -> ApiError {
    ApiError::invalid("The passkey credential is malformed.")
}
