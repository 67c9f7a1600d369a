//! Users as stored: status, attributes, MFA, lockout, revoked sessions, and groups.

use super::pool::UserPool;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A user's status (`UserStatusType`).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum UserStatus {
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
    ResetRequired,
    ExternalProvider,
}

impl UserStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            UserStatus::ResetRequired => "RESET_REQUIRED",
            UserStatus::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }
}

/// A user.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    /// Owning pool.
    pub pool_id: String,
    /// The internal username (a UUID when the pool uses UsernameAttributes).
    pub username: String,
    /// The storage key: `username`, case-folded unless the pool is case-sensitive.
    pub username_key: String,
    /// Immutable UUID.
    pub sub: String,
    /// Attributes other than `sub`, as strings (`email_verified` is "true"/"false").
    pub attributes: BTreeMap<String, String>,
    /// Lifecycle status.
    pub status: UserStatus,
    /// AdminDisableUser sets false.
    pub enabled: bool,
    /// Argon2id PHC string.
    pub password_hash: Option<Secret<String>>,
    /// Creation time, epoch ms.
    pub created_ms: i64,
    /// Last change, epoch ms.
    pub modified_ms: i64,
    /// Optimistic-concurrency version; every update must carry the version it read.
    pub version: u64,
    /// Names of the groups the user is in (kept with the membership records, so tokens need
    /// no extra read for users without groups).
    #[serde(default)]
    pub groups: Vec<String>,
    /// Failed sign-in state.
    #[serde(default)]
    pub lockout: Lockout,
    /// Sign-in sessions ended by sign-out or RevokeToken, until their tokens would expire.
    #[serde(default)]
    pub revoked_origins: Vec<RevokedOrigin>,
    /// Earlier password hashes, newest first (PasswordHistorySize).
    #[serde(default)]
    pub password_history: Vec<Secret<String>>,
    /// When a temporary password (AdminCreateUser) stops working, epoch ms.
    #[serde(default)]
    pub temporary_password_expires_ms: Option<i64>,
    /// SRP salt and verifier, stored at every password set.
    #[serde(default)]
    pub srp: Option<crate::userpool::srp::SrpVerifier>,
    /// Software-token (TOTP) MFA state.
    #[serde(default)]
    pub mfa: MfaState,
    /// Counts answered sign-in challenges (SRP's SECRET_BLOCK, MFA, new password, custom
    /// challenges): each Session carries the count it was issued at and is spent by moving it
    /// on, so a Session answers once (and a limit can't be replayed around).
    #[serde(default, alias = "custom_auth_step")]
    pub auth_step: u64,
    /// Registered passkeys, oldest first (each credential id is also an alias claim, so no
    /// two users hold one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<super::passkey::Passkey>,
    /// A passkey registration in progress (StartWebAuthnRegistration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey_registration: Option<super::passkey::PendingPasskey>,
}

/// Cognito's attribute booleans are case-insensitive ("True" is accepted and kept as sent).
pub fn parse_bool(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

impl User {
    /// Whether `{attr}_verified` is true.
    pub fn is_verified(&self, attr: &str) -> bool {
        self.attributes
            .get(&format!("{attr}_verified"))
            .and_then(|v| parse_bool(v))
            .unwrap_or(false)
    }
}

/// A user's MFA: TOTP, and codes by SMS or email.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MfaState {
    /// The registered TOTP secret (Base32), after VerifySoftwareToken.
    pub totp_secret: Option<Secret<String>>,
    /// A secret from AssociateSoftwareToken awaiting VerifySoftwareToken.
    pub pending_totp_secret: Option<Secret<String>>,
    /// SetUserMFAPreference: TOTP enabled.
    pub totp_enabled: bool,
    /// SetUserMFAPreference: TOTP preferred.
    pub totp_preferred: bool,
    /// The last accepted TOTP step: a code is never accepted twice.
    pub last_totp_step: i64,
    /// SetUserMFAPreference: SMS codes enabled.
    #[serde(default)]
    pub sms_enabled: bool,
    /// SetUserMFAPreference: SMS codes preferred.
    #[serde(default)]
    pub sms_preferred: bool,
    /// SetUserMFAPreference: email codes enabled.
    #[serde(default)]
    pub email_enabled: bool,
    /// SetUserMFAPreference: email codes preferred.
    #[serde(default)]
    pub email_preferred: bool,
}

/// Failed password attempts, for Cognito-style lockout.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Lockout {
    /// Consecutive failures.
    pub failures: u32,
    /// Refused until this time, epoch ms.
    pub locked_until_ms: i64,
    /// Last failure, epoch ms (failures are forgotten after 15 idle minutes).
    pub last_failure_ms: i64,
}

/// A revoked sign-in session: access tokens with this `origin_jti` are refused.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RevokedOrigin {
    /// The session's `origin_jti`.
    pub origin_jti: String,
    /// Epoch seconds after which no token of the session can still be unexpired.
    pub until: i64,
}

/// A group.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Group {
    /// Pool.
    pub pool_id: String,
    /// GroupName (case-sensitive).
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// IAM role of the group.
    pub role_arn: Option<String>,
    /// Lower wins; None is lowest.
    pub precedence: Option<i64>,
    /// Creation time, epoch ms.
    pub created_ms: i64,
    /// Last change, epoch ms.
    pub modified_ms: i64,
}

impl User {
    /// A new user, version 1, enabled, in no groups.
    pub fn new(
        pool: &UserPool,
        username: String,
        sub: String,
        attributes: BTreeMap<String, String>,
        status: UserStatus,
        password_hash: Option<Secret<String>>,
        now_ms: i64,
    ) -> Self {
        Self {
            pool_id: pool.id.clone(),
            username_key: pool.username_key(&username),
            username,
            sub,
            attributes,
            status,
            enabled: true,
            password_hash,
            created_ms: now_ms,
            modified_ms: now_ms,
            version: 1,
            groups: Vec::new(),
            lockout: Lockout::default(),
            revoked_origins: Vec::new(),
            password_history: Vec::new(),
            temporary_password_expires_ms: None,
            srp: None,
            mfa: MfaState::default(),
            auth_step: 0,
            passkeys: Vec::new(),
            passkey_registration: None,
        }
    }

    /// All attributes including `sub`, in Cognito's order (sub first).
    pub fn attribute_list(&self) -> Vec<(String, String)> {
        let mut out = vec![("sub".to_string(), self.sub.clone())];
        out.extend(self.attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }
}
