//! `/oauth2/authorize`, the login form (`GET|POST /login`) and the challenge form
//! (`POST /login/challenge`). Every one re-checks the authorization request its query
//! carries, so a form can only ever finish the request it was shown for. A finished sign-in
//! redirects to the registered redirect URI with a code (or, implicit grant, tokens in the
//! fragment) and sets the hosted session cookie; a failed one shows the form again with
//! the reason and never redirects.

use super::challenge::{self, Pending};
use super::html::{Field, Form, Page};
use super::{
    cookie, csrf_ok, csrf_token, error_page, page, redirect, set_cookie, with_cookie, CSRF_FIELD,
    SESSION_COOKIE,
};
use crate::edge::response::EdgeResponse;
use crate::edge::EdgeRequest;
use crate::error::{ApiError, ErrorKind};
use crate::oauth::authorize::{
    self, with_params, Authorize, AuthorizeParams, Refusal, ResponseType,
};
use crate::oauth::grants::{self, TokenSet};
use crate::oauth::signin;
use crate::secret::Secret;
use crate::userpool::jwt::peek_claims;
use crate::userpool::signin::outcome::{AuthReply, ChallengeName, ChallengeParameters};
use crate::userpool::tokens::Issued;
use crate::App;
use http::StatusCode;
use serde_json::Value;
use std::collections::HashMap;

/// The authorization request in `req`'s query, checked, with the client's branding for the
/// page to draw; or the response refusing it.
pub(super) async fn checked(app: &App, req: &EdgeRequest) -> Result<Authorize, EdgeResponse> {
    let authz = request(app, req).await?;
    authz.with_branding(app).await.map_err(|e| fault(&e))
}

/// The authorization request in `req`'s query, checked; or the response refusing it.
pub(super) async fn request(app: &App, req: &EdgeRequest) -> Result<Authorize, EdgeResponse> {
    let params: AuthorizeParams = serde_urlencoded::from_str(&req.query)
        .map_err(|_| error_page(StatusCode::BAD_REQUEST, "The request is not valid."))?;
    authorize::check(app, &params).await.map_err(|r| match r {
        Refusal::Page(message) => error_page(StatusCode::BAD_REQUEST, &message),
        Refusal::Redirect(to) => {
            tracing::debug!(error = to.error, cause = %to.cause, "authorization refused");
            redirect(&to.location())
        }
        Refusal::Fault(e) => fault(&e),
    })
}

pub(crate) fn fault(e: &ApiError) -> EdgeResponse {
    tracing::error!(error = %e.message, "login page failed");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong. Please try again later.",
    )
}

/// `GET /oauth2/authorize` for the pool's own sign-in (`super::authorize` has sent requests
/// naming an external provider there): straight back with a code when the hosted session is
/// live (and `prompt` allows), else to the login form with the same query.
pub async fn authorize_here(app: &App, req: &EdgeRequest, authz: Authorize) -> EdgeResponse {
    if !authz.force_login {
        if let Some(handle) = cookie(req, SESSION_COOKIE) {
            match grants::session_user(app, &authz.pool, handle).await {
                Ok(Some(user)) => {
                    return match signin::again(app, &authz, &user).await {
                        Ok(issued) => deliver(app, req, &authz, issued, Started::Not).await,
                        Err(e) => fault(&e),
                    }
                }
                Ok(None) => {}
                Err(e) => return fault(&e),
            }
        }
    }
    if authz.no_prompt {
        let to = authz.error_redirect("login_required", "prompt=none without a session");
        return redirect(&to.location());
    }
    redirect(&format!("/login?{}", req.query))
}

