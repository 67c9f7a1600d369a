//! XML Encryption: where the EncryptedKey sits, RSA-OAEP variants, and what is refused.

use super::*;
use crate::saml::xml::parse;
use crate::saml::{xmlenc, NS_SAML};
use base64::Engine as _;

/// The first `open...close` span of `text` (tags included).
fn span(text: &str, open: &str, close: &str) -> (usize, usize) {
    let start = text.find(open).expect("open");
    let end = start + text[start..].find(close).expect("close") + close.len();
    (start, end)
}

#[test]
fn decrypted_assertion_really_needs_the_response_prefixes() {
    let text = xml("encrypted_prefix");
    let doc = parse(&text).expect("xml");
    let encrypted = doc
        .descendants()
        .find(|n| crate::saml::xml::is(*n, NS_SAML, "EncryptedAssertion"))
        .expect("EncryptedAssertion");
    let plain = xmlenc::decrypt(encrypted, &sp_key()).expect("decrypts");
    assert!(plain.starts_with("<saml:Assertion") && !plain.contains("xmlns:saml"));
    assert!(parse(&plain).is_err(), "alone, saml: is undeclared");
}

#[test]
fn encrypted_key_beside_the_data_is_found_by_retrieval_method_or_alone() {
    let text = xml("encrypted_cbc");
    let (key_start, key_end) = span(&text, "<e:EncryptedKey", "</e:EncryptedKey>");
    let key =
        text[key_start..key_end].replacen("<e:EncryptedKey", "<e:EncryptedKey Id=\"_key-1\"", 1);
    let info_start = text.find("<KeyInfo xmlns=").expect("KeyInfo");
    // The outer KeyInfo ends after the EncryptedKey (which holds a KeyInfo of its own).
    let info_end = key_end + text[key_end..].find("</KeyInfo>").expect("end") + "</KeyInfo>".len();
    let data_end =
        text.find("</xenc:EncryptedData>").expect("data end") + "</xenc:EncryptedData>".len();
    let retrieval = "<KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><RetrievalMethod URI=\"#_key-1\" Type=\"http://www.w3.org/2001/04/xmlenc#EncryptedKey\"/></KeyInfo>";
    for info in [retrieval, ""] {
        let moved = format!(
            "{}{}{}{}{}",
            &text[..info_start],
            info,
            &text[info_end..data_end],
            key,
            &text[data_end..]
        );
        let assertion = Setup::new()
            .verify_xml(&moved)
            .expect("key beside the data");
        assert_eq!(assertion.name_id, "alice@example.test");
    }
    // A RetrievalMethod naming no EncryptedKey.
    let dangling = format!(
        "{}{}{}",
        &text[..info_start],
        retrieval.replace("#_key-1", "#_nothing"),
        &text[info_end..]
    );
    assert!(matches!(
        Setup::new().verify_xml(&dangling),
        Err(SamlError::Decryption(_))
    ));
}

