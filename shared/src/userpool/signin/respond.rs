//! RespondToAuthChallenge and AdminRespondToAuthChallenge: one path. The challenge's name picks
//! the answer's file; each answer ends in the sign-in step.

use super::factors::Factor;
use super::outcome::{AuthReply, ChallengeName};
use super::params::{self, Params};
use super::{custom, device, mfa, new_password, srp, user_auth, web_authn};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::ids::{ClientId, UserPoolId};
use crate::userpool::clients::{load_client, load_pool_client};
use crate::userpool::model::AppClient;
use crate::userpool::pools::load_pool;
use crate::userpool::session;
use serde::Deserialize;

/// RespondToAuthChallenge's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondInput {
    client_id: ClientId,
    challenge_name: ChallengeName,
    session: Option<String>,
    challenge_responses: Option<Params>,
}

/// AdminRespondToAuthChallenge's request: RespondToAuthChallenge's, in a named pool.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminRespondInput {
    user_pool_id: UserPoolId,
    #[serde(flatten)]
    request: RespondInput,
}

/// RespondToAuthChallenge.
pub async fn respond_to_auth_challenge(
    app: &Call<'_>,
    input: RespondInput,
) -> ApiResult<AuthReply> {
    let client = load_client(app, input.client_id.as_str()).await?;
    answer(app, &client, input).await
}

/// AdminRespondToAuthChallenge.
pub async fn admin_respond_to_auth_challenge(
    app: &Call<'_>,
    input: AdminRespondInput,
) -> ApiResult<AuthReply> {
    let (pool_id, request) = (input.user_pool_id, input.request);
    let client = load_pool_client(app, pool_id.as_str(), request.client_id.as_str()).await?;
    answer(app, &client, request).await
}

async fn answer(app: &Call<'_>, client: &AppClient, input: RespondInput) -> ApiResult<AuthReply> {
    let session = input.session.as_deref();
    let responses = &input.challenge_responses;
    respond(app, client, input.challenge_name, session, responses).await
}

/// Answers challenge `name` on `client` with the `Session` it was issued with.
pub async fn respond(
    app: &Call<'_>,
    client: &AppClient,
    name: ChallengeName,
    session_token: Option<&str>,
    responses: &Option<Params>,
) -> ApiResult<AuthReply> {
    let pool = load_pool(app, &client.pool_id).await?;
    let pool = pool.as_ref();
    // WEB_AUTHN checks USERNAME itself: a usernameless passkey answer has none.
    let username = match name {
        ChallengeName::WebAuthn => "",
        _ => params::username(client, responses)?,
    };
    let open = || session::open(app, session_token, &client.client_id, name);
    match name {
        ChallengeName::PasswordVerifier => srp::respond(app, pool, client, responses).await,
        ChallengeName::SoftwareTokenMfa => {
            let s = open().await?;
            mfa::respond_software_token(app, pool, client, s, responses).await
        }
        ChallengeName::SmsMfa | ChallengeName::SmsOtp | ChallengeName::EmailOtp => {
            let factor = match name {
                ChallengeName::EmailOtp => Factor::Email,
                _ => Factor::Sms,
            };
            let s = open().await?;
            mfa::respond_code(app, pool, client, s, responses, factor).await
        }
        ChallengeName::SelectMfaType => {
            let s = open().await?;
            mfa::respond_select(app, pool, client, s, responses).await
        }
        ChallengeName::MfaSetup => mfa::respond_setup(app, pool, client, open().await?).await,
        ChallengeName::NewPasswordRequired => {
            let s = open().await?;
            new_password::respond(app, pool, client, s, username, responses).await
        }
        ChallengeName::WebAuthn => {
            web_authn::respond(app, pool, client, open().await?, responses).await
        }
        ChallengeName::SelectChallenge => {
            user_auth::respond_select(app, pool, client, session_token, responses).await
        }
        ChallengeName::DeviceSrpAuth => {
            device::respond_srp_auth(app, pool, client, open().await?, responses).await
        }
        ChallengeName::DevicePasswordVerifier => {
            device::respond_verifier(app, pool, client, open().await?, responses).await
        }
        ChallengeName::CustomChallenge => {
            custom::respond(app, pool, client, session_token, responses).await
        }
        other => Err(ApiError::invalid(format!(
            "Challenge {} is not supported by Latchkey yet.",
            other.as_str()
        ))),
    }
}
