//! PreSignUp: confirm every new user at once, and mark the e-mail address and phone number they
//! signed up with as verified, unless the e-mail's domain is on a deny list.

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreSignup;

use crate::Error;

/// The environment variable holding the denied e-mail domains, comma-separated
/// (`blocked.example,spam.example`). Unset or empty denies none.
pub const DENIED_DOMAINS_VAR: &str = "DENIED_EMAIL_DOMAINS";

/// E-mail domains whose sign-ups are refused, lower-cased.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeniedDomains(Vec<String>);

impl DeniedDomains {
    /// Parses a comma-separated list; blanks around and between entries are ignored.
    pub fn parse(list: &str) -> Self {
        DeniedDomains(
            list.split(',')
                .map(|d| d.trim().to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
        )
    }

    /// The list in [`DENIED_DOMAINS_VAR`], read once when the function starts.
    pub fn from_env() -> Self {
        Self::parse(&std::env::var(DENIED_DOMAINS_VAR).unwrap_or_default())
    }

    /// The denied domain `email` belongs to, if any (compared case-insensitively).
    fn denies<'a>(&'a self, email: &str) -> Option<&'a str> {
        let domain = email.rsplit_once('@')?.1.to_ascii_lowercase();
        self.0.iter().find(|d| **d == domain).map(String::as_str)
    }
}

/// Confirms the user and verifies the e-mail address and phone number present in the request;
/// refuses a sign-up whose e-mail domain is denied.
///
/// AdminCreateUser also fires PreSignUp; the pool ignores these flags there, so answering them
/// is harmless.
pub fn handle(
    mut event: CognitoEventUserPoolsPreSignup,
    denied: &DeniedDomains,
) -> Result<CognitoEventUserPoolsPreSignup, Error> {
    let attributes = &event.request.user_attributes;
    let email = attributes.get("email");
    if let Some(domain) = email.and_then(|e| denied.denies(e)) {
        return Err(format!("Sign-ups from {domain} are not allowed").into());
    }
    let has_email = email.is_some_and(|e| !e.is_empty());
    let has_phone = attributes
        .get("phone_number")
        .is_some_and(|p| !p.is_empty());
    event.response.auto_confirm_user = true;
    event.response.auto_verify_email = has_email;
    event.response.auto_verify_phone = has_phone;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CognitoEventUserPoolsPreSignup {
        serde_json::from_str(include_str!("../../../events/triggers/pre-sign-up.json"))
            .expect("pre-sign-up.json is a PreSignUp event")
    }

    #[test]
    fn confirms_and_verifies_email_and_phone() {
        let out = handle(sample(), &DeniedDomains::default()).expect("accepted");
        assert!(out.response.auto_confirm_user);
        assert!(out.response.auto_verify_email);
        assert!(out.response.auto_verify_phone);
        // The rest of the event goes back as it came.
        assert_eq!(out.request, sample().request);
        let json = serde_json::to_value(&out).expect("serializes");
        assert_eq!(json["response"]["autoConfirmUser"], true);
        assert_eq!(json["triggerSource"], "PreSignUp_SignUp");
    }

    #[test]
    fn verifies_only_what_is_present() {
        let mut event = sample();
        event.request.user_attributes.remove("phone_number");
        let out = handle(event, &DeniedDomains::default()).expect("accepted");
        assert!(out.response.auto_confirm_user);
        assert!(out.response.auto_verify_email);
        assert!(!out.response.auto_verify_phone);

        let mut event = sample();
        event.request.user_attributes.remove("email");
        let out = handle(event, &DeniedDomains::default()).expect("accepted");
        assert!(out.response.auto_confirm_user);
        assert!(!out.response.auto_verify_email);
        assert!(out.response.auto_verify_phone);
    }

    #[test]
    fn refuses_denied_domains_case_insensitively() {
        let denied = DeniedDomains::parse(" spam.example , EXAMPLE.com,");
        let err = handle(sample(), &denied).expect_err("refused");
        assert_eq!(err.to_string(), "Sign-ups from example.com are not allowed");

        let mut event = sample();
        event
            .request
            .user_attributes
            .insert("email".into(), "bob@Spam.Example".into());
        let err = handle(event, &denied).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "Sign-ups from spam.example are not allowed"
        );

        // A subdomain is a different domain.
        let mut event = sample();
        event
            .request
            .user_attributes
            .insert("email".into(), "carol@mail.example.com".into());
        assert!(handle(event, &denied).is_ok());
    }

    #[test]
    fn parses_an_empty_list_as_denying_none() {
        assert_eq!(DeniedDomains::parse(""), DeniedDomains::default());
        assert_eq!(DeniedDomains::parse(" , "), DeniedDomains::default());
    }
}
