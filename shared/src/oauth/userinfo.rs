//! The userInfo endpoint (`GET|POST /oauth2/userInfo`): the user's attributes within the
//! access token's scopes. The token must come from the token endpoint with `openid`
//! (API sign-in tokens carry only the admin scope and are refused, as by Cognito).
//! `openid` alone: every attribute the client may read; with `profile`, `email` or `phone`:
//! those groups only. `sub` and `username` always; `*_verified` as the strings Cognito sends.

use super::error::OAuthError;
use crate::userpool::access::verify_access;
use crate::App;
use serde_json::{Map, Value};

/// The attributes `profile` grants (besides custom ones).
const PROFILE: &[&str] = &[
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
];

/// The bearer token of an `Authorization` header.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let (scheme, token) = header?.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Whether `scopes` release attribute `name`.
fn released(scopes: &[String], name: &str) -> bool {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let grouped = has("profile") || has("email") || has("phone");
    if !grouped {
        return true;
    }
    (has("profile") && (PROFILE.contains(&name) || name.starts_with("custom:")))
        || (has("email") && matches!(name, "email" | "email_verified"))
        || (has("phone") && matches!(name, "phone_number" | "phone_number_verified"))
}

/// `/oauth2/userInfo` for the `Authorization` header's access token.
pub async fn user_info(
    app: &App,
    authorization: Option<&str>,
) -> Result<Map<String, Value>, OAuthError> {
    let token =
        bearer(authorization).ok_or_else(|| OAuthError::new("invalid_token", "no bearer token"))?;
    let ctx = verify_access(app, token, "openid")
        .await
        .map_err(|e| match e.kind {
            crate::error::ErrorKind::InternalError => OAuthError::new("server_error", e.message),
            _ => OAuthError::new("invalid_token", e.message),
        })?;
    let (pool, client, user) = (&ctx.pool, &ctx.client, &ctx.user);
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::from(user.sub.as_str()));
    for (name, value) in &user.attributes {
        if name != "sub" && pool.readable_by(client, name) && released(&ctx.scopes, name) {
            claims.insert(name.clone(), Value::from(value.as_str()));
        }
    }
    claims.insert("username".into(), Value::from(user.username.as_str()));
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_release_their_groups() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(released(&s(&["openid"]), "phone_number"));
        assert!(released(&s(&["openid", "email"]), "email_verified"));
        assert!(!released(&s(&["openid", "email"]), "phone_number"));
        assert!(released(&s(&["openid", "profile"]), "custom:team"));
        assert!(!released(&s(&["openid", "profile"]), "email"));
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
    }
}
