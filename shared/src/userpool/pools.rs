//! Pool management: CreateUserPool, DescribeUserPool, ListUserPools, DeleteUserPool.

use super::keys::SigningKey;
use super::model::{PasswordPolicy, PoolKeys, UserPool, VerificationMessages};
use super::schema::{self, SchemaInput};
use crate::clock::epoch_seconds;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{PoolName, UserPoolId};
use crate::random::{string_from, ALNUM};
use crate::App;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Request members echoed back as given (stored, not acted on yet).
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

const DEFAULT_MESSAGE: &str = "Your verification code is {####}. ";

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
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UsernameConfigurationInput {
    case_sensitive: bool,
}

/// CreateUserPool's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolInput {
    pool_name: PoolName,
    policies: Option<PoliciesInput>,
    lambda_config: Option<Value>,
    auto_verified_attributes: Option<Vec<String>>,
    alias_attributes: Option<Vec<String>>,
    username_attributes: Option<Vec<String>>,
    schema: Option<Vec<SchemaInput>>,
    username_configuration: Option<UsernameConfigurationInput>,
    mfa_configuration: Option<String>,
    deletion_protection: Option<String>,
    email_verification_message: Option<String>,
    email_verification_subject: Option<String>,
    sms_verification_message: Option<String>,
    #[serde(flatten)]
    rest: Map<String, Value>,
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

