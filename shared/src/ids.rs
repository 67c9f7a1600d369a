//! Ids, names and secret members, validated once: each newtype checks Cognito's length and
//! pattern when a request body is parsed, so nothing inside re-validates. They sit below the
//! wire and the domain alike, so both can name them. Secret members never reach `Debug`.

use crate::error::VALIDATION_PREFIX;
use crate::pattern::Pattern;
use crate::secret::Secret;
use serde::{de, Deserialize, Deserializer};
use std::sync::OnceLock;

/// Checks `value` for member `member`; the error is the full Coral message.
fn check(
    member: &str,
    value: &str,
    min: usize,
    max: usize,
    pattern: &'static OnceLock<Pattern>,
    source: &str,
) -> Result<(), String> {
    let fail = |constraint: String| {
        Err(format!(
            "{VALIDATION_PREFIX}Value at '{member}' failed to satisfy constraint: {constraint}"
        ))
    };
    let len = value.chars().count();
    if len < min {
        return fail(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    if len > max {
        return fail(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
    let re =
        pattern.get_or_init(|| Pattern::new(source).expect("field patterns are valid regexes"));
    if !re.is_match(value) {
        return fail(format!(
            "Member must satisfy regular expression pattern: {source}"
        ));
    }
    Ok(())
}

macro_rules! field {
    ($(#[$doc:meta])* $name:ident, $member:literal, $min:expr, $max:expr, $pattern:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Validates a value taken from somewhere other than a request body.
            pub fn parse(value: String) -> Result<Self, crate::error::ApiError> {
                static RE: OnceLock<Pattern> = OnceLock::new();
                check($member, &value, $min, $max, &RE, $pattern)
                    .map_err(crate::error::ApiError::invalid)?;
                Ok(Self(value))
            }
            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = String::deserialize(d)?;
                Self::parse(value).map_err(|e| de::Error::custom(e.message))
            }
        }
    };
}

macro_rules! secret_field {
    ($(#[$doc:meta])* $name:ident, $member:literal, $min:expr, $max:expr, $pattern:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name(Secret<String>);

        impl $name {
            /// The secret value.
            pub fn secret(&self) -> &Secret<String> {
                &self.0
            }
            /// The value, for the code that must use it.
            pub fn expose(&self) -> &str {
                self.0.expose()
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                static RE: OnceLock<Pattern> = OnceLock::new();
                let value = String::deserialize(d)?;
                check($member, &value, $min, $max, &RE, $pattern).map_err(de::Error::custom)?;
                Ok(Self(Secret::new(value)))
            }
        }
    };
}

field!(
    /// A username as sent (1..128 printable characters).
    Username, "username", 1, 128, r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"
);
field!(
    /// An app client id.
    ClientId, "clientId", 1, 128, r"[\w+]+"
);
field!(
    /// A user pool id.
    UserPoolId, "userPoolId", 1, 55, r"[\w-]+_[0-9a-zA-Z]+"
);
field!(
    /// A pool name.
    PoolName, "poolName", 1, 128, r"[\w\s+=,.@-]+"
);
field!(
    /// An app client name.
    ClientName, "clientName", 1, 128, r"[\w\s+=,.@-]+"
);
secret_field!(
    /// A password (no leading or trailing whitespace, at most 256).
    Password, "password", 1, 256, r"[\S]+(.*[\S]+)?"
);
secret_field!(
    /// A confirmation code.
    ConfirmationCode, "confirmationCode", 1, 2048, r"[\S]+"
);
secret_field!(
    /// A SECRET_HASH.
    SecretHash, "secretHash", 1, 128, r"[\w+=/]+"
);
secret_field!(
    /// An access token.
    AccessToken, "accessToken", 1, 16384, r"[A-Za-z0-9\-_=.]+"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_cognitos_pattern_and_length() {
        assert!(Username::parse("alice@example.com".into()).is_ok());
        assert!(Username::parse("ünïcode".into()).is_ok());
        let e = Username::parse("has space".into()).unwrap_err();
        assert!(e.message.contains("regular expression pattern"));
        let e = Username::parse("x".repeat(129)).unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128"
        );
        assert!(Username::parse(String::new()).is_err());
    }

    #[test]
    fn ids_and_secrets() {
        assert!(UserPoolId::parse("us-east-1_AbC12dEf3".into()).is_ok());
        assert!(UserPoolId::parse("nounderscore".into()).is_err());
        assert!(ClientId::parse("6lupoc4mc4hv4jl166o5ltdtig".into()).is_ok());
        let pw: Password = serde_json::from_str(r#""Secret1!""#).unwrap();
        assert_eq!(format!("{pw:?}"), "Password([redacted])");
        assert!(serde_json::from_str::<Password>(r#"" leading""#).is_err());
        assert!(serde_json::from_str::<Password>(r#""a""#).is_ok());
    }
}
