//! The user-pool domain records as stored: pools, app clients, users, codes, refresh tokens.

use super::enums::{
    AttributeDataType, DeletionProtection, DeliveryMedium, ExplicitAuthFlow, MfaConfiguration,
    PreventUserExistenceErrors, TimeUnit,
};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A password policy (`PasswordPolicyType`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    /// 6..=99.
    pub minimum_length: u32,
    /// Needs an uppercase letter.
    pub require_uppercase: bool,
    /// Needs a lowercase letter.
    pub require_lowercase: bool,
    /// Needs a digit.
    pub require_numbers: bool,
    /// Needs a symbol.
    pub require_symbols: bool,
    /// 0..=24; 0 is off.
    #[serde(default)]
    pub password_history_size: u32,
    /// Days a temporary password stays valid.
    pub temporary_password_validity_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            password_history_size: 0,
            temporary_password_validity_days: 7,
        }
    }
}

/// One attribute of a pool's schema (`SchemaAttributeType`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttribute {
    /// Full name: `email`, `custom:tier`.
    pub name: String,
    /// String, Number, DateTime or Boolean.
    pub attribute_data_type: AttributeDataType,
    /// Only readable by admin calls.
    pub developer_only_attribute: bool,
    /// Can change after creation.
    pub mutable: bool,
    /// Must be given at sign-up.
    pub required: bool,
    /// `{MinValue, MaxValue}` for numbers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub number_attribute_constraints: Option<NumberAttributeConstraints>,
    /// `{MinLength, MaxLength}` for strings.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub string_attribute_constraints: Option<StringAttributeConstraints>,
}

/// `NumberAttributeConstraintsType`: bounds as decimal strings, either may be absent.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct NumberAttributeConstraints {
    /// Smallest value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_value: Option<String>,
    /// Largest value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_value: Option<String>,
}

/// `StringAttributeConstraintsType`: lengths as decimal strings, either may be absent.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct StringAttributeConstraints {
    /// Shortest length.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_length: Option<String>,
    /// Longest length.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_length: Option<String>,
}

/// A stored RSA signing key: its `kid` and PKCS#8 DER, base64.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredKey {
    /// Key id published in the JWKS and the JWT header.
    pub kid: String,
    /// PKCS#8 DER, standard base64.
    pub pkcs8: Secret<String>,
}

/// A pool's two signing keys: Cognito signs ID and access tokens with different keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PoolKeys {
    /// Signs ID tokens.
    pub id: StoredKey,
    /// Signs access tokens.
    pub access: StoredKey,
}

/// Verification message templates (`{####}` is the code).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VerificationMessages {
    /// Email body.
    pub email_message: String,
    /// Email subject.
    pub email_subject: String,
    /// SMS text.
    pub sms_message: String,
}

/// A user pool.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserPool {
    /// `{region}_{9 alphanumerics}`.
    pub id: String,
    /// PoolName.
    pub name: String,
    /// `arn:aws:cognito-idp:{region}:{account}:userpool/{id}`.
    pub arn: String,
    /// Creation time, epoch ms.
    pub created_ms: i64,
    /// Last change, epoch ms.
    pub modified_ms: i64,
    /// Password rules.
    pub password_policy: PasswordPolicy,
    /// `email` / `phone_number` used as the username.
    pub username_attributes: Vec<String>,
    /// `email` / `phone_number` / `preferred_username` usable to sign in.
    pub alias_attributes: Vec<String>,
    /// Attributes verified by a code at sign-up.
    pub auto_verified_attributes: Vec<String>,
    /// Standard and custom attributes.
    pub schema: Vec<SchemaAttribute>,
    /// `UsernameConfiguration.CaseSensitive`.
    pub username_case_sensitive: bool,
    /// OFF, ON or OPTIONAL.
    pub mfa_configuration: MfaConfiguration,
    /// ACTIVE or INACTIVE.
    pub deletion_protection: DeletionProtection,
    /// Stored for the triggers issue; echoed back.
    pub lambda_config: Option<Value>,
    /// Code message templates.
    pub messages: VerificationMessages,
    /// Other request members echoed by DescribeUserPool.
    pub passthrough: Map<String, Value>,
    /// Signing keys.
    pub keys: PoolKeys,
}

