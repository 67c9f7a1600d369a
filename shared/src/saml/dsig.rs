//! XML-DSig verification of an enveloped signature (the only kind SAML uses), strictly: one
//! signature, one reference to the signed element's own ID, only the enveloped-signature and
//! c14n transforms, known digest and RSA/ECDSA algorithms, and a key from the IdP's metadata
//! certificates (a certificate inside `KeyInfo` is never trusted). Also the raw signature check
//! of the HTTP-Redirect binding.

use super::c14n::{self, Method};
use super::xml::{children, is, only_child, required_child, text_of};
use super::{b64, SamlError, SamlResult, NS_DS};
use aws_lc_rs::digest;
use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use roxmltree::{Document, Node};

/// `http://www.w3.org/2000/09/xmldsig#enveloped-signature`
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// The namespace of `ec:InclusiveNamespaces`.
const NS_EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// The most transforms a Reference may list.
const MAX_TRANSFORMS: usize = 4;

/// Verifies that `element` carries an enveloped `ds:Signature` as a direct child whose single
/// Reference URI is `#<element's ID>`, with only the enveloped-signature and c14n transforms
/// (exclusive, with an optional InclusiveNamespaces PrefixList, or inclusive 1.0), a SHA-1/256/
/// 384/512 digest that matches, and a SignatureValue (rsa-sha1/256/384/512, ecdsa-sha256/384/
/// 512) made by the key of one of `certificates` (DER X.509 from the IdP's metadata). HMAC and
/// unknown algorithms are refused. The ID must occur once in the document.
pub fn verify_signed_element(
    doc: &Document,
    element: Node,
    certificates: &[Vec<u8>],
) -> SamlResult<()> {
    let bad = |why: &str| SamlError::Signature(why.to_owned());
    let id = element
        .attribute("ID")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| bad("the signed element has no ID"))?;
    let occurrences = doc
        .descendants()
        .filter(|n| {
            ["ID", "Id", "id"]
                .iter()
                .any(|name| n.attribute(*name) == Some(id))
        })
        .count();
    if occurrences != 1 {
        return Err(bad("the signed ID occurs more than once"));
    }
    let signature = only_child(element, NS_DS, "Signature")
        .map_err(|_| bad("more than one enveloped Signature"))?
        .ok_or_else(|| bad("the element is not signed"))?;
    let signed_info = signature
        .first_element_child()
        .filter(|n| is(*n, NS_DS, "SignedInfo"))
        .ok_or_else(|| bad("no SignedInfo"))?;
    let signature_value = required_child(signature, NS_DS, "SignatureValue")?;

    let canonicalization = required_child(signed_info, NS_DS, "CanonicalizationMethod")?;
    let si_method = c14n_method(canonicalization)?;
    let signature_method = required_child(signed_info, NS_DS, "SignatureMethod")?;
    if signature_method.children().any(|c| c.is_element()) {
        return Err(bad("SignatureMethod parameters are not accepted"));
    }
    let algorithm_uri = signature_method.attribute("Algorithm").unwrap_or("");
    let algorithm = signature_algorithm(algorithm_uri)?;

    let mut references = children(signed_info, NS_DS, "Reference");
    let reference = references.next().ok_or_else(|| bad("no Reference"))?;
    if references.next().is_some() {
        return Err(bad("more than one Reference"));
    }
    if reference.attribute("URI") != Some(format!("#{id}").as_str()) {
        return Err(bad("the Reference does not point at the signed element"));
    }
    let reference_method = reference_c14n(reference)?;
    let digest_method = required_child(reference, NS_DS, "DigestMethod")?;
    let digest_algorithm = digest_algorithm(digest_method.attribute("Algorithm").unwrap_or(""))?;
    let expected_digest = b64(&text_of(required_child(reference, NS_DS, "DigestValue")?))
        .ok_or_else(|| bad("DigestValue is not base64"))?;

    let canonical = c14n::canonicalize(element, Some(signature.id()), &reference_method);
    let actual = digest::digest(digest_algorithm, canonical.as_bytes());
    if !crate::secret::constant_time_eq(actual.as_ref(), &expected_digest) {
        return Err(bad(
            "the digest does not match (the signed content was changed)",
        ));
    }

    let signed_bytes = c14n::canonicalize(signed_info, None, &si_method);
    let signature_bytes =
        b64(&text_of(signature_value)).ok_or_else(|| bad("SignatureValue is not base64"))?;
    for certificate in certificates {
        if verify_with(
            certificate,
            algorithm,
            signed_bytes.as_bytes(),
            &signature_bytes,
        )
        .is_ok()
        {
            return Ok(());
        }
    }
    Err(bad(
        "the signature is not by the identity provider's certificates",
    ))
}

/// Whether `element` has a direct `ds:Signature` child.
pub fn is_signed(element: Node) -> bool {
    children(element, NS_DS, "Signature").next().is_some()
}

