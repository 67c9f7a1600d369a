//! A CSV row as Cognito's import reads it: the header is GetCSVHeader's (the pool's attributes,
//! `cognito:mfa_enabled`, `cognito:username`), every column of it present and no other; each
//! row becomes a user in RESET_REQUIRED with no password, its attributes checked as
//! AdminCreateUser checks them.

use crate::userpool::directory::internal_username;
use crate::userpool::model::{parse_bool, User, UserPool, UserStatus};
use crate::userpool::{attributes, schema};
use crate::App;
use std::collections::BTreeMap;

/// The username column.
pub const USERNAME: &str = "cognito:username";
/// The MFA column.
pub const MFA_ENABLED: &str = "cognito:mfa_enabled";

/// GetCSVHeader's columns for `pool`: its schema attributes but `sub` and `identities` (which
/// Cognito manages), then `cognito:mfa_enabled` and `cognito:username`.
pub fn header(pool: &UserPool) -> Vec<String> {
    pool.schema
        .iter()
        .map(|a| a.name.as_str())
        .filter(|n| *n != "sub" && *n != "identities")
        .chain([MFA_ENABLED, USERNAME])
        .map(str::to_string)
        .collect()
}

/// Checks a file's header against the pool's: the message that fails the whole file, if any.
pub fn check_header(pool: &UserPool, columns: &[String]) -> Result<(), String> {
    let expected = header(pool);
    if let Some(unknown) = columns.iter().find(|c| !expected.contains(c)) {
        return Err(format!(
            "The header contains an attribute that is not in the user pool: {unknown}"
        ));
    }
    if let Some(missing) = expected.iter().find(|c| !columns.contains(c)) {
        return Err(format!("The header is missing the column {missing}"));
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(twice) = columns.iter().find(|c| !seen.insert(c.as_str())) {
        return Err(format!("The header names the column {twice} twice"));
    }
    Ok(())
}

/// The user a row describes, or why the row fails (Cognito's per-row reason).
pub fn user_of(
    app: &App,
    pool: &UserPool,
    columns: &[String],
    fields: &[String],
) -> Result<User, String> {
    if fields.len() != columns.len() {
        return Err(format!(
            "The row has {} columns; the header has {}",
            fields.len(),
            columns.len()
        ));
    }
    let mut username = None;
    let mut mfa = false;
    let mut attrs = BTreeMap::new();
    for (column, value) in columns.iter().zip(fields) {
        match column.as_str() {
            USERNAME => username = Some(value.as_str()).filter(|v| !v.is_empty()),
            MFA_ENABLED if value.is_empty() => {}
            MFA_ENABLED => {
                mfa = parse_bool(value)
                    .ok_or("cognito:mfa_enabled must be true or false".to_string())?
            }
            _ if value.is_empty() => {}
            name => {
                attrs.insert(name.to_string(), value.clone());
            }
        }
    }
    let username = username.ok_or("The cognito:username column is empty".to_string())?;
    if username.chars().count() > 128 || username.chars().any(char::is_whitespace) {
        return Err("The username is not valid".into());
    }
    attributes::validate_admin(pool, &attrs).map_err(|e| e.message)?;
    for attr in ["email", "phone_number"] {
        let verified = attrs
            .get(&format!("{attr}_verified"))
            .and_then(|v| parse_bool(v))
            .unwrap_or(false);
        if verified && !attrs.contains_key(attr) {
            return Err(format!("{attr}_verified is true but {attr} is empty"));
        }
    }
    if !pool.auto_verified_attributes.is_empty()
        && !pool.auto_verified_attributes.iter().any(|a| {
            attrs.contains_key(a)
                && attrs
                    .get(&format!("{a}_verified"))
                    .and_then(|v| parse_bool(v))
                    .unwrap_or(false)
        })
    {
        return Err(
            "The User Record does not set any of the auto verified attributes to verified. (Example: email_verified to true)."
                .into(),
        );
    }
    if mfa && !attrs.contains_key("phone_number") {
        return Err("cognito:mfa_enabled is true but phone_number is empty".into());
    }
    let (internal, sub) =
        internal_username(app, pool, username, &mut attrs).map_err(|e| e.message)?;
    schema::validate(pool, &schema::without_verified(&attrs), true).map_err(|e| e.message)?;
    let now = app.clock.now_millis();
    let mut user = User::new(
        pool,
        internal,
        sub,
        attrs,
        UserStatus::ResetRequired,
        None,
        now,
    );
    user.mfa.sms_enabled = mfa;
    Ok(user)
}
