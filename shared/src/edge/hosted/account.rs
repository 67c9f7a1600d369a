//! The account pages of managed login: sign-up (`/signup`), confirming it with a code
//! (`/confirmUser`, whose emailed-link form stays in `crate::edge::pages`), and password
//! recovery (`/forgotPassword`, `/confirmForgotPassword`). Each is a [`Step`]: a form, and
//! the API operation its POST runs through the protocol's one dispatcher (SignUp,
//! ConfirmSignUp, ForgotPassword, ConfirmForgotPassword), so the pool's policies, triggers,
//! limits and PreventUserExistenceErrors apply exactly as for the API. Every page carries the
//! authorization request it was reached from, and the last one ends at the login form.

use super::html::{Field, Form, Page};
use super::login::{checked, fault, form_of, login_form, shown};
use super::{base_query, csrf_ok, csrf_token, page, redirect, CSRF_FIELD, EXPIRED};
use crate::edge::response::EdgeResponse;
use crate::edge::EdgeRequest;
use crate::error::{ApiError, ErrorKind};
use crate::oauth::authorize::Authorize;
use crate::userpool::secret_hash;
use crate::App;
use http::StatusCode;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// An account page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `/signup`: SignUp.
    SignUp,
    /// `/confirmUser`: ConfirmSignUp.
    Confirm,
    /// `/forgotPassword`: ForgotPassword.
    Forgot,
    /// `/confirmForgotPassword`: ConfirmForgotPassword.
    Reset,
}

fn field<'a>(name: &'a str, label: &'a str, kind: &'a str, auto: &'a str) -> Field<'a> {
    Field {
        name,
        label,
        kind,
        value: "",
        autocomplete: auto,
    }
}

/// The sign-up form's attributes: the required ones and those codes go to (without one
/// there is nowhere to send a code), less the one that serves as the username.
fn signup_attributes(authz: &Authorize) -> Vec<String> {
    let pool = &authz.pool;
    let mut names: Vec<String> = pool
        .schema
        .iter()
        .filter(|a| a.required && a.name != "sub")
        .map(|a| a.name.clone())
        .collect();
    for auto in &pool.auto_verified_attributes {
        if !names.contains(auto) {
            names.push(auto.clone());
        }
    }
    names.retain(|a| !(email_login(authz) && a == "email"));
    names
}

fn email_login(authz: &Authorize) -> bool {
    authz.pool.username_attributes.iter().any(|a| a == "email")
}

