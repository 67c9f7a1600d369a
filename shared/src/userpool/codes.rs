//! One-time codes: 6 digits, stored only as a hash, superseded by a new one, expiring, and
//! burned after too many wrong attempts.

use super::lockout;
use super::model::{CodePurpose, PendingCode};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::{constant_time_eq, Secret};
use crate::App;
use sha2::{Digest, Sha256};

/// Wrong attempts a code survives; the next one burns it.
pub const MAX_ATTEMPTS: u32 = 5;

/// How long a code of `purpose` lives, in ms.
pub fn lifetime_ms(purpose: CodePurpose) -> i64 {
    match purpose {
        CodePurpose::SignUp | CodePurpose::VerifyEmail | CodePurpose::VerifyPhone => {
            24 * 3600 * 1000
        }
        CodePurpose::ForgotPassword => 3600 * 1000,
        // Cognito's MFA and OTP codes live 3 minutes.
        CodePurpose::SignInSms | CodePurpose::SignInEmail => 3 * 60 * 1000,
        CodePurpose::FailedSignIn => lockout::IDLE_RESET_MS,
    }
}

fn digest(pool_id: &str, username_key: &str, purpose: CodePurpose, code: &str) -> String {
    let mut h = Sha256::new();
    for part in [pool_id, username_key, purpose.as_str(), code] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    crate::secret::hex(&h.finalize())
}

/// Makes and stores a fresh code (replacing any earlier one), returning it for delivery.
pub async fn issue(
    app: &App,
    pool_id: &str,
    username_key: &str,
    purpose: CodePurpose,
) -> ApiResult<Secret<String>> {
    // Email sign-in codes have 8 digits in Cognito; every other code 6.
    let length = if purpose == CodePurpose::SignInEmail {
        8
    } else {
        6
    };
    let code = crate::random::digits(app.random.as_ref(), length);
    let record = PendingCode {
        pool_id: pool_id.into(),
        username_key: username_key.into(),
        purpose,
        code_hash: Secret::new(digest(pool_id, username_key, purpose, &code)),
        expires_ms: app.clock.now_millis() + lifetime_ms(purpose),
        attempts: 0,
    };
    app.store.put_code(&record).await?;
    Ok(Secret::new(code))
}

/// Checks a code. Success consumes it; a wrong one counts, and after [`MAX_ATTEMPTS`] wrong
/// ones the code is refused even when right, until a new one is issued.
pub async fn redeem(
    app: &App,
    pool_id: &str,
    username_key: &str,
    purpose: CodePurpose,
    code: &str,
) -> ApiResult<()> {
    verify(app, pool_id, username_key, purpose, code).await?;
    consume(app, pool_id, username_key, purpose).await
}

/// Spends a code that [`verify`] accepted.
pub async fn consume(
    app: &App,
    pool_id: &str,
    username_key: &str,
    purpose: CodePurpose,
) -> ApiResult<()> {
    app.store
        .delete_code(pool_id, username_key, purpose)
        .await?;
    Ok(())
}

/// Checks a code without spending it (for operations that run a trigger between the check
/// and the write); a wrong one counts as in [`redeem`].
pub async fn verify(
    app: &App,
    pool_id: &str,
    username_key: &str,
    purpose: CodePurpose,
    code: &str,
) -> ApiResult<()> {
    let Some(pending) = app.store.get_code(pool_id, username_key, purpose).await? else {
        return Err(mismatch());
    };
    if pending.attempts >= MAX_ATTEMPTS {
        return Err(attempts_exceeded());
    }
    let sent = digest(pool_id, username_key, purpose, code);
    if !constant_time_eq(sent.as_bytes(), pending.code_hash.expose().as_bytes()) {
        // Each wrong code is a mismatch; the count makes the next attempt, even with the
        // right code, an attempt-limit refusal (Cognito answers the first five mismatches).
        app.store
            .record_code_failure(pool_id, username_key, purpose)
            .await?;
        return Err(mismatch());
    }
    if app.clock.now_millis() >= pending.expires_ms {
        return Err(ApiError::new(
            ErrorKind::ExpiredCode,
            "Invalid code provided, please request a code again.",
        ));
    }
    Ok(())
}

/// CodeMismatchException, Cognito's answer for a wrong code.
pub fn mismatch() -> ApiError {
    ApiError::new(
        ErrorKind::CodeMismatch,
        "Invalid verification code provided, please try again.",
    )
}

fn attempts_exceeded() -> ApiError {
    ApiError::new(
        ErrorKind::LimitExceeded,
        "Attempt limit exceeded, please try after some time.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_binds_every_part() {
        let base = digest("p", "u", CodePurpose::SignUp, "123456");
        assert_ne!(base, digest("p2", "u", CodePurpose::SignUp, "123456"));
        assert_ne!(base, digest("p", "u2", CodePurpose::SignUp, "123456"));
        assert_ne!(base, digest("p", "u", CodePurpose::SignUp, "123457"));
        assert_eq!(base.len(), 64);
    }
}