/// The login form, with `notice` (a message, and whether it is good news) when there is one.
pub(super) fn login_form(
    app: &App,
    req: &EdgeRequest,
    authz: &Authorize,
    status: StatusCode,
    notice: Option<(&str, bool)>,
    username: &str,
) -> EdgeResponse {
    let (token, cookie) = csrf_token(app, req);
    let query = super::base_query(req);
    let action = format!("/login?{query}");
    let logo = super::logo_of(authz);
    let mut p = Page::new("Sign in");
    p.text = Some("Sign in with your username and password");
    p.css = super::css_of(authz);
    p.logo = logo.as_deref();
    p.alert = notice.map(|n| n.0);
    p.success = notice.is_some_and(|n| n.1);
    let providers: Vec<(String, String)> = authz
        .external_providers()
        .map(|name| {
            let mut q = form_urlencoded::Serializer::new(query.clone());
            q.append_pair("identity_provider", name);
            (
                format!("/oauth2/authorize?{}", q.finish()),
                name.to_string(),
            )
        })
        .collect();
    p.links = providers
        .iter()
        .map(|(href, name)| (href.clone(), name.as_str()))
        .collect();
    if !authz.cognito_allowed() {
        p.text = Some("Sign in with your corporate or social identity");
        return cookie.apply(page(status, &p));
    }
    p.links.extend([
        (format!("/forgotPassword?{query}"), "Forgot your password?"),
        (format!("/signup?{query}"), "Need an account? Sign up"),
    ]);
    p.form = Some(Form {
        action: &action,
        hidden: vec![(CSRF_FIELD, &token)],
        fields: vec![
            Field {
                name: "username",
                label: "Username",
                kind: "text",
                value: username,
                autocomplete: "username",
            },
            Field {
                name: "password",
                label: "Password",
                kind: "password",
                value: "",
                autocomplete: "current-password",
            },
        ],
        choices: None,
        submit: "Sign in",
    });
    cookie.apply(page(status, &p))
}

/// `GET /login`.
pub async fn login_page(app: &App, req: &EdgeRequest) -> EdgeResponse {
    match checked(app, req).await {
        Ok(authz) => {
            let hint = authz.login_hint.clone().unwrap_or_default();
            login_form(app, req, &authz, StatusCode::OK, None, &hint)
        }
        Err(resp) => resp,
    }
}

