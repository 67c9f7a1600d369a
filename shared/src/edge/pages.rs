//! The page behind the emailed confirmation link (`GET /confirmUser` with a
//! `confirmation_code`), in managed login's layout ([`super::hosted::html`]). With an
//! authorization request in the query, `/confirmUser` is managed login's code form
//! ([`super::hosted::account`]).

use super::hosted::{self, html::Page};
use super::response::EdgeResponse;
use super::EdgeRequest;
use crate::error::ErrorKind;
use crate::userpool::signup;
use crate::App;
use http::StatusCode;

/// A page with `heading` and `text` as its outcome.
fn outcome(status: StatusCode, heading: &str, text: &str) -> EdgeResponse {
    let mut p = Page::new(heading);
    p.alert = Some(text);
    p.success = status.is_success();
    hosted::page(status, &p)
}

/// `GET /confirmUser?client_id=&user_name=&confirmation_code=`: 200 with Cognito's text when
/// the user is confirmed; 400 with the reason for a missing parameter or a wrong, expired or
/// used code; 500 only for a real fault (its cause logged, never shown).
pub async fn confirm_user(app: &App, req: &EdgeRequest) -> EdgeResponse {
    // Managed login's form carries an authorization request; the emailed link never does.
    let hosted = form_urlencoded::parse(req.query.as_bytes()).any(|(k, _)| k == "redirect_uri");
    if hosted {
        return hosted::account::show(app, req, hosted::account::Step::Confirm).await;
    }
    match signup::confirm_by_link(app, &req.query).await {
        Ok(()) => outcome(
            StatusCode::OK,
            "Registration confirmed",
            "Your registration has been confirmed!",
        ),
        Err(e) if e.kind == ErrorKind::InternalError => outcome(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Your registration could not be confirmed. Please try again later.",
        ),
        Err(e) => outcome(StatusCode::BAD_REQUEST, "Confirmation failed", &e.message),
    }
}
