//! Every Response the real signer made verifies and reads right.

use super::*;

fn check_alice(assertion: &super::super::Assertion, name: &str) {
    assert_eq!(assertion.id, format!("_assertion-{name}"));
    assert_eq!(assertion.issuer, IDP);
    assert_eq!(assertion.name_id, "alice@example.test");
    assert_eq!(
        assertion.name_id_format.as_deref(),
        Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    );
    assert_eq!(assertion.session_index.as_deref(), Some("_session-42"));
    assert_eq!(
        assertion.attributes.get("email"),
        Some(&vec!["alice@example.test".to_owned()])
    );
    assert_eq!(
        assertion.attributes.get("groups"),
        Some(&vec!["admins".to_owned(), "dev & ops".to_owned()])
    );
    assert_eq!(assertion.expires_ms, ISSUED_MS + 5 * 60_000);
}

fn verifies(name: &str) {
    let setup = Setup::new();
    let assertion = setup
        .verify(fixture(name))
        .unwrap_or_else(|e| panic!("{name} should verify: {e}"));
    check_alice(&assertion, name);
    assert_eq!(assertion.in_response_to.as_deref(), Some(REQUEST));
}

#[test]
fn signed_assertion_verifies() {
    verifies("signed_assertion");
}

#[test]
fn signed_response_verifies() {
    verifies("signed_response");
}

#[test]
fn signed_response_and_assertion_verify() {
    verifies("signed_both");
}

#[test]
fn rsa_sha512_and_rsa_sha1_signatures_verify() {
    verifies("signed_sha512");
    verifies("signed_sha1");
}

#[test]
fn inclusive_c14n_transform_verifies() {
    verifies("signed_inclusive");
}

#[test]
fn default_namespace_assertion_with_a_prefix_list_verifies() {
    verifies("signed_prefixlist");
    // The PrefixList is honoured: without it, xs and xsi drop out and the digest differs.
    let text = xml("signed_prefixlist");
    let reference = text.find("<ds:Reference").expect("reference");
    let mut changed = text.clone();
    let list = reference
        + text[reference..]
            .find("PrefixList=\"xs xsi\" xmlns=\"http://www.w3.org/2001/10/xml-exc-c14n#\"")
            .expect("list");
    changed.replace_range(
        list..list + "PrefixList=\"xs xsi\"".len(),
        "PrefixList=\"\"",
    );
    let why = match Setup::new().verify_xml(&changed) {
        Err(SamlError::Signature(why)) => why,
        other => panic!("{other:?}"),
    };
    assert!(why.contains("digest"), "{why}");
}

#[test]
fn whitespace_comments_escapes_and_nested_namespaces_verify() {
    let setup = Setup::new();
    let assertion = setup
        .verify(fixture("signed_tricky"))
        .expect("tricky verifies");
    check_alice(&assertion, "signed_tricky");
    assert_eq!(
        assertion.attributes.get("display"),
        Some(&vec!["Al <ice> & co\ttab".to_owned()])
    );
    assert_eq!(
        assertion.attributes.get("nested"),
        Some(&vec!["text\r".to_owned()])
    );
    // Each tricky part is covered by the signatures.
    let text = xml("signed_tricky");
    for (from, to) in [
        ("co\ttab", "co tab"),
        ("cr&#13;", "cr&#10;"),
        ("xml:lang=\"en\"", "xml:lang=\"de\""),
        ("<Inner xmlns=\"\"/>", "<Inner/>"),
    ] {
        assert!(text.contains(from), "{from}");
        let changed = text.replacen(from, to, 1);
        assert!(
            matches!(setup.verify_xml(&changed), Err(SamlError::Signature(_))),
            "{from}"
        );
    }
}

#[test]
fn encrypted_aes256_cbc_assertion_decrypts_and_verifies() {
    verifies("encrypted_cbc");
    let setup = Setup {
        require_encryption: true,
        ..Setup::new()
    };
    assert!(setup.verify(fixture("encrypted_cbc")).is_ok());
}

#[test]
fn encrypted_aes128_cbc_assertion_decrypts() {
    verifies("encrypted_aes128cbc");
}

#[test]
fn encrypted_aes128_gcm_then_signed_response_verifies() {
    verifies("encrypted_gcm");
}