impl Step {
    fn path(self) -> &'static str {
        match self {
            Step::SignUp => "/signup",
            Step::Confirm => "/confirmUser",
            Step::Forgot => "/forgotPassword",
            Step::Reset => "/confirmForgotPassword",
        }
    }

    fn operation(self) -> &'static str {
        match self {
            Step::SignUp => "SignUp",
            Step::Confirm => "ConfirmSignUp",
            Step::Forgot => "ForgotPassword",
            Step::Reset => "ConfirmForgotPassword",
        }
    }

    /// The form of this step for `username` (carried, not asked, after the first page).
    fn render(
        self,
        app: &App,
        req: &EdgeRequest,
        authz: &Authorize,
        username: &str,
        alert: Option<&str>,
        status: StatusCode,
    ) -> EdgeResponse {
        let attributes = signup_attributes(authz);
        let labels: Vec<String> = attributes
            .iter()
            .map(|a| format!("requiredAttributes[{a}]"))
            .collect();
        let (heading, text, submit, fields, carries_username) = match self {
            Step::SignUp => {
                let mut fields = vec![if email_login(authz) {
                    field("username", "Email", "email", "email")
                } else {
                    field("username", "Username", "text", "username")
                }];
                for (name, attr) in labels.iter().zip(&attributes) {
                    let (kind, auto) = match attr.as_str() {
                        "email" => ("email", "email"),
                        "phone_number" => ("tel", "tel"),
                        _ => ("text", "off"),
                    };
                    fields.push(field(name, attr, kind, auto));
                }
                fields.push(field("password", "Password", "password", "new-password"));
                ("Sign up", "Create an account.", "Sign up", fields, false)
            }
            Step::Confirm => (
                "Confirm your account",
                "We have sent a code. Enter it to confirm your account.",
                "Confirm account",
                vec![field("code", "Verification code", "text", "one-time-code")],
                true,
            ),
            Step::Forgot => (
                "Forgot your password?",
                "Enter your username and we will send you a code to reset your password.",
                "Reset my password",
                vec![field("username", "Username", "text", "username")],
                false,
            ),
            Step::Reset => (
                "Reset your password",
                "If the account exists, we have sent a code. Enter it and a new password.",
                "Change password",
                vec![
                    field("code", "Code", "text", "one-time-code"),
                    field("password", "New password", "password", "new-password"),
                ],
                true,
            ),
        };
        let (token, cookie) = csrf_token(app, req);
        let action = format!("{}?{}", self.path(), base_query(req));
        let mut hidden = vec![(CSRF_FIELD, token.as_str())];
        if carries_username {
            hidden.push(("username", username));
        }
        let logo = super::logo_of(authz);
        let mut p = Page::new(heading);
        p.text = Some(text);
        p.alert = alert;
        p.css = super::css_of(authz);
        p.logo = logo.as_deref();
        p.form = Some(Form {
            action: &action,
            hidden,
            fields,
            choices: None,
            submit,
        });
        p.links
            .push((format!("/login?{}", base_query(req)), "Back to sign in"));
        cookie.apply(page(status, &p))
    }

    /// The operation's request from the form: (username, body).
    fn request(
        self,
        authz: &Authorize,
        form: &HashMap<String, String>,
    ) -> (String, Map<String, Value>) {
        let get = |k: &str| {
            form.get(k)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let username = get("username");
        let mut body = Map::new();
        body.insert("Username".into(), Value::from(username.as_str()));
        match self {
            Step::SignUp => {
                let mut attributes: Vec<Value> = form
                    .iter()
                    .filter_map(|(k, v)| {
                        let name = k.strip_prefix("requiredAttributes[")?.strip_suffix(']')?;
                        Some(json!({"Name": name, "Value": v.trim()}))
                    })
                    .collect();
                if email_login(authz) {
                    attributes.push(json!({"Name": "email", "Value": username}));
                }
                body.insert(
                    "Password".into(),
                    Value::from(form.get("password").cloned().unwrap_or_default()),
                );
                body.insert("UserAttributes".into(), Value::Array(attributes));
            }
            Step::Confirm => {
                body.insert("ConfirmationCode".into(), Value::from(get("code")));
            }
            Step::Forgot => {}
            Step::Reset => {
                body.insert("ConfirmationCode".into(), Value::from(get("code")));
                body.insert(
                    "Password".into(),
                    Value::from(form.get("password").cloned().unwrap_or_default()),
                );
            }
        }
        (username, body)
    }

    /// Where a successful POST leads.
    fn done(
        self,
        app: &App,
        req: &EdgeRequest,
        authz: &Authorize,
        username: &str,
        out: &Value,
    ) -> EdgeResponse {
        let next = |step: Step| {
            let mut q = form_urlencoded::Serializer::new(base_query(req));
            q.append_pair("username", username);
            redirect(&format!("{}?{}", step.path(), q.finish()))
        };
        let signed_up =
            |msg: &str| login_form(app, req, authz, StatusCode::OK, Some((msg, true)), username);
        match self {
            Step::SignUp if out["UserConfirmed"] == true => {
                signed_up("Your registration is complete. Please sign in.")
            }
            Step::SignUp => next(Step::Confirm),
            Step::Confirm => signed_up("Your registration has been confirmed. Please sign in."),
            Step::Forgot => next(Step::Reset),
            Step::Reset => signed_up("Your password has been changed. Please sign in."),
        }
    }
}

/// Runs user-pool operation `op` for `authz`'s client with `body` (ClientId and, for a
/// client with a secret, SecretHash added).
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

/// `GET` of a step's page.
pub async fn show(app: &App, req: &EdgeRequest, step: Step) -> EdgeResponse {
    let authz = match checked(app, req).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let query: HashMap<String, String> = form_urlencoded::parse(req.query.as_bytes())
        .into_owned()
        .collect();
    let username = query.get("username").map(String::as_str).unwrap_or("");
    step.render(app, req, &authz, username, None, StatusCode::OK)
}

/// `POST` of a step's form: its operation, then the next page, or the form again with why.
pub async fn submit(app: &App, req: &EdgeRequest, step: Step) -> EdgeResponse {
    let authz = match checked(app, req).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let form = form_of(req);
    let (username, body) = step.request(&authz, &form);
    if !csrf_ok(req, form.get(CSRF_FIELD).map(String::as_str)) {
        return step.render(
            app,
            req,
            &authz,
            &username,
            Some(EXPIRED),
            StatusCode::FORBIDDEN,
        );
    }
    match run(app, &authz, step.operation(), &username, body).await {
        Ok(out) => step.done(app, req, &authz, &username, &out),
        Err(e) if e.kind == ErrorKind::InternalError => fault(&e),
        Err(e) => step.render(
            app,
            req,
            &authz,
            &username,
            Some(shown(&e)),
            StatusCode::BAD_REQUEST,
        ),
    }
}
