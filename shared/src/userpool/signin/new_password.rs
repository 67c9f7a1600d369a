//! The NEW_PASSWORD_REQUIRED answer: a user created with a temporary password sets their own
//! (and any required attributes still missing), then goes on to MFA or tokens.

use super::outcome::AuthReply;
use super::params::{required, Params};
use super::step;
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::secret::Secret;
use crate::userpool::credentials::{apply_password, new_password};
use crate::userpool::directory::{load_user, modify_user};
use crate::userpool::model::{AppClient, UserPool, UserStatus};
use crate::userpool::schema;
use crate::userpool::session::{self, ChallengeSession};
use crate::userpool::tokens::TokenSource;
use std::collections::BTreeMap;

/// Sets NEW_PASSWORD (and `userAttributes.*`) for the session's user.
pub async fn respond(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    s: ChallengeSession,
    username: &str,
    responses: &Option<Params>,
) -> ApiResult<AuthReply> {
    let user = load_user(app, pool, &s.username).await?;
    if user.username != s.username && pool.username_key(username) != user.username_key {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    if user.status != UserStatus::ForceChangePassword {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    let proposed = Secret::new(required(responses, "NEW_PASSWORD")?.to_string());
    let updates: BTreeMap<String, String> = responses
        .as_ref()
        .map(|r| {
            r.expose()
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("userAttributes.")
                        .map(|n| (n.to_string(), v.clone()))
                })
                .collect()
        })
        .unwrap_or_default();
    schema::validate(pool, &updates, false)?;
    let mut merged = user.attributes.clone();
    merged.extend(updates.clone());
    schema::validate(pool, &schema::without_verified(&merged), true)?;
    let hash = new_password(app, pool, &user, &proposed).await?;
    // A refused password leaves the session for another try; the accepted one spends it.
    let step = s.step;
    let user = modify_user(app, pool, user, |u| {
        session::spend_in(u, step)?;
        u.attributes.extend(updates.clone());
        apply_password(pool, u, hash.clone());
        u.status = UserStatus::Confirmed;
        Ok(())
    })
    .await?;
    step::after_first_factor(app, pool, client, user, TokenSource::NewPasswordChallenge).await
}
