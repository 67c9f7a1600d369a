//! InitiateAuth and AdminInitiateAuth: one path with a [`Caller`] kind. The operation loads the
//! client, checks that it allows the flow, and hands over to the flow's file.

use super::outcome::{AuthFlow, AuthReply};
use super::params::Params;
use super::{custom, password, refresh_token, srp, user_auth};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::ids::{ClientId, UserPoolId};
use crate::secret::Secret;
use crate::userpool::clients::{load_client, load_pool_client};
use crate::userpool::enums::ExplicitAuthFlow as Flag;
use crate::userpool::model::AppClient;
use crate::userpool::pools::load_pool;
use serde::Deserialize;

/// Who started the sign-in: an app (InitiateAuth, unauthenticated) or a back end with AWS
/// credentials (AdminInitiateAuth). Only an admin may use the ADMIN_* flows, and only an app
/// USER_PASSWORD_AUTH.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// InitiateAuth / RespondToAuthChallenge.
    App,
    /// AdminInitiateAuth / AdminRespondToAuthChallenge.
    Admin,
}

/// InitiateAuth's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthInput {
    /// The flow.
    pub auth_flow: AuthFlow,
    auth_parameters: Option<Params>,
    client_id: ClientId,
    /// USER_AUTH: the Session of a ConfirmSignUp.
    session: Option<Secret<String>>,
}

/// AdminInitiateAuth's request: InitiateAuth's, in a named pool.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminInitiateAuthInput {
    user_pool_id: UserPoolId,
    #[serde(flatten)]
    request: InitiateAuthInput,
}

/// InitiateAuth.
pub async fn initiate_auth(app: &Call<'_>, input: InitiateAuthInput) -> ApiResult<AuthReply> {
    let client = load_client(app, input.client_id.as_str()).await?;
    let (flow, params) = (input.auth_flow, &input.auth_parameters);
    let session = input.session.as_ref().map(|s| s.expose().as_str());
    initiate(app, Caller::App, &client, flow, params, session).await
}

/// AdminInitiateAuth.
pub async fn admin_initiate_auth(
    app: &Call<'_>,
    input: AdminInitiateAuthInput,
) -> ApiResult<AuthReply> {
    let InitiateAuthInput {
        client_id,
        auth_flow,
        auth_parameters,
        session,
    } = input.request;
    let client = load_pool_client(app, input.user_pool_id.as_str(), client_id.as_str()).await?;
    let session = session.as_ref().map(|s| s.expose().as_str());
    initiate(
        app,
        Caller::Admin,
        &client,
        auth_flow,
        &auth_parameters,
        session,
    )
    .await
}

/// Starts `flow` for `caller` on `client`; `session` is USER_AUTH's ConfirmSignUp session.
pub async fn initiate(
    app: &Call<'_>,
    caller: Caller,
    client: &AppClient,
    flow: AuthFlow,
    params: &Option<Params>,
    session: Option<&str>,
) -> ApiResult<AuthReply> {
    let pool = load_pool(app, &client.pool_id).await?;
    let pool = pool.as_ref();
    let enabled = |allowed: bool, name: &str| {
        if allowed {
            Ok(())
        } else {
            Err(ApiError::invalid(format!(
                "{name} flow not enabled for this client"
            )))
        }
    };
    match (flow, caller) {
        (AuthFlow::UserPasswordAuth, Caller::App) => {
            let allowed = client.allows(Flag::AllowUserPasswordAuth, Some(Flag::UserPasswordAuth));
            enabled(allowed, flow.as_str())?;
            password::sign_in(app, pool, client, params).await
        }
        (AuthFlow::AdminUserPasswordAuth | AuthFlow::AdminNoSrpAuth, Caller::Admin) => {
            let allowed =
                client.allows(Flag::AllowAdminUserPasswordAuth, Some(Flag::AdminNoSrpAuth));
            enabled(allowed, flow.as_str())?;
            password::sign_in(app, pool, client, params).await
        }
        (AuthFlow::RefreshTokenAuth | AuthFlow::RefreshToken, _) => {
            // Always allowed for clients that still use the legacy flow names.
            let allowed =
                client.allows(Flag::AllowRefreshTokenAuth, None) || client.legacy_flows_only();
            enabled(allowed, "REFRESH_TOKEN_AUTH")?;
            refresh_token::sign_in(app, pool, client, params).await
        }
        (AuthFlow::UserSrpAuth, _) => {
            let allowed = client.allows(Flag::AllowUserSrpAuth, None) || client.legacy_flows_only();
            enabled(allowed, flow.as_str())?;
            srp::start(app, pool, client, params).await
        }
        (AuthFlow::CustomAuth, _) => {
            let allowed = client.allows(Flag::AllowCustomAuth, Some(Flag::CustomAuthFlowOnly));
            enabled(allowed, flow.as_str())?;
            custom::start(app, pool, client, params).await
        }
        (AuthFlow::UserAuth, _) => {
            enabled(client.allows(Flag::AllowUserAuth, None), flow.as_str())?;
            user_auth::start(app, pool, client, params, session).await
        }
        // ADMIN_* flows belong to AdminInitiateAuth, USER_PASSWORD_AUTH to InitiateAuth.
        _ => Err(ApiError::invalid("Initiate Auth method not supported.")),
    }
}