impl UserPool {
    /// The lookup key of a username in this pool (case-folded unless case-sensitive).
    pub fn username_key(&self, username: &str) -> String {
        if self.username_case_sensitive {
            username.to_string()
        } else {
            username.to_lowercase()
        }
    }

    /// The schema entry of an attribute, if the pool has it.
    pub fn schema_attribute(&self, name: &str) -> Option<&SchemaAttribute> {
        self.schema.iter().find(|a| a.name == name)
    }

    /// Whether `attr` (`email` / `phone_number`) is auto-verified by a code.
    pub fn auto_verifies(&self, attr: &str) -> bool {
        self.auto_verified_attributes.iter().any(|a| a == attr)
    }
}

/// Token lifetimes' units (`TokenValidityUnitsType`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnits {
    /// Unit of AccessTokenValidity.
    pub access_token: TimeUnit,
    /// Unit of IdTokenValidity.
    pub id_token: TimeUnit,
    /// Unit of RefreshTokenValidity.
    pub refresh_token: TimeUnit,
}

impl Default for TokenValidityUnits {
    fn default() -> Self {
        Self {
            access_token: TimeUnit::Hours,
            id_token: TimeUnit::Hours,
            refresh_token: TimeUnit::Days,
        }
    }
}

/// An app client.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AppClient {
    /// Owning pool.
    pub pool_id: String,
    /// 26 lowercase alphanumerics.
    pub client_id: String,
    /// ClientName.
    pub client_name: String,
    /// Present when the client was created with a secret.
    pub secret: Option<Secret<String>>,
    /// Creation time, epoch ms.
    pub created_ms: i64,
    /// Last change, epoch ms.
    pub modified_ms: i64,
    /// ALLOW_* flows (or legacy values).
    pub explicit_auth_flows: Vec<ExplicitAuthFlow>,
    /// In `token_validity_units.refresh_token`.
    pub refresh_token_validity: u64,
    /// In `token_validity_units.access_token`.
    pub access_token_validity: u64,
    /// In `token_validity_units.id_token`.
    pub id_token_validity: u64,
    /// Units of the three lifetimes.
    pub token_validity_units: TokenValidityUnits,
    /// Attributes the client may read; `None` means all.
    pub read_attributes: Option<Vec<String>>,
    /// Attributes the client may write; `None` means all writable.
    pub write_attributes: Option<Vec<String>>,
    /// LEGACY or ENABLED.
    pub prevent_user_existence_errors: PreventUserExistenceErrors,
    /// Token revocation on.
    pub enable_token_revocation: bool,
    /// Minutes a challenge session lives (3..=15).
    pub auth_session_validity: u32,
    /// Other request members echoed by DescribeUserPoolClient.
    pub passthrough: Map<String, Value>,
}

impl AppClient {
    /// Access-token lifetime in seconds.
    pub fn access_ttl(&self) -> u64 {
        self.access_token_validity * self.token_validity_units.access_token.seconds()
    }
    /// ID-token lifetime in seconds.
    pub fn id_ttl(&self) -> u64 {
        self.id_token_validity * self.token_validity_units.id_token.seconds()
    }
    /// Refresh-token lifetime in seconds.
    pub fn refresh_ttl(&self) -> u64 {
        self.refresh_token_validity * self.token_validity_units.refresh_token.seconds()
    }
    /// Whether existence errors are hidden (PreventUserExistenceErrors=ENABLED).
    pub fn hides_user_existence(&self) -> bool {
        self.prevent_user_existence_errors == PreventUserExistenceErrors::Enabled
    }
    /// Whether an `ExplicitAuthFlows` value (or its legacy twin) is enabled.
    pub fn allows(&self, flag: ExplicitAuthFlow, legacy: Option<ExplicitAuthFlow>) -> bool {
        self.explicit_auth_flows
            .iter()
            .any(|f| *f == flag || Some(*f) == legacy)
    }
    /// Whether the client was made with the legacy `ExplicitAuthFlows` values only
    /// (`ADMIN_NO_SRP_AUTH`, `CUSTOM_AUTH_FLOW_ONLY`, `USER_PASSWORD_AUTH`). Those name the
    /// extra flows; SRP and refresh were always on before the `ALLOW_` values existed.
    pub fn legacy_flows_only(&self) -> bool {
        self.explicit_auth_flows.iter().all(|f| f.is_legacy())
    }
    /// Whether `name` is readable through this client.
    pub fn can_read(&self, name: &str) -> bool {
        match &self.read_attributes {
            None => true,
            Some(list) => name == "sub" || list.iter().any(|a| a == name),
        }
    }
}

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
    pub srp: Option<super::srp::SrpVerifier>,
    /// Software-token (TOTP) MFA state.
    #[serde(default)]
    pub mfa: MfaState,
    /// Counts answered sign-in challenges (SRP's SECRET_BLOCK, MFA, new password, custom
    /// challenges): each Session carries the count it was issued at and is spent by moving it
    /// on, so a Session answers once (and a limit can't be replayed around).
    #[serde(default, alias = "custom_auth_step")]
    pub auth_step: u64,
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