/// encrypted_cbc with its content key re-wrapped by xmlenc11 rsa-oaep under `digest`/`mgf`.
fn rewrapped(algorithm: &'static aws_lc_rs::rsa::OaepAlgorithm, digest: &str, mgf: &str) -> String {
    use aws_lc_rs::rsa::{
        OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
        PublicEncryptingKey, OAEP_SHA1_MGF1SHA1,
    };
    let text = xml("encrypted_cbc");
    let (value_start, value_end) = span(&text, "<e:CipherValue>", "</e:CipherValue>");
    let wrapped = crate::saml::b64(
        &text[value_start + "<e:CipherValue>".len()..value_end - "</e:CipherValue>".len()],
    )
    .expect("base64");
    let private =
        OaepPrivateDecryptingKey::new(PrivateDecryptingKey::from_pkcs8(&sp_key()).expect("key"))
            .expect("oaep");
    let mut buffer = vec![0u8; private.min_output_size()];
    let content_key = private
        .decrypt(&OAEP_SHA1_MGF1SHA1, &wrapped, &mut buffer, None)
        .expect("unwrap")
        .to_vec();
    let cert_der = pem_der(include_str!("../fixtures/sp_cert.pem"));
    let (_, cert) = x509_parser::parse_x509_certificate(&cert_der).expect("cert");
    let public = OaepPublicEncryptingKey::new(
        PublicEncryptingKey::from_der(cert.public_key().raw).expect("spki"),
    )
    .expect("oaep");
    let mut out = vec![0u8; public.ciphertext_size()];
    let rewrapped = public
        .encrypt(algorithm, &content_key, &mut out, None)
        .expect("wrap")
        .to_vec();
    let (method_start, method_end) = span(&text, "<e:EncryptionMethod", "</e:EncryptionMethod>");
    let method = format!(
        "<e:EncryptionMethod Algorithm=\"http://www.w3.org/2009/xmlenc11#rsa-oaep\"><DigestMethod Algorithm=\"{digest}\"/><MGF xmlns=\"http://www.w3.org/2009/xmlenc11#\" Algorithm=\"{mgf}\"/></e:EncryptionMethod>"
    );
    format!(
        "{}{}{}<e:CipherValue>{}</e:CipherValue>{}",
        &text[..method_start],
        method,
        &text[method_end..value_start],
        encode_bytes(&rewrapped),
        &text[value_end..]
    )
}

fn encode_bytes(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn xmlenc11_rsa_oaep_with_sha256_decrypts() {
    let text = rewrapped(
        &aws_lc_rs::rsa::OAEP_SHA256_MGF1SHA256,
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2009/xmlenc11#mgf1sha256",
    );
    assert_eq!(
        Setup::new()
            .verify_xml(&text)
            .expect("rsa-oaep sha256")
            .name_id,
        "alice@example.test"
    );
    // The same key, announced with another MGF: refused, not guessed.
    let wrong = text.replace("#mgf1sha256", "#mgf1sha1");
    assert!(matches!(
        Setup::new().verify_xml(&wrong),
        Err(SamlError::Decryption(_))
    ));
}
#[test]
fn plain_assertion_is_refused_when_encryption_is_required() {
    let setup = Setup {
        require_encryption: true,
        ..Setup::new()
    };
    assert!(rejected(setup.verify(fixture("signed_assertion"))).contains("encrypted"));
}

#[test]
fn wrong_or_missing_decryption_key_is_refused() {
    let setup = Setup {
        key: Some(idp_key()),
        ..Setup::new()
    };
    assert!(matches!(
        setup.verify(fixture("encrypted_cbc")),
        Err(SamlError::Decryption(_))
    ));
    let setup = Setup {
        key: None,
        ..Setup::new()
    };
    assert!(matches!(
        setup.verify(fixture("encrypted_cbc")),
        Err(SamlError::Decryption(_))
    ));
    let setup = Setup {
        key: Some(b"not a key".to_vec()),
        ..Setup::new()
    };
    assert!(matches!(
        setup.verify(fixture("encrypted_cbc")),
        Err(SamlError::Decryption(_))
    ));
}

#[test]
fn rsa_1_5_key_transport_is_refused() {
    match Setup::new().verify(fixture("encrypted_rsa15")) {
        Err(SamlError::Decryption(why)) => assert!(why.contains("rsa-1_5"), "{why}"),
        other => panic!("expected a decryption error, got {other:?}"),
    }
}

#[test]
fn tampered_ciphertext_is_refused() {
    let text = xml("encrypted_gcm");
    let at = text.rfind("<xenc:CipherValue>").expect("data") + "<xenc:CipherValue>".len() + 20;
    let mut broken = text.clone();
    let swap = if &broken[at..at + 1] == "A" { "B" } else { "A" };
    broken.replace_range(at..at + 1, swap);
    // The Response signature covers the ciphertext.
    assert!(matches!(
        Setup::new().verify_xml(&broken),
        Err(SamlError::Signature(_))
    ));
}
