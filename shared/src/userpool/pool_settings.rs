//! The pool members CreateUserPool takes and UpdateUserPool takes again (policies, triggers,
//! messages, MFA, deletion protection and the members stored as sent): one parser and one set
//! of Cognito checks for both. A member not sent takes Cognito's default, at creation and at
//! update alike; the members only CreateUserPool has (Schema, UsernameAttributes,
//! AliasAttributes, UsernameConfiguration) are read in `pools`.

use super::enums::check_enum_list;
use super::enums::{AuthFactor, DeletionProtection, MfaConfiguration};
use super::model::{PasswordPolicy, UserPool, VerificationMessages};
use crate::error::{ApiError, ApiResult};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Request members echoed back as given (stored; some are read by `sending`, `pool_mfa`,
/// `recovery`, `admin` and `confirm_link`).
const PASSTHROUGH: &[&str] = &[
    "AccountRecoverySetting",
    "AdminCreateUserConfig",
    "UserPoolTags",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "SmsAuthenticationMessage",
    "UserPoolAddOns",
    "UserAttributeUpdateSettings",
    "UserPoolTier",
    "VerificationMessageTemplate",
];

/// Members of Cognito's newest pool features that Latchkey does not have yet: sent with a value,
/// they are refused rather than stored and silently not acted on.
const NOT_YET: &[&str] = &[
    "AcrConfiguration",
    "DcrConfiguration",
    "IssuerConfiguration",
    "KeyConfiguration",
];

const DEFAULT_MESSAGE: &str = "Your verification code is {####}. ";
const DEFAULT_SUBJECT: &str = "Your verification code";

/// `PasswordPolicyType` as sent; every member optional.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct PasswordPolicyInput {
    minimum_length: Option<i64>,
    require_uppercase: Option<bool>,
    require_lowercase: Option<bool>,
    require_numbers: Option<bool>,
    require_symbols: Option<bool>,
    password_history_size: Option<i64>,
    temporary_password_validity_days: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct PoliciesInput {
    password_policy: Option<PasswordPolicyInput>,
    sign_in_policy: Option<SignInPolicyInput>,
}

/// `SignInPolicyType` as sent.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct SignInPolicyInput {
    allowed_first_auth_factors: Option<Vec<String>>,
}

/// The members of CreateUserPool that UpdateUserPool also has, as sent.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolSettingsInput {
    policies: Option<PoliciesInput>,
    lambda_config: Option<Value>,
    auto_verified_attributes: Option<Vec<String>>,
    mfa_configuration: Option<MfaConfiguration>,
    deletion_protection: Option<DeletionProtection>,
    email_verification_message: Option<String>,
    email_verification_subject: Option<String>,
    sms_verification_message: Option<String>,
    /// Everything else sent; [`PASSTHROUGH`] members are kept.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl PoolSettingsInput {
    /// Whether the request sent none of these members.
    pub fn is_empty(&self) -> bool {
        self.policies.is_none()
            && self.lambda_config.is_none()
            && self.auto_verified_attributes.is_none()
            && self.mfa_configuration.is_none()
            && self.deletion_protection.is_none()
            && self.email_verification_message.is_none()
            && self.email_verification_subject.is_none()
            && self.sms_verification_message.is_none()
            && self.rest.is_empty()
    }
}

/// A pool's settings, checked.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Password rules.
    pub password_policy: PasswordPolicy,
    /// Attributes verified by a code.
    pub auto_verified_attributes: Vec<String>,
    /// OFF, ON or OPTIONAL.
    pub mfa_configuration: MfaConfiguration,
    /// ACTIVE or INACTIVE.
    pub deletion_protection: DeletionProtection,
    /// The triggers.
    pub lambda_config: Option<Value>,
    /// Code message templates.
    pub messages: VerificationMessages,
    /// The members stored as sent.
    pub passthrough: Map<String, Value>,
    /// `AllowedFirstAuthFactors` (empty: PASSWORD only).
    pub first_auth_factors: Vec<AuthFactor>,
}

