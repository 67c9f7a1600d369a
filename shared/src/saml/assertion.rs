//! The service provider's expectations ([`Expected`]), the verified result ([`Assertion`]), and
//! reading one Assertion once its signature is settled: the Issuer, the Conditions (time and
//! audience), the bearer SubjectConfirmation (recipient, time, InResponseTo), the NameID, the
//! session index and the attributes. Both types are re-exported by [`super::response`].

use super::xml::{children, only_child, required_child, text_of};
use super::{SamlError, SamlResult, NS_SAML};
use roxmltree::Node;
use std::collections::BTreeMap;

/// The clock skew allowed on every instant, in milliseconds (3 minutes).
pub const SKEW_MS: i64 = 3 * 60 * 1000;
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/// What the service provider expects of a Response.
pub struct Expected<'a> {
    /// The IdP's entity ID (the Issuer of the Response and the Assertion).
    pub idp_entity_id: &'a str,
    /// DER X.509 certificates from the IdP's metadata: the only keys trusted.
    pub idp_certificates: &'a [Vec<u8>],
    /// The audience: the SP entity ID (`urn:amazon:cognito:sp:<pool id>`).
    pub audience: &'a str,
    /// The ACS URL: the Recipient of the bearer confirmation and the Response's Destination.
    pub acs_url: &'a str,
    /// `Some(our AuthnRequest ID)`: it must be answered; `None` (IdP-initiated): none named.
    pub in_response_to: Option<&'a str>,
    /// PKCS#8 DER RSA key for an EncryptedAssertion.
    pub decryption_key: Option<&'a [u8]>,
    /// Whether a plain (unencrypted) Assertion is refused.
    pub require_encryption: bool,
    /// The current time, in milliseconds since the epoch.
    pub now_ms: i64,
}

impl std::fmt::Debug for Expected<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expected")
            .field("idp_entity_id", &self.idp_entity_id)
            .field("audience", &self.audience)
            .field("acs_url", &self.acs_url)
            .field("in_response_to", &self.in_response_to)
            .field("decryption_key", &self.decryption_key.map(|_| "<redacted>"))
            .field("require_encryption", &self.require_encryption)
            .field("now_ms", &self.now_ms)
            .finish_non_exhaustive()
    }
}

/// A verified assertion: who signed in, and what the IdP says about them.
#[derive(Debug, Clone)]
pub struct Assertion {
    /// The Assertion's ID (the caller records it single-use until `expires_ms`).
    pub id: String,
    /// The Assertion's Issuer.
    pub issuer: String,
    /// The Subject's NameID (its whole text).
    pub name_id: String,
    /// The NameID's Format.
    pub name_id_format: Option<String>,
    /// The AuthnStatement's SessionIndex.
    pub session_index: Option<String>,
    /// Attribute Name → the texts of its AttributeValues.
    pub attributes: BTreeMap<String, Vec<String>>,
    /// The earliest NotOnOrAfter of the Conditions and the bearer confirmation.
    pub expires_ms: i64,
    /// The request this answers (the confirmation's InResponseTo).
    pub in_response_to: Option<String>,
}

/// InResponseTo against the expected request: `Some(id)` must be named (when `required`) and
/// match; `None` (IdP-initiated) must not be named at all.
pub(super) fn check_in_response_to(
    found: Option<&str>,
    expected: Option<&str>,
    required: bool,
) -> SamlResult<()> {
    let found = found.filter(|v| !v.is_empty());
    match (found, expected) {
        (Some(found), Some(expected)) if found == expected => Ok(()),
        (Some(_), Some(_)) => Err(SamlError::Rejected(
            "InResponseTo does not name our request".into(),
        )),
        (None, Some(_)) if required => Err(SamlError::Rejected("InResponseTo is missing".into())),
        (None, _) => Ok(()),
        (Some(_), None) => Err(SamlError::Rejected(
            "the assertion answers a request, but none was made (unsolicited expected)".into(),
        )),
    }
}

fn instant(node: Node, name: &str) -> SamlResult<Option<i64>> {
    match node.attribute(name) {
        None => Ok(None),
        Some(text) => super::time::parse_ms(text)
            .map(Some)
            .ok_or_else(|| SamlError::Malformed(format!("{name} is not a dateTime"))),
    }
}

