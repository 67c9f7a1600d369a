//! The logout endpoint (`GET /logout`): ends the hosted sign-in session, then sends the
//! browser on. Cognito's forms: `client_id` + `logout_uri` (one of the client's `LogoutURLs`,
//! exactly), or `client_id` + `redirect_uri` + `response_type` (sign in again). Better than
//! Cognito, OpenID Connect RP-initiated logout too: `id_token_hint` (an ID token the pool
//! issued; an expired one is still a hint) + `post_logout_redirect_uri` (a `LogoutURLs`
//! entry) + `state`. A target that is not registered is never followed.

use crate::userpool::jwt::{self, Expect, JwtError};
use crate::userpool::model::AppClient;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// The logout request's parameters.
#[derive(Debug, Default, Deserialize)]
pub struct LogoutParams {
    /// The app client (Cognito's form).
    pub client_id: Option<String>,
    /// Where to go after signing out (Cognito's form).
    pub logout_uri: Option<String>,
    /// Sign in again: the authorize request's redirect URI.
    pub redirect_uri: Option<String>,
    /// Sign in again: the authorize request's response type.
    pub response_type: Option<String>,
    /// Echoed (OIDC form), or carried to the login page.
    pub state: Option<String>,
    /// An ID token the pool issued (OIDC form).
    pub id_token_hint: Option<String>,
    /// Where to go after signing out (OIDC form).
    pub post_logout_redirect_uri: Option<String>,
}

/// Where a logout ends.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogoutEnd {
    /// Redirect to this (registered) URL.
    Redirect(String),
    /// Back to the login page with this authorize query (Cognito's `redirect_uri` form).
    SignInAgain(String),
    /// No target: a page saying the user is signed out.
    SignedOut,
}

/// The client an ID-token hint was issued to, when the pool's key verifies it.
async fn hinted_client(app: &App, hint: &str) -> Result<Arc<AppClient>, String> {
    let invalid = || "Invalid id_token_hint.".to_string();
    let claims = jwt::peek_claims(hint).ok_or_else(invalid)?;
    let aud = claims
        .get("aud")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let client = app
        .configs
        .client(app.store.as_ref(), aud)
        .await
        .map_err(|_| invalid())?
        .ok_or_else(invalid)?;
    let pool = crate::userpool::pools::load_pool(app, &client.pool_id)
        .await
        .map_err(|_| invalid())?;
    let signers = app.signers(&pool).map_err(|_| invalid())?;
    let issuer = app.settings.issuer(&pool.id);
    let expect = Expect {
        key: &signers.id,
        issuer: &issuer,
        token_use: "id",
        client_id: Some(&client.client_id),
        now: app.clock.now_secs(),
    };
    match jwt::verify::<serde_json::Map<String, Value>>(hint, &expect) {
        Ok(_) | Err(JwtError::Expired) => Ok(client),
        Err(JwtError::Invalid) => Err(invalid()),
    }
}

/// Decides where a logout goes; `Err` is an error page (never a redirect).
pub async fn logout(app: &App, p: &LogoutParams) -> Result<LogoutEnd, String> {
    let client = match (&p.id_token_hint, &p.client_id) {
        (Some(hint), named) => {
            let client = hinted_client(app, hint).await?;
            if named.as_deref().is_some_and(|c| c != client.client_id) {
                return Err("client_id does not match id_token_hint.".into());
            }
            client
        }
        (None, Some(id)) => app
            .configs
            .client(app.store.as_ref(), id)
            .await
            .map_err(|_| "Invalid client id.".to_string())?
            .ok_or_else(|| "Invalid client id.".to_string())?,
        (None, None) => return Err("Required String parameter 'client_id' is not present".into()),
    };
    let registered = |u: &str| client.oauth.logout_urls.iter().any(|l| l == u);
    if let Some(target) = p
        .post_logout_redirect_uri
        .as_deref()
        .or(p.logout_uri.as_deref())
    {
        if !registered(target) {
            return Err(
                "Invalid logout_uri: it is not one of the app client's sign-out URLs.".into(),
            );
        }
        return Ok(LogoutEnd::Redirect(
            match (&p.post_logout_redirect_uri, &p.state) {
                (Some(_), Some(state)) => {
                    crate::oauth::authorize::with_params(target, &[("state", state)], false)
                }
                _ => target.to_string(),
            },
        ));
    }
    if let Some(redirect) = &p.redirect_uri {
        if !client.oauth.callback_urls.iter().any(|u| u == redirect) {
            return Err("redirect_mismatch".into());
        }
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("client_id", &client.client_id);
        q.append_pair("redirect_uri", redirect);
        q.append_pair(
            "response_type",
            p.response_type.as_deref().unwrap_or("code"),
        );
        if let Some(state) = &p.state {
            q.append_pair("state", state);
        }
        return Ok(LogoutEnd::SignInAgain(q.finish()));
    }
    if p.id_token_hint.is_some() {
        return Ok(LogoutEnd::SignedOut);
    }
    Err("Required String parameter 'logout_uri' is not present".into())
}
