//! Output shapes of pools and app clients: `UserPoolType`, `UserPoolDescriptionType`,
//! `UserPoolClientType`, `UserPoolClientDescription`. Request members Latchkey stores without
//! acting on them (the records' `passthrough`) are echoed as sent, over the defaults.

use super::enums::PreventUserExistenceErrors;
use super::enums::{DeletionProtection, ExplicitAuthFlow, MfaConfiguration};
use super::model::{AppClient, PasswordPolicy, SchemaAttribute, TokenValidityUnits, UserPool};
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

/// `SignInPolicyType`: Latchkey signs in with passwords only.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignInPolicy {
    /// `["PASSWORD"]`.
    pub allowed_first_auth_factors: Vec<&'static str>,
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
            (!pool.passthrough.contains_key(ADMIN_CREATE)).then(|| AdminCreateUserConfig {
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
                    allowed_first_auth_factors: vec!["PASSWORD"],
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

const OAUTH_CLIENT: &str = "AllowedOAuthFlowsUserPoolClient";

/// `UserPoolClientType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientType {
    /// The pool.
    pub user_pool_id: String,
    /// ClientName.
    pub client_name: String,
    /// Client id.
    pub client_id: String,
    /// Present when the client has a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Epoch seconds.
    pub last_modified_date: f64,
    /// Epoch seconds.
    pub creation_date: f64,
    /// In `token_validity_units.refresh_token`.
    pub refresh_token_validity: u64,
    /// In `token_validity_units.access_token`.
    pub access_token_validity: u64,
    /// In `token_validity_units.id_token`.
    pub id_token_validity: u64,
    /// Units of the three lifetimes.
    pub token_validity_units: TokenValidityUnits,
    /// Readable attributes, when restricted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_attributes: Option<Vec<String>>,
    /// Writable attributes, when restricted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_attributes: Option<Vec<String>>,
    /// The enabled flows.
    pub explicit_auth_flows: Vec<ExplicitAuthFlow>,
    /// LEGACY or ENABLED.
    pub prevent_user_existence_errors: PreventUserExistenceErrors,
    /// Whether RevokeToken works.
    pub enable_token_revocation: bool,
    /// Minutes a challenge session lives.
    pub auth_session_validity: u32,
    /// False unless sent (then echoed with the other OAuth members).
    #[serde(
        rename = "AllowedOAuthFlowsUserPoolClient",
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_oauth_flows_user_pool_client: Option<bool>,
    /// Other members sent at creation, echoed.
    #[serde(flatten)]
    pub passthrough: Map<String, Value>,
}

impl From<&AppClient> for UserPoolClientType {
    fn from(c: &AppClient) -> Self {
        Self {
            user_pool_id: c.pool_id.clone(),
            client_name: c.client_name.clone(),
            client_id: c.client_id.clone(),
            client_secret: c.secret.as_ref().map(|s| s.expose().clone()),
            last_modified_date: epoch_seconds(c.modified_ms),
            creation_date: epoch_seconds(c.created_ms),
            refresh_token_validity: c.refresh_token_validity,
            access_token_validity: c.access_token_validity,
            id_token_validity: c.id_token_validity,
            token_validity_units: c.token_validity_units.clone(),
            read_attributes: c.read_attributes.clone(),
            write_attributes: c.write_attributes.clone(),
            explicit_auth_flows: c.explicit_auth_flows.clone(),
            prevent_user_existence_errors: c.prevent_user_existence_errors,
            enable_token_revocation: c.enable_token_revocation,
            auth_session_validity: c.auth_session_validity,
            allowed_oauth_flows_user_pool_client: (!c.passthrough.contains_key(OAUTH_CLIENT))
                .then_some(false),
            passthrough: c.passthrough.clone(),
        }
    }
}

/// `UserPoolClientDescription` (ListUserPoolClients).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientDescription {
    /// Client id.
    pub client_id: String,
    /// The pool.
    pub user_pool_id: String,
    /// ClientName.
    pub client_name: String,
}

impl From<&AppClient> for UserPoolClientDescription {
    fn from(c: &AppClient) -> Self {
        Self {
            client_id: c.client_id.clone(),
            user_pool_id: c.pool_id.clone(),
            client_name: c.client_name.clone(),
        }
    }
}