/// The form fields of a POST.
pub fn form_of(req: &EdgeRequest) -> HashMap<String, String> {
    form_urlencoded::parse(&req.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// What a refused sign-in shows: Cognito's message for the user's mistakes, nothing
/// internal for faults.
pub(super) fn shown(e: &ApiError) -> &str {
    match e.kind {
        ErrorKind::InternalError => "Something went wrong. Please try again later.",
        _ => &e.message,
    }
}

/// `POST /login`: the password flow of the user pool.
pub async fn login_submit(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let authz = match checked(app, req).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let form = form_of(req);
    let username = form
        .get("username")
        .map(String::as_str)
        .unwrap_or("")
        .trim();
    if !csrf_ok(req, form.get(CSRF_FIELD).map(String::as_str)) {
        let msg = (super::EXPIRED, false);
        return login_form(app, req, &authz, StatusCode::FORBIDDEN, Some(msg), username);
    }
    let refuse = |msg: &str| {
        let notice = Some((msg, false));
        login_form(app, req, &authz, StatusCode::BAD_REQUEST, notice, username)
    };
    if !authz.cognito_allowed() {
        return refuse("Sign-in with a password is not enabled for this app.");
    }
    let password = Secret::new(form.get("password").cloned().unwrap_or_default());
    if username.is_empty() || password.expose().is_empty() {
        return refuse("Please enter your username and password.");
    }
    let reply = signin::with_password(app, &authz, username, password).await;
    finish(app, req, &authz, reply, username).await
}

/// A sign-in step's outcome: tokens → the client; a challenge → its form; a refusal → the
/// login form again.
async fn finish(
    app: &App,
    req: &EdgeRequest,
    authz: &Authorize,
    reply: Result<AuthReply, ApiError>,
    username: &str,
) -> EdgeResponse {
    match reply {
        Ok(AuthReply {
            authentication_result: Some(issued),
            ..
        }) => deliver(app, req, authz, issued, Started::Session).await,
        Ok(AuthReply {
            challenge_name: Some(name),
            session,
            mut challenge_parameters,
            ..
        }) => {
            let mut session = session.map(|s| s.expose().clone()).unwrap_or_default();
            if name == ChallengeName::MfaSetup {
                match challenge::associate(app, &session).await {
                    Ok((secret, next)) => {
                        challenge_parameters.insert(challenge::SECRET.into(), secret);
                        session = next;
                    }
                    Err(e) => return fault(&e),
                }
            }
            let pending = Pending {
                name,
                session: &session,
                username,
            };
            challenge::form(app, req, authz, pending, &challenge_parameters, None)
        }
        Ok(_) => fault(&ApiError::internal(&crate::Error::Decode(
            "empty reply".into(),
        ))),
        Err(e) if e.kind == ErrorKind::InternalError => fault(&e),
        Err(e) => login_form(
            app,
            req,
            authz,
            StatusCode::BAD_REQUEST,
            Some((shown(&e), false)),
            username,
        ),
    }
}

/// Whether handing out tokens starts a hosted session.
pub(super) enum Started {
    /// No: the session already exists (a returning browser).
    Not,
    /// Yes: the user just signed in.
    Session,
    /// Yes, through a SAML provider, whose single logout will need the sign-in.
    SamlSession(grants::SamlLogin),
}

/// Sends the browser back to the client with a code (or implicit tokens), starting the
/// hosted session when this was a sign-in.
pub(super) async fn deliver(
    app: &App,
    req: &EdgeRequest,
    authz: &Authorize,
    issued: Issued,
    started: Started,
) -> EdgeResponse {
    let claims = peek_claims(&issued.access_token).unwrap_or_default();
    let claim = |n: &str| {
        claims
            .get(n)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (username, sub) = (claim("username"), claim("sub"));
    let tokens = TokenSet::of(issued, authz.openid());
    let state = authz.state.as_deref();
    let location = match authz.response_type {
        ResponseType::Code => {
            let code = grants::issue_code(
                app,
                &authz.pool.id,
                &authz.client.client_id,
                &authz.redirect_uri,
                authz.code_challenge.as_deref(),
                tokens,
            )
            .await;
            let code = match code {
                Ok(c) => c,
                Err(e) => return fault(&e),
            };
            let mut params = vec![("code", code.as_str())];
            params.extend(state.map(|s| ("state", s)));
            with_params(&authz.redirect_uri, &params, false)
        }
        ResponseType::Token => {
            let expires = tokens.expires_in.to_string();
            let mut params = vec![("access_token", tokens.access_token.as_str())];
            if let Some(id) = &tokens.id_token {
                params.push(("id_token", id));
            }
            params.extend([("token_type", "Bearer"), ("expires_in", expires.as_str())]);
            params.extend(state.map(|s| ("state", s)));
            with_params(&authz.redirect_uri, &params, true)
        }
    };
    let resp = redirect(&location);
    let saml = match started {
        Started::Not => return resp,
        Started::Session => None,
        Started::SamlSession(login) => Some(login),
    };
    match grants::start_session(app, &authz.pool, &username, &sub, saml).await {
        Ok(handle) => {
            let ttl = grants::SESSION_TTL_MS / 1000;
            with_cookie(resp, set_cookie(req, SESSION_COOKIE, &handle, ttl))
        }
        Err(e) => fault(&e),
    }
}

/// `POST /login/challenge`: the answer to a challenge, through RespondToAuthChallenge's core.
pub async fn challenge_submit(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let authz = match checked(app, req).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let form = form_of(req);
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let (session, username) = (get("session"), get("username"));
    let Ok(name) = serde_json::from_value::<ChallengeName>(Value::from(get("challenge"))) else {
        return error_page(StatusCode::BAD_REQUEST, "The request is not valid.");
    };
    // Only the key being set up is shown again (SELECT_MFA_TYPE's choices are not carried).
    let shown_again = ChallengeParameters::from([(
        challenge::SECRET.to_string(),
        get(challenge::SECRET_FIELD).to_string(),
    )]);
    let pending = Pending {
        name,
        session,
        username,
    };
    if !csrf_ok(req, form.get(CSRF_FIELD).map(String::as_str)) {
        let msg = Some(super::EXPIRED);
        return challenge::form(app, req, &authz, pending, &shown_again, msg);
    }
    let answer =
        |key: &str, field: &str| HashMap::from([(key.to_string(), get(field).to_string())]);
    let answers = match name {
        ChallengeName::SmsMfa => answer("SMS_MFA_CODE", "code"),
        ChallengeName::EmailOtp => answer("EMAIL_OTP_CODE", "code"),
        ChallengeName::SoftwareTokenMfa => answer("SOFTWARE_TOKEN_MFA_CODE", "code"),
        ChallengeName::SelectMfaType => answer("ANSWER", "answer"),
        ChallengeName::NewPasswordRequired => answer("NEW_PASSWORD", "new_password"),
        ChallengeName::MfaSetup => HashMap::new(),
        _ => return error_page(StatusCode::BAD_REQUEST, "The request is not valid."),
    };
    let reply = match name {
        ChallengeName::MfaSetup => match challenge::verify(app, session, get("code")).await {
            Ok(verified) => signin::answer(app, &authz, name, &verified, username, answers).await,
            Err(e) => Err(e),
        },
        _ => signin::answer(app, &authz, name, session, username, answers).await,
    };
    match reply {
        Err(e) if e.kind != ErrorKind::InternalError && e.kind != ErrorKind::NotAuthorized => {
            // A wrong code or a refused password: the same step again, same session.
            challenge::form(app, req, &authz, pending, &shown_again, Some(shown(&e)))
        }
        other => finish(app, req, &authz, other, username).await,
    }
}