#[test]
fn encrypted_aes256_gcm_assertion_decrypts() {
    verifies("encrypted_aes256gcm");
}

#[test]
fn encrypted_assertion_uses_prefixes_declared_on_the_response() {
    let text = xml("encrypted_prefix");
    assert!(
        text.contains("<saml:EncryptedAssertion>"),
        "the fixture relies on the Response's saml:"
    );
    verifies("encrypted_prefix");
}

#[test]
fn unsolicited_response_verifies_when_none_was_requested() {
    let setup = Setup {
        request: None,
        ..Setup::new()
    };
    let assertion = setup.verify(fixture("unsolicited")).expect("IdP-initiated");
    check_alice(&assertion, "unsolicited");
    assert_eq!(assertion.in_response_to, None);
}

#[test]
fn base64_with_line_breaks_is_accepted() {
    let wrapped: String = fixture("signed_assertion")
        .trim()
        .as_bytes()
        .chunks(76)
        .map(|line| format!("{}\r\n", String::from_utf8_lossy(line)))
        .collect();
    assert!(Setup::new().verify(&wrapped).is_ok());
}

#[test]
fn the_clock_skew_is_three_minutes() {
    let expires = ISSUED_MS + 5 * 60_000;
    let late = Setup {
        now: expires + super::super::response::SKEW_MS - 1,
        ..Setup::new()
    };
    assert!(late.verify(fixture("signed_assertion")).is_ok());
    let early = Setup {
        now: ISSUED_MS - super::super::response::SKEW_MS,
        ..Setup::new()
    };
    assert!(early.verify(fixture("signed_assertion")).is_ok());
}

#[test]
fn comment_injection_in_name_id_reads_the_whole_text() {
    let text = xml("signed_assertion").replace(
        "alice@example.test</saml:NameID>",
        "alice@exa<!--x-->mple.test</saml:NameID>",
    );
    let assertion = Setup::new()
        .verify_xml(&text)
        .expect("comments are outside the signature");
    assert_eq!(assertion.name_id, "alice@example.test");
}

#[test]
fn verify_rsa_checks_a_redirect_binding_signature() {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
    let pair = RsaKeyPair::from_pkcs8(&idp_key()).expect("IdP key");
    let message = b"SAMLRequest=abc&RelayState=xyz&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256";
    let mut signature = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        message,
        &mut signature,
    )
    .expect("sign");
    let alg = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    use super::super::dsig::verify_rsa;
    assert!(verify_rsa(&idp_cert(), alg, message, &signature).is_ok());
    assert!(matches!(
        verify_rsa(&idp_cert(), alg, b"SAMLRequest=abd", &signature),
        Err(SamlError::Signature(_))
    ));
    assert!(matches!(
        verify_rsa(&other_cert(), alg, message, &signature),
        Err(SamlError::Signature(_))
    ));
    let sha512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
    assert!(verify_rsa(&idp_cert(), sha512, message, &signature).is_err());
    let hmac = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
    assert!(matches!(
        verify_rsa(&idp_cert(), hmac, message, &signature),
        Err(SamlError::Signature(_))
    ));
    assert!(verify_rsa(b"not a certificate", alg, message, &signature).is_err());
}

#[test]
fn verify_rsa_also_checks_ecdsa_p256_signatures() {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("key");
    let pkcs8 = pair.to_pkcs8v1().expect("pkcs8");
    let signer = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
        &pkcs8.as_ref().to_vec().into(),
        &rcgen::PKCS_ECDSA_P256_SHA256,
    )
    .expect("rcgen key");
    let cert = rcgen::CertificateParams::default()
        .self_signed(&signer)
        .expect("cert");
    let message = b"SAMLResponse=abc&SigAlg=ecdsa";
    let signature = pair.sign(&SystemRandom::new(), message).expect("sign");
    let alg = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
    use super::super::dsig::verify_rsa;
    assert!(verify_rsa(cert.der(), alg, message, signature.as_ref()).is_ok());
    assert!(verify_rsa(cert.der(), alg, b"other", signature.as_ref()).is_err());
    // An EC key never verifies an RSA algorithm, nor an RSA key an EC one.
    let rsa = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    assert!(verify_rsa(cert.der(), rsa, message, signature.as_ref()).is_err());
    assert!(verify_rsa(&idp_cert(), alg, message, signature.as_ref()).is_err());
}
