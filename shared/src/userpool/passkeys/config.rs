//! A pool's passkey settings: SetUserPoolMfaConfig's `WebAuthnConfiguration` (relying party id
//! and user verification), and the WebAuthn relying party built from them with the origins
//! browsers send for that id.

use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::userpool::model::{DomainKind, UserPool};
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;
use url::Url;
use webauthn_rs_core::proto::UserVerificationPolicy;
use webauthn_rs_core::WebauthnCore;

/// Where the settings live in the pool record.
const KEY: &str = "WebAuthnConfiguration";

/// How long a client has for a ceremony (`timeout` in the options): Cognito's five minutes.
pub const CEREMONY_TIMEOUT: Duration = Duration::from_secs(300);

/// `UserVerificationType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserVerification {
    /// Only authenticators that verify the user (PIN, biometrics).
    Required,
    /// Asked for, not insisted on (Cognito's default).
    #[default]
    Preferred,
}

/// `WebAuthnConfigurationType`, as SetUserPoolMfaConfig takes it and GetUserPoolMfaConfig
/// reports it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebAuthnConfiguration {
    /// The relying party id: a host name the pages using passkeys are served from or under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relying_party_id: Option<String>,
    /// `required` or `preferred`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<UserVerification>,
    /// `SINGLE_FACTOR` or `MULTI_FACTOR_WITH_USER_VERIFICATION` (kept and reported; passkeys
    /// are a first factor in Latchkey).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factor_configuration: Option<String>,
}

/// The pool's settings as GetUserPoolMfaConfig reports them (UserVerification defaults to
/// `preferred`).
pub fn of_pool(pool: &UserPool) -> WebAuthnConfiguration {
    let mut c: WebAuthnConfiguration = pool
        .passthrough
        .get(KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    c.user_verification.get_or_insert_default();
    c
}

/// SetUserPoolMfaConfig's `WebAuthnConfiguration`: checked, then replaces the pool's.
pub fn set(pool: &mut UserPool, given: &WebAuthnConfiguration) -> ApiResult<()> {
    if let Some(id) = &given.relying_party_id {
        if !is_host_name(id) {
            return Err(ApiError::invalid(
                "RelyingPartyId must be a domain name, without scheme, port or path.",
            ));
        }
    }
    let value = serde_json::to_value(given).map_err(crate::Error::from)?;
    pool.passthrough.insert(KEY.into(), value);
    Ok(())
}

fn is_host_name(id: &str) -> bool {
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    id.split('.').all(label)
}

/// The relying party of a pool: its id, its user-verification policy and the verifier.
pub struct RelyingParty {
    /// The relying party id.
    pub id: String,
    /// The pool's UserVerification, as the WebAuthn policy.
    pub policy: UserVerificationPolicy,
    /// The ceremony verifier for this id and its origins.
    pub core: WebauthnCore,
}

/// The pool's relying party: `RelyingPartyId`, else the pool's domain as Cognito takes it (the
/// custom domain, else the prefix domain's `<prefix>.auth.<region>.amazoncognito.com`). A pool
/// with none answers WebAuthnConfigurationMissingException.
pub async fn relying_party(app: &App, pool: &UserPool) -> ApiResult<RelyingParty> {
    let config = of_pool(pool);
    let id = match config.relying_party_id {
        Some(id) => id,
        None => {
            let domains = app.store.pool_domains(&pool.id).await?;
            let custom = domains.iter().find(|d| d.kind == DomainKind::Custom);
            let prefix = domains.iter().find(|d| d.kind == DomainKind::Prefix);
            custom
                .map(|d| d.domain.clone())
                .or_else(|| {
                    let region = &app.settings.region;
                    prefix.map(|d| format!("{}.auth.{region}.amazoncognito.com", d.domain))
                })
                .ok_or_else(|| {
                ApiError::new(
                    ErrorKind::WebAuthnConfigurationMissing,
                        "The user pool has no relying party id configured for passkeys: set WebAuthnConfiguration.RelyingPartyId with SetUserPoolMfaConfig, or give the pool a domain.",
                    )
                })?
        }
    };
    let policy = match config.user_verification.unwrap_or_default() {
        UserVerification::Required => UserVerificationPolicy::Required,
        UserVerification::Preferred => UserVerificationPolicy::Preferred,
    };
    let core = WebauthnCore::new_unsafe_experts_only(
        pool_name(pool),
        &id,
        origins(&id)?,
        CEREMONY_TIMEOUT,
        Some(false),
        Some(true),
    );
    Ok(RelyingParty { id, policy, core })
}

fn pool_name(pool: &UserPool) -> &str {
    Some(pool.name.as_str())
        .filter(|n| !n.is_empty())
        .unwrap_or(&pool.id)
}

/// The origins browsers send for `rp_id`: `https://<id>` on any port, and for `localhost`
/// also `http://localhost` on any port (a secure context without TLS).
fn origins(rp_id: &str) -> ApiResult<Vec<Url>> {
    let mut out = vec![format!("https://{rp_id}")];
    if rp_id == "localhost" {
        out.push("http://localhost".into());
    }
    out.iter()
        .map(|o| {
            Url::parse(o).map_err(|_| {
                ApiError::new(
                    ErrorKind::WebAuthnConfigurationMissing,
                    "The user pool's relying party id is not a valid host name.",
                )
            })
        })
        .collect()
}

/// The pool tag (`UserPoolTags`) that turns on usernameless passkey sign-in, a Latchkey
/// extension ([`crate::userpool::signin::passkey_usernameless`]).
pub const USERNAMELESS_TAG: &str = "latchkey:usernameless-passkeys";

/// Whether the pool allows usernameless passkey sign-in (its tag is `true`).
pub fn usernameless(pool: &UserPool) -> bool {
    pool.passthrough
        .get("UserPoolTags")
        .and_then(|t| t.get(USERNAMELESS_TAG))
        .and_then(Value::as_str)
        == Some("true")
}

/// Whether the pool was given passkey settings (GetUserPoolMfaConfig reports them always).
pub fn configured(pool: &UserPool) -> bool {
    pool.passthrough.get(KEY).is_some_and(Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use webauthn_rs_core::proto::origin::origins_match;

    fn accepted(rp_id: &str, origin: &str) -> bool {
        let origin = Url::parse(origin).unwrap();
        origins(rp_id)
            .unwrap()
            .iter()
            .any(|allowed| origins_match(false, true, &origin, allowed))
    }

    #[test]
    fn origins_are_the_relying_party_on_any_port() {
        assert!(accepted("login.example.com", "https://login.example.com"));
        assert!(accepted(
            "login.example.com",
            "https://login.example.com:8443"
        ));
        assert!(!accepted("login.example.com", "http://login.example.com"));
        assert!(!accepted("login.example.com", "https://evil.example.com"));
        assert!(!accepted(
            "login.example.com",
            "https://a.login.example.com"
        ));
        assert!(accepted("localhost", "http://localhost:5173"));
        assert!(accepted("localhost", "https://localhost"));
        assert!(!accepted("localhost", "http://127.0.0.1:5173"));
        assert!(!accepted("example.com", "http://example.com:8080"));
    }

    #[test]
    fn relying_party_ids_are_host_names() {
        assert!(is_host_name("localhost"));
        assert!(is_host_name("auth.example-1.com"));
        for bad in ["https://x.com", "x.com:443", "x.com/", "", "-x.com", "a..b"] {
            assert!(!is_host_name(bad), "{bad}");
        }
    }
}
