//! Confirmation by link (`VerificationMessageTemplate.DefaultEmailOption = CONFIRM_WITH_LINK`):
//! the sign-up email's `{##link text##}` placeholder becomes a link to `GET /confirmUser`,
//! and that route confirms the user through the same core as ConfirmSignUp
//! (`signup::confirm_by_link`).
//!
//! Cognito's link points at the pool's domain:
//! `https://<domain>/confirmUser?client_id=…&user_name=…&confirmation_code=…` (developer guide,
//! "Customizing email verification messages"; aws-amplify/amplify-js#612). Latchkey serves it
//! on its own public base URL (`LATCHKEY_ISSUER_BASE_URL`, the server's own URL locally), the
//! one HTTP edge every route is on, so the link works wherever the API does.

use super::model::UserPool;
use crate::triggers::messages::CODE;
use crate::App;
use serde_json::Value;

/// Cognito's default `EmailMessageByLink`.
pub const DEFAULT_MESSAGE: &str =
    "Please click the link below to verify your email address. {##Verify Email##} ";
/// Cognito's default `EmailSubjectByLink`.
pub const DEFAULT_SUBJECT: &str = "Your verification link";
/// The path of the link (and of the hosted UI's confirmation page, later).
pub const PATH: &str = "/confirmUser";

fn template_member<'p>(pool: &'p UserPool, name: &str) -> Option<&'p str> {
    pool.passthrough
        .get("VerificationMessageTemplate")
        .and_then(|t| t.get(name))
        .and_then(Value::as_str)
}

/// Whether the pool confirms sign-up emails by link.
pub fn by_link(pool: &UserPool) -> bool {
    template_member(pool, "DefaultEmailOption") == Some("CONFIRM_WITH_LINK")
}

/// The pool's link email: (subject, body), Cognito's defaults where unset.
pub fn template(pool: &UserPool) -> (String, String) {
    let subject = template_member(pool, "EmailSubjectByLink").unwrap_or(DEFAULT_SUBJECT);
    let body = template_member(pool, "EmailMessageByLink").unwrap_or(DEFAULT_MESSAGE);
    (subject.to_string(), body.to_string())
}

/// The `(start, end)` byte range of the first `{##text##}` placeholder in `text` at or after
/// `from` (any text but `#` and braces; `{####}`, the code, is not one).
fn placeholder(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut at = from;
    while let Some(rel) = text.get(at..)?.find("{##") {
        let start = at + rel;
        let inner = start + 3;
        let end = text[inner..].find("##}").map(|e| inner + e)?;
        let label = &text[inner..end];
        if !label.is_empty() && !label.contains(['{', '}', '#']) {
            return Some((start, end + 3));
        }
        at = inner;
    }
    None
}

/// Whether `text` holds a link placeholder.
pub fn has_placeholder(text: &str) -> bool {
    placeholder(text, 0).is_some()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The link for `username` of `client_id`, its code still the `{####}` placeholder (filled in
/// when the code is issued, like every code message).
pub fn url(app: &App, client_id: &str, username: &str) -> String {
    let query = serde_urlencoded::to_string([("client_id", client_id), ("user_name", username)])
        .unwrap_or_default();
    format!(
        "{}{PATH}?{query}&confirmation_code={CODE}",
        app.settings.issuer_base_url
    )
}

/// `body` with every `{##text##}` made an HTML link with that text to `url`.
pub fn render(body: &str, url: &str) -> String {
    let mut out = String::with_capacity(body.len() + url.len());
    let mut at = 0;
    while let Some((start, end)) = placeholder(body, at) {
        out.push_str(&body[at..start]);
        let label = &body[start + 3..end - 3];
        out.push_str(&format!("<a href=\"{}\">{label}</a>", escape(url)));
        at = end;
    }
    out.push_str(&body[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_links() {
        let url = "https://a.example/confirmUser?client_id=c&user_name=u&confirmation_code={####}";
        let body = render("Hi {##Verify Email##}, code {####}, {##again##}", url);
        let href = "https://a.example/confirmUser?client_id=c&amp;user_name=u&amp;confirmation_code={####}";
        assert_eq!(
            body,
            format!("Hi <a href=\"{href}\">Verify Email</a>, code {{####}}, <a href=\"{href}\">again</a>")
        );
        assert!(!has_placeholder("code {####} only"));
        assert!(has_placeholder("{##Click here##}"));
        assert_eq!(render("{####}", url), "{####}");
    }
}