/// A user's TOTP MFA.
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
        }
    }

    /// All attributes including `sub`, in Cognito's order (sub first).
    pub fn attribute_list(&self) -> Vec<(String, String)> {
        let mut out = vec![("sub".to_string(), self.sub.clone())];
        out.extend(self.attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }
}

/// Why a code was sent.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum CodePurpose {
    /// Sign-up confirmation.
    SignUp,
    /// ForgotPassword / AdminResetUserPassword.
    ForgotPassword,
    /// Verifying a changed email.
    VerifyEmail,
    /// Verifying a changed phone number.
    VerifyPhone,
    /// Not a code: the failed sign-ins of a name that is no user, so that unknown names lock
    /// out exactly like real ones (see `unknown_lockout`).
    FailedSignIn,
}

impl CodePurpose {
    /// Storage and outbox name.
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::SignUp => "SignUp",
            CodePurpose::ForgotPassword => "ForgotPassword",
            CodePurpose::VerifyEmail => "VerifyEmail",
            CodePurpose::VerifyPhone => "VerifyPhone",
            CodePurpose::FailedSignIn => "FailedSignIn",
        }
    }
}

/// A pending one-time code, stored only as a hash.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingCode {
    /// Owning pool.
    pub pool_id: String,
    /// The user's storage key.
    pub username_key: String,
    /// What the code is for.
    pub purpose: CodePurpose,
    /// SHA-256 of pool, user, purpose and the code, hex.
    pub code_hash: Secret<String>,
    /// Expiry, epoch ms.
    pub expires_ms: i64,
    /// Wrong attempts so far.
    pub attempts: u32,
}

/// A refresh token, stored only as a hash.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefreshRecord {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Pool it belongs to.
    pub pool_id: String,
    /// Client it was issued to.
    pub client_id: String,
    /// The user's storage key.
    pub username_key: String,
    /// The original authentication's jti (revocation anchor).
    pub origin_jti: String,
    /// Original authentication time, epoch seconds.
    pub auth_time: i64,
    /// Expiry, epoch ms.
    pub expires_ms: i64,
    /// Revoked by sign-out or RevokeToken.
    pub revoked: bool,
    /// When rotation replaced it (GetTokensFromRefreshToken), epoch ms.
    #[serde(default)]
    pub rotated_ms: Option<i64>,
}

/// A message handed to the delivery port (locally: the outbox).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// Pool.
    pub pool_id: String,
    /// Internal username.
    pub username: String,
    /// Unmasked destination address or number.
    pub destination: String,
    /// EMAIL or SMS.
    pub delivery_medium: DeliveryMedium,
    /// What the message is for.
    pub purpose: String,
    /// The code it carries.
    pub code: Secret<String>,
    /// Subject (email only).
    pub subject: String,
    /// The rendered message.
    pub message: Secret<String>,
    /// When it was sent, epoch ms.
    pub created_ms: i64,
}

/// Why tokens are being issued (the event's `triggerSource`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// A sign-in.
    Authentication,
    /// A sign-in that ended by setting a new password.
    NewPasswordChallenge,
    /// A refresh.
    RefreshTokens,
}
