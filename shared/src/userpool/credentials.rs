//! Setting a password: the one path every password takes (sign-up, admin create and set,
//! change, reset, the new-password challenge): policy, history (PasswordHistorySize), the
//! argon2id hash and the SRP verifier, and the lockout reset.

use super::model::{Lockout, User, UserPool};
use super::password::check_policy;
use super::srp::{self, SrpVerifier};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::Secret;
use crate::App;

/// A checked new password, in both stored forms.
#[derive(Clone, Debug)]
pub struct NewPassword {
    /// Argon2id PHC string.
    pub hash: Secret<String>,
    /// SRP salt and verifier.
    pub srp: SrpVerifier,
}

/// The SRP "pool name": the part of the pool id after the underscore.
pub fn srp_pool_name(pool: &UserPool) -> &str {
    pool.id
        .split_once('_')
        .map_or(pool.id.as_str(), |(_, name)| name)
}

/// Hashes a password for `username` (the internal username) without history checks.
pub async fn hash_new(
    app: &App,
    pool: &UserPool,
    username: &str,
    plain: &Secret<String>,
) -> ApiResult<NewPassword> {
    let mut salt = [0u8; 16];
    app.random.fill(&mut salt);
    let hash = app.hasher.hash(plain, salt).await?;
    let srp = srp::make_verifier(
        srp_pool_name(pool),
        username,
        plain.expose(),
        app.random.as_ref(),
    );
    Ok(NewPassword { hash, srp })
}

/// Checks `plain` against the policy and the user's recent passwords, then hashes it.
pub async fn new_password(
    app: &App,
    pool: &UserPool,
    user: &User,
    plain: &Secret<String>,
) -> ApiResult<NewPassword> {
    check_policy(&pool.password_policy, plain.expose())?;
    let size = pool.password_policy.password_history_size as usize;
    if size > 0 {
        let recent = user
            .password_hash
            .iter()
            .chain(&user.password_history)
            .take(size);
        for old in recent {
            if app.hasher.verify(plain, Some(old)).await? {
                return Err(ApiError::new(
                    ErrorKind::PasswordHistoryPolicyViolation,
                    "The password has been used recently. Use a different password.",
                ));
            }
        }
    }
    hash_new(app, pool, &user.username, plain).await
}

/// Installs a new password: the old hash joins the history, failed attempts are forgotten.
pub fn apply_password(pool: &UserPool, user: &mut User, new: NewPassword) {
    let keep = (pool.password_policy.password_history_size as usize).saturating_sub(1);
    if let Some(old) = user.password_hash.replace(new.hash) {
        user.password_history.insert(0, old);
    }
    user.password_history.truncate(keep);
    user.srp = Some(new.srp);
    user.lockout = Lockout::default();
    user.temporary_password_expires_ms = None;
}
