//! The account pages of managed login: sign-up (`/signup`), confirming it with a code
//! (`/confirmUser`, whose emailed-link form stays in `crate::edge::pages`), and password
//! recovery (`/forgotPassword`, `/confirmForgotPassword`). Each form runs the API operation
//! of the same name through the protocol's one dispatcher (SignUp, ConfirmSignUp,
//! ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword), so the pool's policies,
//! triggers, limits and PreventUserExistenceErrors apply exactly as for the API. Every page
//! carries the authorization request it was reached from, and ends at the login form.

use super::html::{Field, Form, Page};
use super::login::{checked, form_of, login_form, shown};
use super::{base_query, csrf_ok, csrf_token, page, redirect, CSRF_FIELD};
use crate::edge::response::EdgeResponse;
use crate::edge::EdgeRequest;
use crate::error::ApiError;
use crate::oauth::authorize::Authorize;
use crate::userpool::secret_hash;
use crate::App;
use http::StatusCode;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// `path?{authorization query}&username=…`.
fn with_username(path: &str, req: &EdgeRequest, username: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(base_query(req));
    q.append_pair("username", username);
    format!("{path}?{}", q.finish())
}

/// Runs user-pool operation `op` for `authz`'s client with `body` (ClientId and, for a
/// client with a secret, SECRET_HASH added).
async fn run(
    app: &App,
    authz: &Authorize,
    op: &str,
    username: &str,
    mut body: Map<String, Value>,
) -> Result<Value, ApiError> {
    let client = &authz.client;
    body.insert("ClientId".into(), Value::from(client.client_id.as_str()));
    if let Some(secret) = &client.secret {
        let hash = secret_hash::compute(secret.expose(), username, &client.client_id);
        body.insert("SecretHash".into(), Value::from(hash));
    }
    let bytes = serde_json::to_vec(&body).map_err(crate::Error::from)?;
    crate::protocol::dispatch(app, op, &bytes).await
}

/// One of this module's forms.
#[allow(clippy::too_many_arguments)]
fn form_page(
    app: &App,
    req: &EdgeRequest,
    heading: &str,
    text: &str,
    action: &str,
    hidden: Vec<(&str, &str)>,
    fields: Vec<Field<'_>>,
    submit: &str,
    alert: Option<&str>,
    status: StatusCode,
) -> EdgeResponse {
    let (token, cookie) = csrf_token(app, req);
    let mut all_hidden = vec![(CSRF_FIELD, token.as_str())];
    all_hidden.extend(hidden);
    let mut p = Page::new(heading);
    p.text = Some(text);
    p.alert = alert;
    p.form = Some(Form {
        action,
        hidden: all_hidden,
        fields,
        choices: None,
        submit,
    });
    let signin = format!("/login?{}", base_query(req));
    p.links.push((signin, "Back to sign in"));
    cookie.apply(page(status, &p))
}

fn field<'a>(
    name: &'a str,
    label: &'a str,
    kind: &'a str,
    value: &'a str,
    auto: &'a str,
) -> Field<'a> {
    Field {
        name,
        label,
        kind,
        value,
        autocomplete: auto,
    }
}

/// The sign-up form: a username (or the attribute that serves as one), the pool's required
/// and auto-verified attributes, a password.
fn signup_form(
    app: &App,
    req: &EdgeRequest,
    authz: &Authorize,
    alert: Option<&str>,
    status: StatusCode,
) -> EdgeResponse {
    let pool = &authz.pool;
    let email_login = pool.username_attributes.iter().any(|a| a == "email");
    // The required attributes, and those codes are sent to (or there is nowhere to send one).
    let mut required: Vec<String> = pool
        .schema
        .iter()
        .filter(|a| a.required && a.name != "sub")
        .map(|a| a.name.clone())
        .collect();
    for auto in &pool.auto_verified_attributes {
        if !required.contains(auto) {
            required.push(auto.clone());
        }
    }
    required.retain(|a| !(email_login && a == "email"));
    let names: Vec<String> = required
        .iter()
        .map(|n| format!("requiredAttributes[{n}]"))
        .collect();
    let mut fields = vec![if email_login {
        field("username", "Email", "email", "", "email")
    } else {
        field("username", "Username", "text", "", "username")
    }];
    for (name, attr) in names.iter().zip(&required) {
        let kind = if attr == "email" { "email" } else { "text" };
        fields.push(field(
            name,
            attr,
            kind,
            "",
            if attr == "email" { "email" } else { "off" },
        ));
    }
    fields.push(field(
        "password",
        "Password",
        "password",
        "",
        "new-password",
    ));
    let action = format!("/signup?{}", base_query(req));
    form_page(
        app,
        req,
        "Sign up",
        "Create an account.",
        &action,
        vec![],
        fields,
        "Sign up",
        alert,
        status,
    )
}

