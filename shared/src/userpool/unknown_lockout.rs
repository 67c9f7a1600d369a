//! Lockout for names that are no user, when the client hides user existence
//! (PreventUserExistenceErrors=ENABLED). A real user answers "Password attempts exceeded"
//! after five failures; if an unknown name kept answering "Incorrect username or password.",
//! six tries would tell which usernames exist. So failures of unknown names are counted too,
//! under the same schedule, in a short-lived record beside the users' codes (purpose
//! `FailedSignIn`, expiring after 15 idle minutes as the count itself does).

use super::lockout::{self, IDLE_RESET_MS};
use super::model::{CodePurpose, Lockout, PendingCode, UserPool};
use crate::error::ApiResult;
use crate::secret::Secret;
use crate::App;

/// The lockout state of an unknown name now.
async fn state(app: &App, pool: &UserPool, key: &str) -> ApiResult<Lockout> {
    let record = app
        .store
        .get_code(&pool.id, key, CodePurpose::FailedSignIn)
        .await?;
    Ok(record.map_or_else(Lockout::default, |r| {
        let last_failure_ms = r.expires_ms - IDLE_RESET_MS;
        lockout::replay(r.attempts, last_failure_ms)
    }))
}

/// Refuses the attempt as a real user's lockout would.
pub async fn check(app: &App, pool: &UserPool, name: &str) -> ApiResult<()> {
    let key = pool.username_key(name);
    lockout::check(&state(app, pool, &key).await?, app.clock.now_millis())
}

/// Counts one failed sign-in of an unknown name.
pub async fn record_failure(app: &App, pool: &UserPool, name: &str) -> ApiResult<()> {
    let key = pool.username_key(name);
    let now = app.clock.now_millis();
    let next = lockout::after_failure(&state(app, pool, &key).await?, now);
    let record = PendingCode {
        pool_id: pool.id.clone(),
        username_key: key,
        purpose: CodePurpose::FailedSignIn,
        code_hash: Secret::new(String::new()),
        expires_ms: next.last_failure_ms + IDLE_RESET_MS,
        attempts: next.failures,
    };
    app.store.put_code(&record).await?;
    Ok(())
}
