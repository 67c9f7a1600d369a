//! Setting a password: the one path every password change takes (sign-up aside): policy,
//! history (PasswordHistorySize), hashing, and the lockout reset.

use super::model::{Lockout, User, UserPool};
use super::password::check_policy;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::Secret;
use crate::App;

/// Checks `plain` against the policy and the user's recent passwords, then hashes it.
pub async fn new_password_hash(
    app: &App,
    pool: &UserPool,
    user: &User,
    plain: &Secret<String>,
) -> ApiResult<Secret<String>> {
    check_policy(&pool.password_policy, plain.expose())?;
    let size = pool.password_policy.password_history_size as usize;
    if size > 0 {
        let recent = user.password_hash.iter().chain(&user.password_history).take(size);
        for old in recent {
            if app.hasher.verify(plain, Some(old)).await? {
                return Err(ApiError::new(
                    ErrorKind::PasswordHistoryPolicyViolation,
                    "The password has been used recently. Use a different password.",
                ));
            }
        }
    }
    Ok(app.hasher.hash(plain).await?)
}

/// Installs a new hash: the old one joins the history, failed attempts are forgotten.
pub fn apply_password(pool: &UserPool, user: &mut User, hash: Secret<String>) {
    let keep = (pool.password_policy.password_history_size as usize).saturating_sub(1);
    if let Some(old) = user.password_hash.replace(hash) {
        user.password_history.insert(0, old);
    }
    user.password_history.truncate(keep);
    user.lockout = Lockout::default();
    user.temporary_password_expires_ms = None;
}
