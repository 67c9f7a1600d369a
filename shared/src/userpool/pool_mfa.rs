//! A pool's MFA: GetUserPoolMfaConfig and SetUserPoolMfaConfig (OFF / ON / OPTIONAL with
//! TOTP, SMS codes and email codes; and the passkey settings, `WebAuthnConfiguration`), which
//! methods a pool allows, and the texts of its sign-in code messages.

use super::enums::MfaConfiguration;
use super::model::UserPool;
use super::passkeys::config::WebAuthnConfiguration;
use super::pools::{load_pool, modify_pool};
use crate::error::{ApiError, ApiResult};
use crate::ids::UserPoolId;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

const SOFTWARE_TOKEN: &str = "SoftwareTokenMfaConfiguration";
const SMS_MFA: &str = "SmsMfaConfiguration";
const EMAIL_MFA: &str = "EmailMfaConfiguration";
/// Cognito's SMS sign-in text when the pool names none.
pub const DEFAULT_SMS_MESSAGE: &str = "Your authentication code is {####}. ";
/// The email sign-in text when the pool names none.
pub const DEFAULT_EMAIL_MESSAGE: &str = "Your authentication code is {####}. ";
/// The email sign-in subject when the pool names none.
pub const DEFAULT_EMAIL_SUBJECT: &str = "Your authentication code";

/// Whether the pool allows TOTP (on by default once MFA is ON or OPTIONAL).
pub fn software_token_allowed(pool: &UserPool) -> bool {
    pool.passthrough
        .get(SOFTWARE_TOKEN)
        .and_then(|c| c.get("Enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(pool.mfa_configuration != MfaConfiguration::Off)
}

/// Whether the pool allows SMS codes: SetUserPoolMfaConfig set SmsMfaConfiguration, or the
/// pool was made with an SmsConfiguration (as CreateUserPool does in Cognito).
pub fn sms_allowed(pool: &UserPool) -> bool {
    pool.passthrough.contains_key(SMS_MFA) || pool.passthrough.contains_key("SmsConfiguration")
}

/// Whether the pool allows email codes (SetUserPoolMfaConfig set EmailMfaConfiguration).
pub fn email_allowed(pool: &UserPool) -> bool {
    pool.passthrough.contains_key(EMAIL_MFA)
}

fn text(pool: &UserPool, path: &[&str]) -> Option<String> {
    let mut v = pool.passthrough.get(path[0])?;
    for p in &path[1..] {
        v = v.get(p)?;
    }
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// The SMS sign-in text: `SmsAuthenticationMessage`, else Cognito's default.
pub fn sms_message(pool: &UserPool) -> String {
    text(pool, &["SmsAuthenticationMessage"]).unwrap_or_else(|| DEFAULT_SMS_MESSAGE.into())
}

/// The email sign-in subject and text: `EmailMfaConfiguration`, else the defaults.
pub fn email_message(pool: &UserPool) -> (String, String) {
    (
        text(pool, &[EMAIL_MFA, "Subject"]).unwrap_or_else(|| DEFAULT_EMAIL_SUBJECT.into()),
        text(pool, &[EMAIL_MFA, "Message"]).unwrap_or_else(|| DEFAULT_EMAIL_MESSAGE.into()),
    )
}

/// GetUserPoolMfaConfig's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolMfaInput {
    user_pool_id: UserPoolId,
}

/// Get/SetUserPoolMfaConfig's reply.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolMfaOutput {
    mfa_configuration: MfaConfiguration,
    software_token_mfa_configuration: Enabled,
    #[serde(
        rename = "SmsMfaConfiguration",
        skip_serializing_if = "Option::is_none"
    )]
    sms_mfa_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_mfa_configuration: Option<Value>,
    web_authn_configuration: WebAuthnConfiguration,
}

/// `{Enabled}`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Enabled {
    #[serde(default)]
    enabled: bool,
}

