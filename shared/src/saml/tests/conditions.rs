//! The checks behind a valid signature: the fixture is edited, then re-signed ([`resign`]).

use super::*;

fn edited(from: &str, to: &str) -> String {
    let text = xml("signed_assertion");
    assert!(text.contains(from), "{from}");
    resign(&text.replacen(from, to, 1))
}

const SCD: &str = "<saml:SubjectConfirmationData NotOnOrAfter=\"2026-01-01T00:05:00.000Z\"";

#[test]
fn resigning_the_unchanged_fixture_reproduces_the_real_signature() {
    // RSA PKCS#1 v1.5 is deterministic: same canonical bytes, same signature.
    assert_eq!(resign(&xml("signed_assertion")), xml("signed_assertion"));
}

#[test]
fn name_id_is_required() {
    let text = xml("signed_assertion");
    let start = text.find("<saml:NameID").expect("NameID");
    let end = text.find("</saml:NameID>").expect("end") + "</saml:NameID>".len();
    let without = resign(&format!("{}{}", &text[..start], &text[end..]));
    assert!(rejected(Setup::new().verify_xml(&without)).contains("NameID"));
}

#[test]
fn audience_restriction_is_required_and_each_must_name_us() {
    let none = edited("<saml:AudienceRestriction><saml:Audience>urn:amazon:cognito:sp:us-east-1_abc</saml:Audience></saml:AudienceRestriction>", "");
    assert!(rejected(Setup::new().verify_xml(&none)).contains("AudienceRestriction"));
    let two = edited("</saml:AudienceRestriction>", "</saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>urn:someone-else</saml:Audience></saml:AudienceRestriction>");
    assert!(rejected(Setup::new().verify_xml(&two)).contains("audience"));
    let either = edited(
        "<saml:Audience>",
        "<saml:Audience>urn:someone-else</saml:Audience><saml:Audience>",
    );
    assert!(Setup::new().verify_xml(&either).is_ok());
}

#[test]
fn a_bearer_confirmation_is_required() {
    let holder = edited(
        "urn:oasis:names:tc:SAML:2.0:cm:bearer",
        "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key",
    );
    assert!(rejected(Setup::new().verify_xml(&holder)).contains("bearer"));
    let no_end = edited(SCD, "<saml:SubjectConfirmationData");
    assert!(rejected(Setup::new().verify_xml(&no_end)).contains("NotOnOrAfter"));
}

#[test]
fn a_later_bearer_confirmation_may_be_the_one_that_fits() {
    let text = xml("signed_assertion");
    let start = text
        .find("<saml:SubjectConfirmation ")
        .expect("confirmation");
    let end = text.find("</saml:SubjectConfirmation>").expect("end")
        + "</saml:SubjectConfirmation>".len();
    let good = &text[start..end];
    let elsewhere = good.replace(ACS, "https://elsewhere.example.test/acs");
    let both = resign(&format!(
        "{}{elsewhere}{good}{}",
        &text[..start],
        &text[end..]
    ));
    assert!(Setup::new().verify_xml(&both).is_ok());
    let only_elsewhere = resign(&format!("{}{elsewhere}{}", &text[..start], &text[end..]));
    assert!(rejected(Setup::new().verify_xml(&only_elsewhere)).contains("Recipient"));
}

#[test]
fn the_confirmation_expiry_counts_and_the_earliest_is_reported() {
    let earlier = edited(
        SCD,
        "<saml:SubjectConfirmationData NotOnOrAfter=\"2026-01-01T00:02:00.000Z\"",
    );
    let assertion = Setup::new()
        .verify_xml(&earlier)
        .expect("still valid at 00:01");
    assert_eq!(assertion.expires_ms, ISSUED_MS + 2 * 60_000);
    let late = Setup {
        now: ISSUED_MS + 5 * 60_000 + 1,
        ..Setup::new()
    };
    assert!(rejected(late.verify_xml(&earlier)).contains("expired"));
    let future = edited(
        SCD,
        &format!("{SCD} NotBefore=\"2026-01-01T00:10:00.000Z\""),
    );
    assert!(rejected(Setup::new().verify_xml(&future)).contains("not yet valid"));
}

#[test]
fn a_malformed_instant_is_refused() {
    let text = edited(
        "NotBefore=\"2026-01-01T00:00:00.000Z\"",
        "NotBefore=\"soon\"",
    );
    assert!(matches!(
        Setup::new().verify_xml(&text),
        Err(SamlError::Malformed(_))
    ));
}

#[test]
fn assertion_version_and_issuer_are_checked() {
    let text = xml("signed_assertion");
    let at = text.find("<saml:Assertion").expect("assertion");
    let mut v1 = text.clone();
    let version = at + text[at..].find("Version=\"2.0\"").expect("version");
    v1.replace_range(
        version..version + "Version=\"2.0\"".len(),
        "Version=\"1.0\"",
    );
    assert!(matches!(
        Setup::new().verify_xml(&resign(&v1)),
        Err(SamlError::Malformed(_))
    ));
    let issuer = format!("<saml:Issuer>{IDP}</saml:Issuer>");
    let second = at + text[at..].find(&issuer).expect("issuer");
    let mut other = text.clone();
    other.replace_range(
        second..second + issuer.len(),
        "<saml:Issuer>https://evil.example.test</saml:Issuer>",
    );
    assert!(rejected(Setup::new().verify_xml(&resign(&other))).contains("Assertion's Issuer"));
}

#[test]
fn attributes_from_every_statement_are_merged() {
    let text = edited(
        "</saml:AttributeStatement>",
        "</saml:AttributeStatement><saml:AttributeStatement><saml:Attribute Name=\"groups\"><saml:AttributeValue>auditors</saml:AttributeValue></saml:Attribute><saml:Attribute><saml:AttributeValue>nameless</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>",
    );
    let assertion = Setup::new().verify_xml(&text).expect("valid");
    assert_eq!(
        assertion.attributes.get("groups"),
        Some(&vec![
            "admins".to_owned(),
            "dev & ops".to_owned(),
            "auditors".to_owned()
        ])
    );
    assert_eq!(assertion.attributes.len(), 2);
}
