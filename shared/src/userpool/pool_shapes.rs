//! Output shapes of pools: `UserPoolType` and `UserPoolDescriptionType`. Request members
//! Latchkey stores without acting on them (the record's `passthrough`) are echoed as sent,
//! over the defaults.

use super::enums::{AuthFactor, DeletionProtection, MfaConfiguration};
use super::model::{PasswordPolicy, SchemaAttribute, UserPool};
use crate::clock::epoch_seconds;
use serde::Serialize;
use serde_json::{Map, Value};

/// `UserPoolPolicyType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policies {
    /// The password rules.
    pub password_policy: PasswordPolicy,
    /// How users may sign in first.
    pub sign_in_policy: SignInPolicy,
}

/// `SignInPolicyType`: the first factors USER_AUTH may offer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignInPolicy {
    /// `["PASSWORD"]` unless set.
    pub allowed_first_auth_factors: Vec<AuthFactor>,
}

/// `VerificationMessageTemplateType`: the pool's code messages, with the template members sent
/// at creation over them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerificationMessageTemplate {
    /// Email body.
    pub email_message: String,
    /// Email subject.
    pub email_subject: String,
    /// SMS text.
    pub sms_message: String,
    /// CONFIRM_WITH_CODE unless sent otherwise.
    pub default_email_option: String,
    /// Other template members sent (EmailMessageByLink, ...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `UsernameConfigurationType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UsernameConfiguration {
    /// Whether usernames are case-sensitive.
    pub case_sensitive: bool,
}

/// `AdminCreateUserConfigType` when none was sent.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserConfig {
    /// Always false: sign-up is open.
    pub allow_admin_create_user_only: bool,
    /// The temporary password's validity, days.
    pub unused_account_validity_days: u32,
}

/// `UserPoolType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolType {
    /// Pool id.
    pub id: String,
    /// PoolName.
    pub name: String,
    /// Pool ARN.
    pub arn: String,
    /// Password and sign-in policies.
    pub policies: Policies,
    /// ACTIVE or INACTIVE.
    pub deletion_protection: DeletionProtection,
    /// The triggers, as sent (`{}` when none).
    pub lambda_config: Value,
    /// Epoch seconds.
    pub last_modified_date: f64,
    /// Epoch seconds.
    pub creation_date: f64,
    /// Standard and custom attributes.
    pub schema_attributes: Vec<SchemaAttribute>,
    /// Attributes verified by a code.
    pub auto_verified_attributes: Vec<String>,
    /// Sign-in aliases (absent when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alias_attributes: Vec<String>,
    /// Attributes used as the username (absent when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub username_attributes: Vec<String>,
    /// Email body of codes.
    pub email_verification_message: String,
    /// Email subject of codes.
    pub email_verification_subject: String,
    /// SMS text of codes.
    pub sms_verification_message: String,
    /// The same texts as a template.
    pub verification_message_template: VerificationMessageTemplate,
    /// Username case sensitivity.
    pub username_configuration: UsernameConfiguration,
    /// OFF, ON or OPTIONAL.
    pub mfa_configuration: MfaConfiguration,
    /// Users in the pool.
    pub estimated_number_of_users: u64,
    /// The default, unless AdminCreateUserConfig was sent (then it is echoed as sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_create_user_config: Option<AdminCreateUserConfig>,
    /// The prefix domain (DescribeUserPool only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The custom domain (DescribeUserPool only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_domain: Option<String>,
    /// Other members sent at creation, echoed.
    #[serde(flatten)]
    pub passthrough: Map<String, Value>,
}

const TEMPLATE: &str = "VerificationMessageTemplate";
const ADMIN_CREATE: &str = "AdminCreateUserConfig";

fn lambda_config(pool: &UserPool) -> Value {
    pool.lambda_config
        .clone()
        .unwrap_or_else(|| Value::Object(Map::new()))
}

fn template(pool: &UserPool) -> VerificationMessageTemplate {
    let m = &pool.messages;
    let mut t = VerificationMessageTemplate {
        email_message: m.email_message.clone(),
        email_subject: m.email_subject.clone(),
        sms_message: m.sms_message.clone(),
        default_email_option: "CONFIRM_WITH_CODE".into(),
        other: Map::new(),
    };
    let sent = pool.passthrough.get(TEMPLATE).and_then(Value::as_object);
    for (k, v) in sent.into_iter().flatten() {
        let field = match k.as_str() {
            "EmailMessage" => &mut t.email_message,
            "EmailSubject" => &mut t.email_subject,
            "SmsMessage" => &mut t.sms_message,
            "DefaultEmailOption" => &mut t.default_email_option,
            _ => {
                t.other.insert(k.clone(), v.clone());
                continue;
            }
        };
        if let Some(s) = v.as_str() {
            *field = s.to_string();
        }
    }
    t
}

