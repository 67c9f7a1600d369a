//! The challenge step of managed login (`POST /login/challenge`'s form): a code sent by SMS
//! or email or shown by an authenticator app, a choice between MFA methods, a new password,
//! and setting up an authenticator app (MFA_SETUP: AssociateSoftwareToken with the sign-in's
//! session, then VerifySoftwareToken, each the API operation itself).

use super::html::{Field, Form, Page};
use super::{csrf_token, error_page, page, CSRF_FIELD};
use crate::edge::response::EdgeResponse;
use crate::edge::EdgeRequest;
use crate::error::ApiError;
use crate::oauth::authorize::Authorize;
use crate::userpool::signin::outcome::{ChallengeName, ChallengeParameters};
use crate::App;
use http::StatusCode;
use serde_json::{json, Value};

/// The challenge parameter (ours, not Cognito's) that carries the key to show during setup.
pub const SECRET: &str = "SECRET_CODE";
/// The form field that carries it back, for showing again after a wrong code.
pub const SECRET_FIELD: &str = "secret";

/// MFA_SETUP: a new authenticator key for the sign-in's `session` (AssociateSoftwareToken);
/// the key and the session that carries it on.
pub async fn associate(app: &App, session: &str) -> Result<(String, String), ApiError> {
    let body = json!({ "Session": session }).to_string();
    let out = crate::protocol::dispatch(app, "AssociateSoftwareToken", body.as_bytes()).await?;
    let text = |k: &str| out.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Ok((text("SecretCode"), text("Session")))
}

/// MFA_SETUP: checks the app's first `code` (VerifySoftwareToken); the session that answers
/// the challenge.
pub async fn verify(app: &App, session: &str, code: &str) -> Result<String, ApiError> {
    let body = json!({ "Session": session, "UserCode": code }).to_string();
    let out = crate::protocol::dispatch(app, "VerifySoftwareToken", body.as_bytes()).await?;
    Ok(out
        .get("Session")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string())
}

/// A challenge the user is answering: its name, sealed session, and the username.
#[derive(Clone, Copy)]
pub struct Pending<'a> {
    /// The challenge.
    pub name: ChallengeName,
    /// Its sealed session.
    pub session: &'a str,
    /// The username the user typed (or the pool's).
    pub username: &'a str,
}

/// The form of a challenge: a code, a choice of MFA, or a new password.
pub fn form(
    app: &App,
    req: &EdgeRequest,
    authz: &Authorize,
    pending: Pending<'_>,
    params: &ChallengeParameters,
    alert: Option<&str>,
) -> EdgeResponse {
    let Pending {
        name,
        session,
        username,
    } = pending;
    let (token, cookie) = csrf_token(app, req);
    let action = format!("/login/challenge?{}", super::base_query(req));
    let (heading, text, fields, choices) = match name {
        ChallengeName::SmsMfa | ChallengeName::EmailOtp | ChallengeName::SoftwareTokenMfa => {
            let text = match name {
                ChallengeName::SmsMfa => "We texted you a code. Enter it to sign in.",
                ChallengeName::EmailOtp => "We emailed you a code. Enter it to sign in.",
                _ => "Enter the code from your authenticator app.",
            };
            let field = Field {
                name: "code",
                label: "Code",
                kind: "text",
                value: "",
                autocomplete: "one-time-code",
            };
            ("Verify it's you", text, vec![field], None)
        }
        ChallengeName::SelectMfaType => {
            let options: Vec<String> = params
                .get("MFAS_CAN_CHOOSE")
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or_default();
            let labelled = options
                .into_iter()
                .map(|o| {
                    let label = match o.as_str() {
                        "SMS_MFA" => "Text message",
                        "EMAIL_OTP" => "Email",
                        "SOFTWARE_TOKEN_MFA" => "Authenticator app",
                        other => other,
                    }
                    .to_string();
                    (o, label)
                })
                .collect();
            (
                "Choose how to verify",
                "How should we check it's you?",
                vec![],
                Some(("answer", labelled)),
            )
        }
        ChallengeName::NewPasswordRequired => {
            let field = Field {
                name: "new_password",
                label: "New password",
                kind: "password",
                value: "",
                autocomplete: "new-password",
            };
            (
                "Change your password",
                "Please enter a new password.",
                vec![field],
                None,
            )
        }
        ChallengeName::MfaSetup => {
            let field = Field {
                name: "code",
                label: "Code",
                kind: "text",
                value: "",
                autocomplete: "one-time-code",
            };
            let text = "Add this key to your authenticator app, then enter the code it shows.";
            ("Set up your authenticator app", text, vec![field], None)
        }
        other => {
            let msg = format!(
                "The {} step can't be completed on these pages; sign in through the app.",
                other.as_str()
            );
            return error_page(StatusCode::BAD_REQUEST, &msg);
        }
    };
    let secret = params.get(SECRET).map(String::as_str).unwrap_or("");
    let key_line = format!("Key: {secret}");
    let logo = super::logo_of(authz);
    let mut p = Page::new(heading);
    p.text = Some(text);
    if name == ChallengeName::MfaSetup {
        p.note = Some(&key_line);
    }
    p.alert = alert;
    p.css = super::css_of(authz);
    p.logo = logo.as_deref();
    p.form = Some(Form {
        action: &action,
        hidden: vec![
            (CSRF_FIELD, &token),
            ("session", session),
            ("challenge", name.as_str()),
            ("username", username),
            (SECRET_FIELD, secret),
        ],
        fields,
        choices,
        submit: "Continue",
    });
    let status = if alert.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    cookie.apply(page(status, &p))
}
