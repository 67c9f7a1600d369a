//! The whole check of an HTTP-POST `SAMLResponse`: shape and status, destination and issuer,
//! the signature (on the Response or on the Assertion, never reading an unsigned copy), the
//! decryption of an EncryptedAssertion, and the assertion's conditions and subject
//! confirmation. What passes is returned as an [`Assertion`].

use super::assertion::{check_in_response_to, read_assertion};
pub use super::assertion::{Assertion, Expected};
use super::dsig::{is_signed, verify_signed_element};
use super::xml::{children, only_child, parse, required_child, text_of};
use super::{b64, xmlenc, SamlError, SamlResult, NS_SAML, NS_SAMLP};
use roxmltree::{Document, Node};
use std::collections::HashSet;

pub use super::assertion::SKEW_MS;

const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

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
