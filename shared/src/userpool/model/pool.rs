//! Pools and app clients as stored, with their policies, schema, keys and validity units.

use crate::secret::Secret;
use crate::userpool::enums::{
    AttributeDataType, AuthFactor, DeletionProtection, ExplicitAuthFlow, MfaConfiguration,
    PreventUserExistenceErrors, TimeUnit,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors` (empty: PASSWORD only, Cognito's
    /// default, as records written before choice-based sign-in have it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_auth_factors: Vec<AuthFactor>,
    /// The SAML signing key and its certificate (GetSigningCertificate), made on first use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_signing: Option<SamlSigning>,
    /// Bumped by every change; a write is accepted only over the version it read (records
    /// written before versions read as 0).
    #[serde(default)]
    pub version: u64,
}

/// A pool's SAML signing key pair and its self-signed certificate.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SamlSigning {
    /// The private key.
    pub key: StoredKey,
    /// The X.509 certificate, DER, base64 (GetSigningCertificate's `Certificate`).
    pub certificate: String,
}

impl UserPool {
    /// The first factors USER_AUTH may offer: `AllowedFirstAuthFactors`, PASSWORD when unset.
    pub fn allowed_first_factors(&self) -> &[AuthFactor] {
        if self.first_auth_factors.is_empty() {
            &[AuthFactor::Password]
        } else {
            &self.first_auth_factors
        }
    }

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

    /// Whether `client` may read attribute `name` of this pool's users (GetUser, ID tokens,
    /// userInfo): it is in the client's read list, and not developer-only.
    pub fn readable_by(&self, client: &AppClient, name: &str) -> bool {
        client.can_read(name)
            && !self
                .schema_attribute(name)
                .is_some_and(|a| a.developer_only_attribute)
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
    /// OAuth 2.0 settings (callback URLs, flows, scopes).
    #[serde(default)]
    pub oauth: super::oauth::OAuthSettings,
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
