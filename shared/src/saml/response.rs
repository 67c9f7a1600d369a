//! The whole check of an HTTP-POST `SAMLResponse`: shape and status, destination and issuer,
//! the signature (on the Response or on the Assertion, never reading an unsigned copy), the
//! decryption of an EncryptedAssertion, and the assertion's conditions and subject
//! confirmation. What passes is returned as an [`Assertion`].

use super::dsig::{is_signed, verify_signed_element};
use super::xml::{children, only_child, parse, required_child, text_of};
use super::{b64, xmlenc, SamlError, SamlResult, NS_SAML, NS_SAMLP};
use roxmltree::{Document, Node};
use std::collections::{BTreeMap, HashSet};

/// The clock skew allowed on every instant, in milliseconds (3 minutes).
pub const SKEW_MS: i64 = 3 * 60 * 1000;
const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
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

/// Verifies a base64 (standard alphabet, whitespace tolerated) HTTP-POST `SAMLResponse`
/// against `expected` and returns its assertion.
pub fn verify_response(saml_response_b64: &str, expected: &Expected) -> SamlResult<Assertion> {
    if saml_response_b64.len() > super::xml::MAX_XML_BYTES / 3 * 4 + 4096 {
        return Err(SamlError::Malformed("the message is too large".into()));
    }
    let bytes = b64(saml_response_b64)
        .ok_or_else(|| SamlError::Malformed("SAMLResponse is not base64".into()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| SamlError::Malformed("SAMLResponse is not UTF-8".into()))?;
    let doc = parse(&text)?;
    refuse_duplicate_ids(&doc)?;
    let response = doc.root_element();
    if !super::xml::is(response, NS_SAMLP, "Response") {
        return Err(SamlError::Malformed(
            "the message is not a samlp:Response".into(),
        ));
    }
    if response.attribute("Version") != Some("2.0") {
        return Err(SamlError::Malformed("the Response is not SAML 2.0".into()));
    }
    check_status(response)?;
    if let Some(destination) = response.attribute("Destination") {
        if destination != expected.acs_url {
            return Err(SamlError::Rejected(
                "the Response's Destination is not this service".into(),
            ));
        }
    }
    if let Some(issuer) = only_child(response, NS_SAML, "Issuer")? {
        if text_of(issuer).trim() != expected.idp_entity_id {
            return Err(SamlError::Rejected(
                "the Response's Issuer is not the identity provider".into(),
            ));
        }
    }
    check_in_response_to(
        response.attribute("InResponseTo"),
        expected.in_response_to,
        false,
    )?;

    let response_signed = if is_signed(response) {
        verify_signed_element(&doc, response, expected.idp_certificates)?;
        true
    } else {
        false
    };

    let plain: Vec<Node> = children(response, NS_SAML, "Assertion").collect();
    let encrypted: Vec<Node> = children(response, NS_SAML, "EncryptedAssertion").collect();
    match (plain.as_slice(), encrypted.as_slice()) {
        ([assertion], []) => {
            if expected.require_encryption {
                return Err(SamlError::Rejected(
                    "the assertion must be encrypted".into(),
                ));
            }
            signed_assertion(&doc, *assertion, response_signed, expected)
        }
        ([], [encrypted]) => {
            let key = expected
                .decryption_key
                .ok_or_else(|| SamlError::Decryption("no decryption key is configured".into()))?;
            let plaintext = xmlenc::decrypt(*encrypted, key)?;
            let wrapped = wrap_in_scope(*encrypted, &plaintext);
            let inner = parse(&wrapped)?;
            refuse_duplicate_ids(&inner)?;
            let mut elements = inner.root_element().children().filter(|n| n.is_element());
            let assertion = match (elements.next(), elements.next()) {
                (Some(a), None) if super::xml::is(a, NS_SAML, "Assertion") => a,
                _ => {
                    return Err(SamlError::Malformed(
                        "the EncryptedAssertion does not hold one Assertion".into(),
                    ))
                }
            };
            signed_assertion(&inner, assertion, response_signed, expected)
        }
        _ => Err(SamlError::Malformed(
            "the Response must hold exactly one assertion".into(),
        )),
    }
}

/// Verifies the assertion's own signature when it has one, insists on at least one valid
/// signature (this one or the Response's), then reads it.
fn signed_assertion(
    doc: &Document,
    assertion: Node,
    response_signed: bool,
    expected: &Expected,
) -> SamlResult<Assertion> {
    let assertion_signed = if is_signed(assertion) {
        verify_signed_element(doc, assertion, expected.idp_certificates)?;
        true
    } else {
        false
    };
    if !response_signed && !assertion_signed {
        return Err(SamlError::Signature(
            "neither the Response nor the Assertion is signed".into(),
        ));
    }
    read_assertion(assertion, expected)
}

/// The decrypted assertion inside an element that redeclares every namespace in scope at the
/// EncryptedAssertion, so prefixes declared on the Response still resolve.
fn wrap_in_scope(encrypted: Node, plaintext: &str) -> String {
    let body = plaintext.trim_start();
    let body = match body.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map(|(_, after)| after)
            .unwrap_or(rest),
        None => body,
    };
    let mut out = String::from("<wrapper");
    for ns in encrypted.namespaces() {
        match ns.name() {
            Some("xml") => continue,
            Some(prefix) => {
                out.push_str(" xmlns:");
                out.push_str(prefix);
            }
            None => out.push_str(" xmlns"),
        }
        out.push_str("=\"");
        for c in ns.uri().chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '"' => out.push_str("&quot;"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push('>');
    out.push_str(body);
    out.push_str("</wrapper>");
    out
}

/// Refuses a document where an ID value occurs twice (a signature-wrapping attempt).
fn refuse_duplicate_ids(doc: &Document) -> SamlResult<()> {
    let mut seen = HashSet::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        for name in ["ID", "Id", "id"] {
            if let Some(id) = node.attribute(name) {
                if !seen.insert(id) {
                    return Err(SamlError::Signature(
                        "an ID occurs twice in the message".into(),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn check_status(response: Node) -> SamlResult<()> {
    let status = required_child(response, NS_SAMLP, "Status")?;
    let code = required_child(status, NS_SAMLP, "StatusCode")?;
    let value = code.attribute("Value").unwrap_or("");
    if value == STATUS_SUCCESS {
        return Ok(());
    }
    let clip = |s: &str| s.chars().take(200).collect::<String>();
    let mut answer = clip(value);
    if let Some(second) =
        only_child(code, NS_SAMLP, "StatusCode")?.and_then(|c| c.attribute("Value"))
    {
        answer.push_str(" / ");
        answer.push_str(&clip(second));
    }
    Err(SamlError::Status(answer))
}

/// InResponseTo against the expected request: `Some(id)` must be named (when `required`) and
/// match; `None` (IdP-initiated) must not be named at all.
fn check_in_response_to(
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

fn read_assertion(assertion: Node, expected: &Expected) -> SamlResult<Assertion> {
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
        if now + SKEW_MS < not_before {
            return Err(SamlError::Rejected("the assertion is not yet valid".into()));
        }
    }
    let conditions_end = instant(conditions, "NotOnOrAfter")?;
    if let Some(end) = conditions_end {
        if now - SKEW_MS >= end {
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
    if now - SKEW_MS >= not_on_or_after {
        return Err(SamlError::Rejected("the assertion has expired".into()));
    }
    if let Some(not_before) = instant(data, "NotBefore")? {
        if now + SKEW_MS < not_before {
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