/// Checks and reads `assertion` (whose signature the caller has verified).
pub(super) fn read_assertion(assertion: Node, expected: &Expected) -> SamlResult<Assertion> {
    let now = expected.now_ms;
    if assertion.attribute("Version") != Some("2.0") {
        return Err(SamlError::Malformed("the Assertion is not SAML 2.0".into()));
    }
    let id = assertion
        .attribute("ID")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| SamlError::Malformed("the Assertion has no ID".into()))?;
    let issuer = text_of(required_child(assertion, NS_SAML, "Issuer")?)
        .trim()
        .to_owned();
    if issuer != expected.idp_entity_id {
        return Err(SamlError::Rejected(
            "the Assertion's Issuer is not the identity provider".into(),
        ));
    }

    let conditions = required_child(assertion, NS_SAML, "Conditions")?;
    if let Some(not_before) = instant(conditions, "NotBefore")? {
        if now.saturating_add(SKEW_MS) < not_before {
            return Err(SamlError::Rejected("the assertion is not yet valid".into()));
        }
    }
    let conditions_end = instant(conditions, "NotOnOrAfter")?;
    if let Some(end) = conditions_end {
        if now.saturating_sub(SKEW_MS) >= end {
            return Err(SamlError::Rejected("the assertion has expired".into()));
        }
    }
    let restrictions: Vec<Node> = children(conditions, NS_SAML, "AudienceRestriction").collect();
    if restrictions.is_empty() {
        return Err(SamlError::Rejected(
            "the assertion has no AudienceRestriction".into(),
        ));
    }
    for restriction in restrictions {
        if !children(restriction, NS_SAML, "Audience")
            .any(|a| text_of(a).trim() == expected.audience)
        {
            return Err(SamlError::Rejected(
                "the assertion is not meant for this audience".into(),
            ));
        }
    }

    let subject = required_child(assertion, NS_SAML, "Subject")?;
    let name_id = only_child(subject, NS_SAML, "NameID")?
        .ok_or_else(|| SamlError::Rejected("the Subject has no NameID".into()))?;
    let confirmation = bearer_confirmation(subject, expected)?;

    let session_index = children(assertion, NS_SAML, "AuthnStatement")
        .find_map(|s| s.attribute("SessionIndex"))
        .map(str::to_owned);
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for statement in children(assertion, NS_SAML, "AttributeStatement") {
        for attribute in children(statement, NS_SAML, "Attribute") {
            let Some(name) = attribute.attribute("Name") else {
                continue;
            };
            let values = attributes.entry(name.to_owned()).or_default();
            values.extend(children(attribute, NS_SAML, "AttributeValue").map(text_of));
        }
    }
    let expires_ms = match conditions_end {
        Some(end) => end.min(confirmation.not_on_or_after),
        None => confirmation.not_on_or_after,
    };
    Ok(Assertion {
        id: id.to_owned(),
        issuer,
        name_id: text_of(name_id).trim().to_owned(),
        name_id_format: name_id.attribute("Format").map(str::to_owned),
        session_index,
        attributes,
        expires_ms,
        in_response_to: confirmation.in_response_to,
    })
}

/// What a satisfied bearer SubjectConfirmation says.
struct Confirmation {
    not_on_or_after: i64,
    in_response_to: Option<String>,
}

/// The first bearer SubjectConfirmation whose data passes (Recipient, times, InResponseTo); the
/// first failure's reason when none does.
fn bearer_confirmation(subject: Node, expected: &Expected) -> SamlResult<Confirmation> {
    let mut first_error = None;
    for confirmation in children(subject, NS_SAML, "SubjectConfirmation") {
        if confirmation.attribute("Method") != Some(BEARER) {
            continue;
        }
        match check_confirmation(confirmation, expected) {
            Ok(ok) => return Ok(ok),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        SamlError::Rejected("the Subject has no bearer SubjectConfirmation".into())
    }))
}

fn check_confirmation(confirmation: Node, expected: &Expected) -> SamlResult<Confirmation> {
    let now = expected.now_ms;
    let data = only_child(confirmation, NS_SAML, "SubjectConfirmationData")?
        .ok_or_else(|| SamlError::Rejected("the bearer confirmation has no data".into()))?;
    if data.attribute("Recipient") != Some(expected.acs_url) {
        return Err(SamlError::Rejected(
            "the assertion's Recipient is not this service".into(),
        ));
    }
    let not_on_or_after = instant(data, "NotOnOrAfter")?
        .ok_or_else(|| SamlError::Rejected("the bearer confirmation has no NotOnOrAfter".into()))?;
    if now.saturating_sub(SKEW_MS) >= not_on_or_after {
        return Err(SamlError::Rejected("the assertion has expired".into()));
    }
    if let Some(not_before) = instant(data, "NotBefore")? {
        if now.saturating_add(SKEW_MS) < not_before {
            return Err(SamlError::Rejected("the assertion is not yet valid".into()));
        }
    }
    let in_response_to = data.attribute("InResponseTo").filter(|v| !v.is_empty());
    check_in_response_to(in_response_to, expected.in_response_to, true)?;
    Ok(Confirmation {
        not_on_or_after,
        in_response_to: in_response_to.map(str::to_owned),
    })
}
