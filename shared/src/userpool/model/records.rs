//! Short-lived records as stored: pending codes, refresh tokens, outbound messages, and why
//! tokens are issued.

use crate::secret::Secret;
use crate::userpool::enums::DeliveryMedium;
use serde::{Deserialize, Serialize};

/// Why a code was sent.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum CodePurpose {
    /// Sign-up confirmation.
    SignUp,
    /// ForgotPassword / AdminResetUserPassword.
    ForgotPassword,
    /// Verifying a changed email.
    VerifyEmail,
    /// Verifying a changed phone number.
    VerifyPhone,
    /// A sign-in code sent by SMS (SMS_MFA).
    SignInSms,
    /// A sign-in code sent by email (EMAIL_OTP).
    SignInEmail,
    /// Not a code: the failed sign-ins of a name that is no user, so that unknown names lock
    /// out exactly like real ones (see `unknown_lockout`).
    FailedSignIn,
}

impl CodePurpose {
    /// Storage and outbox name.
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::SignUp => "SignUp",
            CodePurpose::ForgotPassword => "ForgotPassword",
            CodePurpose::VerifyEmail => "VerifyEmail",
            CodePurpose::VerifyPhone => "VerifyPhone",
            CodePurpose::SignInSms => "SignInSms",
            CodePurpose::SignInEmail => "SignInEmail",
            CodePurpose::FailedSignIn => "FailedSignIn",
        }
    }
}

/// A pending one-time code, stored only as a hash.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingCode {
    /// Owning pool.
    pub pool_id: String,
    /// The user's storage key.
    pub username_key: String,
    /// What the code is for.
    pub purpose: CodePurpose,
    /// SHA-256 of pool, user, purpose and the code, hex.
    pub code_hash: Secret<String>,
    /// Expiry, epoch ms.
    pub expires_ms: i64,
    /// Wrong attempts so far.
    pub attempts: u32,
}

/// A refresh token, stored only as a hash.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefreshRecord {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Pool it belongs to.
    pub pool_id: String,
    /// Client it was issued to.
    pub client_id: String,
    /// The user's storage key.
    pub username_key: String,
    /// The original authentication's jti (revocation anchor).
    pub origin_jti: String,
    /// Original authentication time, epoch seconds.
    pub auth_time: i64,
    /// The OAuth scopes granted at sign-in; refreshed access tokens keep them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Expiry, epoch ms.
    pub expires_ms: i64,
    /// Revoked by sign-out or RevokeToken.
    pub revoked: bool,
    /// When rotation replaced it (GetTokensFromRefreshToken), epoch ms.
    #[serde(default)]
    pub rotated_ms: Option<i64>,
    /// The device the session was signed in on: redeeming it needs that `DEVICE_KEY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
}

/// A message handed to the delivery port (locally: the outbox).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// Pool.
    pub pool_id: String,
    /// Internal username.
    pub username: String,
    /// Unmasked destination address or number.
    pub destination: String,
    /// EMAIL or SMS.
    pub delivery_medium: DeliveryMedium,
    /// What the message is for.
    pub purpose: String,
    /// The code it carries.
    pub code: Secret<String>,
    /// Subject (email only).
    pub subject: String,
    /// The rendered message.
    pub message: Secret<String>,
    /// When it was sent, epoch ms.
    pub created_ms: i64,
}

/// Why tokens are being issued (the event's `triggerSource`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// A sign-in.
    Authentication,
    /// A sign-in that ended by setting a new password.
    NewPasswordChallenge,
    /// A refresh.
    RefreshTokens,
    /// A sign-in through the managed login pages / OAuth endpoints.
    HostedAuth,
    /// A sign-in that ended with a remembered device's proof (DEVICE_PASSWORD_VERIFIER).
    AuthenticateDevice,
}

/// A grant the OAuth endpoints hand out by reference (an authorization code, a hosted sign-in
/// session): only the SHA-256 of its handle is stored, and `data` is sealed by the caller.
#[derive(Clone, Serialize, Deserialize)]
pub struct GrantRecord {
    /// SHA-256 of the handle the client holds, hex.
    pub handle_hash: String,
    /// The pool it belongs to.
    pub pool_id: String,
    /// The grant itself, sealed (never in `Debug`).
    pub data: String,
    /// Expiry, epoch ms: an expired grant is never returned.
    pub expires_ms: i64,
}

impl std::fmt::Debug for GrantRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrantRecord")
            .field("pool_id", &self.pool_id)
            .field("expires_ms", &self.expires_ms)
            .finish_non_exhaustive()
    }
}