impl PoolSettings {
    /// Sets every setting of `pool`. Members stored by other operations (SetUserPoolMfaConfig's)
    /// stay; the stored-as-sent members of CreateUserPool/UpdateUserPool are replaced.
    pub fn apply_to(self, pool: &mut UserPool) {
        pool.password_policy = self.password_policy;
        pool.auto_verified_attributes = self.auto_verified_attributes;
        pool.mfa_configuration = self.mfa_configuration;
        pool.deletion_protection = self.deletion_protection;
        pool.lambda_config = self.lambda_config;
        pool.messages = self.messages;
        pool.first_auth_factors = self.first_auth_factors;
        pool.passthrough
            .retain(|k, _| !PASSTHROUGH.contains(&k.as_str()));
        pool.passthrough.extend(self.passthrough);
    }
}

fn in_range(member: &str, v: Option<i64>, min: i64, max: i64, default: i64) -> ApiResult<u32> {
    let v = v.unwrap_or(default);
    if v < min {
        return Err(ApiError::constraint(
            member,
            &format!("Member must have value greater than or equal to {min}"),
        ));
    }
    if v > max {
        return Err(ApiError::constraint(
            member,
            &format!("Member must have value less than or equal to {max}"),
        ));
    }
    Ok(v as u32)
}

fn password_policy(input: Option<PasswordPolicyInput>) -> ApiResult<PasswordPolicy> {
    let i = input.unwrap_or_default();
    let d = PasswordPolicy::default();
    let days = in_range(
        "policies.passwordPolicy.temporaryPasswordValidityDays",
        i.temporary_password_validity_days,
        0,
        365,
        7,
    )?;
    Ok(PasswordPolicy {
        minimum_length: in_range(
            "policies.passwordPolicy.minimumLength",
            i.minimum_length,
            6,
            99,
            8,
        )?,
        require_uppercase: i.require_uppercase.unwrap_or(d.require_uppercase),
        require_lowercase: i.require_lowercase.unwrap_or(d.require_lowercase),
        require_numbers: i.require_numbers.unwrap_or(d.require_numbers),
        require_symbols: i.require_symbols.unwrap_or(d.require_symbols),
        password_history_size: in_range(
            "policies.passwordPolicy.passwordHistorySize",
            i.password_history_size,
            0,
            24,
            0,
        )?,
        temporary_password_validity_days: if days == 0 { 7 } else { days },
    })
}

/// `AllowedFirstAuthFactors`: Cognito's values, PASSWORD always among them (a pool cannot
/// leave its users without the factor every account starts with), SOFTWARE_TOKEN not a first
/// factor.
fn first_auth_factors(input: Option<SignInPolicyInput>) -> ApiResult<Vec<AuthFactor>> {
    let Some(factors) = input.and_then(|p| p.allowed_first_auth_factors) else {
        return Ok(Vec::new());
    };
    let member = "policies.signInPolicy.allowedFirstAuthFactors";
    check_enum_list(member, &factors, AuthFactor::NAMES)?;
    let mut parsed: Vec<AuthFactor> = factors.iter().filter_map(|f| f.parse().ok()).collect();
    parsed.dedup();
    if parsed.contains(&AuthFactor::SoftwareToken) {
        return Err(ApiError::invalid(
            "SOFTWARE_TOKEN is not supported as a first auth factor.",
        ));
    }
    if !parsed.contains(&AuthFactor::Password) {
        return Err(ApiError::invalid(
            "AllowedFirstAuthFactors must include PASSWORD.",
        ));
    }
    Ok(parsed)
}

fn template(member: &str, value: Option<String>) -> ApiResult<String> {
    match value {
        Some(v) if !v.contains("{####}") => Err(ApiError::invalid(format!(
            "{member} must contain the {{####}} placeholder."
        ))),
        Some(v) => Ok(v),
        None => Ok(DEFAULT_MESSAGE.to_string()),
    }
}

