//! The small HTML pages the edge answers: for now the one behind the emailed confirmation link
//! (`GET /confirmUser`). Plain, accessible markup (a language, a title, one heading, the
//! outcome in a status region), no scripts. The hosted UI will serve `/confirmUser` too, as a
//! form with a `code` input when the query has no `confirmation_code`; that belongs here.

use super::response::EdgeResponse;
use crate::error::ErrorKind;
use crate::userpool::signup;
use crate::App;
use http::StatusCode;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page with `heading` and `text`.
fn page(status: StatusCode, heading: &str, text: &str) -> EdgeResponse {
    let (heading, text) = (escape(heading), escape(text));
    let role = if status.is_success() {
        "status"
    } else {
        "alert"
    };
    EdgeResponse::html(
        status,
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{heading}</title>\n</head>\n<body>\n<main>\n<h1>{heading}</h1>\n\
             <p role=\"{role}\">{text}</p>\n</main>\n</body>\n</html>\n"
        ),
    )
}

/// `GET /confirmUser?client_id=&user_name=&confirmation_code=`: 200 with Cognito's text when
/// the user is confirmed; 400 with the reason for a missing parameter or a wrong, expired or
/// used code; 500 only for a real fault (its cause logged, never shown).
pub async fn confirm_user(app: &App, query: &str) -> EdgeResponse {
    match signup::confirm_by_link(app, query).await {
        Ok(()) => page(
            StatusCode::OK,
            "Registration confirmed",
            "Your registration has been confirmed!",
        ),
        Err(e) if e.kind == ErrorKind::InternalError => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Your registration could not be confirmed. Please try again later.",
        ),
        Err(e) => page(StatusCode::BAD_REQUEST, "Confirmation failed", &e.message),
    }
}
