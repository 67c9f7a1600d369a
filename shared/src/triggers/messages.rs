//! CustomMessage: before a code or an invitation is sent, the function may replace the email
//! subject and body and the SMS text. Its texts carry the `{####}` placeholder (and
//! `{username}` for invitations), which Latchkey fills in after the call, so the function
//! never sees a code.

use super::{call, header, target, user_attributes, Trigger};
use crate::call::Call;
use crate::error::ApiResult;
use crate::userpool::model::{User, UserPool};
use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsCustomMessage, CognitoEventUserPoolsCustomMessageResponse,
    CognitoEventUserPoolsCustomMessageTriggerSource as Source,
};
use serde_json::json;

/// The code placeholder.
pub const CODE: &str = "{####}";
/// The username placeholder of invitations.
pub const USERNAME: &str = "{username}";
/// The link placeholder (Cognito's `linkParameter`, for link-style verification).
pub const LINK: &str = "{##Verify Your Account##}";

/// Why a message is sent (CustomMessage's `triggerSource`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageSource {
    /// SignUp's confirmation code.
    SignUp,
    /// AdminCreateUser's invitation.
    AdminCreateUser,
    /// ResendConfirmationCode.
    ResendCode,
    /// ForgotPassword and AdminResetUserPassword.
    ForgotPassword,
    /// A changed email or phone number.
    UpdateUserAttribute,
    /// GetUserAttributeVerificationCode.
    VerifyUserAttribute,
    /// An MFA or one-time sign-in code.
    Authentication,
}

/// The texts a function chose; `None` members keep the pool's own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomText {
    /// SMS text.
    pub sms_message: Option<String>,
    /// Email body.
    pub email_message: Option<String>,
    /// Email subject.
    pub email_subject: Option<String>,
}

/// Runs the pool's CustomMessage function, if any. A returned text without the code
/// placeholder can't carry the code, so it is not used (Cognito sends its default then too).
pub async fn custom_message(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    source: MessageSource,
) -> ApiResult<CustomText> {
    let Some(t) = target(pool, Trigger::CustomMessage) else {
        return Ok(CustomText::default());
    };
    let src = match source {
        MessageSource::SignUp => Source::SignUp,
        MessageSource::AdminCreateUser => Source::AdminCreateUser,
        MessageSource::ResendCode => Source::ResendCode,
        MessageSource::ForgotPassword => Source::ForgotPassword,
        MessageSource::UpdateUserAttribute => Source::UpdateUserAttribute,
        MessageSource::VerifyUserAttribute => Source::VerifyUserAttribute,
        MessageSource::Authentication => Source::Authentication,
    };
    let mut event: CognitoEventUserPoolsCustomMessage = Default::default();
    event.cognito_event_user_pools_header = header(app, pool, src, &user.username, t.version);
    event.request.user_attributes = user_attributes(user)
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect();
    event.request.code_parameter = Some(CODE.into());
    if source == MessageSource::AdminCreateUser {
        event.request.username_parameter = Some(USERNAME.into());
    }
    event
        .request
        .other
        .insert("linkParameter".into(), json!(LINK));
    event.request.client_metadata = app.request().client_metadata();
    let answer: CognitoEventUserPoolsCustomMessageResponse =
        call(app, Trigger::CustomMessage, &t, &event).await?;
    // An email may carry a link placeholder instead of the code (link-style confirmation);
    // the message composer decides whether the pool sends links.
    let with_code = |m: Option<String>, link_ok: bool| {
        m.filter(|m| {
            let ok = m.contains(CODE) || (link_ok && m.contains("{##"));
            if !ok {
                tracing::warn!("CustomMessage text without {CODE} ignored");
            }
            ok
        })
    };
    Ok(CustomText {
        sms_message: with_code(answer.sms_message, false),
        email_message: with_code(answer.email_message, true),
        email_subject: answer.email_subject.filter(|s| !s.is_empty()),
    })
}
