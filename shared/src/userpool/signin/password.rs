//! The password flow (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH):
//! USERNAME + PASSWORD. Unknown users cost one argon2 verify, exactly like a wrong password,
//! and (with PreventUserExistenceErrors) lock out like users; an unknown user may be migrated
//! in by UserMigration first.

use super::outcome::AuthReply;
use super::params::{self, required, Params};
use super::step;
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::secret::Secret;
use crate::triggers::events::pre_authentication;
use crate::triggers::migration::MigrationSource;
use crate::userpool::directory::find_user;
use crate::userpool::migration::migrate;
use crate::userpool::model::{AppClient, UserPool};
use crate::userpool::{lockout, unknown_lockout};

/// Checks USERNAME + PASSWORD and hands the user to the sign-in step.
pub async fn sign_in(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    params: &Option<Params>,
) -> ApiResult<AuthReply> {
    let username = params::username(client, params)?;
    let password = Secret::new(required(params, "PASSWORD")?.to_string());
    let mut user = find_user(app, pool, username).await?;
    if user.is_none() {
        // An unknown user may be migrated in, with this password (checked below like any).
        let source = MigrationSource::Authentication;
        user = migrate(app, pool, username, Some(&password), source).await?;
    }
    let now = app.clock.now_millis();
    let hides = client.hides_user_existence();
    let locked = match &user {
        Some(u) => lockout::check(&u.lockout, now),
        None if hides => unknown_lockout::check(app, pool, username).await,
        None => Ok(()),
    };
    if let Err(refusal) = locked {
        // A locked name costs a hash like any other answer, so the time of a refusal tells
        // nothing about whether the name is a user.
        if hides {
            app.hasher.verify(&password, None).await?;
        }
        return Err(refusal);
    }
    if let Some(u) = &user {
        pre_authentication(app, pool, u).await?;
    }
    let hash = user.as_ref().and_then(|u| u.password_hash.as_ref());
    let password_ok = app.hasher.verify(&password, hash).await?;
    let Some(user) = user else {
        if !hides {
            return Err(ApiError::user_not_found());
        }
        unknown_lockout::record_failure(app, pool, username).await?;
        return Err(ApiError::bad_credentials());
    };
    step::first_factor_checked(app, pool, client, user, password_ok, now).await
}