/// The raw signature check of the HTTP-Redirect binding: `signature` over `message` by the key
/// of `certificate_der`, for the SigAlg URI `alg_uri` (rsa-sha1/256/384/512, ecdsa-sha256/384/
/// 512).
pub fn verify_rsa(
    certificate_der: &[u8],
    alg_uri: &str,
    message: &[u8],
    signature: &[u8],
) -> SamlResult<()> {
    let algorithm = signature_algorithm(alg_uri)?;
    verify_with(certificate_der, algorithm, message, signature)
}

/// A signature algorithm: which key type it needs and the aws-lc-rs verifier.
#[derive(Clone, Copy)]
struct SignatureAlgorithm {
    rsa: bool,
    verifier: &'static dyn VerificationAlgorithm,
}

fn signature_algorithm(uri: &str) -> SamlResult<SignatureAlgorithm> {
    let (rsa, verifier): (bool, &'static dyn VerificationAlgorithm) = match uri {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => {
            (true, &signature::RSA_PKCS1_2048_8192_SHA256)
        }
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => {
            (true, &signature::RSA_PKCS1_2048_8192_SHA384)
        }
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => {
            (true, &signature::RSA_PKCS1_2048_8192_SHA512)
        }
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1" => (
            true,
            &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        ),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => {
            (false, &signature::ECDSA_P256_SHA256_FIXED)
        }
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" => {
            (false, &signature::ECDSA_P384_SHA384_FIXED)
        }
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" => {
            (false, &signature::ECDSA_P521_SHA512_FIXED)
        }
        other => {
            return Err(SamlError::Signature(format!(
                "signature algorithm not accepted: {}",
                other.chars().take(100).collect::<String>()
            )))
        }
    };
    Ok(SignatureAlgorithm { rsa, verifier })
}

fn digest_algorithm(uri: &str) -> SamlResult<&'static digest::Algorithm> {
    match uri {
        "http://www.w3.org/2000/09/xmldsig#sha1" => Ok(&digest::SHA1_FOR_LEGACY_USE_ONLY),
        "http://www.w3.org/2001/04/xmlenc#sha256" => Ok(&digest::SHA256),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => Ok(&digest::SHA384),
        "http://www.w3.org/2001/04/xmlenc#sha512" => Ok(&digest::SHA512),
        _ => Err(SamlError::Signature("digest algorithm not accepted".into())),
    }
}

/// The c14n method an element with an `Algorithm` attribute names (CanonicalizationMethod or
/// Transform), with its InclusiveNamespaces PrefixList.
fn c14n_method(node: Node) -> SamlResult<Method> {
    let uri = node.attribute("Algorithm").unwrap_or("");
    let prefixes = only_child(node, NS_EXC_C14N, "InclusiveNamespaces")?
        .and_then(|n| n.attribute("PrefixList"));
    Method::from_uri(uri, prefixes)
        .ok_or_else(|| SamlError::Signature("canonicalization algorithm not accepted".into()))
}

/// The canonicalization a Reference's transforms end in: only enveloped-signature and one c14n
/// transform are allowed; without one, inclusive c14n 1.0 applies. Comments are always dropped
/// (a same-document `#id` reference removes them).
fn reference_c14n(reference: Node) -> SamlResult<Method> {
    let mut method = None;
    if let Some(transforms) = only_child(reference, NS_DS, "Transforms")? {
        let list: Vec<Node> = children(transforms, NS_DS, "Transform").collect();
        if list.len() > MAX_TRANSFORMS {
            return Err(SamlError::Signature("too many transforms".into()));
        }
        for transform in list {
            if transform.attribute("Algorithm") == Some(ENVELOPED) {
                continue;
            }
            if method.is_some() {
                return Err(SamlError::Signature("more than one c14n transform".into()));
            }
            method = Some(c14n_method(transform)?);
        }
    }
    Ok(method
        .unwrap_or(Method::Inclusive {
            with_comments: false,
        })
        .without_comments())
}

fn verify_with(
    certificate_der: &[u8],
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> SamlResult<()> {
    let (_, certificate) = x509_parser::parse_x509_certificate(certificate_der)
        .map_err(|_| SamlError::Signature("the IdP certificate cannot be read".into()))?;
    let spki = certificate.public_key();
    let key_is_rsa = spki.algorithm.algorithm.to_id_string() == "1.2.840.113549.1.1.1";
    if key_is_rsa != algorithm.rsa {
        return Err(SamlError::Signature(
            "the key does not fit the algorithm".into(),
        ));
    }
    UnparsedPublicKey::new(algorithm.verifier, spki.subject_public_key.data.as_ref())
        .verify(message, signature)
        .map_err(|_| SamlError::Signature("the signature does not verify".into()))
}
