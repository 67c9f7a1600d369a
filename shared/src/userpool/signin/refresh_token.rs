//! The refresh flow (REFRESH_TOKEN_AUTH / REFRESH_TOKEN): new ID and access tokens with the
//! original origin_jti and auth_time, through the one redeeming rule
//! ([`crate::userpool::refresh::redeem`]); refused for rotating clients, as in Cognito.

use super::outcome::AuthReply;
use super::params::{param, required, Params};
use crate::call::Call;
use crate::error::ApiResult;
use crate::userpool::model::{AppClient, UserPool};
use crate::userpool::{refresh, secret_hash};

/// Redeems REFRESH_TOKEN (with the user's SECRET_HASH when the client has a secret).
pub async fn sign_in(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    params: &Option<Params>,
) -> ApiResult<AuthReply> {
    refresh::refuse_if_rotating(client)?;
    let token = required(params, "REFRESH_TOKEN")?;
    let secret = param(params, "SECRET_HASH");
    let issued = refresh::redeem(app, pool, client, token, |user| {
        secret_hash::check(client, &user.username, secret)
    })
    .await?;
    Ok(AuthReply::tokens(issued))
}