impl UserPoolType {
    /// `pool`, with `users` as its estimated user count.
    pub fn of(pool: &UserPool, users: u64) -> Self {
        let p = &pool.password_policy;
        let admin_create =
            (!pool.passthrough.contains_key(ADMIN_CREATE)).then_some(AdminCreateUserConfig {
                allow_admin_create_user_only: false,
                unused_account_validity_days: p.temporary_password_validity_days,
            });
        Self {
            id: pool.id.clone(),
            name: pool.name.clone(),
            arn: pool.arn.clone(),
            policies: Policies {
                password_policy: p.clone(),
                sign_in_policy: SignInPolicy {
                    allowed_first_auth_factors: pool.allowed_first_factors().to_vec(),
                },
            },
            deletion_protection: pool.deletion_protection,
            lambda_config: lambda_config(pool),
            last_modified_date: epoch_seconds(pool.modified_ms),
            creation_date: epoch_seconds(pool.created_ms),
            schema_attributes: pool.schema.clone(),
            auto_verified_attributes: pool.auto_verified_attributes.clone(),
            alias_attributes: pool.alias_attributes.clone(),
            username_attributes: pool.username_attributes.clone(),
            email_verification_message: pool.messages.email_message.clone(),
            email_verification_subject: pool.messages.email_subject.clone(),
            sms_verification_message: pool.messages.sms_message.clone(),
            verification_message_template: template(pool),
            username_configuration: UsernameConfiguration {
                case_sensitive: pool.username_case_sensitive,
            },
            mfa_configuration: pool.mfa_configuration,
            estimated_number_of_users: users,
            admin_create_user_config: admin_create,
            domain: None,
            custom_domain: None,
            passthrough: pool
                .passthrough
                .iter()
                .filter(|(k, _)| k.as_str() != TEMPLATE)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// `UserPoolDescriptionType` (ListUserPools).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolDescription {
    /// Pool id.
    pub id: String,
    /// PoolName.
    pub name: String,
    /// The triggers, as sent (`{}` when none).
    pub lambda_config: Value,
    /// Epoch seconds.
    pub last_modified_date: f64,
    /// Epoch seconds.
    pub creation_date: f64,
}

impl From<&UserPool> for UserPoolDescription {
    fn from(p: &UserPool) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            lambda_config: lambda_config(p),
            last_modified_date: epoch_seconds(p.modified_ms),
            creation_date: epoch_seconds(p.created_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::userpool::model::{PoolKeys, StoredKey, VerificationMessages};
    use serde_json::json;

    fn pool(passthrough: Value) -> UserPool {
        let key = || StoredKey {
            kid: "k".into(),
            pkcs8: Secret::new(String::new()),
        };
        UserPool {
            id: "r_1".into(),
            name: "n".into(),
            arn: "arn".into(),
            created_ms: 1000,
            modified_ms: 2000,
            password_policy: PasswordPolicy::default(),
            username_attributes: vec![],
            alias_attributes: vec!["email".into()],
            auto_verified_attributes: vec![],
            schema: vec![],
            username_case_sensitive: false,
            mfa_configuration: MfaConfiguration::Off,
            deletion_protection: DeletionProtection::Inactive,
            lambda_config: None,
            messages: VerificationMessages {
                email_message: "e {####}".into(),
                email_subject: "s".into(),
                sms_message: "m {####}".into(),
            },
            passthrough: passthrough.as_object().cloned().unwrap_or_default(),
            keys: PoolKeys {
                id: key(),
                access: key(),
            },
            first_auth_factors: Vec::new(),
            saml_signing: None,
            version: 0,
        }
    }

    #[test]
    fn pool_defaults_give_way_to_members_sent() {
        let plain = serde_json::to_value(UserPoolType::of(&pool(json!({})), 3)).unwrap();
        assert_eq!(
            plain["AdminCreateUserConfig"],
            json!({"AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": 7})
        );
        assert_eq!(plain["LambdaConfig"], json!({}));
        assert_eq!(plain["AliasAttributes"], json!(["email"]));
        assert!(plain.get("UsernameAttributes").is_none());
        assert_eq!(plain["AutoVerifiedAttributes"], json!([]));
        assert_eq!(plain["EstimatedNumberOfUsers"], 3);
        assert_eq!(plain["CreationDate"], 1.0);
        assert_eq!(
            plain["VerificationMessageTemplate"],
            json!({"EmailMessage": "e {####}", "EmailSubject": "s", "SmsMessage": "m {####}",
                   "DefaultEmailOption": "CONFIRM_WITH_CODE"})
        );
        let sent = json!({
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true},
            "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_LINK",
                                            "EmailMessageByLink": "{##Verify##}"},
            "UserPoolTags": {"a": "b"},
        });
        let echoed = serde_json::to_value(UserPoolType::of(&pool(sent), 0)).unwrap();
        assert_eq!(
            echoed["AdminCreateUserConfig"],
            json!({"AllowAdminCreateUserOnly": true})
        );
        assert_eq!(echoed["UserPoolTags"], json!({"a": "b"}));
        let template = &echoed["VerificationMessageTemplate"];
        assert_eq!(template["DefaultEmailOption"], "CONFIRM_WITH_LINK");
        assert_eq!(template["EmailMessageByLink"], "{##Verify##}");
        assert_eq!(template["EmailMessage"], "e {####}");
    }
}