/// `GET /signup`.
pub async fn signup_page(app: &App, req: &EdgeRequest) -> EdgeResponse {
    match checked(app, req).await {
        Ok(authz) => signup_form(app, req, &authz, None, StatusCode::OK),
        Err(resp) => resp,
    }
}

/// `POST /signup`: SignUp, then the code form (or the login form when PreSignUp confirmed).
pub async fn signup_submit(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let authz = match checked(app, req).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let form = form_of(req);
    if !csrf_ok(req, form.get(CSRF_FIELD).map(String::as_str)) {
        return signup_form(
            app,
            req,
            &authz,
            Some(super::EXPIRED),
            StatusCode::FORBIDDEN,
        );
    }
    let username = form.get("username").map(|s| s.trim()).unwrap_or("");
    let mut attributes: Vec<Value> = form
        .iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("requiredAttributes[")?.strip_suffix(']')?;
            Some(json!({"Name": name, "Value": v.trim()}))
        })
        .collect();
    if authz.pool.username_attributes.iter().any(|a| a == "email") {
        attributes.push(json!({"Name": "email", "Value": username}));
    }
    let mut body = Map::new();
    body.insert("Username".into(), Value::from(username));
    body.insert(
        "Password".into(),
        Value::from(form.get("password").cloned().unwrap_or_default()),
    );
    body.insert("UserAttributes".into(), Value::Array(attributes));
    match run(app, &authz, "SignUp", username, body).await {
        Ok(out) if out["UserConfirmed"] == true => {
            let msg = "Your registration is complete. Please sign in.";
            login_form(
                app,
                req,
                &authz,
                StatusCode::OK,
                Some((msg, true)),
                username,
            )
        }
        Ok(_) => redirect(&with_username("/confirmUser", req, username)),
        Err(e) if e.kind == crate::ErrorKind::InternalError => super::login::fault(&e),
        Err(e) => signup_form(app, req, &authz, Some(shown(&e)), StatusCode::BAD_REQUEST),
    }
}

/// The confirmation-code form (`GET /confirmUser` without a code in the query).
fn confirm_form(
    app: &App,
    req: &EdgeRequest,
    username: &str,
    alert: Option<&str>,
    status: StatusCode,
) -> EdgeResponse {
    let action = format!("/confirmUser?{}", base_query(req));
    form_page(
        app,
        req,
        "Confirm your account",
        "We have sent a code. Enter it to confirm your account.",
        &action,
        vec![("username", username)],
        vec![field(
            "code",
            "Verification code",
            "text",
            "",
            "one-time-code",
        )],
        "Confirm account",
        alert,
        status,
    )
}

/// `GET /confirmUser` (the hosted form).
pub async fn confirm_page(app: &App, req: &EdgeRequest) -> EdgeResponse {
    if let Err(resp) = checked(app, req).await {
        return resp;
    }
    let query: HashMap<String, String> = form_urlencoded::parse(req.query.as_bytes())
        .into_owned()
        .collect();
    let username = query.get("username").cloned().unwrap_or_default();
    confirm_form(app, req, &username, None, StatusCode::OK)
}

/// `POST /confirmUser`: ConfirmSignUp (or, with `resend`, ResendConfirmationCode).
pub async fn confirm_submit(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let authz = match checked(app, req).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let form = form_of(req);
    let username = form.get("username").cloned().unwrap_or_default();
    if !csrf_ok(req, form.get(CSRF_FIELD).map(String::as_str)) {
        return confirm_form(
            app,
            req,
            &username,
            Some(super::EXPIRED),
            StatusCode::FORBIDDEN,
        );
    }
    let mut body = Map::new();
    body.insert("Username".into(), Value::from(username.as_str()));
    body.insert(
        "ConfirmationCode".into(),
        Value::from(form.get("code").cloned().unwrap_or_default()),
    );
    match run(app, &authz, "ConfirmSignUp", &username, body).await {
        Ok(_) => {
            let msg = "Your registration has been confirmed. Please sign in.";
            login_form(
                app,
                req,
                &authz,
                StatusCode::OK,
                Some((msg, true)),
                &username,
            )
        }
        Err(e) if e.kind == crate::ErrorKind::InternalError => super::login::fault(&e),
        Err(e) => confirm_form(
            app,
            req,
            &username,
            Some(shown(&e)),
            StatusCode::BAD_REQUEST,
        ),
    }
}

