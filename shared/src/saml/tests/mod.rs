//! Tests of `saml` against Responses made by a real signer (samlify 2.13.1 with xml-crypto and
//! xml-encryption; tests/clients/node/saml_fixtures.mjs), and against attacks built by editing them.

mod attacks;
mod c14n;
mod conditions;
mod encryption;
mod good;
mod robustness;

use super::{Expected, SamlError};
use base64::Engine as _;

pub(super) const IDP: &str = "https://idp.example.test/metadata";
pub(super) const SP: &str = "urn:amazon:cognito:sp:us-east-1_abc";
pub(super) const ACS: &str = "https://auth.example.test/saml2/idpresponse";
pub(super) const REQUEST: &str = "_req-7f3c2a";
/// 2026-01-01T00:00:00Z, the fixtures' IssueInstant; they expire 5 minutes later.
pub(super) const ISSUED_MS: i64 = 1_767_225_600_000;
/// One minute after issue.
pub(super) const NOW: i64 = ISSUED_MS + 60_000;

/// A fixture's base64 text.
pub(super) fn fixture(name: &str) -> &'static str {
    match name {
        "signed_assertion" => include_str!("../fixtures/signed_assertion.b64"),
        "signed_response" => include_str!("../fixtures/signed_response.b64"),
        "signed_both" => include_str!("../fixtures/signed_both.b64"),
        "signed_sha512" => include_str!("../fixtures/signed_sha512.b64"),
        "signed_sha1" => include_str!("../fixtures/signed_sha1.b64"),
        "signed_inclusive" => include_str!("../fixtures/signed_inclusive.b64"),
        "signed_tricky" => include_str!("../fixtures/signed_tricky.b64"),
        "signed_prefixlist" => include_str!("../fixtures/signed_prefixlist.b64"),
        "unsolicited" => include_str!("../fixtures/unsolicited.b64"),
        "encrypted_cbc" => include_str!("../fixtures/encrypted_cbc.b64"),
        "encrypted_aes128cbc" => include_str!("../fixtures/encrypted_aes128cbc.b64"),
        "encrypted_gcm" => include_str!("../fixtures/encrypted_gcm.b64"),
        "encrypted_aes256gcm" => include_str!("../fixtures/encrypted_aes256gcm.b64"),
        "encrypted_rsa15" => include_str!("../fixtures/encrypted_rsa15.b64"),
        "encrypted_prefix" => include_str!("../fixtures/encrypted_prefix.b64"),
        other => panic!("no fixture {other}"),
    }
}

/// The DER inside a PEM file.
pub(super) fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM base64")
}

pub(super) fn idp_cert() -> Vec<u8> {
    pem_der(include_str!("../fixtures/idp_cert.pem"))
}
pub(super) fn other_cert() -> Vec<u8> {
    pem_der(include_str!("../fixtures/other_cert.pem"))
}
pub(super) fn idp_key() -> Vec<u8> {
    pem_der(include_str!("../fixtures/idp_key.pem"))
}
pub(super) fn sp_key() -> Vec<u8> {
    pem_der(include_str!("../fixtures/sp_key.pem"))
}

/// A fixture's XML.
pub(super) fn xml(name: &str) -> String {
    let compact: String = fixture(name).split_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .expect("fixture base64");
    String::from_utf8(bytes).expect("fixture UTF-8")
}

/// XML back to a SAMLResponse value.
pub(super) fn encode(xml: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(xml)
}

/// The owned parts of an [`Expected`], with the fixtures' defaults (SP-initiated, no
/// encryption required, one minute after issue).
pub(super) struct Setup {
    pub certs: Vec<Vec<u8>>,
    pub key: Option<Vec<u8>>,
    pub idp: &'static str,
    pub audience: &'static str,
    pub acs: &'static str,
    pub request: Option<&'static str>,
    pub require_encryption: bool,
    pub now: i64,
}

impl Setup {
    pub fn new() -> Setup {
        Setup {
            certs: vec![idp_cert()],
            key: Some(sp_key()),
            idp: IDP,
            audience: SP,
            acs: ACS,
            request: Some(REQUEST),
            require_encryption: false,
            now: NOW,
        }
    }

    pub fn expected(&self) -> Expected<'_> {
        Expected {
            idp_entity_id: self.idp,
            idp_certificates: &self.certs,
            audience: self.audience,
            acs_url: self.acs,
            in_response_to: self.request,
            decryption_key: self.key.as_deref(),
            require_encryption: self.require_encryption,
            now_ms: self.now,
        }
    }

    /// Verifies a SAMLResponse value.
    pub fn verify(&self, b64: &str) -> Result<super::Assertion, SamlError> {
        super::verify_response(b64, &self.expected())
    }

    /// Verifies an edited XML document.
    pub fn verify_xml(&self, xml: &str) -> Result<super::Assertion, SamlError> {
        self.verify(&encode(xml))
    }
}

/// The reason of a signature error (panics on anything else).
pub(super) fn signature_error(result: Result<crate::saml::Assertion, SamlError>) -> String {
    match result {
        Err(SamlError::Signature(why)) => why,
        other => panic!("expected a signature error, got {other:?}"),
    }
}

/// The reason of a rejection (panics on anything else).
pub(super) fn rejected(result: Result<crate::saml::Assertion, SamlError>) -> String {
    match result {
        Err(SamlError::Rejected(why)) => why,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// Re-signs the (only) signed Assertion of `text` with the test IdP key after an edit, so the
/// condition checks behind the signature can be tested. The canonical form is this module's
/// own; that it matches the real signer's is what the fixture tests show.
pub(super) fn resign(text: &str) -> String {
    use crate::saml::c14n::{canonicalize, Method};
    use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
    let exc = Method::Exclusive {
        with_comments: false,
        inclusive_prefixes: vec![],
    };
    let replace_between = |text: &str, open: &str, close: &str, value: &str| {
        let start = text.find(open).expect("open") + open.len();
        let end = start + text[start..].find(close).expect("close");
        format!("{}{}{}", &text[..start], value, &text[end..])
    };
    let digest = {
        let doc = crate::saml::xml::parse(text).expect("xml");
        let assertion = doc
            .descendants()
            .find(|n| crate::saml::xml::is(*n, crate::saml::NS_SAML, "Assertion"))
            .expect("assertion");
        let signature = assertion
            .children()
            .find(|n| crate::saml::xml::is(*n, crate::saml::NS_DS, "Signature"))
            .expect("signature");
        let canonical = canonicalize(assertion, Some(signature.id()), &exc);
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes())
    };
    let text = replace_between(
        text,
        "<ds:DigestValue>",
        "</ds:DigestValue>",
        &base64::engine::general_purpose::STANDARD.encode(digest),
    );
    let signed_info = {
        let doc = crate::saml::xml::parse(&text).expect("xml");
        let node = doc
            .descendants()
            .find(|n| crate::saml::xml::is(*n, crate::saml::NS_DS, "SignedInfo"))
            .expect("SignedInfo");
        canonicalize(node, None, &exc)
    };
    let pair = RsaKeyPair::from_pkcs8(&idp_key()).expect("IdP key");
    let mut signature = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        signed_info.as_bytes(),
        &mut signature,
    )
    .expect("sign");
    replace_between(
        &text,
        "<ds:SignatureValue>",
        "</ds:SignatureValue>",
        &base64::engine::general_purpose::STANDARD.encode(&signature),
    )
}
