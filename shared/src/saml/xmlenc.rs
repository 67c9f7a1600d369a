//! XML Encryption: decrypting the `xenc:EncryptedData` of a `saml:EncryptedAssertion` with the
//! service provider's RSA key. Key transport is RSA-OAEP only (rsa-oaep-mgf1p, xmlenc11
//! rsa-oaep); rsa-1_5 is refused (Bleichenbacher). Data is AES-CBC (128/192/256) or AES-GCM
//! (128/192/256). Key material never reaches an error message.

use super::xml::{children, only_child, required_child, text_of};
use super::{b64, SamlError, SamlResult, NS_DS, NS_XENC, NS_XENC11};
use aws_lc_rs::rsa::{
    OaepAlgorithm, OaepPrivateDecryptingKey, PrivateDecryptingKey, OAEP_SHA1_MGF1SHA1,
    OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
};
use roxmltree::Node;

const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const RSA_OAEP: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
const RSA_1_5: &str = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";

/// A data encryption algorithm.
#[derive(Clone, Copy)]
enum Data {
    Cbc(&'static aws_lc_rs::cipher::Algorithm, usize),
    Gcm(&'static aws_lc_rs::aead::Algorithm, usize),
}

fn data_algorithm(uri: &str) -> SamlResult<Data> {
    use aws_lc_rs::{aead, cipher};
    Ok(match uri {
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => Data::Cbc(&cipher::AES_128, 16),
        "http://www.w3.org/2001/04/xmlenc#aes192-cbc" => Data::Cbc(&cipher::AES_192, 24),
        "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => Data::Cbc(&cipher::AES_256, 32),
        "http://www.w3.org/2009/xmlenc11#aes128-gcm" => Data::Gcm(&aead::AES_128_GCM, 16),
        "http://www.w3.org/2009/xmlenc11#aes192-gcm" => Data::Gcm(&aead::AES_192_GCM, 24),
        "http://www.w3.org/2009/xmlenc11#aes256-gcm" => Data::Gcm(&aead::AES_256_GCM, 32),
        _ => {
            return Err(SamlError::Decryption(
                "data encryption algorithm not accepted".into(),
            ))
        }
    })
}

/// Decrypts the `xenc:EncryptedData` under `encrypted_assertion` with the RSA private key
/// `pkcs8_der`, and returns the plaintext XML. The EncryptedKey may sit in the EncryptedData's
/// `ds:KeyInfo` or beside the EncryptedData (found by `ds:RetrievalMethod`, or as the only one).
pub fn decrypt(encrypted_assertion: Node, pkcs8_der: &[u8]) -> SamlResult<String> {
    let fail = |why: &str| SamlError::Decryption(why.to_owned());
    let data = required_child(encrypted_assertion, NS_XENC, "EncryptedData")
        .map_err(|_| fail("no single EncryptedData"))?;
    let method = required_child(data, NS_XENC, "EncryptionMethod")
        .map_err(|_| fail("no EncryptionMethod"))?;
    let algorithm = data_algorithm(method.attribute("Algorithm").unwrap_or(""))?;
    let encrypted_key = find_encrypted_key(encrypted_assertion, data)?;
    let key = unwrap_key(encrypted_key, pkcs8_der)?;
    let ciphertext = cipher_value(data)?;
    let plaintext = match algorithm {
        Data::Cbc(cipher, key_len) => decrypt_cbc(cipher, key_len, &key, ciphertext)?,
        Data::Gcm(aead, key_len) => decrypt_gcm(aead, key_len, &key, ciphertext)?,
    };
    String::from_utf8(plaintext).map_err(|_| fail("the plaintext is not UTF-8"))
}

fn cipher_value(parent: Node) -> SamlResult<Vec<u8>> {
    let cipher_data = required_child(parent, NS_XENC, "CipherData")?;
    let value = required_child(cipher_data, NS_XENC, "CipherValue").map_err(|_| {
        SamlError::Decryption("no CipherValue (CipherReference is not supported)".into())
    })?;
    b64(&text_of(value)).ok_or_else(|| SamlError::Decryption("CipherValue is not base64".into()))
}

fn find_encrypted_key<'a, 'i>(
    assertion: Node<'a, 'i>,
    data: Node<'a, 'i>,
) -> SamlResult<Node<'a, 'i>> {
    let key_info = only_child(data, NS_DS, "KeyInfo")?;
    if let Some(key_info) = key_info {
        if let Some(inline) = only_child(key_info, NS_XENC, "EncryptedKey")? {
            return Ok(inline);
        }
        if let Some(retrieval) = only_child(key_info, NS_DS, "RetrievalMethod")? {
            let uri = retrieval.attribute("URI").unwrap_or("");
            let id = uri.strip_prefix('#').unwrap_or("");
            return children(assertion, NS_XENC, "EncryptedKey")
                .find(|k| !id.is_empty() && k.attribute("Id") == Some(id))
                .ok_or_else(|| {
                    SamlError::Decryption("the RetrievalMethod names no EncryptedKey".into())
                });
        }
    }
    only_child(assertion, NS_XENC, "EncryptedKey")?
        .ok_or_else(|| SamlError::Decryption("no EncryptedKey".into()))
}

/// The OAEP parameters of an EncryptedKey's EncryptionMethod.
fn oaep_algorithm(method: Node) -> SamlResult<&'static OaepAlgorithm> {
    let fail = |why: &str| Err(SamlError::Decryption(why.to_owned()));
    let digest = only_child(method, NS_DS, "DigestMethod")?
        .and_then(|d| d.attribute("Algorithm"))
        .unwrap_or(SHA1);
    match method.attribute("Algorithm").unwrap_or("") {
        RSA_OAEP_MGF1P => match digest {
            SHA1 => Ok(&OAEP_SHA1_MGF1SHA1),
            // OAEP with SHA-256 but MGF1-SHA1 has no aws-lc-rs constant.
            _ => fail("rsa-oaep-mgf1p with a digest other than SHA-1 is not supported"),
        },
        RSA_OAEP => {
            let mgf = only_child(method, NS_XENC11, "MGF")?
                .and_then(|m| m.attribute("Algorithm"))
                .unwrap_or("http://www.w3.org/2009/xmlenc11#mgf1sha1");
            match (digest, mgf) {
                (SHA1, "http://www.w3.org/2009/xmlenc11#mgf1sha1") => Ok(&OAEP_SHA1_MGF1SHA1),
                (SHA256, "http://www.w3.org/2009/xmlenc11#mgf1sha256") => {
                    Ok(&OAEP_SHA256_MGF1SHA256)
                }
                (SHA384, "http://www.w3.org/2009/xmlenc11#mgf1sha384") => {
                    Ok(&OAEP_SHA384_MGF1SHA384)
                }
                (SHA512, "http://www.w3.org/2009/xmlenc11#mgf1sha512") => {
                    Ok(&OAEP_SHA512_MGF1SHA512)
                }
                _ => fail("this RSA-OAEP digest and MGF pair is not supported"),
            }
        }
        RSA_1_5 => fail("rsa-1_5 key transport is refused"),
        _ => fail("key transport algorithm not accepted"),
    }
}

fn unwrap_key(encrypted_key: Node, pkcs8_der: &[u8]) -> SamlResult<Vec<u8>> {
    let method = required_child(encrypted_key, NS_XENC, "EncryptionMethod")?;
    let oaep = oaep_algorithm(method)?;
    let label = match only_child(method, NS_XENC, "OAEPparams")? {
        Some(params) => Some(
            b64(&text_of(params))
                .ok_or_else(|| SamlError::Decryption("OAEPparams is not base64".into()))?,
        ),
        None => None,
    };
    let wrapped = cipher_value(encrypted_key)?;
    let private = PrivateDecryptingKey::from_pkcs8(pkcs8_der)
        .map_err(|_| SamlError::Decryption("the decryption key is not an RSA PKCS#8 key".into()))?;
    let private = OaepPrivateDecryptingKey::new(private)
        .map_err(|_| SamlError::Decryption("the decryption key cannot do RSA-OAEP".into()))?;
    let mut out = vec![0u8; private.min_output_size()];
    let key = private
        .decrypt(oaep, &wrapped, &mut out, label.as_deref())
        .map_err(|_| {
            SamlError::Decryption("the key was not encrypted to this service provider".into())
        })?;
    Ok(key.to_vec())
}

fn decrypt_cbc(
    algorithm: &'static aws_lc_rs::cipher::Algorithm,
    key_len: usize,
    key: &[u8],
    mut data: Vec<u8>,
) -> SamlResult<Vec<u8>> {
    use aws_lc_rs::cipher::{DecryptingKey, DecryptionContext, UnboundCipherKey};
    use aws_lc_rs::iv::FixedLength;
    let fail = |why: &str| SamlError::Decryption(why.to_owned());
    if key.len() != key_len {
        return Err(fail("the content key has the wrong length"));
    }
    if data.len() < 32 || !data.len().is_multiple_of(16) {
        return Err(fail("the ciphertext has a wrong length"));
    }
    let body = data.split_off(16);
    let iv = FixedLength::<16>::try_from(data.as_slice()).map_err(|_| fail("bad IV"))?;
    let unbound = UnboundCipherKey::new(algorithm, key).map_err(|_| fail("bad content key"))?;
    let decrypting = DecryptingKey::cbc(unbound).map_err(|_| fail("bad content key"))?;
    let mut body = body;
    let plain = decrypting
        .decrypt(&mut body, DecryptionContext::Iv128(iv))
        .map_err(|_| fail("the content does not decrypt"))?;
    // XML Encryption padding: the last byte is the pad length (1..=16), the rest arbitrary.
    let pad = usize::from(plain.last().copied().unwrap_or(0));
    if pad == 0 || pad > 16 || pad > plain.len() {
        return Err(fail("the content does not decrypt (padding)"));
    }
    let keep = plain.len() - pad;
    Ok(plain.get(..keep).unwrap_or_default().to_vec())
}

fn decrypt_gcm(
    algorithm: &'static aws_lc_rs::aead::Algorithm,
    key_len: usize,
    key: &[u8],
    mut data: Vec<u8>,
) -> SamlResult<Vec<u8>> {
    use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey};
    let fail = |why: &str| SamlError::Decryption(why.to_owned());
    if key.len() != key_len {
        return Err(fail("the content key has the wrong length"));
    }
    if data.len() < 12 + 16 {
        return Err(fail("the ciphertext is too short"));
    }
    let mut sealed = data.split_off(12);
    let nonce = Nonce::try_assume_unique_for_key(&data).map_err(|_| fail("bad IV"))?;
    let key = UnboundKey::new(algorithm, key).map_err(|_| fail("bad content key"))?;
    let plain = LessSafeKey::new(key)
        .open_in_place(nonce, Aad::empty(), &mut sealed)
        .map_err(|_| fail("the content does not decrypt"))?;
    Ok(plain.to_vec())
}