fn forgot_form(
    app: &App,
    req: &EdgeRequest,
    alert: Option<&str>,
    status: StatusCode,
) -> EdgeResponse {
    let action = format!("/forgotPassword?{}", base_query(req));
    form_page(
        app,
        req,
        "Forgot your password?",
        "Enter your username and we will send you a code to reset your password.",
        &action,
        vec![],
        vec![field("username", "Username", "text", "", "username")],
        "Reset my password",
        alert,
        status,
    )
}

/// `GET /forgotPassword`.
pub async fn forgot_page(app: &App, req: &EdgeRequest) -> EdgeResponse {
    match checked(app, req).await {
        Ok(_) => forgot_form(app, req, None, StatusCode::OK),
        Err(resp) => resp,
    }
}

/// `POST /forgotPassword`: ForgotPassword, then the new-password form.
pub async fn forgot_submit(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let authz = match checked(app, req).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let form = form_of(req);
    if !csrf_ok(req, form.get(CSRF_FIELD).map(String::as_str)) {
        return forgot_form(app, req, Some(super::EXPIRED), StatusCode::FORBIDDEN);
    }
    let username = form.get("username").map(|s| s.trim()).unwrap_or("");
    let mut body = Map::new();
    body.insert("Username".into(), Value::from(username));
    match run(app, &authz, "ForgotPassword", username, body).await {
        Ok(_) => redirect(&with_username("/confirmForgotPassword", req, username)),
        Err(e) if e.kind == crate::ErrorKind::InternalError => super::login::fault(&e),
        Err(e) => forgot_form(app, req, Some(shown(&e)), StatusCode::BAD_REQUEST),
    }
}

fn reset_form(
    app: &App,
    req: &EdgeRequest,
    username: &str,
    alert: Option<&str>,
    status: StatusCode,
) -> EdgeResponse {
    let action = format!("/confirmForgotPassword?{}", base_query(req));
    form_page(
        app,
        req,
        "Reset your password",
        "If the account exists, we have sent a code. Enter it and a new password.",
        &action,
        vec![("username", username)],
        vec![
            field("code", "Code", "text", "", "one-time-code"),
            field("password", "New password", "password", "", "new-password"),
        ],
        "Change password",
        alert,
        status,
    )
}

/// `GET /confirmForgotPassword`.
pub async fn reset_page(app: &App, req: &EdgeRequest) -> EdgeResponse {
    if let Err(resp) = checked(app, req).await {
        return resp;
    }
    let query: HashMap<String, String> = form_urlencoded::parse(req.query.as_bytes())
        .into_owned()
        .collect();
    let username = query.get("username").cloned().unwrap_or_default();
    reset_form(app, req, &username, None, StatusCode::OK)
}

/// `POST /confirmForgotPassword`: ConfirmForgotPassword, then the login form.
pub async fn reset_submit(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let authz = match checked(app, req).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let form = form_of(req);
    let username = form.get("username").cloned().unwrap_or_default();
    if !csrf_ok(req, form.get(CSRF_FIELD).map(String::as_str)) {
        return reset_form(
            app,
            req,
            &username,
            Some(super::EXPIRED),
            StatusCode::FORBIDDEN,
        );
    }
    let mut body = Map::new();
    body.insert("Username".into(), Value::from(username.as_str()));
    body.insert(
        "ConfirmationCode".into(),
        Value::from(form.get("code").cloned().unwrap_or_default()),
    );
    body.insert(
        "Password".into(),
        Value::from(form.get("password").cloned().unwrap_or_default()),
    );
    match run(app, &authz, "ConfirmForgotPassword", &username, body).await {
        Ok(_) => {
            let msg = "Your password has been changed. Please sign in.";
            login_form(
                app,
                req,
                &authz,
                StatusCode::OK,
                Some((msg, true)),
                &username,
            )
        }
        Err(e) if e.kind == crate::ErrorKind::InternalError => super::login::fault(&e),
        Err(e) => reset_form(
            app,
            req,
            &username,
            Some(shown(&e)),
            StatusCode::BAD_REQUEST,
        ),
    }
}
