//! ListUsers' `Filter`: `AttrName Op "value"`, Op `=` (exact) or `^=` (prefix), one attribute.

use super::model::User;
use crate::error::{ApiError, ApiResult};
use regex::Regex;
use std::sync::OnceLock;

/// Attributes ListUsers can search (custom attributes cannot be searched).
pub const SEARCHABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    attribute: String,
    prefix: bool,
    value: String,
}

impl Filter {
    /// Parses a filter; an empty one is None (list everything).
    pub fn parse(text: &str) -> ApiResult<Option<Filter>> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        static RE: OnceLock<Regex> = OnceLock::new();
        let re = RE.get_or_init(|| {
            Regex::new(r#"^\s*([\w:]+)\s*(=|\^=)\s*"((?:[^"\\]|\\.)*)"\s*$"#).expect("valid regex")
        });
        let caps = re
            .captures(text)
            .ok_or_else(|| ApiError::invalid("Error while parsing filter."))?;
        let attribute = caps[1].to_string();
        if !SEARCHABLE.contains(&attribute.as_str()) {
            return Err(ApiError::invalid(format!(
                "Invalid search attribute: {attribute}"
            )));
        }
        let value = caps[3].replace("\\\"", "\"").replace("\\\\", "\\");
        Ok(Some(Filter {
            attribute,
            prefix: &caps[2] == "^=",
            value,
        }))
    }

    /// Whether `user` matches. `username` follows the pool's case sensitivity; status fields
    /// are case-insensitive; other attributes are exact.
    pub fn matches(&self, user: &User, username_case_sensitive: bool) -> bool {
        let (actual, fold) = match self.attribute.as_str() {
            "username" => (Some(user.username.clone()), !username_case_sensitive),
            "sub" => (Some(user.sub.clone()), false),
            "cognito:user_status" => (Some(user.status.as_str().to_string()), true),
            "status" => (
                Some(if user.enabled { "Enabled" } else { "Disabled" }.to_string()),
                true,
            ),
            other => (user.attributes.get(other).cloned(), false),
        };
        let Some(actual) = actual else {
            return false;
        };
        let (actual, wanted) = if fold {
            (actual.to_lowercase(), self.value.to_lowercase())
        } else {
            (actual, self.value.clone())
        };
        if self.prefix {
            actual.starts_with(&wanted)
        } else {
            actual == wanted
        }
    }

    /// The username an exact `username = "x"` filter names: at most one user has it, so a
    /// key lookup answers it without a scan.
    pub fn exact_username(&self) -> Option<&str> {
        (self.attribute == "username" && !self.prefix).then_some(self.value.as_str())
    }

    /// The filter text that [`Filter::parse`] reads back as `attribute` (`=`, or `^=` when
    /// `prefix`) `value`: the value quoted, its quotes and backslashes escaped.
    pub fn text(attribute: &str, prefix: bool, value: &str) -> String {
        let op = if prefix { "^=" } else { "=" };
        let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
        format!("{attribute} {op} \"{quoted}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conformance::sample_user;

    #[test]
    fn parses_and_matches() {
        let mut u = sample_user("p", "Alice");
        u.attributes
            .insert("email".into(), "alice@example.com".into());
        let f = Filter::parse(r#"email = "alice@example.com""#)
            .unwrap()
            .unwrap();
        assert!(f.matches(&u, true));
        let f = Filter::parse(r#"email^="bob""#).unwrap().unwrap();
        assert!(!f.matches(&u, true));
        let f = Filter::parse(r#"username ^= "ali""#).unwrap().unwrap();
        assert!(!f.matches(&u, true));
        assert!(f.matches(&u, false));
        let f = Filter::parse(r#"cognito:user_status = "unconfirmed""#)
            .unwrap()
            .unwrap();
        assert!(f.matches(&u, true));
        let f = Filter::parse(r#"status = "Enabled""#).unwrap().unwrap();
        assert!(f.matches(&u, true));
        let f = Filter::parse(r#"name = "say \"hi\"""#).unwrap().unwrap();
        assert_eq!(f.value, "say \"hi\"");
        assert!(Filter::parse("").unwrap().is_none());
        assert!(Filter::parse(r#"custom:tier = "x""#).is_err());
        assert!(Filter::parse("email = unquoted").is_err());
        for value in ["plain", "say \"hi\"", "back\\slash", "a\\\"b", ""] {
            let text = Filter::text("name", true, value);
            let f = Filter::parse(&text).unwrap().unwrap();
            assert_eq!((f.value.as_str(), f.prefix), (value, true), "{text}");
        }
    }
}
