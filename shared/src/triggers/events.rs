//! The sign-up and sign-in triggers: PreSignUp, PostConfirmation, PreAuthentication and
//! PostAuthentication. Each builds its `aws_lambda_events` event, calls the pool's function
//! (if one is configured) and returns what the answer decides.

use super::{call, header, target, user_attributes, Trigger};
use crate::call::Call;
use crate::error::ApiResult;
use crate::userpool::model::{User, UserPool};
use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsPostAuthentication, CognitoEventUserPoolsPostAuthenticationTriggerSource,
    CognitoEventUserPoolsPostConfirmation, CognitoEventUserPoolsPostConfirmationTriggerSource,
    CognitoEventUserPoolsPreAuthentication, CognitoEventUserPoolsPreAuthenticationTriggerSource,
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreSignupResponse,
    CognitoEventUserPoolsPreSignupTriggerSource,
};
use serde_json::json;
use serde_json::Value;

/// Which operation created the user (PreSignUp's source).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpSource {
    /// SignUp.
    SignUp,
    /// AdminCreateUser: the answer's flags are ignored.
    AdminCreateUser,
    /// A first sign-in through an external identity provider: the answer's flags are ignored
    /// (such users are confirmed by their provider).
    ExternalProvider,
}

/// What PreSignUp decided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignUpDecision {
    /// Confirm the user now.
    pub auto_confirm: bool,
    /// Mark the email verified.
    pub auto_verify_email: bool,
    /// Mark the phone number verified.
    pub auto_verify_phone: bool,
}

/// PreSignUp for a user about to be created (nothing is stored yet).
pub async fn pre_sign_up(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    source: SignUpSource,
) -> ApiResult<SignUpDecision> {
    let Some(t) = target(pool, Trigger::PreSignUp) else {
        return Ok(SignUpDecision::default());
    };
    let meta = app.request();
    let src = match source {
        SignUpSource::SignUp => CognitoEventUserPoolsPreSignupTriggerSource::SignUp,
        SignUpSource::AdminCreateUser => {
            CognitoEventUserPoolsPreSignupTriggerSource::AdminCreateUser
        }
        SignUpSource::ExternalProvider => {
            CognitoEventUserPoolsPreSignupTriggerSource::ExternalProvider
        }
    };
    let mut event = CognitoEventUserPoolsPreSignup::default();
    event.cognito_event_user_pools_header = header(app, pool, src, &user.username, t.version);
    event.request.user_attributes = user.attributes.clone().into_iter().collect();
    event.request.validation_data = meta.validation_data();
    event.request.client_metadata = meta.client_metadata();
    let answer: CognitoEventUserPoolsPreSignupResponse =
        call(app, Trigger::PreSignUp, &t, &event).await?;
    if source != SignUpSource::SignUp {
        return Ok(SignUpDecision::default());
    }
    Ok(SignUpDecision {
        auto_confirm: answer.auto_confirm_user,
        auto_verify_email: answer.auto_verify_email,
        auto_verify_phone: answer.auto_verify_phone,
    })
}

/// Why PostConfirmation fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfirmSource {
    /// ConfirmSignUp, AdminConfirmSignUp, or a SignUp that PreSignUp confirmed.
    ConfirmSignUp,
    /// ConfirmForgotPassword.
    ConfirmForgotPassword,
}

/// PostConfirmation, with the user as it will be once confirmed. It runs before that state is
/// written, so a refusal leaves the user as it was.
pub async fn post_confirmation(
    app: &Call<'_>,
    pool: &UserPool,
    confirmed: &User,
    source: ConfirmSource,
) -> ApiResult<()> {
    let Some(t) = target(pool, Trigger::PostConfirmation) else {
        return Ok(());
    };
    let src = match source {
        ConfirmSource::ConfirmSignUp => {
            CognitoEventUserPoolsPostConfirmationTriggerSource::ConfirmSignUp
        }
        ConfirmSource::ConfirmForgotPassword => {
            CognitoEventUserPoolsPostConfirmationTriggerSource::ConfirmForgotPassword
        }
    };
    let mut event: CognitoEventUserPoolsPostConfirmation = Default::default();
    event.cognito_event_user_pools_header = header(app, pool, src, &confirmed.username, t.version);
    event.request.user_attributes = user_attributes(confirmed);
    event.request.client_metadata = app.request().client_metadata();
    call::<_, Value>(app, Trigger::PostConfirmation, &t, &event).await?;
    Ok(())
}

/// PreAuthentication, once the user is known and before the password is checked. Its
/// `validationData` is the request's ClientMetadata, as in Cognito.
pub async fn pre_authentication(app: &Call<'_>, pool: &UserPool, user: &User) -> ApiResult<()> {
    let Some(t) = target(pool, Trigger::PreAuthentication) else {
        return Ok(());
    };
    let src = CognitoEventUserPoolsPreAuthenticationTriggerSource::Authentication;
    let mut event = CognitoEventUserPoolsPreAuthentication::default();
    event.cognito_event_user_pools_header = header(app, pool, src, &user.username, t.version);
    event.request.user_attributes = user_attributes(user);
    event.request.validation_data = app.request().client_metadata();
    event
        .request
        .other
        .insert("userNotFound".into(), json!(false));
    call::<_, Value>(app, Trigger::PreAuthentication, &t, &event).await?;
    Ok(())
}

/// PostAuthentication, after the sign-in succeeded and before tokens are issued;
/// `new_device_used` when the sign-in hands out a new device key.
pub async fn post_authentication(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    new_device_used: bool,
) -> ApiResult<()> {
    let Some(t) = target(pool, Trigger::PostAuthentication) else {
        return Ok(());
    };
    let src = CognitoEventUserPoolsPostAuthenticationTriggerSource::Authentication;
    let mut event = CognitoEventUserPoolsPostAuthentication::default();
    event.cognito_event_user_pools_header = header(app, pool, src, &user.username, t.version);
    event.request.new_device_used = new_device_used;
    event.request.user_attributes = user_attributes(user);
    event.request.client_metadata = app.request().client_metadata();
    call::<_, Value>(app, Trigger::PostAuthentication, &t, &event).await?;
    Ok(())
}