/// Checks the shared members of a CreateUserPool or UpdateUserPool request and returns the
/// settings, with Cognito's defaults for those not sent.
pub fn pool_settings(input: PoolSettingsInput) -> ApiResult<PoolSettings> {
    if let Some(member) = NOT_YET
        .iter()
        .find(|m| input.rest.get(**m).is_some_and(|v| !v.is_null()))
    {
        return Err(ApiError::invalid(format!(
            "Latchkey does not support {member} yet."
        )));
    }
    crate::triggers::custom_sender::check_config(input.lambda_config.as_ref())?;
    let auto = input.auto_verified_attributes.unwrap_or_default();
    check_enum_list("autoVerifiedAttributes", &auto, &["phone_number", "email"])?;
    let template_in = input.rest.get("VerificationMessageTemplate");
    let from_template = |key: &str| {
        template_in
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let messages = VerificationMessages {
        email_message: template(
            "EmailVerificationMessage",
            input
                .email_verification_message
                .or_else(|| from_template("EmailMessage")),
        )?,
        email_subject: input
            .email_verification_subject
            .or_else(|| from_template("EmailSubject"))
            .unwrap_or_else(|| DEFAULT_SUBJECT.into()),
        sms_message: template(
            "SmsVerificationMessage",
            input
                .sms_verification_message
                .or_else(|| from_template("SmsMessage")),
        )?,
    };
    let policies = input.policies.unwrap_or_default();
    Ok(PoolSettings {
        first_auth_factors: first_auth_factors(policies.sign_in_policy)?,
        password_policy: password_policy(policies.password_policy)?,
        auto_verified_attributes: auto,
        mfa_configuration: input.mfa_configuration.unwrap_or(MfaConfiguration::Off),
        deletion_protection: input
            .deletion_protection
            .unwrap_or(DeletionProtection::Inactive),
        lambda_config: input.lambda_config,
        messages,
        passthrough: input
            .rest
            .into_iter()
            .filter(|(k, _)| PASSTHROUGH.contains(&k.as_str()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conformance::sample_pool;
    use serde_json::json;

    fn parsed(members: Value) -> ApiResult<PoolSettings> {
        pool_settings(serde_json::from_value(members).unwrap())
    }

    #[test]
    fn members_not_sent_go_back_to_their_defaults() {
        let mut pool = sample_pool("us-east-1_a");
        parsed(json!({
            "Policies": {"PasswordPolicy": {"MinimumLength": 12, "RequireSymbols": false}},
            "MfaConfiguration": "OPTIONAL",
            "DeletionProtection": "ACTIVE",
            "AutoVerifiedAttributes": ["email"],
            "UserPoolTags": {"team": "a"},
            "SmsVerificationMessage": "Code {####}",
        }))
        .unwrap()
        .apply_to(&mut pool);
        pool.passthrough.insert(
            "SoftwareTokenMfaConfiguration".into(),
            json!({"Enabled": true}),
        );
        assert_eq!(pool.password_policy.minimum_length, 12);
        assert!(!pool.password_policy.require_symbols);
        assert_eq!(pool.deletion_protection, DeletionProtection::Active);
        assert_eq!(pool.messages.sms_message, "Code {####}");

        parsed(json!({"DeletionProtection": "ACTIVE"}))
            .unwrap()
            .apply_to(&mut pool);
        assert_eq!(pool.password_policy, PasswordPolicy::default());
        assert_eq!(pool.mfa_configuration, MfaConfiguration::Off);
        assert!(pool.auto_verified_attributes.is_empty());
        assert_eq!(pool.messages.sms_message, DEFAULT_MESSAGE);
        assert!(!pool.passthrough.contains_key("UserPoolTags"));
        assert!(
            pool.passthrough
                .contains_key("SoftwareTokenMfaConfiguration"),
            "SetUserPoolMfaConfig's settings are not UpdateUserPool members"
        );
    }

    #[test]
    fn shared_members_keep_their_checks() {
        let e = parsed(json!({"Policies": {"PasswordPolicy": {"MinimumLength": 5}}})).unwrap_err();
        assert!(
            e.message
                .contains("'policies.passwordPolicy.minimumLength'"),
            "{e}"
        );
        let e = parsed(json!({"EmailVerificationMessage": "no code"})).unwrap_err();
        assert_eq!(
            e.message,
            "EmailVerificationMessage must contain the {####} placeholder."
        );
        let e = parsed(json!({"AutoVerifiedAttributes": ["name"]})).unwrap_err();
        assert!(e.message.contains("'autoVerifiedAttributes'"), "{e}");
    }
}
