//! Abuse limits on code messages: nobody may use Latchkey to flood a mailbox or run up an SMS
//! bill. Each message a user asks for is counted per user and kind, and every code message is
//! counted per destination (the email address or phone number), in a one-hour window kept in
//! the store (so every process counts together). Past a limit the request is refused with
//! Cognito's `LimitExceededException` before anything is sent or written.
//!
//! The numbers (README, "Limits"): Cognito documents for forgot-password "between 5 and 20
//! attempts" a user an hour, depending on risk (developer guide, "Recovering user accounts":
//! Forgot password behavior), and clients see the refusal after 5 requests
//! (amazon-archives/amazon-cognito-identity-js#548). For resending and attribute-verification
//! codes AWS publishes no number ("we do not share externally the exact limits"); Latchkey
//! uses the same 5. Administrator operations (signed with IAM credentials) are not limited.

use super::model::UserPool;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::App;

/// The window every count runs in: one hour, opened by the first message counted.
pub const WINDOW_MS: i64 = 3_600_000;
/// Codes one user may request of one [`Kind`] a window.
pub const PER_USER: u32 = 5;
/// Code messages one destination may receive a window, whoever asks (sign-up included).
pub const PER_DESTINATION: u32 = 10;

/// What a user asked for, counted apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// ResendConfirmationCode.
    Confirmation,
    /// ForgotPassword.
    Recovery,
    /// GetUserAttributeVerificationCode, and UpdateUserAttributes changing email or phone.
    Verification,
    /// A one-time sign-in code (USER_AUTH's EMAIL_OTP / SMS_OTP), asked for with a name alone.
    SignIn,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Confirmation => "confirmation",
            Kind::Recovery => "recovery",
            Kind::Verification => "verification",
            Kind::SignIn => "sign-in",
        }
    }
}

/// Cognito's refusal.
pub fn exceeded() -> ApiError {
    ApiError::new(
        ErrorKind::LimitExceeded,
        "Attempt limit exceeded, please try after some time.",
    )
}

async fn count(app: &App, pool: &UserPool, key: &str, limit: u32) -> ApiResult<()> {
    let now = app.clock.now_millis();
    let counted = app
        .store
        .count_send(&pool.id, key, now, WINDOW_MS, limit)
        .await?;
    if counted {
        Ok(())
    } else {
        tracing::info!(pool = %pool.id, "message limit reached");
        Err(exceeded())
    }
}

/// Counts a request of `kind` by the user stored as `username_key` (or, for a name that
/// finds no user, by that name, so an unknown user is refused exactly as a real one).
pub async fn count_user(
    app: &App,
    pool: &UserPool,
    kind: Kind,
    username_key: &str,
) -> ApiResult<()> {
    let key = format!("user:{}:{username_key}", kind.as_str());
    count(app, pool, &key, PER_USER).await
}

/// Counts a message to `destination`, an email address or phone number (case-folded: one
/// mailbox, one count).
pub async fn count_destination(app: &App, pool: &UserPool, destination: &str) -> ApiResult<()> {
    let key = format!("dest:{}", destination.to_lowercase());
    count(app, pool, &key, PER_DESTINATION).await
}

/// Counts a user's request of `kind` and the message it sends to `destination`.
pub async fn count_request(
    app: &App,
    pool: &UserPool,
    kind: Kind,
    username_key: &str,
    destination: &str,
) -> ApiResult<()> {
    count_user(app, pool, kind, username_key).await?;
    count_destination(app, pool, destination).await
}
