//! Signing in on the managed login pages: the user pool's own sign-in step, not a copy. The
//! login form runs the password flow and the challenge form answers challenges exactly as
//! InitiateAuth / RespondToAuthChallenge do (status, lockout, PreventUserExistenceErrors,
//! triggers, MFA), with the authorization on the call so the tokens carry its scopes and
//! nonce. The pages are Cognito's own, so they compute the client's SECRET_HASH themselves.

use super::authorize::Authorize;
use crate::call::{Authorization, Call};
use crate::error::ApiResult;
use crate::secret::Secret;
use crate::userpool::model::{AppClient, TokenSource, User};
use crate::userpool::secret_hash;
use crate::userpool::signin::outcome::{AuthReply, ChallengeName};
use crate::userpool::signin::{password, respond};
use crate::userpool::tokens::{self, Issued};
use crate::App;
use std::collections::HashMap;

fn authorization(authz: &Authorize) -> Authorization {
    Authorization {
        scopes: authz.scopes.clone(),
        nonce: authz.nonce.clone(),
    }
}

/// A parameter map naming `username`, with its SECRET_HASH when the client has a secret.
fn params_for(client: &AppClient, username: &str) -> HashMap<String, String> {
    let mut params = HashMap::from([("USERNAME".to_string(), username.to_string())]);
    if let Some(secret) = &client.secret {
        let hash = secret_hash::compute(secret.expose(), username, &client.client_id);
        params.insert("SECRET_HASH".into(), hash);
    }
    params
}

/// The login form: the password flow.
pub async fn with_password(
    app: &App,
    authz: &Authorize,
    username: &str,
    password_text: Secret<String>,
) -> ApiResult<AuthReply> {
    let call = Call::internal(app).authorized(authorization(authz));
    let mut params = params_for(&authz.client, username);
    params.insert("PASSWORD".into(), password_text.expose().clone());
    let params = Some(Secret::new(params));
    password::sign_in(&call, &authz.pool, &authz.client, &params).await
}

/// The challenge form: `answers` (e.g. `SMS_MFA_CODE`, `NEW_PASSWORD`, `ANSWER`) to
/// `challenge` with its sealed `session`.
pub async fn answer(
    app: &App,
    authz: &Authorize,
    challenge: ChallengeName,
    session: &str,
    username: &str,
    answers: HashMap<String, String>,
) -> ApiResult<AuthReply> {
    let call = Call::internal(app).authorized(authorization(authz));
    let mut params = params_for(&authz.client, username);
    params.extend(answers);
    let params = Some(Secret::new(params));
    respond::respond(&call, &authz.client, challenge, Some(session), &params).await
}

/// Tokens for a user already signed in on the pages (their session cookie): no password
/// again, and no authentication triggers, since nobody authenticated now.
pub async fn again(app: &App, authz: &Authorize, user: &User) -> ApiResult<Issued> {
    let call = Call::internal(app).authorized(authorization(authz));
    let source = TokenSource::Authentication;
    tokens::issue(&call, &authz.pool, &authz.client, user, None, source).await
}
