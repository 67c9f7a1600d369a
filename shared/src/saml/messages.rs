//! The SAML messages Latchkey sends (an `AuthnRequest`, a `LogoutRequest`) and the one it
//! reads besides sign-in responses (a `LogoutResponse`).

use super::{SamlError, NS_SAML, NS_SAMLP};
use crate::markup::escape;
use roxmltree::Document;

/// The Success status code.
pub const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// A message id: `_` and 40 hex digits (an xsd:ID must not start with a digit).
pub fn message_id(random: &[u8; 20]) -> String {
    format!("_{}", hex::encode(random))
}

/// An xsd:dateTime in UTC, to the second.
pub fn instant(now_ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Who sends a request, and where it goes.
pub struct Envelope<'a> {
    /// The message's `ID`.
    pub id: &'a str,
    /// Its `IssueInstant`, epoch ms.
    pub now_ms: i64,
    /// `Destination`: the identity provider's endpoint.
    pub destination: &'a str,
    /// `Issuer`: our entity id (`urn:amazon:cognito:sp:<poolId>`).
    pub issuer: &'a str,
}

impl Envelope<'_> {
    fn open(&self, element: &str) -> String {
        format!(
            r#"<samlp:{element} xmlns:samlp="{NS_SAMLP}" xmlns:saml="{NS_SAML}" ID="{}" Version="2.0" IssueInstant="{}" Destination="{}""#,
            escape(self.id),
            instant(self.now_ms),
            escape(self.destination)
        )
    }

    fn issuer(&self) -> String {
        format!("<saml:Issuer>{}</saml:Issuer>", escape(self.issuer))
    }
}

/// An `AuthnRequest` asking for a response POSTed to `acs_url`.
pub fn authn_request(env: &Envelope, acs_url: &str) -> String {
    format!(
        r#"{} AssertionConsumerServiceURL="{}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">{}<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" AllowCreate="true"/></samlp:AuthnRequest>"#,
        env.open("AuthnRequest"),
        escape(acs_url),
        env.issuer()
    )
}

/// Whom a `LogoutRequest` signs out: the NameID and session of their sign-in.
pub struct LoggedIn<'a> {
    /// The NameID.
    pub name_id: &'a str,
    /// Its `Format`, if the assertion gave one.
    pub format: Option<&'a str>,
    /// The `SessionIndex`, if the assertion gave one.
    pub session_index: Option<&'a str>,
}

/// A `LogoutRequest` for `who`.
pub fn logout_request(env: &Envelope, who: &LoggedIn) -> String {
    let format = who
        .format
        .map(|f| format!(r#" Format="{}""#, escape(f)))
        .unwrap_or_default();
    let session = who
        .session_index
        .map(|s| format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", escape(s)))
        .unwrap_or_default();
    format!(
        "{}>{}<saml:NameID{format}>{}</saml:NameID>{session}</samlp:LogoutRequest>",
        env.open("LogoutRequest"),
        env.issuer(),
        escape(who.name_id)
    )
}

/// What a `LogoutResponse` says.
#[derive(Debug, PartialEq, Eq)]
pub struct LogoutResponse {
    /// `InResponseTo`: our LogoutRequest's ID.
    pub in_response_to: Option<String>,
    /// `Issuer`, if given.
    pub issuer: Option<String>,
    /// The top-level status code.
    pub status: String,
}

/// Reads a `LogoutResponse` (its signature is checked by the caller).
pub fn logout_response(xml: &str) -> Result<LogoutResponse, SamlError> {
    let doc = Document::parse(xml).map_err(|e| SamlError::Malformed(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().namespace() != Some(NS_SAMLP) || root.tag_name().name() != "LogoutResponse" {
        return Err(SamlError::Malformed("not a LogoutResponse".into()));
    }
    let child = |ns: &str, name: &str| {
        root.descendants()
            .find(|n| n.tag_name().namespace() == Some(ns) && n.tag_name().name() == name)
    };
    let issuer = child(NS_SAML, "Issuer")
        .filter(|n| n.parent() == Some(root))
        .and_then(|n| n.text())
        .map(|t| t.trim().to_string());
    let status = child(NS_SAMLP, "StatusCode")
        .and_then(|n| n.attribute("Value"))
        .ok_or_else(|| SamlError::Malformed("no StatusCode".into()))?
        .to_string();
    Ok(LogoutResponse {
        in_response_to: root.attribute("InResponseTo").map(str::to_string),
        issuer,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope() -> Envelope<'static> {
        Envelope {
            id: "_abc",
            now_ms: 1_700_000_000_123,
            destination: "https://idp.example.com/sso?a=1&b=2",
            issuer: "urn:amazon:cognito:sp:us-east-1_X",
        }
    }

    #[test]
    fn an_authn_request_is_well_formed_and_says_where_to_answer() {
        let xml = authn_request(&envelope(), "http://127.0.0.1:1/saml2/idpresponse");
        let doc = Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "AuthnRequest");
        assert_eq!(root.attribute("ID"), Some("_abc"));
        assert_eq!(root.attribute("IssueInstant"), Some("2023-11-14T22:13:20Z"));
        assert_eq!(
            root.attribute("Destination"),
            Some("https://idp.example.com/sso?a=1&b=2")
        );
        assert_eq!(
            root.attribute("AssertionConsumerServiceURL"),
            Some("http://127.0.0.1:1/saml2/idpresponse")
        );
        let issuer = root
            .descendants()
            .find(|n| n.has_tag_name((NS_SAML, "Issuer")));
        assert_eq!(
            issuer.and_then(|n| n.text()),
            Some("urn:amazon:cognito:sp:us-east-1_X")
        );
    }

    #[test]
    fn a_logout_request_names_the_user_and_session() {
        let who = LoggedIn {
            name_id: "a<b>@example.com",
            format: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"),
            session_index: Some("_s1"),
        };
        let xml = logout_request(&envelope(), &who);
        let doc = Document::parse(&xml).unwrap();
        let name = doc
            .descendants()
            .find(|n| n.has_tag_name((NS_SAML, "NameID")))
            .unwrap();
        assert_eq!(name.text(), Some("a<b>@example.com"));
        let session = doc
            .descendants()
            .find(|n| n.has_tag_name((NS_SAMLP, "SessionIndex")));
        assert_eq!(session.and_then(|n| n.text()), Some("_s1"));
    }

    #[test]
    fn a_logout_response_is_read() {
        let xml = format!(
            r#"<samlp:LogoutResponse xmlns:samlp="{NS_SAMLP}" xmlns:saml="{NS_SAML}" ID="_r" InResponseTo="_abc" Version="2.0"><saml:Issuer>https://idp</saml:Issuer><samlp:Status><samlp:StatusCode Value="{SUCCESS}"/></samlp:Status></samlp:LogoutResponse>"#
        );
        let got = logout_response(&xml).unwrap();
        assert_eq!(got.in_response_to.as_deref(), Some("_abc"));
        assert_eq!(got.issuer.as_deref(), Some("https://idp"));
        assert_eq!(got.status, SUCCESS);
        assert!(logout_response("<x/>").is_err());
        assert!(logout_response(&xml.replace("StatusCode", "Nope")).is_err());
    }
}
