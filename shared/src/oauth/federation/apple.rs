//! Sign in with Apple's particulars: its client secret is a short-lived ES256 JWT signed with
//! the team's private key (`private_key`, `key_id`, `team_id` in ProviderDetails), and the
//! user's name arrives once, in the `user` field of Apple's form post.

use super::Failure;
use crate::userpool::idps::details::apple_key_der;
use crate::userpool::model::IdentityProvider;
use crate::App;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

/// Apple's audience for client secrets.
const AUDIENCE: &str = "https://appleid.apple.com";
/// How long a client secret lives (Apple allows up to six months; one request needs minutes).
const SECRET_TTL_SECS: i64 = 300;

/// A fresh client secret for `idp`.
pub fn client_secret(app: &App, idp: &IdentityProvider) -> Result<String, Failure> {
    let missing = |k: &str| Failure::unavailable(format!("Apple provider has no usable {k}"));
    let pem = idp
        .detail("private_key")
        .ok_or_else(|| missing("private_key"))?;
    let der = apple_key_der(pem).ok_or_else(|| missing("private_key"))?;
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
        .map_err(|_| missing("private_key"))?;
    let now = app.clock.now_secs();
    let header = json!({"alg": "ES256", "kid": idp.detail("key_id").unwrap_or_default()});
    let claims = json!({
        "iss": idp.detail("team_id").unwrap_or_default(),
        "iat": now,
        "exp": now + SECRET_TTL_SECS,
        "aud": AUDIENCE,
        "sub": idp.detail("client_id").unwrap_or_default(),
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key
        .sign(&SystemRandom::new(), signing_input.as_bytes())
        .map_err(|_| Failure::unavailable("signing Apple's client secret failed"))?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(sig.as_ref())
    ))
}

/// Adds what Apple's `user` field says (`{"name":{"firstName","lastName"},"email"}`) to the
/// claims as `firstName`, `lastName` and `name`; the ID token's own claims win.
pub fn merge_user(claims: &mut Map<String, Value>, user: &str) {
    let Ok(Value::Object(user)) = serde_json::from_str::<Value>(user) else {
        return;
    };
    let name = user.get("name").cloned().unwrap_or(Value::Null);
    let first = name.get("firstName").and_then(Value::as_str);
    let last = name.get("lastName").and_then(Value::as_str);
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            claims.entry(k.to_string()).or_insert_with(|| v.into());
        }
    };
    put("firstName", first);
    put("lastName", last);
    let full: Vec<&str> = [first, last].into_iter().flatten().collect();
    put("name", Some(&full.join(" ")));
    put("email", user.get("email").and_then(Value::as_str));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_user_fills_names_without_overriding_the_token() {
        let mut claims = Map::new();
        claims.insert("email".into(), "token@x.y".into());
        merge_user(
            &mut claims,
            r#"{"name":{"firstName":"Ann","lastName":"Lee"},"email":"form@x.y"}"#,
        );
        assert_eq!(claims["name"], "Ann Lee");
        assert_eq!(claims["firstName"], "Ann");
        assert_eq!(claims["email"], "token@x.y");
    }
}
