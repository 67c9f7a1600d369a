//! UserMigration: asked about a username the pool doesn't know, at password sign-in (with the
//! password) or at ForgotPassword. The function answers with the user's attributes and how to
//! create it; `userpool::migration` does the creating.

use super::{call, header, target, Trigger};
use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::Secret;
use crate::userpool::model::UserPool;
use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsMigrateUser, CognitoEventUserPoolsMigrateUserResponse,
    CognitoEventUserPoolsMigrateUserTriggerSource as Source,
};
use std::collections::BTreeMap;

/// Where the unknown user turned up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationSource {
    /// A password sign-in (the function gets the password).
    Authentication,
    /// ForgotPassword.
    ForgotPassword,
}

/// The function's answer: the user to create.
#[derive(Clone, Debug)]
pub struct MigratedUser {
    /// Attributes (without `sub`, `username` and `cognito:*`, which are Latchkey's).
    pub attributes: BTreeMap<String, String>,
    /// true for RESET_REQUIRED (a password reset is needed), false for CONFIRMED.
    pub reset_required: bool,
    /// ForceAliasCreation.
    pub force_alias_creation: bool,
}

/// Runs the pool's UserMigration function, if any. `None`: no function is configured.
pub async fn user_migration(
    app: &Call<'_>,
    pool: &UserPool,
    username: &str,
    password: Option<&Secret<String>>,
    source: MigrationSource,
) -> ApiResult<Option<MigratedUser>> {
    let Some(t) = target(pool, Trigger::UserMigration) else {
        return Ok(None);
    };
    let meta = app.request();
    let src = match source {
        MigrationSource::Authentication => Source::Authentication,
        MigrationSource::ForgotPassword => Source::ForgotPassword,
    };
    let mut event = CognitoEventUserPoolsMigrateUser::default();
    event.cognito_event_user_pools_header = header(app, pool, src, username, t.version);
    let request = &mut event.cognito_event_user_pools_migrate_user_request;
    request.password = password.map(|p| p.expose().clone());
    request.validation_data = meta.client_metadata();
    request.client_metadata = meta.client_metadata();
    let answer: CognitoEventUserPoolsMigrateUserResponse =
        call(app, Trigger::UserMigration, &t, &event).await?;
    decide(answer, source).map(Some)
}

fn invalid_response() -> ApiError {
    ApiError::new(
        ErrorKind::InvalidLambdaResponse,
        "Unrecognizable lambda output",
    )
}

/// Reads the answer; a status or action outside Cognito's values is an invalid response.
fn decide(
    answer: CognitoEventUserPoolsMigrateUserResponse,
    source: MigrationSource,
) -> ApiResult<MigratedUser> {
    let reset_required = match answer.final_user_status.as_deref() {
        None | Some("") | Some("CONFIRMED") => source == MigrationSource::ForgotPassword,
        Some("RESET_REQUIRED") => true,
        Some(_) => return Err(invalid_response()),
    };
    if !matches!(
        answer.message_action.as_deref(),
        None | Some("") | Some("SUPPRESS") | Some("RESEND")
    ) {
        return Err(invalid_response());
    }
    let attributes: BTreeMap<String, String> = answer
        .user_attributes
        .into_iter()
        .filter(|(k, _)| k != "sub" && k != "username" && !k.starts_with("cognito:"))
        .collect();
    Ok(MigratedUser {
        attributes,
        reset_required,
        force_alias_creation: answer.force_alias_creation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: Option<&str>) -> CognitoEventUserPoolsMigrateUserResponse {
        let mut a = CognitoEventUserPoolsMigrateUserResponse::default();
        a.user_attributes.insert("email".into(), "a@b.c".into());
        a.user_attributes.insert("sub".into(), "theirs".into());
        a.final_user_status = status.map(str::to_string);
        a
    }

    #[test]
    fn reads_status_and_drops_latchkeys_own_attributes() {
        let m = decide(answer(None), MigrationSource::Authentication).unwrap();
        assert!(!m.reset_required);
        assert_eq!(m.attributes.len(), 1);
        let m = decide(answer(None), MigrationSource::ForgotPassword).unwrap();
        assert!(m.reset_required);
        let m = decide(
            answer(Some("RESET_REQUIRED")),
            MigrationSource::Authentication,
        )
        .unwrap();
        assert!(m.reset_required);
        let e = decide(answer(Some("ARCHIVED")), MigrationSource::Authentication).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidLambdaResponse);
    }
}
