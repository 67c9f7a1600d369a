//! Asking for the second factor [`super::factors::decide`] chose: a TOTP challenge, a code
//! sent by SMS (SMS_MFA) or email (EMAIL_OTP) through the pool's messages, a choice
//! (SELECT_MFA_TYPE), or MFA_SETUP. The answers are in [`super::mfa`].

use super::challenge::{challenge, Challenged};
use super::factors::{Factor, Next};
use super::outcome::{AuthReply, ChallengeName, ChallengeParameters};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::userpool::messages::{self, Channel, MessageSource};
use crate::userpool::model::{AppClient, CodePurpose, User, UserPool};
use crate::userpool::shapes::CodeDeliveryDetails;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The session data member that marks a code as USER_AUTH's first factor (not MFA).
pub const FIRST_FACTOR: &str = "first_factor";

/// The code purpose and the user attribute of a code factor.
pub fn code_of(factor: Factor) -> Option<(CodePurpose, &'static str)> {
    match factor {
        Factor::Sms => Some((CodePurpose::SignInSms, "phone_number")),
        Factor::Email => Some((CodePurpose::SignInEmail, "email")),
        Factor::Totp => None,
    }
}

/// The challenge for `next` (anything but `Next::Done`).
pub async fn ask(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
    next: Next,
) -> ApiResult<AuthReply> {
    let to = Challenged::User(user);
    match next {
        Next::Ask(factor) => ask_factor(app, pool, client, user, factor).await,
        Next::Choose(factors) => {
            let names: Vec<&str> = factors.iter().map(|f| f.challenge().as_str()).collect();
            let listed = json_text(&names)?;
            let params = BTreeMap::from([("MFAS_CAN_CHOOSE".to_string(), listed.clone())]);
            let mut data = Map::new();
            data.insert("choices".into(), Value::from(listed));
            challenge(app, client, to, ChallengeName::SelectMfaType, params, data).await
        }
        Next::Setup => {
            let params = BTreeMap::from([(
                "MFAS_CAN_SETUP".to_string(),
                "[\"SOFTWARE_TOKEN_MFA\"]".to_string(),
            )]);
            challenge(app, client, to, ChallengeName::MfaSetup, params, Map::new()).await
        }
        Next::Done => Err(ApiError::invalid("No second factor is due.")),
    }
}

/// Asks for one factor: a TOTP challenge, or a code sent now.
pub async fn ask_factor(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
    factor: Factor,
) -> ApiResult<AuthReply> {
    if code_of(factor).is_none() {
        let (to, name) = (Challenged::User(user), ChallengeName::SoftwareTokenMfa);
        return challenge(app, client, to, name, BTreeMap::new(), Map::new()).await;
    }
    send_code(
        app,
        pool,
        client,
        user,
        factor,
        factor.challenge(),
        Map::new(),
    )
    .await
}

/// Sends a sign-in code by `factor`'s channel and answers challenge `name` (SMS_MFA / SMS_OTP,
/// EMAIL_OTP) with its delivery details; `data` goes into the session.
pub async fn send_code(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: &User,
    factor: Factor,
    name: ChallengeName,
    data: Map<String, Value>,
) -> ApiResult<AuthReply> {
    let (purpose, attribute) = code_of(factor)
        .ok_or_else(|| ApiError::invalid(format!("{} is not sent as a code.", name.as_str())))?;
    let channel = Channel::of(user, attribute).ok_or_else(|| {
        ApiError::invalid(format!(
            "User does not have delivery config set to turn on {}",
            factor.challenge().as_str()
        ))
    })?;
    let source = MessageSource::Authentication;
    let details = messages::send_code(app, pool, user, purpose, source, &channel).await?;
    let params = delivery_params(details);
    challenge(app, client, Challenged::User(user), name, params, data).await
}

/// A code challenge's parameters: where the code went.
pub fn delivery_params(details: CodeDeliveryDetails) -> ChallengeParameters {
    BTreeMap::from([
        (
            "CODE_DELIVERY_DELIVERY_MEDIUM".to_string(),
            details.delivery_medium.as_str().to_string(),
        ),
        ("CODE_DELIVERY_DESTINATION".to_string(), details.destination),
    ])
}

fn json_text<T: serde::Serialize>(value: &T) -> ApiResult<String> {
    Ok(serde_json::to_string(value).map_err(crate::Error::from)?)
}
