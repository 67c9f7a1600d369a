//! Each attack, built by editing a good fixture, is refused with the right kind of error.

use super::*;

/// The `<saml:Assertion ...>...</saml:Assertion>` of a document.
fn assertion_of(text: &str) -> &str {
    let start = text.find("<saml:Assertion").expect("assertion start");
    let end = text.find("</saml:Assertion>").expect("assertion end") + "</saml:Assertion>".len();
    &text[start..end]
}

/// Removes the first `<ds:Signature ...>...</ds:Signature>` after `from`.
fn strip_signature(text: &str, from: usize) -> String {
    let start = from + text[from..].find("<ds:Signature").expect("signature");
    let end = start + text[start..].find("</ds:Signature>").expect("end") + "</ds:Signature>".len();
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn tampered_name_id_breaks_the_digest() {
    for name in ["signed_assertion", "signed_response", "signed_both"] {
        let text = xml(name).replace(
            ">alice@example.test</saml:NameID>",
            ">mallory@example.test</saml:NameID>",
        );
        let why = signature_error(Setup::new().verify_xml(&text));
        assert!(why.contains("digest"), "{name}: {why}");
    }
}

#[test]
fn tampered_attribute_breaks_the_digest() {
    let text = xml("signed_assertion").replace(">admins<", ">root<");
    assert!(signature_error(Setup::new().verify_xml(&text)).contains("digest"));
}

#[test]
fn removed_signature_leaves_nothing_signed() {
    let text = xml("signed_assertion");
    let unsigned = strip_signature(&text, 0);
    assert!(!unsigned.contains("ds:Signature"));
    assert!(signature_error(Setup::new().verify_xml(&unsigned)).contains("neither"));
    let text = xml("signed_response");
    assert!(
        signature_error(Setup::new().verify_xml(&strip_signature(&text, 0))).contains("neither")
    );
}

#[test]
fn signature_by_another_key_is_refused() {
    let setup = Setup {
        certs: vec![other_cert()],
        ..Setup::new()
    };
    for name in [
        "signed_assertion",
        "signed_response",
        "encrypted_cbc",
        "encrypted_gcm",
    ] {
        let why = signature_error(setup.verify(fixture(name)));
        assert!(why.contains("certificates"), "{name}: {why}");
    }
}

#[test]
fn certificate_in_key_info_is_not_trusted() {
    let setup = Setup {
        certs: vec![],
        ..Setup::new()
    };
    assert!(signature_error(setup.verify(fixture("signed_assertion"))).contains("certificates"));
}

#[test]
fn invalid_signature_fails_even_if_the_other_is_valid() {
    // signed_both: break the assertion's SignatureValue; the Response's signature covers the
    // change too, so break only what the Response signature does not see is impossible — the
    // Response digest fails first.
    let text = xml("signed_both");
    let at = text.find("<saml:Assertion").expect("assertion");
    let value =
        at + text[at..].find("<ds:SignatureValue>").expect("value") + "<ds:SignatureValue>".len();
    let mut broken = text.clone();
    broken.replace_range(value..value + 4, "AAAA");
    assert!(matches!(
        Setup::new().verify_xml(&broken),
        Err(SamlError::Signature(_))
    ));
}

#[test]
fn wrapped_forged_assertion_with_the_original_inside_is_refused() {
    let text = xml("signed_assertion");
    let original = assertion_of(&text).to_owned();
    // The forged assertion has its own ID, no signature, and carries the signed original
    // inside its Subject (XSW: the signature still verifies on the moved original).
    let forged = strip_signature(&original, 0)
        .replace("ID=\"_assertion-signed_assertion\"", "ID=\"_evil\"")
        .replace(
            ">alice@example.test</saml:NameID>",
            ">admin@example.test</saml:NameID>",
        )
        .replace("<saml:Subject>", &format!("<saml:Subject>{original}"));
    let attack = text.replace(&original, &forged);
    assert!(signature_error(Setup::new().verify_xml(&attack)).contains("neither"));
}

#[test]
fn forged_assertion_beside_the_signed_one_is_refused() {
    let text = xml("signed_assertion");
    let original = assertion_of(&text).to_owned();
    let forged = strip_signature(&original, 0)
        .replace("ID=\"_assertion-signed_assertion\"", "ID=\"_evil\"")
        .replace(
            ">alice@example.test</saml:NameID>",
            ">admin@example.test</saml:NameID>",
        );
    for attack in [
        text.replace(&original, &format!("{forged}{original}")),
        text.replace(&original, &format!("{original}{forged}")),
    ] {
        assert!(matches!(
            Setup::new().verify_xml(&attack),
            Err(SamlError::Malformed(_))
        ));
    }
}

#[test]
fn forged_assertion_reusing_the_signed_id_is_refused() {
    // The forged copy keeps the ID (so the Reference would point at it) and the original
    // signature; the signed original hides in an Extensions element.
    let text = xml("signed_assertion");
    let original = assertion_of(&text).to_owned();
    let forged = original.replace(
        ">alice@example.test</saml:NameID>",
        ">admin@example.test</saml:NameID>",
    );
    let attack = text.replace(
        &original,
        &format!("<samlp:Extensions>{original}</samlp:Extensions>{forged}"),
    );
    assert!(signature_error(Setup::new().verify_xml(&attack)).contains("twice"));
}

#[test]
fn signed_response_wrapped_in_an_unsigned_one_is_refused() {
    // XSW on the message: a new unsigned Response (another ID) holds a forged assertion and
    // the signed original Response inside Extensions.
    let text = xml("signed_response");
    let original_assertion = assertion_of(&text).to_owned();
    let forged_assertion = original_assertion
        .replace("_assertion-signed_response", "_evil-assertion")
        .replace(
            ">alice@example.test</saml:NameID>",
            ">admin@example.test</saml:NameID>",
        );
    let body_start = text.find("<saml:Issuer>").expect("issuer");
    let head = &text[..body_start];
    let outer_head = head.replace("ID=\"_resp-signed_response\"", "ID=\"_evil-response\"");
    let attack = format!(
        "{outer_head}<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status><samlp:Extensions>{text}</samlp:Extensions>{forged_assertion}</samlp:Response>"
    );
    let result = Setup::new().verify_xml(&attack);
    assert!(result.is_err(), "{result:?}");
}

#[test]
fn duplicate_ids_are_refused() {
    let text = xml("signed_both").replace(
        "<samlp:Status>",
        "<samlp:Extensions><x ID=\"_assertion-signed_both\"/></samlp:Extensions><samlp:Status>",
    );
    assert!(signature_error(Setup::new().verify_xml(&text)).contains("twice"));
}

#[test]
fn assertion_signature_moved_onto_the_response_is_refused() {
    let text = xml("signed_assertion");
    let at = text.find("<saml:Assertion").expect("assertion");
    let start = at + text[at..].find("<ds:Signature").expect("signature");
    let end = start + text[start..].find("</ds:Signature>").expect("end") + "</ds:Signature>".len();
    let signature = &text[start..end];
    let without = format!("{}{}", &text[..start], &text[end..]);
    let issuer_end = without.find("</saml:Issuer>").expect("issuer") + "</saml:Issuer>".len();
    let moved = format!(
        "{}{}{}",
        &without[..issuer_end],
        signature,
        &without[issuer_end..]
    );
    let why = signature_error(Setup::new().verify_xml(&moved));
    assert!(why.contains("does not point"), "{why}");
}

#[test]
fn a_second_reference_is_refused() {
    let text = xml("signed_assertion");
    let start = text.find("<ds:Reference").expect("reference");
    let end = text.find("</ds:Reference>").expect("end") + "</ds:Reference>".len();
    let doubled = format!("{}{}{}", &text[..end], &text[start..end], &text[end..]);
    assert!(signature_error(Setup::new().verify_xml(&doubled)).contains("more than one Reference"));
}

#[test]
fn hmac_signature_method_is_refused() {
    let text = xml("signed_assertion").replace(
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
    );
    assert!(signature_error(Setup::new().verify_xml(&text)).contains("not accepted"));
}

#[test]
fn unknown_transform_is_refused() {
    let text = xml("signed_assertion").replace(
        "http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>",
        "http://www.w3.org/TR/1999/REC-xpath-19991116\"/></ds:Transforms>",
    );
    assert!(matches!(
        Setup::new().verify_xml(&text),
        Err(SamlError::Signature(_))
    ));
}

#[test]
fn expired_and_not_yet_valid_assertions_are_refused() {
    let expires = ISSUED_MS + 5 * 60_000;
    let late = Setup {
        now: expires + super::super::response::SKEW_MS,
        ..Setup::new()
    };
    assert!(rejected(late.verify(fixture("signed_assertion"))).contains("expired"));
    let early = Setup {
        now: ISSUED_MS - super::super::response::SKEW_MS - 1,
        ..Setup::new()
    };
    assert!(rejected(early.verify(fixture("signed_assertion"))).contains("not yet valid"));
}

#[test]
fn wrong_audience_recipient_destination_or_issuer_is_refused() {
    let setup = Setup {
        audience: "urn:amazon:cognito:sp:us-east-1_other",
        ..Setup::new()
    };
    assert!(rejected(setup.verify(fixture("signed_assertion"))).contains("audience"));
    // The ACS URL is both Destination and Recipient; drop the Destination to reach Recipient.
    let setup = Setup {
        acs: "https://evil.example.test/acs",
        ..Setup::new()
    };
    assert!(rejected(setup.verify(fixture("signed_assertion"))).contains("Destination"));
    let text = xml("signed_assertion").replace(&format!(" Destination=\"{ACS}\""), "");
    assert!(rejected(setup.verify_xml(&text)).contains("Recipient"));
    let setup = Setup {
        idp: "https://other-idp.example.test",
        ..Setup::new()
    };
    assert!(rejected(setup.verify(fixture("signed_assertion"))).contains("Issuer"));
    // The assertion's Issuer is checked even when the Response names none.
    let text = xml("signed_assertion");
    let response_issuer = format!("<saml:Issuer>{IDP}</saml:Issuer>");
    let without = text.replacen(&response_issuer, "", 1);
    assert!(rejected(setup.verify_xml(&without)).contains("Assertion's Issuer"));
}

#[test]
fn in_response_to_must_match_the_request() {
    let setup = Setup {
        request: Some("_another-request"),
        ..Setup::new()
    };
    assert!(rejected(setup.verify(fixture("signed_assertion"))).contains("InResponseTo"));
    // SP-initiated, but the assertion answers nothing.
    assert!(rejected(Setup::new().verify(fixture("unsolicited"))).contains("missing"));
}

#[test]
fn in_response_to_is_refused_when_unsolicited_is_expected() {
    let setup = Setup {
        request: None,
        ..Setup::new()
    };
    assert!(rejected(setup.verify(fixture("signed_assertion"))).contains("none was made"));
}

#[test]
fn doctype_and_entities_are_refused() {
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>";
    assert!(matches!(
        Setup::new().verify_xml(laughs),
        Err(SamlError::Malformed(_))
    ));
    let text = xml("signed_assertion");
    let with_doctype = format!("<!DOCTYPE samlp:Response>{text}");
    assert!(matches!(
        Setup::new().verify_xml(&with_doctype),
        Err(SamlError::Malformed(_))
    ));
    assert!(matches!(
        crate::saml::xml::parse(laughs),
        Err(SamlError::Malformed(_))
    ));
}

#[test]
fn oversized_and_garbage_input_is_malformed() {
    let big = "A".repeat(2 * 1024 * 1024);
    assert!(matches!(
        Setup::new().verify(&big),
        Err(SamlError::Malformed(_))
    ));
    assert!(matches!(
        Setup::new().verify("%%%"),
        Err(SamlError::Malformed(_))
    ));
    assert!(matches!(
        Setup::new().verify_xml("<a/>"),
        Err(SamlError::Malformed(_))
    ));
    assert!(matches!(
        Setup::new().verify_xml("<samlp:Response"),
        Err(SamlError::Malformed(_))
    ));
    let v1 = xml("signed_assertion").replacen("Version=\"2.0\"", "Version=\"1.1\"", 1);
    assert!(matches!(
        Setup::new().verify_xml(&v1),
        Err(SamlError::Malformed(_))
    ));
}

#[test]
fn non_success_status_is_reported() {
    let text = xml("signed_assertion").replace(
        "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>",
        "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Responder\"><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:AuthnFailed\"/></samlp:StatusCode>",
    );
    match Setup::new().verify_xml(&text) {
        Err(SamlError::Status(code)) => assert_eq!(
            code,
            "urn:oasis:names:tc:SAML:2.0:status:Responder / urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
        ),
        other => panic!("expected a status error, got {other:?}"),
    }
}

#[test]
fn errors_never_show_key_material() {
    let setup = Setup {
        key: Some(idp_key()),
        ..Setup::new()
    };
    let message = setup
        .verify(fixture("encrypted_cbc"))
        .expect_err("wrong key")
        .to_string();
    assert!(
        message.len() < 200 && !message.contains("BEGIN"),
        "{message}"
    );
    let debug = format!("{:?}", setup.expected());
    assert!(
        debug.contains("redacted") && !debug.contains("MII"),
        "{debug}"
    );
}
