//! Lazy migration: a username the pool doesn't know, at password sign-in or ForgotPassword,
//! is put to the pool's UserMigration function; if it vouches for the user, the user is
//! created from its answer (with the password just given, at sign-in) and the operation goes
//! on as if the user had been there all along.

use super::credentials::hash_new;
use super::directory::find_user;
use super::directory::{create_user, internal_username};
use super::model::{User, UserPool, UserStatus};
use crate::call::Call;
use crate::error::{ApiResult, ErrorKind};
use crate::secret::Secret;
use crate::triggers::migration::{user_migration, MigrationSource};

/// Asks UserMigration about `username` and creates the user it describes. `None`: no function
/// is configured. A function that refuses (throws) answers its error; nothing is stored.
pub async fn migrate(
    app: &Call<'_>,
    pool: &UserPool,
    username: &str,
    password: Option<&Secret<String>>,
    source: MigrationSource,
) -> ApiResult<Option<User>> {
    let Some(answer) = user_migration(app, pool, username, password, source).await? else {
        return Ok(None);
    };
    let mut attrs = answer.attributes;
    let (internal, sub) = internal_username(app, pool, username, &mut attrs)?;
    super::attributes::validate_admin(pool, &attrs)?;
    let status = if answer.reset_required {
        UserStatus::ResetRequired
    } else {
        UserStatus::Confirmed
    };
    let now = app.clock.now_millis();
    let mut user = User::new(pool, internal.clone(), sub, attrs, status, None, now);
    if let Some(plain) = password {
        let new = hash_new(app, pool, &internal, plain).await?;
        user.password_hash = Some(new.hash);
        user.srp = Some(new.srp);
    }
    match create_user(app, pool, &user, answer.force_alias_creation).await {
        Ok(()) => {
            tracing::info!(pool = %pool.id, "user migrated");
            Ok(Some(user))
        }
        // A concurrent request migrated the same user first: carry on with that one.
        Err(e) if e.kind == ErrorKind::UsernameExists => {
            match find_user(app, pool, username).await? {
                Some(existing) => Ok(Some(existing)),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}