/// Checks every value of a list member is in `allowed`.
pub fn check_enum_list(member: &str, values: &[String], allowed: &[&str]) -> ApiResult<()> {
    if values.iter().any(|v| !allowed.contains(&v.as_str())) {
        return Err(ApiError::constraint(
            member,
            &format!(
                "Member must satisfy constraint: [Member must satisfy enum value set: [{}]]",
                allowed.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Checks an optional enum member, returning it or `default`.
pub fn check_enum(
    member: &str,
    value: Option<String>,
    allowed: &[&str],
    default: &str,
) -> ApiResult<String> {
    let v = value.unwrap_or_else(|| default.to_string());
    if !allowed.contains(&v.as_str()) {
        return Err(ApiError::constraint(
            member,
            &format!(
                "Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            ),
        ));
    }
    Ok(v)
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

/// Builds a new pool record (with fresh keys) from a CreateUserPool request.
pub fn new_pool(app: &App, input: CreateUserPoolInput) -> ApiResult<UserPool> {
    let auto = input.auto_verified_attributes.unwrap_or_default();
    check_enum_list("autoVerifiedAttributes", &auto, &["phone_number", "email"])?;
    let alias = input.alias_attributes.unwrap_or_default();
    check_enum_list(
        "aliasAttributes",
        &alias,
        &["phone_number", "email", "preferred_username"],
    )?;
    let username_attrs = input.username_attributes.unwrap_or_default();
    check_enum_list(
        "usernameAttributes",
        &username_attrs,
        &["phone_number", "email"],
    )?;
    if !alias.is_empty() && !username_attrs.is_empty() {
        return Err(ApiError::invalid(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    let mfa = check_enum(
        "mfaConfiguration",
        input.mfa_configuration,
        &["OFF", "ON", "OPTIONAL"],
        "OFF",
    )?;
    let deletion = check_enum(
        "deletionProtection",
        input.deletion_protection,
        &["ACTIVE", "INACTIVE"],
        "INACTIVE",
    )?;
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
            .unwrap_or_else(|| "Your verification code".into()),
        sms_message: template(
            "SmsVerificationMessage",
            input
                .sms_verification_message
                .or_else(|| from_template("SmsMessage")),
        )?,
    };
    let now = app.clock.now_millis();
    let id = format!(
        "{}_{}",
        app.settings.region,
        string_from(app.random.as_ref(), ALNUM, 9)
    );
    let (id_key, access_key) = (SigningKey::generate()?, SigningKey::generate()?);
    Ok(UserPool {
        arn: format!(
            "arn:aws:cognito-idp:{}:{}:userpool/{id}",
            app.settings.region, app.settings.account_id
        ),
        id,
        name: input.pool_name.as_str().to_string(),
        created_ms: now,
        modified_ms: now,
        password_policy: password_policy(input.policies.and_then(|p| p.password_policy))?,
        username_attributes: username_attrs,
        alias_attributes: alias,
        auto_verified_attributes: auto,
        schema: schema::build(&input.schema.unwrap_or_default())?,
        // The API documents CaseSensitive=true as the default when the member is omitted.
        username_case_sensitive: input
            .username_configuration
            .is_none_or(|c| c.case_sensitive),
        mfa_configuration: mfa,
        deletion_protection: deletion,
        lambda_config: input.lambda_config,
        messages,
        passthrough: input
            .rest
            .into_iter()
            .filter(|(k, _)| PASSTHROUGH.contains(&k.as_str()))
            .collect(),
        keys: PoolKeys {
            id: id_key.to_stored()?,
            access: access_key.to_stored()?,
        },
    })
}

/// CreateUserPool.
pub async fn create_user_pool(app: &App, input: CreateUserPoolInput) -> ApiResult<Value> {
    let pool = new_pool(app, input)?;
    app.store.create_pool(&pool).await?;
    Ok(json!({ "UserPool": describe(&pool, 0) }))
}

/// A pool by id, or ResourceNotFoundException.
pub async fn load_pool(app: &App, pool_id: &str) -> ApiResult<Arc<UserPool>> {
    app.configs
        .pool(app.store.as_ref(), pool_id)
        .await?
        .ok_or_else(|| ApiError::pool_not_found(pool_id))
}

/// `UserPoolType`.
pub fn describe(pool: &UserPool, users: u64) -> Value {
    let p = &pool.password_policy;
    let mut out = json!({
        "Id": pool.id,
        "Name": pool.name,
        "Arn": pool.arn,
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": p.minimum_length,
                "RequireUppercase": p.require_uppercase,
                "RequireLowercase": p.require_lowercase,
                "RequireNumbers": p.require_numbers,
                "RequireSymbols": p.require_symbols,
                "PasswordHistorySize": p.password_history_size,
                "TemporaryPasswordValidityDays": p.temporary_password_validity_days,
            },
            "SignInPolicy": { "AllowedFirstAuthFactors": ["PASSWORD"] },
        },
        "DeletionProtection": pool.deletion_protection,
        "LambdaConfig": pool.lambda_config.clone().unwrap_or_else(|| json!({})),
        "LastModifiedDate": epoch_seconds(pool.modified_ms),
        "CreationDate": epoch_seconds(pool.created_ms),
        "SchemaAttributes": pool.schema,
        "AutoVerifiedAttributes": pool.auto_verified_attributes,
        "EmailVerificationMessage": pool.messages.email_message,
        "EmailVerificationSubject": pool.messages.email_subject,
        "SmsVerificationMessage": pool.messages.sms_message,
        "VerificationMessageTemplate": {
            "EmailMessage": pool.messages.email_message,
            "EmailSubject": pool.messages.email_subject,
            "SmsMessage": pool.messages.sms_message,
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
        },
        "UsernameConfiguration": { "CaseSensitive": pool.username_case_sensitive },
        "MfaConfiguration": pool.mfa_configuration,
        "EstimatedNumberOfUsers": users,
        "AdminCreateUserConfig": { "AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": p.temporary_password_validity_days },
    });
    if !pool.alias_attributes.is_empty() {
        out["AliasAttributes"] = json!(pool.alias_attributes);
    }
    if !pool.username_attributes.is_empty() {
        out["UsernameAttributes"] = json!(pool.username_attributes);
    }
    for (k, v) in &pool.passthrough {
        if k == "VerificationMessageTemplate" {
            if let (Some(dst), Some(src)) = (out[k].as_object_mut(), v.as_object()) {
                dst.extend(src.clone());
            }
        } else {
            out[k] = v.clone();
        }
    }
    out
}

/// DescribeUserPool's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolIdInput {
    user_pool_id: UserPoolId,
}

/// DescribeUserPool.
pub async fn describe_user_pool(app: &App, input: PoolIdInput) -> ApiResult<Value> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let users = app.store.count_users(&pool.id).await?;
    Ok(json!({ "UserPool": describe(&pool, users) }))
}

/// DeleteUserPool.
pub async fn delete_user_pool(app: &App, input: PoolIdInput) -> ApiResult<Value> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    if pool.deletion_protection == "ACTIVE" {
        return Err(ApiError::invalid(
            "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
        ));
    }
    app.store.delete_pool(&pool.id).await?;
    app.forget_signers(&pool.id);
    app.configs.forget_pool(&pool.id);
    Ok(json!({}))
}

/// ListUserPools' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolsInput {
    max_results: i64,
    next_token: Option<String>,
}

/// Checks a page size member (1..=60).
pub fn page_size(member: &str, v: Option<i64>, default: i64) -> ApiResult<usize> {
    let v = v.unwrap_or(default);
    if !(1..=60).contains(&v) {
        return Err(ApiError::constraint(
            member,
            "Member must have value less than or equal to 60 and greater than or equal to 1",
        ));
    }
    Ok(v as usize)
}

/// Decodes a pagination token made by [`encode_token`].
/// Anything else (garbage, or a position without the mark) is refused rather than read as
/// the first page or as a position nobody was given.
pub fn decode_token(token: Option<&str>) -> ApiResult<Option<String>> {
    use base64::Engine;
    token
        .map(|t| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.strip_prefix(TOKEN_MARK).map(str::to_string))
                .ok_or_else(|| {
                    ApiError::new(ErrorKind::InvalidParameter, "Invalid pagination token.")
                })
        })
        .transpose()
}

/// What every pagination token starts with (inside its base64).
const TOKEN_MARK: &str = "latchkey-page:";

/// An opaque pagination token for a listing position.
pub fn encode_token(position: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{TOKEN_MARK}{position}"))
}

/// ListUserPools.
pub async fn list_user_pools(app: &App, input: ListUserPoolsInput) -> ApiResult<Value> {
    let limit = page_size("maxResults", Some(input.max_results), 60)?;
    let after = decode_token(input.next_token.as_deref())?;
    let page = app.store.list_pools(after.as_deref(), limit).await?;
    let pools: Vec<Value> = page
        .items
        .iter()
        .map(|p| {
            json!({
                "Id": p.id,
                "Name": p.name,
                "LambdaConfig": p.lambda_config.clone().unwrap_or_else(|| json!({})),
                "LastModifiedDate": epoch_seconds(p.modified_ms),
                "CreationDate": epoch_seconds(p.created_ms),
            })
        })
        .collect();
    let mut out = json!({ "UserPools": pools });
    if let Some(next) = page.next {
        out["NextToken"] = json!(encode_token(&next));
    }
    Ok(out)
}