fn pool_mfa(pool: &UserPool) -> PoolMfaOutput {
    let sms = sms_allowed(pool).then(|| {
        let mut m = Map::new();
        m.insert("SmsAuthenticationMessage".into(), sms_message(pool).into());
        if let Some(c) = pool.passthrough.get("SmsConfiguration") {
            m.insert("SmsConfiguration".into(), c.clone());
        }
        Value::Object(m)
    });
    PoolMfaOutput {
        mfa_configuration: pool.mfa_configuration,
        software_token_mfa_configuration: Enabled {
            enabled: software_token_allowed(pool),
        },
        sms_mfa_configuration: sms,
        email_mfa_configuration: pool.passthrough.get(EMAIL_MFA).cloned(),
        web_authn_configuration: super::passkeys::config::of_pool(pool),
    }
}

/// GetUserPoolMfaConfig.
pub async fn get_user_pool_mfa_config(app: &App, input: PoolMfaInput) -> ApiResult<PoolMfaOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    Ok(pool_mfa(&pool))
}

/// `SmsMfaConfigType`.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SmsMfaInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    sms_authentication_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sms_configuration: Option<Value>,
}

/// `EmailMfaConfigType`.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailMfaInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
}

/// SetUserPoolMfaConfig's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetPoolMfaInput {
    user_pool_id: UserPoolId,
    #[serde(rename = "SmsMfaConfiguration")]
    sms_mfa_configuration: Option<SmsMfaInput>,
    software_token_mfa_configuration: Option<Enabled>,
    email_mfa_configuration: Option<EmailMfaInput>,
    mfa_configuration: Option<MfaConfiguration>,
    web_authn_configuration: Option<WebAuthnConfiguration>,
}

/// SetUserPoolMfaConfig: the methods given replace the pool's; email codes need a sender for
/// the pool (its own SES identity, or the deployment's SMTP server or sender).
pub async fn set_user_pool_mfa_config(
    app: &App,
    input: SetPoolMfaInput,
) -> ApiResult<PoolMfaOutput> {
    let sends_email_for_every_pool = app.delivery.sends_email_for_every_pool();
    modify_pool(app, input.user_pool_id.as_str(), |updated| {
    if let Some(m) = input.mfa_configuration {
        updated.mfa_configuration = m;
    }
    if let Some(cfg) = &input.software_token_mfa_configuration {
        updated
            .passthrough
            .insert(SOFTWARE_TOKEN.into(), json(cfg)?);
    }
    if let Some(sms) = &input.sms_mfa_configuration {
        if let Some(m) = &sms.sms_authentication_message {
            updated
                .passthrough
                .insert("SmsAuthenticationMessage".into(), m.clone().into());
        }
        if let Some(c) = &sms.sms_configuration {
            updated
                .passthrough
                .insert("SmsConfiguration".into(), c.clone());
        }
        updated.passthrough.insert(SMS_MFA.into(), json(sms)?);
    }
    if let Some(email) = &input.email_mfa_configuration {
        let route = super::sending::route(updated);
        if route.ses.is_none() && !sends_email_for_every_pool {
            return Err(ApiError::invalid(
                "Email MFA needs the user pool to send email through its own Amazon SES identity (EmailConfiguration with EmailSendingAccount DEVELOPER and SourceArn), or Latchkey configured with an SMTP server or a sender (LATCHKEY_SMTP_URL, LATCHKEY_EMAIL_FROM).",
            ));
        }
        updated.passthrough.insert(EMAIL_MFA.into(), json(email)?);
    }
    if let Some(webauthn) = &input.web_authn_configuration {
        super::passkeys::config::set(updated, webauthn)?;
    }
    let any = software_token_allowed(updated) || sms_allowed(updated) || email_allowed(updated);
    if updated.mfa_configuration != MfaConfiguration::Off && !any {
        return Err(ApiError::invalid(
            "At least one MFA method must be enabled when MFA is ON or OPTIONAL: enable SoftwareTokenMfaConfiguration, SmsMfaConfiguration or EmailMfaConfiguration.",
        ));
    }
    Ok(pool_mfa(updated))
    })
    .await
}

fn json<T: Serialize>(member: &T) -> ApiResult<Value> {
    Ok(serde_json::to_value(member).map_err(crate::Error::from)?)
}
