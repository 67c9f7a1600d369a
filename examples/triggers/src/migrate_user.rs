//! UserMigration: bring users over from a legacy directory the first time they sign in or ask
//! to reset their password. The "directory" here is a table compiled into the example.

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsMigrateUser, CognitoEventUserPoolsMigrateUserTriggerSource,
};
use subtle::ConstantTimeEq;

use crate::Error;

/// A user of the legacy directory.
#[derive(Clone, Copy, Debug)]
pub struct LegacyUser {
    /// The name they sign in with.
    pub username: &'static str,
    /// Their password in the legacy system (a stand-in: a real directory checks a hash).
    pub password: &'static str,
    /// Their e-mail address, which the legacy system had verified.
    pub email: &'static str,
}

/// The stand-in legacy directory.
pub const LEGACY_USERS: &[LegacyUser] = &[LegacyUser {
    username: "legacy-alice",
    password: "Legacy-Passw0rd!",
    email: "legacy-alice@example.com",
}];

/// The message for an unknown username, on either trigger source.
pub const USER_NOT_FOUND: &str = "User not found";
/// The message for a wrong (or missing) password at sign-in.
pub const BAD_PASSWORD: &str = "Bad password";

/// At sign-in (`UserMigration_Authentication`): a known user with the right password is
/// created CONFIRMED with their verified e-mail, and no welcome message is sent. At
/// ForgotPassword (`UserMigration_ForgotPassword`): a known user is created with their
/// verified e-mail and the pool sends the reset code (`messageAction` unset). Anything else is
/// refused with an error, which is how a migration trigger says no.
pub fn handle(
    mut event: CognitoEventUserPoolsMigrateUser,
) -> Result<CognitoEventUserPoolsMigrateUser, Error> {
    let header = &event.cognito_event_user_pools_header;
    let username = header.user_name.as_deref().unwrap_or_default();
    let user = LEGACY_USERS
        .iter()
        .find(|u| u.username == username)
        .ok_or(USER_NOT_FOUND)?;
    let source = header.trigger_source.clone();
    let request = &event.cognito_event_user_pools_migrate_user_request;
    let response = &mut event.cognito_event_user_pools_migrate_user_response;
    match source {
        Some(CognitoEventUserPoolsMigrateUserTriggerSource::Authentication) => {
            let given = request.password.as_deref().unwrap_or_default();
            if !bool::from(given.as_bytes().ct_eq(user.password.as_bytes())) {
                return Err(BAD_PASSWORD.into());
            }
            response.final_user_status = Some("CONFIRMED".into());
            response.message_action = Some("SUPPRESS".into());
        }
        Some(CognitoEventUserPoolsMigrateUserTriggerSource::ForgotPassword) => {
            response.message_action = None;
        }
        _ => return Err("Unsupported trigger source".into()),
    }
    response.user_attributes = [
        ("email".to_string(), user.email.to_string()),
        ("email_verified".to_string(), "true".to_string()),
    ]
    .into();
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn sign_in() -> CognitoEventUserPoolsMigrateUser {
        serde_json::from_str(include_str!(
            "../../../events/triggers/user-migration-authentication.json"
        ))
        .expect("user-migration-authentication.json is a UserMigration event")
    }

    fn forgot_password() -> CognitoEventUserPoolsMigrateUser {
        serde_json::from_str(include_str!(
            "../../../events/triggers/user-migration-forgot-password.json"
        ))
        .expect("user-migration-forgot-password.json is a UserMigration event")
    }

    fn migrated_attributes() -> HashMap<String, String> {
        HashMap::from([
            ("email".into(), "legacy-alice@example.com".into()),
            ("email_verified".into(), "true".into()),
        ])
    }

    #[test]
    fn migrates_at_sign_in_with_the_right_password() {
        let out = handle(sign_in()).expect("migrated");
        let response = &out.cognito_event_user_pools_migrate_user_response;
        assert_eq!(response.user_attributes, migrated_attributes());
        assert_eq!(response.final_user_status.as_deref(), Some("CONFIRMED"));
        assert_eq!(response.message_action.as_deref(), Some("SUPPRESS"));
        let json = serde_json::to_value(&out).expect("serializes");
        assert_eq!(json["response"]["finalUserStatus"], "CONFIRMED");
        assert_eq!(json["response"]["userAttributes"]["email_verified"], "true");
    }

    #[test]
    fn refuses_a_wrong_or_missing_password() {
        let mut event = sign_in();
        event.cognito_event_user_pools_migrate_user_request.password =
            Some("Legacy-Passw0rd?".into());
        assert_eq!(
            handle(event).expect_err("refused").to_string(),
            BAD_PASSWORD
        );

        let mut event = sign_in();
        event.cognito_event_user_pools_migrate_user_request.password = None;
        assert_eq!(
            handle(event).expect_err("refused").to_string(),
            BAD_PASSWORD
        );
    }

    #[test]
    fn refuses_an_unknown_user() {
        for mut event in [sign_in(), forgot_password()] {
            event.cognito_event_user_pools_header.user_name = Some("nobody".into());
            assert_eq!(
                handle(event).expect_err("refused").to_string(),
                USER_NOT_FOUND
            );
        }
    }

    #[test]
    fn migrates_at_forgot_password_and_lets_the_code_be_sent() {
        let out = handle(forgot_password()).expect("migrated");
        let response = &out.cognito_event_user_pools_migrate_user_response;
        assert_eq!(response.user_attributes, migrated_attributes());
        assert_eq!(response.message_action, None);
        assert_eq!(response.final_user_status, None);
    }
}
